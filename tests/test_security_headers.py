"""The security headers: one strict Content-Security-Policy and a Permissions-Policy on every
page (the site, the admin, allauth's pages), and no cache keeping a copy of personal data."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from registrations.models import IssuedDocument, LetterTemplate
from tests.browser import sign_in
from tests.factories import (
    OpenEventFactory,
    RegistrationFactory,
    UserFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
PERMISSIONS = (
    "accelerometer=(), ambient-light-sensor=(), autoplay=(), bluetooth=(), browsing-topics=(), "
    "camera=(), display-capture=(), encrypted-media=(), geolocation=(), gyroscope=(), hid=(), "
    "idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)
PRIVATE = "private, no-store"
# Django's never_cache (the admin's pages) says the same and more.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def _policy(response) -> dict[str, str]:
    """The policy's directives; django-csp writes them in no fixed order."""
    directives = [
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    ]
    return {name: sources for name, sources in directives}


@pytest.fixture
def event(db):
    return OpenEventFactory(slug="emn-2030")


@pytest.fixture
def registration(event):
    return RegistrationFactory(event=event, reference="EMN30-K3QXA")


@pytest.fixture
def delegate(client, registration):
    client.force_login(registration.user)
    return registration.user


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


# --- Content-Security-Policy and Permissions-Policy ----------------------------------------


@pytest.mark.parametrize("language", ["bg", "en"])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("events:home", {}),
        ("events:detail", {"slug": "emn-2030"}),
        ("events:agenda", {"slug": "emn-2030"}),
        ("events:speakers", {"slug": "emn-2030"}),
    ],
)
def test_public_pages_carry_the_strict_policies(client, event, language, name, kwargs):
    response = client.get(url(name, language, **kwargs))
    assert response.status_code == 200
    assert _policy(response) == POLICY
    assert response["Permissions-Policy"] == PERMISSIONS


def test_policy_holds_no_inline_or_foreign_source(client, event):
    header = client.get(url("events:home"))["Content-Security-Policy"]
    assert "unsafe" not in header
    assert "http" not in header
    assert "*" not in header


@pytest.mark.parametrize("language", ["bg", "en"])
def test_not_found_page_carries_the_policies(client, language):
    response = client.get(url("events:detail", language, slug="no-such-event"))
    assert response.status_code == 404
    assert _policy(response) == POLICY
    assert response["Permissions-Policy"] == PERMISSIONS


@pytest.mark.parametrize("language", ["bg", "en"])
@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_allauth_pages_carry_the_policies(client, language, name):
    response = client.get(url(name, language))
    assert response.status_code == 200
    assert _policy(response) == POLICY
    assert response["Permissions-Policy"] == PERMISSIONS


@pytest.mark.parametrize("language", ["bg", "en"])
def test_admin_pages_carry_the_policies(client, superuser, event, language):
    for page in [
        url("admin:index", language),
        url("admin:events_event_changelist", language),
        url("admin:events_event_change", language, object_id=event.pk),
        url("admin:login", language),
    ]:
        response = client.get(page)
        assert response.status_code in (200, 302), page
        assert _policy(response) == POLICY, page
        assert response["Permissions-Policy"] == PERMISSIONS, page


# --- Cache-Control --------------------------------------------------------------------------


# Public pages may be kept by browsers and proxies, which ask again with the ETag (304).
def test_public_agenda_stays_cacheable_for_an_anonymous_visitor(client, event):
    response = client.get(url("events:agenda", "bg", slug=event.slug))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response.has_header("ETag")


def test_public_schedule_feed_stays_cacheable_for_an_anonymous_visitor(client, event):
    response = client.get(url("events:schedule_ics", slug=event.slug))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response.has_header("ETag")


@pytest.mark.parametrize("language", ["bg", "en"])
def test_registration_page_is_not_stored(client, delegate, registration, language):
    response = client.get(url("registrations:detail", language, reference=registration.reference))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_my_registrations_page_is_not_stored(client, delegate):
    response = client.get(url("registrations:mine"))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_public_page_for_a_signed_in_visitor_is_not_stored(client, delegate, event):
    # It names the visitor in the header (and could show their registration).
    response = client.get(url("events:agenda", slug=event.slug))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.parametrize("name", ["registrations:badge", "registrations:confirmation"])
