"""Agenda rules that need more than one row, so no database constraint can hold them.

They raise `ValidationError` keyed by field, which the admin shows next to that field. The
models' `clean()` calls them (so every form and `full_clean()` applies them); this module
does not import the models, so that the models can import it (no import circle).
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .formatting import date_range

if TYPE_CHECKING:
    from .models import Event, Session, SessionSpeaker


def _event_days(session: Session) -> tuple[datetime.date, datetime.date]:
    tz = zoneinfo.ZoneInfo(session.event.time_zone)
    return session.start.astimezone(tz).date(), session.end.astimezone(tz).date()


def _has_days(event: Event) -> bool:
    """Whether the event has days a session can lie within. Days missing, or the last before
    the first, are the event's own error, shown once on its form, not once for each session."""
    return (
        event.start_date is not None
        and event.end_date is not None
        and event.start_date <= event.end_date
    )


def _overlapping(session: Session):
    """Other sessions of the same event whose time overlaps this one's."""
    return (
        type(session)
        .objects.filter(event_id=session.event_id, start__lt=session.end, end__gt=session.start)
        .exclude(pk=session.pk)
    )


def session_validate(*, session: Session) -> None:
    """A session lies within its event's days and its room is not taken at that time."""
    if session.start is None or session.end is None or session.event_id is None:
        return  # field errors are reported by the fields themselves
    errors: dict[str, list[str]] = {}
    if session.end <= session.start:
        errors.setdefault("end", []).append(_("A session must end after it starts."))
    else:
        first, last = _event_days(session)
        event = session.event
        if _has_days(event) and (first < event.start_date or last > event.end_date):
            errors.setdefault("start", []).append(
                _("The session must take place during the event (%(days)s).")
                % {"days": date_range(event.start_date, event.end_date)}
            )
        if session.room_id is not None:
            clash = _overlapping(session).filter(room_id=session.room_id).order_by("start").first()
            if clash is not None:
                errors.setdefault("room", []).append(
                    _("%(room)s is already booked at this time for “%(session)s”.")
                    % {"room": session.room, "session": clash.title}
                )
    if session.track_id is not None and session.track.event_id != session.event_id:
        errors.setdefault("track", []).append(_("The track must belong to the session's event."))
    if session.pk is not None and not session.is_social and not errors:
        # Moving a saved session must not put its speakers in two places at once.
        for appearance in session.appearances.select_related("speaker"):
            appearance.session = session
            try:
                session_speaker_validate(appearance=appearance)
            except ValidationError as error:
                errors.setdefault("start", []).extend(error.messages)
    venue_id = session.event.venue_id
    if session.room_id is not None and venue_id is not None and session.room.venue_id != venue_id:
        errors.setdefault("room", []).append(_("The room must be in the event's venue."))
    if errors:
        raise ValidationError(errors)


def session_speaker_validate(*, appearance: SessionSpeaker) -> None:
    """A speaker cannot be in two sessions at once, except breaks and receptions."""
    session = appearance.session
    if (
        appearance.speaker_id is None
        or session.start is None
        or session.end is None
        or session.end <= session.start
        or session.is_social
    ):
        return
    clash = (
        _overlapping(session)
        .exclude(kind__in=session.SOCIAL_KINDS)
        .filter(appearances__speaker_id=appearance.speaker_id)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "speaker": _("%(speaker)s already speaks at “%(session)s” at this time.")
                % {"speaker": appearance.speaker, "session": clash.title}
            }
        )
