"""Automated accessibility checks (axe-core, WCAG 2.1 A and AA) of the main pages in a real
browser, in both languages, including a form showing its errors.

axe finds the mechanical problems (labels, contrast, landmarks, names, lang); the journeys
check keyboard use. Neither replaces a review with a screen reader.
"""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import IssuedDocumentFactory, VerifiedUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PAGES = [
    "/{lang}/",
    "/{lang}/events/emn-2018/",
    "/{lang}/events/emn-2018/agenda/",
    "/{lang}/events/emn-2018/agenda/?day=bad",
    "/{lang}/events/emn-2018/speakers/",
    "/{lang}/events/emn-2018/speakers/radoslav-stamenkov/",
    "/{lang}/events/emn-2018/news/",
    # The demonstration copy: its registration is open, so the page shows the Register link.
    "/{lang}/events/emn-demo/",
    "/{lang}/accounts/login/",
    "/{lang}/accounts/signup/",
    "/{lang}/accounts/password/reset/",
    "/{lang}/events/no-such-event/",
]


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def _violations(axe, page) -> list[str]:
    results = axe.run(page, options=WCAG)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_public_and_account_pages_have_no_wcag_violations(page, live_server, demo, axe, lang):
    found = {}
    for path in PAGES:
        page.goto(live_server.url + path.format(lang=lang))
        if violations := _violations(axe, page):
            found[path] = violations
    assert found == {}


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_registration_form_with_errors_has_no_wcag_violations(page, live_server, demo, axe, lang):
    user = VerifiedUserFactory(email="delegate@example.org")
    page.goto(live_server.url + f"/{lang}/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill("correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/registrations/")
    page.goto(live_server.url + f"/{lang}/events/emn-demo/register/")
    page.locator("#id_given_name").fill("Радослав")
    page.locator("#id_phone").fill("12")
    page.locator("main button[type=submit]").click()
    page.locator(".form-errors").wait_for()
    assert _violations(axe, page) == []


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_document_verification_pages_have_no_wcag_violations(page, live_server, axe, lang):
    valid = IssuedDocumentFactory()
    withdrawn = IssuedDocumentFactory(withdrawn_at=timezone.now())
    found = {}
    for token in (valid.token, withdrawn.token, "no-such-document-token"):
        path = f"/{lang}/verify/{token}/"
        page.goto(live_server.url + path)
        if violations := _violations(axe, page):
            found[path] = violations
    assert found == {}
