"""Reads for the public pages. Each returns a queryset or object with what its page needs
prefetched, so a page costs the same number of queries whatever the size of the agenda."""

import datetime
import zoneinfo

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    Announcement,
    Event,
    PublicationStatus,
    Session,
    SessionSpeaker,
    Speaker,
)


def _can_preview(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def event_list_public() -> QuerySet[Event]:
    return Event.objects.filter(status=PublicationStatus.PUBLISHED).select_related("venue")


def event_get_for_visitor(*, slug: str, user) -> Event:
    """The event by slug; drafts only for staff, everyone else gets 404."""
    events = Event.objects.select_related("venue")
    if not _can_preview(user):
        events = events.filter(status=PublicationStatus.PUBLISHED)
    return get_object_or_404(events, slug=slug)


def _appearances() -> Prefetch:
    return Prefetch(
        "appearances",
        queryset=SessionSpeaker.objects.select_related("speaker__organisation").order_by(
            "order", "pk"
        ),
    )


def session_list_for_agenda(
    *, event: Event, day: datetime.date | None = None, track_id: int | None = None
) -> QuerySet[Session]:
    sessions = (
        event.sessions.select_related("room", "track")
        .prefetch_related(_appearances())
        .order_by("start", "room__name", "pk")
    )
    if day is not None:
        tz = zoneinfo.ZoneInfo(event.time_zone)
        day_start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        sessions = sessions.filter(
            start__gte=day_start, start__lt=day_start + datetime.timedelta(days=1)
        )
    if track_id is not None:
        sessions = sessions.filter(track_id=track_id)
    return sessions


def event_days(*, event: Event) -> list[datetime.date]:
    days = (event.end_date - event.start_date).days + 1
    return [event.start_date + datetime.timedelta(days=n) for n in range(days)]


def session_get_for_event(*, event: Event, pk: int) -> Session:
    sessions = event.sessions.select_related("room", "track").prefetch_related(_appearances())
    return get_object_or_404(sessions, pk=pk)


def speaker_list_for_event(*, event: Event) -> QuerySet[Speaker]:
    return (
        Speaker.objects.filter(appearances__session__event=event)
        .select_related("organisation")
        .distinct()
        .order_by("full_name")
    )


def speaker_get_for_event(*, event: Event, slug: str) -> tuple[Speaker, QuerySet[Session]]:
    """A speaker with their sessions at this event; 404 if they do not speak there."""
    speaker = get_object_or_404(Speaker.objects.select_related("organisation"), slug=slug)
    sessions = (
        event.sessions.filter(appearances__speaker=speaker)
        .select_related("room", "track")
        .prefetch_related(_appearances())
        .distinct()
        .order_by("start")
    )
    if not sessions.exists():
        raise Http404("Speaker does not speak at this event.")
    return speaker, sessions


def announcement_list_for_visitor(*, event: Event, user) -> QuerySet[Announcement]:
    announcements = event.announcements.all()
    if not _can_preview(user):
        announcements = announcements.filter(
            status=PublicationStatus.PUBLISHED, published_at__lte=timezone.now()
        )
    return announcements.order_by("-published_at", "-pk")


def announcement_get_for_visitor(*, event: Event, slug: str, user) -> Announcement:
    return get_object_or_404(announcement_list_for_visitor(event=event, user=user), slug=slug)
