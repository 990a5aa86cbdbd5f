"""Registration back office. Every change of status goes through `services`, so the admin
applies the same rules and sends the same messages as the delegate pages."""

import datetime
import logging
import tempfile
import uuid
from copy import copy
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from emn_conference.record_admin import RecordAdmin
from events.admin import EventAdmin as BaseEventAdmin
from events.admin import SessionAdmin as BaseSessionAdmin
from events.admin import TranslatedModelAdmin
from events.models import Event, Session
from events.translation_status import localized
from history.admin import HistoryAdminMixin

from . import documents, notifications, queries, services
from .exports import DATASETS
from .exports import http as exports_http
from .forms import ExportForm, MessageForm
from .models import (
    BadgeLayout,
    Delegation,
    ExportJob,
    ExportRecord,
    IssuedDocument,
    LetterTemplate,
    Message,
    Notification,
    PrivacyNotice,
    Registration,
    SessionSignup,
)
from .notifications import MessagePreview

logger = logging.getLogger(__name__)

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


def _filtered_event_id(params) -> str | None:
    """The event the registration list is filtered by, if any.

    Django's own filter on `event` writes `event__id__exact`; a link may say `event=`.
    """
    for key in ("event__id__exact", "event__exact", "event"):
        value = params.get(key, "")
        if value.isdigit():
            return value
    return None


class ShortListFilter(admin.SimpleListFilter):
    """Offers only the values present among the listed objects (registrations, delegations)
    of the filtered event; past `LONG` of them, one drop-down with a button instead of a link
    each, so that the sidebar stays short. A plain form: it works without JavaScript."""

    template = "admin/registrations/registration/short_filter.html"
    LONG = 12

    def __init__(self, request, params, model, model_admin):
        self.model = model  # before Django's __init__, which asks for the lookups
        super().__init__(request, params, model, model_admin)

    def present(self, request):
        listed = self.model._default_manager.all()
        event = _filtered_event_id(request.GET)
        if event is not None:
            listed = listed.filter(event_id=event)
        return listed

    def choices(self, changelist):
        values = ["", *(str(value) for value, _label in self.lookup_choices)]
        for value, choice in zip(values, super().choices(changelist), strict=True):
            yield {**choice, "value": value}

    def has_output(self) -> bool:
        # A value chosen earlier still filters when no registration has it any more.
        return super().has_output() or self.value() is not None

    @property
    def is_long(self) -> bool:
        return len(self.lookup_choices) > self.LONG

    def kept_parameters(self) -> list[tuple[str, str]]:
        """The list's other filters, search and order, carried by the drop-down's form."""
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in (self.parameter_name, PAGE_VAR)
            for value in values
        ]


class CountryFilter(ShortListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        # The distinct codes are read from an index (event, country), not from the rows.
        codes = (
            self.present(request)
            .exclude(country="")
            .values_list("country", flat=True)
            .distinct()
            .order_by()
        )
        return sorted(((code, countries.name(code)) for code in codes), key=_by_label)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class DelegationFilter(ShortListFilter):
    title = _("delegation")
    parameter_name = "delegation__id__exact"

    def lookups(self, request, model_admin):
        # One look-up in the index of registrations by delegation per delegation, rather than
        # a pass over every registration: the query does not grow with the registrations.
        listed = self.present(request).filter(delegation=OuterRef("pk"))
        delegations = Delegation.objects.filter(Exists(listed))
        return sorted(((d.pk, str(d.name)) for d in delegations), key=_by_label)

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(delegation_id=int(self.value()))
        return queryset


class SignupSessionFilter(ShortListFilter):
    title = _("session")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        # Session objects, not `values_list("session__title")`: the translated title is read
        # in the page's language (with the other language's as fallback), not a raw column.
        # Per session, one look-up in the index of sign-ups by session (as for delegations).
        # A registration signs up only for its own event's sessions (`_lock_signup_sessions`),
        # so the filtered event's sessions with a sign-up are those its registrations chose.
        signups = SessionSignup.objects.filter(session=OuterRef("pk"))
        sessions = Session.objects.filter(Exists(signups)).order_by("start", "pk")
        event = _filtered_event_id(request.GET)
        if event is not None:
            sessions = sessions.filter(event_id=event)
        return [(str(session.pk), str(session.title)) for session in sessions]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(signups__session_id=int(self.value())).distinct()
        return queryset


class NeedsFilter(admin.SimpleListFilter):
    """Those who told us of a need, e.g. to write to everyone with dietary requirements."""

    title = _("needs")
    parameter_name = "needs"
    FIELDS = {
        "dietary": "dietary_requirements",
        "accessibility": "accessibility_needs",
        "interpretation": "interpretation_language",
    }

    def lookups(self, request, model_admin):
        return [
            ("dietary", _("Dietary requirements")),
            ("accessibility", _("Accessibility needs")),
            ("interpretation", _("Interpretation")),
        ]

    def queryset(self, request, queryset):
        field = self.FIELDS.get(self.value() or "")
        if field is None:
            return queryset
        return queryset.exclude(**{field: ""})


def _by_label(choice: tuple) -> str:
    return choice[1].casefold()


# --- actions that change registrations: a confirmation page first -------------------------


class _Rehearsal(Exception):
    """Raised to roll back a rehearsal of an action."""


@dataclass
class _Outcome:
    """What an action would do, for the confirmation page."""

    done: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, list[str]]] = field(default_factory=list)
    others: list[Registration] = field(default_factory=list)  # not selected, but told
    messages: dict[int, list[str]] = field(default_factory=dict)  # registration → kinds
    preview: MessagePreview | None = None
    preview_for: Registration | None = None


