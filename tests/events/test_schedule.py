"""Schedule feeds: iCalendar, and the frab schedule.xml / schedule.json read by conference apps.

The frab documents are checked against the schemas in tests/fixtures/schemas. The JSON schema
is draft-06, whose format checker knows only email, ip and regex formats, so the formats the
schema uses (date, date-time, uri, uuid, color) are checked here.
"""

import datetime
import json
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import jsonschema
import pytest
import xmlschema
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from events import page_cache, schedule
from events.models import PublicationStatus, Session
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionInterpretationFactory,
    SessionMaterialFactory,
    SessionSpeakerFactory,
    TrackFactory,
    VenueFactory,
    sofia,
    stamenkov_speaker,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent.parent / "fixtures" / "schemas"
XSD = xmlschema.XMLSchema(str(SCHEMAS / "frab-schedule.xml.xsd"))
JSON_SCHEMA = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text(encoding="utf-8"))

FORMATS = jsonschema.FormatChecker()  # date, uuid, email… from the standard library


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    # RFC 3339: a date, "T", a time and an offset (Z or ±hh:mm).
    if not isinstance(value, str):
        return True
    pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
    return bool(re.fullmatch(pattern, value)) and bool(datetime.datetime.fromisoformat(value))


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in value


@FORMATS.checks("color")
def _is_color(value) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"#[0-9a-fA-F]{6}", value))


