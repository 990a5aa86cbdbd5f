"""Recording changes: call `record` inside the transaction that makes the change.

Personal data leaves the history too: when a registration is anonymised or an account
deleted, the values recorded are replaced by REMOVED (the entries, their times and actions
stay), and so is the name of a deleted account that acted.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import Entry

# What stands in the history for a value, or an actor, that was personal data and is gone.
REMOVED = "[removed]"
# What the history keeps of a value it must never hold (a model's HISTORY_HIDDEN_FIELDS, e.g.
# passport data): that the field changed, and whether it was empty, not what it was.
HIDDEN = "[hidden]"


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` as they will be compared and stored (JSON-safe text)."""
    return {name: _plain(getattr(obj, _attname(obj, name))) for name in fields}


def _attname(obj: models.Model, name: str) -> str:
    # A foreign key is compared by its id, so no query is made for the related object.
    field = obj._meta.get_field(name)
    return field.attname if field.is_relation and field.many_to_one else name


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def record(
    *,
    obj: models.Model,
    action: str,
    by,
    changes: Mapping[str, list] | None = None,
) -> Entry:
    """Writes one entry about `obj`; `by` is the user who acted, or None for the system.

    The values of the fields `obj`'s model lists in HISTORY_HIDDEN_FIELDS are stored as
    HIDDEN, whoever made the change (a service or the admin's form)."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    hidden = set(getattr(type(obj), "HISTORY_HIDDEN_FIELDS", ()))
    changes = {
        name: [_hidden(value) for value in values] if name in hidden else values
        for name, values in (changes or {}).items()
    }
    return Entry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        changes=changes,
    )


def _hidden(value: Any) -> Any:
    return value if value in (None, "", REMOVED) else HIDDEN


def entries_anonymise(
    *, model: type[models.Model], object_ids: Iterable[Any], fields: Iterable[str]
) -> int:
    """Replaces the values of `fields` recorded in the entries about these objects of `model`
    (each before and after that held something), so that the history keeps what happened and
    when, but no longer what the values were. Returns how many entries changed."""
    fields = set(fields)
    entries = Entry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id__in=[str(pk) for pk in object_ids],
    )
    changed = []
    for entry in entries.only("pk", "changes"):
        changes = {
            name: [_masked(value) for value in values] if name in fields else values
            for name, values in entry.changes.items()
        }
        if changes != entry.changes:
            entry.changes = changes
            changed.append(entry)
    Entry.objects.bulk_update(changed, ["changes"], batch_size=500)
    return len(changed)


def _masked(value: Any) -> Any:
    return value if value in (None, "", False) else REMOVED


def person_forget(*, user, addresses: Iterable[str]) -> int:
    """Before an account is deleted: its name is taken out of the entries it acted in, and its
    addresses out of any recorded value (e.g. a delegation's head, changed in the admin), so
    the history no longer says who it was. Returns how many entries changed."""
    addresses = {address.casefold() for address in addresses if address}
    named = Q(actor=user)
    for address in addresses:
        named |= Q(actor_name__iexact=address)
    acted = Entry.objects.filter(named).update(actor_name=REMOVED)
    changed = []
    # Every entry whose recorded values mention an address: rare, so one scan of the text.
    mentioning = Entry.objects.annotate(text=Cast("changes", TextField()))
    query = Q()
    for address in addresses:
        query |= Q(text__icontains=address)
    for entry in mentioning.filter(query).only("pk", "changes") if addresses else []:
        entry.changes = {
            name: [
                REMOVED if isinstance(v, str) and v.casefold() in addresses else v for v in values
            ]
            for name, values in entry.changes.items()
        }
        changed.append(entry)
    Entry.objects.bulk_update(changed, ["changes"], batch_size=500)
    return acted + len(changed)


def admin_log_anonymise(*, model: type[models.Model], object_ids: Iterable[Any], name: str) -> int:
    """Django's own admin log names each object it logged as it read then (a registration
    with its person's name, an account with its address): those objects are now `name`."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id__in=[str(pk) for pk in object_ids],
    ).update(object_repr=name)
