"""The organisers' dashboard in a real Chromium: axe-core finds no WCAG 2.1 A/AA violation in
either language, with figures (a generated event) and without (the demo's copy, before anyone
registers), and the page prints its charts and tables without the site's menus."""

import datetime
import io
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from pypdf import PdfReader

from demo.generator import Size, generate_event
from events.models import Event
from registrations.models import Registration
from tests.browser import sign_in
from tests.factories import UserFactory
from tests.groups import ensure_staff_groups
from tests.test_accessibility import WCAG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZE = Size(sessions=12, days=2, speakers=10, delegations=6, registrations=80, waiting=10)


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def manager(transactional_db):
    ensure_staff_groups()  # an earlier transactional test has emptied the database
    call_command("load_demo")
    generate_event(slug="gen", size=SIZE, seed=7)
    # Some of its delegates checked in at the door over its two days, at several hours.
    event = Event.objects.get(slug="gen")
    zone = zoneinfo.ZoneInfo(event.time_zone)
    confirmed = Registration.objects.filter(event=event).confirmed().order_by("pk")[:30]
    for i, registration in enumerate(confirmed):
        day = event.start_date + datetime.timedelta(days=i % 2)
        registration.checkins.create(
            day=day,
            scanned_at=datetime.datetime.combine(day, datetime.time(8 + i % 4, i), tzinfo=zone),
        )
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    return user


def _violations(axe, page) -> list[str]:
    results = axe.run(page, options=WCAG)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_the_dashboard_has_no_wcag_violations(page, live_server, axe, manager, lang):
    sign_in(page, live_server, manager)
    found = {}
    for slug in ["gen", "emn-demo"]:
        page.goto(f"{live_server.url}/{lang}/events/{slug}/dashboard/")
        assert page.locator("svg.chart").count() == (9 if slug == "gen" else 4)
        if violations := _violations(axe, page):
            found[slug] = violations
    assert found == {}


def test_the_dashboard_prints_its_figures_without_the_menus(page, live_server, manager):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/en/events/gen/dashboard/")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("svg.chart").first.is_visible()
    text = "\n".join(
        sheet.extract_text() for sheet in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages
    )
    assert "Organisers' dashboard" in text
    assert "Delegation quotas" in text
    # Chromium writes "fi" as a ligature: the tables' words are checked without one.
    assert "Letters Number\nAsked for" in text
    assert "My registrations" not in text
