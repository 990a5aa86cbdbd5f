"""The back office's side of privacy: deleting a person's data on a request received by post,
what each event still holds, the retention periods beside it, and the log of the purges."""

from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin as BaseUserAdmin
from emn_conference.record_admin import RecordAdmin
from events.models import Event
from registrations.admin import EventAdmin as BaseEventAdmin
from registrations.models import Notification, Registration

from . import queries, retention, services
from .models import PurgeRecord

User = get_user_model()


class _Rehearsal(Exception):
    """Raised to roll back a rehearsal of the deletion."""


@dataclass
class _Outcome:
    done: list = field(default_factory=list)  # (user, their registrations)
    refused: list = field(default_factory=list)  # (user, reasons)
    others: list = field(default_factory=list)  # (registration, messages): moved up
    selected: list = field(default_factory=list)


def _rehearse(users, by) -> _Outcome:
    """Deletes the accounts for real in a transaction that is then rolled back, so that the
    confirmation page says exactly what will happen (who is refused and why, who moves up
    from the waiting list), by the same rules. Nothing is kept and nothing is sent."""
    outcome = _Outcome(selected=list(users))
    registrations = {
        user.pk: list(queries.registrations_of(user=user)) for user in outcome.selected
    }
    moved: dict[int, list[str]] = {}
    try:
        with transaction.atomic():
            last = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
            for user in outcome.selected:
                try:
                    services.account_delete(user=user, by=by)
                except ValidationError as error:
                    outcome.refused.append((user, error.messages))
                else:
                    outcome.done.append((user, registrations[user.pk]))
            # Those deleted lose their messages; what is left is for those moved up.
            for note in Notification.objects.filter(pk__gt=last).order_by("pk"):
                moved.setdefault(note.registration_id, []).append(str(note.get_kind_display()))
            raise _Rehearsal
    except _Rehearsal:
        pass
    people = Registration.objects.select_related("event").in_bulk(moved)
    outcome.others = [(people[pk], kinds) for pk, kinds in moved.items() if pk in people]
    return outcome


@admin.action(
    description=_("Delete personal data (request received by post)"),
    permissions=["delete_personal_data"],
)
def delete_personal_data(modeladmin, request, queryset):
    """Deletes the selected accounts as their owners could themselves: a page first says what
    will happen, and nothing is done until staff say "Yes, I'm sure"."""
    users = list(queryset.order_by("email"))
    if request.POST.get("post") == "yes":
        deleted = 0
        for user in users:
            try:
                services.account_delete(user=user, by=request.user)
            except ValidationError as error:
                for message in error.messages:
                    modeladmin.message_user(request, message, messages.WARNING)
            else:
                deleted += 1
        if deleted:
            modeladmin.message_user(
                request,
                _("%(count)s accounts and their personal data deleted.") % {"count": deleted},
                messages.SUCCESS,
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Delete these accounts and their personal data?"),
        "action": "delete_personal_data",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "outcome": _rehearse(users, request.user),
        "back_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/privacy/delete_confirmation.html", context)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = [delete_personal_data]

    def has_delete_personal_data_permission(self, request) -> bool:
        return request.user.has_perm(f"{User._meta.app_label}.delete_user")

    def has_delete_permission(self, request, obj=None):
        # Django's own deletion would leave the person's registrations, names and all:
        # accounts go through the action above, which anonymises them and frees the seats.
        return False


admin.site.unregister(Event)


@admin.register(Event)
class EventAdmin(BaseEventAdmin):
    """The event admin with its retention periods, and a link to what it still holds."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        fields = ["privacy_sensitive_days", "privacy_anonymise_days"]
        if obj is not None and self._may_see_held(request):
            fields.append("personal_data_link")
        return [*fieldsets, (_("Personal data"), {"fields": fields})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "personal_data_link"]

    @admin.display(description=_("still held"))
    def personal_data_link(self, obj):
        url = reverse("admin:events_event_personal_data", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("What personal data is still held"))

    def _may_see_held(self, request) -> bool:
        return request.user.has_perm("registrations.view_registration")

    def get_urls(self):
        return [
            path(
                "<int:pk>/personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="events_event_personal_data",
            ),
            *super().get_urls(),
        ]

    def personal_data_view(self, request, pk):
        """How many registrations still hold each kind of personal data, when it goes, and
        the exports and files made from them."""
        if not self._may_see_held(request):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=pk)
        held = queries.personal_data_held(event=event)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Personal data held: %(event)s") % {"event": event.title},
            "original": event,
            "held": held,
            "today": retention.event_today(event),
        }
        return TemplateResponse(request, "admin/privacy/held.html", context)


@admin.register(PurgeRecord)
class PurgeRecordAdmin(RecordAdmin):
    """What `purge_personal_data` did: counts per event and field, never the values."""

    list_display = ["created_at", "event", "step", "registrations", "fields_cleared"]
    list_filter = ["step", "event"]
    list_select_related = ["event"]
    fields = list_display
    readonly_fields = list_display

    def has_module_permission(self, request):
        return request.user.has_perm("registrations.view_registration")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @admin.display(description=_("fields cleared"))
    def fields_cleared(self, record):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {}</li>",
                ((queries.field_label(name), count) for name, count in record.fields.items()),
            ),
        )
