"""The admin's log-in is the site's (allauth's): rate limited, in both languages."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password

LOCKED = {
    "en": "Too many failed login attempts. Try again later.",
    "bg": "Твърде много неуспешни опити за влизане. Опитайте отново по-късно.",
}


def _limit(scope: str) -> int:
    """How many failures the configured "login_failed" rate allows per key or per ip."""
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"]
    return int(re.search(rf"(\d+)/\w+/{scope}", rates).group(1))


def _sign_in(client, email, password, *, language="en", address="127.0.0.1", **extra):
    return client.post(
        f"/{language}/accounts/login/",
        {"login": email, "password": password, **extra},
        REMOTE_ADDR=address,
    )


def test_failed_sign_ins_are_limited_explicitly_per_account_and_per_address():
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/15m/key"
    assert (_limit("key"), _limit("ip")) == (5, 10)


@pytest.mark.parametrize("language", ["en", "bg"])
def test_admin_log_in_leads_to_the_site_sign_in_and_back(client, language):
    staff = VerifiedUserFactory(is_staff=True)
    response = client.get(f"/{language}/admin/")
    assert response["Location"] == f"/{language}/admin/login/?next=/{language}/admin/"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/accounts/login/?next=%2F{language}%2Fadmin%2F"
    html = client.get(response["Location"]).content.decode()
    assert f'<html lang="{language}">' in html
    assert '<label for="id_login">' in html
    assert f'name="next" value="/{language}/admin/"' in html

    response = _sign_in(
        client, staff.email, PASSWORD, language=language, next=f"/{language}/admin/"
    )
    assert response["Location"] == f"/{language}/admin/"
    assert client.get(f"/{language}/admin/").status_code == 200


def test_signed_in_non_staff_are_refused_by_the_admin_log_in(client):
    delegate = VerifiedUserFactory()
    client.force_login(delegate)
    response = client.get("/en/admin/")
    assert response["Location"] == "/en/admin/login/?next=/en/admin/"
    assert client.get(response["Location"]).status_code == 403


@pytest.mark.parametrize("language", ["en", "bg"])
def test_after_the_allowed_failures_even_the_right_password_is_refused(client, language):
    staff = VerifiedUserFactory(is_staff=True, email="registrations@example.org")
    for _attempt in range(_limit("key")):
        response = _sign_in(client, staff.email, "wrong", language=language)
        assert response.status_code == 200
        assert LOCKED[language] not in response.content.decode()

    html = _sign_in(client, staff.email, PASSWORD, language=language).content.decode()
    errors = '<div class="form-errors" role="alert"><ul class="errorlist nonfield">'
    assert f"{errors}<li>{LOCKED[language]}</li>" in html
    assert client.get(f"/{language}/admin/").status_code == 302
    # The lock is the account's: another address does not lift it.
    response = _sign_in(client, staff.email, PASSWORD, language=language, address="203.0.113.9")
    assert LOCKED[language] in response.content.decode()
    assert client.get(f"/{language}/admin/").status_code == 302


def test_a_locked_account_does_not_lock_other_accounts(client):
    locked = VerifiedUserFactory(is_staff=True)
    other = VerifiedUserFactory(is_staff=True)
    for _attempt in range(_limit("key")):
        _sign_in(client, locked.email, "wrong")
    response = _sign_in(client, other.email, PASSWORD, next="/en/admin/")
    assert response["Location"] == "/en/admin/"


def test_failures_from_one_address_lock_that_address_whatever_the_account(client):
    accounts = [VerifiedUserFactory(is_staff=True) for _ in range(_limit("ip") + 1)]
    for account in accounts[:-1]:
        _sign_in(client, account.email, "wrong", address="198.51.100.7")

    last = accounts[-1]
    html = _sign_in(client, last.email, PASSWORD, address="198.51.100.7").content.decode()
    assert LOCKED["en"] in html
    response = _sign_in(client, last.email, PASSWORD, address="203.0.113.9", next="/en/admin/")
    assert response["Location"] == "/en/admin/"


def test_demo_log_ins_reach_the_admin_through_the_site_sign_in(client, settings):
    # As under `make run`: DEBUG on, and two-factor authentication not required of staff.
    settings.DEBUG = True
    settings.STAFF_MFA_REQUIRED = False
    call_command("load_demo", "--with-accounts", stdout=io.StringIO())
    for email, password in [
        ("admin@example.org", "emn-demo-admin"),
        ("editor@example.org", "emn-demo-editor"),
        ("registrations@example.org", "emn-demo-registrations"),
    ]:
        response = _sign_in(client, email, password, next="/en/admin/")
        assert response["Location"] == "/en/admin/"
        assert client.get("/en/admin/").status_code == 200
        client.post("/en/accounts/logout/")


def test_the_demo_check_in_log_in_opens_the_door_page_and_no_registration(client, settings):
    settings.DEBUG = True
    settings.STAFF_MFA_REQUIRED = False
    call_command("load_demo", "--with-accounts", stdout=io.StringIO())
    door = "/en/events/emn-demo/checkin/"
    response = _sign_in(client, "checkin@example.org", "emn-demo-checkin", next=door)
    assert response["Location"] == door
    assert client.get(door).status_code == 200
    assert client.get("/en/admin/registrations/registration/").status_code == 403
