"""Synthetic events of any size, in Bulgarian and English, for benchmarks and for trying the
admin at scale (`manage.py generate_event`).

Everything is written with `bulk_create`, so 50,000 registrations take seconds, not hours; the
rows still obey the rules the services keep:

- every translated text (event, venue, rooms, tracks, organisations, speakers' names and
  biographies, sessions' titles and descriptions, delegations, news) is there in both
  languages;
- the agenda holds: sessions lie within the event's days, a room holds one session at a time,
  and no speaker is in two sessions at once;
- seats: confirmed registrations never exceed the capacity, and people wait only when no seat
  is free; the waiting list is first come, first served (everyone waiting registered after
  everyone holding a seat, and `queued_at` follows that order); cancelled registrations hold
  nothing;
- session sign-ups: only sessions with a sign-up capacity take them; a session's confirmed
  sign-ups never exceed its seats and belong to registrations holding an event seat, the rest
  wait in order; delegations' active members stay within their quota;
- references are unique, carry the event's prefix and are not sequential.

Given the same arguments and seed, the same event comes out, except what must stay secret:
calendar addresses, invitation codes and, unless one is given, the password.
"""

import dataclasses
import datetime
import random
import re
import secrets
import zoneinfo
from collections.abc import Sequence

import phonenumbers
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.utils import timezone

