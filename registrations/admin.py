"""Registration back office. Every change of status goes through `services`, so the admin
applies the same rules and sends the same messages as the delegate pages."""

import tempfile
from copy import copy

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponseBadRequest, QueryDict
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.admin import EventAdmin as BaseEventAdmin
from events.admin import SessionAdmin as BaseSessionAdmin
from events.admin import TranslatedModelAdmin
from events.models import Event, Session
from events.translation_status import localized

from . import queries, services
from .exports import http as exports_http
from .forms import ExportForm
from .models import (
    Delegation,
    ExportRecord,
    LetterTemplate,
    Notification,
    PrivacyNotice,
    Registration,
    SessionSignup,
)

Status = Registration.Status


class SessionSignupInline(admin.TabularInline):
    model = SessionSignup
    extra = 0
    fields = ["session", "status", "created_at", "queued_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    fields = ["kind", "language", "status", "error", "created_at", "sent_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SignupSessionFilter(admin.SimpleListFilter):
    title = _("session")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        sessions = (
            SessionSignup.objects.values_list("session_id", "session__title")
            .distinct()
            .order_by("session__start")
        )
        return [(str(pk), title) for pk, title in sessions]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(signups__session_id=int(self.value())).distinct()
        return queryset


def _apply(modeladmin, request, queryset, service, done_message):
    done, refused = 0, []
    for registration in queryset.order_by("created_at", "pk"):
        try:
            service(registration=registration)
        except ValidationError as error:
            refused.extend(error.messages)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.WARNING)


@admin.action(description=_("Approve the selected registrations"), permissions=["change"])
def approve(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, services.registration_approve, _("%(count)s approved."))


@admin.action(description=_("Decline the selected registrations"), permissions=["change"])
def decline(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, services.registration_decline, _("%(count)s declined."))


@admin.action(
    description=_("Move the selected registrations to the waiting list"), permissions=["change"]
)
def move_to_waitlist(modeladmin, request, queryset):
    _apply(
        modeladmin,
        request,
        queryset,
        services.registration_move_to_waitlist,
        _("%(count)s moved to the waiting list."),
    )


@admin.action(description=_("Send the status message again"), permissions=["change"])
def resend(modeladmin, request, queryset):
    _apply(
        modeladmin, request, queryset, services.registration_resend, _("%(count)s messages sent.")
    )


@admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
def cancel(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, services.registration_cancel, _("%(count)s cancelled."))


@admin.action(description=_("Approve the visa letters asked for"), permissions=["change"])
def approve_visa_letters(modeladmin, request, queryset):
    _apply(
        modeladmin,
        request,
        queryset.filter(needs_visa_letter=True),
        services.visa_letter_approve,
        _("%(count)s visa letters approved and sent."),
    )


def _badges_response(modeladmin, request, queryset, per_page: int) -> FileResponse:
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    printed = services.badges_print(
        registrations=queryset, out=out, per_page=per_page, user=request.user, via="admin"
    )
    skipped = queryset.count() - printed
    if skipped:
        modeladmin.message_user(
            request,
            _("%(count)s selected registrations are not confirmed and got no badge.")
            % {"count": skipped},
            messages.WARNING,
        )
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename="badges.pdf", content_type="application/pdf"
    )


@admin.action(description=_("Print badges, eight per A4 page"), permissions=["export"])
def print_badges(modeladmin, request, queryset):
    return _badges_response(modeladmin, request, queryset, per_page=8)


