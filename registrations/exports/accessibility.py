from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .base import Column, Dataset


class AccessibilityDataset(Dataset):
    """Confirmed delegates who told us of accessibility needs, for the venue and ushers."""

    name = "accessibility"
    label = _("Accessibility needs")
    columns = [
        Column(_("Reference"), lambda r: r.reference),
        Column(_("Name"), lambda r: r.full_name_latin),
        Column(_("Organisation"), lambda r: r.organisation),
        Column(_("Phone"), lambda r: str(r.phone) if r.phone else ""),
        Column(_("Accessibility needs"), lambda r: r.accessibility_needs),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(status=Registration.Status.CONFIRMED)
            .exclude(accessibility_needs="")
        )
