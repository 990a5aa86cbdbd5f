"""Builds the demo from `demo.content`: two events with the same programme.

- `emn-2018`, the real 2018 conference, on its own dates: past, registration closed.
- `emn-demo`, a copy marked as a demonstration in both languages, a few weeks after the day
  it is loaded, with registration open and few seats, so that every delegate flow (the
  waiting list and moving up from it included) can be tried.

The demonstration keeps its dates when loaded again while it is still at least `MIN_LEAD`
away, so that registrations made on it, and the links in the messages they sent, stay as
they were; once it has come closer (or passed), the next load moves it, with its sessions,
news and registration window, to `LEAD` after that day. It stays the same event: its
registrations and delegations (with their invitation codes) are kept.

Every object is found by a natural key and updated in place, so loading twice changes nothing.
"""

import datetime
import zoneinfo
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from events import page_cache
from events.models import (
    Announcement,
    Event,
    Organisation,
    PublicationStatus,
    Room,
    Session,
    SessionInterpretation,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from registrations.models import Delegation, LetterTemplate, PrivacyNotice

from . import content

PAST_SLUG = "emn-2018"
UPCOMING_SLUG = "emn-demo"
TZ = zoneinfo.ZoneInfo(content.TIME_ZONE)

LEAD = datetime.timedelta(days=28)
MIN_LEAD = datetime.timedelta(days=14)
# Few seats, so that a handful of people trying it reach the waiting list.
UPCOMING_CAPACITY = 30
UPCOMING_SESSION_CAPACITY = 10

M = TypeVar("M", bound=Model)


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm), tzinfo=TZ)