def _rehearse(queryset, service, by) -> _Outcome:
    """Runs the action for real inside a transaction that is then rolled back, so that the
    confirmation page shows exactly what the rules will do (who is refused and why, who else
    moves up, which message each gets), with no second copy of those rules here. Nothing is
    kept and nothing is sent: the messages' hand-over waits for a commit that never comes."""
    selected = list(queryset.order_by("created_at", "pk"))
    done, refused = [], {}
    queued: list[tuple[int, str]] = []
    preview = preview_pk = None
    events = {registration.event_id for registration in selected}
    try:
        with transaction.atomic():
            last = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
            for registration in selected:
                try:
                    service(registration=registration, by=by)
                except ValidationError as error:
                    refused[registration.pk] = error.messages
                else:
                    done.append(registration.pk)
            notes = list(
                Notification.objects.filter(pk__gt=last, registration__event_id__in=events)
                .select_related("registration__event__venue", "registration__user", "session")
                .order_by("pk")
            )
            queued = [(note.registration_id, note.get_kind_display()) for note in notes]
            # The preview is rendered here, from the registration as the action leaves it.
            first = next((n for n in notes if n.registration_id in done), None)
            if first is not None:
                preview_pk = first.registration_id
                preview = notifications.message_preview(
                    registration=first.registration,
                    kind=first.kind,
                    language=first.language,
                    session=first.session,
                )
            raise _Rehearsal
    except _Rehearsal:
        pass
    told = {pk for pk, _kind in queued}
    people = Registration.objects.select_related("event").in_bulk(
        {*told, *(r.pk for r in selected)}
    )
    outcome = _Outcome(preview=preview, preview_for=people.get(preview_pk))
    for pk, kind in queued:
        outcome.messages.setdefault(pk, []).append(kind)
    outcome.done = [people[pk] for pk in done]
    outcome.refused = [(people[pk], reasons) for pk, reasons in refused.items()]
    chosen = {r.pk for r in selected}
    outcome.others = sorted(
        (people[pk] for pk in told - chosen), key=lambda r: (r.created_at, r.pk)
    )
    return outcome


def _apply(modeladmin, request, queryset, service, done_message):
    done, refused = 0, []
    for registration in queryset.order_by("created_at", "pk"):
        try:
            service(registration=registration, by=request.user)
        except ValidationError as error:
            refused.extend(error.messages)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.WARNING)


def _confirm_then_apply(
    modeladmin, request, queryset, *, action, service, title, done, back_url=None
):
    """Shows what the action would do and asks; acts only once staff say "Yes, I'm sure"
    (`post=yes`, as Django's own delete confirmation)."""
    if request.POST.get("post") == "yes":
        _apply(modeladmin, request, queryset, service, done)
        return None
    outcome = _rehearse(queryset, service, request.user)
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": [registration.pk for registration in queryset.order_by("pk")],
        "outcome": outcome,
        "rows": [(r, outcome.messages.get(r.pk, [])) for r in outcome.done],
        "others": [(r, outcome.messages.get(r.pk, [])) for r in outcome.others],
        "back_url": back_url or request.get_full_path(),
    }
    return TemplateResponse(
        request, "admin/registrations/registration/action_confirmation.html", context
    )


@admin.action(description=_("Approve the selected registrations"), permissions=["change"])
def approve(modeladmin, request, queryset):
    return _confirm_then_apply(
        modeladmin,
        request,
        queryset,
        action="approve",
        service=services.registration_approve,
        title=_("Approve these registrations?"),
        done=_("%(count)s approved."),
    )


@admin.action(description=_("Decline the selected registrations"), permissions=["change"])
def decline(modeladmin, request, queryset):
    return _confirm_then_apply(
        modeladmin,
        request,
        queryset,
        action="decline",
        service=services.registration_decline,
        title=_("Decline these registrations?"),
        done=_("%(count)s declined."),
    )


@admin.action(
    description=_("Move the selected registrations to the waiting list"), permissions=["change"]
)
def move_to_waitlist(modeladmin, request, queryset):
    return _confirm_then_apply(
        modeladmin,
        request,
        queryset,
        action="move_to_waitlist",
        service=services.registration_move_to_waitlist,
        title=_("Move these registrations to the waiting list?"),
        done=_("%(count)s moved to the waiting list."),
    )


@admin.action(description=_("Send the status message again"), permissions=["change"])
def resend(modeladmin, request, queryset):
    _apply(
        modeladmin, request, queryset, services.registration_resend, _("%(count)s messages sent.")
    )


@admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
def cancel(modeladmin, request, queryset):
    return _confirm_then_apply(
        modeladmin,
        request,
        queryset,
        action="cancel",
        service=services.registration_cancel,
        title=_("Cancel these registrations?"),
        done=_("%(count)s cancelled."),
    )


