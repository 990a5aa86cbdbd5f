"""`load_demo`: the 2018 conference stays in the past, closed; the demonstration copy is
upcoming and open, and every delegate flow works on it through the real pages."""

import datetime
import re

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from demo import builder, content
from events.models import (
    Announcement,
    Event,
    Organisation,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from registrations.models import (
    Delegation,
    LetterTemplate,
    Notification,
    PrivacyNotice,
    Registration,
)
from tests.factories import RegistrationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    Organisation,
    Venue,
    Room,
    Event,
    Track,
    Speaker,
    Session,
    SessionSpeaker,
    Announcement,
    Delegation,
    PrivacyNotice,
    LetterTemplate,
]

FORM = {
    "honorific": "Ms.",
    "given_name": "Anna",
    "family_name": "Huber",
    "position": "Migration officer",
    "organisation": "IOM Austria",
    "country": "AT",
    "phone": "+43 1 5812222",
    "language": "en",
    "privacy_accepted": "on",
}


def _snapshot() -> str:
    return "".join(serializers.serialize("json", model.objects.order_by("pk")) for model in MODELS)


def _today() -> datetime.date:
    return timezone.localdate(timezone=builder.TZ)


def _section(html: str, heading: str) -> str:
    match = re.search(rf'<section[^>]* aria-labelledby="{heading}">(.*?)</section>', html, re.S)
    assert match is not None, heading
    return match.group(1)


def _local_times(event: Event) -> list[tuple[int, datetime.time, datetime.time, str]]:
    """The programme as (day from the first, start, end, title), wherever the event is."""
    return sorted(
        (
            (s.start.astimezone(builder.TZ).date() - event.start_date).days,
            s.start.astimezone(builder.TZ).time(),
            s.end.astimezone(builder.TZ).time(),
            s.title_en,
        )
        for s in event.sessions.all()
    )


@pytest.fixture
def demo(db):
    call_command("load_demo")
    return Event.objects.get(slug="emn-2018"), Event.objects.get(slug="emn-demo")


# --- loading ----------------------------------------------------------------------------


def test_loading_twice_changes_nothing():
    call_command("load_demo")
    first = _snapshot()
    call_command("load_demo")
    assert _snapshot() == first
    assert sorted(Event.objects.values_list("slug", flat=True)) == ["emn-2018", "emn-demo"]


def test_loading_on_a_later_day_keeps_the_demonstration_where_it_is(demo):
    first = _snapshot()
    builder.load_demo(today=_today() + datetime.timedelta(days=1))
    builder.load_demo(today=_today() + datetime.timedelta(days=14))
    assert _snapshot() == first


def test_loading_once_the_demonstration_is_near_moves_it_four_weeks_after_that_day(demo):
    _past, upcoming = demo
    programme = _local_times(upcoming)
    registration = RegistrationFactory(event=upcoming)
    sessions = set(upcoming.sessions.values_list("pk", flat=True))
    later = upcoming.start_date - datetime.timedelta(days=13)

    _past, moved = builder.load_demo(today=later)

    assert moved.pk == upcoming.pk
    assert (moved.start_date, moved.end_date) == (
        later + datetime.timedelta(days=28),
        later + datetime.timedelta(days=29),
    )
    assert set(moved.sessions.values_list("pk", flat=True)) == sessions
    assert _local_times(moved) == programme
    for session in moved.sessions.all():
        session.full_clean()
    assert (moved.registration_opens, moved.registration_closes) == (
        datetime.datetime.combine(later, datetime.time(0), tzinfo=builder.TZ),
        datetime.datetime.combine(
            moved.start_date - datetime.timedelta(days=1), datetime.time(18), tzinfo=builder.TZ
        ),
    )
    assert Announcement.objects.get(event=moved).published_at == datetime.datetime.combine(
        moved.start_date, datetime.time(13), tzinfo=builder.TZ
    )
    registration.refresh_from_db()
    assert (registration.event_id, registration.status) == (
        moved.pk,
        Registration.Status.CONFIRMED,
    )


