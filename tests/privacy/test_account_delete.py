"""Deleting an account: by its owner with the password, or by staff on a request received by
post. Each registration is anonymised, a seat it held goes to the next in line, and nothing
left in the database identifies the person."""

import datetime
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from history.models import Entry
from history.services import REMOVED
from outbox.models import Email
from privacy import services
from registrations import services as registration_services
from registrations.models import Delegation, Notification, Registration
from tests.factories import (
    DelegationFactory,
    EventFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VerifiedUserFactory,
    details,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
Status = Registration.Status
PASSWORD = "correct horse battery staple"  # the factories' password


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


@pytest.fixture
def zora(db):
    """A delegate whose details are unlike anything else in the database."""
    return VerifiedUserFactory(email="zora.kvist@example.org")


def register(event, user, **overrides) -> Registration:
    return registration_services.registration_create(
        event=event,
        user=user,
        details=details(
            honorific="Dr.",
            given_name="Зорница",
            family_name="Квист",
            given_name_latin="Zornitsa",
            family_name_latin="Kvist",
            position="Chief Zoologist",
            organisation="Xylophone Institute",
            phone="+359 88 765 4321",
            dietary_requirements="no quinces",
            accessibility_needs="hearing loop",
            interpretation_language="bg",
            **overrides,
        ),
        privacy_accepted=True,
        by=user,
    )


# --- by the person ---------------------------------------------------------------------------


def test_deleting_ones_account_with_the_password_removes_it_and_signs_out(client, zora):
    client.force_login(zora)
    response = client.post(url("privacy:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == url("events:home")
    assert not User.objects.filter(email="zora.kvist@example.org").exists()
    page = client.get(url("events:home")).content.decode()
    assert "Your account is deleted, and with it your personal data." in page
    assert client.get(url("privacy:data")).status_code == 302  # signed out


@pytest.mark.parametrize(
    ("language", "error"), [("en", "Incorrect password."), ("bg", "Грешна парола.")]
)
def test_a_wrong_password_deletes_nothing_and_says_so_in_the_page_language(
    client, zora, language, error
):
    client.force_login(zora)
    response = client.post(url("privacy:delete", language), {"password": "nope", "confirm": "on"})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert User.objects.filter(pk=zora.pk).exists()


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("en", "Tick the box to confirm that your account is to go."),
        ("bg", "Отбележете полето, за да потвърдите изтриването на профила си."),
    ],
)
def test_deleting_without_the_tick_deletes_nothing(client, zora, language, error):
    client.force_login(zora)
    response = client.post(url("privacy:delete", language), {"password": PASSWORD})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert User.objects.filter(pk=zora.pk).exists()


def test_the_delete_page_says_what_will_happen_to_each_registration(client, zora):
    registration = register(OpenEventFactory(title_en="Crossroads"), zora)
    client.force_login(zora)
    html = client.get(url("privacy:delete")).content.decode()
    assert f"Crossroads</span> · {registration.reference} · Confirmed</li>" in html
    assert "A registration for an event still to come is cancelled first" in html
    assert 'name="password"' in html


def test_a_head_of_delegation_is_asked_to_hand_it_over_first(client, zora):
    event = OpenEventFactory(title_en="Crossroads")
    DelegationFactory(event=event, head=zora, name_en="IOM Austria")
    client.force_login(zora)
    message = (
        "This account is the head of the delegation “IOM Austria” (Crossroads). Hand the "
        "delegation over first: once the organisers have appointed another head, the account "
        "can be deleted."
    )
    html = client.get(url("privacy:delete")).content.decode()
    assert message in html
    assert 'name="password"' not in html
    response = client.post(url("privacy:delete"), {"password": PASSWORD, "confirm": "on"})
    assert message in response.content.decode()
    assert User.objects.filter(pk=zora.pk).exists()


def test_the_head_of_a_past_delegation_may_go_and_it_keeps_no_head(zora):
    past = EventFactory(start_date=datetime.date(2018, 5, 14), end_date=datetime.date(2018, 5, 15))
    delegation = DelegationFactory(event=past, head=zora)
    services.account_delete(user=zora, by=zora)
    delegation.refresh_from_db()
    assert delegation.head is None


# --- what becomes of the registrations --------------------------------------------------------


def test_the_seat_goes_to_the_next_in_line_moved_up_by_the_system(
    zora, django_capture_on_commit_callbacks
):
    event = OpenEventFactory(capacity=1)
    held = register(event, zora)
    waiting = registration_services.registration_create(
        event=event,
        user=VerifiedUserFactory(),
        details=details(),
        privacy_accepted=True,
        by=None,
    )
    assert waiting.status == Status.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=zora, by=zora)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    promotion = Entry.objects.get(object_id=str(waiting.pk), action="promoted")
    assert promotion.actor is None
    assert promotion.actor_name == ""
    assert list(waiting.notifications.order_by("pk").values_list("kind", flat=True)) == [
        Notification.Kind.WAITLISTED,
        Notification.Kind.PROMOTED,
    ]
    held.refresh_from_db()
    assert (held.status, held.user, held.country.code, held.role) == (
        Status.CANCELLED,
        None,
        "AT",
        Registration.Role.DELEGATE,
    )
    assert (held.given_name, held.family_name, held.organisation) == ("—", "—", "—")
    assert (held.honorific, held.position, str(held.phone), held.dietary_requirements) == (
        "",
        "",
        "",
        "",
    )
    assert held.anonymised_at is not None
    assert held.notifications.count() == 0