# Letters quote the passport: approved by those who may read it (visa officers), after the
# preview, which shows it.
@admin.action(description=_("Approve the visa letters asked for"), permissions=["passport"])
def approve_visa_letters(modeladmin, request, queryset, back_url=None):
    # All the selected go to the rule, which says why it refuses one (no letter asked for,
    # not confirmed, passport details missing) instead of leaving it out in silence.
    return _confirm_then_apply(
        modeladmin,
        request,
        queryset,
        action="approve_visa_letters",
        service=services.visa_letter_approve,
        title=_("Approve and send these visa letters?"),
        done=_("%(count)s visa letters approved and sent."),
        back_url=back_url,
    )


def _badges_response(modeladmin, request, queryset, layout: str):
    skipped = queryset.count() - services.badges_confirmed(queryset).count()
    if skipped:
        modeladmin.message_user(
            request,
            _("%(count)s selected registrations are not confirmed and got no badge.")
            % {"count": skipped},
            messages.WARNING,
        )
    if services.export_is_large(rows=queryset.count() - skipped):
        events = list(Event.objects.filter(registrations__in=queryset).distinct()[:2])
        if len(events) != 1:
            modeladmin.message_user(
                request,
                _("Filter the list by one event to print this many badges."),
                messages.ERROR,
            )
            return None
        job = services.export_job_start(
            event=events[0],
            registrations=queryset,
            kind=ExportJob.Kind.BADGES,
            language=get_language(),
            badge_layout=layout,
            by=request.user,
            via="admin",
            filters={"layout": layout},
        )
        return redirect("admin:registrations_exportjob_progress", job.pk)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    services.badges_print(
        registrations=queryset, out=out, layout=layout, by=request.user, via="admin"
    )
    out.seek(0)
    return _private(
        FileResponse(out, as_attachment=True, filename="badges.pdf", content_type="application/pdf")
    )


def _private(response):
    # Personal data: no copy in any cache on the way.
    patch_cache_control(response, private=True, no_store=True)
    return response


@admin.action(description=_("Print badges, eight per A4 page"), permissions=["export"])
def print_badges(modeladmin, request, queryset):
    return _badges_response(modeladmin, request, queryset, BadgeLayout.A4)


@admin.action(description=_("Print badges, one per A6 page"), permissions=["export"])
def print_badges_single(modeladmin, request, queryset):
    return _badges_response(modeladmin, request, queryset, BadgeLayout.A6)


@admin.action(description=_("Print badges on ID-1 cards (CR80)"), permissions=["export"])
def print_badges_card(modeladmin, request, queryset):
    return _badges_response(modeladmin, request, queryset, BadgeLayout.CARD)


@admin.action(description=_("Print certificates of attendance"), permissions=["export"])
def print_certificates(modeladmin, request, queryset):
    # Each one is issued (with its verification address) as it is printed; those not checked
    # in get none (`Registration.can_get_certificate`).
    eligible = queryset.with_certificate().count()
    skipped = queryset.count() - eligible
    if not eligible:
        modeladmin.message_user(
            request,
            _("None of the selected registrations was checked in at the event: no certificates."),
            messages.ERROR,
        )
        return None
    if skipped:
        modeladmin.message_user(
            request,
            _("%(count)s selected registrations were not checked in and got no certificate.")
            % {"count": skipped},
            messages.WARNING,
        )
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    services.certificates_print(registrations=queryset, out=out, by=request.user, via="admin")
    out.seek(0)
    return _private(
        FileResponse(
            out, as_attachment=True, filename="certificates.pdf", content_type="application/pdf"
        )
    )


# What the services record, as the History page names it.
REGISTRATION_ACTIONS = {
    "registered": _("Registered"),
    "registered_again": _("Registered again"),
    "updated": _("Details changed"),
    "cancelled": _("Cancelled"),
    "approved": _("Approved"),
    "declined": _("Declined"),
    "moved_to_waitlist": _("Moved to the waiting list"),
    "promoted": _("Moved up from the waiting list"),
    "session_signup": _("Signed up for a session"),
    "session_seat": _("Given a seat at a session"),
    "session_release": _("Left a session"),
    "visa_letter_approved": _("Visa letter approved"),
    "visa_letter_withdrawn": _("Visa letter approval withdrawn"),
    "certificate_issued": _("Certificate of attendance issued"),
    "calendar_address_renewed": _("New calendar address"),
    "message_resent": _("Message sent again"),
    "invitation_renewed": _("New invitation code"),
    "privacy_accepted": _("New privacy notice accepted"),
    "anonymised": _("Personal data removed"),
    "head_appointed": _("Head of delegation appointed"),
    "member_nominated": _("Member nominated"),
    "member_withdrawn": _("Member withdrawn"),
    "member_replaced": _("Member replaced"),
    "nomination_withdrawn": _("Invitation withdrawn"),
    "nomination_registered": _("Nominee registered"),
    "nomination_letter_uploaded": _("Nomination letter uploaded"),
    "quota_changed": _("Quota changed"),
    "deadline_reminder_sent": _("Head reminded of the nomination deadline"),
    "places_released": _("Unused places released after the deadline"),
}


# The shortest word a trigram index can look up: in LIKE '%de%' pg_trgm finds no trigram, and
# would read its whole index.
TRIGRAM = 3


