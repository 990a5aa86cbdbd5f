from django.utils.translation import gettext_lazy as _

from .base import Choice, Column, CountryName, Dataset, Lookup, Name, YesNo


class AttendeesDataset(Dataset):
    """Everyone registered: the list for security at the venue and for the organisers."""

    name = "attendees"
    label = _("Attendee list")
    columns = [
        Column(_("Reference"), "reference"),
        Choice(_("Status"), "status"),
        Choice(_("Role"), "role"),
        Column(_("Honorific"), "honorific"),
        Column(_("Given name"), "given_name"),
        Column(_("Family name"), "family_name"),
        Name(_("Name in Latin script"), "full_name_latin"),
        Column(_("Position"), "position"),
        Column(_("Organisation"), "organisation"),
        Lookup(_("Delegation"), "delegation_id", table="delegation_names"),
        CountryName(_("Country"), "country"),
        Column(_("Email"), "user__email"),
        # Stored in the international format it is shown in (PHONENUMBER_DB_FORMAT).
        Column(_("Phone"), "phone"),
        Choice(_("Preferred language"), "language"),
        YesNo(_("Visa letter"), "needs_visa_letter"),
        Column(_("Registered at"), "created_at", kind="datetime"),
    ]
