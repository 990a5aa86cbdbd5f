from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .base import Column, Dataset


class CateringDataset(Dataset):
    """Confirmed delegates with dietary requirements, for the caterer."""

    name = "catering"
    label = _("Catering (dietary requirements)")
    columns = [
        Column(_("Reference"), lambda r: r.reference),
        Column(_("Name"), lambda r: r.full_name_latin),
        Column(_("Organisation"), lambda r: r.organisation),
        Column(_("Dietary requirements"), lambda r: r.dietary_requirements),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(status=Registration.Status.CONFIRMED)
            .exclude(dietary_requirements="")
        )
