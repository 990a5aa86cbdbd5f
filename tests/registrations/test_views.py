import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.http import urlencode

from registrations.models import Notification, Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VerifiedUserFactory,
    sofia,
)

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


@pytest.fixture
def open_event(db):
    return OpenEventFactory(capacity=10)


@pytest.fixture
def delegate(client):
    user = VerifiedUserFactory(email="anna.huber@example.org")
    client.force_login(user)
    return user


def form_data(**overrides) -> dict:
    data = {
        "honorific": "Ms.",
        "given_name": "Anna",
        "family_name": "Huber",
        "given_name_latin": "",
        "family_name_latin": "",
        "position": "Migration officer",
        "organisation": "IOM Austria",
        "country": "AT",
        "phone": "+43 1 5812222",
        "language": "bg",
        "dietary_requirements": "vegetarian",
        "accessibility_needs": "",
        "interpretation_language": "en",
        "needs_visa_letter": "on",
        "passport_number": "U1234567",
        "passport_country": "AT",
        "passport_expiry": "2031-05-01",
        "nationality": "AT",
        "date_of_birth": "1980-02-03",
        "photo_consent": "on",
        "invitation_code": "",
        "privacy_accepted": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [
        ("bg", "<h1>Регистрация за събитието</h1>", "Регистрация за събитието"),
        ("en", "<h1>Register for the event</h1>", "Register for the event"),
    ],
)
def test_register_page_is_in_the_page_language(
    client, delegate, open_event, language, heading, button
):
    html = client.get(
        url("registrations:register", language, slug=open_event.slug)
    ).content.decode()
    assert heading in html
    assert f'<button type="submit">{button}</button>' in html
    assert 'name="privacy_accepted"' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("language", ["bg", "en"])
def test_registering_shows_the_registration_with_its_reference(
    client, delegate, open_event, language, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("registrations:register", language, slug=open_event.slug),
            form_data(language=language),
        )
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(
        "registrations:detail", language, reference=registration.reference
    )
    assert registration.status == Registration.Status.CONFIRMED
    assert (
        registration.needs_visa_letter,
        registration.photo_consent,
        registration.listing_consent,
    ) == (
        True,
        True,
        False,
    )
    assert str(registration.phone) == "+43 1 5812222"
    [message] = mailoutbox
    expected = "е потвърдена" if language == "bg" else "is confirmed"
    assert expected in message.subject
    html = client.get(response["Location"]).content.decode()
    assert registration.reference in html


def test_register_needs_a_signed_in_user(client, open_event):
    response = client.get(url("registrations:register", slug=open_event.slug))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_register_needs_a_verified_email_address(client, open_event, mailoutbox):
    client.force_login(UserFactory())
    response = client.get(url("registrations:register", slug=open_event.slug))
    assert response.status_code == 200
    assert "verify" in response.content.decode().lower()
    assert Registration.objects.count() == 0


def test_second_registration_attempt_shows_the_existing_one(client, delegate, open_event):
    existing = RegistrationFactory(event=open_event, user=delegate)
    for response in (
        client.get(url("registrations:register", slug=open_event.slug)),
        client.post(url("registrations:register", slug=open_event.slug), form_data()),
    ):
        assert response.status_code == 302
        assert response["Location"] == existing.get_absolute_url()
    assert Registration.objects.count() == 1


def test_invitation_link_fills_in_the_code(client, delegate, open_event):
    delegation = DelegationFactory(event=open_event)
    page = (
        url("registrations:register", slug=open_event.slug)
        + f"?invitation={delegation.invitation_code}"
    )
    assert f'value="{delegation.invitation_code}"' in client.get(page).content.decode()


def test_registering_with_an_invitation_joins_the_delegation(client, delegate, open_event):
    delegation = DelegationFactory(event=open_event)
    client.post(
        url("registrations:register", slug=open_event.slug),
        form_data(invitation_code=delegation.invitation_code),
    )
    assert Registration.objects.get().delegation == delegation


