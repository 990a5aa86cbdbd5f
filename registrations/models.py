"""Who comes: registrations, the delegations they belong to, and the messages sent to them.

Business rules (capacity, quotas, the waitlist, approval) are in `registrations.services`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from events.models import Event, Organisation, Session


def new_invitation_code() -> str:
    return secrets.token_urlsafe(18)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class PrivacyNotice(models.Model):
    """The privacy notice delegates accept; each consent records the version it was given to."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    text = models.TextField(_("text"))
    effective_from = models.DateTimeField(_("in force from"))

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"

    def __str__(self) -> str:
        return self.version


class Delegation(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="delegations", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations",
        verbose_name=_("organisation"),
    )
    country = CountryField(_("country"), blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_delegations",
        verbose_name=_("head of delegation"),
    )
    quota = models.PositiveIntegerField(
        _("quota"), null=True, blank=True, help_text=_("Most members it may have. Empty: no limit.")
    )
    invitation_code = models.CharField(
        _("invitation code"),
        max_length=40,
        unique=True,
        default=new_invitation_code,
        editable=False,
    )

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["event", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(country=""),
                name="registrations_delegation_has_organisation_or_country",
                violation_error_message=_("Give the delegation's organisation, country or both."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        SPEAKER = "speaker", _("Speaker")
        ORGANISER = "organiser", _("Organiser")
        PRESS = "press", _("Press")

    # Those who still hold, or wait for, a place.
    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)
    # Those holding one of the event's seats (pending ones keep theirs while awaiting approval).
    SEAT_HOLDING_STATUSES = (Status.CONFIRMED, Status.PENDING)

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("account"),
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.PENDING, db_index=True
    )
    queued_at = models.DateTimeField(
        _("waiting since"), null=True, blank=True, help_text=_("Order of the waiting list.")
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=Role,
        default=Role.DELEGATE,
        help_text=_("Printed on the badge, with its colour."),
    )
    honorific = models.CharField(_("honorific"), max_length=40, blank=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name_latin = models.CharField(
        _("given name in Latin script"),
        max_length=100,
        blank=True,
        help_text=_("Needed when the name is written in Cyrillic, e.g. for badges and visas."),
    )
    family_name_latin = models.CharField(
        _("family name in Latin script"), max_length=100, blank=True
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200)
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("delegation"),
    )
    country = CountryField(_("country"))
    phone = PhoneNumberField(_("phone"), blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        help_text=_("Every message to you is written in this language."),
    )
    dietary_requirements = models.CharField(_("dietary requirements"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    interpretation_language = models.CharField(
        _("interpretation into"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    needs_visa_letter = models.BooleanField(_("needs a visa invitation letter"), default=False)
    visa_letter_approved_at = models.DateTimeField(
        _("visa letter approved"), null=True, blank=True, editable=False
    )
    sessions = models.ManyToManyField(
        Session,
        through="SessionSignup",
        related_name="registrations",
        blank=True,
        verbose_name=_("sign-up sessions"),
    )
    privacy_notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("privacy notice accepted"),
    )
    privacy_accepted_at = models.DateTimeField(_("privacy notice accepted at"))
    photo_consent = models.BooleanField(_("may appear in photos and video"), default=False)
    listing_consent = models.BooleanField(
        _("may appear in the public list of participants"), default=False
    )
    calendar_token = models.CharField(
        _("calendar token"), max_length=40, unique=True, default=new_calendar_token, editable=False
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        permissions = [
            ("export_registration", _("Can export attendee lists and print badges")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                name="registrations_registration_one_per_user_and_event",
                violation_error_message=_("You are already registered for this event."),
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"], name="registrations_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("registrations:detail", kwargs={"reference": self.reference})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name_latin(self) -> str:
        if self.given_name_latin or self.family_name_latin:
            return f"{self.given_name_latin} {self.family_name_latin}".strip()
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class SessionSignup(models.Model):
    """A registration's seat (or place in the queue) at a session with limited seats."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="signups",
        verbose_name=_("registration"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="signups", verbose_name=_("session")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("waiting since"), null=True, blank=True)

    class Meta:
        verbose_name = _("session sign-up")
        verbose_name_plural = _("session sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"],
                name="registrations_signup_once_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.reference} → {self.session}"


class Notification(models.Model):
    """Every message sent to a registrant, so a failed one can be seen and sent again."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmation")
        PENDING = "pending", _("Received, awaiting approval")
        WAITLISTED = "waitlisted", _("Waiting list")
        PROMOTED = "promoted", _("Moved up from the waiting list")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        VISA_LETTER = "visa_letter", _("Visa invitation letter")
        SESSION_SEAT = "session_seat", _("Seat at a session")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("registration"),
    )
    kind = models.CharField(_("message"), max_length=12, choices=Kind)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
        help_text=_("For a message about a seat at a session."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.registration.reference}"


class LetterTemplate(models.Model):
    """The visa invitation letter of an event, as its organisers word it, in every language.

    The body may use these placeholders: {name}, {position}, {organisation}, {country},
    {event}, {dates}, {venue}, {reference}.
    """

    PLACEHOLDERS = (
        "name",
        "position",
        "organisation",
        "country",
        "event",
        "dates",
        "venue",
        "reference",
    )

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="letter_template", verbose_name=_("event")
    )
    letterhead = models.TextField(
        _("letterhead"), help_text=_("The sender's name and address, one line each.")
    )
    place = models.CharField(_("place"), max_length=100, help_text=_("Where the letter is signed."))
    body = models.TextField(
        _("text"),
        help_text=_(
            "Paragraphs separated by an empty line. Placeholders: {name}, {position}, "
            "{organisation}, {country}, {event}, {dates}, {venue}, {reference}."
        ),
    )
    signatory_name = models.CharField(_("signed by"), max_length=200)
    signatory_position = models.CharField(_("signatory's position"), max_length=200)

    class Meta:
        verbose_name = _("visa letter template")
        verbose_name_plural = _("visa letter templates")

    def __str__(self) -> str:
        return str(self.event)

    def clean(self) -> None:
        from . import documents

        documents.letter_template_validate(template=self)


class ExportRecord(models.Model):
    """Who exported which attendee data, when, with which filters, and how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
        verbose_name=_("by"),
    )
    via = models.CharField(_("from"), max_length=20)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="exports", verbose_name=_("event")
    )
    dataset = models.CharField(_("list"), max_length=40)
    format = models.CharField(_("format"), max_length=10)
    language = models.CharField(_("language"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.format}) {self.created_at:%Y-%m-%d %H:%M}"
