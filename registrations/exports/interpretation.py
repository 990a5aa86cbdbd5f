from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .base import Column, Dataset


class InterpretationDataset(Dataset):
    """Confirmed delegates who need interpretation, for the interpreters' booths."""

    name = "interpretation"
    label = _("Interpretation")
    columns = [
        Column(_("Reference"), lambda r: r.reference),
        Column(_("Name"), lambda r: r.full_name_latin),
        Column(_("Delegation"), lambda r: r.delegation.name if r.delegation else ""),
        Column(_("Interpretation into"), lambda r: r.get_interpretation_language_display()),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(status=Registration.Status.CONFIRMED)
            .exclude(interpretation_language="")
        )