def _formats_in(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        return found.union(*(_formats_in(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_formats_in(value) for value in node))
    return set()


def validate_json(data: dict) -> None:
    validator_class = jsonschema.validators.validator_for(JSON_SCHEMA)
    assert validator_class is jsonschema.Draft6Validator
    validator_class(JSON_SCHEMA, format_checker=FORMATS).validate(data)


def url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def feed_urls(event, language: str) -> dict[str, str]:
    return {
        name: url(f"events:{name}", language, slug=event.slug)
        for name in ["schedule_ics", "schedule_xml", "schedule_json"]
    }


def get_json(client, event, language: str) -> dict:
    response = client.get(url("events:schedule_json", language, slug=event.slug))
    assert response.status_code == 200
    return json.loads(response.content)


def read_xml(content: bytes):
    """The document's root element, once it is valid against the frab XSD."""
    XSD.validate(content.decode())
    return xmlschema.XMLResource(content.decode()).root


def get_xml(client, event, language: str):
    response = client.get(url("events:schedule_xml", language, slug=event.slug))
    assert response.status_code == 200
    return read_xml(response.content)


def get_calendar(client, path: str) -> icalendar.Calendar:
    response = client.get(path)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def frab_events(data: dict) -> list[dict]:
    return [
        item
        for day in data["schedule"]["conference"]["days"]
        for items in day["rooms"].values()
        for item in items
    ]


@pytest.fixture
def programme():
    """Three days: on the first a panel in a room, with a track and a speaker, and a break
    with no room, track, speaker or description; nothing on the second and third days."""
    venue = VenueFactory(name_en="Congress centre", name_bg="Конгресен център")
    event = EventFactory(
        slug="migration-forum",
        title_en="Migration forum",
        title_bg="Форум за миграцията",
        venue=venue,
        end_date=datetime.date(2030, 5, 16),
    )
    room = RoomFactory(venue=venue, name_en="Plenary hall", name_bg="Пленарна зала")
    track = TrackFactory(event=event, name_en="Borders", name_bg="Граници", colour="#1D4F91")
    panel = SessionFactory(
        event=event,
        room=room,
        track=track,
        title_en="Smart borders",
        title_bg="Интелигентни граници",
        description_en="How borders learn.",
        description_bg="Как се учат границите.",
        start=sofia(event.start_date, 10),
        end=sofia(event.start_date, 11, 30),
        floor_language="en",
    )
    speaker = stamenkov_speaker()
    SessionSpeakerFactory(session=panel, speaker=speaker, role="welcome")
    coffee = SessionFactory(
        event=event,
        kind=Session.Kind.BREAK,
        title_en="Coffee",
        title_bg="Кафе пауза",
        start=sofia(event.start_date, 11, 30),
        end=sofia(event.start_date, 12),
    )
    return {"event": event, "panel": panel, "coffee": coffee, "speaker": speaker}


# frab schedule.xml and schedule.json


@pytest.mark.parametrize(
    ("language", "title"),
    [("bg", "Регистрация и кафе"), ("en", "Registration and coffee")],
)
def test_schedule_xml_of_the_demo_conference_is_valid(client, language, title):
    call_command("load_demo")
    response = client.get(url("events:schedule_xml", language, slug="emn-2018"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = read_xml(response.content)
    assert root.findtext("conference/acronym") == "emn_2018"
    assert [day.get("date") for day in root.iter("day")] == ["2018-05-14", "2018-05-15"]
    events = list(root.iter("event"))
    assert len(events) == Session.objects.filter(event__slug="emn-2018").count()
    first = next(event for event in events if event.findtext("start") == "08:30")
    assert first.findtext("title") == title
    # Nobody speaks at registration; the hosts open in Bulgarian, with English on channel 2.
    assert first.findtext("language") is None
    opening = next(event for event in events if event.findtext("start") == "09:30")
    assert opening.findtext("language") == "bg"


@pytest.mark.parametrize(
    ("language", "title"),
    [("bg", "Регистрация и кафе"), ("en", "Registration and coffee")],
)
def test_schedule_json_of_the_demo_conference_is_valid(client, language, title):
    call_command("load_demo")
    response = client.get(url("events:schedule_json", language, slug="emn-2018"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    validate_json(data)
    conference = data["schedule"]["conference"]
    assert conference["acronym"] == "emn_2018"
    assert conference["time_zone_name"] == "Europe/Sofia"
    assert [day["date"] for day in conference["days"]] == ["2018-05-14", "2018-05-15"]
    events = frab_events(data)
    assert len(events) == Session.objects.filter(event__slug="emn-2018").count()
    first = next(event for event in events if event["start"] == "08:30")
    assert first["title"] == title
    assert first["language"] is None
    opening = next(event for event in events if event["start"] == "09:30")
    assert opening["language"] == "bg"


def test_json_schema_formats_are_all_checked():
    assert _formats_in(JSON_SCHEMA) <= set(FORMATS.checkers)


@pytest.mark.parametrize("language", ["bg", "en"])
def test_schedule_xml_with_empty_days_and_sessions_without_room_is_valid(
    client, programme, language
):
    root = get_xml(client, programme["event"], language)
    days = root.findall("day")
    assert [day.get("date") for day in days] == ["2030-05-14", "2030-05-15", "2030-05-16"]
    assert [len(day) for day in days] == [2, 0, 0]
    assert [day.get("start") for day in days] == [
        "2030-05-14T10:00:00+03:00",
        "2030-05-15T00:00:00+03:00",
        "2030-05-16T00:00:00+03:00",
    ]


@pytest.mark.parametrize("language", ["bg", "en"])
def test_schedule_json_with_empty_days_and_sessions_without_room_is_valid(
    client, programme, language
):
    validate_json(get_json(client, programme["event"], language))


def test_schedule_json_is_in_the_language_of_the_url(client, programme):
    event, panel, coffee = programme["event"], programme["panel"], programme["coffee"]
    speaker = programme["speaker"]
    conference = get_json(client, event, "bg")["schedule"]["conference"]
    assert conference["title"] == "Форум за миграцията"
    assert conference["rooms"] == [
        {
            "name": "Пленарна зала",
            "guid": str(uuid.uuid5(schedule.GUID_NAMESPACE, f"room-{panel.room.pk}")),
        },
        {
            "name": "Друго",
            "guid": str(uuid.uuid5(schedule.GUID_NAMESPACE, f"no-room-event-{event.pk}")),
        },
    ]
    assert conference["tracks"] == [{"name": "Граници", "color": "#1d4f91"}]
    first_day = conference["days"][0]
    assert list(first_day["rooms"]) == ["Пленарна зала", "Друго"]
    assert first_day["day_start"] == "2030-05-14T10:00:00+03:00"
    assert first_day["day_end"] == "2030-05-14T12:00:00+03:00"
    assert first_day["rooms"]["Пленарна зала"] == [
        {
            "guid": str(uuid.uuid5(schedule.GUID_NAMESPACE, f"session-{panel.pk}")),
            "id": panel.pk,
            "date": "2030-05-14T10:00:00+03:00",
            "start": "10:00",
            "end": "2030-05-14T11:30:00+03:00",
            "duration": "01:30",
            "room": "Пленарна зала",
            "slug": f"migration_forum-{panel.pk}-smart-borders",
            "url": f"http://testserver/bg/events/migration-forum/sessions/{panel.pk}/",
            "title": "Интелигентни граници",
            "subtitle": None,
            "track": "Граници",
            "type": "panel",
            "language": "en",
            "abstract": "Как се учат границите.",
            "persons": [
                {
                    "id": speaker.pk,
                    "guid": str(uuid.uuid5(schedule.GUID_NAMESPACE, f"speaker-{speaker.pk}")),
                    "name": "Радослав Стаменков",
                    "url": "http://testserver/bg/events/migration-forum/speakers/radoslav-stamenkov/",
                    "biography": None,
                }
            ],
            "links": [],
            "attachments": [],
        }
    ]
    [break_item] = first_day["rooms"]["Друго"]
    assert (break_item["title"], break_item["room"], break_item["track"]) == (
        "Кафе пауза",
        "Друго",
        None,
    )
    assert (break_item["type"], break_item["persons"], break_item["abstract"]) == ("break", [], "")
    assert break_item["slug"] == f"migration_forum-{coffee.pk}-coffee"


def test_schedule_json_day_without_sessions_spans_the_whole_day(client, programme):
    days = get_json(client, programme["event"], "en")["schedule"]["conference"]["days"]
    assert days[1] == {
        "index": 2,
        "date": "2030-05-15",
        "day_start": "2030-05-15T00:00:00+03:00",
        "day_end": "2030-05-16T00:00:00+03:00",
        "rooms": {},
    }


def test_schedule_json_ids_and_slugs_are_the_same_in_every_language(client, programme):
    def identities(language):
        return [
            (item["guid"], item["id"], item["slug"])
            for item in frab_events(get_json(client, programme["event"], language))
        ]

    assert identities("bg") == identities("en")
    assert len(identities("en")) == 2


def test_schedule_xml_is_in_the_language_of_the_url(client, programme):
    root = get_xml(client, programme["event"], "en")
    rooms = root.findall("day/room")
    assert [room.get("name") for room in rooms] == ["Plenary hall", "Other"]
    panel = rooms[0].find("event")
    assert panel.get("id") == str(programme["panel"].pk)
    assert [panel.findtext(tag) for tag in ["title", "track", "type", "language", "duration"]] == [
        "Smart borders",
        "Borders",
        "panel",
        "en",
        "01:30",
    ]
    assert [person.text for person in panel.iter("person")] == ["Radoslav Stamenkov"]
    coffee = rooms[1].find("event")
    assert [coffee.findtext(tag) for tag in ["title", "room", "track"]] == ["Coffee", "Other", ""]
    assert list(coffee.find("persons")) == []


def test_schedule_version_changes_with_the_schedule(
    client, programme, django_capture_on_commit_callbacks
):
    before = get_json(client, programme["event"], "en")["schedule"]["version"]
    assert get_json(client, programme["event"], "en")["schedule"]["version"] == before
    Session.objects.filter(pk=programme["coffee"].pk).update(
        end=sofia(datetime.date(2030, 5, 14), 12, 15)
    )
    # As every writer of the agenda does, once it commits: the feeds are cached until told.
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.events_changed([programme["event"].slug])
    assert get_json(client, programme["event"], "en")["schedule"]["version"] != before


@pytest.mark.parametrize(
    ("title_en", "title_bg", "words"),
    [
        (
            "Effective identification at the border and smart border management",
            "Успешно идентифициране на границите",
            "effective-identification-at-the-border-and-smart-border",
        ),
        ("", "Само на български", "session"),
    ],
)
def test_session_slug_is_cut_at_a_word_and_latin(client, event, title_en, title_bg, words):
    session = SessionFactory(event=event, title_en=title_en, title_bg=title_bg)
    data = get_json(client, event, "bg")
    validate_json(data)
    acronym = schedule.conference_acronym(event)
    assert [item["slug"] for item in frab_events(data)] == [f"{acronym}-{session.pk}-{words}"]


@pytest.mark.parametrize(
    ("slug", "acronym"),
    [("emn-2018", "emn_2018"), ("ab", "ab__"), ("Sofia-Forum-2030", "sofia_forum_2030")],
)
def test_conference_acronym_matches_both_schemas(slug, acronym):
    assert schedule.conference_acronym(EventFactory.build(slug=slug)) == acronym
    json_pattern = JSON_SCHEMA["definitions"]["Conference"]["properties"]["acronym"]["pattern"]
    assert re.search(json_pattern, acronym)
    XSD.types["acronym"].validate(acronym)


# iCalendar


@pytest.mark.parametrize(
    ("language", "name", "titles"),
    [
        ("bg", "Форум за миграцията", ["Интелигентни граници", "Кафе пауза"]),
        ("en", "Migration forum", ["Smart borders", "Coffee"]),
    ],
)
def test_schedule_ics_has_one_event_per_session_in_the_event_time_zone(
    client, programme, language, name, titles
):
    response = client.get(url("events:schedule_ics", language, slug="migration-forum"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Sofia"]
    entries = calendar.walk("VEVENT")
    assert [str(entry["SUMMARY"]) for entry in entries] == titles
    assert [entry["DTSTART"].params["TZID"] for entry in entries] == ["Europe/Sofia"] * 2
    assert entries[0]["DTSTART"].dt == sofia(datetime.date(2030, 5, 14), 10)
    assert entries[0]["DTSTART"].dt.utcoffset() == datetime.timedelta(hours=3)
    assert entries[0]["DTEND"].dt == sofia(datetime.date(2030, 5, 14), 11, 30)
    assert str(calendar["X-WR-CALNAME"]) == name


def test_schedule_ics_describes_each_session(client, programme):
    panel, coffee = programme["panel"], programme["coffee"]
    calendar = get_calendar(client, url("events:schedule_ics", "bg", slug="migration-forum"))
    entry, break_entry = calendar.walk("VEVENT")
    session_url = f"http://testserver/bg/events/migration-forum/sessions/{panel.pk}/"
    assert str(entry["UID"]) == f"session-{panel.pk}@emn-conference"
    assert str(entry["LOCATION"]) == "Пленарна зала, Конгресен център, София"
    assert str(entry["DESCRIPTION"]) == (
        "Как се учат границите.\n\n"
        "Език: английски.\n\n"
        "Приветствено слово: Г-н Радослав Стаменков, Ръководител на Мисията\n\n"
        f"{session_url}"
    )
    assert str(entry["URL"]) == session_url
    assert entry.categories == ["Панел"]
    assert str(break_entry["LOCATION"]) == "Конгресен център, София"
    assert str(break_entry["DESCRIPTION"]) == (
        f"http://testserver/bg/events/migration-forum/sessions/{coffee.pk}/"
    )
    assert break_entry.categories == ["Почивка"]


@pytest.mark.parametrize(("language", "title"), [("bg", "Кафе пауза"), ("en", "Coffee")])
def test_session_ics_holds_that_session_only(client, programme, language, title):
    coffee = programme["coffee"]
    path = url("events:session_ics", language, slug="migration-forum", pk=coffee.pk)
    response = client.get(path)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == title
    assert str(entry["UID"]) == f"session-{coffee.pk}@emn-conference"
    assert entry["DTSTART"].dt == sofia(datetime.date(2030, 5, 14), 11, 30)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Sofia"]


def test_session_ics_of_another_event_is_not_found(client, programme):
    other = SessionFactory()
    path = url("events:session_ics", "en", slug="migration-forum", pk=other.pk)
    assert client.get(path).status_code == 404


def test_sessions_calendar_holds_the_sessions_given_under_the_name_given(programme):
    request = RequestFactory().get("/en/registrations/")
    with translation.override("en"):
        body = schedule.sessions_calendar(
            event=programme["event"],
            sessions=[programme["coffee"]],
            name="My sessions",
            request=request,
        )
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["NAME"]) == "My sessions"
    assert str(calendar["X-WR-CALNAME"]) == "My sessions"
    assert [str(entry["SUMMARY"]) for entry in calendar.walk("VEVENT")] == ["Coffee"]


def test_sessions_calendar_without_sessions_still_carries_the_time_zone(event):
    body = schedule.sessions_calendar(
        event=event, sessions=[], name="My sessions", request=RequestFactory().get("/")
    )
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.walk("VEVENT") == []
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Sofia"]


# Every feed


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("schedule_ics", "text/calendar; charset=utf-8"),
        ("schedule_xml", "application/xml"),
        ("schedule_json", "application/json"),
    ],
)
def test_schedule_feed_content_type(client, event, name, content_type):
    response = client.get(url(f"events:{name}", "en", slug=event.slug))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


def test_schedule_feeds_of_a_draft_event_are_not_found(client):
    event = EventFactory(status=PublicationStatus.DRAFT)
    session = SessionFactory(event=event)
    paths = [*feed_urls(event, "en").values()]
    paths.append(url("events:session_ics", "en", slug=event.slug, pk=session.pk))
    assert [client.get(path).status_code for path in paths] == [404] * 4


def test_schedule_feeds_of_a_draft_event_are_shown_to_staff(client, staff_user):
    event = EventFactory(status=PublicationStatus.DRAFT)
    client.force_login(staff_user)
    paths = feed_urls(event, "en").values()
    assert [client.get(path).status_code for path in paths] == [200] * 3


@pytest.mark.parametrize("sessions", [1, 3])
@pytest.mark.parametrize("name", ["schedule_ics", "schedule_xml", "schedule_json"])
def test_schedule_feed_query_count_does_not_grow(client, django_assert_num_queries, name, sessions):
    event = EventFactory()
    for n in range(sessions):
        start = sofia(event.start_date, 9 + n)
        session = SessionFactory(
            event=event,
            start=start,
            end=start + datetime.timedelta(hours=1),
            room=RoomFactory(venue=event.venue),
            track=TrackFactory(event=event),
        )
        SessionSpeakerFactory.create_batch(2, session=session)
        SessionInterpretationFactory(session=session, language="bg", channel=1)
        SessionMaterialFactory.create_batch(n + 1, session=session)
    # event with venue, sessions with room and track, speakers with organisations,
    # interpretations, public materials
    with django_assert_num_queries(5):
        response = client.get(url(f"events:{name}", "en", slug=event.slug))
    assert response.status_code == 200


@pytest.mark.parametrize("speakers", [1, 3])
def test_session_ics_query_count_does_not_grow(client, django_assert_num_queries, event, speakers):
    session = SessionFactory(event=event, room=RoomFactory(venue=event.venue))
    SessionSpeakerFactory.create_batch(speakers, session=session)
    SessionMaterialFactory.create_batch(speakers, session=session)
    # event with venue, the session with room and track, speakers, interpretations, materials
    with django_assert_num_queries(5):
        response = client.get(url("events:session_ics", "en", slug=event.slug, pk=session.pk))
    assert response.status_code == 200


# Links on the pages


@pytest.mark.parametrize("language", ["bg", "en"])
def test_agenda_links_to_every_schedule_feed(client, event, language):
    html = client.get(url("events:agenda", language, slug=event.slug)).content.decode()
    for path in feed_urls(event, language).values():
        assert f'href="{path}"' in html


def test_session_page_links_to_its_calendar_file(client, programme):
    panel = programme["panel"]
    path = url("events:session", "en", slug="migration-forum", pk=panel.pk)
    html = client.get(path).content.decode()
    assert f'href="{path}calendar.ics"' in html


def test_schedule_xml_drops_characters_xml_forbids(client):
    event = EventFactory()
    SessionFactory(event=event, title_en="Smart\x0bborders", description_en="Pasted\x0ctext")
    response = client.get(f"/en/events/{event.slug}/schedule.xml")
    schema = xmlschema.XMLSchema("tests/fixtures/schemas/frab-schedule.xml.xsd")
    schema.validate(response.content.decode())
    assert "<title>Smartborders</title>" in response.content.decode()
