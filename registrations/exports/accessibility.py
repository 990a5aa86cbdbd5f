from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .base import Column, Dataset, Name


class AccessibilityDataset(Dataset):
    """Confirmed delegates who told us of accessibility needs, for the venue and ushers."""

    name = "accessibility"
    label = _("Accessibility needs")
    columns = [
        Column(_("Reference"), "reference"),
        Name(_("Name"), "full_name_latin"),
        Column(_("Organisation"), "organisation"),
        Column(_("Phone"), "phone"),
        Column(_("Accessibility needs"), "accessibility_needs"),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(status=Registration.Status.CONFIRMED)
            .exclude(accessibility_needs="")
        )
