"""Who comes: registrations, the delegations they belong to, and the messages sent to them.

Business rules (capacity, quotas, the waitlist, approval) are in `registrations.services`.
"""

import secrets
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from events.models import Event, Organisation, Session
from outbox.models import Outgoing

from . import placeholders

# The parts of a name as the registrant writes them and in Latin script; all are printed.
PERSON_NAME_FIELDS = ("given_name", "family_name", "given_name_latin", "family_name_latin")
# Not in a name: markup (names are printed on badges, letters and exports), the replacement
# character (it stands for bytes that were not valid text), the bidirectional embeddings and
# overrides that reorder the text around them, and below, control and unassigned characters.
# Zero-width joiners and direction marks stay: some scripts write names with them.
_NOT_IN_NAMES = frozenset("<>\ufffd\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOT_IN_NAMES_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})


def _storable(value: str) -> bool:
    """Whether a database can store the text: PostgreSQL refuses a NUL character, and a lone
    surrogate cannot be encoded at all. A request cannot carry a surrogate and the forms
    refuse NUL, but the services take text from any caller."""
    return "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)


def validate_person_name(value: str) -> None:
    """A name (any script) is made of letters, with spaces, hyphens, apostrophes and the like.

    An empty value passes: whether a part is required is the field's concern. The model's
    `clean` applies it, so the delegate's form, the services and the admin all refuse alike.
    """
    if not value:
        return
    if any(
        c in _NOT_IN_NAMES or unicodedata.category(c) in _NOT_IN_NAMES_CATEGORIES for c in value
    ):
        raise ValidationError(
            _("A name cannot contain < or >, control characters or unreadable characters."),
            code="name_characters",
        )
    if not any(c.isalpha() for c in value):
        raise ValidationError(_("A name must contain letters."), code="name_without_letters")


# Invitation codes are read out on the phone and typed from paper: no 0/O, 1/I/L look-alikes.
INVITATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITATION_GROUPS, INVITATION_GROUP_LENGTH = 3, 4  # 31 ** 12: about 59 bits, not guessable


def new_invitation_code() -> str:
    """A code like `K7QX-M3PT-9HWR`."""
    groups = (
        "".join(secrets.choice(INVITATION_ALPHABET) for _ in range(INVITATION_GROUP_LENGTH))
        for _ in range(INVITATION_GROUPS)
    )
    return "-".join(groups)


def invitation_code_forms(typed: str) -> list[str]:
    """The stored codes that `typed` may stand for: as typed (older codes, 24 URL-safe
    characters, are case-sensitive), and in the grouped form, whatever the case, dashes or
    spaces it was typed with."""
    typed = typed.strip()
    compact = "".join(c for c in typed.upper() if c not in " -")
    forms = [typed] if typed else []
    length = INVITATION_GROUPS * INVITATION_GROUP_LENGTH
    if len(compact) == length and all(c in INVITATION_ALPHABET for c in compact):
        size = INVITATION_GROUP_LENGTH
        grouped = "-".join(compact[i : i + size] for i in range(0, length, size))
        if grouped not in forms:
            forms.append(grouped)
    return forms


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class PrivacyNotice(models.Model):
    """The privacy notice delegates accept; each consent records the version it was given to.

    A notice belongs to one event, or (without one) to the whole site: an event's delegates
    accept the latest of its own notices in force, else the site's (`queries.privacy_notice_for`).
    """

    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="privacy_notices",
        verbose_name=_("event"),
        help_text=_("Empty: the notice of every event that has none of its own."),
    )
    version = models.CharField(_("version"), max_length=40)
    text = models.TextField(_("text"))
    effective_from = models.DateTimeField(_("in force from"))

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "version"],
                name="registrations_privacynotice_version_once_per_event",
                violation_error_message=_("This event already has a notice of this version."),
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(event__isnull=True),
                name="registrations_privacynotice_version_once_for_site",
                violation_error_message=_("The site already has a notice of this version."),
            ),
        ]

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