def _error_page(client, event, language="bg", **overrides):
    response = client.post(
        url("registrations:register", language, slug=event.slug), form_data(**overrides)
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "12"}, "Моля, въведете валиден телефонен номер"),
        ({"given_name": "A" * 101}, "Уверете се, че тази стойност има най-много 100 знака"),
        (
            {"privacy_accepted": None},
            "За да се регистрирате, приемете уведомлението за поверителност.",
        ),
        ({"given_name": ""}, "Това поле е задължително."),
        ({"country": "XX"}, "Направете валиден избор."),
        (
            {"given_name": "Радослав"},
            "Името ви не е изписано с латински букви: моля, напишете го и на латиница, "
            "както е в паспорта ви.",
        ),
        ({"invitation_code": "forged-code"}, "Този код за покана не е валиден за това събитие."),
    ],
    ids=["phone", "too-long", "no-consent", "missing-name", "country", "cyrillic", "bad-code"],
)
def test_bad_input_is_explained_in_bulgarian_and_nothing_saved(
    client, delegate, open_event, overrides, message
):
    html = _error_page(client, open_event, **overrides)
    assert message in html
    assert Registration.objects.count() == 0
    assert Notification.objects.count() == 0


def test_bad_input_error_is_tied_to_its_field(client, delegate, open_event):
    html = _error_page(client, open_event, language="en", phone="12")
    assert 'aria-invalid="true"' in html
    assert re.search(
        r'id="id_phone"[^>]*aria-describedby="id_phone_helptext id_phone_error"', html
    ) or ('aria-describedby="id_phone_helptext id_phone_error"' in html)
    assert 'id="id_phone_error"' in html


def test_full_delegation_is_explained_and_nothing_saved(client, delegate, open_event):
    delegation = DelegationFactory(event=open_event, quota=1, name_bg="МОМ Австрия")
    RegistrationFactory(event=open_event, delegation=delegation)
    html = _error_page(client, open_event, invitation_code=delegation.invitation_code)
    assert "Делегацията „МОМ Австрия“ е попълнена: всичките ѝ 1 места са заети." in html
    assert Registration.objects.filter(user=delegate).count() == 0


def test_closed_registration_says_so_and_saves_nothing(client, delegate):
    event = OpenEventFactory(
        registration_closes=timezone.now() - datetime.timedelta(hours=1),
        registration_opens=timezone.now() - datetime.timedelta(days=9),
    )
    get = client.get(url("registrations:register", "bg", slug=event.slug)).content.decode()
    assert "Регистрацията е затворена" in get
    html = _error_page(client, event)
    assert "Регистрацията е затворена" in html
    assert 'name="given_name"' not in html
    assert Registration.objects.count() == 0


def test_full_event_page_offers_the_waiting_list(client, delegate):
    event = OpenEventFactory(capacity=1)
    RegistrationFactory(event=event)
    html = client.get(url("events:detail", slug=event.slug)).content.decode()
    assert "All places are taken: new registrations join the waiting list." in html
    assert "Join the waiting list" in html


@pytest.mark.parametrize(
    ("window", "text"),
    [
        ("open", "Registration is open"),
        ("closed", "Registration is closed"),
        ("later", "Registration has not opened yet"),
    ],
)
def test_event_page_shows_whether_registration_is_open(client, window, text):
    now = timezone.now()
    opens = {
        "open": now - datetime.timedelta(days=1),
        "closed": now - datetime.timedelta(days=3),
        "later": now + datetime.timedelta(days=1),
    }[window]
    event = OpenEventFactory(
        registration_opens=opens, registration_closes=opens + datetime.timedelta(days=2)
    )
    html = client.get(url("events:detail", slug=event.slug)).content.decode()
    assert text in html
    assert (url("registrations:register", slug=event.slug) in html) == (window == "open")


def test_my_registrations_lists_only_mine(client, delegate, open_event):
    mine = RegistrationFactory(event=open_event, user=delegate)
    other = RegistrationFactory(event=open_event)
    html = client.get(url("registrations:mine")).content.decode()
    assert mine.reference in html
    assert other.reference not in html


