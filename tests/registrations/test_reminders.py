"""Reminders before the event: once per confirmed delegate, in their language."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from registrations import services, tasks
from registrations.models import Notification, Registration
from tests.factories import (
    OpenEventFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    sofia,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
Kind = Notification.Kind


def sofia_today() -> datetime.date:
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo("Europe/Sofia")).date()


@pytest.fixture
def event(db):
    """Starts in two days; reminders go out three days before (the default)."""
    start = sofia_today() + datetime.timedelta(days=2)
    return OpenEventFactory(
        title_en="Crossroads",
        title_bg="Кръстопът",
        start_date=start,
        end_date=start + datetime.timedelta(days=1),
        registration_closes=None,
    )


@pytest.fixture
def people(event):
    workshop = SessionFactory(
        event=event,
        capacity=20,
        title_en="Secondary movements",
        title_bg="Вторични движения",
        room=RoomFactory(venue=event.venue, name_en="Hall A", name_bg="Зала А"),
        start=sofia(event.start_date, 16),
    )
    zdravka = RegistrationFactory(
        event=event, given_name="Здравка", family_name="Златанова", language="bg"
    )
    zdravka.signups.create(session=workshop, status="confirmed")
    return {
        "zdravka": zdravka,
        "anna": RegistrationFactory(event=event, given_name="Anna", family_name="Huber"),
        "cancelled": RegistrationFactory(event=event, status=Status.CANCELLED),
        "waiting": RegistrationFactory(event=event, status=Status.WAITLISTED),
        "pending": RegistrationFactory(event=event, status=Status.PENDING),
    }


def test_a_new_event_reminds_three_days_before():
    assert OpenEventFactory().reminder_days == 3


def test_reminders_go_out_once_even_when_the_task_runs_twice(
    event, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reminders_send() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reminders_send() == 0
    reminded = Notification.objects.filter(kind=Kind.REMINDER)
    assert sorted(reminded.values_list("registration__given_name", "language", "status")) == [
        ("Anna", "en", "sent"),
        ("Здравка", "bg", "sent"),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [people["zdravka"].user.email, people["anna"].user.email]
    )


def test_cancelled_waiting_and_pending_registrations_get_no_reminder(event, people):
    services.reminders_queue()
    for name in ("cancelled", "waiting", "pending"):
        assert not people[name].notifications.exists()


def test_the_database_refuses_a_second_reminder(event, people):
    Notification.objects.create(registration=people["anna"], kind=Kind.REMINDER, language="en")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(registration=people["anna"], kind=Kind.REMINDER, language="en")
    assert services.reminders_queue() == 1  # Здравка's only


def test_the_reminder_holds_sessions_venue_badge_and_calendar_in_the_delegates_language(
    event, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_queue()
    by_address = {m.to[0]: m for m in mailoutbox}
    bulgarian = by_address[people["zdravka"].user.email]
    reference = people["zdravka"].reference
    assert bulgarian.subject == f"Кръстопът наближава: практическа информация за вас ({reference})"
    text = bulgarian.body
    assert "Конференцията наближава." in text
    assert f"Къде: {event.venue.name_bg}, {event.venue.city_bg}" in text
    day = event.start_date.day
    months = ["", "януари", "февруари", "март", "април", "май", "юни", "юли", "август"]
    months += ["септември", "октомври", "ноември", "декември"]
    when = f"{day} {months[event.start_date.month]}, 16:00"
    assert f"Вашите сесии:\n- {when}, Зала А: Вторични движения\n" in text
    assert f"Вашият бадж: http://127.0.0.1:8000/bg/registrations/{reference}/badge.pdf" in text
    token = people["zdravka"].calendar_token
    assert f"Вашите сесии в календара ви: http://127.0.0.1:8000/bg/calendar/{token}.ics" in text
    [(filename, calendar, kind)] = bulgarian.attachments
    assert (filename, kind.split(";")[0]) == (f"{event.slug}.ics", "text/calendar")
    assert "SUMMARY:Кръстопът" in calendar
    english = by_address[people["anna"].user.email].body
    assert "You have not signed up for any session with limited seats" in english
    assert "Your sessions in your calendar" not in english


@pytest.mark.parametrize(
    ("days_before_start", "due"),
    [(4, False), (3, True), (1, True), (0, False), (-1, False)],
)
def test_reminders_are_due_from_their_day_until_the_event_starts(event, days_before_start, due):
    now = timezone.now()
    event.start_date = sofia_today() + datetime.timedelta(days=days_before_start)
    assert event.reminders_due(now) is due


def test_an_event_without_reminders_sends_none(event, people):
    event.reminder_days = None
    event.save()
    assert services.reminders_queue() == 0


def test_an_event_too_far_ahead_sends_none_yet(event, people):
    event.reminder_days = 1
    event.save()
    assert services.reminders_queue() == 0


def test_a_reminder_after_the_days_allowed_is_refused(event):
    event.reminder_days = 61
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert list(error.value.message_dict) == ["reminder_days"]


def test_the_reminders_task_is_scheduled_with_celery_beat():
    assert settings.CELERY_BEAT_SCHEDULE["reminders"] == {
        "task": "registrations.tasks.reminders_send",
        "schedule": 3600.0,
    }


@pytest.mark.parametrize("language", ["bg", "en"])
def test_the_event_admin_offers_the_reminder_days(admin_client, event, language):
    with translation.override(language):
        url = reverse("admin:events_event_change", args=[event.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="reminder_days" value="3"' in html
    label = {"bg": "Напомняне (дни преди)", "en": "Reminder (days before)"}[language]
    assert label in html
