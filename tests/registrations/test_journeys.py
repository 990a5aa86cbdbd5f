"""A delegate's whole way in a real browser: sign up, verify, register, cancel."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from registrations.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_delegate_signs_up_registers_in_bulgarian_and_cancels(page, live_server, demo):
    page.goto(live_server.url + "/bg/events/emn-demo/")
    page.get_by_role("link", name="Регистрация за събитието", exact=True).click()
    # Not signed in yet: the sign-in page, with the way to create an account.
    page.get_by_role("main").get_by_role("link", name="Създаване на профил").click()
    page.get_by_label("Имейл:", exact=True).fill("delegate@example.org")
    page.get_by_label("Парола:", exact=True).fill("Crossroads-of-Migration-2018")
    page.get_by_label("Парола (отново):", exact=True).fill("Crossroads-of-Migration-2018")
    page.get_by_role("button", name="Създаване на профил").click()
    page.wait_for_url("**/bg/accounts/confirm-email/")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/confirm-email/\S+", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Потвърди").click()
    # Confirming signs the delegate in and brings them back to where they were going.
    page.get_by_text("Успешно влязохте като delegate@example.org.").wait_for()

    page.goto(live_server.url + "/bg/events/emn-demo/register/")
    page.get_by_label("Обръщение", exact=True).fill("Г-жа")
    page.get_by_label("Собствено име", exact=True).fill("Мария")
    page.get_by_label("Фамилия", exact=True).fill("Петрова")
    page.get_by_label("Собствено име на латиница", exact=True).fill("Maria")
    page.get_by_label("Фамилия на латиница", exact=True).fill("Petrova")
    page.get_by_label("Организация", exact=True).fill("Министерство на вътрешните работи")
    page.get_by_label("Държава", exact=True).select_option("BG")
    page.get_by_label("Телефон", exact=True).fill("+359 2 982 5000")
    page.get_by_label("Предпочитан език", exact=True).select_option("bg")
    page.get_by_label(re.compile("Прочетох уведомлението за поверителност")).check()
    page.get_by_role("button", name="Регистрация за събитието").click()
    page.wait_for_url("**/bg/registrations/DEMO-*/")

    registration = Registration.objects.get(user__email="delegate@example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "Вашата регистрация"
    assert page.get_by_text(registration.reference).first.is_visible()
    assert page.locator(".status").inner_text() == "Потвърдена"
    assert any("е потвърдена" in m.subject for m in mail.outbox)

    page.get_by_role("link", name="Отмяна на регистрацията").click()
    page.get_by_role("button", name="Отменете регистрацията ми").click()
    assert page.get_by_text(
        "Отбележете полето, за да потвърдите отмяната.", exact=True
    ).is_visible()
    page.get_by_label("Да, отменете регистрацията ми.").check()
    page.get_by_role("button", name="Отменете регистрацията ми").click()
    assert page.locator(".status").inner_text() == "Отменена"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