def test_delegate_documents_are_not_stored(client, delegate, registration, name):
    response = client.get(url(name, reference=registration.reference))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == PRIVATE


def test_visa_letter_is_not_stored(client, delegate, registration, event):
    LetterTemplate.objects.create(
        event=event,
        letterhead_en="Ministry of the Interior",
        place_en="Sofia",
        body_en="We are pleased to invite {name}.",
        signatory_name_en="Head of the EMN National Contact Point",
        signatory_position_en="Ministry of the Interior",
    )
    registration.needs_visa_letter = True
    registration.visa_letter_approved_at = timezone.now()
    registration.save()
    IssuedDocument.objects.create(
        registration=registration, kind=IssuedDocument.Kind.VISA_LETTER, issued_at=timezone.now()
    )
    response = client.get(url("registrations:visa_letter", reference=registration.reference))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == PRIVATE


def test_personal_calendar_feed_is_not_stored_without_a_session(client, registration):
    response = client.get(url("registrations:personal_calendar", token=registration.calendar_token))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.parametrize("name", ["account_email", "account_change_password"])
def test_account_pages_are_not_stored(client, name):
    client.force_login(VerifiedUserFactory())
    response = client.get(url(name, "bg"))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    assert _policy(response) == POLICY


def test_email_confirmation_page_reached_by_its_key_is_not_stored(client):
    # The page names the address being confirmed, to whoever holds the link.
    user = UserFactory(email="anna.huber@example.org")
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    key = EmailConfirmationHMAC(address).key
    response = client.get(url("account_confirm_email", "bg", key=key))
    assert response.status_code == 200
    assert b"anna.huber@example.org" in response.content
    assert response["Cache-Control"] == PRIVATE


def test_admin_pages_keep_django_never_cache(client, superuser, event):
    response = client.get(url("admin:events_event_changelist"))
    assert response.status_code == 200
    assert response["Cache-Control"] == NEVER_CACHE


# --- in a real browser ----------------------------------------------------------------------

# Reports every blocked script, style or request, whether or not the browser also logs it.
REPORT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched_page(page):
    """The page, with every Content-Security-Policy complaint it meets in `page.complaints`."""
    page.complaints = []
    page.on(
        "console",
        lambda message: (
            page.complaints.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(REPORT_VIOLATIONS)
    return page


def _complaints(page) -> list[str]:
    return page.complaints + page.evaluate("window.cspViolations")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_runs_its_tabs_and_widgets_under_the_policy(watched_page, live_server):
    from events.models import Event

    call_command("load_demo")
    event = Event.objects.get(slug="emn-2018")
    page = watched_page
    sign_in(page, live_server, UserFactory(is_staff=True, is_superuser=True))

    page.goto(live_server.url + url("admin:events_event_change", "bg", object_id=event.pk))
    # modeltranslation's script (with jQuery UI) turned each translated field into tabs.
    page.locator(".ui-tabs-nav").first.wait_for()
    assert page.locator(".ui-tabs-nav").count() >= 5
    assert page.locator(".ui-tabs-nav").first.inner_text().split() == ["BG", "EN"]
    # The venue's autocomplete opens and fetches its choices from the admin.
    page.locator(".field-venue .select2-selection").click()
    page.locator(".select2-results__option").first.wait_for()
    assert page.locator(".select2-results__option").count() >= 1
    page.keyboard.press("Escape")
    # The calendar beside a date opens.
    page.locator(".field-start_date .date-icon").click()
    page.locator(".calendarbox").first.wait_for()
    assert _complaints(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_account_email_page_runs_under_the_policy(watched_page, live_server):
    sign_in(watched_page, live_server, VerifiedUserFactory(email="anna.huber@example.org"))
    watched_page.goto(live_server.url + url("account_email", "bg"))
    watched_page.get_by_text("anna.huber@example.org").first.wait_for()
    assert _complaints(watched_page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/bg/events/emn-2018/agenda/", "/en/accounts/login/"])
def test_public_pages_run_under_the_policy(watched_page, live_server, path):
    call_command("load_demo")
    watched_page.goto(live_server.url + path)
    assert watched_page.locator("link[rel=stylesheet]").count() >= 1
    assert _complaints(watched_page) == []
