"""Registration rules: the window, capacity, the waiting list, quotas and approval.

Every write runs in one transaction that first locks the rows holding the counts, always in
the same order (event, then delegation, then sessions by id), so concurrent requests on
PostgreSQL queue behind each other instead of overbooking, and cannot deadlock.

Seats: an event's seats are held by confirmed and pending registrations (pending ones wait
for staff approval and keep their seat meanwhile). When none is free, a registrant joins the
waiting list; a freed seat goes to the first in the list. A session's seats work the same way
with sign-ups. A delegation's quota counts its active members; a full delegation refuses.

Messages are queued in the same transaction and sent after it commits (see `notifications`).
"""

import datetime
import logging
import secrets
import tempfile
import unicodedata
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, BinaryIO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg.errors import LockNotAvailable

from emn_conference.site import absolute_url
from events.formatting import date_range
from events.models import REMINDER_DAYS_MAX, Event, Session
from history import services as history
from outbox import services as outbox

from . import notifications, queries, tokens
from .models import (
    BadgeLayout,
    CheckIn,
    Delegation,
    ExportJob,
    ExportRecord,
    IssuedDocument,
    LetterTemplate,
    Message,
    Nomination,
    Notification,
    PrivacyNotice,
    Registration,
    SessionSignup,
    invitation_code_forms,
    new_calendar_token,
    new_invitation_code,
)

logger = logging.getLogger(__name__)

# How often (in rows) a long export reports its progress.
PROGRESS_EVERY = 250
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud at the door
# The message that tells a registrant their current status.
STATUS_MESSAGE = {
    Registration.Status.CONFIRMED: Notification.Kind.CONFIRMED,
    Registration.Status.PENDING: Notification.Kind.PENDING,
    Registration.Status.WAITLISTED: Notification.Kind.WAITLISTED,
    Registration.Status.DECLINED: Notification.Kind.DECLINED,
    Registration.Status.CANCELLED: Notification.Kind.CANCELLED,
}

# The registration fields a delegate fills in (everything else is set by the rules below).
DETAIL_FIELDS = (
    "honorific",
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "position",
    "organisation",
    "country",
    "phone",
    "language",
    "dietary_requirements",
    "accessibility_needs",
    "interpretation_language",
    "needs_visa_letter",
    *Registration.PASSPORT_FIELDS,
    "photo_consent",
    "listing_consent",
)


# What registration_create checks itself, so full_clean need not ask the database again
# (six queries): the event and the user are the rows it locks and reads, the notice and the
# delegation it reads, the reference it has found free, and the one registration per user
# and event it looks up under the lock. The calendar token is random (32 URL-safe
# characters); the unique constraints stay in the database behind them all.
CHECKED_UNDER_LOCK = (
    "event",
    "user",
    "privacy_notice",
    "delegation",
    "reference",
    "calendar_token",
)


class AlreadyRegistered(Exception):
    """The user already has a registration for this event; show it instead of an error."""

    def __init__(self, registration: Registration):
        super().__init__(registration.reference)
        self.registration = registration


# --- reading the state (inside the transaction, after locking) -------------------------


class EventBusy(Exception):
    """The event's lock was not free within EVENT_LOCK_TIMEOUT: nothing was changed."""


def _lock_event(event: Event) -> Event:
    """Locks the event's row, the first lock of every change to its seats (see the module).

    A request waits at most EVENT_LOCK_TIMEOUT seconds for it (PostgreSQL's lock_timeout, for
    the rest of the transaction) and then gives up with EventBusy, rather than holding a
    worker for as long as a rush lasts.
    """
    if connection.vendor == "postgresql":
        timeout_ms = int(settings.EVENT_LOCK_TIMEOUT * 1000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout_ms}ms"])
    try:
        return Event.objects.select_for_update().get(pk=event.pk)
    except OperationalError as error:
        if isinstance(error.__cause__, LockNotAvailable):
            raise EventBusy(event.pk) from error
        raise


def _lock_registration(registration: Registration) -> tuple[Event, Registration]:
    """Opens every change to a registration: the event, then the registration, locked."""
    event = _lock_event(registration.event)
    return event, Registration.objects.select_for_update().get(pk=registration.pk)


def _record(registration: Registration, action: str, by, before: Mapping[str, Any]) -> None:
    """Records what `action` changed on the registration (only fields in `before`)."""
    after = history.snapshot(registration, before.keys())
    history.record(
        obj=registration, action=action, by=by, changes=history.changes_between(before, after)
    )


def _status_of(registration: Registration) -> dict[str, Any]:
    return history.snapshot(registration, ["status"])


def _has_free_seat(event: Event) -> bool:
    return not queries.event_seats(event=event).is_full


def _seat_status(event: Event) -> str:
    return Registration.Status.PENDING if event.requires_approval else Registration.Status.CONFIRMED


def _check_window(event: Event, now) -> None:
    if not event.takes_registrations(now):
        raise ValidationError(
            _("Registration for this event is not open."), code="registration_closed"
        )


def _needs_latin(name: str) -> bool:
    """Whether a name has letters of another script (Cyrillic, Greek, Arabic, Chinese…)."""
    return any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in name)


