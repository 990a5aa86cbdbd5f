"""Reads for the delegate pages and the admin figures."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from events.models import Event, RegistrationState, Session

from .models import (
    Delegation,
    ExportJob,
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


class RegistrationAvailability:
    """What the event page says about registration: open, closed, or open with a waitlist."""

    def __init__(self, *, event: Event, now=None):
        self.state = event.registration_state(now)
        self.is_open = self.state == RegistrationState.OPEN
        self.is_full = False
        if self.is_open and event.capacity is not None:
            taken = Registration.objects.filter(
                event=event, status__in=Registration.SEAT_HOLDING_STATUSES
            ).count()
            self.is_full = taken >= event.capacity


def delegation_get_for_head(*, event: Event, pk: int, user) -> Delegation:
    """The delegation page is its head's only; anyone else gets 404."""
    return get_object_or_404(
        Delegation.objects.select_related("organisation"), event=event, pk=pk, head=user
    )


def delegation_members(*, delegation: Delegation) -> QuerySet[Registration]:
    return delegation.registrations.select_related("user").order_by("family_name", "given_name")


def delegation_active_count(*, delegation: Delegation) -> int:
    return delegation.registrations.filter(status__in=Registration.ACTIVE_STATUSES).count()


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


class DelegationPlaces:
    """How much of a delegation's quota its members use, as its pages say it."""

    def __init__(self, *, delegation: Delegation):
        self.delegation = delegation
        self.quota = delegation.quota
        self.used = delegation_active_count(delegation=delegation)
        self.is_full = self.quota is not None and self.used >= self.quota


def language_of(*, user) -> str | None:
    """The language `user` chose for their messages when they last registered, if ever."""
    return (
        Registration.objects.filter(user=user)
        .order_by("-created_at", "-pk")
        .values_list("language", flat=True)
        .first()
    )
