"""A registration manager writes to a filtered list in a real browser: the page's content
passes axe-core's WCAG 2.1 A/AA checks, with its errors and with its preview, in both
languages."""

import pytest
from django.contrib.auth.models import Group

from registrations.models import Message
from tests.browser import sign_in
from tests.factories import DelegationFactory, OpenEventFactory, RegistrationFactory, UserFactory
from tests.groups import ensure_staff_groups
from tests.test_accessibility import WCAG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _violations(axe, page) -> list[str]:
    # Our part of the page: Django's own admin frame around it (its breadcrumb links are told
    # apart by colour alone) is checked by Django, not here.
    results = axe.run(page, context="#content", options=WCAG)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.fixture
def manager(transactional_db):
    ensure_staff_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    return user


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_a_manager_previews_and_sends_a_message_to_a_delegation(
    page, live_server, axe, manager, lang
):
    event = OpenEventFactory(title_en="Crossroads", title_bg="Кръстопът")
    austria = DelegationFactory(event=event, name_en="IOM Austria", name_bg="МОМ Австрия")
    RegistrationFactory(event=event, delegation=austria, given_name="Anna", family_name="Huber")
    RegistrationFactory(event=event, given_name="Ivan", family_name="Novak")
    sign_in(page, live_server, manager)
    page.goto(
        f"{live_server.url}/{lang}/admin/registrations/registration/"
        f"?event__id__exact={event.pk}&delegation__id__exact={austria.pk}"
    )
    page.locator("a[href^='message/']").click()
    page.locator("#id_subject_bg").wait_for()
    # Nothing written yet: each missing text is named beside its field.
    page.locator("input[name=preview]").click()
    page.locator(".errorlist").first.wait_for()
    assert page.locator(".errorlist").count() == 4
    assert _violations(axe, page) == []

    page.locator("#id_subject_bg").fill("Програмата за {event}")
    page.locator("#id_subject_en").fill("The programme of {event}")
    page.locator("#id_body_bg").fill("Уважаеми {name}, програмата е готова.")
    page.locator("#id_body_en").fill("Dear {name}, the programme is ready.")
    page.locator("input[name=preview]").click()
    page.locator("input[name=send]").wait_for()
    assert "Dear Anna Huber, the programme is ready." in page.content()
    assert "Novak" not in page.content()
    assert _violations(axe, page) == []

    page.locator("input[name=send]").click()
    page.wait_for_url("**/admin/registrations/message/*/change/")
    message = Message.objects.get()
    assert [r.registration.family_name for r in message.recipients.all()] == ["Huber"]
    assert _violations(axe, page) == []