def test_the_demonstration_copies_the_programme_four_weeks_after_the_day_it_is_loaded(demo):
    past, upcoming = demo
    assert (upcoming.start_date, upcoming.end_date) == (
        _today() + datetime.timedelta(days=28),
        _today() + datetime.timedelta(days=29),
    )
    assert _local_times(upcoming) == _local_times(past)
    assert (upcoming.theme_en, upcoming.theme_bg) == (past.theme_en, past.theme_bg)
    assert (upcoming.topics_en, upcoming.topics_bg) == (past.topics_en, past.topics_bg)
    assert (upcoming.aims_en, upcoming.aims_bg) == (past.aims_en, past.aims_bg)
    assert (upcoming.venue, upcoming.time_zone) == (past.venue, "Europe/Sofia")
    assert [(t.name_bg, t.name_en, t.colour) for t in upcoming.tracks.all()] == [
        (t.name_bg, t.name_en, t.colour) for t in past.tracks.all()
    ]
    assert sorted(
        SessionSpeaker.objects.filter(session__event=upcoming).values_list(
            "session__title_en", "speaker__slug", "role"
        )
    ) == sorted(
        SessionSpeaker.objects.filter(session__event=past).values_list(
            "session__title_en", "speaker__slug", "role"
        )
    )
    assert sorted(
        Delegation.objects.filter(event=upcoming).values_list("name_bg", "name_en", "quota")
    ) == [
        ("МОМ Австрия", "IOM Austria", 3),
        ("МОМ Литва", "IOM Lithuania", 3),
        ("МОМ Словакия", "IOM Slovakia", 3),
        ("МОМ Хърватия", "IOM Croatia", 3),
    ]
    letter = LetterTemplate.objects.get(event=upcoming)
    letter.full_clean()
    assert (letter.body_bg, letter.body_en) == (content.LETTER_BG, content.LETTER_EN)
    news = Announcement.objects.get(event=upcoming)
    assert (news.body_bg, news.body_en) == (content.ANNOUNCEMENT_BG, content.ANNOUNCEMENT_EN)
    assert (upcoming.capacity, upcoming.reference_prefix) == (30, "DEMO")
    # Few seats in the workshops too, so that their waiting lists can be tried.
    assert sorted(
        upcoming.sessions.filter(capacity__isnull=False).values_list("title_en", "capacity")
    ) == [
        (
            "Addressing secondary movements through information exchange and interagency "
            "cooperation",
            10,
        ),
        ("New trends in migration management policies and practices", 10),
    ]


def test_the_demonstration_says_it_is_one_in_both_languages(demo):
    _past, upcoming = demo
    assert upcoming.title_en == "Demonstration: European Migration Network Annual Conference"
    assert upcoming.title_bg == (
        "Демонстрация: Годишна конференция на Европейската мрежа по миграция"
    )
    assert upcoming.description_en.startswith(
        "This is a demonstration: a copy of the programme of the 2018 conference"
    )
    assert upcoming.description_bg.startswith(
        "Това е демонстрация: копие на програмата на конференцията от 2018 г."
    )


# --- what visitors see ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "closed"), [("bg", "Регистрацията е затворена"), ("en", "Registration is closed")]
)
def test_the_2018_conference_is_past_with_registration_closed(client, demo, language, closed):
    home = client.get(f"/{language}/").content.decode()
    assert f'href="/{language}/events/emn-2018/"' in _section(home, "past-heading")
    assert f'href="/{language}/events/emn-2018/"' not in _section(home, "upcoming-heading")

    page = client.get(f"/{language}/events/emn-2018/").content.decode()
    box = _section(page, "registration-heading")
    assert f'<p class="registration-box__state">{closed}</p>' in box
    assert "/events/emn-2018/register/" not in page


