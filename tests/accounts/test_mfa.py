"""Two-factor authentication (allauth.mfa), required of staff for the admin."""

import html
import os
import re
import subprocess
import sys
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

WHY = {
    "en": (
        "The administration shows delegates&#x27; personal data, so staff accounts must be "
        "protected by two-factor authentication. Activate an authenticator app to continue."
    ),
    "bg": (
        "Администрацията показва личните данни на делегатите, затова служебните профили трябва "
        "да са защитени с двуфакторно удостоверяване. Активирайте приложение за удостоверяване, "
        "за да продължите."
    ),
}


HEADING = {
    "en": "Activate an authenticator app",
    "bg": "Активиране на приложение за удостоверяване",
}


@pytest.fixture(autouse=True)
def _staff_mfa_required(settings):
    # As in production; the rest of the suite runs with it off (see settings.py).
    settings.STAFF_MFA_REQUIRED = True


@pytest.fixture
def staff(db):
    return VerifiedUserFactory(is_staff=True, email="registrations@example.org")


def _code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238), by allauth's own HOTP function."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        # Do not hand out a code that expires before the server checks it.
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def _sign_in(client, email, *, language="en", next_url=None):
    data = {"login": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(f"/{language}/accounts/login/", data)


def _confirm_password(client, language="en"):
    """allauth asks for the password again before a change to the second factor."""
    activate = f"/{language}/accounts/2fa/totp/activate/"
    response = client.post(
        f"/{language}/accounts/reauthenticate/", {"password": PASSWORD, "next": activate}
    )
    assert response["Location"] == activate


def _activate_totp(client, language="en") -> str:
    """Activates an authenticator app through the page, as a person would; returns its secret."""
    _confirm_password(client, language)
    page = client.get(f"/{language}/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', page).group(1)
    response = client.post(f"/{language}/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response["Location"] == f"/{language}/accounts/2fa/recovery-codes/"
    return secret


def _recovery_codes(client) -> list[str]:
    page = client.get("/en/accounts/2fa/recovery-codes/").content.decode()
    textarea = re.search(r'<textarea id="recovery_codes"[^>]*>(.*?)</textarea>', page, re.S)
    return textarea.group(1).split()


@pytest.mark.parametrize("language", ["en", "bg"])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff, language):
    _sign_in(client, staff.email, language=language)
    for page in ["admin/", "admin/registrations/registration/", "admin/accounts/user/"]:
        response = client.get(f"/{language}/{page}")
        assert response.status_code == 302
        assert response["Location"] == f"/{language}/accounts/2fa/totp/activate/"

    # allauth first asks for the password again; the message says why they are there.
    activate = f"/{language}/accounts/2fa/totp/activate/"
    response = client.get(activate)
    assert response["Location"] == (
        f"/{language}/accounts/reauthenticate/?next=%2F{language}%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    html_ = client.get(response["Location"]).content.decode()
    assert f'<html lang="{language}">' in html_
    assert f'<li class="message message--warning">{WHY[language]}</li>' in html_
    assert '<label for="id_password">' in html_
    _confirm_password(client, language)
    html_ = client.get(activate).content.decode()
    assert f"<h1>{HEADING[language]}</h1>" in html_


def test_staff_reach_the_admin_once_they_activate_an_authenticator_app(client, staff):
    _sign_in(client, staff.email)
    _confirm_password(client)
    page = client.get("/en/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', page).group(1)

    html_ = client.post("/en/accounts/2fa/totp/activate/", {"code": "000000"}).content.decode()
    assert "Incorrect code." in html_
    assert client.get("/en/admin/")["Location"] == "/en/accounts/2fa/totp/activate/"

    response = client.post("/en/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response["Location"] == "/en/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get("/en/accounts/2fa/recovery-codes/").content.decode()
    assert '<a href="/en/admin/">Go to the administration</a>' in codes_page
    assert client.get("/en/admin/").status_code == 200


@pytest.mark.parametrize("language", ["en", "bg"])
def test_signing_in_afterwards_asks_for_the_code(client, staff, language):
    TOTP.activate(staff, SECRET)
    admin = f"/{language}/admin/"
    response = _sign_in(client, staff.email, language=language, next_url=admin)
    assert response["Location"] == f"/{language}/accounts/2fa/authenticate/"
    # The password alone has not signed them in.
    assert client.get(admin)["Location"] == f"/{language}/admin/login/?next={admin}"

    page = client.get(f"/{language}/accounts/2fa/authenticate/").content.decode()
    assert f'<html lang="{language}">' in page
    assert '<label for="id_code">' in page
    response = client.post(f"/{language}/accounts/2fa/authenticate/", {"code": _code(SECRET)})
    assert response["Location"] == admin
    assert client.get(admin).status_code == 200


def test_a_recovery_code_signs_in_once_instead_of_the_app(client, staff):
    _sign_in(client, staff.email)
    _activate_totp(client)
    codes = _recovery_codes(client)
    assert len(codes) == 10
    client.post("/en/accounts/logout/")

    _sign_in(client, staff.email, next_url="/en/admin/")
    response = client.post("/en/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response["Location"] == "/en/admin/"
    assert client.get("/en/admin/").status_code == 200
    client.post("/en/accounts/logout/")

    _sign_in(client, staff.email, next_url="/en/admin/")
    html_ = client.post("/en/accounts/2fa/authenticate/", {"code": codes[0]}).content.decode()
    assert "Incorrect code." in html_
    assert client.get("/en/admin/").status_code == 302


def test_wrong_codes_lock_the_second_step_like_wrong_passwords(client, staff):
    TOTP.activate(staff, SECRET)
    _sign_in(client, staff.email)
    for _attempt in range(5):
        client.post("/en/accounts/2fa/authenticate/", {"code": "000000"})
    html_ = client.post("/en/accounts/2fa/authenticate/", {"code": _code(SECRET)}).content.decode()
    assert "Too many failed login attempts. Try again later." in html_
    assert client.get("/en/admin/").status_code == 302


def test_non_staff_are_never_asked_for_a_second_factor(client):
    delegate = VerifiedUserFactory(email="delegate@example.org")
    response = _sign_in(client, delegate.email)
    assert response["Location"] == "/en/registrations/"
    assert client.get("/en/registrations/").status_code == 200
    # The admin refuses them, without sending them to set up an authenticator.
    response = client.get("/en/admin/")
    assert response["Location"] == "/en/admin/login/?next=/en/admin/"
    assert client.get("/en/admin/login/?next=/en/admin/").status_code == 403


def test_the_staff_rule_costs_pages_outside_the_admin_no_query(client, staff, settings):
    client.force_login(staff)
    counts = []
    for required in [False, True]:
        settings.STAFF_MFA_REQUIRED = required
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/registrations/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_staff_may_sign_out_of_the_admin_without_a_second_factor(client, staff):
    _sign_in(client, staff.email)
    response = client.post("/en/admin/logout/")
    assert response.status_code == 200
    assert client.get("/en/registrations/").status_code == 302


@pytest.mark.parametrize(
    ("language", "heading", "link"),
    [
        ("en", "<h1>Two-factor authentication</h1>", "Two-factor authentication"),
        ("bg", "<h1>Двуфакторно удостоверяване</h1>", "Двуфакторно удостоверяване"),
    ],
)
def test_the_two_factor_page_is_linked_from_the_account_menu(client, language, heading, link):
    client.force_login(VerifiedUserFactory())
    home = client.get(f"/{language}/").content.decode()
    assert f'<a href="/{language}/accounts/2fa/">{link}</a>' in home
    page = client.get(f"/{language}/accounts/2fa/").content.decode()
    assert heading in page
    assert f'<a href="/{language}/accounts/2fa/" aria-current="page">{link}</a>' in page


@pytest.mark.parametrize("language", ["en", "bg"])
def test_two_factor_pages_have_labels_and_no_inline_script_or_style(client, staff, language):
    _sign_in(client, staff.email, language=language)
    _confirm_password(client, language)
    activate = client.get(f"/{language}/accounts/2fa/totp/activate/").content.decode()
    assert '<label for="authenticator_secret">' in activate
    assert '<label for="id_code">' in activate
    # The QR code is an image with a text alternative, from a data: URL (img-src 'self' data:).
    alt = {
        "en": "QR code for your authenticator app",
        "bg": "QR код за приложението за удостоверяване",
    }
    assert 'src="data:image/svg+xml;base64,' in activate
    assert f'alt="{alt[language]}"' in activate
    _activate_totp(client, language)
    _confirm_password(client, language)  # again, for the pages that change the second factor
    pages = [
        activate,
        client.get(f"/{language}/accounts/2fa/").content.decode(),
        client.get(f"/{language}/accounts/2fa/recovery-codes/").content.decode(),
        client.get(f"/{language}/accounts/2fa/recovery-codes/generate/").content.decode(),
        client.get(f"/{language}/accounts/2fa/totp/deactivate/").content.decode(),
    ]
    assert '<label for="recovery_codes">' in pages[2]
    for page in pages:
        assert f'<html lang="{language}">' in page
        assert "<script" not in page
        assert "<svg" not in page
        assert "style=" not in page
        assert "<style" not in page


def test_the_authenticator_app_names_the_site_and_the_account(staff):
    assert settings.MFA_SUPPORTED_TYPES == ["totp", "recovery_codes"]
    url = get_mfa_adapter().build_totp_url(staff, SECRET)
    assert url == (
        f"otpauth://totp/registrations%40example.org?secret={SECRET}&issuer=EMN%20Conferences"
    )


def _settings_value(expression: str, **env) -> str:
    code = f"from emn_conference import settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_STAFF_MFA_REQUIRED"},
            **env,
        },
        cwd=settings.BASE_DIR,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({"DJANGO_DEBUG": "0"}, "True"),
        ({"DJANGO_DEBUG": "1"}, "False"),
        ({"DJANGO_DEBUG": "1", "DJANGO_STAFF_MFA_REQUIRED": "1"}, "True"),
        ({"DJANGO_DEBUG": "0", "DJANGO_STAFF_MFA_REQUIRED": "0"}, "False"),
    ],
)
def test_staff_need_a_second_factor_in_production_unless_told_otherwise(environment, required):
    assert _settings_value("s.STAFF_MFA_REQUIRED", **environment) == required


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["bg", "en"])
def test_a_staff_member_sets_up_the_app_in_a_browser(page, live_server, language):
    from axe_playwright_python.sync_playwright import Axe

    def violations():
        options = {
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        }
        return [
            (v["id"], [n["target"] for n in v["nodes"]])
            for v in Axe().run(page, options=options).response["violations"]
        ]

    staff = VerifiedUserFactory(is_staff=True, email="registrations@example.org")
    page.goto(f"{live_server.url}/{language}/admin/")
    page.locator("#id_login").fill(staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    # Sent on to set up the app, allauth first asks for the password again.
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert page.locator(".message--warning").inner_text() == html.unescape(WHY[language])
    assert violations() == []
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**/{language}/accounts/2fa/totp/activate/")
    # The QR code loads (an image from a data: URL, which the site's CSP allows).
    assert page.locator("img.qr-code").evaluate("img => img.complete && img.naturalWidth > 0")
    page.locator("#id_code").fill("000000")
    page.locator("main button[type=submit]").click()
    page.locator(".errorlist").wait_for()
    assert violations() == []

    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(_code(secret))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**/{language}/accounts/2fa/recovery-codes/")
    assert violations() == []
    page.locator(f'a[href="/{language}/admin/"]').click()
    page.wait_for_url(f"**/{language}/admin/")
    assert page.locator("#site-name").count() == 1
