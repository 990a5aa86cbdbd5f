import datetime

from django.utils.dateformat import format as date_format


def date_range(start: datetime.date, end: datetime.date | None = None) -> str:
    """'14–15 May 2018', '30 May – 2 June 2018' in the active language's month names."""
    if end is None or end == start:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"