def test_another_delegates_registration_is_not_found(client, delegate, open_event):
    other = RegistrationFactory(event=open_event)
    for name in ("registrations:detail", "registrations:edit", "registrations:cancel"):
        assert client.get(url(name, reference=other.reference)).status_code == 404
        assert (
            client.post(url(name, reference=other.reference), {"confirm": "on"}).status_code == 404
        )
    other.refresh_from_db()
    assert other.status == Registration.Status.CONFIRMED


def test_forged_reference_is_not_found(client, delegate):
    assert client.get(url("registrations:detail", reference="EMN18-XXXXX")).status_code == 404
    assert client.get("/en/registrations/EMN18-%27%20OR%201=1/").status_code == 404


def test_registration_pages_need_sign_in(client, open_event):
    registration = RegistrationFactory(event=open_event)
    response = client.get(url("registrations:detail", reference=registration.reference))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_cancel_asks_for_confirmation_first(client, delegate, open_event):
    registration = RegistrationFactory(event=open_event, user=delegate)
    page = url("registrations:cancel", "bg", reference=registration.reference)
    assert "Отмяна на регистрацията" in client.get(page).content.decode()
    html = client.post(page, {}).content.decode()
    assert "Отбележете полето, за да потвърдите отмяната." in html
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_cancel_cancels_and_promotes_the_first_waiting(client, delegate):
    event = OpenEventFactory(capacity=1)
    mine = RegistrationFactory(event=event, user=delegate)
    waiting = RegistrationFactory(
        event=event, status=Registration.Status.WAITLISTED, queued_at=timezone.now()
    )
    response = client.post(url("registrations:cancel", reference=mine.reference), {"confirm": "on"})
    assert response.status_code == 302
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == (
        Registration.Status.CANCELLED,
        Registration.Status.CONFIRMED,
    )


def test_edit_saves_new_details_and_sessions(client, delegate, open_event):
    workshop = SessionFactory(event=open_event, capacity=5, title_en="Secondary movements")
    registration = RegistrationFactory(event=open_event, user=delegate, language="en")
    page = url("registrations:edit", reference=registration.reference)
    assert "Secondary movements" in client.get(page).content.decode()
    data = form_data(position="Head of Office", sessions=[workshop.pk])
    del data["invitation_code"], data["privacy_accepted"]
    response = client.post(page, data)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.position == "Head of Office"
    assert [s.session for s in registration.signups.all()] == [workshop]


def test_edit_with_bad_input_changes_nothing(client, delegate, open_event):
    registration = RegistrationFactory(event=open_event, user=delegate, position="Officer")
    data = form_data(position="Head of Office", phone="not a phone")
    response = client.post(url("registrations:edit", reference=registration.reference), data)
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.position == "Officer"


def test_edit_after_registration_closes_is_refused(client, delegate, open_event):
    registration = RegistrationFactory(event=open_event, user=delegate, position="Officer")
    open_event.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    open_event.save()
    page = url("registrations:edit", reference=registration.reference)
    assert client.get(page).status_code == 302
    client.post(page, form_data(position="Changed"))
    registration.refresh_from_db()
    assert registration.position == "Officer"


def test_head_of_delegation_sees_members_and_invitation_link(client, delegate, open_event):
    delegation = DelegationFactory(event=open_event, head=delegate, quota=3)
    member = RegistrationFactory(event=open_event, delegation=delegation, family_name="Novak")
    html = client.get(
        url("registrations:delegation", slug=open_event.slug, pk=delegation.pk)
    ).content.decode()
    assert "Novak" in html
    assert member.reference in html
    assert "1 of 3 places used." in html
    assert f"/en/events/{open_event.slug}/register/?invitation={delegation.invitation_code}" in html


def test_another_delegation_page_is_not_found(client, delegate, open_event):
    delegation = DelegationFactory(event=open_event)  # headed by someone else
    response = client.get(url("registrations:delegation", slug=open_event.slug, pk=delegation.pk))
    assert response.status_code == 404


