"""A session's floor language and the interpretation offered: pages, filter, feeds, admin."""

import datetime
import json
import re

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from events.models import SessionInterpretation
from tests.events.test_schedule import read_xml, validate_json
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionInterpretationFactory,
    empty_inline,
    sofia,
)

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def agenda_titles(html: str) -> list[str]:
    return re.findall(r'class="agenda-item__title"><a [^>]*>([^<]+)</a>', html)


@pytest.fixture
def day(event):
    """Four sessions: one held in Bulgarian with English on channel 2, one in English with
    Bulgarian on channel 1, one in English only, and a coffee break (no language)."""
    room = RoomFactory(venue=event.venue, name_en="Plenary hall", name_bg="Пленарна зала")

    def at(hour, **values):
        return SessionFactory(
            event=event,
            room=room,
            start=sofia(event.start_date, hour),
            end=sofia(event.start_date, hour + 1),
            **values,
        )

    opening = at(9, title_en="Opening", title_bg="Откриване", floor_language="bg")
    SessionInterpretationFactory(session=opening, language="en", channel=2)
    panel = at(10, title_en="Smart borders", title_bg="Интелигентни граници", floor_language="en")
    SessionInterpretationFactory(session=panel, language="bg", channel=1)
    workshop = at(11, title_en="Data workshop", title_bg="Работилница", floor_language="en")
    coffee = at(12, title_en="Coffee", title_bg="Кафе", kind="break")
    return {"opening": opening, "panel": panel, "workshop": workshop, "coffee": coffee}


def test_the_session_page_shows_the_floor_language_and_the_channels_in_both_languages(
    client, event, day
):
    panel = day["panel"]
    english = client.get(url("events:session", "en", slug=event.slug, pk=panel.pk))
    assert "<dt>Language</dt><dd>English</dd>" in english.content.decode()
    assert "<li>into Bulgarian, channel 1</li>" in english.content.decode()
    bulgarian = client.get(url("events:session", "bg", slug=event.slug, pk=panel.pk))
    assert "<dt>Език</dt><dd>английски</dd>" in bulgarian.content.decode()
    assert "<li>на български, канал 1</li>" in bulgarian.content.decode()


def test_a_break_shows_no_language_on_its_page(client, event, day):
    response = client.get(url("events:session", "en", slug=event.slug, pk=day["coffee"].pk))
    assert "<dt>Language</dt>" not in response.content.decode()
    assert "<dt>Interpretation</dt>" not in response.content.decode()


def language_lines(html: str) -> list[str]:
    """The language line of each session on the agenda, as text."""
    return [
        re.sub(r"<[^>]+>", "", line)
        for line in re.findall(r'<p class="agenda-item__languages">(.*?)</p>', html)
    ]


def test_the_agenda_shows_each_sessions_language_and_interpretation(client, event, day):
    html = client.get(url("events:agenda", "en", slug=event.slug)).content.decode()
    assert language_lines(html) == [
        "In Bulgarian; interpretation: into English (channel 2)",
        "In English; interpretation: into Bulgarian (channel 1)",
        "In English",
    ]
    html = client.get(url("events:agenda", "bg", slug=event.slug)).content.decode()
    assert language_lines(html) == [
        "На български; превод: на английски (канал 2)",
        "На английски; превод: на български (канал 1)",
        "На английски",
    ]


@pytest.mark.parametrize(
    ("language", "titles"),
    [
        ("bg", ["Opening", "Smart borders", "Coffee"]),
        ("en", ["Opening", "Smart borders", "Data workshop", "Coffee"]),
        ("", ["Opening", "Smart borders", "Data workshop", "Coffee"]),
    ],
)
def test_the_agenda_lists_the_sessions_one_can_follow_in_a_language(
    client, event, day, language, titles
):
    response = client.get(url("events:agenda", "en", slug=event.slug), {"language": language})
    assert agenda_titles(response.content.decode()) == titles


def test_the_language_filter_is_offered_in_both_languages(client, event, day):
    html = client.get(url("events:agenda", "bg", slug=event.slug)).content.decode()
    assert '<label for="id_language">Сесии, които мога да следя на:</label>' in html
    assert '<option value="bg">български</option>' in html
    assert (
        '<p class="help" id="id_language_helptext">'
        "Провеждат се на този език или се превеждат на него.</p>"
    ) in html


