"""The agenda by room and time, its stylesheet, and the "now and next" page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from events import queries
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    TrackFactory,
    sofia,
)

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def session_at(event, day, start: tuple[int, int], end: tuple[int, int], **fields):
    return SessionFactory(event=event, start=sofia(day, *start), end=sofia(day, *end), **fields)


@pytest.fixture
def day_one(event):
    """The first day: a plenary and a workshop side by side, then a lunch without a room."""
    plenary = RoomFactory(venue=event.venue, name_en="Plenary hall", capacity=200)
    workshop = RoomFactory(venue=event.venue, name_en="Workshop room", capacity=40)
    day = event.start_date
    return {
        "plenary": plenary,
        "workshop": workshop,
        "opening": session_at(event, day, (9, 0), (10, 30), room=plenary, title_en="Opening"),
        "workshop_a": session_at(event, day, (9, 30), (11, 0), room=workshop, title_en="Data"),
        "lunch": session_at(event, day, (11, 0), (12, 0), room=None, title_en="Lunch"),
    }


def test_grid_places_sessions_by_room_and_time(event, day_one):
    grid = queries.agenda_grid(event=event, day=event.start_date)

    assert [room.name for room in grid.rooms] == ["Plenary hall", "Workshop room"]
    assert grid.times == [
        ("09:00", "2030-05-14T09:00:00+03:00", 2),
        ("09:30", "2030-05-14T09:30:00+03:00", 3),
        ("10:30", "2030-05-14T10:30:00+03:00", 4),
        ("11:00", "2030-05-14T11:00:00+03:00", 5),
    ]
    placed = {s.title: (s.grid_row, s.grid_column) for s in grid.sessions}
    assert placed == {
        "Opening": ((2, 4), (2, 3)),
        "Data": ((3, 5), (3, 4)),
        # Nothing else happens then: across every room.
        "Lunch": ((5, 6), (2, 4)),
    }
    assert grid.elsewhere is False


def test_a_session_without_a_room_that_overlaps_others_gets_a_column_of_its_own(event, day_one):
    session_at(event, event.start_date, (9, 0), (9, 45), room=None, title_en="Press briefing")

    grid = queries.agenda_grid(event=event, day=event.start_date)

    placed = {s.title: s.grid_column for s in grid.sessions}
    assert grid.elsewhere is True
    assert grid.columns == 3
    assert placed["Press briefing"] == (4, 5)
    assert placed["Lunch"] == (2, 4)


def test_grid_page_shows_one_day_with_links_to_the_others(client, event, day_one):
    session_at(event, event.end_date, (9, 0), (10, 0), room=day_one["plenary"], title_en="Day 2")

    body = client.get(url("events:agenda_grid", slug=event.slug)).content.decode()

    assert "Opening" in body and "Day 2" not in body
    assert '<div class="agenda-grid cols-2">' in body
    opening = day_one["opening"]
    assert f'rs-2 re-4 cs-2 ce-3" aria-labelledby="grid-session-{opening.pk}"' in body
    assert f'href="{url("events:agenda_grid", slug=event.slug)}?day=2030-05-15"' in body
    second = client.get(url("events:agenda_grid", slug=event.slug) + "?day=2030-05-15")
    assert "Day 2" in second.content.decode()


def test_grid_page_in_bulgarian(client, event, day_one):
    body = client.get(url("events:agenda_grid", "bg", slug=event.slug)).content.decode()

    assert "<h1>Програма по зали</h1>" in body
    assert "Вторник, 14 май 2030" in body


def test_grid_stylesheet_defines_every_class_the_page_uses(client, event, day_one):
    session_at(event, event.start_date, (9, 0), (9, 45), room=None, title_en="Press briefing")
    page = client.get(url("events:agenda_grid", slug=event.slug)).content.decode()
    css = client.get(url("events:grid_styles", slug=event.slug))

    assert css["Content-Type"] == "text/css; charset=utf-8"
    defined = set(re.findall(r"^\.([\w-]+) \{", css.content.decode(), re.M))
    used = {c for c in re.findall(r"\b((?:rs|re|cs|ce|cols)-\d+)\b", page)}
    assert used and used <= defined
    assert ".cols-3 { grid-template-columns: 4.5rem repeat(3, minmax(0, 1fr)); }" in (
        css.content.decode()
    )


def test_grid_for_a_day_the_event_does_not_have_says_so(client, event, day_one):
    response = client.get(url("events:agenda_grid", "bg", slug=event.slug) + "?day=2031-01-01")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Събитието няма такъв ден." in body
    assert day_one["opening"].title_bg in body


def test_grid_of_a_day_without_sessions(client):
    event = EventFactory()

    body = client.get(url("events:agenda_grid", slug=event.slug)).content.decode()

    assert "No sessions on this day." in body


@pytest.mark.parametrize("sessions", [3, 40])
def test_grid_query_count_does_not_grow_with_the_agenda(
    client, django_assert_num_queries, sessions
):
    event = EventFactory()
    rooms = RoomFactory.create_batch(4, venue=event.venue)
    track = TrackFactory(event=event)
    for n in range(sessions):
        start = sofia(event.start_date, 8) + datetime.timedelta(minutes=20 * (n // 4))
        session = SessionFactory(
            event=event,
            start=start,
            end=start + datetime.timedelta(minutes=20),
            room=rooms[n % 4],
            track=track,
        )
        SessionSpeakerFactory(session=session)
    # the event, the sessions with room and track, their speakers, interpretation and materials
    with django_assert_num_queries(5):
        response = client.get(url("events:agenda_grid", slug=event.slug))
    assert len(response.context["grid"].sessions) == sessions
    # the event, the sessions' times and rooms
    with django_assert_num_queries(2):
        client.get(url("events:grid_styles", slug=event.slug))


# --- now and next ---------------------------------------------------------------------------


def test_now_and_next_per_room(event, day_one):
    now = sofia(event.start_date, 9, 45)

    on = queries.now_and_next(event=event, now=now)

    assert [s.title for s in on.current] == ["Opening", "Data"]
    assert [s.title for s in on.next] == ["Lunch"]
    assert on.now.isoformat() == "2030-05-14T09:45:00+03:00"
    assert on.over is False


def test_next_is_the_first_session_in_each_room(event, day_one):
    plenary, workshop = day_one["plenary"], day_one["workshop"]
    session_at(event, event.start_date, (12, 0), (13, 0), room=plenary, title_en="Panel")
    session_at(event, event.start_date, (14, 0), (15, 0), room=plenary, title_en="Later panel")
    session_at(event, event.start_date, (12, 30), (13, 0), room=workshop, title_en="Clinic")

    on = queries.now_and_next(event=event, now=sofia(event.start_date, 11, 15))

    assert [s.title for s in on.current] == ["Lunch"]
    assert [s.title for s in on.next] == ["Panel", "Clinic"]


def test_before_the_event_next_is_its_first_sessions(event, day_one):
    on = queries.now_and_next(
        event=event, now=sofia(event.start_date, 7, 0) - datetime.timedelta(days=3)
    )

    assert on.current == []
    assert [s.title for s in on.next] == ["Opening", "Data", "Lunch"]


def test_after_the_last_session_nothing_more_today_and_after_the_last_day_it_is_over(
    event, day_one
):
    evening = queries.now_and_next(event=event, now=sofia(event.end_date, 23, 0))
    next_day = queries.now_and_next(
        event=event, now=sofia(event.end_date, 0, 30) + datetime.timedelta(days=1)
    )

    assert (evening.current, evening.next, evening.over) == ([], [], False)
    assert (next_day.current, next_day.next, next_day.over) == ([], [], True)


def test_now_page_is_rendered_afresh_on_every_request(client):
    event = EventFactory(
        start_date=timezone.localdate() - datetime.timedelta(days=1),
        end_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    room = RoomFactory(venue=event.venue)
    now = timezone.now()
    SessionFactory(
        event=event,
        room=room,
        start=now - datetime.timedelta(minutes=10),
        end=now + datetime.timedelta(minutes=50),
        title_en="Going on",
    )
    address = url("events:now", slug=event.slug)

    first = client.get(address)
    SessionFactory(
        event=event,
        room=RoomFactory(venue=event.venue),
        start=now - datetime.timedelta(minutes=5),
        end=now + datetime.timedelta(minutes=5),
        title_en="Started meanwhile",
    )
    second = client.get(address)

    assert "Going on" in first.content.decode()
    assert "Started meanwhile" in second.content.decode()
    assert "no-store" in second["Cache-Control"]
    assert "ETag" not in second
    body = second.content.decode()
    # Refreshed by a static script, or by the link without it; no meta refresh.
    assert 'data-refresh-seconds="60"' in body
    assert '<script src="/static/js/now-refresh.js" defer></script>' in body
    assert f'<a href="{address}">Refresh</a>' in body
    assert "http-equiv" not in body


def test_now_page_in_bulgarian_says_when_nothing_is_on(client, event, day_one):
    # The factory's event is in 2030: nothing is on yet, its first sessions come next.
    body = client.get(url("events:now", "bg", slug=event.slug)).content.decode()

    assert "<h1>Сега и след това</h1>" in body
    assert "В момента не тече сесия." in body
    assert day_one["opening"].title_bg in body


@pytest.mark.parametrize("sessions", [2, 30])
def test_now_query_count_does_not_grow(client, django_assert_num_queries, sessions):
    event = EventFactory()
    rooms = RoomFactory.create_batch(3, venue=event.venue)
    for n in range(sessions):
        start = sofia(event.start_date, 8) + datetime.timedelta(minutes=10 * n)
        session = SessionFactory(
            event=event, start=start, end=start + datetime.timedelta(minutes=10), room=rooms[n % 3]
        )
        SessionSpeakerFactory(session=session)
    # the event, the next start, the sessions with room and track, their speakers,
    # interpretation and materials
    with django_assert_num_queries(6):
        client.get(url("events:now", slug=event.slug))
