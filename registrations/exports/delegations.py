from django.utils.translation import gettext_lazy as _

from .base import Choice, Column, Dataset, Lookup, Name


class DelegationsDataset(Dataset):
    """Members by delegation, for the heads of delegation and protocol."""

    name = "delegations"
    label = _("Delegations")
    columns = [
        Lookup(_("Delegation"), "delegation_id", table="delegation_names"),
        Column(_("Head of delegation"), "delegation__head__email"),
        Column(_("Reference"), "reference"),
        Choice(_("Status"), "status"),
        Column(_("Honorific"), "honorific"),
        Name(_("Name"), "full_name"),
        Name(_("Name in Latin script"), "full_name_latin"),
        Column(_("Position"), "position"),
        Column(_("Organisation"), "organisation"),
    ]

    def objects(self):
        return self.registrations.filter(delegation__isnull=False).order_by(
            "delegation__name", "family_name", "given_name", "pk"
        )