def registration_details_validate(*, details: Mapping[str, Any]) -> None:
    """Rules on what a delegate types, beyond each field's own checks."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Not registration details: {sorted(unknown)}")
    errors = {}
    for part in ("given_name", "family_name"):
        if _needs_latin(details.get(part) or "") and not details.get(f"{part}_latin"):
            errors[f"{part}_latin"] = _(
                "Your name is not written in Latin letters: please also write it in Latin "
                "script, as in your passport."
            )
    if details.get("needs_visa_letter"):
        for name in Registration.PASSPORT_FIELDS:
            if details.get(name) in (None, ""):
                errors[name] = _("Needed for your visa letter.")
    if errors:
        raise ValidationError(errors)


def _passport_kept(details: Mapping[str, Any]) -> dict[str, Any]:
    """The details as stored: passport data only for a visa letter, never without one."""
    if details.get("needs_visa_letter", True):
        return dict(details)
    return {
        **details,
        **{name: Registration.empty_value(name) for name in Registration.PASSPORT_FIELDS},
    }


def _new_reference(event: Event) -> str:
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))
        reference = f"{event.reference_prefix}-{code}"
        if not Registration.objects.filter(reference=reference).exists():
            return reference


def _delegation_for_code(event: Event, code: str) -> Delegation:
    delegation = (
        Delegation.objects.select_for_update()
        .filter(event=event, invitation_code__in=invitation_code_forms(code))
        .first()
    )
    if delegation is None:
        raise ValidationError(
            {"invitation_code": _("This invitation code is not valid for this event.")}
        )
    if queries.delegation_places(delegation=delegation).is_full:
        raise ValidationError(
            {
                "invitation_code": _(
                    "The delegation “%(name)s” is full: all its %(quota)s places are taken."
                )
                % {"name": delegation.name, "quota": delegation.quota}
            }
        )
    return delegation


def _lock_signup_sessions(event: Event, sessions: Iterable[Session]) -> list[Session]:
    ids = sorted({s.pk for s in sessions})
    if not ids:
        return []
    locked = list(
        Session.objects.select_for_update().filter(pk__in=ids, event=event).order_by("pk")
    )
    if len(locked) != len(ids) or any(s.capacity is None for s in locked):
        raise ValidationError(
            {"sessions": _("Choose only sessions of this event that take sign-ups.")}
        )
    return locked


def _signup(registration: Registration, session: Session, now, by) -> SessionSignup:
    """Queues the registration for a session seat; it gets one at once if one is free."""
    signup = SessionSignup.objects.create(
        registration=registration,
        session=session,
        status=SessionSignup.Status.WAITLISTED,
        queued_at=now,
    )
    # Whoever just signed up learns the outcome from the registration's own message.
    _fill_session(session, quiet=signup)
    signup.refresh_from_db()
    history.record(
        obj=registration,
        action="session_signup",
        by=by,
        changes={"session": [None, str(session)], "session_status": [None, signup.status]},
    )
    return signup


def _fill_session(session: Session, *, quiet: SessionSignup | None = None) -> None:
    """Give the session's free seats to the first sign-ups waiting for them, and tell them.

    Only registrations that hold a seat at the event itself may hold one in a session: those
    on the event's waiting list keep their place in the session's queue until they move up.
    """
    if session.capacity is None:
        return
    free = queries.session_seats(session=session).free
    if not free:
        return
    waiting = (
        SessionSignup.objects.filter(
            session=session,
            status=SessionSignup.Status.WAITLISTED,
            registration__status__in=Registration.SEAT_HOLDING_STATUSES,
        )
        .select_related("registration")
        .order_by("queued_at", "pk")[:free]
    )
    for signup in waiting:
        signup.status = SessionSignup.Status.CONFIRMED
        signup.queued_at = None
        signup.save(update_fields=["status", "queued_at"])
        if quiet is None or signup.pk != quiet.pk:
            # A seat freed by someone else: given by the rules, so by the system.
            history.record(
                obj=signup.registration,
                action="session_seat",
                by=None,
                changes={
                    "session": [str(session), str(session)],
                    "session_status": [SessionSignup.Status.WAITLISTED, signup.status],
                },
            )
            notifications.queue(
                registration=signup.registration,
                kind=Notification.Kind.SESSION_SEAT,
                session=session,
            )


def _release_signups(registration: Registration, sessions: Iterable[Session], by) -> None:
    for session in sessions:
        deleted, _rows = SessionSignup.objects.filter(
            registration=registration, session=session
        ).delete()
        if deleted:
            history.record(
                obj=registration,
                action="session_release",
                by=by,
                changes={"session": [str(session), None]},
            )
            _fill_session(session)


def _fill_sessions_of(registration: Registration) -> None:
    for session in _sessions_of(registration):
        _fill_session(session)


def _promote_waitlist(
    event: Event,
    *,
    skip: Registration | None = None,
    limit: int | None = None,
    seats: queries.Seats | None = None,
) -> list[Registration]:
    """Give the event's free seats (at most `limit`) to the first on the waiting list.

    Counts the free seats once (an index scan over the seats held, not over the waiting list)
    and reads only as many from the queue (by the index in queue order): the work does not
    grow with the length of the waiting list; it runs under the event's lock, on every change.
    """
    free = (seats or queries.event_seats(event=event)).free
    if limit is not None:
        free = limit if free is None else min(free, limit)
    if free == 0:
        return []
    queue = Registration.objects.filter(event=event).waiting_in_order()
    if skip is not None:
        queue = queue.exclude(pk=skip.pk)
    promoted = []
    for registration in queue if free is None else queue[:free]:
        # Moved up by the rules, whoever freed the seat: recorded as done by the system.
        _change_status(registration, _seat_status(event), action="promoted", by=None)
        _fill_sessions_of(registration)
        notifications.queue(registration=registration, kind=Notification.Kind.PROMOTED)
        promoted.append(registration)
    return promoted


def _change_status(registration: Registration, status: str, *, action: str, by) -> None:
    """Sets the status (and the place in the queue) and records who did it. A registration
    that loses its confirmed place (cancelled, declined, back to the waiting list) loses its
    visa letter too: a consulate checking it must learn that it no longer holds."""
    before = _status_of(registration)
    _set_status(registration, status)
    _record(registration, action, by, before)
    if status != Registration.Status.CONFIRMED and registration.visa_letter_approved_at:
        _visa_letter_withdraw(registration, tell_staff=False)


def _set_status(registration: Registration, status: str) -> None:
    registration.status = status
    registration.queued_at = timezone.now() if status == Registration.Status.WAITLISTED else None
    registration.save(update_fields=["status", "queued_at", "updated_at"])


def _sessions_of(registration: Registration) -> list[Session]:
    return list(Session.objects.filter(signups__registration=registration).order_by("pk"))


# --- the services -------------------------------------------------------------------------


def registration_create(
    *,
    event: Event,
    user,
    details: Mapping[str, Any],
    privacy_accepted: bool,
    sessions: Iterable[Session] = (),
    invitation_code: str = "",
    nomination: str = "",
    by,
    now=None,
) -> Registration:
    """Registers `user` for `event`: confirmed, pending approval, or on the waiting list.

    A member of a delegation that keeps places (`Delegation.reserves_places`) takes one of
    them, even when the event is otherwise full. `nomination` is the token of the head's
    invitation the delegate came from, if any; an invitation to their address is taken too.

    `by` is who registers them: the delegate themselves, or staff on their behalf.

    Raises AlreadyRegistered if the user has a registration already, ValidationError (keyed
    by form field) for anything else that stops it; nothing is saved then.
    """
    now = now or timezone.now()
    registration_details_validate(details=details)
    details = _passport_kept(details)
    if not privacy_accepted:
        raise ValidationError(
            {"privacy_accepted": _("Please accept the privacy notice to register.")}
        )
    # What does not depend on the seats is read and checked before the event's lock, which
    # every registration waits for: the lock is held only for the work that must be under it.
    # (A registration running meanwhile could draw the same reference: one chance in 24
    # million for each pair; the unique constraint would then refuse it rather than give two
    # people one reference.)
    _check_window(event, now)  # said first; asked again of the locked row, which decides
    notice = queries.privacy_notice_for(event=event, now=now)
    if notice is None:
        raise ValidationError(
            _("Registration is not possible before a privacy notice is published.")
        )
    reference = _new_reference(event)
    # The details' own checks, on the registration as it will be saved but for what is decided
    # under the lock (status, place in the queue, delegation: the service's own values).
    Registration(
        event=event,
        user=user,
        reference=reference,
        privacy_notice=notice,
        privacy_accepted_at=now,
        status=Registration.Status.WAITLISTED,
        **details,
    ).full_clean(exclude=CHECKED_UNDER_LOCK)
    with transaction.atomic():
        event = _lock_event(event)
        _check_window(event, now)
        existing = Registration.objects.filter(event=event, user=user).first()
        if existing is not None and not existing.allows_registering_again:
            raise AlreadyRegistered(existing)
        # Seats freed by a change of capacity go to those already waiting, not to newcomers.
        seats = queries.event_seats(event=event)
        promoted = _promote_waitlist(event, seats=seats)
        seat_free = seats.free is None or seats.free > len(promoted)
        delegation = _delegation_for_code(event, invitation_code) if invitation_code else None
        if delegation is not None and not seat_free:
            seat_free = _takes_kept_place(event, delegation, seats, promoted)
        locked_sessions = _lock_signup_sessions(event, sessions)
        # Someone who cancelled (or was declined) may register again, under the same reference.
        registration = existing or Registration(event=event, user=user, reference=reference)
        recorded = [*DETAIL_FIELDS, "status", "delegation"]
        before = history.snapshot(registration, recorded) if existing else {}
        for name, value in details.items():
            setattr(registration, name, value)
        registration.delegation = delegation
        registration.privacy_notice = notice
        registration.privacy_accepted_at = now
        registration.queued_at = None
        if seat_free:
            registration.status = _seat_status(event)
        else:
            registration.status, registration.queued_at = Registration.Status.WAITLISTED, now
        registration.save()  # its values were checked (full_clean) before the lock
        after = history.snapshot(registration, recorded)
        history.record(
            obj=registration,
            action="registered_again" if existing else "registered",
            by=by,
            changes=history.changes_between(before, after),
        )
        for session in locked_sessions:
            _signup(registration, session, now, by)
        if delegation is not None:
            _nomination_take(delegation, registration, user=user, token=nomination)
        notifications.queue(registration=registration, kind=STATUS_MESSAGE[registration.status])
    return registration


def _takes_kept_place(
    event: Event, delegation: Delegation, seats: queries.Seats, promoted: list
) -> bool:
    """Whether a new member takes one of the places the delegation keeps: it keeps some, has
    one unused, and the event's capacity is not all held (quotas may add up to more)."""
    delegation.event = event
    if not queries.delegation_has_kept_place(delegation=delegation):
        return False
    held = seats.used - seats.reserved + len(promoted)
    return event.capacity is None or held < event.capacity


def _nomination_take(
    delegation: Delegation, registration: Registration, *, user, token: str
) -> None:
    """The head's invitation (from its link, else to the delegate's address) is answered."""
    open_ones = delegation.nominations.select_for_update().filter(status=Nomination.Status.INVITED)
    nomination = (token and open_ones.filter(token=token).first()) or (
        user.email and open_ones.filter(email__iexact=user.email).first()
    )
    if not nomination:
        return
    nomination.status = Nomination.Status.REGISTERED
    nomination.registration = registration
    nomination.save(update_fields=["status", "registration"])
    history.record(
        obj=delegation,
        action="nomination_registered",
        by=None,
        changes={"nomination": [nomination.pk, registration.reference]},
    )


def registration_update(
    *,
    registration: Registration,
    details: Mapping[str, Any],
    sessions: Iterable[Session],
    by,
    now=None,
) -> Registration:
    """The delegate changes their details or sessions; allowed until registration closes.

    Changing what an approved visa letter shows withdraws its approval: the delegate gets no
    letter for the new details until staff approve it again, and the event's contact is told.
    """
    now = now or timezone.now()
    registration_details_validate(details=details)
    details = _passport_kept(details)
    with transaction.atomic():
        event, registration = _lock_registration(registration)
        if not registration.is_active:
            raise ValidationError(_("A cancelled or declined registration cannot be changed."))
        _check_window(event, now)
        wanted = _lock_signup_sessions(event, sessions)
        # Sessions that no longer take sign-ups were not offered on the form: keep those.
        current = [s for s in _sessions_of(registration) if s.capacity is not None]
        before = history.snapshot(registration, details.keys())
        for name, value in details.items():
            setattr(registration, name, value)
        registration.full_clean()
        registration.save()
        changes = history.changes_between(before, history.snapshot(registration, details.keys()))
        if changes:
            history.record(obj=registration, action="updated", by=by, changes=changes)
        if registration.visa_letter_approved_at and set(changes) & set(
            Registration.VISA_LETTER_FIELDS
        ):
            _visa_letter_withdraw(registration)
        _release_signups(registration, [s for s in current if s not in wanted], by)
        for session in wanted:
            if session not in current:
                _signup(registration, session, now, by)
    return registration


