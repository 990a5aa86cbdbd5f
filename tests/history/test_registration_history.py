"""Every change to a registration is recorded with who made it, and shown as its History."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from events.models import Event
from outbox.models import Email
from registrations.models import LetterTemplate, Registration
from tests.factories import (
    EventFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    UserFactory,
    VerifiedUserFactory,
)
from tests.locks import row_locked_elsewhere
from tests.registrations.test_admin import admin_url
from tests.registrations.test_views import form_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


@pytest.fixture
def manager(db):
    user = UserFactory(is_staff=True, email="manager@example.org")
    user.groups.add(Group.objects.get(name="Registration managers"))
    return user


def _history_rows(client, obj, view="registrations_registration_history") -> list[list[str]]:
    """[who, what, before and after] of each entry on the admin's History page, newest first."""
    html = client.get(admin_url(view, obj.pk)).content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells[1:]]
        for cells in (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows)
    ]


def _act(client, action: str, *registrations) -> None:
    """Runs a bulk action of the registration list, confirming it where it asks first."""
    client.post(
        admin_url("registrations_registration_changelist"),
        {"action": action, "_selected_action": [r.pk for r in registrations], "post": "yes"},
    )


def test_the_history_shows_each_change_with_who_made_it(client, manager):
    event = OpenEventFactory(capacity=1)
    holder = RegistrationFactory(event=event, given_name="Ivan", family_name="Petrov")
    anna = VerifiedUserFactory(email="anna.huber@example.org")
    client.force_login(anna)
    client.post(url("registrations:register", slug=event.slug), form_data(language="en"))
    registration = Registration.objects.get(user=anna)
    assert registration.status == Registration.Status.WAITLISTED
    client.post(
        url("registrations:edit", reference=registration.reference),
        form_data(language="en", position="Head of unit"),
    )

    client.force_login(manager)
    _act(client, "cancel", holder)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    promoted, edited, registered = _history_rows(client, registration)
    assert promoted == [
        "System",
        "Moved up from the waiting list",
        "Status: On the waiting list → Confirmed",
    ]
    assert edited == [
        "anna.huber@example.org",
        "Details changed",
        "Position: Migration officer → Head of unit",
    ]
    assert registered[:2] == ["anna.huber@example.org", "Registered"]
    assert "Family name: — → Huber" in registered[2]
    assert "Status: — → On the waiting list" in registered[2]
    assert _history_rows(client, holder)[0] == [
        "manager@example.org",
        "Cancelled",
        "Status: Confirmed → Cancelled",
    ]


def test_the_history_is_shown_in_bulgarian(client, manager):
    registration = RegistrationFactory(event=OpenEventFactory())
    client.force_login(manager)
    _act(client, "cancel", registration)
    html = client.get(
        admin_url("registrations_registration_history", registration.pk, language="bg")
    ).content.decode()
    assert "<td>Отменена</td>" in html
    assert "Статус: Потвърдена → Отменена" in html


def test_history_entries_have_no_admin_pages(admin_client):
    assert admin_client.get("/en/admin/history/entry/").status_code == 404


def test_agenda_changes_in_the_admin_are_recorded_with_before_and_after(client, agenda_editor):
    from tests.events.test_admin import _session_form

    event = EventFactory()
    client.force_login(agenda_editor)
    client.post(admin_url("events_session_add"), _session_form(event))
    session = event.sessions.get()
    client.post(
        admin_url("events_session_change", session.pk),
        _session_form(event, title_en="Smart borders and data"),
    )
    changed, added = _history_rows(client, session, "events_session_history")
    assert changed == [
        agenda_editor.email,
        "Changed",
        "Title [en]: Smart borders → Smart borders and data",
    ]
    assert added[:2] == [agenda_editor.email, "Added"]


def test_editing_what_an_approved_visa_letter_shows_withdraws_the_approval(client, manager):
    event = OpenEventFactory(contact_email="emn@mvr.bg")
    LetterTemplate.objects.create(
        event=event,
        letterhead_en="MoI",
        place_en="Sofia",
        body_en="We invite {name}.",
        signatory_name_en="Head",
        signatory_position_en="MoI",
    )
    anna = VerifiedUserFactory(email="anna.huber@example.org")
    client.force_login(anna)
    client.post(url("registrations:register", slug=event.slug), form_data(language="en"))
    registration = Registration.objects.get(user=anna)
    # Visa officers approve letters (they quote the passport).
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Visa officers"))
    client.force_login(officer)
    _act(client, "approve_visa_letters", registration)
    registration.refresh_from_db()
    assert registration.visa_letter_approved_at is not None

    client.force_login(anna)
    letter = url("registrations:visa_letter", reference=registration.reference)
    assert client.get(letter).status_code == 200
    client.post(
        url("registrations:edit", reference=registration.reference),
        form_data(language="en", phone="+43 1 5812223"),
    )
    registration.refresh_from_db()
    assert registration.visa_letter_approved_at is not None  # the letter shows no phone

    client.post(
        url("registrations:edit", reference=registration.reference),
        form_data(language="en", family_name="Huber-Novak"),
    )
    registration.refresh_from_db()
    assert registration.visa_letter_approved_at is None
    assert client.get(letter).status_code == 404
    [email] = Email.objects.filter(to="emn@mvr.bg")
    assert email.subject == f"Visa letter to approve again: {registration.reference}"
    client.force_login(manager)
    assert _history_rows(client, registration)[0][:2] == [
        "System",
        "Visa letter approval withdrawn",
    ]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_registration_that_cannot_get_the_event_lock_in_time_is_told_to_try_again(
    client, settings
):
    settings.EVENT_LOCK_TIMEOUT = 0.3
    event = OpenEventFactory(capacity=10)
    client.force_login(VerifiedUserFactory())
    with row_locked_elsewhere(Event, event.pk):
        response = client.post(url("registrations:register", "bg", slug=event.slug), form_data())
    assert (response.status_code, response["Retry-After"]) == (503, "1")
    assert "Много хора се регистрират в момента" in response.content.decode()
    assert Registration.objects.count() == 0


def test_staff_changing_what_an_approved_letter_shows_in_the_admin_withdraws_it(client):
    event = OpenEventFactory()
    registration = RegistrationFactory(event=event, needs_visa_letter=True)
    family_name = registration.family_name
    Registration.objects.filter(pk=registration.pk).update(visa_letter_approved_at=timezone.now())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = admin_url("registrations_registration_change", registration.pk)
    page = client.get(change)
    form = page.context["adminform"].form
    data = {f.html_name: f.value() for f in form if f.value() is not None}
    for formset in page.context["inline_admin_formsets"]:
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
    data["family_name"] = "Huber-Novak"
    assert client.post(change, data).status_code == 302
    registration.refresh_from_db()
    assert (registration.family_name, registration.visa_letter_approved_at) == ("Huber-Novak", None)
    withdrawn, changed, *_ = _history_rows(client, registration)
    assert withdrawn[:2] == ["System", "Visa letter approval withdrawn"]
    assert changed[1:] == ["Changed", f"Family name: {family_name} → Huber-Novak"]
