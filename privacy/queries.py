"""Reads: everything held on one person ("My data"), and what an event still holds."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.models import Event
from outbox.models import Email
from registrations.exports import DATASETS
from registrations.models import (
    CheckIn,
    Delegation,
    ExportJob,
    ExportRecord,
    Notification,
    Registration,
    SessionSignup,
)
from registrations.services import DETAIL_FIELDS

from . import retention
from .models import PurgeRecord

# --- My data -------------------------------------------------------------------------------

# Every field of a registration the person's page and download show, in this order.
REGISTRATION_FIELDS = (
    "reference",
    "status",
    "role",
    *DETAIL_FIELDS,
    "delegation",
    "visa_letter_approved_at",
    "privacy_notice",
    "privacy_accepted_at",
    "queued_at",
    "created_at",
    "updated_at",
)


@dataclass
class RegistrationData:
    registration: Registration
    signups: list[SessionSignup]
    messages: list[Notification]
    # Lists and badge runs of its event made by the organisers since it was made: they may
    # hold its details (the export log keeps who made them, not whom they held).
    exports: list[ExportRecord]
    # When they were checked in at the door or at a session (not by whom: staff's data).
    checkins: list[CheckIn] = field(default_factory=list)

    @property
    def exports_named(self) -> list[tuple[ExportRecord, str]]:
        return [(record, export_label(record.dataset)) for record in self.exports]

    @property
    def rows(self) -> list[tuple[str, str]]:
        """Each field as the page shows it: (label, value in the page's language)."""
        return [
            (field_label(name), _shown(self.registration, name)) for name in REGISTRATION_FIELDS
        ]

    def as_json(self) -> dict[str, Any]:
        registration = self.registration
        return {
            **{name: _raw(registration, name) for name in REGISTRATION_FIELDS},
            "event": {"slug": registration.event.slug, "title": str(registration.event.title)},
            "status_label": str(registration.get_status_display()),
            "session_signups": [
                {
                    "session": str(signup.session.title),
                    "start": signup.session.start.isoformat(),
                    "status": signup.status,
                    "signed_up_at": signup.created_at.isoformat(),
                }
                for signup in self.signups
            ],
            "checkins": [
                {
                    "at": checkin.scanned_at.isoformat(),
                    "session": str(checkin.session.title) if checkin.session else None,
                }
                for checkin in self.checkins
            ],
            "messages": [
                {
                    "kind": message.kind,
                    "kind_label": str(message.get_kind_display()),
                    "language": message.language,
                    "status": message.status,
                    "created_at": message.created_at.isoformat(),
                    "sent_at": _iso(message.sent_at),
                }
                for message in self.messages
            ],
            "documents": {
                "badge_and_confirmation": registration.is_confirmed,
                "visa_letter_requested": registration.needs_visa_letter,
                "visa_letter_approved_at": _iso(registration.visa_letter_approved_at),
                "organiser_exports": [
                    {
                        "list": record.dataset,
                        "list_label": export_label(record.dataset),
                        "format": record.format,
                        "rows": record.rows,
                        "created_at": record.created_at.isoformat(),
                    }
                    for record in self.exports
                ],
            },
        }


@dataclass
class PersonalData:
    """Everything the site holds on one person, for them to see and to download."""

    user: Any
    addresses: list[EmailAddress]
    two_factor: list[str]
    registrations: list[RegistrationData]
    delegations: list[Delegation]
    account_messages: list[Email]
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    def as_json(self) -> dict[str, Any]:
        """The same content, machine-readable (GDPR Art. 20): codes and ISO dates, with the
        labels in the language asked for."""
        user = self.user
        return {
            "generated_at": self.generated_at.isoformat(),
            "account": {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "date_joined": user.date_joined.isoformat(),
                "last_login": _iso(user.last_login),
                "two_factor": self.two_factor,
            },
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in self.addresses
            ],
            "registrations": [data.as_json() for data in self.registrations],
            "delegations_led": [
                {
                    "event": {"slug": d.event.slug, "title": str(d.event.title)},
                    "delegation": str(d.name),
                    "country": str(d.country),
                }
                for d in self.delegations
            ],
            "account_messages": [
                {
                    "subject": m.subject,
                    "status": m.status,
                    "created_at": m.created_at.isoformat(),
                    "sent_at": _iso(m.sent_at),
                }
                for m in self.account_messages
            ],
        }


