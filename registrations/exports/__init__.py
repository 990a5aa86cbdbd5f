"""Attendee lists for organisers: one module per dataset, one shared writer per format.

A dataset (`base.Dataset`) says which registrations it lists and which columns it has; a
writer (`writers.WRITERS`) turns its rows into a file. Adding a list or a format is one
small class. Rows are read with `QuerySet.iterator()` and written as they come, so memory
stays flat however many delegates there are.
"""

from .accessibility import AccessibilityDataset
from .attendees import AttendeesDataset
from .catering import CateringDataset
from .delegations import DelegationsDataset
from .interpretation import InterpretationDataset
from .signin import SessionSignInDataset

DATASETS = {
    dataset.name: dataset
    for dataset in (
        AttendeesDataset,
        DelegationsDataset,
        CateringDataset,
        AccessibilityDataset,
        InterpretationDataset,
        SessionSignInDataset,
    )
}
