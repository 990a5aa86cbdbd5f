"""Schedule feeds for calendar and conference apps, all built from the same sessions.

- iCalendar (RFC 5545), written with the icalendar library: the whole schedule, one session
  or any list of sessions (a delegate's own), in the event's time zone with its VTIMEZONE.
- The frab/pentabarf "schedule.xml" and "schedule.json" (https://c3voc.de/wiki/schedule),
  read by Giggity, EventFahrplan and ConfClerk. Both are written from one dictionary, the
  JSON document, so that they always say the same thing.

Texts are in the active language, the one of the URL. A session's `language` is its floor
language (the one spoken in the room), and its published materials are its `attachments`
(uploaded files) and `links`. The sessions passed in must come with their room, track,
appearances (speaker and organisation), interpretations and public materials loaded, as
`queries.session_list_for_agenda` does, and the event with its venue: no builder here
touches the database.
"""

import datetime
import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import queries
from .ical import PRODID, event_location
from .models import Event, Session, SessionMaterial, SessionSpeaker, Speaker

ICALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
XML_CONTENT_TYPE = "application/xml"
JSON_CONTENT_TYPE = "application/json"

GENERATOR = "EMN Conference"
JSON_SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
# The guids of sessions, rooms and speakers derive from this: never change it.
GUID_NAMESPACE = uuid.UUID("4180e955-bdc2-4bac-884e-92e835553ee0")
# The grid the apps lay the schedule out on.
TIMESLOT_DURATION = "00:05"
# The JSON schema's own pattern for time_zone_name (searched, as JSON Schema does).
_JSON_TIME_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
_SLUG_WORDS_MAX = 60


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


class _Lookups:
    """What every entry of a feed looks up, made once per feed rather than per session:
    absolute addresses joined from a path reversed once, and the labels of the choices."""

    def __init__(self, *, event: Event, request) -> None:
        origin = _absolute(request, "/")[:-1]
        session_path = queries.url_maker("events:session", slug=event.slug, field="pk", sample=1)
        speaker_path = queries.url_maker(
            "events:speaker", slug=event.slug, field="speaker_slug", sample="speaker-slug"
        )
        self.session_url = lambda session: origin + session_path(session.pk)
        self.speaker_url = lambda speaker: origin + speaker_path(speaker.slug)
        self.origin = origin
        self.kinds = queries.choice_labels(Session.Kind.choices)
        self.roles = queries.choice_labels(SessionSpeaker.Role.choices)
        self.languages = queries.choice_labels(settings.LANGUAGES)


def _calendar_time_range(
    *, event: Event, sessions: list[Session], tz: zoneinfo.ZoneInfo
) -> tuple[datetime.date, datetime.date]:
    """From the first of January before anything to the first of January after it, so that
    the VTIMEZONE carries that year's real daylight-saving rules."""
    dates = [event.start_date, event.end_date]
    for session in sessions:
        dates += [timezone.localdate(session.start, tz), timezone.localdate(session.end, tz)]
    return datetime.date(min(dates).year, 1, 1), datetime.date(max(dates).year + 1, 1, 1)


# iCalendar


def _speaker_text(speaker: Speaker) -> str:
    # As the session page shows them: the position often names the organisation already.
    return ", ".join(part for part in [str(speaker), speaker.position] if part)


def _languages_line(session: Session, languages: dict[str, str]) -> str:
    """The floor language and the interpretation offered, as one line of text."""
    if not session.floor_language:
        return ""
    line = _("Language: %(language)s.") % {
        "language": languages.get(session.floor_language, session.floor_language)
    }
    channels = [
        _("into %(language)s (channel %(channel)s)")
        % {"language": languages.get(i.language, i.language), "channel": i.channel}
        for i in session.interpretations.all()
    ]
    if channels:
        line += " " + _("Interpretation: %(channels)s.") % {"channels": ", ".join(channels)}
    return line


def _session_description(session: Session, url: str, lookups: _Lookups) -> str:
    parts = []
    if session.description.strip():
        parts.append(session.description.strip())
    if languages := _languages_line(session, lookups.languages):
        parts.append(languages)
    speakers = [
        f"{lookups.roles.get(appearance.role, appearance.role)}: "
        f"{_speaker_text(appearance.speaker)}"
        for appearance in session.appearances.all()
    ]
    if speakers:
        parts.append("\n".join(speakers))
    parts.append(url)
    return "\n\n".join(parts)


