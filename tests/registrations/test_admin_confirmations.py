"""Bulk actions that change registrations and write to people ask first, through the real
admin: who is affected, which message each gets, who is left out and why, and one message as
its recipient will read it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from registrations.models import LetterTemplate, Notification, Registration
from tests.factories import PASSPORT, OpenEventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def changelist(language: str = "en") -> str:
    with translation.override(language):
        return reverse("admin:registrations_registration_changelist")


@pytest.fixture
def manager_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return client


@pytest.fixture
def event(db):
    return OpenEventFactory(capacity=2, title_en="Crossroads", title_bg="Кръстопът")


@pytest.fixture
def people(event):
    """Two holding the event's seats, one waiting for a seat, one who cancelled."""
    holder = RegistrationFactory(
        event=event, reference="EMN30-HOLDA", given_name="Anna", family_name="Huber"
    )
    RegistrationFactory(event=event, reference="EMN30-HOLDB")
    waiting = RegistrationFactory(
        event=event,
        reference="EMN30-WAITS",
        given_name="Иван",
        family_name="Петров",
        language="bg",
        status=Status.WAITLISTED,
        queued_at=timezone.now(),
    )
    gone = RegistrationFactory(
        event=event, reference="EMN30-GONEE", family_name="Novak", status=Status.CANCELLED
    )
    return holder, waiting, gone


def _statuses() -> dict[str, str]:
    return dict(Registration.objects.values_list("reference", "status"))


