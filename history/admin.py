"""The admin's "History" page, from our entries: who (or the system), when, what, and each
field before and after. Changes made in the admin itself are recorded there too."""

from collections.abc import Mapping
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import queries, services

# Actions recorded by the admin itself; each app adds the labels of its services' actions.
ADMIN_ACTIONS = {
    "added": _("Added"),
    "changed": _("Changed"),
    "deleted": _("Deleted"),
}


def form_changes(form) -> dict[str, list]:
    """{field: [before, after]} of what the admin form changed, as text a person can read."""
    return {
        name: [_shown(form.fields[name], form.initial.get(name)), _shown(form.fields[name], value)]
        for name in form.changed_data
        if name in form.fields
        for value in [form.cleaned_data.get(name)]
    }


def _shown(field, value) -> Any:
    if isinstance(field, ModelMultipleChoiceField):
        objects = value if value is not None and not isinstance(value, list) else None
        if objects is None:
            objects = field.queryset.filter(pk__in=[getattr(v, "pk", v) for v in value or []])
        return ", ".join(sorted(str(obj) for obj in objects))
    if isinstance(field, ModelChoiceField) and value not in (None, ""):
        if not isinstance(value, models.Model):
            value = field.queryset.filter(pk=value).first()
        return str(value) if value is not None else None
    return services._plain(value)


class HistoryAdminMixin:
    """Records admin saves and deletions, and shows the object's entries as its History."""

    history_labels: Mapping[str, Any] = {}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record(
            obj=obj,
            action="changed" if change else "added",
            by=request.user,
            changes=form_changes(form),
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        deleted = {obj.pk for obj in formset.deleted_objects}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk is None or instance.pk in deleted or not inline_form.has_changed():
                continue
            services.record(
                obj=instance,
                action="changed" if inline_form.initial else "added",
                by=request.user,
                changes=form_changes(inline_form),
            )
        for obj in formset.deleted_objects:
            services.record(obj=obj, action="deleted", by=request.user)

    def delete_model(self, request, obj):
        services.record(obj=obj, action="deleted", by=request.user)
        super().delete_model(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        labels = {**ADMIN_ACTIONS, **self.history_labels}
        entries = [
            {
                "when": entry.created_at,
                "who": _actor_label(entry.actor_name),
                "what": labels.get(entry.action, entry.action),
                "changes": [
                    (_field_label(self.model, name), *_choice_labels(self.model, name, values))
                    for name, values in entry.changes.items()
                ],
            }
            for entry in queries.entries_for(obj=obj)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "subtitle": None,
            "entries": entries,
            "object": obj,
            "opts": self.model._meta,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/history/object_history.html", context)


# Recorded names that are not fields of the model.
EXTRA_LABELS = {
    "session": _("session"),
    "session_status": _("sign-up status"),
    "message": _("message"),
    "recipient_count": _("recipients"),
}


def _field_label(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return EXTRA_LABELS.get(name, name)


def _actor_label(name: str) -> Any:
    if name == services.REMOVED:
        return _("A deleted account")
    return name or _("System")


def _choice_labels(model: type[models.Model], name: str, values: list) -> list:
    try:
        choices = dict(model._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    if name == "session_status":
        from django.apps import apps

        choices = dict(apps.get_model("registrations", "SessionSignup").Status.choices)
    return [
        _("(removed)") if value == services.REMOVED else choices.get(value, value)
        for value in values
    ]
