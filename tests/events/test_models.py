import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Event, RegistrationState, Session, Track
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    VenueFactory,
    sofia,
)

pytestmark = pytest.mark.django_db


def test_event_ending_before_it_starts_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="events_event_ends_after_start"), transaction.atomic():
        EventFactory(start_date=datetime.date(2030, 5, 15), end_date=datetime.date(2030, 5, 14))


def test_event_registration_closing_before_it_opens_is_refused_by_the_database():
    opens = sofia(datetime.date(2030, 3, 1), 9)
    with (
        pytest.raises(IntegrityError, match="events_event_registration_closes_after_opens"),
        transaction.atomic(),
    ):
        EventFactory(registration_opens=opens, registration_closes=opens)


def test_event_validation_reports_last_day_before_first_day():
    event = EventFactory.build(
        venue=None, start_date=datetime.date(2030, 5, 15), end_date=datetime.date(2030, 5, 14)
    )
    with pytest.raises(ValidationError) as info:
        event.full_clean()
    assert info.value.messages == ["The last day cannot be before the first day."]


def test_event_slug_is_unique():
    EventFactory(slug="emn-2030")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(slug="emn-2030")


def test_session_ending_before_it_starts_is_refused_by_the_database(event):
    start = sofia(event.start_date, 10)
    with (
        pytest.raises(IntegrityError, match="events_session_ends_after_start"),
        transaction.atomic(),
    ):
        SessionFactory(event=event, start=start, end=start)


def test_track_colour_that_is_not_hex_is_refused_by_the_database(event):
    with pytest.raises(IntegrityError, match="events_track_colour_is_hex"), transaction.atomic():
        Track.objects.create(event=event, name_en="Borders", colour="red")


def test_speaker_slug_is_unique():
    SpeakerFactory(slug="laura-thompson")
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakerFactory(slug="laura-thompson")


def test_speaker_cannot_appear_twice_in_one_session():
    appearance = SessionSpeakerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionSpeakerFactory(session=appearance.session, speaker=appearance.speaker)


def test_session_before_the_event_is_invalid(event):
    session = SessionFactory.build(
        event=event, start=sofia(datetime.date(2030, 5, 13), 10), end=sofia(event.start_date, 1)
    )
    with pytest.raises(ValidationError) as info:
        session.full_clean()
    assert info.value.message_dict == {
        "start": ["The session must take place during the event (14–15 May 2030)."]
    }


def test_session_late_on_the_last_day_in_event_time_zone_is_valid(event):
    # 23:00 in Sofia is already 20:00 UTC; the rule counts days in the event's time zone.
    session = SessionFactory.build(
        event=event, start=sofia(event.end_date, 22), end=sofia(event.end_date, 23, 30)
    )
    session.full_clean()


def test_session_past_midnight_after_the_last_day_is_invalid(event):
    session = SessionFactory.build(
        event=event,
        start=sofia(event.end_date, 23),
        end=sofia(event.end_date + datetime.timedelta(days=1), 0, 30),
    )
    with pytest.raises(ValidationError) as info:
        session.full_clean()
    assert list(info.value.message_dict) == ["start"]


def test_session_in_a_room_already_booked_is_invalid(event):
    room = RoomFactory(venue=event.venue)
    SessionFactory(
        event=event, room=room, title_en="Smart borders", start=sofia(event.start_date, 10)
    )
    clash = SessionFactory.build(
        event=event,
        room=room,
        start=sofia(event.start_date, 10, 30),
        end=sofia(event.start_date, 12),
    )
    with pytest.raises(ValidationError) as info:
        clash.full_clean()
    assert info.value.message_dict == {
        "room": [f"{room.name} is already booked at this time for “Smart borders”."]
    }