def _session_entry(
    *,
    event: Event,
    session: Session,
    tz: zoneinfo.ZoneInfo,
    stamp: datetime.datetime,
    lookups: _Lookups,
) -> icalendar.Event:
    url = lookups.session_url(session)
    entry = icalendar.Event()
    entry.add("uid", f"session-{session.pk}@emn-conference")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", timezone.localtime(session.start, tz))
    entry.add("dtend", timezone.localtime(session.end, tz))
    entry.add("summary", session.title)
    location = ", ".join(
        part for part in [session.room.name if session.room else "", event_location(event)] if part
    )
    if location:
        entry.add("location", location)
    entry.add("description", _session_description(session, url, lookups))
    entry.add("url", url)
    entry.add("categories", [lookups.kinds.get(session.kind, session.kind)])
    return entry


def sessions_calendar(*, event: Event, sessions: Iterable[Session], name: str, request) -> bytes:
    """The sessions of one event as an iCalendar feed named `name`, one VEVENT each.

    Times carry the event's time zone (TZID) and the calendar its VTIMEZONE, even with no
    sessions. Used for the whole schedule, one session and a delegate's own sessions.
    """
    sessions = list(sessions)
    tz = zoneinfo.ZoneInfo(event.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    first, last = _calendar_time_range(event=event, sessions=sessions, tz=tz)
    calendar.add_component(
        icalendar.Timezone.from_tzid(event.time_zone, first_date=first, last_date=last)
    )
    stamp = timezone.now()
    lookups = _Lookups(event=event, request=request)
    for session in sessions:
        calendar.add_component(
            _session_entry(event=event, session=session, tz=tz, stamp=stamp, lookups=lookups)
        )
    return calendar.to_ical()


# frab schedule.json and schedule.xml


def conference_acronym(event: Event) -> str:
    """The event's slug as both schemas accept an acronym: lower case, at least four
    characters, and hyphens made underscores (the JSON schema allows a hyphen only before a
    year and a word, so "emn-2018" becomes "emn_2018")."""
    return event.slug.lower().replace("-", "_").ljust(4, "_")


def _guid(kind: str, pk: int) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}-{pk}"))


def _session_slug(*, acronym: str, session: Session) -> str:
    """`<acronym>-<id>-<title words>`, as frab and pretalx write it; the same in every
    language (the words come from the title in the source language, else "session")."""
    with translation.override(settings.LANGUAGE_CODE):
        words = slugify(session.title)
    if len(words) > _SLUG_WORDS_MAX:
        words = words[: _SLUG_WORDS_MAX + 1].rsplit("-", 1)[0]
    words = words[:_SLUG_WORDS_MAX].strip("-_")
    # The XSD wants four characters after the acronym.
    if len(words) < 2:
        words = "session"
    return f"{acronym}-{session.pk}-{words}"


