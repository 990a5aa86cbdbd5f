from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .base import Choice, Column, Dataset, Lookup, Name


class InterpretationDataset(Dataset):
    """Confirmed delegates who need interpretation, for the interpreters' booths."""

    name = "interpretation"
    label = _("Interpretation")
    columns = [
        Column(_("Reference"), "reference"),
        Name(_("Name"), "full_name_latin"),
        Lookup(_("Delegation"), "delegation_id", table="delegation_names"),
        Choice(_("Interpretation into"), "interpretation_language"),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(status=Registration.Status.CONFIRMED)
            .exclude(interpretation_language="")
        )