def visa_letter_follow_changes(
    *, registration: Registration, changed: Iterable[str], by
) -> Registration:
    """After staff changed details in the admin: the same rule as for the delegate's edits."""
    del by  # the change itself is recorded with its author; the withdrawal is the rules'
    if registration.visa_letter_approved_at and set(changed) & set(Registration.VISA_LETTER_FIELDS):
        _visa_letter_withdraw(registration)
    return registration


def _visa_letter_withdraw(registration: Registration, *, tell_staff: bool = True) -> None:
    """Withdraws the approval and the letter issued (its verification page then says so).
    Staff are told when the delegate's edits caused it, not when they cancelled it."""
    before = history.snapshot(registration, ["visa_letter_approved_at"])
    registration.visa_letter_approved_at = None
    registration.save(update_fields=["visa_letter_approved_at", "updated_at"])
    documents_withdraw(registration_ids=[registration.pk], kind=IssuedDocument.Kind.VISA_LETTER)
    _record(registration, "visa_letter_withdrawn", None, before)
    if tell_staff:
        notifications.tell_staff_visa_letter_withdrawn(registration=registration)


def documents_withdraw(
    *, registration_ids: Iterable[int], kind: str | None = None, now=None
) -> int:
    """Withdraws the current documents (of `kind`, or all) issued to these registrations;
    their verification pages say "withdrawn" from then on. Returns how many."""
    current = IssuedDocument.objects.filter(
        registration_id__in=list(registration_ids), withdrawn_at__isnull=True
    )
    if kind is not None:
        current = current.filter(kind=kind)
    return current.update(withdrawn_at=now or timezone.now())


def registration_cancel(*, registration: Registration, by) -> Registration:
    """The delegate (or staff) withdraws it; its seat goes to the first on the waiting list."""
    with transaction.atomic():
        event, registration = _lock_registration(registration)
        if not registration.is_active:
            raise ValidationError(_("This registration is already cancelled or declined."))
        _release_signups(registration, _sessions_of(registration), by)
        _change_status(registration, Registration.Status.CANCELLED, action="cancelled", by=by)
        notifications.queue(registration=registration, kind=Notification.Kind.CANCELLED)
        # Once the event is over, a freed seat is of no use to anyone waiting.
        if not _is_over(event):
            _promote_waitlist(event)
    return registration


def _is_over(event: Event) -> bool:
    """Whether the event's last day has passed, in its own time zone."""
    return event.end_date < timezone.localdate(timezone=zoneinfo.ZoneInfo(event.time_zone))


def registration_approve(*, registration: Registration, by) -> Registration:
    """Staff confirm a pending registration, or a waiting one if a seat is free."""
    with transaction.atomic():
        event, registration = _lock_registration(registration)
        if registration.status == Registration.Status.PENDING:
            pass  # it holds its seat already
        elif registration.status == Registration.Status.WAITLISTED:
            if not _has_free_seat(event):
                raise ValidationError(
                    _("%(reference)s cannot be approved: the event is full.")
                    % {"reference": registration.reference}
                )
        else:
            raise ValidationError(
                _("%(reference)s cannot be approved: it is %(status)s.")
                % {"reference": registration.reference, "status": registration.get_status_display()}
            )
        _change_status(registration, Registration.Status.CONFIRMED, action="approved", by=by)
        _fill_sessions_of(registration)
        notifications.queue(registration=registration, kind=Notification.Kind.APPROVED)
    return registration


def registration_decline(*, registration: Registration, by) -> Registration:
    """Staff turn a registration down; a seat it held goes to the waiting list."""
    with transaction.atomic():
        event, registration = _lock_registration(registration)
        if not registration.is_active:
            raise ValidationError(
                _("%(reference)s cannot be declined: it is %(status)s.")
                % {"reference": registration.reference, "status": registration.get_status_display()}
            )
        _release_signups(registration, _sessions_of(registration), by)
        _change_status(registration, Registration.Status.DECLINED, action="declined", by=by)
        notifications.queue(registration=registration, kind=Notification.Kind.DECLINED)
        _promote_waitlist(event)
    return registration


def registration_move_to_waitlist(*, registration: Registration, by) -> Registration:
    """Staff move a registration to the end of the waiting list, freeing its seat for others."""
    with transaction.atomic():
        event, registration = _lock_registration(registration)
        if not registration.holds_seat:
            raise ValidationError(
                _("%(reference)s cannot be moved to the waiting list: it is %(status)s.")
                % {"reference": registration.reference, "status": registration.get_status_display()}
            )
        _change_status(
            registration, Registration.Status.WAITLISTED, action="moved_to_waitlist", by=by
        )
        # Its session seats go to the next in each session's queue; it keeps its place there.
        registration.signups.filter(status=SessionSignup.Status.CONFIRMED).update(
            status=SessionSignup.Status.WAITLISTED, queued_at=timezone.now()
        )
        _fill_sessions_of(registration)
        notifications.queue(registration=registration, kind=Notification.Kind.WAITLISTED)
        _promote_waitlist(event, skip=registration)
    return registration


def waitlists_fill(*, event: Event, by) -> list[Registration]:
    """After staff raise a capacity: free seats go to those waiting, event and sessions.

    The promotions are the rules' doing and are recorded as the system's; `by` (who changed
    the capacity) is in the history of the change itself.
    """
    del by
    promoted: list[Registration] = []
    # In batches, each in its own transaction: a large raise does not hold the event's lock
    # (and every registration waiting for it) for the whole of the promotions.
    while True:
        with transaction.atomic():
            batch = _promote_waitlist(_lock_event(event), limit=settings.WAITLIST_PROMOTION_BATCH)
        promoted += batch
        if len(batch) < settings.WAITLIST_PROMOTION_BATCH:
            break
    with transaction.atomic():
        event = _lock_event(event)
        for session in _lock_signup_sessions(event, event.sessions.filter(capacity__isnull=False)):
            _fill_session(session)
    return promoted


def calendar_address_renew(*, registration: Registration, by) -> Registration:
    """A new secret calendar address, e.g. after the old one was shared; the old one stops."""
    with transaction.atomic():
        registration.calendar_token = new_calendar_token()
        registration.save(update_fields=["calendar_token", "updated_at"])
        # The secret itself is not kept in the history.
        history.record(obj=registration, action="calendar_address_renewed", by=by)
    return registration


def registration_listing_consent_set(
    *, registration: Registration, consent: bool, by
) -> Registration:
    """The delegate agrees to appear in the list of participants, or withdraws it. Allowed at
    any time, also once registration has closed (a consent must be as easy to withdraw as to
    give); the list reads it afresh, so the change shows at once. Not for an anonymised
    registration, which lists nobody."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
        if registration.is_anonymised:
            raise ValidationError(_("This registration is anonymised: it lists nobody."))
        if registration.listing_consent == consent:
            return registration
        before = history.snapshot(registration, ["listing_consent"])
        registration.listing_consent = consent
        registration.save(update_fields=["listing_consent", "updated_at"])
        _record(registration, "updated", by, before)
    return registration


def delegation_invitation_renew(*, delegation: Delegation, by) -> Delegation:
    """A new invitation code, e.g. after the link leaked; the old one stops working."""
    with transaction.atomic():
        delegation.invitation_code = new_invitation_code()
        delegation.save(update_fields=["invitation_code"])
        history.record(obj=delegation, action="invitation_renewed", by=by)
    return delegation


def registration_resend(*, registration: Registration, by) -> Notification:
    """Sends again the message that matches the registration's status now."""
    if registration.is_anonymised:
        raise ValidationError(
            _("%(reference)s is anonymised: there is nobody to write to.")
            % {"reference": registration.reference}
        )
    with transaction.atomic():
        notification = notifications.queue(
            registration=registration, kind=STATUS_MESSAGE[registration.status]
        )
        history.record(
            obj=registration,
            action="message_resent",
            by=by,
            changes={"message": [None, notification.kind]},
        )
        return notification


# --- privacy --------------------------------------------------------------------------------