@admin.register(Registration)
class RegistrationAdmin(HistoryAdminMixin, admin.ModelAdmin):
    history_labels = REGISTRATION_ACTIONS

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.visa_letter_follow_changes(
                registration=obj, changed=form.changed_data, by=request.user
            )

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
        DelegationFilter,
        CountryFilter,
        SignupSessionFilter,
        "language",
        NeedsFilter,
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
        print_badges_card,
        print_certificates,
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

    # No count of every registration on each page of a filtered list ("42 results (50,000
    # total)"): Django offers "Show all" instead.
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """Django's own search (each word, in any case, within one of `search_fields`), asked
        so that PostgreSQL can answer it from the trigram indexes (migrations: registrations
        0008, accounts 0002) instead of reading every registration: a word is looked for in
        the registration's own fields in one subquery and through each relation (the account's
        email) in another, united, where one OR spanning the join could use no index. A word
        too short to have a trigram ("of") can use no index at all: it only narrows down what
        the other words found, as Django's search does."""
        if not search_term:
            return queryset, False
        own, joined = [], []
        for name in self.get_search_fields(request):
            (joined if LOOKUP_SEP in name else own).append(f"{name}__icontains")
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            if len(word) < TRIGRAM:
                queryset = queryset.filter(
                    Q.create([(lookup, word) for lookup in own + joined], connector=Q.OR)
                )
                continue
            found = Registration.objects.order_by()
            matching = found.filter(Q.create([(lookup, word) for lookup in own], connector=Q.OR))
            matching = matching.values("pk").union(
                *(found.filter(**{lookup: word}).values("pk") for lookup in joined)
            )
            queryset = queryset.filter(pk__in=matching)
        return queryset, False

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email if obj.user is not None else ""

    def has_passport_permission(self, request) -> bool:
        return request.user.has_perm("registrations.view_passport_data")

    def get_fieldsets(self, request, obj=None):
        # Passport data only for those allowed to see it (visa officers), not every manager.
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_passport_permission(request):
            return fieldsets
        fields = list(Registration.PASSPORT_FIELDS)
        if obj is not None:
            fields.append("visa_letter")
        return [*fieldsets, (_("Passport (for the visa letter)"), {"fields": fields})]

    def get_readonly_fields(self, request, obj=None):
        # What is left of an anonymised registration is a record for the statistics.
        if obj is not None and obj.is_anonymised:
            readonly = [field.name for field in obj._meta.concrete_fields]
        else:
            readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.has_passport_permission(request):
            readonly.append("visa_letter")
        return readonly

    @admin.display(description=_("visa letter"))
    def visa_letter(self, obj):
        """The letter's state, its preview in each language and the way to approve it."""
        if not obj.needs_visa_letter:
            return _("Not asked for.")
        if not LetterTemplate.objects.filter(event_id=obj.event_id).exists():
            return _("Write the event's visa letter first (Visa letter templates).")
        preview = reverse("admin:registrations_registration_visa_letter_preview", args=[obj.pk])
        parts = [
            format_html(
                "{} {}",
                _("Preview (PDF):"),
                format_html_join(
                    " · ",
                    '<a href="{}?language={}" hreflang="{}">{}</a>',
                    ((preview, code, code, name) for code, name in settings.LANGUAGES),
                ),
            )
        ]
        issued = queries.document_current(registration=obj, kind=IssuedDocument.Kind.VISA_LETTER)
        if issued is not None:
            parts.append(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Approved on %(date)s.")
                    % {"date": date_format(obj.visa_letter_approved_at, "j E Y")},
                    issued.get_absolute_url(),
                    _("Its verification page"),
                )
            )
        else:
            approve = reverse("admin:registrations_registration_visa_letter_approve", args=[obj.pk])
            parts.append(format_html('<a href="{}">{}</a>', approve, _("Approve the visa letter…")))
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))

    def visa_letter_preview_view(self, request, object_id):
        """The letter as the delegate gets it, in the language asked for; before approval a
        preview marked as not valid."""
        registration = self._visa_letter_registration(request, object_id)
        template = LetterTemplate.objects.filter(event_id=registration.event_id).first()
        if template is None or not registration.needs_visa_letter:
            raise Http404("No visa letter for this registration.")
        language = request.GET.get("language", registration.language)
        if language not in dict(settings.LANGUAGES):
            language = registration.language
        issued = queries.document_current(
            registration=registration, kind=IssuedDocument.Kind.VISA_LETTER
        )
        pdf = documents.visa_letter_pdf(registration, template, language, document=issued)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="visa-letter-{registration.reference}-{language}.pdf"'
        )
        return _private(response)

    def visa_letter_approve_view(self, request, object_id):
        """One letter approved, after the same confirmation page as the bulk action."""
        registration = self._visa_letter_registration(request, object_id)
        change_url = reverse("admin:registrations_registration_change", args=[registration.pk])
        response = approve_visa_letters(
            self,
            request,
            Registration.objects.filter(pk=registration.pk),
            back_url=change_url,
        )
        return response if response is not None else redirect(change_url)

    def _visa_letter_registration(self, request, object_id) -> Registration:
        if not self.has_passport_permission(request):
            raise PermissionDenied
        registration = self.get_object(request, unquote(object_id))
        if registration is None:
            raise Http404("No such registration.")
        return registration

    def has_add_permission(self, request):
        # Registrations are made by delegates through the rules of the services.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would bypass the waiting list: cancel instead, through the services.
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("registrations.export_registration")

    def has_message_permission(self, request):
        return request.user.has_perm("registrations.add_message")

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        message = self.admin_site.admin_view(self.message_view)
        preview = self.admin_site.admin_view(self.visa_letter_preview_view)
        approve = self.admin_site.admin_view(self.visa_letter_approve_view)
        return [
            path("export/", export, name="registrations_registration_export"),
            path("message/", message, name="registrations_registration_message"),
            path(
                "<path:object_id>/visa-letter.pdf",
                preview,
                name="registrations_registration_visa_letter_preview",
            ),
            path(
                "<path:object_id>/visa-letter/approve/",
                approve,
                name="registrations_registration_visa_letter_approve",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "can_message": self.has_message_permission(request),
            "filters_query": request.GET.urlencode(),
        }
        return super().changelist_view(request, extra_context)

    def _filters_described(self, request, filters: QueryDict) -> list[tuple[str, str]]:
        """The list's filters as the list itself names them, in the page's language:
        ("Status", "Confirmed"), ("Country", "Bulgaria"), ("Search", "Huber")."""
        listing = copy(request)
        listing.GET = filters
        try:
            changelist = self.get_changelist_instance(listing)
        except IncorrectLookupParameters:
            return [(_("Filters"), _("not valid: go back to the list and filter again"))]
        described = []
        # The event first, however the list says it (Django's filter on `event` is not even
        # shown, so not among the specs, while there is only one event).
        event = Event.objects.filter(pk=_filtered_event_id(filters) or None).first()
        if event is not None:
            field = self.model._meta.get_field("event")
            described.append((capfirst(field.verbose_name), str(event.title)))
        for spec in changelist.filter_specs:
            if getattr(spec, "field_path", None) == "event" or not spec.used_parameters:
                continue
            chosen = [str(c["display"]) for c in spec.choices(changelist) if c["selected"]]
            if chosen:
                described.append((capfirst(spec.title), ", ".join(chosen)))
        if changelist.date_hierarchy:
            day = _hierarchy_date(filters, changelist.date_hierarchy)
            if day is not None:
                field = self.model._meta.get_field(changelist.date_hierarchy)
                described.append((capfirst(field.verbose_name), day))
        if changelist.query:
            described.append((_("Search"), changelist.query))
        return described

    def export_view(self, request):
        """Exports the registrations the list shows with its current filters."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        filters = QueryDict(request.POST.get("filters", request.GET.urlencode()))
        if any("\x00" in item for pair in filters.lists() for item in [pair[0], *pair[1]]):
            return HttpResponseBadRequest("Bad request")
        form = ExportForm(request.POST or None, initial=_initial_export(filters), user=request.user)
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
            filtered_event = _filtered_event_id(filters)
            if filtered_event and filtered_event != str(form.cleaned_data["event"].pk):
                form.add_error("event", _("Choose the event the list is filtered by."))
        if registrations is not None and form.is_valid():
            data = form.cleaned_data
            arguments = {
                "event": data["event"],
                "registrations": registrations,
                "dataset": data["dataset"],
                "file_format": data["file_format"],
                "language": data["language"],
                "by": request.user,
                "via": "admin",
                "filters": {k: filters.getlist(k) for k in filters},
            }
            if services.export_is_large(rows=registrations.filter(event=data["event"]).count()):
                job = services.export_job_start(kind=ExportJob.Kind.LIST, **arguments)
                return redirect("admin:registrations_exportjob_progress", job.pk)
            out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
            try:
                services.export_write(out=out, **arguments)
            except Exception:
                # Nothing half-written leaves, and nothing is recorded as exported.
                logger.exception("Export failed")
                out.close()
                form.add_error(None, _("The export failed and nothing was exported. Try again."))
            else:
                out.seek(0)
                chosen, writer = services.export_prepare(
                    event=data["event"],
                    registrations=registrations,
                    dataset=data["dataset"],
                    file_format=data["file_format"],
                )
                return _private(
                    FileResponse(
                        out,
                        as_attachment=True,
                        filename=exports_http.filename(chosen, writer.extension),
                        content_type=writer.content_type,
                    )
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Export attendee data"),
            "form": form,
            "filters_query": filters.urlencode(),
            "filters_described": self._filters_described(request, filters),
        }
        return TemplateResponse(request, "admin/registrations/registration/export.html", context)

    def message_view(self, request):
        """Writes to the registrations the list shows with its current filters: the texts,
        then a preview of the first recipients' copies, each in its language, then sending."""
        if not self.has_message_permission(request):
            raise PermissionDenied
        filters = QueryDict(request.POST.get("filters", request.GET.urlencode()))
        if any("\x00" in item for pair in filters.lists() for item in [pair[0], *pair[1]]):
            return HttpResponseBadRequest("Bad request")
        initial = {"event": _filtered_event_id(filters), "key": uuid.uuid4()}
        form = MessageForm(request.POST or None, initial=initial)
        recipients, previews, count, fingerprint = None, [], 0, ""
        if request.method == "POST" and form.is_valid():
            listing = copy(request)
            listing.GET = filters
            event = form.cleaned_data["event"]
            try:
                listed = self.get_changelist_instance(listing).get_queryset(listing)
            except IncorrectLookupParameters:
                form.add_error(
                    None,
                    _("The list's filters are not valid: go back to the list and filter again."),
                )
            else:
                recipients = services.message_recipients(event=event, registrations=listed)
            filtered_event = _filtered_event_id(filters)
            if filtered_event and filtered_event != str(event.pk):
                form.add_error("event", _("Choose the event the list is filtered by."))
        if recipients is not None and form.is_valid():
            fingerprint = form.fingerprint(filters=filters.urlencode())
            if "send" in request.POST and form.cleaned_data["previewed"] == fingerprint:
                return self._message_send(request, form, recipients, filters)
            count = recipients.count()
            if "send" in request.POST:
                messages.warning(
                    request, _("The message changed since its preview: check it, then send it.")
                )
            if not count:
                form.add_error(None, _("No registration in this list can be written to."))
            unsent = form.instance
            previews = [
                (
                    registration,
                    notifications.staff_message_preview(message=unsent, registration=registration),
                )
                for registration in recipients.select_related("event__venue")[:MESSAGE_PREVIEWS]
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Write to the registrations in the list"),
            "form": form,
            "filters_query": filters.urlencode(),
            "filters_described": self._filters_described(request, filters),
            "previews": previews,
            "count": count,
            "fingerprint": fingerprint if previews else "",
            "placeholders": _(
                "Use only these placeholders: %(names)s. Write a brace itself as {{ or }}."
            )
            % {"names": ", ".join(f"{{{name}}}" for name in Message.PLACEHOLDERS)},
        }
        return TemplateResponse(request, "admin/registrations/registration/message.html", context)

    def _message_send(self, request, form, recipients, filters: QueryDict):
        try:
            message, sent = services.message_send(
                key=form.cleaned_data["key"],
                event=form.cleaned_data["event"],
                texts=form.texts(),
                registrations=recipients,
                filters={name: filters.getlist(name) for name in filters},
                audience=[
                    [str(label), str(value)]
                    for label, value in self._filters_described(request, filters)
                ],
                by=request.user,
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.get_full_path())
        if sent:
            count = message.recipients.count()
            self.message_user(
                request,
                ngettext(
                    "The message is being sent to %(count)s registration, each in their language.",
                    "The message is being sent to %(count)s registrations, each in their language.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("This message had been sent already: it was not sent again."),
                messages.WARNING,
            )
        return redirect("admin:registrations_message_change", message.pk)


# How many recipients' copies the preview shows before sending.
MESSAGE_PREVIEWS = 3


class DelegationAdminForm(forms.ModelForm):
    def clean_quota(self):
        quota = self.cleaned_data.get("quota")
        try:
            services.delegation_quota_validate(delegation=self.instance, quota=quota)
        except ValidationError as error:
            raise ValidationError(error.message_dict["quota"]) from error
        return quota


@admin.register(Delegation)
class DelegationAdmin(TranslatedModelAdmin):
    history_labels = REGISTRATION_ACTIONS
    form = DelegationAdminForm
    list_display = ["name", "event", "organisation", "country", "head", "members", "quota"]
    list_filter = ["event", CountryFilter]
    list_select_related = ["event", "organisation", "head"]
    search_fields = [*localized("name"), "head__email"]
    autocomplete_fields = ["organisation", "head"]
    actions = ["renew_invitation"]

    def get_readonly_fields(self, request, obj=None):
        # The code is made when the delegation is saved: shown before, it would not be that one.
        if obj is None:
            return []
        # Members joined for this event: moving the delegation would take them along.
        if obj.registrations.exists():
            return ["invitation_code", "event", *self.head_work]
        return ["invitation_code", *self.head_work]

    # What the head did on the delegation's page, shown to staff (changed only there).
    head_work = ["letter", "invitations", "places_released_at"]

    @admin.display(description=_("invitations"))
    def invitations(self, obj):
        nominations = obj.nominations.order_by("created_at", "pk")
        if not nominations:
            return _("None yet")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} {} ({}): {}</li>",
                (
                    (n.given_name, n.family_name, n.email, n.get_status_display())
                    for n in nominations
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        # A new head and a new quota are the services' to set: they record it and tell the head.
        head = obj.head if "head" in form.changed_data else None
        if head is not None:
            obj.head_id = form.initial.get("head")
        quota_changed = change and "quota" in form.changed_data
        quota = obj.quota
        if quota_changed:
            obj.quota = form.initial.get("quota")
        super().save_model(request, obj, form, change)
        if head is not None:
            services.delegation_head_appoint(delegation=obj, head=head, by=request.user)
        if quota_changed:
            services.delegation_quota_change(delegation=obj, quota=quota, by=request.user)
            obj.quota = quota

    @admin.display(description=_("nomination letter"))
    def letter(self, obj):
        if not obj.nomination_letter:
            return _("None uploaded yet")
        url = reverse("admin:registrations_delegation_letter", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the nomination letter (PDF)"))

    def get_urls(self):
        letter = self.admin_site.admin_view(self.letter_view)
        return [
            path("<int:pk>/letter.pdf", letter, name="registrations_delegation_letter"),
            *super().get_urls(),
        ]

    def letter_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        delegation = Delegation.objects.filter(pk=pk).first()
        if delegation is None or not delegation.nomination_letter:
            raise Http404
        return _private(
            FileResponse(
                delegation.nomination_letter.open("rb"),
                as_attachment=True,
                filename=f"nomination-letter-{delegation.pk}.pdf",
                content_type="application/pdf",
            )
        )

    @admin.action(description=_("Give a new invitation code (the old link stops working)"))
    def renew_invitation(self, request, queryset):
        for delegation in queryset:
            services.delegation_invitation_renew(delegation=delegation, by=request.user)
        self.message_user(
            request, _("%(count)s new invitation codes.") % {"count": queryset.count()}
        )

    def get_queryset(self, request):
        return queries.delegations_with_members(super().get_queryset(request))

    @admin.display(description=_("members"), ordering="active_members")
    def members(self, obj):
        return obj.active_members


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(TranslatedModelAdmin):
    """Notices for the whole site or for one event. Publishing a newer version (a later
    *in force from*) asks the delegates of events still to come to accept it at their next
    visit (`registrations.middleware.NewPrivacyNoticeMiddleware`)."""

    list_display = ["version", "event", "effective_from"]
    list_filter = ["event"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]

    def get_readonly_fields(self, request, obj=None):
        # A notice that people have accepted is a record of what they accepted.
        if obj is not None and obj.registrations.exists():
            return ["event", "version", *localized("text"), "effective_from"]
        return []


@admin.register(LetterTemplate)
class LetterTemplateAdmin(TranslatedModelAdmin):
    list_display = ["event"]
    autocomplete_fields = ["event"]


_EXPORT_VIA = {"admin": _("Admin"), "command": _("Command line")}
_EXPORT_FORMATS = {"csv": "CSV (UTF-8)", "xlsx": "Excel (XLSX)", "pdf": "PDF"}


def export_via_label(code: str) -> str:
    return str(_EXPORT_VIA.get(code, code))


def export_dataset_label(code: str) -> str:
    """A list's own label (registrations/exports), or "Badges" for a badge run."""
    if code == ExportJob.Kind.BADGES:
        return str(ExportJob.Kind.BADGES.label)
    if code == services.CERTIFICATES_DATASET:
        return str(IssuedDocument.Kind.CERTIFICATE.label)
    return str(DATASETS[code].label) if code in DATASETS else code


def export_format_label(code: str) -> str:
    return _EXPORT_FORMATS.get(code, code)


def _language_label(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


class _LabelledCodeFilter(admin.SimpleListFilter):
    """Filters the export log by a column of codes, offering the codes in use as words.

    Each filter names its column (`parameter_name`) and says each code in words (`label`)."""

    def lookups(self, request, model_admin):
        codes = (
            model_admin.get_queryset(request)
            .values_list(self.parameter_name, flat=True)
            .distinct()
            .order_by()
        )
        return sorted(((code, self.label(code)) for code in codes), key=_by_label)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.parameter_name: self.value()})
        return queryset


class ExportDatasetFilter(_LabelledCodeFilter):
    title = _("list")
    parameter_name = "dataset"

    def label(self, code: str) -> str:
        return export_dataset_label(code)


class ExportFormatFilter(_LabelledCodeFilter):
    title = _("format")
    parameter_name = "format"

    def label(self, code: str) -> str:
        return export_format_label(code)


class ExportViaFilter(_LabelledCodeFilter):
    title = _("from")
    parameter_name = "via"

    def label(self, code: str) -> str:
        return export_via_label(code)


@admin.register(ExportJob)
class ExportJobAdmin(RecordAdmin):
    """Large exports and badge runs made in the background: progress, then the file."""

    list_display = [
        "created_at",
        "kind",
        "event",
        "dataset_label",
        "format_label",
        "status",
        "progress",
    ]
    list_filter = ["status", "kind", "event"]
    list_select_related = ["event", "requested_by"]
    fields = [
        "created_at",
        "requested_by",
        "event",
        "kind",
        "dataset_label",
        "format_label",
        "badge_layout",
        "language",
        "status",
        "done",
        "total",
        "error",
        "finished_at",
        "expires_at",
        "record",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return queries.export_jobs_for_user(user=request.user)

    @admin.display(description=_("list"), ordering="dataset")
    def dataset_label(self, job):
        return export_dataset_label(job.dataset)

    @admin.display(description=_("format"), ordering="format")
    def format_label(self, job):
        return export_format_label(job.format)

    def has_module_permission(self, request):
        return request.user.has_perm("registrations.export_registration")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @admin.display(description=_("progress"))
    def progress(self, job):
        if job.is_ready:
            url = reverse("admin:registrations_exportjob_download", args=[job.pk])
            return format_html('<a href="{}">{}</a>', url, _("Download"))
        url = reverse("admin:registrations_exportjob_progress", args=[job.pk])
        return format_html('<a href="{}">{} %</a>', url, job.percent)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path(
                "<uuid:pk>/progress/",
                view(self.progress_view),
                name="registrations_exportjob_progress",
            ),
            path(
                "<uuid:pk>/status.json",
                view(self.status_view),
                name="registrations_exportjob_status",
            ),
            path(
                "<uuid:pk>/download/",
                view(self.download_view),
                name="registrations_exportjob_download",
            ),
            *super().get_urls(),
        ]

    def progress_view(self, request, pk):
        """The progress bar: kept up to date by a script, or by the link without one."""
        job = queries.export_job_for_user(pk=pk, user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Export in the background"),
            "job": job,
            "what": DATASETS[job.dataset].label
            if job.dataset in DATASETS
            else job.get_kind_display(),
            "status_url": reverse("admin:registrations_exportjob_status", args=[job.pk]),
            "download_url": reverse("admin:registrations_exportjob_download", args=[job.pk]),
        }
        return TemplateResponse(request, "admin/registrations/exportjob/progress.html", context)

    def status_view(self, request, pk):
        job = queries.export_job_for_user(pk=pk, user=request.user)
        return _private(
            JsonResponse(
                {
                    "status": job.status,
                    "label": str(job.get_status_display()),
                    "done": job.done,
                    "total": job.total,
                    "percent": job.percent,
                    "ready": job.is_ready,
                    "finished": job.is_finished,
                    "error": job.error,
                }
            )
        )

    def download_view(self, request, pk):
        job = queries.export_job_for_user(pk=pk, user=request.user)
        if not job.is_ready:
            raise Http404
        return _private(
            FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
        )


@admin.register(ExportRecord)
class ExportRecordAdmin(RecordAdmin):
    """The export log. Its columns hold codes (`admin`, `badges`, `pdf`); staff read them as
    words in the page's language."""

    list_display = [
        "created_at",
        "user",
        "via_label",
        "event",
        "dataset_label",
        "format_label",
        "language_label",
        "rows",
    ]
    list_filter = ["event", ExportDatasetFilter, ExportFormatFilter, ExportViaFilter]
    list_select_related = ["user", "event"]
    fields = [*list_display, "filters"]
    readonly_fields = fields

    @admin.display(description=_("from"), ordering="via")
    def via_label(self, record):
        return export_via_label(record.via)

    @admin.display(description=_("list"), ordering="dataset")
    def dataset_label(self, record):
        return export_dataset_label(record.dataset)

    @admin.display(description=_("format"), ordering="format")
    def format_label(self, record):
        return export_format_label(record.format)

    @admin.display(description=_("language"), ordering="language")
    def language_label(self, record):
        return _language_label(record.language)


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    list_display = [
        "registration",
        "kind",
        "language",
        "status",
        "attempts",
        "error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "language", "registration__event"]
    list_select_related = ["registration"]
    search_fields = ["registration__reference"]
    readonly_fields = list_display


class MessageRecipientInline(admin.TabularInline):
    model = Notification
    verbose_name = _("recipient")
    verbose_name_plural = _("recipients")
    fields = ["registration", "language", "status", "error", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(HistoryAdminMixin, RecordAdmin):
    """Messages sent to delegates from the registration list: a record of what was written,
    by whom, to whom, and how each copy fared. Written from the list ("Write to this list")."""

    history_labels = {"message_sent": _("Sent")}
    list_display = ["subject", "event", "sent_by", "created_at", "recipient_count"]
    list_filter = ["event"]
    list_select_related = ["event", "sent_by"]
    search_fields = localized("subject")
    fields = [
        "event",
        *localized("subject"),
        *localized("body"),
        "audience_described",
        "sent_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [MessageRecipientInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(recipient_total=Count("recipients"))

    @admin.display(description=_("recipients"), ordering="recipient_total")
    def recipient_count(self, message):
        return message.recipient_total

    @admin.display(description=_("sent to the list filtered by"))
    def audience_described(self, message):
        if not message.audience:
            return _("No filters: every registration of the event.")
        return format_html_join(
            "", "<div>{}: {}</div>", ((label, value) for label, value in message.audience)
        )


admin.site.unregister(Event)
admin.site.unregister(Session)


@admin.register(Session)
class SessionAdmin(BaseSessionAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            services.waitlists_fill(event=obj.event, by=request.user)


@admin.register(Event)
class EventAdmin(BaseEventAdmin):
    """The agenda's event admin, with the registration figures beside the capacity."""

    def get_list_display(self, request):
        shown = [*super().get_list_display(request), "figures"]
        if queries.may_see_dashboard(request.user):
            shown.append("dashboard_link")
        return shown

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A raised capacity (of the event or a session) goes to those already waiting.
        if change and services.waitlists_fill(event=form.instance, by=request.user):
            self.message_user(request, _("Places freed by the change went to the waiting list."))

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            "registration_figures",
            "dashboard_link",
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        fields = ["registration_figures"]
        if queries.may_see_dashboard(request.user):
            fields.append("dashboard_link")
        return [*fieldsets, (_("Registration figures"), {"fields": fields})]

    @admin.display(description=_("dashboard"))
    def dashboard_link(self, obj):
        # The link says whose dashboard, so that it reads well out of context in the list.
        return format_html(
            '<a href="{}">{}</a>',
            reverse("registrations:dashboard", kwargs={"slug": obj.slug}),
            _("Dashboard: %(event)s") % {"event": obj.title},
        )

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
                    _figures_text(session.seats_taken, session.n_waitlisted, 0, session.capacity),
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
    event_id = _filtered_event_id(filters)
    return {"event": event_id} if event_id is not None else {}


def _hierarchy_date(filters: QueryDict, field: str) -> str | None:
    """The year, month or day chosen in the list's date hierarchy, written out."""
    parts = [filters.get(f"{field}__{part}", "") for part in ("year", "month", "day")]
    try:
        if parts[2]:
            return date_format(datetime.date(*map(int, parts)), "DATE_FORMAT")
        if parts[1]:
            return date_format(datetime.date(int(parts[0]), int(parts[1]), 1), "YEAR_MONTH_FORMAT")
        if parts[0]:
            return str(int(parts[0]))
    except ValueError:
        return None
    return None
