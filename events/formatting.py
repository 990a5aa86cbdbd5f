import datetime

from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import pgettext_lazy
from modeltranslation import settings as mt_settings
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

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


class FallbackLanguages:
    """Which language a translated text is shown in, as the ` lang="xx"` attribute that marks
    a text shown in a fallback language (nothing when it is in the page's language).

    modeltranslation falls back to another language when the current one is empty; the mark
    tells screen readers and browsers which language the text then is in. One instance per
    page: the language order and the column names are worked out once, not per text.
    """

    def __init__(self, language: str | None = None) -> None:
        self.current = language or get_language()
        order = resolution_order(self.current, mt_settings.FALLBACK_LANGUAGES)
        self._order = order
        self._marks = {code: format_html(' lang="{}"', code) for code in order}
        self._columns: dict[str, list[tuple[str, str]]] = {}

    def attr(self, obj, field: str) -> str:
        columns = self._columns.get(field)
        if columns is None:
            columns = [(build_localized_fieldname(field, code), code) for code in self._order]
            self._columns[field] = columns
        for column, code in columns:
            if getattr(obj, column, None):
                return "" if code == self.current else self._marks[code]
        return ""
