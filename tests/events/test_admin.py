import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events.models import Announcement, Event, Organisation, Room, Session, Speaker, Venue
from tests.factories import (
    AnnouncementFactory,
    EventFactory,
    OrganisationFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    VenueFactory,
    sofia,
)

pytestmark = pytest.mark.django_db

FACTORIES = {
    Organisation: OrganisationFactory,
    Venue: VenueFactory,
    Room: RoomFactory,
    Event: EventFactory,
    Session: SessionFactory,
    Speaker: SpeakerFactory,
    Announcement: AnnouncementFactory,
}


def admin_url(view: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


@pytest.fixture
def editor_client(client, agenda_editor):
    client.force_login(agenda_editor)
    return client


def test_agenda_editors_group_has_exactly_the_agenda_permissions():
    codenames = set(
        Group.objects.get(name="Agenda editors").permissions.values_list("codename", flat=True)
    )
    models = [
        "organisation",
        "venue",
        "room",
        "track",
        "session",
        "sessionspeaker",
        "speaker",
        "announcement",
    ]
    expected = {
        f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")
    }
    expected |= {"add_event", "change_event", "view_event"}
    assert codenames == expected


@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("language", ["bg", "en"])
def test_agenda_editor_opens_list_add_and_change_pages(editor_client, model, language):
    obj = FACTORIES[model]()
    name = f"{model._meta.app_label}_{model._meta.model_name}"
    for url in [
        admin_url(f"{name}_changelist", language=language),
        admin_url(f"{name}_add", language=language),
        admin_url(f"{name}_change", obj.pk, language=language),
    ]:
        response = editor_client.get(url)
        assert response.status_code == 200, url
    assert f'<html lang="{language}"' in response.content.decode()


def test_agenda_editor_cannot_delete_an_event(editor_client, event):
    assert editor_client.get(admin_url("events_event_delete", event.pk)).status_code == 403


def test_admin_shows_translated_fields_in_tabs_with_local_jquery_ui(editor_client, event):
    html = editor_client.get(admin_url("events_event_change", event.pk)).content.decode()
    assert 'name="title_bg"' in html
    assert 'name="title_en"' in html
    assert "/static/vendor/jquery-ui/jquery-ui.min.js" in html
    assert "/static/modeltranslation/js/tabbed_translation_fields.js" in html
    assert "googleapis" not in html


def test_admin_event_page_lists_its_sessions_for_editing(editor_client, event):
    session = SessionFactory(event=event, title_en="Smart borders")
    html = editor_client.get(admin_url("events_event_change", event.pk)).content.decode()
    assert f'name="sessions-0-id" value="{session.pk}"' in html
    assert 'value="Smart borders"' in html


def _session_form(event, room=None, **overrides):
    data = {
        "event": event.pk,
        "title_bg": "Интелигентни граници",
        "title_en": "Smart borders",
        "description_bg": "",
        "description_en": "",
        "kind": "panel",
        "start_0": "2030-05-14",
        "start_1": "10:00",
        "end_0": "2030-05-14",
        "end_1": "11:00",
        "room": room.pk if room else "",
        "track": "",
        "capacity": "",
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
        "appearances-MIN_NUM_FORMS": "0",
        "appearances-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_session_with_speakers_in_order(editor_client, event):
    first, second = SpeakerFactory(), SpeakerFactory()
    data = _session_form(
        event,
        **{
            "appearances-TOTAL_FORMS": "2",
            "appearances-0-order": "2",
            "appearances-0-speaker": first.pk,
            "appearances-0-role": "panellist",
            "appearances-1-order": "1",
            "appearances-1-speaker": second.pk,
            "appearances-1-role": "moderator",
        },
    )
    response = editor_client.post(admin_url("events_session_add"), data)
    assert response.status_code == 302
    session = Session.objects.get(title_en="Smart borders")
    assert session.title_bg == "Интелигентни граници"
    assert session.start == sofia(event.start_date, 10)
    assert [(a.speaker, a.role) for a in session.appearances.all()] == [
        (second, "moderator"),
        (first, "panellist"),
    ]


def test_admin_refuses_a_double_booked_room_and_saves_nothing(editor_client, event):
    room = RoomFactory(venue=event.venue, name_en="Plenary hall")
    SessionFactory(event=event, room=room, title_en="Opening", start=sofia(event.start_date, 10))
    response = editor_client.post(
        admin_url("events_session_add"), _session_form(event, room=room, title_en="Clash")
    )
    assert response.status_code == 200
    assert "Plenary hall is already booked at this time for “Opening”." in response.content.decode()
    assert not Session.objects.filter(title_en="Clash").exists()


def test_admin_refuses_a_session_outside_the_event_in_bulgarian(editor_client, event):
    response = editor_client.post(
        admin_url("events_session_add", language="bg"),
        _session_form(event, start_0="2030-06-01", end_0="2030-06-01", title_en="Late"),
    )
    assert response.status_code == 200
    assert "Сесията трябва да се проведе по време на събитието (14–15 май 2030)." in (
        response.content.decode()
    )
    assert not Session.objects.filter(title_en="Late").exists()


def test_admin_refuses_a_speaker_in_two_sessions_at_once(editor_client, event):
    speaker = SpeakerFactory(honorific_en="Mr.", full_name_en="Radoslav Stamenkov")
    SessionSpeakerFactory(
        speaker=speaker,
        session=SessionFactory(event=event, title_en="Opening", start=sofia(event.start_date, 10)),
    )
    data = _session_form(
        event,
        title_en="Clash",
        **{
            "appearances-TOTAL_FORMS": "1",
            "appearances-0-order": "0",
            "appearances-0-speaker": speaker.pk,
            "appearances-0-role": "speaker",
        },
    )
    response = editor_client.post(admin_url("events_session_add"), data)
    assert response.status_code == 200
    assert "Mr. Radoslav Stamenkov already speaks at “Opening” at this time." in (
        response.content.decode()
    )
    assert not Session.objects.filter(title_en="Clash").exists()


def test_admin_moving_a_session_onto_a_speakers_other_session_is_refused(editor_client, event):
    speaker = SpeakerFactory(honorific_en="Mr.", full_name_en="Radoslav Stamenkov")
    SessionSpeakerFactory(
        speaker=speaker,
        session=SessionFactory(event=event, title_en="Opening", start=sofia(event.start_date, 9)),
    )
    later = SessionFactory(event=event, title_en="Borders", start=sofia(event.start_date, 14))
    appearance = SessionSpeakerFactory(speaker=speaker, session=later)
    data = _session_form(
        event,
        title_en="Borders",
        start_1="09:00",
        end_1="10:00",
        **{
            "appearances-TOTAL_FORMS": "1",
            "appearances-INITIAL_FORMS": "1",
            "appearances-0-id": appearance.pk,
            "appearances-0-session": later.pk,
            "appearances-0-order": "0",
            "appearances-0-speaker": speaker.pk,
            "appearances-0-role": "speaker",
        },
    )
    response = editor_client.post(admin_url("events_session_change", later.pk), data)
    assert response.status_code == 200
    assert "already speaks at “Opening” at this time." in response.content.decode()
    later.refresh_from_db()
    assert later.start == sofia(event.start_date, 14)


def test_admin_filter_lists_objects_missing_a_bulgarian_translation(editor_client, event):
    SessionFactory(event=event, title_en="Translated", title_bg="Преведено")
    SessionFactory(event=event, title_en="Only English", title_bg="")
    response = editor_client.get(
        admin_url("events_session_changelist"), {"missing_translation": "bg"}
    )
    html = response.content.decode()
    assert "Only English" in html
    assert "Translated" not in html
    assert "missing: bg" in html


def test_admin_session_list_filters_by_day(editor_client, event):
    SessionFactory(event=event, title_en="First day", start=sofia(event.start_date, 10))
    SessionFactory(event=event, title_en="Second day", start=sofia(event.end_date, 10))
    html = editor_client.get(
        admin_url("events_session_changelist"), {"day": "2030-05-15"}
    ).content.decode()
    assert "Second day" in html
    assert "First day" not in html


def test_admin_session_list_with_a_malformed_day_shows_nothing(editor_client, event):
    SessionFactory(event=event, title_en="First day")
    response = editor_client.get(admin_url("events_session_changelist"), {"day": "14 May"})
    assert response.status_code == 200
    assert "First day" not in response.content.decode()


def test_admin_speaker_autocomplete_finds_cyrillic_and_latin_names(editor_client):
    SpeakerFactory(full_name_en="Radoslav Stamenkov", full_name_bg="Радослав Стаменков")
    url = reverse("admin:autocomplete")
    params = {"app_label": "events", "model_name": "sessionspeaker", "field_name": "speaker"}
    for term in ["Стамен", "Stamen"]:
        results = editor_client.get(url, {**params, "term": term}).json()["results"]
        assert len(results) == 1, term


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", [Session, Speaker, Event], ids=lambda m: m._meta.model_name)
def test_admin_list_query_count_does_not_grow(editor_client, model):
    url = admin_url(f"events_{model._meta.model_name}_changelist")
    FACTORIES[model]()
    one = _count_queries(editor_client, url)
    FACTORIES[model].create_batch(2)
    assert _count_queries(editor_client, url) == one


def test_track_inline_on_event_offers_only_event_rooms(editor_client, event):
    own = RoomFactory(venue=event.venue, name_en="Own hall")
    RoomFactory(name_en="Elsewhere hall")
    TrackFactory(event=event)
    SessionFactory(event=event, room=own)
    html = editor_client.get(admin_url("events_event_change", event.pk)).content.decode()
    assert "Own hall" in html
    assert "Elsewhere hall" not in html


def test_admin_reads_and_shows_session_times_in_the_event_time_zone(editor_client):
    event = EventFactory(time_zone="America/New_York", venue=None)
    response = editor_client.post(
        admin_url("events_session_add"), _session_form(event, start_1="09:00", end_1="10:30")
    )
    assert response.status_code == 302
    session = Session.objects.get()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert session.start == datetime.datetime(2030, 5, 14, 9, tzinfo=new_york)
    html = editor_client.get(admin_url("events_session_change", session.pk)).content.decode()
    assert 'name="start_1" value="09:00:00"' in html
    listing = editor_client.get(admin_url("events_session_changelist")).content.decode()
    assert "14 May 2030, 09:00" in listing


def test_admin_refuses_a_track_of_another_event(editor_client, event):
    foreign = TrackFactory(name_en="Elsewhere")
    data = _session_form(event, title_en="Wrong track", track=foreign.pk)
    response = editor_client.post(admin_url("events_session_add"), data)
    assert response.status_code == 200
    assert not Session.objects.filter(title_en="Wrong track").exists()


def test_session_with_a_track_of_another_event_is_invalid(event):
    session = SessionFactory.build(event=event, track=TrackFactory())
    with pytest.raises(ValidationError) as info:
        session.full_clean()
    assert info.value.message_dict == {"track": ["The track must belong to the session's event."]}


def test_moving_a_saved_session_onto_its_speakers_other_session_is_invalid(event):
    speaker = SpeakerFactory(honorific_en="Mr.", full_name_en="Radoslav Stamenkov")
    SessionSpeakerFactory(
        speaker=speaker,
        session=SessionFactory(event=event, title_en="Opening", start=sofia(event.start_date, 9)),
    )
    later = SessionFactory(event=event, start=sofia(event.start_date, 14))
    SessionSpeakerFactory(speaker=speaker, session=later)
    later.start, later.end = sofia(event.start_date, 9), sofia(event.start_date, 10)
    with pytest.raises(ValidationError) as info:
        later.full_clean()
    assert info.value.message_dict == {
        "start": ["Mr. Radoslav Stamenkov already speaks at “Opening” at this time."]
    }


@pytest.mark.parametrize(
    "query",
    ["?event=abc", "?start=abc", "?room=999999", "?event=1&track=x"],
)
def test_admin_add_page_ignores_malformed_prefill(editor_client, query):
    assert editor_client.get(admin_url("events_session_add") + query).status_code == 200


def test_admin_event_add_page_ignores_malformed_prefill(editor_client):
    assert editor_client.get(admin_url("events_event_add") + "?organisers=abc").status_code == 200


def test_admin_event_page_query_count_does_not_grow_with_sessions(editor_client):
    event = EventFactory()
    RoomFactory.create_batch(2, venue=event.venue)
    TrackFactory.create_batch(2, event=event)
    SessionFactory(event=event, start=sofia(event.start_date, 8))
    page = admin_url("events_event_change", event.pk)
    one = _count_queries(editor_client, page)
    for hour in (10, 12, 14):
        SessionFactory(event=event, start=sofia(event.start_date, hour))
    assert _count_queries(editor_client, page) == one
