"""Who comes: registrations, the delegations they belong to, and the messages sent to them.

Business rules (capacity, quotas, the waitlist, approval) are in `registrations.services`.
"""

import datetime
import secrets
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
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


def private_storage():
    """Files with personal data (exports, badge runs, nomination
    letters): never under MEDIA_ROOT, never served."""
    return storages["private"]


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
    nomination_deadline = models.DateTimeField(
        _("nomination deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: the event's."),
    )
    nomination_letter = models.FileField(
        _("nomination letter"),
        storage=private_storage,
        upload_to="nomination-letters/",
        blank=True,
        editable=False,
    )
    # Set once by the scheduled job (services.nomination_deadlines_run): its places went back.
    places_released_at = models.DateTimeField(
        _("unused places released"), null=True, blank=True, editable=False
    )
    deadline_reminded_at = models.DateTimeField(
        _("head reminded of the deadline"), null=True, blank=True, editable=False
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

    @property
    def deadline(self):
        """Its nomination deadline: its own, else the event's; None for none."""
        return self.nomination_deadline or self.event.nomination_deadline

    @property
    def reserves_places(self) -> bool:
        """Whether its unused places are kept for it out of the event's seats: with a quota
        and a nomination deadline, until the deadline's job releases them. The one home of
        the rule; `queries.event_seats` counts the same in SQL."""
        return self.quota is not None and self.deadline is not None and not self.places_released_at

    def takes_nominations(self, now=None) -> bool:
        """Whether its head may still nominate, replace or withdraw members."""
        deadline = self.deadline
        return deadline is None or (now or timezone.now()) < deadline


class Nomination(models.Model):
    """A person the head of a delegation invites by email to register as one of its members."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        REGISTERED = "registered", _("Registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("delegation"),
    )
    email = models.EmailField(_("email"))
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    language = models.CharField(
        _("language of the invitation"), max_length=10, choices=settings.LANGUAGES
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.INVITED)
    # Pre-fills the register form from the invitation's link; not a key to anything else.
    token = models.CharField(max_length=40, unique=True, default=new_calendar_token, editable=False)
    replaces = models.ForeignKey(
        "Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    registration = models.ForeignKey(
        "Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("registration"),
    )
    created_at = models.DateTimeField(_("nominated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.INVITED

    def clean(self) -> None:
        errors = {}
        for field in ("given_name", "family_name"):
            try:
                validate_person_name(getattr(self, field))
            except ValidationError as error:
                errors[field] = error.messages
        if errors:
            raise ValidationError(errors)


class RegistrationQuerySet(models.QuerySet):
    """The groups the rules speak of; every count of seats or places starts from one."""

    def holding_seats(self):
        return self.filter(status__in=Registration.SEAT_HOLDING_STATUSES)

    def active(self):
        return self.filter(status__in=Registration.ACTIVE_STATUSES)

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def with_certificate(self):
        """Those who get a certificate of attendance (`Registration.can_get_certificate`):
        confirmed, not anonymised (it would name nobody), and checked in at the door on at
        least one day of the event. A check-in's day is the day it was scanned, so one within
        the event's days also means the event has started; a check-in the day before (badges
        collected early) does not count."""
        door = CheckIn.objects.firsts().filter(
            registration=OuterRef("pk"),
            session__isnull=True,
            day__gte=OuterRef("event__start_date"),
            day__lte=OuterRef("event__end_date"),
        )
        return self.confirmed().filter(Exists(door), anonymised_at__isnull=True)

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
            # The seats held (SEAT_HOLDING_STATUSES), counted under the event's lock on every
            # registration: only as many entries as the event has seats, however many wait or
            # cancelled, so PostgreSQL counts them from this index alone.
            models.Index(
                fields=["event"],
                condition=models.Q(status__in=["confirmed", "pending"]),
                name="registrations_seats_held",
            ),
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
    def interpretation_sentence(self) -> str:
        """The interpretation asked for, as the delegate reads it (not a language code)."""
        if not self.interpretation_language:
            return str(_("You do not need interpretation."))
        return _("You asked for interpretation into %(language)s.") % {
            "language": self.get_interpretation_language_display()
        }

    @staticmethod
    def interpretation_choices(languages: list[str]) -> list[tuple[str, str]]:
        """The registration form's interpretation options, each a sentence: none, or
        interpretation into one of `languages`."""
        names = dict(settings.LANGUAGES)
        return [("", _("I do not need interpretation"))] + [
            (code, _("I need interpretation into %(language)s") % {"language": names[code]})
            for code in languages
        ]

    @property
    def full_name_latin(self) -> str:
        if self.given_name_latin or self.family_name_latin:
            return f"{self.given_name_latin} {self.family_name_latin}".strip()
        return self.full_name

    @property
    def passport_given_name(self) -> str:
        """The given name as in the passport: its Latin spelling, or the name itself when it
        is written in Latin already (the form asks for a spelling only then)."""
        return self.given_name_latin or self.given_name

    @property
    def passport_family_name(self) -> str:
        return self.family_name_latin or self.family_name

    @property
    def name_as_in_passport(self) -> str:
        """What a visa letter and its verification page call the person."""
        if self.is_anonymised:
            return self.ANONYMOUS
        return f"{self.passport_given_name} {self.passport_family_name}"

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

    def can_get_certificate(self) -> bool:
        """Its delegate may download a certificate of attendance (and staff print one): the
        rule is `RegistrationQuerySet.with_certificate`, asked of this one registration."""
        if not self.is_confirmed:
            return False
        return Registration.objects.filter(pk=self.pk).with_certificate().exists()

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


class Message(models.Model):
    """A message staff wrote to the registrations a filtered list showed, in every language.

    Each recipient's copy is a `Notification` (kind MESSAGE, in their language), built from
    this text when a worker sends it. `key` is given to the form that sends it: a second
    submit of the same form finds the message sent and sends nothing.
    """

    # What `{…}` may stand for in the subject and the text (`notifications.message_values`).
    PLACEHOLDERS = (
        "name",
        "reference",
        "event",
        "dates",
        "venue",
        "registration_url",
        "badge_url",
        "calendar_url",
        "event_url",
    )

    key = models.UUIDField(_("key"), unique=True, editable=False)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="messages", verbose_name=_("event")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {name}, {reference}, {event}, {dates}, {venue}, {registration_url}, "
            "{badge_url}, {calendar_url}, {event_url}."
        ),
    )
    # The list's filters: as the list took them, and as its sender read them.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    audience = models.JSONField(_("sent to"), default=list, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message to delegates")
        verbose_name_plural = _("messages to delegates")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        placeholders.message_validate(message=self)


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
        MESSAGE = "message", _("Message from the organisers")
        REMINDER = "reminder", _("Reminder before the event")

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
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recipients",
        verbose_name=_("message to delegates"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="registrations_notif_due_idx"),
        ]
        constraints = [
            # However often the reminders' task runs, and however many run at once.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(kind="reminder"),
                name="registrations_notification_one_reminder",
            ),
            models.UniqueConstraint(
                fields=["message", "registration"],
                condition=Q(message__isnull=False),
                name="registrations_notification_message_once_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.registration.reference}"


# Days of stay a letter may ask for around the event: a visa for a conference, not a holiday.
MAX_STAY_DAYS = 7


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
    logo = models.ImageField(
        _("logo"),
        upload_to="letterheads/",
        blank=True,
        help_text=_("Printed at the top of the letter, beside the letterhead."),
    )
    costs = models.TextField(
        _("who bears the costs"),
        help_text=_(
            "Printed in the letter as it is, e.g. “Travel and accommodation are paid by the "
            "participant or the organisation sending them; the organisers pay for meals "
            "during the conference.”"
        ),
    )
    # Consulates give a visa for the stay, not only the conference days: most delegates
    # arrive the day before and leave the day after.
    arrival_days_before = models.PositiveSmallIntegerField(
        _("days of stay before the event"), default=1, validators=[MaxValueValidator(MAX_STAY_DAYS)]
    )
    departure_days_after = models.PositiveSmallIntegerField(
        _("days of stay after the event"), default=1, validators=[MaxValueValidator(MAX_STAY_DAYS)]
    )
    signatory_name = models.CharField(
        _("signed by"), max_length=200, help_text=_("The name of the person who signs.")
    )
    signatory_position = models.CharField(_("signatory's position"), max_length=200)

    class Meta:
        verbose_name = _("visa letter template")
        verbose_name_plural = _("visa letter templates")

    def __str__(self) -> str:
        return str(self.event)

    def clean(self) -> None:
        placeholders.letter_template_validate(template=self)

    def stay(self) -> tuple[datetime.date, datetime.date]:
        """The dates of stay the letter asks a visa for: the event's, with the days around."""
        return (
            self.event.start_date - datetime.timedelta(days=self.arrival_days_before),
            self.event.end_date + datetime.timedelta(days=self.departure_days_after),
        )


