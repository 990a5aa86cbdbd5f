"""A visitor's way through the public pages in a real browser, by keyboard where it matters."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_visitor_reads_the_agenda_filters_it_and_switches_language(page, live_server, demo):
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/bg/"
    assert page.locator("html").get_attribute("lang") == "bg"

    page.get_by_role(
        "link", name="Годишна конференция на Европейската мрежа по миграция 2018"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Годишна конференция на Европейската мрежа по миграция 2018"
    )
    assert page.get_by_text("14–15 май 2018").is_visible()

    page.get_by_role("navigation", name="Събитие").get_by_role("link", name="Програма").click()
    page.get_by_label("Ден").select_option("2018-05-15")
    page.get_by_role("button", name="Покажи").press("Enter")
    page.wait_for_url("**/bg/events/emn-2018/agenda/?day=2018-05-15*")
    day_headings = page.locator(".agenda-day h2").all_inner_texts()
    assert day_headings == ["Вторник, 15 май 2018"]
    assert page.get_by_role(
        "link", name="Възможности за подобрение на процедурите за закрила"
    ).is_visible()

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/events/emn-2018/agenda/?day=2018-05-15*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".agenda-day h2").all_inner_texts() == ["Tuesday, 15 May 2018"]
    assert page.get_by_role(
        "link", name="Possibilities of enhancing asylum procedures"
    ).is_visible()


def test_keyboard_user_skips_to_the_main_content(page, live_server, demo):
    page.goto(live_server.url + "/en/events/emn-2018/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_agenda_shows_track_colours_from_the_stylesheet(page, live_server, demo):
    page.goto(live_server.url + "/en/events/emn-2018/agenda/")
    colour = page.locator(".track").first.evaluate(
        "element => getComputedStyle(element).borderLeftColor"
    )
    assert colour == "rgb(29, 79, 145)"  # #1D4F91, the "Borders" track
