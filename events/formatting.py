import datetime

from django.utils.dateformat import format as date_format
from django.utils.translation import pgettext_lazy

# Month names as they stand inside a date (format character "E"). Marked here so that our
# catalogue can override Django's: its Bulgarian catalogue capitalises them ("14 Май"),
# while Bulgarian writes "14 май".
MONTHS_IN_DATES = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]


def date_range(start: datetime.date, end: datetime.date | None = None) -> str:
    """'14–15 May 2018', '30 May – 2 June 2018' in the active language's month names."""
    if end is None or end == start:
        return date_format(start, "j E Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'j E Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j E')} – {date_format(end, 'j E Y')}"
    return f"{date_format(start, 'j E Y')} – {date_format(end, 'j E Y')}"
