from collections.abc import Iterator
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import SessionInterpretation

from ..models import Registration, SessionSignup
from .base import Choice, Column, Dataset, Lookup, Name


class InterpretationDataset(Dataset):
    """Confirmed delegates who need interpretation, for the interpreters' booths."""

    name = "interpretation"
    label = _("Interpretation")
    columns = [
        Column(_("Reference"), "reference"),
        Name(_("Name"), "full_name_latin"),
        Lookup(_("Delegation"), "delegation_id", table="delegation_names"),
        Choice(_("Interpretation into"), "interpretation_language"),
    ]

    def objects(self):
        return (
            super()
            .objects()
            .filter(status=Registration.Status.CONFIRMED)
            .exclude(interpretation_language="")
        )


class InterpretationChannelsDataset(Dataset):
    """Each session's interpretation channels with the number of confirmed delegates who
    asked for interpretation into that channel's language: receivers and booths to plan.
    In a sign-up session only those with a confirmed seat count; in the others, everyone.
    Counted in three queries, whatever the number of sessions and delegates."""

    name = "interpretation_channels"
    label = _("Interpretation by session and channel")
    model = SessionInterpretation
    columns = [
        Column(_("Session"), "session__title"),
        Column(_("Starts"), "session__start", kind="datetime"),
        Column(_("Room"), "session__room"),
        Column(_("Channel"), "channel"),
        Choice(_("Interpretation into"), "language"),
        Column(_("Delegates who asked"), "delegates"),
    ]

    def objects(self):
        return (
            SessionInterpretation.objects.filter(session__event=self.event)
            .select_related("session__room")
            .order_by("session__start", "session__pk", "channel", "pk")
        )

    def rows(self) -> Iterator[list[Any]]:
        asking = self.registrations.filter(status=Registration.Status.CONFIRMED).exclude(
            interpretation_language=""
        )
        everyone = dict(
            asking.order_by()
            .values("interpretation_language")
            .annotate(n=Count("pk"))
            .values_list("interpretation_language", "n")
        )
        seated = {
            (session, language): n
            for session, language, n in SessionSignup.objects.filter(
                registration__in=asking, status=SessionSignup.Status.CONFIRMED
            )
            .order_by()
            .values("session_id", "registration__interpretation_language")
            .annotate(n=Count("pk"))
            .values_list("session_id", "registration__interpretation_language", "n")
        }
        labels = {
            code: str(label)
            for code, label in SessionInterpretation._meta.get_field("language").flatchoices
        }
        for interpretation in self.objects():
            session, language = interpretation.session, interpretation.language
            if session.capacity is None:
                asked = everyone.get(language, 0)
            else:
                asked = seated.get((session.pk, language), 0)
            yield [
                str(session.title),
                timezone.localtime(session.start, self.time_zone).replace(tzinfo=None),
                str(session.room.name) if session.room else "",
                str(interpretation.channel),
                labels.get(language, language),
                str(asked),
            ]
