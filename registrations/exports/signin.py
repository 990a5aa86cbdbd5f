from django.utils.translation import gettext_lazy as _

from ..models import Registration, SessionSignup
from .base import Column, Dataset


class SessionSignInDataset(Dataset):
    """One row per confirmed seat in each sign-up session, with room for a signature."""

    name = "signin"
    label = _("Session sign-in sheets")
    columns = [
        Column(_("Session"), lambda s: s.session.title),
        Column(_("Starts"), lambda s: s.session.start, kind="datetime"),
        Column(_("Room"), lambda s: s.session.room.name if s.session.room else ""),
        Column(_("Reference"), lambda s: s.registration.reference),
        Column(_("Name"), lambda s: s.registration.full_name_latin),
        Column(_("Organisation"), lambda s: s.registration.organisation),
        Column(_("Signature"), lambda s: ""),
    ]

    def objects(self):
        return (
            SessionSignup.objects.filter(
                registration__in=self.registrations,
                registration__status=Registration.Status.CONFIRMED,
                status=SessionSignup.Status.CONFIRMED,
            )
            .select_related("session__room", "registration")
            .order_by(
                "session__start",
                "session__pk",
                "registration__family_name",
                "registration__given_name",
                "pk",
            )
        )