@admin.action(description=_("Print badges, one per page"), permissions=["export"])
def print_badges_single(modeladmin, request, queryset):
    return _badges_response(modeladmin, request, queryset, per_page=1)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "family_name",
        "given_name",
        "email",
        "event",
        "status",
        "delegation",
        "country",
        "language",
        "created_at",
    ]
    list_filter = [
        "event",
        "status",
        "delegation",
        "country",
        SignupSessionFilter,
        "language",
        "needs_visa_letter",
    ]
    list_select_related = ["event", "delegation", "user"]
    search_fields = [
        "reference",
        "given_name",
        "family_name",
        "given_name_latin",
        "family_name_latin",
        "user__email",
        "organisation",
    ]
    date_hierarchy = "created_at"
    actions = [
        approve,
        decline,
        move_to_waitlist,
        cancel,
        resend,
        approve_visa_letters,
        print_badges,
        print_badges_single,
    ]
    inlines = [SessionSignupInline, NotificationInline]
    readonly_fields = [
        "reference",
        "event",
        "user",
        "status",
        "queued_at",
        "delegation",
        "privacy_notice",
        "privacy_accepted_at",
        "created_at",
        "updated_at",
        "visa_letter_approved_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["reference", "event", "user", "status", "queued_at", "delegation", "role"]},
        ),
        (
            _("Person"),
            {
                "fields": [
                    "honorific",
                    ("given_name", "family_name"),
                    ("given_name_latin", "family_name_latin"),
                    "position",
                    "organisation",
                    "country",
                    "phone",
                    "language",
                ]
            },
        ),
        (
            _("Needs"),
            {
                "fields": [
                    "dietary_requirements",
                    "accessibility_needs",
                    "interpretation_language",
                    "needs_visa_letter",
                    "visa_letter_approved_at",
                ]
            },
        ),
        (
            _("Consents"),
            {
                "fields": [
                    "privacy_notice",
                    "privacy_accepted_at",
                    "photo_consent",
                    "listing_consent",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    def has_add_permission(self, request):
        # Registrations are made by delegates through the rules of the services.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would bypass the waiting list: cancel instead, through the services.
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("registrations.export_registration")

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [
            path("export/", export, name="registrations_registration_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "filters_query": request.GET.urlencode(),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        """Exports the registrations the list shows with its current filters."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        filters = QueryDict(request.POST.get("filters", request.GET.urlencode()))
        if any("\x00" in item for pair in filters.lists() for item in [pair[0], *pair[1]]):
            return HttpResponseBadRequest("Bad request")
        form = ExportForm(request.POST or None, initial=_initial_export(filters))
        registrations = None
        if request.method == "POST" and form.is_valid():
            listing = copy(request)
            listing.GET = filters
            try:
                registrations = self.get_changelist_instance(listing).get_queryset(listing)
            except IncorrectLookupParameters:
                form.add_error(
                    None,
                    _("The list's filters are not valid: go back to the list and filter again."),
                )
            filtered_event = filters.get("event__id__exact")
            if filtered_event and filtered_event != str(form.cleaned_data["event"].pk):
                form.add_error("event", _("Choose the event the list is filtered by."))
        if registrations is not None and form.is_valid():
            data = form.cleaned_data
            dataset, writer = services.export_prepare(
                event=data["event"],
                registrations=registrations,
                dataset=data["dataset"],
                file_format=data["file_format"],
                language=data["language"],
                user=request.user,
                via="admin",
                filters={k: filters.getlist(k) for k in filters},
            )
            return exports_http.response(dataset=dataset, writer=writer, language=data["language"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Export attendee data"),
            "form": form,
            "filters_query": filters.urlencode(),
            "filters_described": [f"{k} = {', '.join(filters.getlist(k))}" for k in filters],
        }
        return TemplateResponse(request, "admin/registrations/registration/export.html", context)


@admin.register(Delegation)
class DelegationAdmin(TranslatedModelAdmin):
    list_display = ["name", "event", "organisation", "country", "head", "members", "quota"]
    list_filter = ["event", "country"]
    list_select_related = ["event", "organisation", "head"]
    search_fields = [*localized("name"), "head__email"]
    autocomplete_fields = ["organisation", "head"]
    actions = ["renew_invitation"]

    def get_readonly_fields(self, request, obj=None):
        # Members joined for this event: moving the delegation would take them along.
        if obj is not None and obj.registrations.exists():
            return ["invitation_code", "event"]
        return ["invitation_code"]

    @admin.action(description=_("Give a new invitation code (the old link stops working)"))
    def renew_invitation(self, request, queryset):
        for delegation in queryset:
            services.delegation_invitation_renew(delegation=delegation)
        self.message_user(
            request, _("%(count)s new invitation codes.") % {"count": queryset.count()}
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_members=Count(
                    "registrations",
                    filter=Q(registrations__status__in=Registration.ACTIVE_STATUSES),
                )
            )
        )

    @admin.display(description=_("members"), ordering="active_members")
    def members(self, obj):
        return obj.active_members


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(TranslatedModelAdmin):
    list_display = ["version", "effective_from"]

    def get_readonly_fields(self, request, obj=None):
        # A notice that people have accepted is a record of what they accepted.
        if obj is not None and obj.registrations.exists():
            return ["version", *localized("text"), "effective_from"]
        return []


@admin.register(LetterTemplate)
class LetterTemplateAdmin(TranslatedModelAdmin):
    list_display = ["event"]
    autocomplete_fields = ["event"]


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "via", "event", "dataset", "format", "language", "rows"]
    list_filter = ["event", "dataset", "format", "via"]
    list_select_related = ["user", "event"]
    readonly_fields = [*list_display, "filters"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["registration", "kind", "language", "status", "error", "created_at", "sent_at"]
    list_filter = ["status", "kind", "language", "registration__event"]
    list_select_related = ["registration"]
    search_fields = ["registration__reference"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(Event)
admin.site.unregister(Session)


@admin.register(Session)
class SessionAdmin(BaseSessionAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            services.waitlists_fill(event=obj.event)


@admin.register(Event)
class EventAdmin(BaseEventAdmin):
    """The agenda's event admin, with the registration figures beside the capacity."""

    def get_list_display(self, request):
        return [*super().get_list_display(request), "figures"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A raised capacity (of the event or a session) goes to those already waiting.
        if change and services.waitlists_fill(event=form.instance):
            self.message_user(request, _("Places freed by the change went to the waiting list."))

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "registration_figures"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Registration figures"), {"fields": ["registration_figures"]})]

    def get_queryset(self, request):
        counts = {
            f"n_{status}": Count("registrations", filter=Q(registrations__status=status))
            for status in (Status.CONFIRMED, Status.WAITLISTED, Status.PENDING)
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description=_("registrations"))
    def figures(self, obj):
        return _figures_text(obj.n_confirmed, obj.n_waitlisted, obj.n_pending, obj.capacity)

    @admin.display(description=_("registrations"))
    def registration_figures(self, obj):
        figures = queries.event_figures(event=obj)
        rows = [
            (
                _("Event"),
                _figures_text(
                    figures[Status.CONFIRMED],
                    figures[Status.WAITLISTED],
                    figures[Status.PENDING],
                    obj.capacity,
                ),
            )
        ]
        for session in queries.signup_session_figures(event=obj):
            rows.append(
                (
                    session.title,
                    _figures_text(session.n_confirmed, session.n_waitlisted, 0, session.capacity),
                )
            )
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows),
        )


def _figures_text(confirmed: int, waitlisted: int, pending: int, capacity: int | None) -> str:
    seats = _("unlimited") if capacity is None else capacity
    text = _("%(confirmed)s confirmed of %(seats)s, %(waitlisted)s waiting") % {
        "confirmed": confirmed,
        "seats": seats,
        "waitlisted": waitlisted,
    }
    if pending:
        text += ", " + ngettext(
            "%(count)s pending approval", "%(count)s pending approval", pending
        ) % {"count": pending}
    return text


def _initial_export(filters: QueryDict) -> dict:
    event_id = filters.get("event__id__exact", "")
    return {"event": event_id} if event_id.isdigit() else {}