def personal_data_for(*, user) -> PersonalData:
    """Everything held on `user`, in a fixed number of queries however much there is."""
    registrations = list(
        Registration.objects.filter(user=user)
        .select_related("event", "delegation", "privacy_notice")
        .prefetch_related(
            Prefetch(
                "signups",
                queryset=SessionSignup.objects.select_related("session").order_by(
                    "session__start", "pk"
                ),
            ),
            Prefetch("notifications", queryset=Notification.objects.order_by("created_at", "pk")),
            Prefetch(
                "checkins",
                queryset=CheckIn.objects.firsts()
                .select_related("session")
                .order_by("scanned_at", "pk"),
            ),
        )
        .order_by("-event__start_date", "-created_at")
    )
    exports = list(
        ExportRecord.objects.filter(event__in={r.event_id for r in registrations}).order_by(
            "created_at", "pk"
        )
    )
    addresses = list(EmailAddress.objects.filter(user=user).order_by("-primary", "email"))
    to_them = Q(to__iexact=user.email)
    for address in addresses:
        to_them |= Q(to__iexact=address.email)
    return PersonalData(
        user=user,
        addresses=addresses,
        two_factor=sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True).distinct()
        ),
        registrations=[
            RegistrationData(
                registration=r,
                signups=list(r.signups.all()),
                messages=list(r.notifications.all()),
                checkins=list(r.checkins.all()),
                exports=[
                    e for e in exports if e.event_id == r.event_id and e.created_at >= r.created_at
                ],
            )
            for r in registrations
        ],
        delegations=list(
            Delegation.objects.filter(head=user)
            .select_related("event")
            .order_by("-event__start_date", "pk")
        ),
        account_messages=list(Email.objects.filter(to_them).order_by("created_at", "pk")),
    )


def export_label(dataset: str) -> str:
    """An exported list's name in the current language ("Badges" for a badge run)."""
    if dataset == ExportJob.Kind.BADGES:
        return str(ExportJob.Kind.BADGES.label)
    return str(DATASETS[dataset].label) if dataset in DATASETS else dataset


def registrations_of(*, user) -> QuerySet[Registration]:
    """The registrations deleting the account would anonymise."""
    return (
        Registration.objects.filter(user=user)
        .select_related("event")
        .order_by("-event__start_date", "-created_at")
    )


def field_label(name: str) -> str:
    """A registration field's name in the current language."""
    return str(Registration._meta.get_field(name).verbose_name)


def _raw(registration: Registration, name: str) -> Any:
    """A field's value as the download holds it: codes, ISO dates, text."""
    value = getattr(registration, name)
    if name == "delegation":
        return str(value.name) if value is not None else None
    if name == "privacy_notice":
        return value.version
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


def _shown(registration: Registration, name: str) -> str:
    """A field's value as the page shows it, in the page's language."""
    value = getattr(registration, name)
    model_field = Registration._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if name in ("country", "passport_country", "nationality"):
        return str(value.name)
    if name == "delegation":
        return str(value.name)
    if name == "privacy_notice":
        return value.version
    if model_field.choices:
        return str(getattr(registration, f"get_{name}_display")())
    return str(value)


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- What an event still holds ---------------------------------------------------------------


@dataclass(frozen=True)
class HeldField:
    label: str
    count: int
    purge_on: datetime.date


@dataclass
class HeldData:
    """What personal data an event's registrations still hold, and when each kind goes."""

    event: Event
    registrations: int
    anonymised: int
    sensitive: list[HeldField]
    identity: list[HeldField]
    visa_letters: int
    exports: QuerySet[ExportRecord]
    files: QuerySet[ExportJob]
    purges: QuerySet[PurgeRecord]

    @property
    def exports_named(self) -> list[tuple[ExportRecord, str]]:
        return [(record, export_label(record.dataset)) for record in self.exports]

    @property
    def holds_nothing(self) -> bool:
        return not any(f.count for f in self.sensitive + self.identity)


def personal_data_held(*, event: Event) -> HeldData:
    """How many registrations still hold each kind of personal data, in one aggregate; the
    exports and files made from them, and the purges done."""
    sensitive_on = retention.sensitive_purge_date(event)
    anonymise_on = retention.anonymise_date(event)
    identity_fields = (*Registration.IDENTITY_FIELDS, "user")
    counts = Registration.objects.filter(event=event).aggregate(
        rows=Count("pk"),
        anonymised=Count("pk", filter=Q(anonymised_at__isnull=False)),
        visa_letters=Count(
            "pk", filter=Q(visa_letter_approved_at__isnull=False, anonymised_at__isnull=True)
        ),
        **{
            name: Count("pk", filter=retention.holds(name))
            for name in (*Registration.SENSITIVE_FIELDS, *identity_fields)
        },
    )
    return HeldData(
        event=event,
        registrations=counts["rows"],
        anonymised=counts["anonymised"],
        sensitive=[
            HeldField(field_label(name), counts[name], sensitive_on)
            for name in Registration.SENSITIVE_FIELDS
        ],
        identity=[
            HeldField(field_label(name), counts[name], anonymise_on) for name in identity_fields
        ],
        visa_letters=counts["visa_letters"],
        exports=ExportRecord.objects.filter(event=event).select_related("user"),
        files=ExportJob.objects.filter(event=event, status=ExportJob.Status.DONE).select_related(
            "requested_by"
        ),
        purges=PurgeRecord.objects.filter(event=event),
    )
