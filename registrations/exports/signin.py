from django.utils.translation import gettext_lazy as _

from events.models import Session

from ..models import Registration, SessionSignup
from .base import Blank, Column, Dataset, Lookup, Name


class SessionSignInDataset(Dataset):
    """One row per confirmed seat in each sign-up session, with room for a signature."""

    name = "signin"
    label = _("Session sign-in sheets")
    model = SessionSignup
    columns = [
        Lookup(_("Session"), "session_id", table="sessions", part=0),
        Column(_("Starts"), "session__start", kind="datetime"),
        Lookup(_("Room"), "session_id", table="sessions", part=1),
        Column(_("Reference"), "registration__reference"),
        Name(_("Name"), "full_name_latin", prefix="registration__"),
        Column(_("Organisation"), "registration__organisation"),
        Blank(_("Signature")),
    ]

    def objects(self):
        return SessionSignup.objects.filter(
            registration__in=self.registrations,
            registration__status=Registration.Status.CONFIRMED,
            status=SessionSignup.Status.CONFIRMED,
        ).order_by(
            "session__start",
            "session__pk",
            "registration__family_name",
            "registration__given_name",
            "pk",
        )

    def sessions(self) -> dict[int, tuple[str, str]]:
        """Each session's title and room, in the export's language. A registration signs up
        only for its own event's sessions (`_lock_signup_sessions`)."""
        sessions = Session.objects.filter(event=self.event).select_related("room")
        return {
            session.pk: (str(session.title), str(session.room.name) if session.room else "")
            for session in sessions
        }