def new_document_token() -> str:
    # 16 random bytes (128 bits, 22 characters): the token is the whole secret of the
    # verification page, and nobody can find a valid one by guessing, however fast they try,
    # so the page needs no limit on tries (unlike invitation codes, which are short enough
    # to type).
    return secrets.token_urlsafe(16)


class IssuedDocument(models.Model):
    """A document the organisers issued to a registrant that a third party can verify at
    its own address (`/<lang>/verify/<token>/`, printed on it with a QR code): a consulate
    reading a visa letter sees whether it is genuine and still current.

    Each approval issues a new one; it is withdrawn (never deleted, so the page can say so)
    when the approval is withdrawn or the registration cancelled or anonymised. At most one
    of each kind is current for a registration. A certificate of attendance is issued once, on
    its first download or when staff print it, and keeps its address from then on.
    """

    class Kind(models.TextChoices):
        VISA_LETTER = "visa_letter", _("Visa invitation letter")
        CERTIFICATE = "certificate", _("Certificate of attendance")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="issued_documents",
        verbose_name=_("registration"),
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind)
    token = models.CharField(
        _("verification code"),
        max_length=40,
        unique=True,
        default=new_document_token,
        editable=False,
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=Q(withdrawn_at__isnull=True),
                name="registrations_issueddocument_one_current_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("registrations:verify", kwargs={"token": self.token})

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


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


class BadgeLayout(models.TextChoices):
    """The sizes badges are printed in (the drawing of each is in `registrations.badges`)."""

    A4 = "a4", _("Eight per A4 page (105 × 74 mm each)")
    A6 = "a6", _("One per A6 page (105 × 148 mm)")
    CARD = "card", _("ID-1 card for card printers (CR80, 85.6 × 54 mm)")


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
    badge_layout = models.CharField(
        _("badge layout"), max_length=4, choices=BadgeLayout, blank=True
    )
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
