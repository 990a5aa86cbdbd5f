"""A delegate sees everything held on them, in their language, and downloads it as JSON."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from outbox.models import Email
from registrations import services
from registrations.models import ExportRecord, LetterTemplate, Notification, Registration
from tests.factories import (
    PASSPORT,
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    SessionFactory,
    VerifiedUserFactory,
    details,
)

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def anna(db, django_capture_on_commit_callbacks):
    """A delegate with a registration, a session seat, a visa letter, a message, a second
    address, a delegation she leads and an export of her event."""
    PrivacyNoticeFactory()
    user = VerifiedUserFactory(email="anna.huber@example.org")
    EmailAddress.objects.create(user=user, email="anna@home.example", verified=False)
    event = OpenEventFactory(slug="emn-2030", title_en="Crossroads", title_bg="Кръстопът")
    LetterTemplate.objects.create(
        event=event,
        letterhead="Ministry",
        place="Sofia",
        body="Dear {name}",
        signatory_name="Ivan Petrov",
        signatory_position="Director",
    )
    workshop = SessionFactory(
        event=event, title_en="Smart borders", title_bg="Интелигентни граници", capacity=5
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register_and_approve_letter(event, user, workshop)
    DelegationFactory(event=event, head=user, name_en="IOM Austria", name_bg="МОМ Австрия")
    ExportRecord.objects.create(
        via="admin", event=event, dataset="catering", format="xlsx", language="en", rows=12
    )
    Email.objects.create(
        to="anna.huber@example.org", from_email="x@example.org", subject="Confirm your email"
    )
    Email.objects.create(
        to="someone.else@example.org", from_email="x@example.org", subject="Not hers"
    )
    return registration


def _register_and_approve_letter(event, user, workshop) -> Registration:
    registration = services.registration_create(
        event=event,
        user=user,
        details=details(
            phone="+43 1 5812222",
            dietary_requirements="vegetarian",
            accessibility_needs="step-free access",
            needs_visa_letter=True,
            **PASSPORT,
            language="bg",
        ),
        sessions=[workshop],
        privacy_accepted=True,
        by=user,
    )
    return services.visa_letter_approve(registration=registration, by=None)


def test_my_data_needs_signing_in(client):
    response = client.get(url("privacy:data"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("account_login"))
    assert client.get(url("privacy:data_json")).status_code == 302


def test_my_data_shows_every_field_of_every_registration_in_the_page_language(client, anna):
    client.force_login(anna.user)
    response = client.get(url("privacy:data", "bg"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "<h1>Моите данни</h1>" in html
    for label, value in [
        ("Номер", anna.reference),
        ("Статус", "Потвърдена"),
        ("Собствено име", "Anna"),
        ("Фамилия", "Huber"),
        ("Телефон", "+43 1 5812222"),
        ("Хранителни изисквания", "vegetarian"),
        ("Нужди от достъпност", "step-free access"),
        ("Предпочитан език", "български"),
        ("Нужно е писмо-покана за виза", "да"),
    ]:
        assert f"<div><dt>{label}</dt><dd>{value}</dd></div>" in html, label
    assert "<li>Интелигентни граници: Потвърдена (от " in html
    assert "Писмо-покана за виза: одобрено на" in html
    assert "МОМ Австрия" in html
    assert "anna@home.example · не е потвърден" in html
    assert "Confirm your email" in html
    assert "Not hers" not in html
    assert ": Кетъринг (хранителни изисквания) (XLSX)</li>" in html


def test_my_data_lists_the_messages_sent(client, anna):
    client.force_login(anna.user)
    html = client.get(url("privacy:data")).content.decode()
    kinds = list(anna.notifications.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Notification.Kind.CONFIRMED, Notification.Kind.VISA_LETTER]
    assert ": Confirmation · Sent</li>" in html
    assert ": Visa invitation letter · Sent</li>" in html


def test_the_download_holds_the_same_as_a_json_file_never_cached(client, anna):
    client.force_login(anna.user)
    response = client.get(url("privacy:data_json", "bg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="my-data-{timezone.localdate():%Y%m%d}.json"'
    )
    data = json.loads(response.content)
    assert data["language"] == "bg"
    assert data["account"]["email"] == "anna.huber@example.org"
    assert data["account"]["two_factor"] == []
    assert data["email_addresses"] == [
        {"email": "anna.huber@example.org", "verified": True, "primary": True},
        {"email": "anna@home.example", "verified": False, "primary": False},
    ]
    [registration] = data["registrations"]
    assert registration["reference"] == anna.reference
    assert registration["event"] == {"slug": "emn-2030", "title": "Кръстопът"}
    assert registration["status"] == "confirmed"
    assert registration["status_label"] == "Потвърдена"
    assert {
        key: registration[key]
        for key in ("given_name", "family_name", "phone", "dietary_requirements", "language")
    } == {
        "given_name": "Anna",
        "family_name": "Huber",
        "phone": "+43 1 5812222",
        "dietary_requirements": "vegetarian",
        "language": "bg",
    }
    assert registration["privacy_notice"] == "2030-01"
    assert registration["privacy_accepted_at"] == anna.privacy_accepted_at.isoformat()
    assert [s["session"] for s in registration["session_signups"]] == ["Интелигентни граници"]
    assert [m["kind"] for m in registration["messages"]] == ["confirmed", "visa_letter"]
    assert registration["documents"]["badge_and_confirmation"] is True
    assert registration["documents"]["visa_letter_approved_at"] is not None
    assert [(e["list"], e["rows"]) for e in registration["documents"]["organiser_exports"]] == [
        ("catering", 12)
    ]
    assert data["delegations_led"] == [
        {
            "event": {"slug": "emn-2030", "title": "Кръстопът"},
            "delegation": "МОМ Австрия",
            "country": "AT",
        }
    ]
    assert [m["subject"] for m in data["account_messages"]] == ["Confirm your email"]


def test_another_persons_data_is_not_in_mine(client, anna):
    other = VerifiedUserFactory(email="other@example.org")
    client.force_login(other)
    data = json.loads(client.get(url("privacy:data_json")).content)
    assert data["registrations"] == []
    assert data["delegations_led"] == []
    assert "anna" not in json.dumps(data)


def test_exports_made_before_registering_are_not_listed_as_holding_me(client, anna):
    ExportRecord.objects.filter(event=anna.event).update(
        created_at=anna.created_at - datetime.timedelta(days=1)
    )
    client.force_login(anna.user)
    data = json.loads(client.get(url("privacy:data_json")).content)
    assert data["registrations"][0]["documents"]["organiser_exports"] == []


def test_my_data_costs_the_same_queries_however_many_registrations(
    client, anna, django_assert_max_num_queries
):
    client.force_login(anna.user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url("privacy:data_json"))
    for _ in range(3):
        event = OpenEventFactory()
        services.registration_create(
            event=event, user=anna.user, details=details(), privacy_accepted=True, by=None
        )
    with CaptureQueriesContext(connection) as four:
        client.get(url("privacy:data_json"))
    assert Registration.objects.filter(user=anna.user).count() == 4
    assert len(four) == len(one)


def test_my_registrations_and_the_account_menu_link_to_my_data(client, anna):
    client.force_login(anna.user)
    html = client.get(url("registrations:mine")).content.decode()
    assert f'<li><a href="{url("privacy:data")}">My data</a></li>' in html
    assert (
        f'<li><a href="{url("privacy:data")}">See and download the data we hold about you</a></li>'
        in html
    )
    assert f'<li><a href="{url("privacy:delete")}">Delete my account</a></li>' in html


def test_staff_pages_are_not_needed_to_see_ones_data(client, anna):
    manager = VerifiedUserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(manager)
    data = json.loads(client.get(url("privacy:data_json")).content)
    assert data["account"]["email"] == manager.email
    assert data["registrations"] == []


def test_my_data_says_when_i_was_checked_in_but_not_by_whom(client, anna):
    door = VerifiedUserFactory(email="door@example.org")
    workshop = anna.signups.get().session
    services.checkin_record(event=anna.event, code=anna.reference, by=door, device="door-1")
    services.checkin_record(event=anna.event, code=anna.reference, by=door)  # a repeat
    services.checkin_record(event=anna.event, code=anna.reference, by=door, session=workshop)
    client.force_login(anna.user)

    html = client.get(url("privacy:data")).content.decode()
    data = json.loads(client.get(url("privacy:data_json", "bg")).content)

    [registration] = data["registrations"]
    assert [c["session"] for c in registration["checkins"]] == [None, "Интелигентни граници"]
    assert ": at the door</li>" in html
    assert ": Smart borders</li>" in html
    assert "door@example.org" not in html and "door-1" not in html
