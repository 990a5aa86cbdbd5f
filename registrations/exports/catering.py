from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .base import Column, Dataset, Name


class CateringDataset(Dataset):
    """Confirmed delegates with dietary requirements, for the caterer."""

    name = "catering"
    label = _("Catering (dietary requirements)")
    columns = [
        Column(_("Reference"), "reference"),
        Name(_("Name"), "full_name_latin"),
        Column(_("Organisation"), "organisation"),
        Column(_("Dietary requirements"), "dietary_requirements"),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(status=Registration.Status.CONFIRMED)
            .exclude(dietary_requirements="")
        )
