"""Deleting a person's account, and the retention purge of each event's personal data.

A registration is anonymised by its own rule (`registrations.services.registration_anonymise`:
cancelled first while its event is still to come, so the seat goes to the next in line); these
services apply it to everything of one person, or to everything of an event past its time.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event
from history import services as history
from outbox.models import Email
from registrations import services as registration_services
from registrations.models import Delegation, IssuedDocument, Nomination, Registration

from . import retention
from .models import PurgeRecord


def _led_delegations(user) -> QuerySet[Delegation]:
    """The delegations `user` heads at events not over yet: someone must take them over."""
    return Delegation.objects.filter(head=user, event__end_date__gte=timezone.localdate())


def account_delete_check(*, user) -> None:
    """Raises ValidationError if the account cannot be deleted yet (it heads a delegation)."""
    led = list(_led_delegations(user).select_related("event").order_by("event__start_date", "pk"))
    if led:
        names = ", ".join(f"“{d.name}” ({d.event.title})" for d in led)
        raise ValidationError(
            _(
                "This account is the head of the delegation %(delegations)s. Hand the "
                "delegation over first: once the organisers have appointed another head, the "
                "account can be deleted."
            )
            % {"delegations": names},
            code="head_of_delegation",
        )


def account_delete(*, user, by) -> None:
    """Deletes an account and everything that identifies its person, at their request.

    Each of its registrations is anonymised (see the module); the messages to its addresses
    are deleted; the history keeps what happened but no longer who they were (their name as
    the one who acted, their address in recorded values); then the account itself goes, with
    its addresses, authenticators and logs. `by` is the person, or staff acting on a request
    received by post. A head of a delegation at an event still to come is refused until the
    delegation has another head. One transaction: all of it, or nothing.
    """
    User = get_user_model()
    with transaction.atomic():
        account_delete_check(user=user)
        # In the order of their events: the same order as any other change takes its locks.
        registrations = list(Registration.objects.filter(user=user).order_by("event_id", "pk"))
        for registration in registrations:
            registration_services.registration_anonymise(registration=registration, by=by)
        addresses = {
            user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        }
        to_them = Q()
        for address in addresses:
            to_them |= Q(to__iexact=address)
        Email.objects.filter(to_them).delete()
        history.record(obj=user, action="account_deleted", by=by)
        history.person_forget(user=user, addresses=addresses)
        history.admin_log_anonymise(model=User, object_ids=[user.pk], name=history.REMOVED)
        User.objects.filter(pk=user.pk).delete()


# --- retention -------------------------------------------------------------------------------


@dataclass
class PurgeStep:
    """What one step of the purge changed (or, on a dry run, would change) on one event."""

    event: Event
    step: str  # PurgeRecord.Step
    due: datetime.date
    registrations: int = 0
    fields: dict[str, int] = field(default_factory=dict)


def _counts(registrations: QuerySet[Registration], fields) -> tuple[int, dict[str, int]]:
    counts = registrations.aggregate(
        rows=Count("pk"), **{name: Count("pk", filter=retention.holds(name)) for name in fields}
    )
    rows = counts.pop("rows")
    return rows, {name: count for name, count in counts.items() if count}


def _sensitive_held(event: Event) -> QuerySet[Registration]:
    anything = Q()
    for name in Registration.SENSITIVE_FIELDS:
        anything |= retention.holds(name)
    return Registration.objects.filter(event=event).filter(anything)


def _sensitive_clear(event: Event, *, dry_run: bool) -> PurgeStep:
    held = _sensitive_held(event)
    cleared = {name: Registration.empty_value(name) for name in Registration.SENSITIVE_FIELDS}

    def clear(batch: list[int]) -> None:
        Registration.objects.filter(pk__in=batch).update(**cleared, updated_at=timezone.now())
        # A letter whose passport data is gone can no longer be checked against a passport;
        # a certificate of attendance names no passport, and stays.
        registration_services.documents_withdraw(
            registration_ids=batch, kind=IssuedDocument.Kind.VISA_LETTER
        )
        history.entries_anonymise(
            model=Registration, object_ids=batch, fields=Registration.SENSITIVE_FIELDS
        )

    step = PurgeStep(
        event=event, step=PurgeRecord.Step.SENSITIVE, due=retention.sensitive_purge_date(event)
    )
    return _in_batches(step, held, Registration.SENSITIVE_FIELDS, clear, dry_run=dry_run)


def _anonymise(event: Event, *, dry_run: bool) -> PurgeStep:
    remaining = Registration.objects.filter(event=event, anonymised_at__isnull=True)

    def anonymise(batch: list[int]) -> None:
        for registration in Registration.objects.filter(pk__in=batch).order_by("pk"):
            registration_services.registration_anonymise(registration=registration, by=None)

    step = PurgeStep(
        event=event, step=PurgeRecord.Step.ANONYMISED, due=retention.anonymise_date(event)
    )
    # The sensitive fields went in the step before (always due by then: the event's
    # constraint keeps the anonymising after the clearing).
    fields = (*Registration.IDENTITY_FIELDS, "user")
    return _in_batches(step, remaining, fields, anonymise, dry_run=dry_run)


def _in_batches(
    step: PurgeStep,
    todo: QuerySet[Registration],
    fields: Iterable[str],
    work: Callable[[list[int]], None],
    *,
    dry_run: bool,
) -> PurgeStep:
    """Does `work` on the registrations `todo` holds, PRIVACY_PURGE_BATCH at a time, each
    batch in its own transaction (no lock is held for a whole event's list). The step's
    record grows in the same transactions, so it always says what is done, and only that."""
    if dry_run:
        step.registrations, step.fields = _counts(todo, fields)
        return step
    record = None
    while True:
        with transaction.atomic():
            batch = list(
                todo.order_by("pk").values_list("pk", flat=True)[: settings.PRIVACY_PURGE_BATCH]
            )
            if not batch:
                break
            rows, counts = _counts(Registration.objects.filter(pk__in=batch), fields)
            work(batch)
            step.registrations += rows
            for name, count in counts.items():
                step.fields[name] = step.fields.get(name, 0) + count
            if record is None:
                record = PurgeRecord(event=step.event, step=step.step)
            record.registrations, record.fields = step.registrations, step.fields
            record.save()
    return step


def personal_data_purge(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> list[PurgeStep]:
    """Applies each event's retention periods (`Event.privacy_sensitive_days`, then
    `privacy_anonymise_days` after its last day): sensitive fields cleared, then whole
    registrations anonymised. Returns what it changed, or with `dry_run` what it would
    change, with nothing written. Idempotent: a second run finds nothing left to do.

    Each step records what it did in a PurgeRecord (how many registrations and, per field,
    how many held a value: never the values), and the history of the registrations loses
    the values too. The work goes in batches of PRIVACY_PURGE_BATCH registrations, each in
    its own transaction, so a large event holds no lock for long.
    """
    now = now or timezone.now()
    steps = []
    # Events whose last day has passed somewhere on earth; each is judged in its own zone.
    for event in Event.objects.filter(end_date__lt=now.date() + datetime.timedelta(days=1)):
        today = retention.event_today(event, now)
        if today >= retention.sensitive_purge_date(event):
            step = _sensitive_clear(event, dry_run=dry_run)
            if step.registrations:
                steps.append(step)
        if today >= retention.anonymise_date(event):
            step = _anonymise(event, dry_run=dry_run)
            if step.registrations:
                steps.append(step)
            if not dry_run:
                # Invitations never answered name people who never registered.
                Nomination.objects.filter(delegation__event=event).delete()
    return steps
