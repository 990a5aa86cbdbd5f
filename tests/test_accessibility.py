"""Automated accessibility checks (axe-core, WCAG 2.1 A and AA) of the main pages in a real
browser, in both languages, including a form showing its errors.

axe finds the mechanical problems (labels, contrast, landmarks, names, lang); the journeys
check keyboard use. Neither replaces a review with a screen reader.
"""

import pytest
from django.core.management import call_command

from tests.factories import VerifiedUserFactory

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
def test_check_in_page_and_its_results_have_no_wcag_violations(page, live_server, axe, lang):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from registrations.models import SessionSignup
    from tests.browser import sign_in
    from tests.factories import OpenEventFactory, RegistrationFactory, SessionFactory
    from tests.groups import ensure_staff_groups

    ensure_staff_groups()
    event = OpenEventFactory(slug="door")
    anna = RegistrationFactory(event=event, accessibility_needs="Hearing loop")
    session = SessionFactory(event=event, capacity=10, start=timezone.now())
    SessionSignup.objects.create(
        registration=anna, session=session, status=SessionSignup.Status.CONFIRMED
    )
    staff = VerifiedUserFactory(email="door@example.org")
    staff.groups.add(Group.objects.get(name="Check-in staff"))
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/{lang}/events/door/checkin/")
    found = {"empty": _violations(axe, page)}
    results = ["checked in", "already", "forged", "no code"]
    for result, code in zip(results, [anna.reference, anna.reference, "X:forged", ""], strict=True):
        page.locator("#id_code").fill(code)
        with page.expect_navigation():
            page.locator(".checkin-form__submit").click()
        found[result] = _violations(axe, page)
    assert {page: violations for page, violations in found.items() if violations} == {}
