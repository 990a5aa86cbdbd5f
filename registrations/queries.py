"""Reads for the delegate pages and the admin figures, and the counts the rules use."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, RegistrationState, Session

from . import tokens
from .models import (
    CheckIn,
    Delegation,
    ExportJob,
    PrivacyNotice,
    Registration,
    SessionSignup,
    invitation_code_forms,
)


def registration_list_for_user(*, user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("event__venue", "delegation")
        .order_by("-event__start_date", "-created_at")
    )


def registration_get_for_user(*, user, reference: str) -> Registration:
    """The user's own registration; anyone else's, or a forged reference, is 404."""
    registrations = Registration.objects.select_related(
        "event__venue", "delegation", "privacy_notice"
    ).prefetch_related("signups__session__room")
    return get_object_or_404(registrations, user=user, reference=reference)


def registration_for_event_and_user(*, event: Event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def signup_sessions_for_event(*, event: Event) -> QuerySet[Session]:
    return (
        event.sessions.filter(capacity__isnull=False)
        .select_related("room")
        .annotate(
            seats_taken=Count("signups", filter=Q(signups__status=SessionSignup.Status.CONFIRMED))
        )
        .order_by("start", "pk")
    )


def event_figures(*, event: Event) -> dict[str, int]:
    counts = Registration.objects.filter(event=event).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Registration.Status.values}
    )
    counts["seats_taken"] = sum(counts[s] for s in Registration.SEAT_HOLDING_STATUSES)
    return counts


def signup_session_figures(*, event: Event) -> QuerySet[Session]:
    """The event's sign-up sessions with their confirmed and waiting sign-ups counted."""
    return (
        event.sessions.filter(capacity__isnull=False)
        .annotate(
            n_confirmed=Count("signups", filter=Q(signups__status=SessionSignup.Status.CONFIRMED)),
            n_waitlisted=Count(
                "signups", filter=Q(signups__status=SessionSignup.Status.WAITLISTED)
            ),
        )
        .order_by("start", "pk")
    )


@dataclass(frozen=True)
class Seats:
    """How much of a limit (an event's or a session's seats, a delegation's quota) is used.

    The one answer to "how many are left", for the services under their locks and for every
    page and list alike (like pretix's QuotaAvailability). `limit` None: no limit.
    """

    limit: int | None
    used: int

    @property
    def free(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def is_full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def event_seats(*, event: Event) -> Seats:
    """An event's seats: held by confirmed and pending registrations."""
    return Seats(event.capacity, Registration.objects.filter(event=event).holding_seats().count())


def session_seats(*, session: Session) -> Seats:
    """A sign-up session's seats: held by confirmed sign-ups (annotated as `seats_taken` by
    `signup_sessions_for_event`, counted otherwise)."""
    used = getattr(session, "seats_taken", None)
    if used is None:
        used = SessionSignup.objects.filter(session=session).seated().count()
    return Seats(session.capacity, used)


def delegation_places(*, delegation: Delegation) -> Seats:
    """A delegation's quota: its active members (confirmed, pending or waiting) use it."""
    used = getattr(delegation, "active_members", None)
    if used is None:
        used = delegation.registrations.active().count()
    return Seats(delegation.quota, used)


def delegations_with_members(delegations: QuerySet[Delegation]) -> QuerySet[Delegation]:
    """Delegations with `active_members` counted in the same query, for lists."""
    return delegations.annotate(
        active_members=Count(
            "registrations", filter=Q(registrations__status__in=Registration.ACTIVE_STATUSES)
        )
    )


class RegistrationAvailability:
    """What the event's pages say about registering: open (with seats or a waiting list),
    not open yet, or closed; `is_open` is the same answer the services give."""

    def __init__(self, *, event: Event, now=None):
        self.state = event.registration_state(now)
        self.is_open = event.takes_registrations(now)
        self.opens_later = self.state == RegistrationState.NOT_YET_OPEN
        self.is_full = self.is_open and event_seats(event=event).is_full
        # Staff previewing a draft see why there is no Register button.
        self.label = (
            _("Registration opens once the event is published.")
            if self.state == RegistrationState.OPEN and not self.is_open
            else self.state.label
        )


def delegation_get_for_head(*, event: Event, pk: int, user) -> Delegation:
    """The delegation page is its head's only; anyone else gets 404."""
    return get_object_or_404(
        Delegation.objects.select_related("organisation"), event=event, pk=pk, head=user
    )


def delegation_members(*, delegation: Delegation) -> QuerySet[Registration]:
    return delegation.registrations.select_related("user").order_by("family_name", "given_name")


def delegations_headed_by(*, user) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(head=user).select_related("event").order_by("-event__start_date")
    )


def registration_for_calendar_token(*, token: str) -> Registration:
    """The active registration whose secret calendar address this is; otherwise 404."""
    return get_object_or_404(
        Registration.objects.select_related("event__venue"),
        calendar_token=token,
        status__in=Registration.ACTIVE_STATUSES,
    )


def export_job_for_user(*, pk, user) -> ExportJob:
    """A background export, for the one who asked for it or staff who may export; else 404."""
    job = get_object_or_404(ExportJob.objects.select_related("event"), pk=pk)
    if job.requested_by_id != user.pk and not user.has_perm("registrations.export_registration"):
        raise Http404
    return job


def export_jobs_for_user(*, user) -> QuerySet[ExportJob]:
    jobs = ExportJob.objects.select_related("event", "requested_by")
    if user.has_perm("registrations.export_registration"):
        return jobs
    return jobs.filter(requested_by=user)


