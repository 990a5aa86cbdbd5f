"""The privacy pages pass axe-core's WCAG 2.1 A/AA checks in a real browser, in both
languages, with their forms showing errors, and the delete journey works by keyboard alone."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from events.models import Event
from registrations import services
from registrations.models import PrivacyNotice
from tests.browser import sign_in
from tests.factories import OpenEventFactory, PrivacyNoticeFactory, VerifiedUserFactory, details
from tests.test_accessibility import WCAG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _violations(axe, page) -> list[str]:
    results = axe.run(page, options=WCAG)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.fixture
def delegate(transactional_db):
    PrivacyNoticeFactory()
    event = OpenEventFactory(slug="emn-2030")
    user = VerifiedUserFactory(email="delegate@example.org")
    services.registration_create(
        event=event,
        user=user,
        details=details(dietary_requirements="vegetarian"),
        privacy_accepted=True,
        by=user,
    )
    return user


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_privacy_pages_have_no_wcag_violations(page, live_server, axe, delegate, lang):
    sign_in(page, live_server, delegate)
    found = {}
    for path in [
        f"/{lang}/events/emn-2030/privacy/",
        f"/{lang}/privacy/",
        f"/{lang}/accounts/data/",
        f"/{lang}/accounts/delete/",
    ]:
        page.goto(live_server.url + path)
        if violations := _violations(axe, page):
            found[path] = violations
    # The delete form with its errors, and the page asking to accept a new notice.
    page.goto(live_server.url + f"/{lang}/accounts/delete/")
    page.locator("main button[type=submit]").click()
    page.locator(".form-errors").wait_for()
    if violations := _violations(axe, page):
        found["delete with errors"] = violations
    PrivacyNotice.objects.create(
        event=Event.objects.get(slug="emn-2030"),
        version="emn-2030-2",
        text_en="New words.",
        text_bg="Нови думи.",
        effective_from=timezone.now() - datetime.timedelta(minutes=1),
    )
    page.goto(live_server.url + f"/{lang}/registrations/")
    page.locator("main button[type=submit]").click()
    page.locator(".form-errors").wait_for()
    if violations := _violations(axe, page):
        found["accept with errors"] = violations
    assert found == {}


def test_a_delegate_deletes_their_account_with_the_keyboard(page, live_server, delegate):
    sign_in(page, live_server, delegate)
    page.goto(live_server.url + "/en/registrations/")
    page.get_by_role("link", name="Delete my account").first.click()
    page.wait_for_url("**/en/accounts/delete/")
    page.get_by_label("Password").focus()
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/")
    assert page.get_by_role("status").inner_text() == (
        "Your account is deleted, and with it your personal data."
    )
    assert not get_user_model().objects.filter(email="delegate@example.org").exists()
