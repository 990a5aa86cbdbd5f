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
from .interpretation import InterpretationChannelsDataset, InterpretationDataset
from .signin import SessionSignInDataset
from .visa import VisaDataset

DATASETS = {
    dataset.name: dataset
    for dataset in (
        AttendeesDataset,
        DelegationsDataset,
        CateringDataset,
        AccessibilityDataset,
        InterpretationDataset,
        InterpretationChannelsDataset,
        SessionSignInDataset,
        VisaDataset,
    )
}


def dataset_allowed(name: str, user) -> bool:
    """Whether `user` may export the list `name` (an unknown name is the caller's to refuse):
    the visa list, with passport data, needs its own permission."""
    permission = DATASETS[name].permission if name in DATASETS else None
    return permission is None or (user is not None and user.has_perm(permission))
