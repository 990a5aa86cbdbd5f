"""The agenda by room on a desktop and a phone, the printed agenda, and the "now and next"
page keeping itself current, in a real browser (Chromium)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from events.views import NowView
from tests.factories import EventFactory, RoomFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_grid_is_a_grid_on_a_desktop_and_a_list_on_a_phone(page, live_server, demo):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/en/events/emn-2018/grid/?day=2018-05-14")
    plenary = _box(page, ".agenda-grid__room >> text=Plenary hall")
    foyer = _box(page, ".agenda-grid__room >> text=Foyer")
    opening = _box(page, ".agenda-grid__session:has-text('Opening and welcoming address')")
    coffee = _box(page, ".agenda-grid__session:has-text('Registration and coffee')")
    # Each session under its room's name; later sessions lower down.
    assert opening["x"] == plenary["x"]
    assert coffee["x"] == foyer["x"]
    assert foyer["x"] > plenary["x"]
    assert opening["y"] > coffee["y"]

    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    assert not page.locator(".agenda-grid__room").first.is_visible()
    opening = _box(page, ".agenda-grid__session:has-text('Opening and welcoming address')")
    coffee = _box(page, ".agenda-grid__session:has-text('Registration and coffee')")
    assert opening["x"] == coffee["x"]
    assert opening["y"] > coffee["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_keyboard_goes_through_the_grid_in_the_order_of_time(page, live_server, demo):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/en/events/emn-2018/grid/?day=2018-05-14")
    page.get_by_role("link", name="Registration and coffee").focus()

    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Opening and welcoming address"


def _pdf_pages(page) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    return len(reader.pages), " ".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_the_printed_agenda_fits_one_page_without_navigation_or_forms(
    page, live_server, demo, lang
):
    page.goto(live_server.url + f"/{lang}/events/emn-2018/agenda/")

    pages, text = _pdf_pages(page)

    # Two A4 pages before the print stylesheet, with the header, the feeds and the filters.
    assert pages == 1
    closing = {"en": "Conclusions and closing", "bg": "Заключения и закриване"}[lang]
    assert closing in text
    for left_out in {
        "en": ["Sign in", "Filter the agenda", "Subscribe or download", "Privacy notice"],
        "bg": ["Вход", "Филтриране на програмата", "Абонамент или изтегляне"],
    }[lang]:
        assert left_out not in text


def test_now_page_keeps_itself_current_without_reloading(page, live_server, monkeypatch):
    monkeypatch.setattr(NowView, "refresh_seconds", 1)
    today = timezone.localdate()
    event = EventFactory(
        slug="today",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=1),
    )
    now = timezone.now()
    SessionFactory(
        event=event,
        room=RoomFactory(venue=event.venue),
        title_en="Going on",
        start=now - datetime.timedelta(minutes=10),
        end=now + datetime.timedelta(hours=1),
    )
    page.goto(live_server.url + "/en/events/today/now/")
    assert page.get_by_role("link", name="Going on").is_visible()
    page.evaluate("window.stillTheSamePage = true")

    SessionFactory(
        event=event,
        room=RoomFactory(venue=event.venue),
        title_en="Started meanwhile",
        start=now - datetime.timedelta(minutes=1),
        end=now + datetime.timedelta(hours=1),
    )

    page.get_by_role("link", name="Started meanwhile").wait_for(timeout=10_000)
    assert page.evaluate("window.stillTheSamePage") is True


def test_now_page_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/bg/events/emn-demo/now/")

    page.get_by_role("link", name="Обнови").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Сега и след това"
    context.close()