class RegistrationQuerySet(models.QuerySet):
    """The groups the rules speak of; every count of seats or places starts from one."""

    def holding_seats(self):
        return self.filter(status__in=Registration.SEAT_HOLDING_STATUSES)

    def active(self):
        return self.filter(status__in=Registration.ACTIVE_STATUSES)

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting_in_order(self):
        """The waiting list, first come first served."""
        return self.filter(status=Registration.Status.WAITLISTED).order_by(
            "queued_at", "created_at", "pk"
        )


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

    # Asked only of those who need a visa letter, and seen only by staff with the
    # view_passport_data permission (the admin, the visa list, the letter itself).
    PASSPORT_FIELDS = (
        "passport_number",
        "passport_country",
        "passport_expiry",
        "nationality",
        "date_of_birth",
    )
    # Recorded as changed in the history, never with their values (history.services.record).
    HISTORY_HIDDEN_FIELDS = PASSPORT_FIELDS
    # What an approved visa letter shows of the person: changing any withdraws the approval.
    VISA_LETTER_FIELDS = (
        "honorific",
        "given_name",
        "family_name",
        "given_name_latin",
        "family_name_latin",
        "position",
        "organisation",
        "country",
        *PASSPORT_FIELDS,
    )
    # What identifies the person; cleared (or, where a value is required, replaced by
    # ANONYMOUS) when a registration is anonymised. Reference, status, country, role,
    # language, delegation and consents stay, for statistics.
    IDENTITY_FIELDS = (
        "honorific",
        "given_name",
        "family_name",
        "given_name_latin",
        "family_name_latin",
        "position",
        "organisation",
    )
    # Sensitive data (passport, contact, health, needs): cleared first, soon after the event
    # (Event.privacy_sensitive_days).
    SENSITIVE_FIELDS = (
        *PASSPORT_FIELDS,
        "phone",
        "dietary_requirements",
        "accessibility_needs",
        "interpretation_language",
    )
    PERSONAL_FIELDS = IDENTITY_FIELDS + SENSITIVE_FIELDS
    ANONYMOUS = "—"
    # The required fields keep the placeholder; the others are emptied.
    ANONYMOUS_VALUES = {
        "given_name": ANONYMOUS,
        "family_name": ANONYMOUS,
        "organisation": ANONYMOUS,
    }
    # Those who still hold, or wait for, a place.
    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)
    # Those holding one of the event's seats (pending ones keep theirs while awaiting approval).
    SEAT_HOLDING_STATUSES = (Status.CONFIRMED, Status.PENDING)

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    # Empty once anonymised: the registration stays for the statistics, the person does not.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
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
    passport_number = models.CharField(_("passport number"), max_length=40, blank=True)
    passport_country = CountryField(_("passport issued by"), blank=True)
    passport_expiry = models.DateField(_("passport valid until"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
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
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        permissions = [
            ("export_registration", _("Can export attendee lists and print badges")),
            ("view_passport_data", _("Can see passport data and export the visa list")),
            ("checkin_registration", _("Can check people in at the door")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                name="registrations_registration_one_per_user_and_event",
                violation_error_message=_("You are already registered for this event."),
            ),
        ]
        indexes = [
            # Serves, under the event's lock, the count of seats held (event, status) and the
            # waiting list in its order (queued_at, created_at): reads that do not grow with
            # the number of registrations or of people waiting.
            models.Index(
                fields=["event", "status", "queued_at", "created_at"], name="registrations_queue"
            ),
            # The admin's country filter reads the distinct countries of an event from here.
            # The search's trigram indexes (PostgreSQL only) are made by migration 0008: they
            # are not declared here, where SQLite would have to make them too.
            models.Index(fields=["event", "country"], name="registrations_event_country"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("registrations:detail", kwargs={"reference": self.reference})

    @property
    def full_name(self) -> str:
        if self.is_anonymised:
            return self.ANONYMOUS
        return f"{self.given_name} {self.family_name}"

    @classmethod
    def empty_value(cls, name: str):
        """What a personal field holds once cleared: the placeholder where a value is
        required, None for a date, else the empty text."""
        if name in cls.ANONYMOUS_VALUES:
            return cls.ANONYMOUS_VALUES[name]
        return None if cls._meta.get_field(name).null else ""

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def full_name_latin(self) -> str:
        if self.given_name_latin or self.family_name_latin:
            return f"{self.given_name_latin} {self.family_name_latin}".strip()
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_HOLDING_STATUSES

    @property
    def is_confirmed(self) -> bool:
        """A confirmed place: it gets a badge, a confirmation and (if asked for) a visa letter."""
        return self.status == self.Status.CONFIRMED

    def can_be_edited(self, now=None) -> bool:
        """Its delegate may still change it: active, while the event takes registrations."""
        return self.is_active and self.event.takes_registrations(now)

    def can_be_cancelled(self) -> bool:
        return self.is_active

    @property
    def visa_letter_is_ready(self) -> bool:
        """Its visa letter can be downloaded: confirmed, approved, and the event has one."""
        return (
            self.is_confirmed
            and self.visa_letter_approved_at is not None
            and hasattr(self.event, "letter_template")
        )

    @property
    def allows_registering_again(self) -> bool:
        """Whether its account may register for the event anew, under this same reference:
        yes once it is cancelled or declined, not while it holds or awaits a place."""
        return not self.is_active

    def clean(self) -> None:
        if self.is_anonymised:
            return  # its names are the placeholder, on purpose
        errors = {}
        for field in PERSON_NAME_FIELDS:
            try:
                validate_person_name(getattr(self, field))
            except ValidationError as error:
                errors[field] = error.messages
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if field.name not in errors and isinstance(value, str) and not _storable(value):
                errors[field.name] = [
                    _("This text contains characters that cannot be saved."),
                ]
        if errors:
            raise ValidationError(errors)


class SessionSignupQuerySet(models.QuerySet):
    def seated(self):
        return self.filter(status=SessionSignup.Status.CONFIRMED)


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

    objects = SessionSignupQuerySet.as_manager()

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
        indexes = [
            # A session's seats taken and its queue in order, like the event's.
            models.Index(
                fields=["session", "status", "queued_at"], name="registrations_signup_queue"
            ),
        ]

    def __str__(self) -> str:
        # Not who: a session's delete page lists the sign-ups that keep it, to agenda editors
        # too, who may not see registrations.
        return str(self.session)


class Notification(Outgoing):
    """Every message sent to a registrant, so a failed one can be seen and sent again.

    Built when it is sent, in the registrant's language, from the registration as it is then.
    """

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

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="registrations_notif_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.registration.reference}"


class LetterTemplate(models.Model):
    """The visa invitation letter of an event, as its organisers word it, in every language.

    The body may use these placeholders: {name}, {position}, {organisation}, {country},
    {event}, {dates}, {venue}, {reference}, and the passport data: {passport_number},
    {passport_country}, {passport_expiry}, {nationality}, {date_of_birth}.
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
        *Registration.PASSPORT_FIELDS,
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
            "{organisation}, {country}, {event}, {dates}, {venue}, {reference}, "
            "{passport_number}, {passport_country}, {passport_expiry}, {nationality}, "
            "{date_of_birth}."
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
        placeholders.letter_template_validate(template=self)


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


def private_storage():
    """Files with personal data (exports, badge runs): never under MEDIA_ROOT, never served."""
    return storages["private"]


class ExportJob(models.Model):
    """A large export or badge run, made by a worker while its requester watches the progress.

    The registrations are those the list showed when it was asked for (their ids are kept).
    The file is kept in private storage until `expires_at`, for its requester (or staff with
    the export permission) to download; the `ExportRecord` is written once the file is done.
    """

    class Kind(models.TextChoices):
        LIST = "list", _("Attendee list")
        BADGES = "badges", _("Badges")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after its time")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="export_jobs",
        verbose_name=_("by"),
    )
    via = models.CharField(_("from"), max_length=20)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    dataset = models.CharField(_("list"), max_length=40)
    format = models.CharField(_("format"), max_length=10)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    per_page = models.PositiveSmallIntegerField(_("badges per page"), null=True, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    selection = models.JSONField(_("registrations"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    error = models.CharField(_("error"), max_length=200, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to="exports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    record = models.OneToOneField(
        ExportRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="job"
    )
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export in the background")
        verbose_name_plural = _("exports in the background")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename or f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_ready(self) -> bool:
        """Whether its file can be downloaded now."""
        return self.status == self.Status.DONE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return (100 * self.done // self.total) if self.total else 0


class CheckInQuerySet(models.QuerySet):
    def firsts(self):
        """The check-ins that count: a person's first of the day (or of a session)."""
        return self.filter(repeat=False)


class CheckIn(models.Model):
    """One scan at the door (or at a session with sign-up) that found an admissible person.

    A person counts once a day at the door and once per session: the first scan is the
    check-in, later ones (a second scan, or the same badge scanned on two devices offline) are
    kept as repeats, so that they are reported and none is lost (`services.checkin_record`).
    """

    class Via(models.TextChoices):
        SCAN = "scan", _("Scanned QR code")
        TYPED = "typed", _("Typed reference")
        OFFLINE = "offline", _("Scanned offline, sent later")

    # Made by the device that scanned: a scan sent again after a lost answer is not doubled.
    scan_id = models.UUIDField(_("scan"), default=uuid.uuid4, unique=True, editable=False)
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("registration"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("session"),
        help_text=_("Empty: at the door of the event."),
    )
    day = models.DateField(_("day"), help_text=_("In the event's time zone."))
    scanned_at = models.DateTimeField(_("scanned at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    device = models.CharField(_("device"), max_length=60, blank=True)
    via = models.CharField(_("how"), max_length=10, choices=Via, default=Via.SCAN)
    repeat = models.BooleanField(
        _("repeated scan"), default=False, help_text=_("The person was checked in already.")
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["scanned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "day"],
                condition=Q(session__isnull=True, repeat=False),
                name="registrations_checkin_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=Q(session__isnull=False, repeat=False),
                name="registrations_checkin_once_per_session",
            ),
        ]
        indexes = [
            # The day's counts at the door and per session.
            models.Index(fields=["day", "session", "repeat"], name="registrations_checkin_day"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.scanned_at:%Y-%m-%d %H:%M}"
