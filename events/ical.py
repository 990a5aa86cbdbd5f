"""iCalendar (RFC 5545) for events, written with the icalendar library."""

import datetime

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event

PRODID = "-//EMN Conference//Conference management//EN"


def event_location(event: Event) -> str:
    venue = event.venue
    if venue is None:
        return ""
    return ", ".join(part for part in [venue.name, venue.address, venue.city] if part)


def event_calendar(*, event: Event, url: str = "") -> bytes:
    """The event as one all-day calendar entry, in the active language."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.pk}@emn-conference")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.start_date)
    # DTEND of an all-day entry is exclusive: the day after the last day.
    entry.add("dtend", event.end_date + datetime.timedelta(days=1))
    entry.add("summary", event.title)
    if event.theme:
        entry.add("description", event.theme if not url else f"{event.theme}\n\n{url}")
    location = event_location(event)
    if location:
        entry.add("location", location)
    if url:
        entry.add("url", url)
    if event.contact_email:
        entry.add("organizer", f"mailto:{event.contact_email}", parameters={"cn": _("Organisers")})
    calendar.add_component(entry)
    return calendar.to_ical()
