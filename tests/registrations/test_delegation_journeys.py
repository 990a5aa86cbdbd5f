"""In a real browser: a member invited by link who has no account yet, and the head's
delegation page on a phone."""

import re

import pytest
from django.core import mail

from registrations.models import Registration
from tests.browser import sign_in
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    VerifiedUserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def event(transactional_db):
    PrivacyNoticeFactory()
    return OpenEventFactory(
        title_bg="Годишна конференция на Европейската мрежа по миграция",
        title_en="European Migration Network Annual Conference",
    )


def test_an_invited_member_without_an_account_comes_back_to_the_form_of_their_delegation(
    page, live_server, event
):
    delegation = DelegationFactory(event=event, name_bg="МОМ Австрия", quota=10)
    page.goto(
        f"{live_server.url}/bg/events/{event.slug}/register/?invitation={delegation.invitation_code}"
    )
    # Signed out: the sign-in page says why, and offers an account.
    page.get_by_text(
        "Влезте или създайте профил, за да се регистрирате за Годишна конференция на "
        "Европейската мрежа по миграция."
    ).wait_for()
    page.get_by_role("main").get_by_role("link", name="Създаване на профил").click()
    page.get_by_role("heading", level=1, name="Създаване на профил").wait_for()
    page.get_by_label("Имейл:", exact=True).fill("member@example.org")
    page.get_by_label("Парола:", exact=True).fill("Crossroads-of-Migration-2018")
    page.get_by_label("Парола (отново):", exact=True).fill("Crossroads-of-Migration-2018")
    page.get_by_role("button", name="Създаване на профил").click()
    page.wait_for_url("**/bg/accounts/confirm-email/")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/confirm-email/\S+", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Потвърди").click()
    page.wait_for_url(f"**/bg/events/{event.slug}/register/?invitation=*")
    assert page.get_by_role("heading", level=1).inner_text() == "Регистрация за събитието"
    assert page.get_by_text(
        "Присъединявате се към делегацията „МОМ Австрия“ (заети са 0 от 10 места)."
    ).is_visible()
    code = page.get_by_label("Код за покана в делегация", exact=True)
    assert code.input_value() == delegation.invitation_code

    page.get_by_label("Собствено име", exact=True).fill("Anna")
    page.get_by_label("Фамилия", exact=True).fill("Huber")
    page.get_by_label("Организация", exact=True).fill("МОМ Австрия")
    page.get_by_label("Държава", exact=True).select_option("AT")
    page.get_by_label("Предпочитан език", exact=True).select_option("bg")
    page.get_by_label(re.compile("Прочетох уведомлението за поверителност")).check()
    page.get_by_role("button", name="Регистрация за събитието").click()
    page.wait_for_url("**/bg/registrations/EMN30-*/")
    assert Registration.objects.get(user__email="member@example.org").delegation == delegation


@pytest.mark.parametrize("language", ["bg", "en"])
def test_the_delegation_page_fits_a_phone_and_copies_its_link(
    browser, live_server, event, language
):
    head = VerifiedUserFactory(email="head.of.the.delegation.of.the.republic@example.org")
    delegation = DelegationFactory(
        event=event,
        head=head,
        quota=40,
        name_bg="Делегация на Министерството на вътрешните работи на Република България",
        name_en="Delegation of the Ministry of the Interior of the Republic of Bulgaria",
    )
    for n in range(12):
        RegistrationFactory(
            event=event,
            delegation=delegation,
            honorific="Главен секретар",
            given_name="Александра-Мариела",
            family_name=f"Стефанова-Константинова {n}",
            position="Директор на дирекция „Миграция и международно сътрудничество“",
        )
    context = browser.new_context(viewport=PHONE, locale=language)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, head)
        page.goto(f"{live_server.url}/{language}/events/{event.slug}/delegations/{delegation.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        link = page.locator("#invitation-url").inner_text()
        assert link.endswith(f"/register/?invitation={delegation.invitation_code}")
        copied, button = {
            "bg": ("Връзката е копирана.", "Копиране на връзката"),
            "en": ("The link is copied.", "Copy the link"),
        }[language]
        page.get_by_role("button", name=button).click()
        page.get_by_role("status").filter(has_text=copied).wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == link

        # The register form the link leads to fits as well.
        page.goto(link)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_without_javascript_the_invitation_link_is_text_to_select(browser, live_server, event):
    head = VerifiedUserFactory()
    delegation = DelegationFactory(event=event, head=head)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, head)
        page.goto(f"{live_server.url}/en/events/{event.slug}/delegations/{delegation.pk}/")
        assert page.locator("#invitation-url").is_visible()
        assert not page.get_by_role("button", name="Copy the link").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


