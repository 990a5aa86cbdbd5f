"""axe-core (WCAG 2.1 A and AA) on the staff's pages too: public-sector tools fall under the
same rules (EN 301 549). Every model's list and change page in the admin, in both languages,
on the demo, opened by a superuser in Chromium."""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from events.models import Event
from registrations import queries, services
from registrations.models import Registration
from tests.browser import sign_in
from tests.factories import UserFactory, VerifiedUserFactory, details
from tests.test_accessibility import WCAG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _with_a_registration() -> None:
    """The demo, and a delegate registered for a session of it, with the message that tells
    them, the history of it and an export of the list: something on every list page."""
    call_command("load_demo")
    event = Event.objects.get(slug="emn-demo")
    delegate = VerifiedUserFactory()
    registration = services.registration_create(
        event=event,
        user=delegate,
        details=details(),
        privacy_accepted=True,
        sessions=queries.signup_sessions_for_event(event=event)[:1],
        by=delegate,
    )
    services.export_write(
        event=event,
        registrations=Registration.objects.filter(pk=registration.pk),
        dataset="attendees",
        file_format="csv",
        language="en",
        out=io.BytesIO(),
        by=UserFactory(is_staff=True, is_superuser=True),
        via="admin",
    )


def _admin_pages(lang: str) -> list[str]:
    pages = []
    with translation.override(lang):
        pages.append(reverse("admin:index"))
        for model in admin.site._registry:
            info = model._meta.app_label, model._meta.model_name
            pages.append(reverse("admin:{}_{}_changelist".format(*info)))
            obj = model._default_manager.order_by("pk").first()
            if obj is not None:
                pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return pages


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_every_admin_list_and_change_page_has_no_wcag_violations(page, live_server, axe, lang):
    _with_a_registration()
    sign_in(page, live_server, UserFactory(is_staff=True, is_superuser=True))
    found = {}
    for path in _admin_pages(lang):
        page.goto(live_server.url + path)
        results = axe.run(page, options=WCAG)
        for v in results.response["violations"]:
            found.setdefault(path, []).append(
                f"{v['id']} x{len(v['nodes'])}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            )
    for path, violations in found.items():
        print(path)
        for v in violations:
            print("   ", v)
    assert found == {}


def test_the_translation_tabs_are_one_control_each_and_work_with_the_keyboard(page, live_server):
    call_command("load_demo")
    sign_in(page, live_server, UserFactory(is_staff=True, is_superuser=True))
    session = Event.objects.get(slug="emn-demo").sessions.order_by("pk").first()
    page.goto(live_server.url + reverse("admin:events_session_change", args=[session.pk]))
    tabs = page.locator(
        "li[role=tab][aria-controls=tab_id_title_bg], li[aria-controls=tab_id_title_en]"
    )
    assert tabs.count() == 2
    assert page.locator(".ui-tabs-nav a[href]").count() == 0
    page.locator("li[aria-controls=tab_id_title_bg]").focus()
    page.keyboard.press("ArrowRight")
    assert (
        page.locator("li[aria-controls=tab_id_title_en]").get_attribute("aria-selected") == "true"
    )
    assert page.locator("#id_title_en").is_visible()
    assert page.locator("#id_title_en").input_value() == session.title_en  # not fetched again
    assert not page.locator("#id_title_bg").is_visible()
    page.locator("li[aria-controls=tab_id_title_bg] > a").click()
    assert page.locator("#id_title_bg").is_visible()