def test_session_starting_when_the_previous_one_ends_in_the_same_room_is_valid(event):
    room = RoomFactory(venue=event.venue)
    SessionFactory(
        event=event, room=room, start=sofia(event.start_date, 10), end=sofia(event.start_date, 11)
    )
    SessionFactory.build(
        event=event, room=room, start=sofia(event.start_date, 11), end=sofia(event.start_date, 12)
    ).full_clean()


def test_session_in_a_room_of_another_venue_is_invalid(event):
    session = SessionFactory.build(event=event, room=RoomFactory(venue=VenueFactory()))
    with pytest.raises(ValidationError) as info:
        session.full_clean()
    assert info.value.message_dict == {"room": ["The room must be in the event's venue."]}


def test_speaker_in_two_overlapping_sessions_is_invalid(event):
    speaker = SpeakerFactory(full_name_en="Laura Thompson", honorific_en="Ambassador")
    SessionSpeakerFactory(
        speaker=speaker,
        session=SessionFactory(event=event, title_en="Opening", start=sofia(event.start_date, 9)),
    )
    later = SessionFactory(event=event, start=sofia(event.start_date, 9, 30))
    appearance = SessionSpeakerFactory.build(session=later, speaker=speaker)
    with pytest.raises(ValidationError) as info:
        appearance.full_clean()
    assert info.value.message_dict == {
        "speaker": ["Ambassador Laura Thompson already speaks at “Opening” at this time."]
    }


@pytest.mark.parametrize("kind", [Session.Kind.BREAK, Session.Kind.RECEPTION])
def test_speaker_may_be_listed_at_a_break_or_reception_during_a_session(event, kind):
    speaker = SpeakerFactory()
    SessionSpeakerFactory(speaker=speaker, session=SessionFactory(event=event))
    social = SessionFactory(event=event, kind=kind)
    SessionSpeakerFactory.build(session=social, speaker=speaker).full_clean()


def test_speaker_in_consecutive_sessions_is_valid(event):
    speaker = SpeakerFactory()
    SessionSpeakerFactory(
        speaker=speaker,
        session=SessionFactory(
            event=event, start=sofia(event.start_date, 9), end=sofia(event.start_date, 10)
        ),
    )
    next_one = SessionFactory(
        event=event, start=sofia(event.start_date, 10), end=sofia(event.start_date, 11)
    )
    SessionSpeakerFactory.build(session=next_one, speaker=speaker).full_clean()


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (sofia(datetime.date(2030, 2, 1), 9), RegistrationState.NOT_YET_OPEN),
        (sofia(datetime.date(2030, 3, 1), 9), RegistrationState.OPEN),
        (sofia(datetime.date(2030, 5, 1), 0), RegistrationState.CLOSED),
        (sofia(datetime.date(2030, 5, 16), 9), RegistrationState.CLOSED),
    ],
)
def test_event_registration_state_follows_the_window(now, state):
    event = EventFactory(
        registration_opens=sofia(datetime.date(2030, 3, 1), 9),
        registration_closes=sofia(datetime.date(2030, 5, 1), 0),
    )
    assert event.registration_state(now) == state


def test_event_without_registration_dates_is_not_scheduled():
    event = EventFactory()
    assert (
        event.registration_state(sofia(datetime.date(2030, 1, 1), 9))
        == RegistrationState.NOT_SCHEDULED
    )


def test_event_topic_list_skips_blank_lines():
    assert Event(topics="border security\n\n  asylum procedures  \n").topic_list == [
        "border security",
        "asylum procedures",
    ]


def test_track_factory_builds_valid_track():
    TrackFactory().full_clean()


@pytest.mark.postgresql
def test_named_constraints_exist_in_the_postgresql_catalogue():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conname LIKE 'events_%%'")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "events_event_ends_after_start",
        "events_event_registration_closes_after_opens",
        "events_session_ends_after_start",
        "events_track_colour_is_hex",
        "events_sessionspeaker_once_per_session",
        "events_announcement_slug_unique_per_event",
        "events_announcement_published_has_time",
    } <= names