def privacy_notice_accept(
    *, registration: Registration, notice: PrivacyNotice, by, now=None
) -> Registration:
    """The delegate accepts the privacy notice now in force for the registration's event (a
    newer version than the one they accepted, or the event's own); the version and the time
    are kept, and the change recorded. Refused if another version came into force since the
    delegate was shown this one."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "privacy_notice")
            .get(pk=registration.pk)
        )
        current = queries.privacy_notice_for(event=registration.event, now=now)
        if current is None or current.pk != notice.pk:
            raise ValidationError(
                _("The privacy notice has changed again: please read the version now in force."),
                code="notice_changed",
            )
        if registration.privacy_notice_id == notice.pk:
            return registration
        before = registration.privacy_notice.version
        registration.privacy_notice = notice
        registration.privacy_accepted_at = now
        registration.save(update_fields=["privacy_notice", "privacy_accepted_at", "updated_at"])
        history.record(
            obj=registration,
            action="privacy_accepted",
            by=by,
            changes={"privacy_notice": [before, notice.version]},
        )
    return registration


def registration_anonymise(*, registration: Registration, by, now=None) -> Registration:
    """Takes out of a registration everything that identifies its person (`PERSONAL_FIELDS`,
    the account, the calendar address, the messages sent, the personal values in its
    history); the reference, status, country, role, language, delegation and consents stay,
    for statistics.

    A registration still holding or awaiting a place at an event not yet over is cancelled
    first, through the usual rules, so its seat goes to the next in line (a promotion the
    history records as the system's). Once the event is over its status stays as it was, so
    the figures of who came do not change. Anonymising again does nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event, registration = _lock_registration(registration)
        if registration.is_anonymised:
            return registration
        if registration.is_active and not _is_over(event):
            registration = registration_cancel(registration=registration, by=by)
        held = [
            name
            for name in Registration.PERSONAL_FIELDS
            if getattr(registration, name) not in ("", None)
        ]
        for name in Registration.PERSONAL_FIELDS:
            setattr(registration, name, Registration.empty_value(name))
        registration.user = None
        registration.calendar_token = new_calendar_token()  # the old address stops working
        registration.anonymised_at = now
        registration.save()
        # The letters' verification pages would name nobody now: they say "withdrawn".
        documents_withdraw(registration_ids=[registration.pk], now=now)
        # Queued ones too: built when sent, they would be written to nobody.
        registration.notifications.all().delete()
        # The head's invitation it answered names the same person.
        registration.nominations.all().delete()
        history.entries_anonymise(
            model=Registration, object_ids=[registration.pk], fields=Registration.PERSONAL_FIELDS
        )
        history.admin_log_anonymise(
            model=Registration, object_ids=[registration.pk], name=str(registration)
        )
        # Which fields were emptied, never what they held.
        history.record(
            obj=registration,
            action="anonymised",
            by=by,
            changes={name: [history.REMOVED, Registration.empty_value(name)] for name in held},
        )
    return registration


# --- organiser outputs ----------------------------------------------------------------------


def export_prepare(
    *,
    event: Event,
    registrations,
    dataset: str,
    file_format: str,
):
    """Chooses the list and the writer for an export: returns (dataset, writer).

    Nothing is recorded yet: `export_write` records the export once the file is complete.
    """
    from .exports import DATASETS
    from .exports.writers import WRITERS

    if dataset not in DATASETS:
        raise ValidationError({"dataset": _("Choose one of the lists offered.")})
    if file_format not in WRITERS:
        raise ValidationError({"file_format": _("Choose CSV or XLSX.")})
    return DATASETS[dataset](event=event, registrations=registrations), WRITERS[file_format]


def _export_allowed(dataset: str, by) -> None:
    """The visa list (passport data) only for those with view_passport_data."""
    from .exports import dataset_allowed

    if not dataset_allowed(dataset, by):
        raise PermissionDenied(f"Not allowed to export {dataset!r}")


def _record_export(
    *,
    event_id: int,
    by,
    via: str,
    dataset: str,
    file_format: str,
    language: str,
    filters: Mapping[str, Any] | None,
    rows: int,
) -> ExportRecord:
    return ExportRecord.objects.create(
        user=by if by is not None and by.is_authenticated else None,
        via=via,
        event_id=event_id,
        dataset=dataset,
        format=file_format,
        language=language,
        filters=dict(filters or {}),
        rows=rows,
    )


def _counted(items: Iterable, progress: Callable[[int], None] | None) -> Iterator:
    """Yields `items`, telling `progress` how many have gone by every few hundred."""
    done = 0
    for item in items:
        yield item
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:
        progress(done)


def _write_list(
    *,
    event: Event,
    registrations,
    dataset: str,
    file_format: str,
    language: str,
    out: BinaryIO,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes an attendee list to `out`; returns how many rows it has."""
    chosen, writer = export_prepare(
        event=event, registrations=registrations, dataset=dataset, file_format=file_format
    )
    rows = [0]

    def counting(done: int) -> None:
        rows[0] = done
        if progress is not None:
            progress(done)

    with translation.override(language):
        writer.write(_CountedDataset(chosen, counting), out)
    return rows[0]


def export_write(
    *,
    event: Event,
    registrations,
    dataset: str,
    file_format: str,
    language: str,
    out: BinaryIO,
    by,
    via: str,
    filters: Mapping[str, Any] | None = None,
) -> ExportRecord:
    """Writes an attendee list to `out` and, once it is complete, records who exported what."""
    _export_allowed(dataset, by)
    rows = _write_list(
        event=event,
        registrations=registrations,
        dataset=dataset,
        file_format=file_format,
        language=language,
        out=out,
    )
    return _record_export(
        event_id=event.pk,
        by=by,
        via=via,
        dataset=dataset,
        file_format=file_format,
        language=language,
        filters=filters,
        rows=rows,
    )


class _CountedDataset:
    """A dataset whose rows report their progress; everything else is the dataset's own."""

    def __init__(self, dataset, progress: Callable[[int], None]):
        self._dataset, self._progress = dataset, progress

    def __getattr__(self, name):
        return getattr(self._dataset, name)

    def rows(self):
        return _counted(self._dataset.rows(), self._progress)


def badges_confirmed(registrations) -> QuerySet[Registration]:
    """Those among `registrations` who get a badge: the confirmed ones (a badge opens the door)."""
    return registrations.confirmed()


def _write_badges(
    *, registrations, out: BinaryIO, layout: str, progress: Callable[[int], None] | None = None
) -> int:
    from . import badges

    ordered = (
        badges_confirmed(registrations)
        .select_related("event", "delegation")
        .order_by("family_name", "given_name", "pk")
    )
    return badges.badges_pdf(
        _counted(ordered.iterator(chunk_size=200), progress), out, layout=layout
    )


def _record_badges(*, registrations, layout: str, by, via: str) -> list[ExportRecord]:
    per_event = badges_confirmed(registrations).order_by().values("event_id")
    return [
        _record_export(
            event_id=row["event_id"],
            by=by,
            via=via,
            dataset="badges",
            file_format="pdf",
            language=translation.get_language(),
            filters={"layout": layout},
            rows=row["rows"],
        )
        for row in per_event.annotate(rows=Count("pk"))
    ]


def badges_print(*, registrations, out: BinaryIO, layout: str, by, via: str) -> int:
    """Writes the badges of the confirmed ones among `registrations` to `out` in `layout` (a
    `BadgeLayout`; another is refused with a ValidationError before anything is written); the
    others get none. Once the file is complete, recorded like an export, one record per event."""
    printed = _write_badges(registrations=registrations, out=out, layout=layout)
    _record_badges(registrations=registrations, layout=layout, by=by, via=via)
    return printed


# --- certificates of attendance ---------------------------------------------------------


def _certificate_refused(registration: Registration) -> ValidationError:
    return ValidationError(
        _("%(reference)s was not checked in at the event, so it gets no certificate of attendance.")
        % {"reference": registration.reference},
        code="not_checked_in",
    )


def certificate_issue(*, registration: Registration, by) -> IssuedDocument:
    """The registration's certificate of attendance: the one issued already, or a new one
    with its verification address (issued on the first download). Refused, with a
    ValidationError, to anyone `Registration.can_get_certificate` refuses."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.can_get_certificate():
            raise _certificate_refused(registration)
        current = queries.document_current(
            registration=registration, kind=IssuedDocument.Kind.CERTIFICATE
        )
        if current is not None:
            return current
        document = IssuedDocument(
            registration=registration,
            kind=IssuedDocument.Kind.CERTIFICATE,
            issued_at=timezone.now(),
            issued_by=by if by is not None and by.is_authenticated else None,
        )
        document.full_clean()
        document.save()
        history.record(obj=registration, action="certificate_issued", by=by)
    return document


def _certificates_issue_missing(*, registrations, by) -> int:
    """Issues a certificate to each of `registrations` that gets one and has none yet, in one
    insert: no lock, since the one-current-per-kind constraint makes a certificate issued
    meanwhile by a download win over ours (`ignore_conflicts`)."""
    missing = registrations.with_certificate().exclude(
        Exists(
            IssuedDocument.objects.filter(
                registration=OuterRef("pk"),
                kind=IssuedDocument.Kind.CERTIFICATE,
                withdrawn_at__isnull=True,
            )
        )
    )
    now = timezone.now()
    actor = by if by is not None and by.is_authenticated else None
    new = [
        IssuedDocument(
            registration_id=pk,
            kind=IssuedDocument.Kind.CERTIFICATE,
            issued_at=now,
            issued_by=actor,
        )
        for pk in missing.order_by().values_list("pk", flat=True)
    ]
    for document in new:
        # The database checks the rest (the registration, the unique token and the one
        # current certificate) for all of them at once.
        document.full_clean(
            exclude=["registration"], validate_unique=False, validate_constraints=False
        )
    IssuedDocument.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


CERTIFICATES_DATASET = "certificates"  # how the export log names a run of certificates


def certificates_print(*, registrations, out: BinaryIO, by, via: str) -> int:
    """Writes the certificates of attendance of those among `registrations` who get one to
    `out`, a page each, issuing those not issued yet; the others get none. Recorded like an
    export, one record per event. Returns how many were printed."""
    from . import documents

    _certificates_issue_missing(registrations=registrations, by=by)
    printed = documents.certificates_pdf(queries.certificates_to_print(registrations), out)
    per_event = registrations.with_certificate().order_by().values("event_id")
    for row in per_event.annotate(rows=Count("pk")):
        _record_export(
            event_id=row["event_id"],
            by=by,
            via=via,
            dataset=CERTIFICATES_DATASET,
            file_format="pdf",
            language=translation.get_language(),
            filters={},
            rows=row["rows"],
        )
    return printed


def export_is_large(*, rows: int) -> bool:
    """Above this many rows, an export or a badge run is made by a worker, not the request."""
    return rows > settings.EXPORT_BACKGROUND_ABOVE


def export_job_start(
    *,
    event: Event,
    registrations,
    kind: str,
    language: str,
    by,
    via: str,
    dataset: str = "",
    file_format: str = "",
    badge_layout: str = "",
    filters: Mapping[str, Any] | None = None,
) -> ExportJob:
    """Keeps which registrations to export and hands the work to a worker after the commit."""
    from . import tasks

    if kind == ExportJob.Kind.LIST:
        _export_allowed(dataset, by)
        # Refuses a bad choice now, in the requester's language, not later in the worker.
        export_prepare(
            event=event, registrations=registrations, dataset=dataset, file_format=file_format
        )
    else:
        from . import badges

        badge_layout = badge_layout or BadgeLayout.A4
        badges.layout_for(badge_layout)  # refused now, in the requester's language
        dataset, file_format = "badges", "pdf"
        registrations = badges_confirmed(registrations)
    selection = list(registrations.filter(event=event).order_by("pk").values_list("pk", flat=True))
    job = ExportJob(
        requested_by=by,
        via=via,
        event=event,
        kind=kind,
        dataset=dataset,
        format=file_format,
        language=language,
        badge_layout=badge_layout,
        filters=dict(filters or {}),
        selection=selection,
        total=len(selection),
    )
    job.full_clean()
    with transaction.atomic():
        job.save()
        transaction.on_commit(lambda: tasks.export_job_run.delay(str(job.pk)), robust=True)
    return job


def export_job_run(*, job_id: str) -> ExportJob:
    """Makes the file of a job (in a worker); a failure is kept on the job with its reason."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    job = ExportJob.objects.select_related("event", "requested_by").get(pk=job_id)
    if not claimed:
        return job  # already made, failed or being made: a repeated task does nothing
    registrations = Registration.objects.filter(pk__in=job.selection)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    name = _job_filename(job)
    try:
        with tempfile.TemporaryFile() as out, translation.override(job.language):
            if job.kind == ExportJob.Kind.LIST:
                rows = _write_list(
                    event=job.event,
                    registrations=registrations,
                    dataset=job.dataset,
                    file_format=job.format,
                    language=job.language,
                    out=out,
                    progress=progress,
                )
            else:
                rows = _write_badges(
                    registrations=registrations,
                    out=out,
                    layout=job.badge_layout,
                    progress=progress,
                )
            out.seek(0)
            # The file and the record of the export exist together or not at all.
            with transaction.atomic():
                job.file.save(name, File(out), save=False)
                if job.kind == ExportJob.Kind.LIST:
                    record = _record_export(
                        event_id=job.event_id,
                        by=job.requested_by,
                        via=job.via,
                        dataset=job.dataset,
                        file_format=job.format,
                        language=job.language,
                        filters=job.filters,
                        rows=rows,
                    )
                else:
                    [record] = _record_badges(
                        registrations=registrations,
                        layout=job.badge_layout,
                        by=job.requested_by,
                        via=job.via,
                    )
                now = timezone.now()
                job.status = ExportJob.Status.DONE
                job.done = rows
                job.filename = name
                job.record = record
                job.finished_at = now
                job.expires_at = now + datetime.timedelta(hours=settings.EXPORT_FILE_HOURS)
                job.selection = []  # done with: no need to keep who was in it
                job.save()
    except Exception as error:
        logger.exception("Export job %s failed", job.pk)
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:200],
            finished_at=timezone.now(),
            file="",
            selection=[],
        )
        job.refresh_from_db()
    return job


