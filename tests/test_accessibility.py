"""Automated accessibility checks (axe-core, WCAG 2.1 A and AA) of the main pages in a real
browser, in both languages, including a form showing its errors.

axe finds the mechanical problems (labels, contrast, landmarks, names, lang); the journeys
check keyboard use. Neither replaces a review with a screen reader.
"""

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Event
from registrations import services
from registrations.models import CheckIn, IssuedDocument
from tests.browser import sign_in
from tests.factories import (
    IssuedDocumentFactory,
    RegistrationFactory,
    SessionMaterialFactory,
    VerifiedUserFactory,
    details,
    sofia,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PAGES = [
    "/{lang}/",
    "/{lang}/events/emn-2018/",
    "/{lang}/events/emn-2018/agenda/",
    "/{lang}/events/emn-2018/agenda/?day=bad",
    "/{lang}/events/emn-2018/grid/",
    "/{lang}/events/emn-2018/grid/?day=bad",
    "/{lang}/events/emn-demo/now/",
    "/{lang}/events/emn-2018/agenda/?language=bg",
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
def test_participants_list_and_consent_button_have_no_wcag_violations(
    page, live_server, demo, axe, lang
):
    event = Event.objects.get(slug="emn-demo")
    found = {}
    for n, name in enumerate([("Anna", "Huber", "AT"), ("Здравка", "Златанова", "BG")]):
        user = VerifiedUserFactory(email=f"delegate{n}@example.org")
        latin = {"given_name_latin": "Zdravka", "family_name_latin": "Zlatanova"} if n else {}
        registration = services.registration_create(
            event=event,
            user=user,
            details=details(
                given_name=name[0],
                family_name=name[1],
                country=name[2],
                listing_consent=True,
                **latin,
            ),
            privacy_accepted=True,
            sessions=[],
            by=user,
        )
    sign_in(page, live_server, user)
    for path in [
        f"/{lang}/events/emn-demo/participants/",
        f"/{lang}/events/emn-demo/participants/?by=delegation",
        f"/{lang}/registrations/{registration.reference}/",
    ]:
        page.goto(live_server.url + path)
        if "participants" in path:
            assert "Huber" in page.content()
        if violations := _violations(axe, page):
            found[path] = violations
    assert found == {}


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_a_session_page_with_interpretation_and_materials_has_no_wcag_violations(
    page, live_server, demo, axe, lang
):
    from events.models import Session

    opening = Session.objects.get(event__slug="emn-2018", kind=Session.Kind.OPENING)
    assert opening.interpretations.exists()
    SessionMaterialFactory(session=opening, title_en="Welcoming address", title_bg="Слово")
    page.goto(live_server.url + f"/{lang}/events/emn-2018/sessions/{opening.pk}/")
    assert page.locator(".materials a").count() == 1
    assert _violations(axe, page) == []


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_a_confirmed_registration_with_its_badge_layouts_has_no_wcag_violations(
    page, live_server, demo, axe, lang
):
    user = VerifiedUserFactory(email="delegate@example.org")
    registration = RegistrationFactory(
        event=Event.objects.get(slug="emn-demo"), user=user, reference="EMN30-BADGE"
    )
    # Checked in at the door on the first day: the page offers the certificate too.
    CheckIn.objects.create(
        registration=registration,
        day=registration.event.start_date,
        scanned_at=sofia(registration.event.start_date, 9),
    )
    page.goto(live_server.url + f"/{lang}/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill("correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/registrations/")
    page.goto(live_server.url + f"/{lang}/registrations/{registration.reference}/")
    assert page.locator("a[href$='badge.pdf?layout=card']").count() == 1
    assert page.locator("a[href$='certificate.pdf']").count() == 1
    assert _violations(axe, page) == []


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_document_verification_pages_have_no_wcag_violations(page, live_server, axe, lang):
    valid = IssuedDocumentFactory()
    withdrawn = IssuedDocumentFactory(withdrawn_at=timezone.now())
    certificate = IssuedDocumentFactory(kind=IssuedDocument.Kind.CERTIFICATE)
    found = {}
    for token in (valid.token, withdrawn.token, certificate.token, "no-such-document-token"):
        path = f"/{lang}/verify/{token}/"
        page.goto(live_server.url + path)
        if violations := _violations(axe, page):
            found[path] = violations
    assert found == {}


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
