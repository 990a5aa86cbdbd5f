from django.utils.translation import gettext_lazy as _

from .base import Column, Dataset


class DelegationsDataset(Dataset):
    """Members by delegation, for the heads of delegation and protocol."""

    name = "delegations"
    label = _("Delegations")
    columns = [
        Column(_("Delegation"), lambda r: r.delegation.name),
        Column(
            _("Head of delegation"), lambda r: r.delegation.head.email if r.delegation.head else ""
        ),
        Column(_("Reference"), lambda r: r.reference),
        Column(_("Status"), lambda r: r.get_status_display()),
        Column(_("Honorific"), lambda r: r.honorific),
        Column(_("Name"), lambda r: r.full_name),
        Column(_("Name in Latin script"), lambda r: r.full_name_latin),
        Column(_("Position"), lambda r: r.position),
        Column(_("Organisation"), lambda r: r.organisation),
    ]

    def objects(self):
        return (
            self.registrations.filter(delegation__isnull=False)
            .select_related("delegation__head")
            .order_by("delegation__name", "family_name", "given_name", "pk")
        )
