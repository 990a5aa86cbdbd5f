import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from registrations.models import Notification, Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def admin_url(view: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


@pytest.fixture
def manager_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return client


@pytest.fixture
def event(db):
    return OpenEventFactory(capacity=2, title_en="Crossroads")


def test_registration_managers_group_has_exactly_its_permissions():
    codenames = set(
        Group.objects.get(name="Registration managers").permissions.values_list(
            "codename", flat=True
        )
    )
    assert codenames == {
        "change_registration",
        "view_registration",
        "export_registration",
        "add_lettertemplate",
        "change_lettertemplate",
        "view_lettertemplate",
        "view_exportrecord",
        "view_sessionsignup",
        "add_delegation",
        "change_delegation",
        "delete_delegation",
        "view_delegation",
        "view_notification",
        "add_message",
        "view_message",
        "add_privacynotice",
        "change_privacynotice",
        "view_privacynotice",
        "view_event",
        "view_session",
        "view_organisation",
        "view_user",
    }


def test_agenda_editor_cannot_see_registrations(client, agenda_editor, event):
    RegistrationFactory(event=event)
    client.force_login(agenda_editor)
    assert client.get(admin_url("registrations_registration_changelist")).status_code == 403


@pytest.mark.parametrize("language", ["bg", "en"])
def test_manager_opens_registration_list_and_change_page(manager_client, event, language):
    registration = RegistrationFactory(event=event, family_name="Huber")
    html = manager_client.get(
        admin_url("registrations_registration_changelist", language=language)
    ).content.decode()
    assert registration.reference in html
    page = manager_client.get(
        admin_url("registrations_registration_change", registration.pk, language=language)
    )
    assert page.status_code == 200
    assert 'name="reference"' not in page.content.decode()  # read-only


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "waitlisted"}, ["Waiting"]),
        ({"q": "Huber"}, ["Huber"]),
        ({"language__exact": "bg"}, ["Waiting"]),
        ({"country": "HR"}, ["Novak"]),
    ],
)
def test_registration_list_filters_and_search(manager_client, event, query, expected):
    RegistrationFactory(event=event, family_name="Huber", country="AT")
    RegistrationFactory(event=event, family_name="Novak", country="HR")
    RegistrationFactory(event=event, family_name="Waiting", status=Status.WAITLISTED, language="bg")
    html = manager_client.get(
        admin_url("registrations_registration_changelist"), query
    ).content.decode()
    for name in ["Huber", "Novak", "Waiting"]:
        assert (f">{name}<" in html) == (name in expected), name


def test_registration_list_filters_by_session(manager_client, event):
    workshop = SessionFactory(event=event, capacity=5)
    signed = RegistrationFactory(event=event, family_name="Signed")
    signed.signups.create(session=workshop, status="confirmed")
    RegistrationFactory(event=event, family_name="Other")
    html = manager_client.get(
        admin_url("registrations_registration_changelist"), {"session": workshop.pk}
    ).content.decode()
    assert ">Signed<" in html
    assert ">Other<" not in html


def test_bulk_approve_goes_through_the_rules_and_sends_messages(
    manager_client, event, mailoutbox, django_capture_on_commit_callbacks
):
    event.requires_approval = True
    event.save()
    pending = RegistrationFactory(event=event, status=Status.PENDING)
    cancelled = RegistrationFactory(event=event, status=Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            admin_url("registrations_registration_changelist"),
            {"action": "approve", "_selected_action": [pending.pk, cancelled.pk], "post": "yes"},
            follow=True,
        )
    html = response.content.decode()
    assert "1 approved." in html
    assert f"{cancelled.reference} cannot be approved: it is Cancelled." in html
    pending.refresh_from_db()
    cancelled.refresh_from_db()
    assert (pending.status, cancelled.status) == (Status.CONFIRMED, Status.CANCELLED)
    assert [m.to for m in mailoutbox] == [[pending.user.email]]


def test_bulk_decline_promotes_the_waiting_list(
    manager_client, event, django_capture_on_commit_callbacks
):
    first, _ = RegistrationFactory.create_batch(2, event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED, queued_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            admin_url("registrations_registration_changelist"),
            {"action": "decline", "_selected_action": [first.pk], "post": "yes"},
        )
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert waiting.notifications.get().kind == Notification.Kind.PROMOTED


def test_bulk_move_to_waitlist(manager_client, event):
    registration = RegistrationFactory(event=event)
    manager_client.post(
        admin_url("registrations_registration_changelist"),
        {"action": "move_to_waitlist", "_selected_action": [registration.pk], "post": "yes"},
    )
    registration.refresh_from_db()
    assert registration.status == Status.WAITLISTED


def test_bulk_resend_after_a_failed_message(
    manager_client, event, settings, mailoutbox, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=event)
    Notification.objects.create(
        registration=registration,
        kind="confirmed",
        language="en",
        status="failed",
        error="SMTPServerDisconnected",
    )
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            admin_url("registrations_registration_changelist"),
            {"action": "resend", "_selected_action": [registration.pk]},
        )
    assert len(mailoutbox) == 1
    assert registration.notifications.filter(status="sent").count() == 1


