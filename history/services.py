"""Recording changes: call `record` inside the transaction that makes the change."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Entry


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
    """Writes one entry about `obj`; `by` is the user who acted, or None for the system."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return Entry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        changes=dict(changes or {}),
    )