@pytest.mark.parametrize(
    ("language", "title", "note", "open_", "register"),
    [
        (
            "bg",
            "Демонстрация: Годишна конференция на Европейската мрежа по миграция",
            "Това е демонстрация:",
            "Регистрацията е отворена",
            "Регистрация за събитието",
        ),
        (
            "en",
            "Demonstration: European Migration Network Annual Conference",
            "This is a demonstration:",
            "Registration is open",
            "Register for the event",
        ),
    ],
)
def test_the_demonstration_is_upcoming_with_registration_open(
    client, demo, language, title, note, open_, register
):
    home = client.get(f"/{language}/").content.decode()
    upcoming = _section(home, "upcoming-heading")
    assert f'href="/{language}/events/emn-demo/">{title}</a>' in upcoming
    assert "/events/emn-demo/" not in _section(home, "past-heading")

    page = client.get(f"/{language}/events/emn-demo/").content.decode()
    assert f"<h1>{title}</h1>" in page
    assert note in page
    box = _section(page, "registration-heading")
    assert f'<p class="registration-box__state">{open_}</p>' in box
    assert f'href="/{language}/events/emn-demo/register/">{register}</a>' in box


# --- delegates --------------------------------------------------------------------------


def _register(client, event: Event, email: str) -> Registration:
    client.force_login(VerifiedUserFactory(email=email))
    return _post_form(client, event, email)


def _post_form(client, event: Event, email: str) -> Registration:
    response = client.post(f"/en/events/{event.slug}/register/", FORM)
    registration = Registration.objects.get(event=event, user__email=email)
    assert response.status_code == 302
    assert response["Location"] == f"/en/registrations/{registration.reference}/"
    return registration


def test_registering_for_the_2018_conference_is_refused(client, demo):
    past, _upcoming = demo
    client.force_login(VerifiedUserFactory(email="anna.huber@example.org"))
    response = client.post("/en/events/emn-2018/register/", FORM)
    assert response.status_code == 200
    assert '<p class="notice">Registration is closed</p>' in response.content.decode()
    assert not Registration.objects.filter(event=past).exists()


def test_a_delegate_registers_for_the_demonstration_and_lands_confirmed(
    client, demo, mailoutbox, django_capture_on_commit_callbacks
):
    _past, upcoming = demo
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(client, upcoming, "anna.huber@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.reference.startswith("DEMO-")
    html = client.get(f"/en/registrations/{registration.reference}/").content.decode()
    assert '<dd class="status status--confirmed">Confirmed</dd>' in html
    [message] = mailoutbox
    assert message.to == ["anna.huber@example.org"]
    assert "is confirmed" in message.subject


def test_once_the_demonstration_is_full_the_next_waits_and_moves_up_when_one_cancels(
    client, demo, django_capture_on_commit_callbacks
):
    _past, upcoming = demo
    first = _register(client, upcoming, "first@example.org")
    for _ in range(builder.UPCOMING_CAPACITY - 1):
        RegistrationFactory(event=upcoming)
    assert Registration.objects.filter(event=upcoming).count() == 30

    client.force_login(VerifiedUserFactory(email="waiting@example.org"))
    box = _section(client.get("/en/events/emn-demo/").content.decode(), "registration-heading")
    assert "All places are taken: new registrations join the waiting list." in box
    assert 'href="/en/events/emn-demo/register/">Join the waiting list</a>' in box
    waiting = _post_form(client, upcoming, "waiting@example.org")
    assert waiting.status == Registration.Status.WAITLISTED

    client.force_login(first.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/registrations/{first.reference}/cancel/", {"confirm": "on"})
    assert response.status_code == 302
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == (
        Registration.Status.CANCELLED,
        Registration.Status.CONFIRMED,
    )
    assert list(waiting.notifications.values_list("kind", flat=True).order_by("pk")) == [
        Notification.Kind.WAITLISTED,
        Notification.Kind.PROMOTED,
    ]


# --- staff log-ins ----------------------------------------------------------------------


def test_demo_accounts_need_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", "--with-accounts")


def test_demo_accounts_log_into_the_admin(client, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-accounts")
    assert client.login(email="editor@example.org", password="emn-demo-editor")
    assert client.get("/en/admin/events/session/").status_code == 200
