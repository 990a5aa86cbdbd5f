"""The event's admin page in a real Chromium whose clock is in another time zone than the
event: it says which zone the times are in, not "You are 2 hours behind server time"."""

import datetime
import zoneinfo

import pytest

from tests.browser import sign_in
from tests.factories import EventFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def utc_page(browser):
    # A browser two (or three, in summer) hours behind Sofia, as the one that saw the note.
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.parametrize(
    ("language", "zone_note", "warnings"),
    [
        ("en", "Time zone: Europe/Sofia", ["server time"]),
        ("bg", "Часова зона: Europe/Sofia", ["сървъра", "server time"]),
    ],
)
def test_event_page_says_the_events_time_zone_not_the_servers(
    utc_page, live_server, language, zone_note, warnings
):
    event = EventFactory(time_zone="Europe/Sofia")
    SessionFactory(event=event)
    sign_in(utc_page, live_server, UserFactory(is_staff=True, is_superuser=True))
    utc_page.goto(f"{live_server.url}/{language}/admin/events/event/{event.pk}/change/")
    # The admin's script has run: its shortcuts stand beside the inputs.
    assert utc_page.locator(".datetimeshortcuts").count() > 0
    text = utc_page.locator("#content").inner_text()
    for warning in warnings:
        assert warning not in text
    # One note per date and time field: the event's three (registration opens and closes, the
    # nomination deadline), and the session's two below.
    notes = utc_page.locator(".timezonewarning:visible").all_inner_texts()
    assert notes == [zone_note] * 5


def test_now_gives_the_time_in_the_events_zone(utc_page, live_server):
    event = EventFactory(time_zone="Europe/Sofia")
    sign_in(utc_page, live_server, UserFactory(is_staff=True, is_superuser=True))
    utc_page.goto(f"{live_server.url}/en/admin/events/event/{event.pk}/change/")
    row = utc_page.locator(".field-registration_opens")
    row.get_by_role("link", name="Now").click()
    typed = row.locator('input[name="registration_opens_1"]').input_value()
    sofia_now = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Sofia"))
    hour, minute = map(int, typed.split(":")[:2])
    shown = sofia_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    assert abs((sofia_now - shown).total_seconds()) < 120