def _saved(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """update_or_create that validates first, so the demo obeys the same rules as the admin."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


class _Shared:
    """What both events use: organisations, the venue and its rooms, speakers, the notice."""

    def __init__(self) -> None:
        self.organisations = {
            key: _saved(
                Organisation,
                {"name_en": name_en},
                {
                    "name_bg": name_bg,
                    "acronym_bg": acr_bg,
                    "acronym_en": acr_en,
                    "kind": kind,
                    "country": country,
                },
            )
            for key, (name_bg, name_en, acr_bg, acr_en, kind, country) in (
                content.ORGANISATIONS.items()
            )
        }
        self.venue = _saved(
            Venue,
            {"name_en": "Conference centre", "city_en": "Sofia"},
            {"name_bg": "Конферентен център", "city_bg": "София", "country": "BG"},
        )
        self.rooms = {
            key: _saved(
                Room,
                {"venue": self.venue, "name_en": name_en},
                {"name_bg": name_bg, "capacity": seats},
            )
            for key, (name_bg, name_en, seats) in content.ROOMS.items()
        }
        self.speakers = {
            slug: _saved(
                Speaker,
                {"slug": slug},
                {
                    "honorific_bg": hon_bg,
                    "honorific_en": hon_en,
                    "full_name_bg": name_bg,
                    "full_name_en": name_en,
                    "position_bg": pos_bg,
                    "position_en": pos_en,
                    "organisation": self.organisations[org],
                },
            )
            for slug, (hon_bg, hon_en, name_bg, name_en, pos_bg, pos_en, org) in (
                content.SPEAKERS.items()
            )
        }
        _saved(
            PrivacyNotice,
            {"version": "2018-03"},
            {
                "text_bg": content.PRIVACY_NOTICE_BG,
                "text_en": content.PRIVACY_NOTICE_EN,
                "effective_from": _at(datetime.date(2018, 3, 1), "00:00"),
            },
        )


def _event(
    shared: _Shared, *, slug: str, first_day: datetime.date, values: dict[str, Any]
) -> Event:
    """The event with the announced texts, on `first_day` and the days after it."""
    existing = Event.objects.filter(slug=slug).first()
    if existing is not None and existing.start_date != first_day:
        _move_sessions(existing, days=(first_day - existing.start_date).days)
    event = _saved(
        Event,
        {"slug": slug},
        {
            "theme_bg": content.THEME_BG,
            "theme_en": content.THEME_EN,
            "aims_bg": content.AIMS_BG,
            "aims_en": content.AIMS_EN,
            "topics_bg": "\n".join(content.TOPICS_BG),
            "topics_en": "\n".join(content.TOPICS_EN),
            "start_date": first_day,
            "end_date": first_day + datetime.timedelta(days=content.DAYS - 1),
            "time_zone": content.TIME_ZONE,
            "venue": shared.venue,
            "status": PublicationStatus.PUBLISHED,
            "requires_approval": False,
            "contact_email": "emn-conference@example.org",
            **values,
        },
    )
    event.organisers.set([shared.organisations["moi"], shared.organisations["iom-bg"]])
    return event


def _move_sessions(event: Event, *, days: int) -> None:
    """Moves the event's sessions by whole days, at the same clock time where the event is,
    so that the programme below finds each in its new place instead of adding a second one.
    Saved unchecked: the programme then checks every session against the event's new days."""
    tz = zoneinfo.ZoneInfo(event.time_zone)
    for session in event.sessions.all():
        for name in ("start", "end"):
            local = getattr(session, name).astimezone(tz)
            moved = datetime.datetime.combine(
                local.date() + datetime.timedelta(days=days), local.time(), tzinfo=tz
            )
            setattr(session, name, moved)
        session.save(update_fields=["start", "end"])


def _floor_language(kind: str) -> str:
    """The hosts open and close in Bulgarian, the guests speak English; nobody speaks at a
    break or a reception."""
    if kind in Session.SOCIAL_KINDS:
        return ""
    return "bg" if kind in (Session.Kind.OPENING, Session.Kind.CLOSING) else "en"


# Interpretation into each language, on the same receiver channel in every room.
DEMO_CHANNELS = {"bg": 1, "en": 2}


def _interpretation(session: Session) -> None:
    """Bulgarian <-> English in the plenary sessions; workshops are held in English only."""
    interpreted = session.floor_language and session.kind != Session.Kind.WORKSHOP
    for language, channel in DEMO_CHANNELS.items():
        if interpreted and language != session.floor_language:
            _saved(
                SessionInterpretation,
                {"session": session, "language": language},
                {"channel": channel},
            )
        else:
            session.interpretations.filter(language=language).delete()


def _programme(shared: _Shared, event: Event, *, session_capacity: int | None) -> None:
    """Tracks, sessions and speakers, the news item, the visa letter and the delegations."""
    tracks = {
        key: _saved(
            Track,
            {"event": event, "name_en": name_en},
            {"name_bg": name_bg, "colour": colour, "order": order},
        )
        for order, (key, (name_bg, name_en, colour)) in enumerate(content.TRACKS.items())
    }
    for day, start, end, kind, title_bg, title_en, room, track, capacity, people, (
        desc_bg,
        desc_en,
    ) in content.SESSIONS:
        date = event.start_date + datetime.timedelta(days=day)
        if capacity is not None and session_capacity is not None:
            capacity = min(capacity, session_capacity)
        session = _saved(
            Session,
            {"event": event, "start": _at(date, start), "title_en": title_en},
            {
                "title_bg": title_bg,
                "description_bg": desc_bg,
                "description_en": desc_en,
                "kind": kind,
                "end": _at(date, end),
                "room": shared.rooms[room],
                "track": tracks[track] if track else None,
                "capacity": capacity,
                "floor_language": _floor_language(kind),
            },
        )
        _interpretation(session)
        for order, (slug, role) in enumerate(people):
            _saved(
                SessionSpeaker,
                {"session": session, "speaker": shared.speakers[slug]},
                {"role": role, "order": order},
            )
    _saved(
        Announcement,
        {"event": event, "slug": "emn-annual-conference-2018-opens"},
        {
            "title_bg": "Годишна конференция на Европейската мрежа по миграция",
            "title_en": "European Migration Network Annual Conference",
            "body_bg": content.ANNOUNCEMENT_BG,
            "body_en": content.ANNOUNCEMENT_EN,
            # Published on the afternoon of the first day, as in 2018, however the event moves.
            "published_at": _at(event.start_date, "13:00"),
            "status": PublicationStatus.PUBLISHED,
        },
    )
    _saved(
        LetterTemplate,
        {"event": event},
        {
            "letterhead_bg": "Министерство на вътрешните работи\n"
            "Национална точка за контакт на България към Европейската мрежа по миграция",
            "letterhead_en": "Ministry of the Interior\n"
            "Bulgarian National Contact Point of the European Migration Network",
            "place_bg": "София",
            "place_en": "Sofia",
            "body_bg": content.LETTER_BG,
            "body_en": content.LETTER_EN,
            "costs_bg": content.LETTER_COSTS_BG,
            "costs_en": content.LETTER_COSTS_EN,
            # An invented name: the demonstration must not put words in a real official's mouth.
            "signatory_name_bg": "Мария Иванова",
            "signatory_name_en": "Maria Ivanova",
            "signatory_position_bg": "Ръководител на националната точка за контакт към ЕММ, "
            "Министерство на вътрешните работи",
            "signatory_position_en": "Head of the EMN National Contact Point, "
            "Ministry of the Interior",
        },
    )
    # The IOM country offices whose colleagues the announcement welcomes; quotas are invented.
    # Found by organisation, so each keeps its invitation code from one load to the next.
    for key in ("iom-at", "iom-hr", "iom-lt", "iom-sk"):
        organisation = shared.organisations[key]
        _saved(
            Delegation,
            {"event": event, "organisation": organisation},
            {
                "name_bg": organisation.name_bg,
                "name_en": organisation.name_en,
                "country": organisation.country,
                "quota": 3,
            },
        )


def upcoming_first_day(*, today: datetime.date) -> datetime.date:
    """Where the demonstration starts when loaded on `today`: where it is while it is still
    at least MIN_LEAD away, otherwise LEAD after today."""
    current = Event.objects.filter(slug=UPCOMING_SLUG).values_list("start_date", flat=True)
    if current and current[0] - today >= MIN_LEAD:
        return current[0]
    return today + LEAD


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> tuple[Event, Event]:
    """Builds or refreshes both events; returns (the 2018 conference, the demonstration).

    `today` is the day in Sofia (the events' time zone) unless given."""
    today = today or timezone.localdate(timezone=TZ)
    shared = _Shared()
    past = _event(
        shared,
        slug=PAST_SLUG,
        first_day=content.FIRST_DAY_2018,
        values={
            "title_bg": content.TITLE_BG,
            "title_en": content.TITLE_EN,
            "description_bg": content.DESCRIPTION_BG,
            "description_en": content.DESCRIPTION_EN,
            # Invented, like the rest of the window: a week before the first day.
            "registration_opens": _at(datetime.date(2018, 3, 1), "09:00"),
            "registration_closes": _at(datetime.date(2018, 5, 7), "18:00"),
            "capacity": 180,
            "reference_prefix": "EMN18",
        },
    )
    _programme(shared, past, session_capacity=None)

    first_day = upcoming_first_day(today=today)
    upcoming = _event(
        shared,
        slug=UPCOMING_SLUG,
        first_day=first_day,
        values={
            "title_bg": content.DEMO_TITLE_BG,
            "title_en": content.DEMO_TITLE_EN,
            "description_bg": f"{content.DEMO_NOTE_BG}\n\n{content.DESCRIPTION_BG}",
            "description_en": f"{content.DEMO_NOTE_EN}\n\n{content.DESCRIPTION_EN}",
            # Opens on the day it was placed (LEAD before the first day), closes the evening
            # before the first day; tied to the first day, so a reload does not change them.
            "registration_opens": _at(first_day - LEAD, "00:00"),
            "registration_closes": _at(first_day - datetime.timedelta(days=1), "18:00"),
            "capacity": UPCOMING_CAPACITY,
            "reference_prefix": "DEMO",
        },
    )
    _programme(shared, upcoming, session_capacity=UPCOMING_SESSION_CAPACITY)
    # Venues, organisations and speakers are shared: any event may show what changed.
    page_cache.events_changed(Event.objects.values_list("slug", flat=True))
    return past, upcoming


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, str]]:
    """Log-ins for trying the back office locally; their passwords are public."""
    user_model = get_user_model()
    for email, password, superuser, group in content.DEMO_ACCOUNTS:
        user = user_model.objects.filter(email=email).first() or user_model(email=email)
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        # Known addresses: allauth would otherwise ask them to verify before signing in.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return [(email, password) for email, password, _superuser, _group in content.DEMO_ACCOUNTS]