@pytest.mark.parametrize("language", ["bg", "en"])
def test_the_new_pages_have_no_wcag_violations(page, live_server, event, language):
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_accessibility import WCAG

    head = VerifiedUserFactory()
    delegation = DelegationFactory(event=event, head=head, quota=1)
    full = DelegationFactory(event=event, quota=1)
    RegistrationFactory(event=event, delegation=full)
    RegistrationFactory(event=event, delegation=delegation, user=head, status="cancelled")
    base = f"{live_server.url}/{language}/events/{event.slug}"
    axe, found = Axe(), {}

    def check(address: str) -> None:
        page.goto(address)
        if violations := axe.run(page, options=WCAG).response["violations"]:
            found[address] = [v["id"] for v in violations]

    # Signed out: the sign-in and sign-up pages, saying why.
    check(f"{base}/register/")
    check(
        f"{live_server.url}/{language}/accounts/signup/?next=/{language}/events/{event.slug}/register/"
    )
    sign_in(page, live_server, head)
    for address in [
        f"{base}/delegations/{delegation.pk}/",
        f"{base}/register/?invitation={delegation.invitation_code}",
        f"{base}/register/?invitation={full.invitation_code}",
        f"{base}/register/?invitation=WRONG",
        f"{base}/",
        f"{live_server.url}/{language}/registrations/",
        f"{live_server.url}/{language}/registrations/"
        + Registration.objects.get(user=head).reference
        + "/",
    ]:
        check(address)
    assert found == {}


def test_a_head_nominates_a_member_who_registers_from_the_invitation(browser, live_server, event):
    head = VerifiedUserFactory(email="head@example.org")
    delegation = DelegationFactory(event=event, head=head, quota=3, name_bg="МОМ Австрия")
    context = browser.new_context(locale="bg-BG")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, head)
        page.goto(f"{live_server.url}/bg/events/{event.slug}/delegations/{delegation.pk}/")
        nominate = page.get_by_role("region", name="Номиниране на член")
        nominate.get_by_label("Собствено име", exact=True).fill("Мария")
        nominate.get_by_label("Фамилия", exact=True).fill("Петрова")
        nominate.get_by_label("Имейл", exact=True).fill("maria@example.org")
        nominate.get_by_label("Език на поканата", exact=True).select_option("en")
        nominate.get_by_role("button", name="Изпращане на поканата").click()
        page.get_by_text("Покана за регистрация е изпратена до maria@example.org.").wait_for()
        assert page.get_by_text("Мария Петрова (maria@example.org)").is_visible()
    finally:
        context.close()

    # The invitation, in the language the head chose for her, links to the form filled in.
    [invitation] = [m for m in mail.outbox if m.to == ["maria@example.org"]]
    assert invitation.subject == (
        "Invitation to register for European Migration Network Annual Conference with the "
        "delegation “IOM Office " + delegation.name_en.split()[-1] + "”"
    )
    link = re.search(r"https?://\S+/en/events/\S+/register/\?\S+", invitation.body).group(0)

    nominee = VerifiedUserFactory(email="maria@example.org")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, nominee)
        page.goto(link)
        assert page.get_by_label("Given name", exact=True).input_value() == "Мария"
        assert page.get_by_label("Family name", exact=True).input_value() == "Петрова"
        code = page.get_by_label("Delegation invitation code", exact=True)
        assert code.input_value() == delegation.invitation_code
        page.get_by_label("Given name in Latin script", exact=True).fill("Maria")
        page.get_by_label("Family name in Latin script", exact=True).fill("Petrova")
        page.get_by_label("Organisation", exact=True).fill("IOM Austria")
        page.get_by_label("Country", exact=True).select_option("AT")
        page.get_by_label(re.compile("I have read the privacy notice")).check()
        page.get_by_role("button", name="Register for the event").click()
        page.wait_for_url("**/en/registrations/EMN30-*/")
    finally:
        context.close()
    registration = Registration.objects.get(user=nominee)
    assert registration.delegation == delegation
    assert registration.language == "en"
    assert delegation.nominations.get().registration == registration


@pytest.mark.parametrize("language", ["bg", "en"])
def test_the_head_pages_to_nominate_replace_and_withdraw_have_no_wcag_violations(
    page, live_server, event, language
):
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_accessibility import WCAG

    head = VerifiedUserFactory()
    delegation = DelegationFactory(event=event, head=head, quota=3)
    member = RegistrationFactory(event=event, delegation=delegation)
    delegation.nominations.create(
        email="maria@example.org", given_name="Maria", family_name="Petrova", language="bg"
    )
    base = f"{live_server.url}/{language}/events/{event.slug}/delegations/{delegation.pk}"
    axe, found = Axe(), {}
    sign_in(page, live_server, head)
    for address in [
        f"{base}/",
        f"{base}/members/{member.reference}/replace/",
        f"{base}/members/{member.reference}/withdraw/",
    ]:
        page.goto(address)
        if violations := axe.run(page, options=WCAG).response["violations"]:
            found[address] = [v["id"] for v in violations]
    # With errors shown, too.
    page.goto(f"{base}/")
    page.get_by_role(
        "button", name={"bg": "Изпращане на поканата", "en": "Send the invitation"}[language]
    ).click()
    page.locator(".form-errors").first.wait_for()
    if violations := axe.run(page, options=WCAG).response["violations"]:
        found["errors"] = [v["id"] for v in violations]
    assert found == {}