def test_an_unknown_language_in_the_filter_is_explained_and_the_agenda_shown_whole(
    client, event, day
):
    response = client.get(url("events:agenda", "en", slug=event.slug), {"language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice. xx is not one of the available choices." in (
        response.content.decode()
    )
    assert len(agenda_titles(response.content.decode())) == 4


def test_a_filtered_agenda_is_cached_apart_from_the_whole_one(client, event, day):
    agenda = url("events:agenda", "en", slug=event.slug)
    assert len(agenda_titles(client.get(agenda).content.decode())) == 4
    assert len(agenda_titles(client.get(agenda, {"language": "bg"}).content.decode())) == 3
    assert len(agenda_titles(client.get(agenda).content.decode())) == 4


def test_the_frab_json_gives_each_session_its_floor_language(client, event, day):
    response = client.get(url("events:schedule_json", "bg", slug=event.slug))
    data = json.loads(response.content)
    validate_json(data)
    items = [
        item
        for feed_day in data["schedule"]["conference"]["days"]
        for room in feed_day["rooms"].values()
        for item in room
    ]
    assert [(item["title"], item["language"]) for item in items] == [
        ("Откриване", "bg"),
        ("Интелигентни граници", "en"),
        ("Работилница", "en"),
        ("Кафе", None),
    ]


def test_the_frab_xml_gives_each_session_its_floor_language(client, event, day):
    root = read_xml(client.get(url("events:schedule_xml", "en", slug=event.slug)).content)
    assert [(e.findtext("title"), e.findtext("language")) for e in root.iter("event")] == [
        ("Opening", "bg"),
        ("Smart borders", "en"),
        ("Data workshop", "en"),
        ("Coffee", None),
    ]


def test_the_calendar_says_the_language_and_the_channels(client, event, day):
    response = client.get(url("events:session_ics", "en", slug=event.slug, pk=day["opening"].pk))
    [entry] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(entry["DESCRIPTION"]).split("\n\n")[0] == (
        "Language: Bulgarian. Interpretation: into English (channel 2)."
    )
    response = client.get(url("events:session_ics", "bg", slug=event.slug, pk=day["opening"].pk))
    [entry] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(entry["DESCRIPTION"]).split("\n\n")[0] == (
        "Език: български. Превод: на английски (канал 2)."
    )


# Rules


def test_interpretation_into_the_floor_language_is_refused(event):
    session = SessionFactory(event=event, floor_language="bg")
    interpretation = SessionInterpretation(session=session, language="bg", channel=1)
    with pytest.raises(ValidationError) as error:
        interpretation.full_clean()
    assert error.value.message_dict == {
        "language": ["The session is held in this language: nothing to interpret."]
    }


def test_a_channel_is_used_once_per_session(event):
    interpretation = SessionInterpretationFactory(
        session__event=event, session__floor_language="", language="bg", channel=1
    )
    second = SessionInterpretation(session=interpretation.session, language="en", channel=1)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert error.value.messages == ["This channel is already used in this session."]


def test_channel_zero_is_refused(event):
    session = SessionFactory(event=event, floor_language="en")
    with pytest.raises(ValidationError) as error:
        SessionInterpretation(session=session, language="bg", channel=0).full_clean()
    assert "channel" in error.value.message_dict


# Admin


def _session_form(session, **overrides) -> dict:
    data = {
        "event": session.event_id,
        "title_bg": session.title_bg,
        "title_en": session.title_en,
        "description_bg": "",
        "description_en": "",
        "kind": session.kind,
        "start_0": session.start.astimezone(datetime.UTC).strftime("%Y-%m-%d"),
        "start_1": "10:00",
        "end_0": session.start.astimezone(datetime.UTC).strftime("%Y-%m-%d"),
        "end_1": "11:00",
        "room": session.room_id or "",
        "track": "",
        "capacity": "",
        "floor_language": "en",
        **empty_inline("appearances"),
        **empty_inline("interpretations"),
        **empty_inline("materials"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def editor(agenda_editor):
    client = Client()
    client.force_login(agenda_editor)
    return client


def admin_url(view: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


def test_an_agenda_editor_adds_interpretation_and_the_cached_agenda_shows_it_at_once(
    client, editor, event, django_capture_on_commit_callbacks
):
    session = SessionFactory(
        event=event,
        title_en="Smart borders",
        start=sofia(event.start_date, 10),
        floor_language="en",
    )
    agenda = url("events:agenda", "en", slug=event.slug)
    assert language_lines(client.get(agenda).content.decode()) == ["In English"]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            admin_url("events_session_change", session.pk),
            _session_form(
                session,
                **{
                    "interpretations-TOTAL_FORMS": "1",
                    "interpretations-0-language": "bg",
                    "interpretations-0-channel": "1",
                },
            ),
        )
    assert response.status_code == 302
    assert [(i.language, i.channel) for i in session.interpretations.all()] == [("bg", 1)]
    assert language_lines(client.get(agenda).content.decode()) == [
        "In English; interpretation: into Bulgarian (channel 1)"
    ]


def test_the_admin_refuses_interpretation_into_the_floor_language_in_bulgarian(editor, event):
    session = SessionFactory(event=event, start=sofia(event.start_date, 10))
    response = editor.post(
        admin_url("events_session_change", session.pk, language="bg"),
        _session_form(
            session,
            **{
                "interpretations-TOTAL_FORMS": "1",
                "interpretations-0-language": "en",
                "interpretations-0-channel": "1",
            },
        ),
    )
    assert response.status_code == 200
    assert "Сесията се провежда на този език: няма какво да се превежда." in (
        response.content.decode()
    )
    assert not session.interpretations.exists()


def test_a_long_agenda_keeps_the_language_filter_in_its_day_links(client):
    event = EventFactory(end_date=datetime.date(2030, 5, 20))
    SessionFactory(event=event, floor_language="bg")
    html = client.get(
        url("events:agenda", "en", slug=event.slug), {"language": "bg"}
    ).content.decode()
    assert "?day=2030-05-15&amp;language=bg" in html