def delegation_for_invitation_code(*, event: Event, code: str) -> Delegation | None:
    """The event's delegation with this invitation code, however it was typed (any case,
    with or without the dashes or spaces); None when there is none."""
    forms = invitation_code_forms(code)
    if not forms:
        return None
    return Delegation.objects.filter(event=event, invitation_code__in=forms).first()


def language_of(*, user) -> str | None:
    """The language `user` chose for their messages when they last registered, if ever."""
    return (
        Registration.objects.filter(user=user)
        .order_by("-created_at", "-pk")
        .values_list("language", flat=True)
        .first()
    )


# --- privacy notices ------------------------------------------------------------------------


def _notices_in_force_for(event, now: datetime.datetime) -> QuerySet[PrivacyNotice]:
    """The notices that may apply to `event` (an event or an OuterRef to one), the one that
    does first: its own before the site's, then the latest."""
    return PrivacyNotice.objects.filter(
        Q(event=event) | Q(event__isnull=True), effective_from__lte=now
    ).order_by(F("event").asc(nulls_last=True), "-effective_from", "-pk")


def privacy_notice_for(
    *, event: Event, now: datetime.datetime | None = None
) -> PrivacyNotice | None:
    """The privacy notice an event's delegates accept: the latest of the event's own notices
    in force, else the latest of the site's; None before any is published."""
    return _notices_in_force_for(event, now or timezone.now()).first()


def privacy_notice_versions(*, event: Event) -> QuerySet[PrivacyNotice]:
    """Every version in force so far that applies to the event (its own, or the site's while
    it has none of its own), newest first, for the notice's public page."""
    notices = PrivacyNotice.objects.filter(effective_from__lte=timezone.now())
    if notices.filter(event=event).exists():
        return notices.filter(event=event)
    return notices.filter(event__isnull=True)


def registrations_awaiting_notice(
    *, user, now: datetime.datetime | None = None
) -> QuerySet[Registration]:
    """The user's active registrations, for events not yet over, whose event has another
    privacy notice in force than the one they accepted (a newer version, or the event's own).
    One query, however many registrations; it runs when a delegate opens their pages."""
    now = now or timezone.now()
    current = _notices_in_force_for(OuterRef("event"), now).values("pk")[:1]
    return (
        Registration.objects.filter(
            user=user, status__in=Registration.ACTIVE_STATUSES, event__end_date__gte=now.date()
        )
        .annotate(current_notice_id=Subquery(current))
        .filter(current_notice_id__isnull=False)
        .exclude(privacy_notice_id=F("current_notice_id"))
    )


# --- check-in at the door ------------------------------------------------------------------


def checkin_day(*, event: Event, now: datetime.datetime | None = None) -> datetime.date:
    """Today where the event takes place."""
    return timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(event.time_zone)).date()


def checkin_sessions(*, event: Event, day: datetime.date | None = None) -> QuerySet[Session]:
    """The event's sessions with sign-up (those checked in separately), of `day` if given."""
    sessions = Session.objects.filter(event=event, capacity__isnull=False).order_by("start", "pk")
    if day is not None:
        tz = zoneinfo.ZoneInfo(event.time_zone)
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        sessions = sessions.filter(start__gte=start, start__lt=start + datetime.timedelta(days=1))
    return sessions


@dataclass(frozen=True)
class CheckInCounts:
    day: datetime.date
    expected: int
    checked_in: int
    # (session, seats taken, checked in) for each session with sign-up of the day.
    sessions: list[tuple[Session, int, int]]


def checkin_counts(*, event: Event, day: datetime.date) -> CheckInCounts:
    """The day's figures at the door and per session: three queries, whatever the numbers."""
    expected = Registration.objects.filter(event=event).confirmed().count()
    checked_in = (
        CheckIn.objects.firsts()
        .filter(registration__event=event, session__isnull=True, day=day)
        .count()
    )
    sessions = checkin_sessions(event=event, day=day).annotate(
        seated=Subquery(
            SessionSignup.objects.seated()
            .filter(session=OuterRef("pk"))
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        checked_in=Subquery(
            CheckIn.objects.firsts()
            .filter(session=OuterRef("pk"))
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
    )
    return CheckInCounts(
        day=day,
        expected=expected,
        checked_in=checked_in,
        sessions=[(s, s.seated or 0, s.checked_in or 0) for s in sessions],
    )


def checkin_admissible(*, event: Event, day: datetime.date) -> list[dict]:
    """What a check-in device keeps to work offline: each confirmed registration's signed code
    with what staff at the door are shown, and whether it is checked in today. One query."""
    registrations = (
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .select_related("delegation")
        .annotate(
            checked_in_today=Exists(
                CheckIn.objects.firsts().filter(
                    registration=OuterRef("pk"), session__isnull=True, day=day
                )
            ),
        )
        .order_by("pk")
    )
    return [
        {
            "code": tokens.badge_token(registration),
            "reference": registration.reference,
            "name": registration.full_name,
            "name_latin": registration.full_name_latin,
            "organisation": registration.organisation,
            "delegation": registration.delegation.name if registration.delegation else "",
            "role": registration.get_role_display(),
            "checked_in": registration.checked_in_today,
        }
        for registration in registrations
    ]


def checkin_registration(*, event: Event, reference: str) -> Registration:
    """A confirmed registration of the event, for its badge to be printed again; else 404."""
    return get_object_or_404(
        Registration.objects.select_related("event", "delegation"),
        event=event,
        reference=reference,
        status=Registration.Status.CONFIRMED,
    )