def test_a_session_seat_goes_to_the_next_in_line_too(zora):
    event = OpenEventFactory()
    workshop = SessionFactory(event=event, capacity=1)
    registration_services.registration_create(
        event=event,
        user=zora,
        details=details(),
        sessions=[workshop],
        privacy_accepted=True,
        by=zora,
    )
    other = registration_services.registration_create(
        event=event,
        user=VerifiedUserFactory(),
        details=details(),
        sessions=[workshop],
        privacy_accepted=True,
        by=None,
    )
    services.account_delete(user=zora, by=zora)
    assert [s.status for s in other.signups.all()] == ["confirmed"]


def test_counts_per_country_and_status_of_a_past_event_are_unchanged(zora):
    past = EventFactory(start_date=datetime.date(2018, 5, 14), end_date=datetime.date(2018, 5, 15))
    RegistrationFactory(event=past, user=zora, country="BG", status=Status.CONFIRMED)
    RegistrationFactory(event=past, country="BG", status=Status.CONFIRMED)
    RegistrationFactory(event=past, country="AT", status=Status.CANCELLED)

    def counts():
        return sorted(
            Registration.objects.filter(event=past)
            .values_list("country", "status")
            .annotate(n=Count("pk"))
        )

    before = counts()
    services.account_delete(user=zora, by=zora)
    assert counts() == before == [("AT", "cancelled", 1), ("BG", "confirmed", 2)]


def test_nothing_left_in_the_database_identifies_the_person(
    client, zora, django_capture_on_commit_callbacks
):
    event = OpenEventFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, zora)
        registration_services.registration_update(
            registration=registration,
            details={"phone": "+359 88 111 2233", "dietary_requirements": "no quinces at all"},
            sessions=[],
            by=zora,
        )
    past = EventFactory(start_date=datetime.date(2018, 5, 14), end_date=datetime.date(2018, 5, 15))
    register_past = RegistrationFactory(event=past, user=zora, given_name="Zornitsa")
    # Staff changed things in the admin: Django's log and ours name her, and her address.
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    delegation = DelegationFactory(event=past)
    client.post(
        url("admin:registrations_delegation_change", object_id=delegation.pk),
        {
            "event": past.pk,
            "name_en": delegation.name_en,
            "name_bg": delegation.name_bg,
            "country": "AT",
            "head": zora.pk,
            "quota": "",
        },
    )
    assert Delegation.objects.get(pk=delegation.pk).head == zora
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[register_past],
        action_flag=CHANGE,
        change_message="changed",
        single_object=True,
    )
    Email.objects.create(to="Zora.Kvist@example.org", from_email="x@example.org", subject="Hi")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=zora, by=zora)

    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    for trace in [
        "zora.kvist",
        "Zora.Kvist",
        "Зорница",
        "Zornitsa",
        "Квист",
        "Kvist",
        "Xylophone",
        "Zoologist",
        "quinces",
        "hearing loop",
        "765 4321",
        "7654321",
        "1112233",
    ]:
        assert trace not in dump, trace


def test_the_history_keeps_what_happened_but_not_who(client, zora):
    registration = register(OpenEventFactory(), zora)
    services.account_delete(user=zora, by=zora)
    entries = Entry.objects.filter(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registration.pk),
    ).order_by("pk")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("registered", REMOVED),
        ("cancelled", REMOVED),
        ("anonymised", REMOVED),
    ]
    registered = entries[0].changes
    assert registered["given_name"] == [None, REMOVED]
    assert registered["country"] == [None, "AT"]
    assert registered["status"] == [None, "confirmed"]
    assert entries[2].changes["phone"] == [REMOVED, ""]
    deleted = Entry.objects.get(action="account_deleted")
    assert deleted.content_type == ContentType.objects.get_for_model(User)
    assert deleted.actor_name == REMOVED
    manager = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(manager)
    html = client.get(
        url("admin:registrations_registration_history", object_id=registration.pk)
    ).content.decode()
    assert "<td>A deleted account</td>" in html
    assert "<li>Given name: (removed) → —</li>" in html


# --- registration_anonymise on its own --------------------------------------------------------


def test_anonymising_twice_changes_nothing_more(zora):
    registration = register(OpenEventFactory(), zora)
    first = registration_services.registration_anonymise(registration=registration, by=None)
    entries = Entry.objects.count()
    again = registration_services.registration_anonymise(registration=first, by=None)
    assert again.anonymised_at == first.anonymised_at
    assert Entry.objects.count() == entries


