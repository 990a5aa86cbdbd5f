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

import secrets
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, RegistrationState, Session

from . import notifications
from .models import (
    Delegation,
    ExportRecord,
    LetterTemplate,
    Notification,
    PrivacyNotice,
    Registration,
    SessionSignup,
    new_calendar_token,
    new_invitation_code,
)

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
    "photo_consent",
    "listing_consent",
)


class AlreadyRegistered(Exception):
    """The user already has a registration for this event; show it instead of an error."""

    def __init__(self, registration: Registration):
        super().__init__(registration.reference)
        self.registration = registration


# --- reading the state (inside the transaction, after locking) -------------------------


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _seats_taken(event: Event, exclude: Registration | None = None) -> int:
    taken = Registration.objects.filter(event=event, status__in=Registration.SEAT_HOLDING_STATUSES)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return taken.count()


def _has_free_seat(event: Event, exclude: Registration | None = None) -> bool:
    return event.capacity is None or _seats_taken(event, exclude) < event.capacity


def _seat_status(event: Event) -> str:
    return Registration.Status.PENDING if event.requires_approval else Registration.Status.CONFIRMED


def privacy_notice_current() -> PrivacyNotice | None:
    return (
        PrivacyNotice.objects.filter(effective_from__lte=timezone.now())
        .order_by("-effective_from")
        .first()
    )


def _check_window(event: Event, now) -> None:
    state = event.registration_state(now)
    if not event.is_published or state != RegistrationState.OPEN:
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
    if errors:
        raise ValidationError(errors)


def _new_reference(event: Event) -> str:
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))
        reference = f"{event.reference_prefix}-{code}"
        if not Registration.objects.filter(reference=reference).exists():
            return reference


def _delegation_for_code(event: Event, code: str) -> Delegation:
    delegation = (
        Delegation.objects.select_for_update().filter(event=event, invitation_code=code).first()
    )
    if delegation is None:
        raise ValidationError(
            {"invitation_code": _("This invitation code is not valid for this event.")}
        )
    if delegation.quota is not None:
        members = delegation.registrations.filter(status__in=Registration.ACTIVE_STATUSES)
        if members.count() >= delegation.quota:
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


def _signup(registration: Registration, session: Session, now) -> SessionSignup:
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
    return signup


def _fill_session(session: Session, *, quiet: SessionSignup | None = None) -> None:
    """Give the session's free seats to the first sign-ups waiting for them, and tell them.

    Only registrations that hold a seat at the event itself may hold one in a session: those
    on the event's waiting list keep their place in the session's queue until they move up.
    """
    if session.capacity is None:
        return
    taken = SessionSignup.objects.filter(session=session, status=SessionSignup.Status.CONFIRMED)
    free = session.capacity - taken.count()
    if free <= 0:
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
            notifications.queue(
                registration=signup.registration,
                kind=Notification.Kind.SESSION_SEAT,
                session=session,
            )


def _release_signups(registration: Registration, sessions: Iterable[Session]) -> None:
    for session in sessions:
        deleted, _rows = SessionSignup.objects.filter(
            registration=registration, session=session
        ).delete()
        if deleted:
            _fill_session(session)


def _fill_sessions_of(registration: Registration) -> None:
    for session in _sessions_of(registration):
        _fill_session(session)