from events.models import (
    Announcement,
    Event,
    Organisation,
    PublicationStatus,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from registrations import queries as registration_queries
from registrations.models import (
    Delegation,
    PrivacyNotice,
    Registration,
    SessionSignup,
)
from registrations.services import REFERENCE_ALPHABET

from .words import (
    ACCESS_NEEDS,
    BG_FAMILY,
    BG_GIVEN_FEMALE,
    BG_GIVEN_MALE,
    BODIES,
    COUNTRIES,
    DIETS,
    FOREIGN_FAMILY,
    FOREIGN_GIVEN,
    HONORIFICS,
    INTERNATIONAL,
    POSITIONS,
    ROOMS,
    SENTENCES,
    SOCIAL_SLOTS,
    TALK_SLOTS,
    TITLES,
    TOPICS,
    TRACK_COLOURS,
    TRACKS,
    VISA_COUNTRIES,
)

TIME_ZONE = "Europe/Sofia"
BATCH = 2000
# The sentence that marks an event as made here: `--replace` deletes only such events.
MARK_BG = "Синтетично събитие, създадено с generate_event за изпитания под натоварване."
MARK_EN = "A synthetic event made by generate_event for load tests."


class GeneratorError(ValueError):
    """The sizes asked for cannot make a valid event, or the slug is taken."""


@dataclasses.dataclass(frozen=True)
class Size:
    """How much to generate. `capacity` and `waiting` may each be left to the other:
    without both, the event is exactly full (nobody waits unless asked to)."""

    sessions: int = 60
    days: int = 2
    speakers: int = 150
    delegations: int = 20
    registrations: int = 500
    waiting: int | None = None
    capacity: int | None = None
    cancelled: int | None = None
    tracks: int | None = None

    def seats(self) -> tuple[int, int, int, int]:
        """(capacity, seat holders, waiting, cancelled), consistent with the rules."""
        for name in ("sessions", "days", "speakers", "delegations", "registrations"):
            if getattr(self, name) < 0:
                raise GeneratorError(f"--{name} cannot be negative.")
        if self.days < 1:
            raise GeneratorError("An event lasts at least one day (--days 1).")
        total = self.registrations
        cancelled = total // 50 if self.cancelled is None else self.cancelled
        waiting, capacity = self.waiting, self.capacity
        if cancelled < 0 or (waiting or 0) < 0 or (capacity is not None and capacity < 0):
            raise GeneratorError("Counts cannot be negative.")
        if waiting is not None and cancelled > total - waiting:
            cancelled = max(total - waiting, 0) // 50
        active = total - cancelled
        if waiting is None:
            holders = active if capacity is None else min(capacity, active)
            waiting = active - holders
        else:
            if waiting > active:
                raise GeneratorError(
                    f"{waiting} cannot wait among {total} registrations ({cancelled} cancelled)."
                )
            holders = active - waiting
            if capacity is not None and capacity < holders:
                raise GeneratorError(
                    f"{holders} registrations would hold {capacity} seats: raise --capacity, "
                    "--waiting or lower --registrations."
                )
            if capacity is not None and waiting and capacity > holders:
                raise GeneratorError(
                    f"{waiting} would wait while {capacity - holders} seats are free: with "
                    f"--waiting {waiting}, --capacity must be {holders} (or left out)."
                )
        if capacity is None:
            capacity = holders
        return capacity, holders, waiting, cancelled


@dataclasses.dataclass
class Generated:
    event: Event
    counts: dict[str, int]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _prefix_for(slug: str) -> str:
    prefix = "".join(c for c in slug.upper() if c.isascii() and c.isalnum())[:8]
    return prefix or "GEN"


class _Words:
    """Bilingual text drawn from the lists above with the generator's random source."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def topic(self) -> tuple[str, str]:
        return self.rng.choice(TOPICS)

    def country(self) -> tuple[str, str, str]:
        # A fifth of the people come from the host country.
        if self.rng.random() < 0.2:
            return COUNTRIES[2]
        return self.rng.choice(COUNTRIES)

    def person(self, country: str) -> dict[str, str]:
        """A name in both scripts: Bulgarians write Cyrillic, everyone else Latin."""
        gender = self.rng.choice("mf")
        if country == "BG":
            given_bg, given_en = self.rng.choice(
                BG_GIVEN_MALE if gender == "m" else BG_GIVEN_FEMALE
            )
            male, female, male_en, female_en = self.rng.choice(BG_FAMILY)
            family_bg, family_en = (male, male_en) if gender == "m" else (female, female_en)
        else:
            given_bg, given_en, gender = self.rng.choice(FOREIGN_GIVEN)
            family_bg, family_en = self.rng.choice(FOREIGN_FAMILY)
        honorific_bg, honorific_en = self.rng.choice(HONORIFICS[gender])
        return {
            "gender": gender,
            "given_bg": given_bg,
            "given_en": given_en,
            "family_bg": family_bg,
            "family_en": family_en,
            "honorific_bg": honorific_bg,
            "honorific_en": honorific_en,
        }

    def title(self, kind: str) -> tuple[str, str]:
        template_bg, template_en = self.rng.choice(TITLES[kind])
        (t_bg, t_en), (_code, c_bg, c_en) = self.topic(), self.rng.choice(COUNTRIES)
        return (
            template_bg.format(t=t_bg, T=_capitalised(t_bg), c=c_bg),
            template_en.format(t=t_en, T=_capitalised(t_en), c=c_en),
        )

    def description(self) -> tuple[str, str]:
        (t_bg, t_en), (t2_bg, t2_en) = self.topic(), self.topic()
        _code, c_bg, c_en = self.rng.choice(COUNTRIES)
        chosen = [SENTENCES[0], *self.rng.sample(SENTENCES[1:], 2)]
        values_bg = {"t": t_bg, "t2": t2_bg, "c": c_bg}
        values_en = {"t": t_en, "t2": t2_en, "c": c_en}
        return (
            " ".join(bg.format(**values_bg) for bg, _en in chosen),
            " ".join(en.format(**values_en) for _bg, en in chosen),
        )


def _phone_pool(rng: random.Random) -> dict[str, list[str]]:
    """A few valid mobile numbers per country (varied from libphonenumber's examples)."""
    pool = {}
    for code, _bg, _en in COUNTRIES:
        example = phonenumbers.example_number_for_type(code, phonenumbers.PhoneNumberType.MOBILE)
        base = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        numbers = []
        for _ in range(12):
            candidate = base[:-3] + f"{rng.randrange(1000):03d}"
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
                numbers.append(candidate)
        pool[code] = numbers or [base]
    return pool


# --- the generator --------------------------------------------------------------------------


def _references(rng: random.Random, prefix: str, count: int) -> list[str]:
    taken = set(
        Registration.objects.filter(reference__startswith=f"{prefix}-").values_list(
            "reference", flat=True
        )
    )
    references = []
    while len(references) < count:
        reference = f"{prefix}-{''.join(rng.choices(REFERENCE_ALPHABET, k=5))}"
        if reference not in taken:
            taken.add(reference)
            references.append(reference)
    return references


def _privacy_notice(event: Event, now: datetime.datetime) -> PrivacyNotice:
    """The notice the services would have the event's delegates accept, or, before the site
    has any, one made for the site."""
    notice = registration_queries.privacy_notice_for(event=event, now=now)
    if notice is None:
        notice = PrivacyNotice.objects.create(
            version=f"generated-{now:%Y%m%d%H%M%S}",
            text_bg="Личните данни се обработват само за организацията на събитието.",
            text_en="Personal data are processed only to organise the event.",
            effective_from=now - datetime.timedelta(days=365),
        )
    return notice


def is_generated(event: Event) -> bool:
    return MARK_EN in (event.description_en or "")


def event_delete(*, event: Event) -> None:
    """Deletes a generated event with everything made for it: registrations, their accounts,
    speakers, organisations and the venue, where nothing else uses them."""
    if not is_generated(event):
        raise GeneratorError(
            f"The event “{event.slug}” was not made by generate_event: delete it in the admin."
        )
    # Its speakers: those speaking at it, and those made for it but given no session.
    speaker_ids = set(
        SessionSpeaker.objects.filter(session__event=event).values_list("speaker_id", flat=True)
    ) | set(
        Speaker.objects.filter(slug__regex=rf"^{re.escape(event.slug)}-[0-9]{{5}}$").values_list(
            "pk", flat=True
        )
    )
    organisation_ids = set(event.organisers.values_list("pk", flat=True))
    organisation_ids |= set(
        Speaker.objects.filter(pk__in=speaker_ids).values_list("organisation_id", flat=True)
    )
    organisation_ids |= set(event.delegations.values_list("organisation_id", flat=True))
    venue = event.venue
    user_ids = set(event.registrations.values_list("user_id", flat=True))
    SessionSignup.objects.filter(registration__event=event).delete()
    event.registrations.all().delete()
    event.delegations.all().delete()
    event.delete()
    Speaker.objects.filter(pk__in=speaker_ids, appearances__isnull=True).delete()
    get_user_model().objects.filter(
        pk__in=user_ids,
        email__iendswith=f"@{event.slug.lower()}.example.org",
        registrations__isnull=True,
    ).delete()
    Organisation.objects.filter(
        pk__in=organisation_ids - {None},
        speakers__isnull=True,
        delegations__isnull=True,
        organised_events__isnull=True,
    ).delete()
    if venue is not None and not venue.events.exists():
        venue.delete()


@transaction.atomic
def generate_event(
    *,
    slug: str,
    size: Size,
    seed: int = 0,
    start: datetime.date | None = None,
    replace: bool = False,
    password_hash: str | None = None,
    users: Sequence | None = None,
    title: tuple[str, str] | None = None,
) -> Generated:
    """Generates (or, with `replace`, generates again) the event `slug` at `size`.

    `users`: existing accounts to register, in order (e.g. the same delegates for several
    events); otherwise one account per registration is made, all with the password whose hash
    is `password_hash` (by default a random one: nobody can sign in as them).
    """
    capacity, holders, waiting, cancelled = size.seats()
    if users is not None and len(users) < size.registrations:
        raise GeneratorError(f"{size.registrations} registrations need as many accounts.")
    existing = Event.objects.filter(slug=slug).first()
    if existing is not None:
        if not replace:
            raise GeneratorError(
                f"An event “{slug}” exists already: use --replace to generate it again."
            )
        event_delete(event=existing)

    # Reproducible fake data, not secrets (those come from `secrets`).
    rng = random.Random(seed)  # noqa: S311
    words = _Words(rng)
    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    now = timezone.now()
    start = start or (timezone.localdate(timezone=tz) + datetime.timedelta(days=60))
    end = start + datetime.timedelta(days=size.days - 1)
    counts: dict[str, int] = {}

    organisations = _organisations(rng, size)
    venue = Venue.objects.create(
        name_bg="Национален дворец на културата",
        name_en="National Palace of Culture",
        address_bg="бул. „България“ 1",
        address_en="1 Bulgaria Blvd",
        city_bg="София",
        city_en="Sofia",
        country="BG",
    )
    event = _event(
        slug=slug, venue=venue, start=start, end=end, capacity=capacity, title=title, tz=tz
    )
    event.organisers.set(organisations[:2])
    tracks = _tracks(event, size)
    speakers = _speakers(rng, words, slug, size.speakers, organisations)
    sessions, appearances = _agenda(rng, words, event, venue, tracks, speakers, size, tz)
    _news(event, tz)
    counts.update(
        sessions=len(sessions),
        speakers=len(speakers),
        appearances=len(appearances),
        tracks=len(tracks),
        rooms=venue.rooms.count(),
    )

    accounts = list(users[: size.registrations]) if users is not None else None
    if accounts is None:
        accounts = _accounts(slug, size.registrations, password_hash)
    delegations = _delegations(rng, event, size.delegations, organisations)
    # Only the organisations something refers to stay: `--replace` finds them that way.
    Organisation.objects.filter(
        pk__in=[o.pk for o in organisations],
        speakers__isnull=True,
        delegations__isnull=True,
        organised_events__isnull=True,
    ).delete()
    registrations = _registrations(
        rng,
        event=event,
        accounts=accounts,
        delegations=delegations,
        holders=holders,
        waiting=waiting,
        cancelled=cancelled,
        notice=_privacy_notice(event, now),
        now=now,
    )
    _delegations_settle(rng, delegations, registrations)
    signups = _signups(rng, [s for s in sessions if s.capacity], registrations)
    counts.update(
        registrations=len(registrations),
        confirmed=holders,
        waiting=waiting,
        cancelled=cancelled,
        capacity=capacity,
        delegations=len(delegations),
        signups=len(signups),
        accounts=len(accounts) if users is None else 0,
    )
    return Generated(event=event, counts=counts)


def _organisations(rng: random.Random, size: Size) -> list[Organisation]:
    """The international organisations, then national bodies, enough for the speakers."""
    wanted = max(8, min(60, size.speakers // 10 + 2))
    organisations = [
        Organisation(
            name_bg=bg,
            name_en=en,
            acronym_bg=acr_bg,
            acronym_en=acr_en,
            kind=kind,
            country="",
        )
        for bg, en, acr_bg, acr_en, kind in INTERNATIONAL
    ]
    combos = [(body, country) for country in COUNTRIES for body in BODIES]
    for (body_bg, body_en, kind), (code, c_bg, c_en) in rng.sample(combos, wanted):
        organisations.append(
            Organisation(
                name_bg=f"{body_bg} – {c_bg}",
                name_en=f"{body_en} – {c_en}",
                acronym_bg="",
                acronym_en="",
                kind=kind,
                country=code,
            )
        )
    return Organisation.objects.bulk_create(organisations)


def _event(*, slug, venue, start, end, capacity, title, tz) -> Event:
    title_bg, title_en = title or (
        f"Генерирана конференция {slug}",
        f"Generated conference {slug}",
    )
    opens = datetime.datetime.combine(start - datetime.timedelta(days=90), datetime.time(9), tz)
    closes = datetime.datetime.combine(start - datetime.timedelta(days=1), datetime.time(18), tz)
    event = Event(
        slug=slug,
        title_bg=title_bg,
        title_en=title_en,
        theme_bg="Пътищата на миграцията в Европа",
        theme_en="Migration routes in Europe",
        description_bg=(
            "Годишна среща на националните администрации, международните организации и "
            f"изследователите в областта на миграцията и убежището.\n\n{MARK_BG}"
        ),
        description_en=(
            "The annual meeting of national administrations, international organisations and "
            f"researchers working on migration and asylum.\n\n{MARK_EN}"
        ),
        aims_bg="Да сподели опит и да набележи общи решения.",
        aims_en="To share experience and identify common solutions.",
        topics_bg="\n".join(bg for bg, _en in TOPICS[:6]),
        topics_en="\n".join(en for _bg, en in TOPICS[:6]),
        start_date=start,
        end_date=end,
        time_zone=TIME_ZONE,
        venue=venue,
        status=PublicationStatus.PUBLISHED,
        registration_opens=opens,
        registration_closes=closes,
        capacity=capacity,
        requires_approval=False,
        contact_email="conference@example.org",
        reference_prefix=_prefix_for(slug),
    )
    event.full_clean()
    event.save()
    return event


def _tracks(event: Event, size: Size) -> list[Track]:
    count = size.tracks if size.tracks is not None else min(8, max(2, size.sessions // 40))
    tracks = []
    for n in range(count):
        if n < len(TRACKS):
            name_bg, name_en, colour = TRACKS[n]
        else:
            name_bg, name_en = f"Направление {n + 1}", f"Track {n + 1}"
            colour = TRACK_COLOURS[n % len(TRACK_COLOURS)]
        tracks.append(Track(event=event, name_bg=name_bg, name_en=name_en, colour=colour, order=n))
    return Track.objects.bulk_create(tracks)


def _speakers(rng, words: _Words, slug: str, count: int, organisations) -> list[Speaker]:
    speakers = []
    for n in range(count):
        code, _c_bg, _c_en = words.country()
        person = words.person(code)
        organisation = rng.choice(organisations)
        position_bg, position_en = rng.choice(POSITIONS)
        (t_bg, t_en), (t2_bg, t2_en) = words.topic(), words.topic()
        years = rng.randrange(5, 30)
        speakers.append(
            Speaker(
                slug=f"{slug}-{n + 1:05d}"[:80],
                honorific_bg=person["honorific_bg"],
                honorific_en=person["honorific_en"],
                full_name_bg=f"{person['given_bg']} {person['family_bg']}",
                full_name_en=f"{person['given_en']} {person['family_en']}",
                position_bg=position_bg,
                position_en=position_en,
                organisation=organisation,
                bio_bg=(
                    f"{position_bg} в {organisation.name_bg}. Работи по въпросите на "
                    f"{t_bg} повече от {years} години и има публикации за {t2_bg}."
                ),
                bio_en=(
                    f"{position_en} at {organisation.name_en}. Has worked on {t_en} for more "
                    f"than {years} years and written on {t2_en}."
                ),
            )
        )
    return Speaker.objects.bulk_create(speakers, batch_size=BATCH)


def _rooms(venue: Venue, rooms: int, rng: random.Random) -> tuple[Room, list[Room]]:
    """The foyer (for the social sessions) and the halls for talks, the first the plenary."""
    foyer = Room(venue=venue, name_bg="Фоайе", name_en="Foyer", capacity=600)
    halls = [Room(venue=venue, name_bg="Пленарна зала", name_en="Plenary Hall", capacity=500)]
    for n in range(1, rooms):
        if n <= len(ROOMS):
            name_bg, name_en = ROOMS[n - 1]
        else:
            name_bg, name_en = f"Зала {n + 1}", f"Room {n + 1}"
        halls.append(
            Room(venue=venue, name_bg=name_bg, name_en=name_en, capacity=rng.randrange(40, 160))
        )
    created = Room.objects.bulk_create([foyer, *halls])
    return created[0], created[1:]


def _agenda(rng, words, event, venue, tracks, speakers, size, tz):
    """Sessions day by day, slot by slot, hall by hall, and who speaks at each."""

    def at(day: datetime.date, hhmm: str) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm), tz)

    per_day = [
        size.sessions // size.days + (1 if d < size.sessions % size.days else 0)
        for d in range(size.days)
    ]
    socials_per_day = [min(len(SOCIAL_SLOTS) if d == 0 else 3, n) for d, n in enumerate(per_day)]
    talks_per_day = [n - s for n, s in zip(per_day, socials_per_day, strict=True)]
    halls_needed = max(1, -(-max(talks_per_day, default=0) // len(TALK_SLOTS)))
    foyer, halls = _rooms(venue, halls_needed, rng)

    plan = []  # (start, end, room, kind)
    for d in range(size.days):
        day = event.start_date + datetime.timedelta(days=d)
        socials = [s for s in SOCIAL_SLOTS if d == 0 or s[2] != Session.Kind.REGISTRATION]
        for begin, finish, kind in socials[: socials_per_day[d]]:
            plan.append((at(day, begin), at(day, finish), foyer, kind))
        talks = talks_per_day[d]
        if not talks:
            continue
        per_slot = -(-talks // len(TALK_SLOTS))
        for begin, finish in TALK_SLOTS:
            in_slot = min(per_slot, talks)
            talks -= in_slot
            for hall in halls[:in_slot]:
                plan.append((at(day, begin), at(day, finish), hall, None))
            if not talks:
                break
    plan.sort(key=lambda p: (p[0], p[2].pk))
    last_talk = max((i for i, p in enumerate(plan) if p[3] is None), default=None)
    first_talk = min((i for i, p in enumerate(plan) if p[3] is None), default=None)

    sessions = []
    for index, (begin, finish, room, kind) in enumerate(plan):
        if kind is None:
            if index == first_talk:
                kind = Session.Kind.OPENING
            elif index == last_talk and sum(talks_per_day) > 2:
                kind = Session.Kind.CLOSING
            elif begin.astimezone(tz).time() == datetime.time(9) and room == halls[0]:
                kind = Session.Kind.KEYNOTE
            else:
                kind = rng.choices(
                    [Session.Kind.PANEL, Session.Kind.PRESENTATION, Session.Kind.WORKSHOP],
                    weights=[45, 35, 20],
                )[0]
        title_bg, title_en = words.title(kind)
        is_social = kind in Session.SOCIAL_KINDS
        description_bg, description_en = ("", "") if is_social else words.description()
        track = None
        if not is_social and tracks and room != halls[0]:
            track = tracks[halls.index(room) % len(tracks)]
        capacity = None
        if kind == Session.Kind.WORKSHOP:
            capacity = min(room.capacity or 60, rng.randrange(20, 61))
        sessions.append(
            Session(
                event=event,
                title_bg=title_bg,
                title_en=title_en,
                description_bg=description_bg,
                description_en=description_en,
                kind=kind,
                start=begin,
                end=finish,
                room=room,
                track=track,
                capacity=capacity,
                floor_language="" if is_social else "en",
            )
        )
    sessions = Session.objects.bulk_create(sessions, batch_size=BATCH)
    return sessions, _appearances(rng, sessions, speakers)


SPEAKERS_BY_KIND = {
    # kind: (roles, how many at least, at most)
    Session.Kind.OPENING: (SessionSpeaker.Role.WELCOME, 2, 3),
    Session.Kind.KEYNOTE: (SessionSpeaker.Role.KEYNOTE, 1, 1),
    Session.Kind.PANEL: (SessionSpeaker.Role.PANELLIST, 3, 5),
    Session.Kind.PRESENTATION: (SessionSpeaker.Role.SPEAKER, 1, 2),
    Session.Kind.WORKSHOP: (SessionSpeaker.Role.SPEAKER, 1, 2),
    Session.Kind.CLOSING: (SessionSpeaker.Role.SPEAKER, 1, 2),
}


def _appearances(rng, sessions: list[Session], speakers: list[Speaker]) -> list[SessionSpeaker]:
    """Speakers taken in turn from a shuffled list, never two sessions at once for anyone,
    with extra panellists until every speaker speaks somewhere (as far as the slots allow)."""
    if not speakers:
        return []
    talks = [s for s in sessions if s.kind in SPEAKERS_BY_KIND]
    order = list(speakers)
    rng.shuffle(order)
    wanted = {s.pk: rng.randint(*SPEAKERS_BY_KIND[s.kind][1:]) for s in talks}
    shortfall = len(order) - sum(wanted.values())
    panels = [s for s in talks if s.kind in (Session.Kind.PANEL, Session.Kind.PRESENTATION)]
    while shortfall > 0 and panels:
        for session in panels:
            if shortfall <= 0:
                break
            if wanted[session.pk] < 8:
                wanted[session.pk] += 1
                shortfall -= 1
        if all(wanted[s.pk] >= 8 for s in panels):
            break
    busy: dict[datetime.datetime, set[int]] = {}
    cursor = 0
    appearances = []
    for session in talks:
        taken = busy.setdefault(session.start, set())
        role, _low, _high = SPEAKERS_BY_KIND[session.kind]
        chosen = []
        tries = 0
        while len(chosen) < wanted[session.pk] and tries < len(order):
            speaker = order[cursor % len(order)]
            cursor += 1
            tries += 1
            if speaker.pk in taken:
                continue
            taken.add(speaker.pk)
            chosen.append(speaker)
        for position, speaker in enumerate(chosen):
            this_role = role
            if session.kind == Session.Kind.PANEL and position == 0:
                this_role = rng.choice([SessionSpeaker.Role.CHAIR, SessionSpeaker.Role.MODERATOR])
            appearances.append(
                SessionSpeaker(session=session, speaker=speaker, role=this_role, order=position)
            )
    return SessionSpeaker.objects.bulk_create(appearances, batch_size=BATCH)


def _news(event: Event, tz) -> None:
    published = datetime.datetime.combine(
        event.start_date - datetime.timedelta(days=30), datetime.time(10), tz
    )
    Announcement.objects.bulk_create(
        [
            Announcement(
                event=event,
                slug="programme-published",
                title_bg="Програмата е публикувана",
                title_en="The programme is published",
                body_bg="Пълната програма на конференцията вече е на разположение.",
                body_en="The full programme of the conference is now available.",
                published_at=published,
                status=PublicationStatus.PUBLISHED,
            ),
            Announcement(
                event=event,
                slug="registration-open",
                title_bg="Регистрацията е открита",
                title_en="Registration is open",
                body_bg="Делегатите могат да се регистрират до деня преди откриването.",
                body_en="Delegates may register until the day before the opening.",
                published_at=published - datetime.timedelta(days=30),
                status=PublicationStatus.PUBLISHED,
            ),
        ]
    )


def _accounts(slug: str, count: int, password_hash: str | None) -> list:
    """One account per registration, verified, all sharing one password hash (hashing once:
    the production hasher takes a third of a second for each)."""
    password_hash = password_hash or make_password(secrets.token_urlsafe(24))
    user_model = get_user_model()
    domain = f"{slug.lower()}.example.org"
    users = user_model.objects.bulk_create(
        (
            user_model(email=f"delegate{n + 1:06d}@{domain}", password=password_hash)
            for n in range(count)
        ),
        batch_size=BATCH,
    )
    EmailAddress.objects.bulk_create(
        (EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users),
        batch_size=BATCH,
    )
    return users


def _delegations(rng, event: Event, count: int, organisations) -> list[Delegation]:
    combos = [(body, country) for country in COUNTRIES for body in BODIES]
    rng.shuffle(combos)
    national = {o.name_en: o for o in organisations if o.country}
    delegations = []
    for n in range(count):
        (body_bg, body_en, _kind), (code, c_bg, c_en) = combos[n % len(combos)]
        suffix = f" ({n // len(combos) + 1})" if n >= len(combos) else ""
        name_en = f"{body_en} – {c_en}"
        delegations.append(
            Delegation(
                event=event,
                name_bg=f"{body_bg} – {c_bg}{suffix}",
                name_en=f"{name_en}{suffix}",
                organisation=national.get(name_en),
                country=code,
            )
        )
    return Delegation.objects.bulk_create(delegations, batch_size=BATCH)


def _registrations(
    rng, *, event, accounts, delegations, holders, waiting, cancelled, notice, now
) -> list[Registration]:
    """Registrations in the order they came: seat holders and those who cancelled first, then
    everyone waiting; `created_at` (and `queued_at`) follow that order."""
    total = holders + waiting + cancelled
    words = _Words(rng)
    phones = _phone_pool(rng)
    references = _references(rng, event.reference_prefix, total)
    statuses = [Registration.Status.CONFIRMED] * holders + [Registration.Status.CANCELLED] * (
        cancelled
    )
    rng.shuffle(statuses)
    statuses += [Registration.Status.WAITLISTED] * waiting
    registrations = []
    for n in range(total):
        delegation = rng.choice(delegations) if delegations and rng.random() < 0.5 else None
        if delegation is not None:
            code = delegation.country
            _c, c_bg, c_en = next(c for c in COUNTRIES if c[0] == code)
        else:
            code, c_bg, c_en = words.country()
        person = words.person(code)
        language = "bg" if (code == "BG") == (rng.random() < 0.9) else "en"
        bulgarian = code == "BG"
        position_bg, position_en = rng.choice(POSITIONS)
        if delegation is not None:
            organisation = delegation.name_bg if language == "bg" else delegation.name_en
        else:
            body_bg, body_en, _kind = rng.choice(BODIES)
            organisation = f"{body_bg}, {c_bg}" if language == "bg" else f"{body_en}, {c_en}"
        diet = rng.choice(DIETS) if rng.random() < 0.15 else None
        needs = rng.choice(ACCESS_NEEDS) if rng.random() < 0.03 else None
        pick = 0 if language == "bg" else 1
        registrations.append(
            Registration(
                event=event,
                user=accounts[n],
                reference=references[n],
                status=statuses[n],
                role=rng.choices(
                    [
                        Registration.Role.DELEGATE,
                        Registration.Role.SPEAKER,
                        Registration.Role.ORGANISER,
                        Registration.Role.PRESS,
                    ],
                    weights=[90, 5, 3, 2],
                )[0],
                honorific=person["honorific_bg"] if language == "bg" else person["honorific_en"],
                given_name=person["given_bg"] if bulgarian else person["given_en"],
                family_name=person["family_bg"] if bulgarian else person["family_en"],
                given_name_latin=person["given_en"] if bulgarian else "",
                family_name_latin=person["family_en"] if bulgarian else "",
                position=position_bg if language == "bg" else position_en,
                organisation=organisation[:200],
                delegation=delegation,
                country=code,
                phone=rng.choice(phones[code]) if rng.random() < 0.7 else "",
                language=language,
                dietary_requirements=diet[pick] if diet else "",
                accessibility_needs=needs[pick] if needs else "",
                interpretation_language=(
                    ("en" if language == "bg" else "bg") if rng.random() < 0.2 else ""
                ),
                needs_visa_letter=rng.random() < (0.6 if code in VISA_COUNTRIES else 0.02),
                privacy_notice=notice,
                privacy_accepted_at=now,
                photo_consent=rng.random() < 0.7,
                listing_consent=rng.random() < 0.5,
            )
        )
    registrations = Registration.objects.bulk_create(registrations, batch_size=BATCH)
    if registrations:
        _spread_in_time(event, registrations, now)
    return registrations


def _spread_in_time(event: Event, registrations: list[Registration], now) -> None:
    """`created_at` from the opening of registration until now (or its close), one step per
    registration in the order they were inserted; `queued_at` of those waiting the same.

    One UPDATE for them all: `created_at` is set on insert (auto_now_add), so bulk_create
    cannot be given it, and bulk_update of 50,000 rows takes half a minute."""
    until = min(now, event.registration_closes)
    since = event.registration_opens if event.registration_opens < until else until
    since = min(since, until - datetime.timedelta(days=1))
    first = registrations[0].pk
    span = max(registrations[-1].pk - first, 1)
    step = (until - since) / span
    if connection.vendor == "postgresql":
        offset = (F("pk") - first) * Value(step)
    else:
        # SQLite keeps durations as integer microseconds, and has no product of one.
        offset = ExpressionWrapper(
            (F("pk") - first) * (step // datetime.timedelta(microseconds=1)),
            output_field=DurationField(),
        )
    when = ExpressionWrapper(Value(since) + offset, output_field=DateTimeField())
    ids = Q(event=event, pk__gte=first, pk__lte=registrations[-1].pk)
    Registration.objects.filter(ids).update(created_at=when, updated_at=when)
    Registration.objects.filter(ids, status=Registration.Status.WAITLISTED).update(
        queued_at=F("created_at")
    )
    times = dict(Registration.objects.filter(ids).values_list("pk", "created_at"))
    for registration in registrations:
        registration.created_at = times[registration.pk]
        if registration.status == Registration.Status.WAITLISTED:
            registration.queued_at = registration.created_at


def _delegations_settle(rng, delegations: list[Delegation], registrations) -> None:
    """Quotas that hold the active members (some without a limit); the first member heads."""
    active: dict[int, int] = {}
    first_member: dict[int, object] = {}
    for registration in registrations:
        if registration.delegation_id is None:
            continue
        first_member.setdefault(registration.delegation_id, registration.user_id)
        if registration.is_active:
            active[registration.delegation_id] = active.get(registration.delegation_id, 0) + 1
    for delegation in delegations:
        members = active.get(delegation.pk, 0)
        delegation.quota = None if rng.random() < 0.3 else members + rng.choice([0, 0, 1, 2, 5])
        delegation.head_id = first_member.get(delegation.pk)
    Delegation.objects.bulk_update(delegations, ["quota", "head"], batch_size=BATCH)


def _signups(rng, signup_sessions: list[Session], registrations) -> list[SessionSignup]:
    """Sign-ups for sessions with seats, in the order people registered: seat holders are
    seated while seats last, then wait; those waiting for the event wait for the session too."""
    if not signup_sessions:
        return []
    seated = {session.pk: 0 for session in signup_sessions}
    signups = []
    second = datetime.timedelta(seconds=1)
    for registration in registrations:
        if not registration.is_active or rng.random() >= 0.35:
            continue
        for session in rng.sample(signup_sessions, min(len(signup_sessions), rng.randint(1, 2))):
            if registration.holds_seat and seated[session.pk] < session.capacity:
                seated[session.pk] += 1
                status, queued_at = SessionSignup.Status.CONFIRMED, None
            else:
                status = SessionSignup.Status.WAITLISTED
                queued_at = registration.created_at + second
            signups.append(
                SessionSignup(
                    registration=registration, session=session, status=status, queued_at=queued_at
                )
            )
    return SessionSignup.objects.bulk_create(signups, batch_size=BATCH)