def test_register_form_has_csrf_protection(delegate, open_event):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(delegate)
    response = client.post(url("registrations:register", slug=open_event.slug), form_data())
    assert response.status_code == 403
    assert Registration.objects.count() == 0


def test_personal_calendar_lists_my_confirmed_sessions_at_a_secret_address(client, open_event):
    import icalendar

    mine = SessionFactory(event=open_event, capacity=5, title_en="Secondary movements")
    SessionFactory(event=open_event, capacity=5, title_en="Not mine")
    registration = RegistrationFactory(event=open_event)
    registration.signups.create(session=mine, status="confirmed")
    response = client.get(url("registrations:personal_calendar", token=registration.calendar_token))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Secondary movements"]
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Sofia"


def test_personal_calendar_with_a_wrong_token_is_not_found(client, open_event):
    registration = RegistrationFactory(event=open_event, status=Registration.Status.CANCELLED)
    assert client.get(url("registrations:personal_calendar", token="guess")).status_code == 404
    cancelled = url("registrations:personal_calendar", token=registration.calendar_token)
    assert client.get(cancelled).status_code == 404


def test_countries_are_in_the_page_language_order_and_spelled_right(client, delegate, open_event):
    html = client.get(url("registrations:register", "bg", slug=open_event.slug)).content.decode()
    names = re.findall(r'<option value="[A-Z]{2}">([^<]+)</option>', html)
    assert names[:3] == ["Австралия", "Австрия", "Азербайджан"]
    assert {"Дания", "Латвия", "Намибия"} <= set(names)


def test_delegate_gives_their_calendar_a_new_address(client, delegate, open_event):
    registration = RegistrationFactory(event=open_event, user=delegate)
    old = registration.calendar_token
    assert (
        client.get(
            url("registrations:calendar_renew", reference=registration.reference)
        ).status_code
        == 405
    )
    response = client.post(url("registrations:calendar_renew", reference=registration.reference))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.calendar_token != old
    assert client.get(url("registrations:personal_calendar", token=old)).status_code == 404
    assert (
        client.get(
            url("registrations:personal_calendar", token=registration.calendar_token)
        ).status_code
        == 200
    )


def test_another_delegates_calendar_address_cannot_be_renewed(client, delegate, open_event):
    other = RegistrationFactory(event=open_event)
    response = client.post(url("registrations:calendar_renew", reference=other.reference))
    assert response.status_code == 404


def _queries(client, page) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200
    return len(captured)


def test_my_registrations_query_count_does_not_grow(client, delegate):
    RegistrationFactory(user=delegate)
    one = _queries(client, url("registrations:mine"))
    RegistrationFactory.create_batch(2, user=delegate)
    assert _queries(client, url("registrations:mine")) == one


def test_delegation_page_query_count_does_not_grow(client, delegate, open_event):
    delegation = DelegationFactory(event=open_event, head=delegate)
    RegistrationFactory(event=open_event, delegation=delegation)
    page = url("registrations:delegation", slug=open_event.slug, pk=delegation.pk)
    one = _queries(client, page)
    RegistrationFactory.create_batch(3, event=open_event, delegation=delegation)
    assert _queries(client, page) == one


def test_registration_page_query_count_does_not_grow_with_sessions(client, delegate, open_event):
    registration = RegistrationFactory(event=open_event, user=delegate)
    for hour in (9, 11, 14, 16):
        SessionFactory(event=open_event, capacity=5, start=sofia(open_event.start_date, hour))
    sessions = list(open_event.sessions.all())
    registration.signups.create(session=sessions[0], status="confirmed")
    page = url("registrations:detail", reference=registration.reference)
    one = _queries(client, page)
    for session in sessions[1:]:
        registration.signups.create(session=session, status="confirmed")
    assert _queries(client, page) == one


def _register(client, event, **overrides):
    response = client.post(url("registrations:register", slug=event.slug), form_data(**overrides))
    assert response.status_code == 302
    return Registration.objects.get(event=event)


