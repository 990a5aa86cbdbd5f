"""The agenda back office: every translated text in tabs, one tab per language."""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modeltranslation import settings as mt_settings
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.utils import build_localized_fieldname

from .models import (
    Announcement,
    Event,
    Organisation,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from .translation_status import TranslationStatusMixin, localized


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


class TranslatedModelAdmin(SafeInitialMixin, TranslationStatusMixin, TabbedTranslationAdmin):
    pass


@admin.register(Organisation)
class OrganisationAdmin(TranslatedModelAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = localized("name", "acronym")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class RoomInline(TranslationTabularInline):
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


class TrackInline(TranslationTabularInline):
    model = Track
    extra = 0


class SessionInline(TranslationStackedInline):
    model = Session
    extra = 0
    fields = ["title", "kind", "start", "end", "room", "track", "capacity"]
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


@admin.register(Event)
class EventAdmin(TranslatedModelAdmin):
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
                    "reference_prefix",
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


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = ["order", "speaker", "role"]
    ordering = ["order", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


@admin.register(Session)
class SessionAdmin(TranslatedModelAdmin):
    list_display = ["title", "starts", "ends", "kind", "room", "track", "event"]
    list_filter = ["event", SessionDayFilter, "kind", "track", "room"]
    list_select_related = ["event", "room", "track"]
    search_fields = localized("title", "description")
    autocomplete_fields = ["event"]
    inlines = [SessionSpeakerInline]
    fields = ["event", "title", "description", "kind", "start", "end", "room", "track", "capacity"]

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
            form.base_fields[name].help_text = _("In the event's time zone.")
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