def _job_filename(job: ExportJob) -> str:
    if job.kind == ExportJob.Kind.BADGES:
        return f"{job.event.slug}-badges-{timezone.localdate():%Y%m%d}.pdf"
    return f"{job.event.slug}-{job.dataset}-{timezone.localdate():%Y%m%d}.{job.format}"


def export_jobs_expire(*, now: datetime.datetime | None = None) -> int:
    """Deletes the files of jobs past their time (a scheduled job); returns how many.

    A job still unfinished long after it was asked for lost its worker: it is marked failed,
    so that its requester is told instead of watching a bar that never moves.
    """
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.EXPORT_JOB_TIMEOUT)
    ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING], created_at__lte=stale
    ).update(
        status=ExportJob.Status.FAILED,
        error=_("Interrupted: ask for the export again."),
        finished_at=now,
        selection=[],
    )
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        expired += 1
    return expired


def visa_letter_approve(*, registration: Registration, by) -> Registration:
    """Staff approve the visa invitation letter a confirmed delegate asked for: the letter is
    issued (with its verification address) and sent. Refused without the passport details."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.needs_visa_letter:
            raise ValidationError(
                _("%(reference)s did not ask for a visa invitation letter.")
                % {"reference": registration.reference}
            )
        if not registration.is_confirmed:
            raise ValidationError(
                _("%(reference)s is not confirmed, so it gets no visa invitation letter.")
                % {"reference": registration.reference}
            )
        template = LetterTemplate.objects.filter(event_id=registration.event_id).first()
        if template is None:
            raise ValidationError(_("Write the event's visa letter first (Visa letter templates)."))
        visa_letter_check_passport(registration=registration, template=template)
        if registration.visa_letter_approved_at is None:
            before = history.snapshot(registration, ["visa_letter_approved_at"])
            registration.visa_letter_approved_at = timezone.now()
            registration.save(update_fields=["visa_letter_approved_at", "updated_at"])
            _record(registration, "visa_letter_approved", by, before)
        # Approving again (to send the letter once more) keeps the letter already issued.
        current = queries.document_current(
            registration=registration, kind=IssuedDocument.Kind.VISA_LETTER
        )
        if current is None:
            document = IssuedDocument(
                registration=registration,
                kind=IssuedDocument.Kind.VISA_LETTER,
                issued_at=registration.visa_letter_approved_at,
                issued_by=by if by is not None and by.is_authenticated else None,
            )
            document.full_clean()
            document.save()
        notifications.queue(registration=registration, kind=Notification.Kind.VISA_LETTER)
    return registration


def visa_letter_check_passport(*, registration: Registration, template: LetterTemplate) -> None:
    """A letter names the passport: every detail of it must be there, and the passport valid
    for the whole stay, or a consulate would refuse the visa. Says what is wrong, never the
    values (those who approve in bulk need not see them)."""
    missing = [
        str(Registration._meta.get_field(name).verbose_name)
        for name in Registration.PASSPORT_FIELDS
        if getattr(registration, name) in (None, "")
    ]
    if missing:
        raise ValidationError(
            _("%(reference)s: passport details missing (%(fields)s).")
            % {"reference": registration.reference, "fields": ", ".join(missing)},
            code="passport_missing",
        )
    if registration.passport_expiry < template.stay()[1]:
        raise ValidationError(
            _("%(reference)s: the passport expires before the end of the stay.")
            % {"reference": registration.reference},
            code="passport_expires",
        )


# --- invitation codes and heads of delegation ---------------------------------------------

# Wrong invitation codes one account, or one network address, may type in a window: plenty
# for typing mistakes, far too few to find a code by guessing.
INVITATION_TRIES = 10
INVITATION_TRIES_WINDOW = 15 * 60  # seconds


def _invitation_try_keys(*, by, ip: str) -> list[str]:
    keys = [f"registrations:invitation-tries:ip:{ip}"]
    if by is not None and by.is_authenticated:
        keys.append(f"registrations:invitation-tries:user:{by.pk}")
    return keys


def invitation_code_use(*, event: Event, code: str, by, ip: str) -> Delegation:
    """The delegation of `event` that `code` invites to, however it was typed.

    Wrong codes are counted in the cache (shared by every server, like allauth's limits), per
    account and per network address; after INVITATION_TRIES of them within the window every
    further try is refused, right or wrong, until the window has passed. Raises
    ValidationError keyed by the form's field. Whether the delegation has room is checked
    when registering, under its lock.
    """
    keys = _invitation_try_keys(by=by, ip=ip)
    if any((cache.get(key) or 0) >= INVITATION_TRIES for key in keys):
        raise ValidationError(
            {
                "invitation_code": ValidationError(
                    _("Too many wrong invitation codes. Please try again in 15 minutes."),
                    code="too_many_tries",
                )
            }
        )
    delegation = queries.delegation_for_invitation_code(event=event, code=code)
    if delegation is None:
        for key in keys:
            # Redis keeps the key's expiry on incr; caches that cannot (database, files)
            # restart it at their default timeout, which still bounds the rate.
            cache.add(key, 0, timeout=INVITATION_TRIES_WINDOW)
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.set(key, 1, timeout=INVITATION_TRIES_WINDOW)
        raise ValidationError(
            {
                "invitation_code": ValidationError(
                    _("This invitation code is not valid for this event."), code="invalid"
                )
            }
        )
    return delegation


def delegation_head_appoint(*, delegation: Delegation, head, by) -> Delegation:
    """Makes `head` the head of `delegation` and tells them, with the link to its page.

    The message is in the language they chose when they last registered, else the site's;
    it is rendered now (the address it links to is this site's: see `emn_conference.site`)
    and sent by a worker after the commit. Appointing the head already in place does nothing.
    """
    with transaction.atomic():
        delegation = (
            Delegation.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=delegation.pk)
        )
        if delegation.head_id == head.pk:
            return delegation
        before = history.snapshot(delegation, ["head"])
        delegation.head = head
        delegation.full_clean()
        delegation.save(update_fields=["head"])
        history.record(
            obj=delegation,
            action="head_appointed",
            by=by,
            changes=history.changes_between(before, history.snapshot(delegation, ["head"])),
        )
        outbox.email_queue(message=_head_appointed_message(delegation=delegation, head=head))
    return delegation


def _head_appointed_message(*, delegation: Delegation, head) -> EmailMultiAlternatives:
    language = queries.language_of(user=head) or settings.LANGUAGE_CODE
    event = delegation.event
    with translation.override(language):
        page = reverse("registrations:delegation", kwargs={"slug": event.slug, "pk": delegation.pk})
        context = {
            "delegation": delegation,
            "event": event,
            "head": head,
            "language": language,
            "places": queries.delegation_places(delegation=delegation),
            "dates": date_range(event.start_date, event.end_date),
            "delegation_url": absolute_url(page),
            "privacy_url": absolute_url(
                reverse("registrations:privacy_notice", kwargs={"slug": event.slug})
            ),
        }
        subject = _("You are the head of the delegation “%(delegation)s” at %(event)s") % {
            "delegation": delegation.name,
            "event": event.title,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("registrations/email/head_appointed.txt", context),
            to=[head.email],
        )
        message.attach_alternative(
            render_to_string("registrations/email/head_appointed.html", context), "text/html"
        )
    return message


# --- messages and reminders to delegates -----------------------------------------------------

# Recipients' copies are written this many at a time, so that a message to thousands is a
# few inserts, not thousands.
MESSAGE_BATCH = 500


def message_recipients(*, event: Event, registrations: QuerySet) -> QuerySet[Registration]:
    """Those of `registrations` a message to `event`'s delegates reaches: of that event, and
    with an account to write to (an anonymised registration has none)."""
    return registrations.filter(event=event, user__isnull=False).order_by("pk")


def message_send(
    *,
    key: uuid.UUID,
    event: Event,
    texts: Mapping[str, str],
    registrations: QuerySet,
    filters: Mapping[str, list[str]],
    audience: list[list[str]],
    by,
) -> tuple[Message, bool]:
    """Writes the message to the registrations given (of `event`, with an account) and queues
    a copy for each, in their language. Returns (message, False), sending nothing, when the
    message of this `key` was sent already: a form submitted twice, even at the same time.

    `texts` are the translated fields: subject_bg, subject_en, body_bg, body_en.
    """
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    message = Message(key=key, event=event, filters=dict(filters), audience=audience, sent_by=by)
    for name, value in texts.items():
        setattr(message, name, value)
    message.full_clean(validate_unique=False)
    if not message_recipients(event=event, registrations=registrations).exists():
        raise ValidationError(_("No registration in this list can be written to."))
    try:
        with transaction.atomic():
            message.save()
            recipients = message_recipients(event=event, registrations=registrations)
            count = 0
            for batch in _batches(recipients.values_list("pk", "language"), MESSAGE_BATCH):
                copies = Notification.objects.bulk_create(
                    Notification(
                        registration_id=pk,
                        kind=Notification.Kind.MESSAGE,
                        message=message,
                        language=language,
                    )
                    for pk, language in batch
                )
                count += len(copies)
            history.record(
                obj=message,
                action="message_sent",
                by=by,
                changes={"recipient_count": [None, count]},
            )
            _message_hand_out_after_commit(message)
    except IntegrityError:
        # The same form, sent again while the first was being written: that one stands.
        return Message.objects.get(key=key), False
    return message, True


def _message_hand_out_after_commit(message: Message) -> None:
    """One task for the whole message, handed to the broker once the request has committed:
    a worker hands out the copies (`message_hand_out`), so that a message to thousands does
    not keep the request publishing a task per copy. A broker that is down fails nothing:
    the copies stay queued and the outbox's sweep sends them."""
    from .tasks import message_hand_out  # the task module imports these services

    transaction.on_commit(lambda: message_hand_out.delay(message.pk), robust=True)


def message_hand_out(*, message_id: int) -> int:
    """Gives each queued copy of the message to the outbox's workers; returns how many."""
    from outbox.tasks import deliver

    label = Notification._meta.label_lower
    queued = Notification.objects.filter(
        message_id=message_id, status=Notification.Status.QUEUED
    ).values_list("pk", flat=True)
    count = 0
    for pk in queued.order_by("pk").iterator(chunk_size=MESSAGE_BATCH):
        deliver.delay(label, pk)
        count += 1
    return count


def _batches(items: QuerySet, size: int) -> Iterator[list]:
    batch = []
    for item in items.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def reminders_queue(*, now: datetime.datetime | None = None) -> int:
    """Queues the reminder of every confirmed delegate of the events whose reminders are due
    (`Event.reminders_due`) who has not had one. Run by Celery beat; the database's unique
    constraint keeps a run that overlaps another from sending a second one. Returns how many
    were queued."""
    now = now or timezone.now()
    # Every time zone's today is within a day of UTC's.
    today = now.date()
    candidates = Event.objects.filter(
        reminder_days__isnull=False,
        start_date__gt=today - datetime.timedelta(days=1),
        start_date__lte=today + datetime.timedelta(days=REMINDER_DAYS_MAX + 1),
    )
    queued = 0
    for event in candidates:
        if not event.reminders_due(now):
            continue
        for registration in queries.reminder_recipients(event=event).iterator(chunk_size=500):
            try:
                with transaction.atomic():
                    notifications.queue(registration=registration, kind=Notification.Kind.REMINDER)
            except IntegrityError:
                continue  # another run queued it meanwhile
            queued += 1
    if queued:
        logger.info("Queued %s reminders", queued)
    return queued


# --- delegations managed by their heads -------------------------------------------------------


def _lock_delegation(delegation: Delegation) -> tuple[Event, Delegation]:
    """Opens every change to a delegation's members: the event, then the delegation, locked
    (the order of `registration_create`)."""
    event = _lock_event(delegation.event)
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("organisation", "head")
        .get(pk=delegation.pk)
    )
    delegation.event = event
    return event, delegation


def _check_nominations_open(event: Event, delegation: Delegation, now) -> None:
    if not event.takes_registrations(now):
        raise ValidationError(
            _("Registration for this event is not open."), code="registration_closed"
        )
    if not delegation.takes_nominations(now):
        raise ValidationError(
            _(
                "The nomination deadline has passed: the delegation's members can no longer be "
                "changed here. Please write to the organisers."
            ),
            code="deadline_passed",
        )


def _check_member(delegation: Delegation, registration: Registration) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.delegation_id != delegation.pk or not registration.is_active:
        raise ValidationError(
            _("%(reference)s is not an active member of this delegation.")
            % {"reference": registration.reference},
            code="not_a_member",
        )
    return registration


# The history names an invitation by its id, never by the person's address: the invitation
# itself is deleted with the registration that answered it, or with the event's personal data.
def _nominate(
    delegation: Delegation,
    *,
    email: str,
    given_name: str,
    family_name: str,
    language: str,
    replaces: Registration | None,
) -> Nomination:
    """The checks and the invitation, under the caller's locks."""
    email = email.strip()
    if delegation.nominations.filter(
        status=Nomination.Status.INVITED, email__iexact=email
    ).exists():
        raise ValidationError({"email": _("This person has already been invited.")})
    if delegation.registrations.active().filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the delegation.")})
    places = queries.delegation_places(delegation=delegation)
    invited = queries.delegation_nominations_open(delegation=delegation).count()
    if places.limit is not None and places.used + invited >= places.limit:
        raise ValidationError(
            _(
                "All %(quota)s places of the delegation are taken or promised: withdraw a member "
                "or an invitation first."
            )
            % {"quota": places.limit},
            code="delegation_full",
        )
    nomination = Nomination(
        delegation=delegation,
        email=email,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        language=language,
        replaces=replaces,
    )
    nomination.full_clean()
    nomination.save()
    outbox.email_queue(message=_nomination_message(nomination=nomination))
    return nomination


def delegation_member_nominate(
    *,
    delegation: Delegation,
    email: str,
    given_name: str,
    family_name: str,
    language: str,
    by,
    now: datetime.datetime | None = None,
) -> Nomination:
    """The head invites a person by email to register as a member, in the language chosen
    for them; the message's link fills in the code and their name on the register form.

    Refused (ValidationError, nothing saved) after the nomination deadline or outside the
    registration window, when the address is already invited or a member, and when the
    delegation's places are all taken or promised to those invited.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event, delegation = _lock_delegation(delegation)
        _check_nominations_open(event, delegation, now)
        nomination = _nominate(
            delegation,
            email=email,
            given_name=given_name,
            family_name=family_name,
            language=language,
            replaces=None,
        )
        history.record(
            obj=delegation,
            action="member_nominated",
            by=by,
            changes={"nomination": [None, nomination.pk]},
        )
    return nomination


def delegation_member_withdraw(
    *, delegation: Delegation, registration: Registration, by
) -> Registration:
    """The head withdraws a member: their registration is cancelled and they are told.

    While the delegation keeps its places the place stays with it, for another nomination;
    otherwise it goes to the first on the event's waiting list. Allowed after the deadline
    too: someone who cannot come should never hold a seat.
    """
    with transaction.atomic():
        _event, delegation = _lock_delegation(delegation)
        registration = _check_member(delegation, registration)
        registration = registration_cancel(registration=registration, by=by)
        history.record(
            obj=delegation,
            action="member_withdrawn",
            by=by,
            changes={"member": [registration.reference, None]},
        )
    return registration


def delegation_member_replace(
    *,
    delegation: Delegation,
    registration: Registration,
    email: str,
    given_name: str,
    family_name: str,
    language: str,
    by,
    now: datetime.datetime | None = None,
) -> Nomination:
    """The head replaces a member by another person: the member's registration is cancelled
    (and they are told) and the new person is invited to the place, in one transaction. The
    place passes within the delegation (it keeps it: `Delegation.reserves_places`), not
    through the waiting list. Refused like a nomination; then nothing changes."""
    now = now or timezone.now()
    with transaction.atomic():
        event, delegation = _lock_delegation(delegation)
        _check_nominations_open(event, delegation, now)
        registration = _check_member(delegation, registration)
        registration = registration_cancel(registration=registration, by=by)
        nomination = _nominate(
            delegation,
            email=email,
            given_name=given_name,
            family_name=family_name,
            language=language,
            replaces=registration,
        )
        history.record(
            obj=delegation,
            action="member_replaced",
            by=by,
            changes={"member": [registration.reference, None], "nomination": [None, nomination.pk]},
        )
    return nomination


def delegation_nomination_withdraw(*, nomination: Nomination, by) -> Nomination:
    """The head takes back an invitation not yet answered; its link no longer fills the form."""
    with transaction.atomic():
        _event, delegation = _lock_delegation(nomination.delegation)
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if not nomination.is_open:
            raise ValidationError(
                _("This invitation has already been answered or withdrawn."), code="not_open"
            )
        nomination.status = Nomination.Status.WITHDRAWN
        nomination.save(update_fields=["status"])
        history.record(
            obj=delegation,
            action="nomination_withdrawn",
            by=by,
            changes={"nomination": [nomination.pk, None]},
        )
    return nomination


def _nomination_message(*, nomination: Nomination) -> EmailMultiAlternatives:
    delegation, language = nomination.delegation, nomination.language
    event = delegation.event
    with translation.override(language):
        register = reverse("registrations:register", kwargs={"slug": event.slug})
        query = urlencode(
            {"invitation": delegation.invitation_code, "nomination": nomination.token}
        )
        context = {
            "nomination": nomination,
            "delegation": delegation,
            "event": event,
            "language": language,
            "dates": date_range(event.start_date, event.end_date),
            "register_url": absolute_url(f"{register}?{query}"),
            "deadline": delegation.deadline,
            "privacy_url": absolute_url(
                reverse("registrations:privacy_notice", kwargs={"slug": event.slug})
            ),
        }
        subject = _("Invitation to register for %(event)s with the delegation “%(delegation)s”") % {
            "event": event.title,
            "delegation": delegation.name,
        }
        return _rendered(subject, "nomination_invitation", context, to=nomination.email)


def _rendered(subject: str, template: str, context: dict, *, to: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"registrations/email/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"registrations/email/{template}.html", context), "text/html"
    )
    return message


def _tell_head(delegation: Delegation, *, subject, lines: list) -> None:
    """A short message to the delegation's head, in their language, with the page's link.

    `subject` (with %(delegation)s) and `lines` are lazy translations: they are rendered in
    the head's language here, not in the language of whoever caused the message."""
    head = delegation.head
    if head is None or not head.email:
        return
    language = queries.language_of(user=head) or settings.LANGUAGE_CODE
    event = delegation.event
    with translation.override(language):
        page = reverse("registrations:delegation", kwargs={"slug": event.slug, "pk": delegation.pk})
        context = {
            "delegation": delegation,
            "event": event,
            "language": language,
            "lines": [str(line) for line in lines],
            "places": queries.delegation_places(delegation=delegation),
            "delegation_url": absolute_url(page),
        }
        subject = str(subject) % {"delegation": delegation.name, "event": event.title}
        outbox.email_queue(message=_rendered(subject, "delegation_news", context, to=head.email))


NOMINATION_LETTER_TYPES = ("application/pdf",)


def nomination_letter_validate(*, upload) -> None:
    """A nomination letter is a PDF (read from its content, not its name) of a bounded size."""
    if upload.size > settings.NOMINATION_LETTER_MAX_BYTES:
        raise ValidationError(
            {
                "letter": _("The file is too large: at most %(size)s MB.")
                % {"size": settings.NOMINATION_LETTER_MAX_BYTES // (1024 * 1024)}
            }
        )
    upload.seek(0)
    start = upload.read(1024)
    upload.seek(max(upload.size - 2048, 0))
    end = upload.read()
    upload.seek(0)
    if not start.startswith(b"%PDF-") or b"%%EOF" not in end:
        raise ValidationError({"letter": _("This file is not a PDF document.")})


def delegation_letter_upload(*, delegation: Delegation, upload, by) -> Delegation:
    """The head uploads the delegation's nomination letter (a PDF), kept in private storage
    for staff (in the admin) and the head; a new one replaces the old one."""
    nomination_letter_validate(upload=upload)
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update(of=("self",)).get(pk=delegation.pk)
        old = delegation.nomination_letter.name
        # The name tells nothing of who sent it; a fresh one each time (no cached copies).
        delegation.nomination_letter.save(
            f"{delegation.pk}-{secrets.token_hex(8)}.pdf", File(upload), save=False
        )
        delegation.save(update_fields=["nomination_letter"])
        history.record(
            obj=delegation,
            action="nomination_letter_uploaded",
            by=by,
            changes={"nomination_letter": [bool(old), True]},
        )
        if old:
            storage = delegation.nomination_letter.storage
            transaction.on_commit(lambda: storage.delete(old))
    return delegation


def delegation_quota_validate(*, delegation: Delegation, quota: int | None) -> None:
    """A quota cannot be below the members the delegation has already."""
    if delegation.pk is None or quota is None:
        return
    active = delegation.registrations.active().count()
    if quota < active:
        raise ValidationError(
            {
                "quota": _(
                    "The delegation already has %(count)s members: the quota cannot be lower."
                )
                % {"count": active}
            }
        )


def delegation_quota_change(*, delegation: Delegation, quota: int | None, by) -> Delegation:
    """Staff change a delegation's quota; the head is told. Places the delegation no longer
    keeps go to the event's waiting list at once."""
    with transaction.atomic():
        event, delegation = _lock_delegation(delegation)
        if delegation.quota == quota:
            return delegation
        delegation_quota_validate(delegation=delegation, quota=quota)
        before = history.snapshot(delegation, ["quota"])
        delegation.quota = quota
        delegation.full_clean()
        delegation.save(update_fields=["quota"])
        history.record(
            obj=delegation,
            action="quota_changed",
            by=by,
            changes=history.changes_between(before, history.snapshot(delegation, ["quota"])),
        )
        _tell_head(
            delegation,
            subject=gettext_lazy("The quota of the delegation “%(delegation)s” has changed"),
            lines=[
                gettext_lazy("The organisers have changed the number of places of your delegation.")
            ],
        )
        _promote_waitlist(event)
    return delegation


def delegation_places_release(*, delegation: Delegation, now: datetime.datetime) -> bool:
    """After its nomination deadline, the places the delegation kept unused return to the
    event's seats and go to the first on the waiting list; the head is told. Done by the
    scheduled job, recorded as the system's; once only (False when already done)."""
    with transaction.atomic():
        event, delegation = _lock_delegation(delegation)
        if delegation.places_released_at or not delegation.deadline or delegation.deadline > now:
            return False
        unused = 0
        if delegation.reserves_places:
            unused = max(
                delegation.quota - queries.delegation_holding_seats(delegation=delegation), 0
            )
        delegation.places_released_at = now
        delegation.save(update_fields=["places_released_at"])
        history.record(
            obj=delegation,
            action="places_released",
            by=None,
            changes={"unused_places": [unused, 0]},
        )
        if delegation.quota is not None:
            _tell_head(
                delegation,
                subject=gettext_lazy(
                    "The nomination deadline of the delegation “%(delegation)s” has passed"
                ),
                lines=[
                    gettext_lazy(
                        "The nomination deadline has passed. The places your delegation did not "
                        "use have returned to the event, for those on its waiting list."
                    ),
                    gettext_lazy("Please write to the organisers to change your delegation now."),
                ],
            )
    if unused:
        waitlists_fill(event=event, by=None)
    return True


def _delegation_deadline_remind(*, delegation: Delegation, now: datetime.datetime) -> bool:
    with transaction.atomic():
        delegation = (
            Delegation.objects.select_for_update(of=("self",))
            .select_related("event", "head")
            .filter(pk=delegation.pk, deadline_reminded_at__isnull=True)
            .first()
        )
        if delegation is None:
            return False
        delegation.deadline_reminded_at = now
        delegation.save(update_fields=["deadline_reminded_at"])
        history.record(obj=delegation, action="deadline_reminder_sent", by=None)
        _tell_head(
            delegation,
            subject=gettext_lazy(
                "The nomination deadline of the delegation “%(delegation)s” is near"
            ),
            lines=[
                gettext_lazy(
                    "Please nominate the members of your delegation before the deadline: then "
                    "the places it has not used return to the event."
                )
            ],
        )
    return True


def nomination_deadlines_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The scheduled job: reminds heads NOMINATION_REMINDER_DAYS before their delegation's
    deadline and releases the unused places of those past it. Each delegation in its own
    transaction; running it again does nothing more."""
    now = now or timezone.now()
    reminded = sum(
        _delegation_deadline_remind(delegation=delegation, now=now)
        for delegation in queries.delegations_due_for_reminder(
            now=now, days=settings.NOMINATION_REMINDER_DAYS
        )
    )
    released = sum(
        delegation_places_release(delegation=delegation, now=now)
        for delegation in queries.delegations_past_deadline(now=now)
    )
    return {"reminded": reminded, "released": released}


# --- check-in at the door ------------------------------------------------------------------


class CheckInOutcome(StrEnum):
    """What a scan at the door found; the page shows each in its own colour and words."""

    CHECKED_IN = "checked_in"
    ALREADY = "already"
    NOT_CONFIRMED = "not_confirmed"
    NOT_SIGNED_UP = "not_signed_up"
    OTHER_EVENT = "other_event"
    UNKNOWN = "unknown"
    FORGED = "forged"


@dataclass
class CheckInAnswer:
    """The answer to one scan: the outcome, whom it concerns (None when the code names nobody
    the staff may be shown), the scan recorded, and for a repeat, the check-in it repeats."""

    outcome: CheckInOutcome
    registration: Registration | None = None
    session: Session | None = None
    checkin: CheckIn | None = None
    first: CheckIn | None = None
    other_event: Event | None = None

    @property
    def admitted(self) -> bool:
        return self.outcome in (CheckInOutcome.CHECKED_IN, CheckInOutcome.ALREADY)

    @property
    def tone(self) -> str:
        """How the page shows it: go (green), look again (amber) or stop (red)."""
        if self.outcome == CheckInOutcome.CHECKED_IN:
            return "go"
        return "again" if self.outcome == CheckInOutcome.ALREADY else "stop"

    @property
    def shows_person(self) -> bool:
        """Whether staff see whom the code names: not for a code that names nobody for sure,
        nor for another event's people."""
        return self.registration is not None

    def message(self) -> str:
        """The result in words, in the active language."""
        if self.outcome == CheckInOutcome.CHECKED_IN:
            if self.session is not None:
                return _("Checked in to the session")
            return _("Checked in")
        if self.outcome == CheckInOutcome.ALREADY:
            first = self.first
            tz = zoneinfo.ZoneInfo(self.registration.event.time_zone)
            return _("Already checked in at %(time)s by %(by)s (%(device)s)") % {
                "time": timezone.localtime(first.scanned_at, tz).strftime("%H:%M"),
                "by": first.by.get_username() if first.by else _("someone no longer known"),
                "device": first.device or _("unnamed device"),
            }
        if self.outcome == CheckInOutcome.NOT_CONFIRMED:
            return _("Not confirmed: %(status)s") % {
                "status": self.registration.get_status_display()
            }
        if self.outcome == CheckInOutcome.NOT_SIGNED_UP:
            return _("Has no confirmed seat at this session")
        if self.outcome == CheckInOutcome.OTHER_EVENT:
            return _("Not for this event: the badge is for %(event)s") % {
                "event": self.other_event.title
            }
        if self.outcome == CheckInOutcome.UNKNOWN:
            return _("No registration has this reference")
        return _("Forged or damaged code: do not admit")


CHECKIN_CODE_MAX_LENGTH = 120
CHECKIN_DEVICE_MAX_LENGTH = CheckIn._meta.get_field("device").max_length
# An offline scan may be sent hours later, but never dated ahead of the server's clock.
CHECKIN_CLOCK_SKEW = datetime.timedelta(minutes=5)


def _checkin_find(event: Event, code: str) -> CheckInAnswer | Registration:
    """The registration a scanned code or typed reference stands for, or why there is none."""
    code = code.strip()
    registrations = Registration.objects.select_related("event", "delegation")
    if tokens.looks_like_token(code):
        registration = registrations.filter(reference=tokens.token_reference(code)).first()
        # A code that does not verify names nobody: it may have been made to name anyone.
        if registration is None or not tokens.token_is_valid(code, event_id=registration.event_id):
            return CheckInAnswer(CheckInOutcome.FORGED)
    else:
        registration = registrations.filter(reference=code.upper()).first()
        if registration is None:
            return CheckInAnswer(CheckInOutcome.UNKNOWN)
    if registration.event_id != event.pk:
        return CheckInAnswer(CheckInOutcome.OTHER_EVENT, other_event=registration.event)
    return registration


def checkin_record(
    *,
    event: Event,
    code: str,
    by,
    session: Session | None = None,
    device: str = "",
    via: str = CheckIn.Via.SCAN,
    scanned_at: datetime.datetime | None = None,
    scan_id: uuid.UUID | None = None,
) -> CheckInAnswer:
    """Checks in whom `code` (a badge's signed code, or a typed reference) stands for, at the
    door of `event` or at `session` (one with sign-up), as a recorded decision of `by`.

    A person counts once a day at the door and once per session; a later scan is recorded as
    a repeat and answered ALREADY with the first check-in, so that double scans made on two
    devices offline are reported when the second arrives, not lost. A scan sent again with the
    same `scan_id` (its answer was lost on the way) gets its first answer again.
    """
    # Nothing a badge or a keyboard makes (NUL, control characters, lone surrogates from a
    # forged request) reaches the database.
    code = code.strip()
    if not code or len(code) > CHECKIN_CODE_MAX_LENGTH or not code.isprintable():
        return CheckInAnswer(CheckInOutcome.UNKNOWN)
    if session is not None and (session.event_id != event.pk or session.capacity is None):
        raise ValidationError(_("Choose a session of this event that has sign-up."))
    found = _checkin_find(event, code)
    if isinstance(found, CheckInAnswer):
        return found
    registration = found
    answer = CheckInAnswer(CheckInOutcome.CHECKED_IN, registration=registration, session=session)
    if not registration.is_confirmed:
        answer.outcome = CheckInOutcome.NOT_CONFIRMED
        return answer
    if session is not None and not registration.signups.seated().filter(session=session).exists():
        answer.outcome = CheckInOutcome.NOT_SIGNED_UP
        return answer
    now = timezone.now()
    scanned_at = min(scanned_at or now, now + CHECKIN_CLOCK_SKEW)
    day = timezone.localtime(scanned_at, zoneinfo.ZoneInfo(event.time_zone)).date()
    with transaction.atomic():
        # Two devices scanning the same badge at once queue here; the second is the repeat.
        Registration.objects.select_for_update().filter(pk=registration.pk).first()
        if scan_id is not None:
            sent_before = CheckIn.objects.filter(scan_id=scan_id).first()
            if sent_before is not None:
                return _checkin_answer_again(answer, sent_before)
        earlier = CheckIn.objects.firsts().filter(registration=registration, session=session)
        if session is None:
            earlier = earlier.filter(day=day)
        first = earlier.select_related("by").first()
        checkin = CheckIn(
            registration=registration,
            session=session,
            day=day,
            scanned_at=scanned_at,
            by=by if by is not None and by.is_authenticated else None,
            device="".join(c for c in device if c.isprintable()).strip()[
                :CHECKIN_DEVICE_MAX_LENGTH
            ],
            via=via,
            repeat=first is not None,
        )
        if scan_id is not None:
            checkin.scan_id = scan_id
        checkin.full_clean()
        checkin.save()
        history.record(
            obj=registration,
            action="checked_in_again" if first else "checked_in",
            by=by,
            changes={"session": [None, session.pk]} if session else {},
        )
    answer.checkin, answer.first = checkin, first
    if first is not None:
        answer.outcome = CheckInOutcome.ALREADY
    return answer


def _checkin_answer_again(answer: CheckInAnswer, checkin: CheckIn) -> CheckInAnswer:
    answer.checkin = checkin
    if checkin.repeat:
        earlier = CheckIn.objects.firsts().filter(
            registration=checkin.registration_id, session=checkin.session_id
        )
        if checkin.session_id is None:
            earlier = earlier.filter(day=checkin.day)
        answer.first = earlier.select_related("by").first()
        answer.outcome = CheckInOutcome.ALREADY
    return answer
