from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .base import Column, CountryName, Dataset, Name


class VisaDataset(Dataset):
    """Those who asked for a visa letter, with their passport data: for the visa officers
    who write to the embassies. The only list with passport data, and only for them."""

    name = "visa"
    label = _("Visa letters and passport data")
    permission = "registrations.view_passport_data"
    columns = [
        Column(_("Reference"), "reference"),
        Name(_("Name in Latin script"), "full_name_latin"),
        Column(_("Organisation"), "organisation"),
        CountryName(_("Country"), "country"),
        CountryName(_("Nationality"), "nationality"),
        Column(_("Date of birth"), "date_of_birth", kind="date"),
        Column(_("Passport number"), "passport_number"),
        CountryName(_("Passport issued by"), "passport_country"),
        Column(_("Passport valid until"), "passport_expiry", kind="date"),
        Column(_("Visa letter approved"), "visa_letter_approved_at", kind="datetime"),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(needs_visa_letter=True, status__in=Registration.ACTIVE_STATUSES)
        )