def test_an_anonymised_registration_gets_no_message_and_its_calendar_address_stops(client, zora):
    registration = register(OpenEventFactory(), zora)
    token = registration.calendar_token
    registration_services.registration_anonymise(registration=registration, by=None)
    registration.refresh_from_db()
    assert registration.calendar_token != token
    assert client.get(url("registrations:personal_calendar", token=token)).status_code == 404
    with pytest.raises(Exception) as raised:
        registration_services.registration_resend(registration=registration, by=None)
    assert raised.value.messages == [
        f"{registration.reference} is anonymised: there is nobody to write to."
    ]


def test_an_anonymised_registration_is_read_only_in_the_admin(admin_client, zora):
    registration = register(OpenEventFactory(), zora)
    registration_services.registration_anonymise(registration=registration, by=None)
    response = admin_client.get(
        url("admin:registrations_registration_change", object_id=registration.pk)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="given_name"' not in html
    assert '<div class="readonly">—</div>' in html


# --- by staff, on a request received by post ---------------------------------------------------


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="admin@example.org"))
    return client


def changelist(language="en") -> str:
    return url("admin:accounts_user_changelist", language)


def test_staff_see_what_deleting_will_do_before_anything_is_done(superuser_client, zora):
    event = OpenEventFactory(capacity=1, title_en="Crossroads")
    held = register(event, zora)
    waiting = RegistrationFactory(
        event=event,
        reference="EMN30-WAITS",
        given_name="Ivan",
        family_name="Petrov",
        status=Status.WAITLISTED,
        queued_at=timezone.now(),
    )
    head = VerifiedUserFactory(email="head@example.org")
    DelegationFactory(event=event, head=head, name_en="IOM Austria")
    response = superuser_client.post(
        changelist(),
        {"action": "delete_personal_data", "_selected_action": [zora.pk, head.pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Delete these accounts and their personal data? |" in html
    assert "1 account will be deleted" in html
    assert (
        f'<th scope="row">zora.kvist@example.org</th>\n        '
        f"<td>{held.reference} (Crossroads, Confirmed)</td>"
    ) in html
    assert (
        '<th scope="row">EMN30-WAITS</th>\n        <td>Ivan Petrov</td>\n'
        "        <td>On the waiting list</td>\n        <td>Moved up from the waiting list</td>"
    ) in html
    assert "1 selected account will be kept" in html
    assert "This account is the head of the delegation “IOM Austria” (Crossroads)." in html
    # Nothing done yet.
    assert User.objects.filter(pk=zora.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


def test_staff_confirm_and_the_account_goes(superuser_client, zora):
    registration = register(OpenEventFactory(), zora)
    response = superuser_client.post(
        changelist(),
        {"action": "delete_personal_data", "_selected_action": [zora.pk], "post": "yes"},
        follow=True,
    )
    assert "1 accounts and their personal data deleted." in response.content.decode()
    assert not User.objects.filter(pk=zora.pk).exists()
    registration.refresh_from_db()
    assert registration.is_anonymised
    admin = User.objects.get(email="admin@example.org")
    assert Entry.objects.get(action="anonymised").actor == admin
    assert Entry.objects.get(action="account_deleted").actor_name == "admin@example.org"


def test_the_action_is_offered_in_bulgarian_too(superuser_client, zora):
    html = superuser_client.get(changelist("bg")).content.decode()
    option = "Изтриване на личните данни (искане, получено по пощата)"
    assert f'<option value="delete_personal_data">{option}</option>' in html


def test_plain_deletion_of_accounts_is_not_offered(superuser_client, zora):
    html = superuser_client.get(changelist()).content.decode()
    assert 'value="delete_selected"' not in html
    response = superuser_client.get(url("admin:accounts_user_delete", object_id=zora.pk))
    assert response.status_code == 403


def test_registration_managers_may_not_delete_accounts(client, zora):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(manager)
    response = client.post(
        changelist(),
        {"action": "delete_personal_data", "_selected_action": [zora.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert User.objects.filter(pk=zora.pk).exists()


@pytest.mark.parametrize("dataset", ["attendees", "delegations", "catering", "signin"])
def test_an_event_with_an_anonymised_registration_still_exports_without_the_person(zora, dataset):
    import csv

    event = OpenEventFactory()
    register(event, zora)
    RegistrationFactory(event=event, given_name="Ivan", family_name="Petrov")
    services.account_delete(user=zora, by=None)
    out = io.BytesIO()
    registration_services.export_write(
        event=event,
        registrations=Registration.objects.filter(event=event),
        dataset=dataset,
        file_format="csv",
        language="en",
        out=out,
        by=None,
        via="command",
    )
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert not [cell for row in rows for cell in row if "Зорница" in cell or "zora" in cell]
