"""Someone who clicks "Register" before having an account comes back to the register form:
through the sign-in page, the sign-up page and the confirmation of their address."""

import re

import pytest
from django.test import Client

from tests.factories import OpenEventFactory, PrivacyNoticeFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Crossroads-of-Migration-2018"


@pytest.fixture
def event(db):
    PrivacyNoticeFactory()
    return OpenEventFactory(title_en="Crossroads of Migration", title_bg="Кръстопът на миграцията")


def _link(body: str) -> str:
    return re.search(r"http://testserver(/\S+)", body).group(1)


def _hrefs(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


@pytest.mark.parametrize(
    ("language", "why", "create"),
    [
        (
            "bg",
            "Влезте или създайте профил, за да се регистрирате за Кръстопът на миграцията.",
            "Създаване на профил",
        ),
        (
            "en",
            "Sign in or create an account to register for Crossroads of Migration.",
            "Create an account",
        ),
    ],
)
def test_register_while_signed_out_says_why_and_offers_an_account_keeping_the_way_back(
    client, event, language, why, create
):
    register = f"/{language}/events/{event.slug}/register/"
    response = client.get(register)
    assert response["Location"] == f"/{language}/accounts/login/?next={register}"

    html = client.get(response["Location"]).content.decode()
    assert why in html
    assert f'<a href="/{language}/accounts/signup/?next=%2F{language}%2Fevents%2F' in html
    signup = next(h for h in _hrefs(html) if h.startswith(f"/{language}/accounts/signup/?next="))
    signup_html = client.get(signup).content.decode()
    assert f"<h1>{create}</h1>" in signup_html
    assert f'<input type="hidden" name="next" value="{register}">' in signup_html


def test_the_sign_in_page_says_nothing_of_registering_when_reached_otherwise(client, event):
    html = client.get("/en/accounts/login/?next=/en/registrations/").content.decode()
    assert "to register for" not in html
    assert "to register for" not in client.get("/en/accounts/login/").content.decode()


def test_signing_up_and_confirming_leads_back_to_the_register_form(
    client, event, mailoutbox, django_capture_on_commit_callbacks
):
    register = f"/bg/events/{event.slug}/register/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/bg/accounts/signup/?next={register}",
            {
                "email": "delegate@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": register,
            },
        )
    assert response["Location"] == "/bg/accounts/confirm-email/"
    [message] = mailoutbox
    confirm = _link(message.body)
    assert confirm.endswith(f"?next={register}")

    response = client.post(confirm.split("?")[0], {"next": register})
    assert response.status_code == 302
    assert response["Location"] == register
    html = client.get(register).content.decode()
    assert "<h1>Регистрация за събитието</h1>" in html
    assert 'name="given_name"' in html


def test_confirming_in_another_browser_still_leads_back_to_the_register_form(
    client, event, mailoutbox, django_capture_on_commit_callbacks
):
    register = f"/en/events/{event.slug}/register/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/signup/",
            {
                "email": "phone@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": register,
            },
        )
    confirm = _link(mailoutbox[0].body)

    # The link opened on a phone: no sign-up in progress there, so no automatic sign-in.
    phone = Client()
    page = phone.get(confirm).content.decode()
    assert f'<input type="hidden" name="next" value="{register}">' in page
    response = phone.post(confirm.split("?")[0], {"next": register})
    assert response["Location"] == register
    response = phone.get(register)
    assert response["Location"] == f"/en/accounts/login/?next={register}"
    response = phone.post(
        response["Location"], {"login": "phone@example.org", "password": PASSWORD, "next": register}
    )
    assert response["Location"] == register


def test_an_account_not_yet_verified_gets_a_link_back_to_the_register_form(
    client, event, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(email="unverified@example.org"))
    register = f"/en/events/{event.slug}/register/"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(register).status_code == 200
    [message] = mailoutbox
    assert _link(message.body).endswith(f"?next={register}")


@pytest.mark.parametrize(
    ("language", "account", "heading", "event_registration"),
    [
        ("bg", "Създаване на профил", "Регистрация за събитието", "Регистрация за събитието"),
        ("en", "Create an account", "Registration for the event", "Register for the event"),
    ],
)
def test_creating_an_account_and_registering_for_the_event_are_named_apart(
    client, event, language, account, heading, event_registration
):
    signup = client.get(f"/{language}/accounts/signup/").content.decode()
    assert f"<title>{account} ·" in signup
    assert f"<h1>{account}</h1>" in signup
    assert re.search(rf'<button[^>]*type="submit"[^>]*>\s*{account}\s*</button>', signup)
    assert "Регистрация" not in signup and "Sign Up" not in signup
    login = client.get(f"/{language}/accounts/login/").content.decode()
    assert f">{account}</a>" in login
    assert "регистрирайте" not in login and "sign up" not in login

    page = client.get(f"/{language}/events/{event.slug}/").content.decode()
    assert f'<h2 id="registration-heading">{heading}</h2>' in page
    assert f'register/">{event_registration}</a>' in page


def test_the_verification_message_in_bulgarian_speaks_of_creating_an_account(
    client, event, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/bg/accounts/signup/",
            {"email": "bg@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    [message] = mailoutbox
    assert "е посочен за създаване на профил в" in message.body
    assert "регистрира" not in message.body


def test_the_page_after_signing_up_speaks_of_creating_an_account(client):
    client.post(
        "/bg/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    html = client.get("/bg/accounts/confirm-email/").content.decode()
    assert "<h1>Потвърдете имейл адреса си</h1>" in html
    assert "за да завършите създаването на профила си." in html
    assert "егистрац" not in html.replace("Моите регистрации", "")
