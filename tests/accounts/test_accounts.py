import re

import pytest
from allauth.account.models import EmailAddress

from tests.factories import UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Crossroads-of-Migration-2018"


def _link(body: str) -> str:
    return re.search(r"http://testserver(/\S+)", body).group(1)


@pytest.mark.parametrize(
    ("page", "language", "text", "field"),
    [
        ("login", "bg", "Вход", "login"),
        ("login", "en", "Sign In", "login"),
        ("signup", "bg", "<h1>Създаване на профил</h1>", "email"),
        ("signup", "en", "<h1>Create an account</h1>", "email"),
        ("password/reset", "bg", "Възстановяване на парола", "email"),
        ("password/reset", "en", "Password Reset", "email"),
    ],
)
def test_account_pages_are_in_the_site_layout_and_language(client, page, language, text, field):
    html = client.get(f"/{language}/accounts/{page}/").content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="skip-link"' in html
    assert text in html
    assert f'<label for="id_{field}">' in html


def test_sign_up_verify_and_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/bg/accounts/signup/",
            {"email": "delegate@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    address = EmailAddress.objects.get(email="delegate@example.org")
    assert not address.verified
    [message] = mailoutbox
    assert message.subject == "Моля, потвърдете вашия e-mail адрес"
    confirm = _link(message.body)
    assert confirm.startswith("/bg/accounts/confirm-email/")
    assert client.get(confirm).status_code == 200
    response = client.post(confirm)
    address.refresh_from_db()
    assert address.verified
    assert client.get("/bg/registrations/").status_code == 200


def test_unverified_address_cannot_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(email="new@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/login/",
            {"login": user.email, "password": "correct horse battery staple"},
        )
    assert client.get("/en/registrations/").status_code == 302
    assert len(mailoutbox) == 1  # the verification link again


def test_verified_user_signs_in_with_email(client):
    user = VerifiedUserFactory(email="verified@example.org")
    response = client.post(
        "/en/accounts/login/", {"login": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/registrations/"


def test_password_reset_sends_a_link_in_the_page_language(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    VerifiedUserFactory(email="forgot@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/bg/accounts/password/reset/", {"email": "forgot@example.org"})
    [message] = mailoutbox
    assert "/bg/accounts/password/reset/key/" in message.body


def test_wrong_password_is_explained_in_bulgarian(client):
    VerifiedUserFactory(email="someone@example.org")
    html = client.post(
        "/bg/accounts/login/", {"login": "someone@example.org", "password": "wrong"}
    ).content.decode()
    assert "E-mail адресът и/или паролата, които въведохте, са грешни." in html


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Mi-2018", "Паролата е прекалено къса. Трябва да съдържа поне 8 символа."),
        ("password123", "Тази парола е често срещана."),
        ("4815162342879", "Тази парола е изцяло от цифри."),
    ],
    ids=["short", "common", "numeric"],
)
def test_sign_up_explains_a_weak_password_in_bulgarian(client, password, message):
    response = client.post(
        "/bg/accounts/signup/",
        {"email": "delegate@example.org", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"password1": [message]}
    assert message in response.content.decode()
    assert "This password" not in response.content.decode()
