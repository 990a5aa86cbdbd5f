"""Reads for the delegate pages and the admin figures, and the counts the rules use."""

import datetime
import unicodedata
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractHour, Greatest, TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from events.formatting import FallbackLanguages
from events.models import Event, RegistrationState, Session

from . import tokens
from .models import (
    CheckIn,
    Delegation,
    ExportJob,
    IssuedDocument,
    LetterTemplate,
    Nomination,
    Notification,
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
    """The event's sign-up sessions with their confirmed (`seats_taken`, which
    `session_seats` reads) and waiting sign-ups counted."""
    return (
        event.sessions.filter(capacity__isnull=False)
        .annotate(
            seats_taken=Count("signups", filter=Q(signups__status=SessionSignup.Status.CONFIRMED)),
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
    # Of `used`: places delegations keep for members still to come (see `event_seats`).
    reserved: int = 0

    @property
    def free(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def is_full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def event_seats(*, event: Event) -> Seats:
    """An event's seats: held by confirmed and pending registrations, and kept by delegations
    for the members they have still to nominate (`Delegation.reserves_places`: a quota and a
    nomination deadline not yet passed by the scheduled job).

    One query: the seats held through the index, and the places kept, one per delegation.
    """
    held = (
        Registration.objects.filter(event=OuterRef("pk"))
        .holding_seats()
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    members_held = (
        Registration.objects.filter(delegation=OuterRef("pk"))
        .holding_seats()
        .order_by()
        .values("delegation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    kept = (
        Delegation.objects.filter(
            event=OuterRef("pk"), quota__isnull=False, places_released_at__isnull=True
        )
        .filter(Q(nomination_deadline__isnull=False) | Q(event__nomination_deadline__isnull=False))
        .annotate(unused=Greatest(F("quota") - Coalesce(Subquery(members_held), 0), 0))
        .order_by()
        .values("event")
        .annotate(total=Sum("unused"))
        .values("total")
    )
    counts = (
        Event.objects.filter(pk=event.pk)
        .annotate(
            held=Coalesce(Subquery(held), 0),
            kept=Coalesce(Subquery(kept), 0),
        )
        .values("held", "kept")
        .get()
    )
    return Seats(event.capacity, counts["held"] + counts["kept"], reserved=counts["kept"])


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


def registrations_of_delegation(
    registrations: QuerySet[Registration], *, delegation: str
) -> QuerySet[Registration]:
    """Those of `registrations` in the delegation named `delegation` (in any language) or
    with that id, as the commands take it."""
    match = (
        Q(delegation__name=delegation)
        | Q(delegation__name_bg=delegation)
        | Q(delegation__name_en=delegation)
    )
    if delegation.isdigit():
        match |= Q(delegation_id=int(delegation))
    return registrations.filter(match)


def delegation_member_get(*, delegation: Delegation, reference: str) -> Registration:
    """An active member of the delegation, for its head to replace or withdraw; else 404."""
    return get_object_or_404(
        delegation.registrations.active().select_related("event"), reference=reference
    )


def delegation_nominations_open(*, delegation: Delegation) -> QuerySet[Nomination]:
    """Those invited who have not registered yet."""
    return delegation.nominations.filter(status=Nomination.Status.INVITED).order_by(
        "family_name", "given_name", "pk"
    )


def delegation_holding_seats(*, delegation: Delegation) -> int:
    """How many of its members hold one of the event's seats (confirmed or pending)."""
    return delegation.registrations.holding_seats().count()


def delegation_has_kept_place(*, delegation: Delegation) -> bool:
    """Whether the delegation keeps a place for its next member (`reserves_places`, with one
    unused): that member gets a seat even when the event is otherwise full."""
    return delegation.reserves_places and (
        delegation_holding_seats(delegation=delegation) < delegation.quota
    )


def nomination_for_link(*, delegation: Delegation | None, token: str) -> Nomination | None:
    """The open nomination to `delegation` an invitation's link names; None otherwise."""
    if delegation is None or not token:
        return None
    return delegation.nominations.filter(status=Nomination.Status.INVITED, token=token).first()


def delegations_due_for_reminder(*, now: datetime.datetime, days: int) -> QuerySet[Delegation]:
    """Delegations with a head whose nomination deadline comes within `days`, not reminded."""
    return _with_deadline().filter(
        head__isnull=False,
        deadline_reminded_at__isnull=True,
        places_released_at__isnull=True,
        effective_deadline__gt=now,
        effective_deadline__lte=now + datetime.timedelta(days=days),
    )


def delegations_past_deadline(*, now: datetime.datetime) -> QuerySet[Delegation]:
    """Delegations whose nomination deadline has passed and whose places are still kept."""
    return _with_deadline().filter(places_released_at__isnull=True, effective_deadline__lte=now)


def _with_deadline() -> QuerySet[Delegation]:
    return Delegation.objects.annotate(
        effective_deadline=Coalesce("nomination_deadline", "event__nomination_deadline")
    ).order_by("effective_deadline", "pk")


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


def reminder_recipients(*, event: Event) -> QuerySet[Registration]:
    """The event's confirmed delegates, with an account to write to, not yet reminded."""
    reminded = Notification.objects.filter(
        registration=OuterRef("pk"), kind=Notification.Kind.REMINDER
    )
    return (
        Registration.objects.confirmed()
        .filter(event=event, user__isnull=False)
        .exclude(Exists(reminded))
        .order_by("pk")
    )


# --- the list of participants ---------------------------------------------------------------


def participants_visible_to(*, event: Event, user) -> bool:
    """Whether `user` may see the event's list of participants: anyone when the event makes
    it public, otherwise its confirmed delegates and the staff who may see registrations."""
    if event.participants_public:
        return True
    if not user.is_authenticated:
        return False
    if user.has_perm("registrations.view_registration"):
        return True
    return Registration.objects.confirmed().filter(event=event, user=user).exists()


def participants_listed(*, event: Event) -> QuerySet[Registration]:
    """Who appears in the list: confirmed, agreed to be listed, not anonymised. Read afresh
    on every request, so that a withdrawn consent removes the person at once."""
    return (
        Registration.objects.confirmed()
        .filter(event=event, listing_consent=True, anonymised_at__isnull=True)
        .select_related("delegation")
        .only(
            "honorific",
            "given_name",
            "family_name",
            "given_name_latin",
            "family_name_latin",
            "organisation",
            "country",
            "anonymised_at",
            "delegation",
            *(f"delegation__{field}" for field in _delegation_name_columns()),
        )
    )


def _delegation_name_columns() -> list[str]:
    return ["name", *(build_localized_fieldname("name", code) for code, _n in settings.LANGUAGES)]


PARTICIPANT_GROUPINGS = ("country", "delegation")


@dataclass
class ParticipantGroup:
    heading: str
    heading_lang: str  # ` lang="xx"` when the heading is shown in a fallback language
    participants: list[Registration]


def participant_groups(*, event: Event, by: str = "country") -> list[ParticipantGroup]:
    """The list of participants grouped by country (the default) or by delegation, in the
    active language, each group and each person in alphabetical order. One query."""
    langs = FallbackLanguages()
    groups: dict[object, ParticipantGroup] = {}
    without_delegation = _("Without a delegation")
    for registration in participants_listed(event=event):
        if by == "delegation":
            delegation = registration.delegation
            key = delegation.pk if delegation else None
            heading = delegation.name if delegation else str(without_delegation)
            heading_lang = langs.attr(delegation, "name") if delegation else ""
        else:
            key = registration.country.code
            heading, heading_lang = str(registration.country.name), ""
        if registration.delegation is not None:
            registration.delegation_lang = langs.attr(registration.delegation, "name")
        group = groups.setdefault(key, ParticipantGroup(heading, heading_lang, []))
        group.participants.append(registration)
    for group in groups.values():
        group.participants.sort(key=_person_order)
    # Those without a delegation come last, after the delegations in alphabetical order.
    return sorted(
        groups.values(),
        key=lambda group: (group.heading == str(without_delegation), _collation(group.heading)),
    )


def _collation(text: str) -> str:
    return unicodedata.normalize("NFKD", text).casefold()


def _person_order(registration: Registration) -> tuple[str, str]:
    return (
        _collation(registration.family_name_latin or registration.family_name),
        _collation(registration.given_name_latin or registration.given_name),
    )


# --- the organisers' dashboard --------------------------------------------------------------


def may_see_dashboard(user) -> bool:
    """Staff who handle registrations see an event's figures; the numbers are aggregates, but
    their breakdowns (a country with one delegate, an access need) can point at a person."""
    return user.is_active and user.is_staff and user.has_perm("registrations.view_registration")


def event_get_for_dashboard(*, slug: str, user) -> Event:
    """The event whose dashboard this is (drafts too), for staff who may see it; anyone
    else gets 404, as if there were no such page."""
    if not may_see_dashboard(user):
        raise Http404
    return get_object_or_404(Event, slug=slug)


@dataclass(frozen=True)
class DashboardFigures:
    """An event's figures for its dashboard, each read with one aggregate query.

    `timeline`: (day, {status: registrations registered that day}) in the event's time zone,
    by the status they have now; `by_country` and `by_kind`: {key: {status: count}} of the
    active registrations; `totals`: counts by status, needs of the confirmed and visa letters
    of the active ones.
    """

    timeline: list[tuple[datetime.date, dict[str, int]]]
    by_country: dict[str, dict[str, int]]
    by_kind: dict[str | None, dict[str, int]]
    delegations: list[Delegation]
    sessions: list[Session]
    totals: dict[str, int]
    # (day, hour, session id or None at the door, people checked in): first check-ins only,
    # hours in the event's time zone.
    checkins: list[tuple[datetime.date, int, int | None, int]] = field(default_factory=list)


def _by_key_and_status(rows, key: str) -> dict:
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row[key], {})[row["status"]] = row["n"]
    return grouped


def dashboard_figures(*, event: Event) -> DashboardFigures:
    """Seven queries, however many registrations, delegations, sessions and check-ins the
    event has."""
    registrations = Registration.objects.filter(event=event).order_by()
    active = registrations.filter(status__in=Registration.ACTIVE_STATUSES)
    confirmed = Q(status=Registration.Status.CONFIRMED)
    zone = zoneinfo.ZoneInfo(event.time_zone)
    days = registrations.values("status", day=TruncDate("created_at", tzinfo=zone)).annotate(
        n=Count("pk")
    )
    timeline: dict[datetime.date, dict[str, int]] = {}
    for row in days:
        timeline.setdefault(row["day"], {})[row["status"]] = row["n"]
    countries = active.values("country", "status").annotate(n=Count("pk"))
    kinds = active.values("status", kind=F("delegation__organisation__kind")).annotate(
        n=Count("pk")
    )
    visa = Q(needs_visa_letter=True, status__in=Registration.ACTIVE_STATUSES)
    totals = registrations.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Registration.Status.values},
        dietary=Count("pk", filter=confirmed & ~Q(dietary_requirements="")),
        accessibility=Count("pk", filter=confirmed & ~Q(accessibility_needs="")),
        **{
            f"interpretation_{code}": Count(
                "pk", filter=confirmed & Q(interpretation_language=code)
            )
            for code, _name in settings.LANGUAGES
        },
        visa_requested=Count("pk", filter=visa),
        visa_approved=Count("pk", filter=visa & Q(visa_letter_approved_at__isnull=False)),
        visa_unconfirmed=Count("pk", filter=visa & ~confirmed),
    )
    delegations = delegations_with_members(
        Delegation.objects.filter(event=event).select_related("organisation")
    ).order_by("name", "pk")
    checkins = (
        CheckIn.objects.firsts()
        .filter(registration__event=event)
        .order_by()
        .values("day", "session", hour=ExtractHour("scanned_at", tzinfo=zone))
        .annotate(n=Count("pk"))
    )
    return DashboardFigures(
        checkins=sorted(
            ((row["day"], row["hour"], row["session"], row["n"]) for row in checkins),
            key=lambda row: (row[0], row[1], row[2] or 0),
        ),
        timeline=sorted(timeline.items()),
        by_country=_by_key_and_status(countries, "country"),
        by_kind=_by_key_and_status(kinds, "kind"),
        delegations=list(delegations),
        sessions=list(signup_session_figures(event=event)),
        totals=totals,
    )


# --- issued documents and their verification ------------------------------------------------


def document_current(*, registration: Registration, kind: str) -> IssuedDocument | None:
    """The document of `kind` issued to the registration and not withdrawn, if any."""
    return registration.issued_documents.filter(kind=kind, withdrawn_at__isnull=True).first()


# How much of the passport number the verification page shows: enough for a consulate to
# match it with the passport in front of them, too little to be of use to anyone else.
PASSPORT_DIGITS_SHOWN = 4


def passport_number_ending(number: str) -> str:
    """The last characters of a passport number, never more than half of it."""
    shown = min(PASSPORT_DIGITS_SHOWN, len(number) // 2)
    return number[-shown:] if shown else ""


@dataclass(frozen=True)
class DocumentVerification:
    """All that the verification page may show of a document: a consulate learns whether
    it is genuine and current, for whom (the name as in the passport and the end of its
    number), for which event and dates. A withdrawn one shows only that and when."""

    kind: str
    issued_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    name: str = ""
    passport_ending: str = ""
    event: str = ""
    event_dates: tuple[datetime.date, datetime.date] | None = None
    stay: tuple[datetime.date, datetime.date] | None = None
    # A certificate of attendance names the person as registered (no passport is involved)
    # and the days they were checked in.
    is_certificate: bool = False
    days_attended: tuple[datetime.date, ...] = ()

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


def document_verification(*, token: str) -> DocumentVerification | None:
    """What the verification page of `token` shows, or None for a token never issued."""
    document = (
        IssuedDocument.objects.select_related("registration__event").filter(token=token).first()
    )
    if document is None:
        return None
    kind = document.get_kind_display()
    if not document.is_current:
        return DocumentVerification(
            kind=kind, issued_at=document.issued_at, withdrawn_at=document.withdrawn_at
        )
    registration = document.registration
    event = registration.event
    if document.kind == IssuedDocument.Kind.CERTIFICATE:
        return DocumentVerification(
            kind=kind,
            issued_at=document.issued_at,
            withdrawn_at=None,
            name=registration.full_name,
            event=str(event.title),
            event_dates=(event.start_date, event.end_date),
            is_certificate=True,
            days_attended=tuple(certificate_days(registration=registration)),
        )
    template = LetterTemplate.objects.filter(event=event).first()
    return DocumentVerification(
        kind=kind,
        issued_at=document.issued_at,
        withdrawn_at=None,
        name=registration.name_as_in_passport,
        passport_ending=passport_number_ending(registration.passport_number),
        event=str(event.title),
        event_dates=(event.start_date, event.end_date),
        stay=template.stay() if template is not None else None,
    )


def certificate_days(*, registration: Registration) -> list[datetime.date]:
    """The days of the event its delegate was checked in at the door, in order: those a
    certificate of attendance names (see `RegistrationQuerySet.with_certificate`)."""
    event = registration.event
    return list(
        CheckIn.objects.firsts()
        .filter(
            registration=registration,
            session__isnull=True,
            day__gte=event.start_date,
            day__lte=event.end_date,
        )
        .order_by("day")
        .values_list("day", flat=True)
        .distinct()
    )


def certificates_to_print(
    registrations: QuerySet[Registration],
) -> Iterator[tuple[Registration, IssuedDocument, list[datetime.date]]]:
    """Each of `registrations` that gets a certificate and has one issued, with it and the
    days it names (as `certificate_days`), by name: five queries per two hundred."""
    door = CheckIn.objects.firsts().filter(session__isnull=True).order_by("day")
    current = IssuedDocument.objects.filter(
        kind=IssuedDocument.Kind.CERTIFICATE, withdrawn_at__isnull=True
    )
    ordered = (
        registrations.with_certificate()
        .select_related("event", "event__venue")
        .prefetch_related(
            "event__organisers",
            Prefetch("checkins", queryset=door, to_attr="door_checkins"),
            Prefetch("issued_documents", queryset=current, to_attr="current_certificates"),
        )
        .order_by("family_name", "given_name", "pk")
    )
    for registration in ordered.iterator(chunk_size=200):
        if not registration.current_certificates:
            continue  # issued by `services.certificates_print` first; none if it was not
        event = registration.event
        first, last = event.start_date, event.end_date
        days = sorted({c.day for c in registration.door_checkins if first <= c.day <= last})
        yield registration, registration.current_certificates[0], days


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
