import datetime
import re
import zoneinfo
from html.parser import HTMLParser

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
    UserFactory,
    VenueFactory,
    empty_inline,
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
        "sessioninterpretation",
        "sessionmaterial",
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
        **empty_inline("interpretations"),
        **empty_inline("materials"),
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


class _FormReader(HTMLParser):
    """The values a browser would send from the page's forms, as the admin filled them in."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str | None, value: str) -> None:
        if name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(attrs.get("name"), attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self._add(self._textarea, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def _change_form(client, url: str, **changes) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(client.get(url).content.decode())
    return {**reader.data, **{name: [value] for name, value in changes.items()}}


@pytest.fixture
def event_manager(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_bulgarian_admin_saves_an_event_with_dates_typed_the_bulgarian_way(event_manager):
    event = EventFactory(start_date=datetime.date(2018, 6, 1), end_date=datetime.date(2018, 6, 2))
    page = admin_url("events_event_change", event.pk, language="bg")
    data = _change_form(
        event_manager,
        page,
        start_date="15.05.2018",
        end_date="16.05.2018",
        registration_opens_0="01.03.2018",
        registration_opens_1="09:00",
        registration_closes_0="30.04.2018",
        registration_closes_1="18:00",
    )
    response = event_manager.post(page, data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.start_date, event.end_date) == (
        datetime.date(2018, 5, 15),
        datetime.date(2018, 5, 16),
    )
    sofia_zone = zoneinfo.ZoneInfo("Europe/Sofia")
    assert event.registration_opens == datetime.datetime(2018, 3, 1, 9, tzinfo=sofia_zone)
    assert event.registration_closes == datetime.datetime(2018, 4, 30, 18, tzinfo=sofia_zone)
    html = event_manager.get(page).content.decode()
    assert 'name="start_date" value="15.05.2018"' in html
    assert 'name="registration_opens_0" value="01.03.2018"' in html


def test_bulgarian_admin_still_accepts_iso_dates(event_manager, event):
    page = admin_url("events_event_change", event.pk, language="bg")
    response = event_manager.post(
        page, _change_form(event_manager, page, start_date="2030-05-13", end_date="2030-05-15")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start_date == datetime.date(2030, 5, 13)


@pytest.mark.parametrize(
    ("language", "date_hint", "datetime_hint"),
    [
        (
            "bg",
            "Датата се въвежда във вида 15.05.2018.",
            "Датата се въвежда във вида 15.05.2018, а часът – 09:30.",
        ),
        ("en", "Date as 2018-05-15.", "Date as 2018-05-15, time as 09:30."),
    ],
)
def test_admin_date_fields_say_how_to_type_a_date(
    event_manager, event, language, date_hint, datetime_hint
):
    page = admin_url("events_event_change", event.pk, language=language)
    html = event_manager.get(page).content.decode()
    assert re.search(rf'id="id_start_date_helptext">\s*<div>{re.escape(date_hint)}</div>', html)
    # A date and a time each: registration opens and closes, a new session's start and end.
    assert html.count(f"<div>{datetime_hint}</div>") == 4


@pytest.mark.parametrize(
    ("language", "message", "session_error"),
    [
        ("en", "The last day cannot be before the first day.", "The session must take place"),
        ("bg", "Последният ден не може да е преди първия.", "Сесията трябва да се проведе"),
    ],
)
def test_impossible_event_dates_give_one_error_on_the_dates_not_one_per_session(
    event_manager, language, message, session_error
):
    event = EventFactory(start_date=datetime.date(2018, 5, 14), end_date=datetime.date(2018, 5, 15))
    for hour in range(8, 23):
        SessionFactory(event=event, start=sofia(event.start_date, hour), room=None)
    page = admin_url("events_event_change", event.pk, language=language)
    first, last = ("15.05.2018", "14.05.2018") if language == "bg" else ("2018-05-15", "2018-05-14")
    response = event_manager.post(
        page, _change_form(event_manager, page, start_date=first, end_date=last)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(message) == 1
    assert response.context["adminform"].form.errors == {"end_date": [message]}
    assert session_error not in html
    assert all(
        not form.errors
        for formset in response.context["inline_admin_formsets"]
        for form in formset.formset.forms
    )
    event.refresh_from_db()
    assert (event.start_date, event.end_date) == (
        datetime.date(2018, 5, 14),
        datetime.date(2018, 5, 15),
    )


def test_a_new_event_with_impossible_dates_and_a_session_gets_one_error(event_manager):
    page = admin_url("events_event_add")
    session = {
        "sessions-TOTAL_FORMS": "1",
        "sessions-0-title_en": "Opening",
        "sessions-0-title_bg": "Откриване",
        "sessions-0-kind": "plenary",
        "sessions-0-start_0": "2018-05-14",
        "sessions-0-start_1": "10:00",
        "sessions-0-end_0": "2018-05-14",
        "sessions-0-end_1": "11:00",
    }
    data = _change_form(
        event_manager,
        page,
        slug="emn-2019",
        title_en="Annual Conference",
        title_bg="Годишна конференция",
        start_date="2018-05-15",
        end_date="2018-05-14",
        time_zone="Europe/Sofia",
        status="draft",
        reference_prefix="EMN19",
        **session,
    )
    response = event_manager.post(page, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "end_date": ["The last day cannot be before the first day."]
    }
    [sessions] = [
        formset.formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "sessions"
    ]
    assert [form.errors for form in sessions.forms] == [{}]
    assert not Event.objects.filter(slug="emn-2019").exists()