def _promote_waitlist(event: Event, *, skip: Registration | None = None) -> list[Registration]:
    """Give the event's free seats to the first registrations on the waiting list."""
    promoted = []
    queue = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
    if skip is not None:
        queue = queue.exclude(pk=skip.pk)
    for registration in queue.order_by("queued_at", "created_at", "pk"):
        if not _has_free_seat(event):
            break
        _set_status(registration, _seat_status(event))
        _fill_sessions_of(registration)
        notifications.queue(registration=registration, kind=Notification.Kind.PROMOTED)
        promoted.append(registration)
    return promoted


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
    now=None,
) -> Registration:
    """Registers `user` for `event`: confirmed, pending approval, or on the waiting list.

    Raises AlreadyRegistered if the user has a registration already, ValidationError (keyed
    by form field) for anything else that stops it; nothing is saved then.
    """
    now = now or timezone.now()
    registration_details_validate(details=details)
    if not privacy_accepted:
        raise ValidationError(
            {"privacy_accepted": _("Please accept the privacy notice to register.")}
        )
    with transaction.atomic():
        event = _lock_event(event)
        _check_window(event, now)
        existing = Registration.objects.filter(event=event, user=user).first()
        if existing is not None and existing.is_active:
            raise AlreadyRegistered(existing)
        # Seats freed by a change of capacity go to those already waiting, not to newcomers.
        _promote_waitlist(event)
        notice = privacy_notice_current()
        if notice is None:
            raise ValidationError(
                _("Registration is not possible before a privacy notice is published.")
            )
        delegation = _delegation_for_code(event, invitation_code) if invitation_code else None
        locked_sessions = _lock_signup_sessions(event, sessions)
        # Someone who cancelled (or was declined) may register again, under the same reference.
        registration = existing or Registration(
            event=event, user=user, reference=_new_reference(event)
        )
        for name, value in details.items():
            setattr(registration, name, value)
        registration.delegation = delegation
        registration.privacy_notice = notice
        registration.privacy_accepted_at = now
        registration.queued_at = None
        if _has_free_seat(event):
            registration.status = _seat_status(event)
        else:
            registration.status, registration.queued_at = Registration.Status.WAITLISTED, now
        registration.full_clean()
        registration.save()
        for session in locked_sessions:
            _signup(registration, session, now)
        notifications.queue(registration=registration, kind=STATUS_MESSAGE[registration.status])
    return registration


def registration_update(
    *,
    registration: Registration,
    details: Mapping[str, Any],
    sessions: Iterable[Session],
    now=None,
) -> Registration:
    """The delegate changes their details or sessions; allowed until registration closes."""
    now = now or timezone.now()
    registration_details_validate(details=details)
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise ValidationError(_("A cancelled or declined registration cannot be changed."))
        _check_window(event, now)
        wanted = _lock_signup_sessions(event, sessions)
        # Sessions that no longer take sign-ups were not offered on the form: keep those.
        current = [s for s in _sessions_of(registration) if s.capacity is not None]
        for name, value in details.items():
            setattr(registration, name, value)
        registration.full_clean()
        registration.save()
        _release_signups(registration, [s for s in current if s not in wanted])
        for session in wanted:
            if session not in current:
                _signup(registration, session, now)
    return registration


def registration_cancel(*, registration: Registration) -> Registration:
    """The delegate withdraws; their seat goes to the first on the waiting list."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise ValidationError(_("This registration is already cancelled or declined."))
        _release_signups(registration, _sessions_of(registration))
        _set_status(registration, Registration.Status.CANCELLED)
        notifications.queue(registration=registration, kind=Notification.Kind.CANCELLED)
        # Once the event is over, a freed seat is of no use to anyone waiting.
        if event.end_date >= timezone.localdate(timezone=zoneinfo.ZoneInfo(event.time_zone)):
            _promote_waitlist(event)
    return registration


def registration_approve(*, registration: Registration) -> Registration:
    """Staff confirm a pending registration, or a waiting one if a seat is free."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
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
        _set_status(registration, Registration.Status.CONFIRMED)
        _fill_sessions_of(registration)
        notifications.queue(registration=registration, kind=Notification.Kind.APPROVED)
    return registration


def registration_decline(*, registration: Registration) -> Registration:
    """Staff turn a registration down; a seat it held goes to the waiting list."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise ValidationError(
                _("%(reference)s cannot be declined: it is %(status)s.")
                % {"reference": registration.reference, "status": registration.get_status_display()}
            )
        _release_signups(registration, _sessions_of(registration))
        _set_status(registration, Registration.Status.DECLINED)
        notifications.queue(registration=registration, kind=Notification.Kind.DECLINED)
        _promote_waitlist(event)
    return registration


def registration_move_to_waitlist(*, registration: Registration) -> Registration:
    """Staff move a registration to the end of the waiting list, freeing its seat for others."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status not in Registration.SEAT_HOLDING_STATUSES:
            raise ValidationError(
                _("%(reference)s cannot be moved to the waiting list: it is %(status)s.")
                % {"reference": registration.reference, "status": registration.get_status_display()}
            )
        _set_status(registration, Registration.Status.WAITLISTED)
        # Its session seats go to the next in each session's queue; it keeps its place there.
        registration.signups.filter(status=SessionSignup.Status.CONFIRMED).update(
            status=SessionSignup.Status.WAITLISTED, queued_at=timezone.now()
        )
        _fill_sessions_of(registration)
        notifications.queue(registration=registration, kind=Notification.Kind.WAITLISTED)
        _promote_waitlist(event, skip=registration)
    return registration