def _register_again(client, event, previous: Registration) -> Registration:
    page = client.get(url("registrations:register", slug=event.slug))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="given_name"' in html
    # The details of last time are filled in; the consents are asked again.
    assert page.context["form"]["organisation"].value() == "IOM Austria"
    assert '<option value="AT" selected>' in html
    assert page.context["form"]["photo_consent"].value() is False
    response = client.post(
        url("registrations:register", slug=event.slug), form_data(position="Head of Office")
    )
    again = Registration.objects.get(event=event, user=previous.user)
    assert response.status_code == 302
    assert response["Location"] == again.get_absolute_url()
    assert again.pk == previous.pk
    assert again.reference == previous.reference
    assert again.position == "Head of Office"
    return again


def test_a_delegate_who_cancelled_registers_again_under_the_same_reference(
    client, delegate, open_event
):
    registration = _register(client, open_event)
    cancel = url("registrations:cancel", reference=registration.reference)
    assert client.post(cancel, {"confirm": "on"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED

    again = _register_again(client, open_event, registration)
    assert again.status == Registration.Status.CONFIRMED


def test_a_declined_delegate_registers_again_and_joins_the_waiting_list_of_a_full_event(
    client, delegate
):
    from registrations import services

    event = OpenEventFactory(capacity=1)
    registration = _register(client, event)
    services.registration_decline(by=None, registration=registration)
    RegistrationFactory(event=event)  # the freed seat is taken meanwhile

    again = _register_again(client, event, registration)
    assert again.status == Registration.Status.WAITLISTED


def test_an_active_registration_still_stops_a_second_one(client, delegate, open_event):
    for status in Registration.ACTIVE_STATUSES:
        Registration.objects.filter(user=delegate).delete()
        existing = RegistrationFactory(event=open_event, user=delegate, status=status)
        response = client.get(url("registrations:register", slug=open_event.slug))
        assert response.status_code == 302
        assert response["Location"] == existing.get_absolute_url()


NAME_CHARACTERS = {
    "en": "A name cannot contain < or >, control characters or unreadable characters.",
    "bg": "Името не може да съдържа < или >, управляващи или нечетими знаци.",
}
NAME_LETTERS = {"en": "A name must contain letters.", "bg": "Името трябва да съдържа букви."}


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize(
    ("field", "value", "messages"),
    [
        ("given_name", "<script>alert(1)</script>", NAME_CHARACTERS),
        ("family_name", "Huber<b>", NAME_CHARACTERS),
        ("family_name_latin", "<img src=x onerror=alert(1)>", NAME_CHARACTERS),
        ("given_name", "Anna\x07", NAME_CHARACTERS),
        ("family_name", "Huber\u202eredaer", NAME_CHARACTERS),
        ("given_name", "1234", NAME_LETTERS),
        ("family_name", "-- '", NAME_LETTERS),
        ("given_name_latin", "...", NAME_LETTERS),
    ],
    ids=["script", "tag", "latin-tag", "control", "bidi-override", "digits", "signs", "dots"],
)
def test_a_name_needs_letters_and_no_markup_or_control_characters(
    client, delegate, open_event, language, field, value, messages
):
    response = client.post(
        url("registrations:register", language, slug=open_event.slug),
        form_data(**{field: value}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [messages[language]]}
    assert f'id="id_{field}_error"' in response.content.decode()
    assert escape(messages[language]) in response.content.decode()
    assert Registration.objects.count() == 0
    assert Notification.objects.count() == 0


def test_a_name_of_bytes_that_are_not_utf8_is_refused(client, delegate, open_event):
    body = urlencode(form_data(given_name="Anna")).replace("given_name=Anna", "given_name=%FF%FE")
    response = client.post(
        url("registrations:register", slug=open_event.slug),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"given_name": [NAME_CHARACTERS["en"]]}
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    "name",
    ["Anna-Maria", "O'Brien", "Радослав", "Ζωή", "محمد", "Nguyễn Thị", "D’Amico", "José Ma."],
)
def test_names_in_any_script_with_their_usual_signs_are_accepted(
    client, delegate, open_event, name
):
    _register(client, open_event, given_name=name, given_name_latin="Latin")
    assert Registration.objects.get().given_name == name
