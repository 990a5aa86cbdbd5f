from django.utils.translation import gettext_lazy as _

from .base import Column, Dataset


class AttendeesDataset(Dataset):
    """Everyone registered: the list for security at the venue and for the organisers."""

    name = "attendees"
    label = _("Attendee list")
    columns = [
        Column(_("Reference"), lambda r: r.reference),
        Column(_("Status"), lambda r: r.get_status_display()),
        Column(_("Role"), lambda r: r.get_role_display()),
        Column(_("Honorific"), lambda r: r.honorific),
        Column(_("Given name"), lambda r: r.given_name),
        Column(_("Family name"), lambda r: r.family_name),
        Column(_("Name in Latin script"), lambda r: r.full_name_latin),
        Column(_("Position"), lambda r: r.position),
        Column(_("Organisation"), lambda r: r.organisation),
        Column(_("Delegation"), lambda r: r.delegation.name if r.delegation else ""),
        Column(_("Country"), lambda r: r.country.name),
        Column(_("Email"), lambda r: r.user.email),
        Column(_("Phone"), lambda r: str(r.phone) if r.phone else ""),
        Column(_("Preferred language"), lambda r: r.get_language_display()),
        Column(_("Visa letter"), lambda r: _("yes") if r.needs_visa_letter else _("no")),
        Column(_("Registered at"), lambda r: r.created_at, kind="datetime"),
    ]
