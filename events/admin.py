"""The agenda back office: every translated text in tabs, one tab per language."""

import datetime
import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation import settings as mt_settings
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.utils import build_localized_fieldname

from history.admin import HistoryAdminMixin

from . import page_cache
from .images import ImageUploadField
from .models import (
    Announcement,
    Event,
    Organisation,
    Room,
    Session,
    SessionInterpretation,
    SessionMaterial,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from .translation_status import TranslationStatusMixin, localized, translated_fields


def _default_language(field: str) -> str:
    return build_localized_fieldname(field, mt_settings.DEFAULT_LANGUAGE)


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _rendered(response):
    """Renders a template response now, while the time zone that must show in it is active."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response


class SafeInitialMixin:
    """Drops add-page pre-fill values (?event=…) that the form field would refuse.

    Django's admin passes them to the form unchecked, and a malformed one is a server error.
    """

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        valid = {}
        for name, value in initial.items():
            field = fields.get(name)
            try:
                if field is not None:
                    field.clean(value)
                    valid[name] = value
            except (ValidationError, ValueError, TypeError, AttributeError):
                continue
        return valid


class _SubmittedIdsOnly:
    """Django's autocomplete widgets look the submitted value up to show it again with the
    form's errors; one that is no id at all ("abc", typed into a forged request) makes that
    lookup a server error (ValueError). Such a value is shown as nothing chosen, and the
    field says why it is refused."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field

        def is_id(item) -> bool:
            try:
                target.to_python(item)
            except ValidationError:
                return False
            return True

        return super().optgroups(name, [item for item in value if is_id(item)], attr)


class _AutocompleteSelect(_SubmittedIdsOnly, widgets.AutocompleteSelect):
    pass


class _AutocompleteSelectMultiple(_SubmittedIdsOnly, widgets.AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """Autocomplete fields (`autocomplete_fields`) that answer a malformed value with the
    field's error, not a server error (`_SubmittedIdsOnly`)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = _AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _date_input_hint(*, with_time: bool) -> str:
    """How a date is typed in the current language, by example (Django's admin does not say)."""
    date = datetime.date(2018, 5, 15).strftime(get_format("DATE_INPUT_FORMATS")[0])
    if with_time:
        return gettext("Date as %(date)s, time as %(time)s.") % {"date": date, "time": "09:30"}
    return gettext("Date as %(date)s.") % {"date": date}


class DateInputHintMixin:
    """Says under each date field how to type it: 15.05.2018 in Bulgarian, 2018-05-15 in
    English (emn_conference/formats)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateField):
            hint = _date_input_hint(with_time=isinstance(db_field, models.DateTimeField))
            formfield.help_text = f"{formfield.help_text} {hint}".lstrip()
        return formfield


class _TimeZoneNote:
    """Says beside the date and time inputs which time zone their times are in: the zone
    active while the page is rendered, i.e. the event's (see `changeform_view` below), else
    the site's.

    Django's admin script compares the browser's clock with the page's zone
    (`data-admin-utc-offset`, the same zone) and otherwise adds "Note: You are 2 hours behind
    server time." to each input; but these times are the event's, not the server's, and the
    script adds its note only where no `.timezonewarning` stands beside the input already.
    Its "Now" and "Today" still give the time in the event's zone.
    """

    def zone_note(self) -> str:
        return format_html(
            '<br><span class="help timezonewarning">{}</span>',
            gettext("Time zone: %(zone)s") % {"zone": timezone.get_current_timezone_name()},
        )

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        # Inside the inputs' paragraph, where the script looks for a note.
        head, end, tail = html.rpartition("</p>")
        if not end:
            return html
        return mark_safe(head + self.zone_note() + end + tail)  # noqa: S308 - Django's own HTML and ours


class TimeZoneSplitDateTime(_TimeZoneNote, widgets.AdminSplitDateTime):
    pass


class TimeZoneDateWidget(_TimeZoneNote, widgets.AdminDateWidget):
    def zone_note(self) -> str:
        # A day has no time zone, so nothing to say; the empty note keeps the script's away.
        return '<span class="timezonewarning" hidden></span>'


class TimeZoneNoteMixin:
    """Date and time inputs that say which zone they are in (`_TimeZoneNote`)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField):
            kwargs.setdefault("widget", TimeZoneSplitDateTime)
        elif isinstance(db_field, models.DateField):
            kwargs.setdefault("widget", TimeZoneDateWidget)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class EitherLanguageForm:
    """A translated text may be typed in either language first.

    modeltranslation's admin requires the default language (English) of every text the
    model requires, so a record typed only in Bulgarian was refused. Here no language is
    required on its own; a text the model requires must be there in at least one of them
    (the model checks the same through its fallback languages: events/translation.py).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.either_language = {}
        model = self._meta.model
        for name in translated_fields(model):
            if model._meta.get_field(name).blank:
                continue
            columns = [column for column in localized(name) if column in self.fields]
            if columns:
                self.either_language[name] = columns
                for column in columns:
                    self.fields[column].required = False

    def clean(self):
        cleaned = super().clean()
        for name, columns in self.either_language.items():
            if any(cleaned.get(c) for c in columns) or any(c in self.errors for c in columns):
                continue
            in_page_language = build_localized_fieldname(name, get_language())
            self.add_error(
                in_page_language if in_page_language in columns else columns[0],
                ValidationError(_("Fill this in, in at least one language."), code="required"),
            )
        return cleaned


@functools.cache
def _either_language_form(form: type) -> type:
    return type(form.__name__, (EitherLanguageForm, form), {})


class EitherLanguageMixin:
    """For the admins and inlines of translated models: `EitherLanguageForm`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form = _either_language_form(self.form)


class PublicPagesAdminMixin:
    """Tells the public pages' cache (events/page_cache.py) about every save and deletion made
    here, so that the agenda, the speakers page and the feeds of the events concerned show it
    at once, in every language.

    The events are read before the change and after it (an object may move to another event
    or stop being shown by one); their new versions are set when the admin's transaction
    commits, so after the inlines and many-to-many fields, saved later in the same request:
    an inline object belongs to the object of the page, whose events are those concerned.
    """

    def save_model(self, request, obj, form, change):
        model = type(obj)
        before = page_cache.events_showing(model, [obj.pk]) if change else set()
        super().save_model(request, obj, form, change)
        page_cache.events_changed(before | page_cache.events_showing(model, [obj.pk]))

    def delete_model(self, request, obj):
        shown = page_cache.events_showing(type(obj), [obj.pk])
        super().delete_model(request, obj)
        page_cache.events_changed(shown)

    def delete_queryset(self, request, queryset):
        shown = page_cache.events_showing(
            queryset.model, list(queryset.values_list("pk", flat=True))
        )
        super().delete_queryset(request, queryset)
        page_cache.events_changed(shown)


class TranslatedModelAdmin(
    PublicPagesAdminMixin,
    HistoryAdminMixin,
    EitherLanguageMixin,
    TimeZoneNoteMixin,
    DateInputHintMixin,
    SafeInitialMixin,
    SafeAutocompleteMixin,
    TranslationStatusMixin,
    TabbedTranslationAdmin,
):
    # Uploaded images are checked and re-encoded, never stored as sent (events/images.py).
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}


@admin.register(Organisation)
class OrganisationAdmin(TranslatedModelAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = localized("name", "acronym")
    formfield_overrides = {
        **TranslatedModelAdmin.formfield_overrides,
        models.URLField: {"assume_scheme": "https"},
    }


class RoomInline(EitherLanguageMixin, TranslationTabularInline):
    model = Room
    extra = 1


@admin.register(Venue)
class VenueAdmin(TranslatedModelAdmin):
    list_display = ["name", "city", "country"]
    list_filter = ["country"]
    search_fields = localized("name", "city")
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(TranslatedModelAdmin):
    list_display = ["name", "venue", "capacity"]
    list_filter = ["venue"]
    list_select_related = ["venue"]
    search_fields = localized("name")


class TrackInline(EitherLanguageMixin, TranslationTabularInline):
    model = Track
    extra = 0


class SessionInline(
    EitherLanguageMixin, TimeZoneNoteMixin, DateInputHintMixin, TranslationStackedInline
):
    model = Session
    extra = 0
    fields = ["title", "kind", "start", "end", "room", "track", "capacity", "floor_language"]
    show_change_link = True
    ordering = ["start"]

    def get_formset(self, request, obj=None, **kwargs):
        # Offer only the rooms of the event's venue and the event's own tracks, and fetch
        # those choices once for all the rows rather than once per row.
        formset = super().get_formset(request, obj, **kwargs)
        fields = formset.form.base_fields
        if obj is not None:
            fields["track"].queryset = fields["track"].queryset.filter(event=obj)
            if obj.venue_id:
                fields["room"].queryset = fields["room"].queryset.filter(venue_id=obj.venue_id)
        else:
            fields["track"].queryset = fields["track"].queryset.none()
        for name in ("room", "track"):
            fields[name].choices = list(fields[name].choices)
        return formset


_ENDS_AFTER_START = next(
    c for c in Event._meta.constraints if c.name == "events_event_ends_after_start"
)


class EventAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        # Impossible days are the database constraint's to judge. Asked here, its message
        # stands once, next to the last day, instead of above the form.
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start is not None and end is not None:
            try:
                _ENDS_AFTER_START.validate(Event, Event(start_date=start, end_date=end))
            except ValidationError as error:
                self.add_error("end_date", error)
                if self.instance.pk is not None:
                    # The sessions below are then checked against the saved first and last
                    # day, not against the new first day and the saved last one. (A new
                    # event has no last day, and its sessions are not checked against days.)
                    del cleaned["start_date"]
        return cleaned


@admin.register(Event)
class EventAdmin(TranslatedModelAdmin):
    form = EventAdminForm
    list_display = ["title", "start_date", "end_date", "venue", "status"]
    list_filter = ["status", "start_date"]
    search_fields = [*localized("title", "theme"), "slug"]
    prepopulated_fields = {"slug": (_default_language("title"),)}
    autocomplete_fields = ["organisers", "venue"]
    list_select_related = ["venue"]
    inlines = [TrackInline, SessionInline]
    fieldsets = [
        (None, {"fields": ["slug", "title", "theme", "status"]}),
        (_("When and where"), {"fields": ["start_date", "end_date", "time_zone", "venue"]}),
        (_("About"), {"fields": ["description", "aims", "topics", "organisers", "contact_email"]}),
        (
            _("Registration"),
            {
                "fields": [
                    "registration_opens",
                    "registration_closes",
                    "capacity",
                    "requires_approval",
                    "nomination_deadline",
                    "reference_prefix",
                    "reminder_days",
                    "participants_public",
                ]
            },
        ),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The registration window and the sessions' times are in the event's time zone.
        event = None
        if object_id is not None and object_id.isdigit():
            event = Event.objects.filter(pk=object_id).first()
        name = request.POST.get("time_zone") or (event.time_zone if event else None)
        with timezone.override(_zone(name)):
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))


class SessionDayFilter(admin.SimpleListFilter):
    title = _("day")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        days = Session.objects.dates("start", "day")
        return [(day.isoformat(), date_format(day, "D, j E Y")) for day in days]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            day = datetime.date.fromisoformat(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(start__date=day)


class SessionSpeakerInline(SafeAutocompleteMixin, admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = ["order", "speaker", "role"]
    ordering = ["order", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


class SessionInterpretationInline(admin.TabularInline):
    model = SessionInterpretation
    extra = 0
    fields = ["language", "channel"]


class SessionMaterialInline(
    EitherLanguageMixin, TimeZoneNoteMixin, DateInputHintMixin, TranslationStackedInline
):
    """Files and links, public from `published_at` (else once the session ends): saved with
    the session, so the page cache hears of them through `PublicPagesAdminMixin`."""

    model = SessionMaterial
    extra = 0
    fields = ["kind", "title", "language", "file", "url", "published_at", "order"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Session)
class SessionAdmin(TranslatedModelAdmin):
    list_display = ["title", "starts", "ends", "kind", "room", "track", "floor_language", "event"]
    list_filter = ["event", SessionDayFilter, "kind", "track", "room", "floor_language"]
    list_select_related = ["event", "room", "track"]
    search_fields = localized("title", "description")
    autocomplete_fields = ["event"]
    inlines = [SessionSpeakerInline, SessionInterpretationInline, SessionMaterialInline]
    fields = [
        "event",
        "title",
        "description",
        "kind",
        "start",
        "end",
        "room",
        "track",
        "capacity",
        "floor_language",
    ]

    @admin.display(description=_("starts"), ordering="start")
    def starts(self, obj):
        start = timezone.localtime(obj.start, _zone(obj.event.time_zone))
        return date_format(start, "D, j E Y, H:i")

    @admin.display(description=_("ends"), ordering="end")
    def ends(self, obj):
        return date_format(timezone.localtime(obj.end, _zone(obj.event.time_zone)), "H:i")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # A session moves within its event: offer that event's tracks only.
            form.base_fields["track"].queryset = Track.objects.filter(event_id=obj.event_id)
        for name in ("start", "end"):
            field = form.base_fields[name]
            field.help_text = " ".join([gettext("In the event's time zone."), field.help_text])
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Times are typed and shown in the event's time zone, not the server's.
        event = None
        if object_id is not None:
            if object_id.isdigit():
                event = Event.objects.filter(sessions__pk=object_id).first()
        elif request.POST.get("event", "").isdigit():
            event = Event.objects.filter(pk=request.POST["event"]).first()
        with timezone.override(_zone(event.time_zone if event else None)):
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))


@admin.register(Speaker)
class SpeakerAdmin(TranslatedModelAdmin):
    list_display = ["full_name", "honorific", "position", "organisation"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    search_fields = [*localized("full_name", "position"), "slug"]
    autocomplete_fields = ["organisation"]
    prepopulated_fields = {"slug": (_default_language("full_name"),)}


@admin.register(Announcement)
class AnnouncementAdmin(TranslatedModelAdmin):
    list_display = ["title", "event", "status", "published_at"]
    list_filter = ["event", "status"]
    list_select_related = ["event"]
    search_fields = localized("title", "body")
    prepopulated_fields = {"slug": (_default_language("title"),)}
