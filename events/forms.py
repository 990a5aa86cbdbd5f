from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import queries
from .models import Event


class AgendaFilterForm(forms.Form):
    """Filters the agenda by day, track and language ("sessions I can follow in ...") with a
    plain GET form (works without JavaScript).

    A long agenda (`long`, see `queries.agenda_is_long`) shows one day when no day is chosen,
    so there "All days" is a value of its own, `ALL_DAYS`, and the cleaned day is that value,
    a date or None (no day chosen).
    """

    ALL_DAYS = "all"

    day = forms.TypedChoiceField(label=_("Day"), required=False, coerce=str, empty_value=None)
    track = forms.ModelChoiceField(
        label=_("Track"), queryset=None, required=False, empty_label=_("All tracks")
    )
    language = forms.ChoiceField(
        label=_("Sessions I can follow in"),
        required=False,
        choices=[("", _("Any language")), *settings.LANGUAGES],
        help_text=_("Held in this language or interpreted into it."),
    )

    def __init__(self, *args, event: Event, long: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = queries.event_days(event=event)
        self.fields["day"].choices = [(self.ALL_DAYS if long else "", _("All days"))] + [
            (day.isoformat(), capfirst(date_format(day, "l, j E"))) for day in self.days
        ]
        self.fields["track"].queryset = event.tracks.all()

    def clean_day(self):
        value = self.cleaned_data["day"]
        if not value:
            return None
        if value == self.ALL_DAYS:
            return value
        return next(day for day in self.days if day.isoformat() == value)
