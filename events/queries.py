"""Reads for the public pages. Each returns a queryset or object with what its page needs
prefetched, so a page costs the same number of queries whatever the size of the agenda.

The pages with many rows (agenda, speakers, a session, a speaker) get their rows ready to
print: choice labels looked up once per page rather than per row (`get_kind_display` builds
its table on every call), addresses joined from a prefix reversed once rather than a
`{% url %}` per row, and the ` lang` mark of each translated text (`<field>_lang`, see
`formatting.FallbackLanguages`) decided here rather than by a template tag per text."""

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from .formatting import FallbackLanguages
from .models import (
    Announcement,
    Event,
    PublicationStatus,
    Room,
    Session,
    SessionInterpretation,
    SessionMaterial,
    SessionSpeaker,
    Speaker,
)


def _can_preview(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def event_list_public() -> QuerySet[Event]:
    return Event.objects.filter(status=PublicationStatus.PUBLISHED).select_related("venue")


def event_get_for_visitor(*, slug: str, user, with_session_count: bool = False) -> Event:
    """The event by slug; drafts only for staff, everyone else gets 404. With
    `with_session_count`, its number of sessions as `session_count` (in the same query)."""
    events = Event.objects.select_related("venue")
    if with_session_count:
        counts = (
            Session.objects.filter(event=OuterRef("pk"))
            .order_by()
            .values("event")
            .annotate(n=Count("pk"))
            .values("n")
        )
        events = events.annotate(
            session_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        )
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


def material_list_public(*, now: datetime.datetime | None = None) -> QuerySet[SessionMaterial]:
    """Materials that visitors may see: those whose time to be public has come."""
    return SessionMaterial.objects.alias(public_from=SessionMaterial.public_from()).filter(
        public_from__lte=now or timezone.now()
    )


def events_with_materials_public_between(
    *, since: datetime.datetime, until: datetime.datetime
) -> set[str]:
    """The addresses (slugs) of the events with a material that became public in
    (since, until]: their cached pages and feeds must be rendered afresh to list it."""
    materials = SessionMaterial.objects.alias(public_from=SessionMaterial.public_from()).filter(
        public_from__gt=since, public_from__lte=until
    )
    return set(
        Event.objects.filter(sessions__materials__in=materials)
        .values_list("slug", flat=True)
        .distinct()
    )


def interpretation_languages(*, event: Event) -> list[str]:
    """The languages the event's sessions are interpreted into, in the order of LANGUAGES;
    all of LANGUAGES while none of its sessions has interpretation set (not yet planned)."""
    offered = set(
        SessionInterpretation.objects.filter(session__event=event).values_list(
            "language", flat=True
        )
    )
    return [code for code, _name in settings.LANGUAGES if not offered or code in offered]


def _interpretations() -> Prefetch:
    return Prefetch("interpretations", queryset=SessionInterpretation.objects.order_by("channel"))


def _materials() -> Prefetch:
    return Prefetch(
        "materials",
        queryset=material_list_public().order_by("order", "pk"),
        to_attr="public_materials",
    )


def sessions_followable_in(sessions: QuerySet[Session], *, language: str) -> QuerySet[Session]:
    """The sessions someone who understands only `language` can follow: held in it or
    interpreted into it, and those with no floor language (breaks, receptions)."""
    interpreted = SessionInterpretation.objects.filter(session=OuterRef("pk"), language=language)
    return sessions.filter(Q(floor_language__in=[language, ""]) | Exists(interpreted))


def session_list_for_agenda(
    *,
    event: Event,
    day: datetime.date | None = None,
    track_id: int | None = None,
    language: str | None = None,
) -> QuerySet[Session]:
    sessions = (
        event.sessions.select_related("room", "track")
        .prefetch_related(_appearances(), _interpretations(), _materials())
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
    if language:
        sessions = sessions_followable_in(sessions, language=language)
    return sessions


def event_days(*, event: Event) -> list[datetime.date]:
    days = (event.end_date - event.start_date).days + 1
    return [event.start_date + datetime.timedelta(days=n) for n in range(days)]


# An agenda longer than this opens on one day; the visitor can still ask for all of them.
LONG_AGENDA_DAYS = 3
LONG_AGENDA_SESSIONS = 80


def agenda_is_long(*, event: Event) -> bool:
    """Whether the agenda shows one day at a time unless asked for all days. The event must
    come with `session_count` (`event_get_for_visitor(with_session_count=True)`)."""
    days = (event.end_date - event.start_date).days + 1
    return days > LONG_AGENDA_DAYS or event.session_count > LONG_AGENDA_SESSIONS


def agenda_opening_day(*, event: Event) -> datetime.date:
    """The day a long agenda opens on: today while the event is on, else its first day."""
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(event.time_zone))
    return today if event.start_date <= today <= event.end_date else event.start_date


def choice_labels(choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    # The labels are lazy: made text once here, in the page's language.
    return {value: str(label) for value, label in choices}


def url_maker(name: str, *, slug: str, field: str, sample: int | str) -> Callable[..., str]:
    """Addresses of one URL pattern for one event: reversed once with `sample` in place of
    the varying part, then joined around each value (a slug or a number, nothing to quote)."""
    head, _sample, tail = reverse(name, kwargs={"slug": slug, field: sample}).rpartition(
        str(sample)
    )
    return lambda value: f"{head}{value}{tail}"


class _Rows:
    """What a page needs to print its sessions and speakers without asking per row."""

    def __init__(self, event: Event) -> None:
        self.tz = zoneinfo.ZoneInfo(event.time_zone)
        self.langs = FallbackLanguages()
        self.kinds = choice_labels(Session.Kind.choices)
        self.roles = choice_labels(SessionSpeaker.Role.choices)
        self.languages = choice_labels(settings.LANGUAGES)
        self.material_kinds = choice_labels(SessionMaterial.Kind.choices)
        self.session_url = url_maker("events:session", slug=event.slug, field="pk", sample=1)
        self.speaker_url = url_maker(
            "events:speaker", slug=event.slug, field="speaker_slug", sample="speaker-slug"
        )

    def speaker(self, speaker: Speaker) -> Speaker:
        if not hasattr(speaker, "url"):
            speaker.url = self.speaker_url(speaker.slug)
            for field in ("honorific", "full_name", "position"):
                setattr(speaker, f"{field}_lang", self.langs.attr(speaker, field))
            if speaker.organisation is not None:
                speaker.organisation.name_lang = self.langs.attr(speaker.organisation, "name")
        return speaker

    def session(self, session: Session) -> Session:
        session.url = self.session_url(session.pk)
        session.kind_label = self.kinds.get(session.kind, session.kind)
        session.title_lang = self.langs.attr(session, "title")
        session.description_lang = self.langs.attr(session, "description")
        # As the `date:'c'` and `time:"H:i"` filters would print them, in the event's zone.
        start, end = (
            timezone.localtime(session.start, self.tz),
            timezone.localtime(session.end, self.tz),
        )
        session.local_start, session.local_end = start, end
        session.start_iso, session.end_iso = start.isoformat(), end.isoformat()
        session.start_time, session.end_time = f"{start:%H:%M}", f"{end:%H:%M}"
        if session.room is not None:
            session.room.name_lang = self.langs.attr(session.room, "name")
        if session.track is not None:
            session.track.name_lang = self.langs.attr(session.track, "name")
        session.appearance_list = list(session.appearances.all())
        for appearance in session.appearance_list:
            appearance.role_label = self.roles.get(appearance.role, appearance.role)
            self.speaker(appearance.speaker)
        session.floor_language_label = self.languages.get(session.floor_language, "")
        session.interpretation_list = list(session.interpretations.all())
        for interpretation in session.interpretation_list:
            interpretation.language_label = self.languages.get(
                interpretation.language, interpretation.language
            )
        for material in session.public_materials:
            material.kind_label = self.material_kinds.get(material.kind, material.kind)
            material.language_label = self.languages.get(material.language, material.language)
            material.title_lang = self.langs.attr(material, "title")
        return session


def agenda_days(
    *,
    event: Event,
    day: datetime.date | None = None,
    track_id: int | None = None,
    language: str | None = None,
) -> list[tuple[datetime.date, list[Session]]]:
    """The agenda by day (one day, or all with `day=None`), each session ready to print;
    with `language`, only the sessions one can follow in it (`sessions_followable_in`)."""
    rows = _Rows(event)
    days: dict[datetime.date, list[Session]] = {}
    sessions = session_list_for_agenda(event=event, day=day, track_id=track_id, language=language)
    for session in sessions:
        rows.session(session)
        days.setdefault(session.local_start.date(), []).append(session)
    return list(days.items())


def session_get_for_event(*, event: Event, pk: int) -> Session:
    sessions = event.sessions.select_related("room", "track").prefetch_related(
        _appearances(), _interpretations(), _materials()
    )
    return get_object_or_404(sessions, pk=pk)


def session_page(*, event: Event, pk: int) -> Session:
    """A session of this event ready to print (404 otherwise)."""
    return _Rows(event).session(session_get_for_event(event=event, pk=pk))


def speaker_list_for_event(*, event: Event) -> QuerySet[Speaker]:
    return (
        Speaker.objects.filter(appearances__session__event=event)
        .select_related("organisation")
        .distinct()
        .order_by("full_name")
    )


def speaker_list_page(*, event: Event) -> list[Speaker]:
    """The event's speakers ready to print."""
    rows = _Rows(event)
    return [rows.speaker(speaker) for speaker in speaker_list_for_event(event=event)]


def speaker_get_for_event(*, event: Event, slug: str) -> tuple[Speaker, list[Session]]:
    """A speaker with their sessions at this event, ready to print, each with the speaker's
    roles in it (`speaker_roles`); 404 if they do not speak there."""
    speaker = get_object_or_404(Speaker.objects.select_related("organisation"), slug=slug)
    sessions = list(
        event.sessions.filter(appearances__speaker=speaker)
        .select_related("room", "track")
        .prefetch_related(_appearances(), _interpretations(), _materials())
        .distinct()
        .order_by("start")
    )
    if not sessions:
        raise Http404("Speaker does not speak at this event.")
    rows = _Rows(event)
    rows.speaker(speaker)
    speaker.bio_lang = rows.langs.attr(speaker, "bio")
    for session in sessions:
        rows.session(session)
        session.speaker_roles = [
            a.role_label for a in session.appearance_list if a.speaker_id == speaker.pk
        ]
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


# --- the grid by room and time, and "now and next" ----------------------------------------


@dataclass
class GridDay:
    """One day of the agenda laid out by room (columns) and time (rows).

    Grid lines, as CSS counts them: row 1 holds the rooms' names, then each time at which a
    session starts or ends that day is a line, in order; column 1 holds the times, then one
    column per room (`rooms`), then, when needed, one for sessions without a room that
    overlap others (`elsewhere`). Each session carries `grid_row` and `grid_column` as
    (start line, end line); the page sets them through the classes of the event's grid
    stylesheet (`grid_lines`), as pages have no inline style.
    """

    day: datetime.date
    rooms: list[Room]
    elsewhere: bool
    times: list[tuple[str, str, int]]  # (label, ISO time, row line)
    sessions: list[Session]

    @property
    def columns(self) -> int:
        return len(self.rooms) + self.elsewhere

    @property
    def lines(self) -> int:
        """The last row line used."""
        return len(self.times) + 2


def _room_order(room: Room) -> tuple:
    # The largest rooms first (the plenary hall), then a fixed order the same in every language.
    return (-(room.capacity or 0), room.pk)


def _grid_day(day: datetime.date, sessions: list[Session], tz) -> GridDay:
    rooms = sorted(
        {s.room.pk: s.room for s in sessions if s.room is not None}.values(), key=_room_order
    )
    column = {room.pk: n for n, room in enumerate(rooms, start=2)}
    boundaries = sorted({t for s in sessions for t in (s.start, s.end)})
    line = {moment: n for n, moment in enumerate(boundaries, start=2)}
    roomless = [s for s in sessions if s.room is None]
    # A session without a room spans every room's column, unless something else happens then.
    overlapping = {
        s.pk
        for s in roomless
        if any(o.pk != s.pk and o.start < s.end and s.start < o.end for o in sessions)
    }
    elsewhere = bool(overlapping)
    last_column = len(rooms) + 2
    for session in sessions:
        session.grid_row = (line[session.start], line[session.end])
        if session.room is not None:
            session.grid_column = (column[session.room.pk], column[session.room.pk] + 1)
        elif session.pk in overlapping:
            session.grid_column = (last_column, last_column + 1)
        else:
            session.grid_column = (2, last_column)
    times = [
        (
            f"{timezone.localtime(moment, tz):%H:%M}",
            timezone.localtime(moment, tz).isoformat(),
            line[moment],
        )
        for moment in boundaries[:-1]
    ]
    return GridDay(day=day, rooms=rooms, elsewhere=elsewhere, times=times, sessions=sessions)


def agenda_grid(*, event: Event, day: datetime.date) -> GridDay:
    """One day of the agenda by room and time, each session ready to print."""
    rows = _Rows(event)
    sessions = [rows.session(s) for s in session_list_for_agenda(event=event, day=day)]
    return _grid_day(day, sessions, rows.tz)


def grid_lines(*, event: Event) -> tuple[int, int]:
    """The most row lines and room columns any day of the event's grid uses: what its
    stylesheet must define classes for. One query, for the times and rooms only."""
    tz = zoneinfo.ZoneInfo(event.time_zone)
    days: dict[datetime.date, list[Session]] = {}
    for session in event.sessions.select_related("room").only(
        "event", "start", "end", "room", "room__capacity"
    ):
        days.setdefault(timezone.localtime(session.start, tz).date(), []).append(session)
    grids = [_grid_day(day, sessions, tz) for day, sessions in days.items()]
    return (
        max((grid.lines for grid in grids), default=2),
        max((grid.columns for grid in grids), default=1),
    )


@dataclass
class NowAndNext:
    now: datetime.datetime  # in the event's time zone
    current: list[Session]
    next: list[Session]
    # Past the event's last day, with nothing on and nothing to come.
    over: bool


def now_and_next(*, event: Event, now: datetime.datetime | None = None) -> NowAndNext:
    """What is on now, and what comes next in each room (the earliest session starting
    later in that room, and for sessions without a room the earliest of those), for the
    screens at the venue. Reads only up to the end of the day the next session starts on,
    so a long event costs the same: three queries."""
    tz = zoneinfo.ZoneInfo(event.time_zone)
    now = timezone.localtime(now or timezone.now(), tz)
    first_next = (
        event.sessions.filter(start__gt=now)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    horizon = now
    if first_next is not None:
        next_day = timezone.localtime(first_next, tz).date() + datetime.timedelta(days=1)
        horizon = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=tz)
    sessions = session_list_for_agenda(event=event).filter(end__gt=now, start__lt=horizon)
    rows = _Rows(event)
    current, upcoming, seen = [], [], set()
    for session in sessions:
        rows.session(session)
        if session.start <= now:
            current.append(session)
        elif (room := session.room_id) not in seen:
            seen.add(room)
            upcoming.append(session)
    over = not current and not upcoming and now.date() > event.end_date
    return NowAndNext(now=now, current=current, next=upcoming, over=over)