def _hours_minutes(delta: datetime.timedelta) -> str:
    # The schema allows two digits of hours; no real session lasts longer than that.
    minutes = min(int(delta.total_seconds()) // 60, 99 * 60 + 59)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _iso(moment: datetime.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return timezone.localtime(moment, tz).isoformat(timespec="seconds")


def _person(*, speaker: Speaker, lookups: _Lookups, request) -> dict:
    # A "PretalxPerson" of the JSON schema: it has a name, and no public_name.
    person = {
        "id": speaker.pk,
        "guid": _guid("speaker", speaker.pk),
        "name": speaker.full_name,
        "url": lookups.speaker_url(speaker),
        "biography": speaker.bio or None,
    }
    if speaker.photo:
        person["avatar"] = _absolute(request, speaker.photo.url)
    return person


# A material's kind -> the "type" of a frab link or attachment.
_FRAB_REFERENCE_TYPES = {
    SessionMaterial.Kind.SLIDES: "slides",
    SessionMaterial.Kind.PAPER: "paper",
    SessionMaterial.Kind.RECORDING: "media",
    SessionMaterial.Kind.OTHER: "related",
}


def _reference(material: SessionMaterial, lookups: _Lookups) -> dict:
    href = material.url or (lookups.origin + material.file.url)
    return {
        "type": _FRAB_REFERENCE_TYPES.get(material.kind, "related"),
        "url": href,
        "title": material.title,
    }


def _frab_event(
    *,
    session: Session,
    room_name: str,
    acronym: str,
    tz,
    lookups: _Lookups,
    request,
) -> dict:
    return {
        "guid": _guid("session", session.pk),
        "id": session.pk,
        "date": _iso(session.start, tz),
        "start": timezone.localtime(session.start, tz).strftime("%H:%M"),
        "end": _iso(session.end, tz),
        "duration": _hours_minutes(session.end - session.start),
        "room": room_name,
        "slug": _session_slug(acronym=acronym, session=session),
        "url": lookups.session_url(session),
        "title": session.title,
        "subtitle": None,
        "track": session.track.name if session.track else None,
        "type": session.kind,
        "language": session.floor_language or None,
        "abstract": session.description,
        "persons": [
            _person(speaker=appearance.speaker, lookups=lookups, request=request)
            for appearance in session.appearances.all()
        ],
        "links": [_reference(m, lookups) for m in session.public_materials if not m.file],
        "attachments": [_reference(m, lookups) for m in session.public_materials if m.file],
    }


def _day(
    *, index: int, day: datetime.date, sessions: list[Session], tz, rooms: list[dict], events
) -> dict:
    """One day: from its first session's start to its last session's end, or the whole day
    when nothing happens on it; each room with its sessions, in the conference's room order."""
    if sessions:
        day_start = _iso(min(s.start for s in sessions), tz)
        day_end = _iso(max(s.end for s in sessions), tz)
    else:
        midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        day_start = midnight.isoformat(timespec="seconds")
        day_end = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        ).isoformat(timespec="seconds")
    by_room: dict[str, list[dict]] = {}
    for room in rooms:
        room_events = [events[s.pk] for s in sessions if s.room_id == room["key"]]
        if room_events:
            # Two rooms of the same name share their list: the JSON keys rooms by name.
            by_room.setdefault(room["name"], []).extend(room_events)
    return {
        "index": index,
        "date": day.isoformat(),
        "day_start": day_start,
        "day_end": day_end,
        "rooms": by_room,
    }


def _rooms(*, event: Event, sessions: list[Session]) -> list[dict]:
    """The rooms used, by name; sessions without a room go to "Other", last."""
    rooms = {s.room.pk: s.room for s in sessions if s.room is not None}
    listed = [
        {"key": room.pk, "name": room.name, "guid": _guid("room", room.pk)}
        for room in sorted(rooms.values(), key=lambda room: (room.name, room.pk))
    ]
    if any(s.room is None for s in sessions):
        listed.append({"key": None, "name": _("Other"), "guid": _guid("no-room-event", event.pk)})
    return listed


def _tracks(sessions: list[Session]) -> list[dict]:
    tracks = {s.track.pk: s.track for s in sessions if s.track is not None}
    return [
        {"name": track.name, "color": track.colour.lower()}
        for track in sorted(tracks.values(), key=lambda track: (track.order, track.pk))
    ]