def test_failed_messages_are_visible_in_the_admin(manager_client, event):
    registration = RegistrationFactory(event=event)
    Notification.objects.create(
        registration=registration,
        kind="confirmed",
        language="en",
        status="failed",
        error="SMTPServerDisconnected",
    )
    html = manager_client.get(
        admin_url("registrations_notification_changelist"), {"status__exact": "failed"}
    ).content.decode()
    assert "SMTPServerDisconnected" in html


def test_event_admin_shows_figures_against_capacity(manager_client, event):
    workshop = SessionFactory(event=event, capacity=5, title_en="Secondary movements")
    confirmed = RegistrationFactory(event=event)
    confirmed.signups.create(session=workshop, status="confirmed")
    RegistrationFactory(event=event, status=Status.WAITLISTED)
    RegistrationFactory(event=event, status=Status.PENDING)
    html = manager_client.get(admin_url("events_event_change", event.pk)).content.decode()
    assert "1 confirmed of 2, 1 waiting, 1 pending approval" in html
    assert "Secondary movements" in html
    assert "1 confirmed of 5, 0 waiting" in html
    listing = manager_client.get(admin_url("events_event_changelist")).content.decode()
    assert "1 confirmed of 2, 1 waiting, 1 pending approval" in listing


def test_delegation_admin_shows_members_against_quota(manager_client, event):
    delegation = DelegationFactory(event=event, quota=3, name_en="IOM Austria")
    RegistrationFactory.create_batch(2, event=event, delegation=delegation)
    RegistrationFactory(event=event, delegation=delegation, status=Status.CANCELLED)
    html = manager_client.get(admin_url("registrations_delegation_changelist")).content.decode()
    assert '<td class="field-members">2</td>' in html
    assert '<td class="field-quota">3</td>' in html


def test_privacy_notice_already_accepted_cannot_be_rewritten(manager_client, event):
    notice = PrivacyNoticeFactory()
    RegistrationFactory(event=event, privacy_notice=notice)
    html = manager_client.get(
        admin_url("registrations_privacynotice_change", notice.pk)
    ).content.decode()
    assert 'name="text_en"' not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "view", ["registrations_registration_changelist", "registrations_delegation_changelist"]
)
def test_admin_list_query_count_does_not_grow(manager_client, event, view):
    delegation = DelegationFactory(event=event)
    RegistrationFactory(event=event, delegation=delegation)
    one = _queries(manager_client, admin_url(view))
    DelegationFactory.create_batch(2, event=event)
    RegistrationFactory.create_batch(2, event=event, delegation=delegation)
    assert _queries(manager_client, admin_url(view)) == one


def test_registrations_cannot_be_deleted_only_cancelled(manager_client, event):
    first = RegistrationFactory(event=event)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED, queued_at=timezone.now())
    url = admin_url("registrations_registration_changelist")
    assert "delete_selected" not in manager_client.get(url).content.decode()
    manager_client.post(url, {"action": "cancel", "_selected_action": [first.pk], "post": "yes"})
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == (Status.CANCELLED, Status.CONFIRMED)


def test_raising_the_capacity_in_the_admin_promotes_the_waiting(client, event):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    RegistrationFactory.create_batch(2, event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED, queued_at=timezone.now())
    page = client.get(admin_url("events_event_change", event.pk))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, **{f.name: f.value() for f in form}}.items()
        if value is not None
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for field in management:
            data[field.html_name] = field.value()
    data["organisers"] = []
    data["capacity"] = 3
    data["registration_opens_0"] = event.registration_opens.strftime("%Y-%m-%d")
    data["registration_opens_1"] = "00:00"
    data["registration_closes_0"] = event.registration_closes.strftime("%Y-%m-%d")
    data["registration_closes_1"] = "23:59"
    response = client.post(admin_url("events_event_change", event.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_new_invitation_code_replaces_the_old(manager_client, event):
    delegation = DelegationFactory(event=event)
    old = delegation.invitation_code
    manager_client.post(
        admin_url("registrations_delegation_changelist"),
        {"action": "renew_invitation", "_selected_action": [delegation.pk]},
    )
    delegation.refresh_from_db()
    assert delegation.invitation_code != old
    assert len(delegation.invitation_code) == len("K7QX-M3PT-9HWR")


def test_managers_see_delegate_accounts_but_not_staff_accounts(manager_client):
    UserFactory(email="delegate@example.org")
    UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    html = manager_client.get(admin_url("accounts_user_changelist")).content.decode()
    assert "delegate@example.org" in html
    assert "admin@example.org" not in html


@pytest.mark.parametrize(
    "view", ["registrations_delegation_add", "registrations_lettertemplate_add"]
)
def test_admin_add_pages_ignore_malformed_prefill(client, view):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(admin_url(view) + "?event=abc&head=x&organisation=%20").status_code == 200
