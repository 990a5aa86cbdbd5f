"""When an event's personal data goes, and what counts as still held: the one answer for the
purge and for the admin's page."""

import datetime
import zoneinfo

from django.db.models import Q
from django.utils import timezone

from events.models import Event
from registrations.models import Registration


def sensitive_purge_date(event: Event) -> datetime.date:
    """The day its sensitive fields are cleared: `privacy_sensitive_days` after the last day."""
    return event.end_date + datetime.timedelta(days=event.privacy_sensitive_days)


def anonymise_date(event: Event) -> datetime.date:
    """The day its registrations are anonymised: `privacy_anonymise_days` after the last day."""
    return event.end_date + datetime.timedelta(days=event.privacy_anonymise_days)


def event_today(event: Event, now: datetime.datetime | None = None) -> datetime.date:
    """Today, in the event's own time zone (the purge dates are days there)."""
    return timezone.localdate(now or timezone.now(), timezone=zoneinfo.ZoneInfo(event.time_zone))


def holds(name: str) -> Q:
    """Registrations still holding something personal in the field `name` (or, for "user",
    still tied to an account): neither empty nor the anonymous placeholder."""
    if name == "user":
        return Q(user__isnull=False)
    if name in Registration.ANONYMOUS_VALUES:
        return ~Q(**{f"{name}__in": ["", Registration.ANONYMOUS]})
    if Registration.empty_value(name) is None:  # a date: empty is NULL
        return Q(**{f"{name}__isnull": False})
    return ~Q(**{name: ""})