def schedule_data(*, event: Event, sessions: Iterable[Session], request) -> dict:
    """The schedule as the frab "schedule.json" document (a dictionary)."""
    sessions = list(sessions)
    tz = zoneinfo.ZoneInfo(event.time_zone)
    acronym = conference_acronym(event)
    rooms = _rooms(event=event, sessions=sessions)
    room_names = {room["key"]: room["name"] for room in rooms}
    lookups = _Lookups(event=event, request=request)
    events = {
        s.pk: _frab_event(
            session=s,
            room_name=room_names[s.room_id],
            acronym=acronym,
            tz=tz,
            lookups=lookups,
            request=request,
        )
        for s in sessions
    }
    sessions_by_day: dict[datetime.date, list[Session]] = {}
    for s in sessions:
        sessions_by_day.setdefault(timezone.localdate(s.start, tz), []).append(s)
    event_days = [
        event.start_date + datetime.timedelta(days=n)
        for n in range((event.end_date - event.start_date).days + 1)
    ]
    # Every day of the event, sessions or not; and no session left out if one lies outside.
    days = sorted(set(event_days) | set(sessions_by_day))
    conference = {
        "acronym": acronym,
        "title": event.title,
        "start": days[0].isoformat(),
        "end": days[-1].isoformat(),
        "daysCount": len(days),
        "timeslot_duration": TIMESLOT_DURATION,
        "url": _absolute(request, event.get_absolute_url()),
        "tracks": _tracks(sessions),
        "rooms": [{"name": room["name"], "guid": room["guid"]} for room in rooms],
        "days": [
            _day(
                index=index,
                day=day,
                sessions=sessions_by_day.get(day, []),
                tz=tz,
                rooms=rooms,
                events=events,
            )
            for index, day in enumerate(days, start=1)
        ],
    }
    if event.description:
        conference["description"] = event.description
    if _JSON_TIME_ZONE_NAME.search(event.time_zone):
        conference["time_zone_name"] = event.time_zone
    # Apps compare versions to tell that the schedule changed: a digest of its content.
    digest = hashlib.sha256(json.dumps(conference, sort_keys=True).encode()).hexdigest()
    return {
        "$schema": JSON_SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": digest[:12],
            "base_url": _absolute(request, "/"),
            "conference": conference,
        },
    }


def schedule_json(*, event: Event, sessions: Iterable[Session], request) -> bytes:
    data = schedule_data(event=event, sessions=sessions, request=request)
    # Compact: apps parse it, nobody reads it; indented, the large schedules were twice the size.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


# Characters XML 1.0 forbids; text pasted from word processors sometimes carries them.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value) -> str:
    return _XML_FORBIDDEN.sub("", "" if value is None else str(value))


def _text(parent: ET.Element, tag: str, text, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_safe(v) for k, v in attributes.items()})
    element.text = _xml_safe(text)
    return element


def _xml_event(parent: ET.Element, item: dict) -> None:
    element = ET.SubElement(parent, "event", id=str(item["id"]), guid=item["guid"])
    for tag in ["room", "title", "subtitle", "type", "date", "start", "duration", "abstract"]:
        _text(element, tag, item[tag])
    for tag in ["slug", "track"]:
        _text(element, tag, item[tag])
    persons = ET.SubElement(element, "persons")
    for person in item["persons"]:
        _text(persons, "person", person["name"], id=person["id"], guid=person["guid"])
    if item["language"]:
        _text(element, "language", item["language"])
    for tag in ["links", "attachments"]:
        references = ET.SubElement(element, tag)
        for reference in item[tag]:
            _text(
                references,
                tag[:-1],  # <link> in <links>, <attachment> in <attachments>
                reference["title"],
                href=reference["url"],
                type=reference["type"],
            )
    _text(element, "url", item["url"])


def schedule_xml(*, event: Event, sessions: Iterable[Session], request) -> bytes:
    """The schedule as the frab "schedule.xml" document, from the same data as the JSON."""
    data = schedule_data(event=event, sessions=sessions, request=request)
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    _text(
        root, "url", _absolute(request, reverse("events:schedule_xml", kwargs={"slug": event.slug}))
    )
    _text(root, "version", schedule["version"])
    element = ET.SubElement(root, "conference")
    for tag in ["acronym", "title", "start", "end"]:
        _text(element, tag, conference[tag])
    _text(element, "days", conference["daysCount"])
    _text(element, "timeslot_duration", conference["timeslot_duration"])
    _text(element, "base_url", schedule["base_url"])
    _text(element, "url", conference["url"])
    _text(element, "time_zone_name", event.time_zone)
    for track in conference["tracks"]:
        ET.SubElement(element, "track", name=_xml_safe(track["name"]), color=track["color"])
    room_guids: dict[str, str] = {}
    for room in conference["rooms"]:
        room_guids.setdefault(room["name"], room["guid"])
    for day in conference["days"]:
        day_element = ET.SubElement(
            root,
            "day",
            index=str(day["index"]),
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room_name, items in day["rooms"].items():
            room_element = ET.SubElement(
                day_element, "room", name=_xml_safe(room_name), guid=room_guids[room_name]
            )
            for item in items:
                _xml_event(room_element, item)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