def waitlists_fill(*, event: Event) -> list[Registration]:
    """After staff raise a capacity: free seats go to those waiting, event and sessions."""
    with transaction.atomic():
        event = _lock_event(event)
        promoted = _promote_waitlist(event)
        for session in _lock_signup_sessions(event, event.sessions.filter(capacity__isnull=False)):
            _fill_session(session)
    return promoted


def calendar_address_renew(*, registration: Registration) -> Registration:
    """A new secret calendar address, e.g. after the old one was shared; the old one stops."""
    registration.calendar_token = new_calendar_token()
    registration.save(update_fields=["calendar_token", "updated_at"])
    return registration


def delegation_invitation_renew(*, delegation: Delegation) -> Delegation:
    """A new invitation code, e.g. after the link leaked; the old one stops working."""
    delegation.invitation_code = new_invitation_code()
    delegation.save(update_fields=["invitation_code"])
    return delegation


def registration_resend(*, registration: Registration) -> Notification:
    """Sends again the message that matches the registration's status now."""
    with transaction.atomic():
        return notifications.queue(
            registration=registration, kind=STATUS_MESSAGE[registration.status]
        )


# --- organiser outputs ----------------------------------------------------------------------


def export_prepare(
    *,
    event: Event,
    registrations,
    dataset: str,
    file_format: str,
    language: str,
    user=None,
    via: str,
    filters: Mapping[str, Any] | None = None,
):
    """Chooses the list and the writer for an export, and records who exported what.

    Returns (dataset, writer); the caller writes or streams the file with
    `exports.writers` inside `translation.override(language)`.
    """
    from .exports import DATASETS
    from .exports.writers import WRITERS

    if dataset not in DATASETS:
        raise ValidationError({"dataset": _("Choose one of the lists offered.")})
    if file_format not in WRITERS:
        raise ValidationError({"file_format": _("Choose CSV or XLSX.")})
    chosen = DATASETS[dataset](event=event, registrations=registrations)
    ExportRecord.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        via=via,
        event=event,
        dataset=dataset,
        format=file_format,
        language=language,
        filters=dict(filters or {}),
        rows=chosen.count(),
    )
    return chosen, WRITERS[file_format]


def badges_print(*, registrations, out, per_page: int, user=None, via: str) -> int:
    """Writes the badges of the confirmed ones among `registrations` to `out`; the others get
    none (a badge opens the door). Recorded like an export, one record per event."""
    from django.db.models import Count
    from django.utils.translation import get_language

    from . import documents

    confirmed = registrations.filter(status=Registration.Status.CONFIRMED)
    per_event = confirmed.order_by().values("event_id").annotate(rows=Count("pk"))
    for row in per_event:
        ExportRecord.objects.create(
            user=user if user is not None and user.is_authenticated else None,
            via=via,
            event_id=row["event_id"],
            dataset="badges",
            format="pdf",
            language=get_language(),
            filters={"per_page": per_page},
            rows=row["rows"],
        )
    ordered = confirmed.select_related("event", "delegation").order_by(
        "family_name", "given_name", "pk"
    )
    return documents.badges_pdf(ordered.iterator(chunk_size=200), out, per_page=per_page)


def visa_letter_approve(*, registration: Registration) -> Registration:
    """Staff approve the visa invitation letter a confirmed delegate asked for; it is sent."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.needs_visa_letter:
            raise ValidationError(
                _("%(reference)s did not ask for a visa invitation letter.")
                % {"reference": registration.reference}
            )
        if registration.status != Registration.Status.CONFIRMED:
            raise ValidationError(
                _("%(reference)s is not confirmed, so it gets no visa invitation letter.")
                % {"reference": registration.reference}
            )
        if not LetterTemplate.objects.filter(event_id=registration.event_id).exists():
            raise ValidationError(_("Write the event's visa letter first (Visa letter templates)."))
        if registration.visa_letter_approved_at is None:
            registration.visa_letter_approved_at = timezone.now()
            registration.save(update_fields=["visa_letter_approved_at", "updated_at"])
        notifications.queue(registration=registration, kind=Notification.Kind.VISA_LETTER)
    return registration