def test_bulk_cancel_shows_what_it_will_do_and_does_nothing_yet(
    manager_client, people, mailoutbox, django_capture_on_commit_callbacks
):
    holder, _waiting, gone = people
    before = _statuses()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = manager_client.post(
            changelist(), {"action": "cancel", "_selected_action": [holder.pk, gone.pk]}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Cancel these registrations? |" in html
    assert (
        '<tr>\n        <th scope="row">EMN30-HOLDA</th>\n        <td>Anna Huber</td>\n'
        "        <td>Confirmed</td>\n        <td>Cancelled</td>\n      </tr>"
    ) in html
    # The seat it frees goes to the first waiting, who is told too.
    assert "Also affected: places freed go to those waiting" in html
    assert (
        '<th scope="row">EMN30-WAITS</th>\n        <td>Иван Петров</td>\n'
        "        <td>On the waiting list</td>\n        <td>Moved up from the waiting list</td>"
    ) in html
    assert "1 selected registration will be left as it is" in html
    assert (
        '<th scope="row">EMN30-GONEE</th>\n        <td>Anna Novak</td>\n'
        "        <td>Cancelled</td>\n        <td>This registration is already cancelled or "
        "declined.</td>"
    ) in html
    assert f'<input type="hidden" name="_selected_action" value="{holder.pk}">' in html
    assert f'<input type="hidden" name="_selected_action" value="{gone.pk}">' in html
    assert '<input type="hidden" name="action" value="cancel">' in html
    assert '<input type="hidden" name="post" value="yes">' in html
    assert 'value="Yes, I’m sure"' in html
    # Rehearsed, not done: nothing changed, nothing recorded, nothing handed to the mail.
    assert _statuses() == before
    assert Notification.objects.count() == 0
    assert callbacks == []
    assert mailoutbox == []


def test_confirmed_bulk_cancel_acts_and_sends_the_message_previewed(
    manager_client, people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://conference.example.org"
    holder, waiting, gone = people
    page = manager_client.post(
        changelist(), {"action": "cancel", "_selected_action": [holder.pk, gone.pk]}
    ).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            changelist(),
            {"action": "cancel", "_selected_action": [holder.pk, gone.pk], "post": "yes"},
            follow=True,
        )
    assert "1 cancelled." in response.content.decode()
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == (Status.CANCELLED, Status.CONFIRMED)
    to_holder = next(m for m in mailoutbox if m.to == [holder.user.email])
    assert to_holder.subject == "Your registration for Crossroads is cancelled (EMN30-HOLDA)"
    # The preview was this very message.
    assert "The message to Anna Huber (EMN30-HOLDA), as they will read it" in page
    assert f"<p><strong>{to_holder.subject}</strong></p>" in page
    assert f"<pre>{escape(to_holder.body)}</pre>" in page


def test_the_preview_is_in_the_recipients_language_on_a_bulgarian_page(manager_client, event):
    registration = RegistrationFactory(event=event, reference="EMN30-BGBGB", language="bg")
    html = manager_client.post(
        changelist("bg"), {"action": "decline", "_selected_action": [registration.pk]}
    ).content.decode()
    assert "<h2>1 регистрация ще бъде променена</h2>" in html
    assert '<th scope="col">Текущ статус</th>' in html
    assert "Да, сигурен съм" in html
    assert "Не, върни ме обратно" in html
    assert "<td>Потвърдена</td>" in html
    assert '<div class="module" lang="bg">' in html
    assert "<p><strong>Регистрацията ви за Кръстопът е отказана (EMN30-BGBGB)</strong></p>" in html
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_the_preview_is_in_the_recipients_language_on_an_english_page(manager_client, event):
    registration = RegistrationFactory(event=event, reference="EMN30-BGBGB", language="bg")
    html = manager_client.post(
        changelist("en"), {"action": "move_to_waitlist", "_selected_action": [registration.pk]}
    ).content.decode()
    assert "<title>Move these registrations to the waiting list? |" in html
    assert "<td>Confirmed</td>\n        <td>Waiting list</td>" in html
    assert '<div class="module" lang="bg">' in html
    assert "В списъка на чакащите сте за Кръстопът (EMN30-BGBGB)" in html


def test_visa_letter_approval_lists_those_it_would_refuse_and_why(client, event):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Visa officers"))
    client.force_login(officer)
    LetterTemplate.objects.create(
        event=event,
        letterhead_en="Ministry of the Interior",
        place_en="Sofia",
        body_en="We invite {name}.",
        costs_en="The participant",
        signatory_name_en="Head of Unit",
        signatory_position_en="Ministry of the Interior",
    )
    asked = RegistrationFactory(
        event=event, reference="EMN30-VISAA", needs_visa_letter=True, **PASSPORT
    )
    not_asked = RegistrationFactory(event=event, reference="EMN30-NOVIS")
    no_passport = RegistrationFactory(event=event, reference="EMN30-NOPAS", needs_visa_letter=True)
    waiting = RegistrationFactory(
        event=event,
        reference="EMN30-WAITV",
        needs_visa_letter=True,
        status=Status.WAITLISTED,
        queued_at=timezone.now(),
    )
    html = client.post(
        changelist(),
        {
            "action": "approve_visa_letters",
            "_selected_action": [asked.pk, not_asked.pk, waiting.pk, no_passport.pk],
        },
    ).content.decode()
    assert "1 registration will be changed" in html
    assert '<th scope="row">EMN30-VISAA</th>' in html
    assert "<td>Visa invitation letter</td>" in html
    assert "3 selected registrations will be left as they are" in html
    assert (
        "<td>EMN30-NOPAS: passport details missing (passport number, passport issued by, "
        "passport valid until, nationality, date of birth).</td>"
    ) in html
    assert "<td>EMN30-NOVIS did not ask for a visa invitation letter.</td>" in html
    assert "<td>EMN30-WAITV is not confirmed, so it gets no visa invitation letter.</td>" in html
    assert "Your visa invitation letter for Crossroads (EMN30-VISAA)" in html
    asked.refresh_from_db()
    assert asked.visa_letter_approved_at is None


def test_an_action_with_nothing_to_do_says_so_and_offers_no_yes(manager_client, event):
    gone = RegistrationFactory(event=event, status=Status.CANCELLED)
    html = manager_client.post(
        changelist(), {"action": "approve", "_selected_action": [gone.pk]}
    ).content.decode()
    assert (
        "None of the selected registrations can be changed this way: nothing will be done." in html
    )
    assert 'name="post"' not in html
    assert "The message to" not in html


def test_the_confirmation_keeps_the_lists_filters(manager_client, people):
    holder, _waiting, _gone = people
    url = changelist() + "?status__exact=confirmed"
    html = manager_client.post(
        url, {"action": "cancel", "_selected_action": [holder.pk]}
    ).content.decode()
    # Back to the same filtered list, and "yes" posts to it (the form has no action).
    assert '<a href="/en/admin/registrations/registration/?status__exact=confirmed"' in html
    assert '<form method="post"><input type="hidden" name="csrfmiddlewaretoken"' in html


def test_sending_the_status_message_again_does_not_ask(
    manager_client, event, mailoutbox, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            changelist(), {"action": "resend", "_selected_action": [registration.pk]}
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
