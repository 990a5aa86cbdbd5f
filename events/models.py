"""The agenda: events, where they happen, who organises and speaks, and what is said.

Models are thin: invariants the database can hold are named constraints; rules that need
other rows (double-booked rooms, busy speakers) live in `events.rules` and are called
from `clean()` so that the admin shows them next to the fields.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from . import rules
from .materials import material_upload_to, validate_material_file


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _default_time_zone() -> str:
    return settings.TIME_ZONE


def _default_sensitive_days() -> int:
    return settings.PRIVACY_SENSITIVE_DAYS


def _default_anonymise_days() -> int:
    return settings.PRIVACY_ANONYMISE_DAYS


hex_colour_validator = RegexValidator(
    r"^#[0-9A-Fa-f]{6}$", _("Enter a colour as # followed by six hexadecimal digits, e.g. #1D4F91.")
)


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RegistrationState(models.TextChoices):
    NOT_SCHEDULED = "not_scheduled", _("Registration dates have not been announced yet")
    NOT_YET_OPEN = "not_yet_open", _("Registration has not opened yet")
    OPEN = "open", _("Registration is open")
    CLOSED = "closed", _("Registration is closed")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        INTERNATIONAL = "international", _("International organisation")
        EU_INSTITUTION = "eu_institution", _("EU institution")
        ACADEMIA = "academia", _("Academia")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="organisations/", blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=255)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("venue")
    )
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name"]

    def __str__(self) -> str:
        return self.name


# The furthest ahead a reminder may go out: beyond it, the delegate's plans are still open.
REMINDER_DAYS_MAX = 60


class Event(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=255)
    theme = models.CharField(_("theme"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    aims = models.TextField(_("aims"), blank=True)
    topics = models.TextField(
        _("topics"), blank=True, help_text=_("One topic per line; shown as a list.")
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=_time_zone_choices, default=_default_time_zone
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("venue"),
    )
    organisers = models.ManyToManyField(
        Organisation, blank=True, related_name="organised_events", verbose_name=_("organisers")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PublicationStatus, default=PublicationStatus.DRAFT
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    requires_approval = models.BooleanField(
        _("registrations need approval"),
        default=False,
        help_text=_("Registrations stay pending until staff approve them."),
    )
    nomination_deadline = models.DateTimeField(
        _("nomination deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Until then, delegations with a quota keep their unused places; after it, those "
            "places return to the event and the waiting list moves. A delegation may have its "
            "own."
        ),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    participants_public = models.BooleanField(
        _("list of participants is public"),
        default=False,
        help_text=_(
            "Off: only the event's confirmed delegates and staff see who takes part. Either "
            "way, only those who agreed to be listed appear."
        ),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        default="REG",
        validators=[
            RegexValidator(r"^[A-Z0-9]+$", _("Use capital Latin letters and digits only."))
        ],
        help_text=_("Starts every registration reference, e.g. EMN18 in EMN18-7K3QX."),
    )
    # Retention of the delegates' personal data (applied by `purge_personal_data`).
    privacy_sensitive_days = models.PositiveIntegerField(
        _("sensitive data kept for (days)"),
        default=_default_sensitive_days,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Days after the last day; then phone numbers and dietary, accessibility and "
            "interpretation needs are cleared."
        ),
    )
    privacy_anonymise_days = models.PositiveIntegerField(
        _("registrations kept for (days)"),
        default=_default_anonymise_days,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Days after the last day; then registrations are anonymised. Reference, status, "
            "country and role stay, for statistics."
        ),
    )

    # On by default: delegates who forget the venue or their badge cost the desk most.
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder (days before)"),
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(REMINDER_DAYS_MAX)],
        help_text=_(
            "Days before the first day when confirmed delegates are sent a reminder with "
            "their sessions, the venue, their badge and the calendar. Empty: no reminder."
        ),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="events_event_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=F("registration_opens")),
                name="events_event_registration_closes_after_opens",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(privacy_anonymise_days__gte=F("privacy_sensitive_days")),
                name="events_event_sensitive_data_cleared_before_anonymising",
                violation_error_message=_(
                    "Registrations cannot be anonymised before their sensitive data is cleared."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    def takes_registrations(self, now: datetime.datetime | None = None) -> bool:
        """Whether anyone may register now: published, and within the registration window.
        The one answer for the register button, the form, the edit page and the services."""
        return self.is_published and self.registration_state(now) == RegistrationState.OPEN

    def registration_state(self, now: datetime.datetime | None = None) -> RegistrationState:
        now = now or timezone.now()
        if self.registration_opens is None:
            return RegistrationState.NOT_SCHEDULED
        if now < self.registration_opens:
            return RegistrationState.NOT_YET_OPEN
        if self.registration_closes is not None and now >= self.registration_closes:
            return RegistrationState.CLOSED
        return RegistrationState.OPEN

    def reminders_due(self, now: datetime.datetime | None = None) -> bool:
        """Whether its reminders go out now: from `reminder_days` before the first day (in the
        event's time zone) until it starts, so a delegate confirmed late still gets one."""
        if self.reminder_days is None:
            return False
        now = now or timezone.now()
        today = timezone.localtime(now, zoneinfo.ZoneInfo(self.time_zone)).date()
        first = self.start_date - datetime.timedelta(days=self.reminder_days)
        return first <= today < self.start_date

    @property
    def topic_list(self) -> list[str]:
        return [line.strip() for line in (self.topics or "").splitlines() if line.strip()]


class Track(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=120)
    colour = models.CharField(
        _("colour"), max_length=7, default="#1D4F91", validators=[hex_colour_validator]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"),
                name="events_track_colour_is_hex",
                violation_error_message=hex_colour_validator.message,
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    honorific = models.CharField(
        _("honorific"), max_length=60, blank=True, help_text=_("e.g. Mr., Ms., Dr., Ambassador")
    )
    full_name = models.CharField(
        _("full name"),
        max_length=200,
        help_text=_(
            "Written in each language's script, e.g. Радослав Стаменков / Radoslav Stamenkov."
        ),
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
        verbose_name=_("organisation"),
    )
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.honorific} {self.full_name}".strip()


class Session(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening")
        KEYNOTE = "keynote", _("Keynote")
        PLENARY = "plenary", _("Plenary")
        PANEL = "panel", _("Panel")
        PRESENTATION = "presentation", _("Presentation")
        WORKSHOP = "workshop", _("Workshop")
        REGISTRATION = "registration", _("Registration")
        BREAK = "break", _("Break")
        MEAL = "meal", _("Meal")
        RECEPTION = "reception", _("Reception")
        CLOSING = "closing", _("Closing")

    # Nobody speaks at these, so a speaker or delegate may be in one while elsewhere.
    SOCIAL_KINDS = frozenset({Kind.REGISTRATION, Kind.BREAK, Kind.MEAL, Kind.RECEPTION})

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event")
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.PANEL)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    track = models.ForeignKey(
        Track,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("track"),
    )
    capacity = models.PositiveIntegerField(
        _("sign-up capacity"),
        null=True,
        blank=True,
        help_text=_("Only for sessions that delegates sign up for. Empty: no sign-up."),
    )
    floor_language = models.CharField(
        _("floor language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language spoken in the room. Empty for breaks and receptions."),
    )
    speakers = models.ManyToManyField(
        Speaker,
        through="SessionSpeaker",
        related_name="sessions",
        blank=True,
        verbose_name=_("speakers"),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "room__name", "pk"]
        indexes = [models.Index(fields=["event", "start"], name="events_session_event_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="events_session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:session", kwargs={"slug": self.event.slug, "pk": self.pk})

    @property
    def is_social(self) -> bool:
        return self.kind in self.SOCIAL_KINDS

    def clean(self) -> None:
        rules.session_validate(session=self)


class SessionSpeaker(models.Model):
    class Role(models.TextChoices):
        WELCOME = "welcome", _("Welcome address")
        KEYNOTE = "keynote", _("Keynote speaker")
        CHAIR = "chair", _("Chair")
        MODERATOR = "moderator", _("Moderator")
        PANELLIST = "panellist", _("Panellist")
        SPEAKER = "speaker", _("Speaker")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="appearances", verbose_name=_("session")
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.CASCADE, related_name="appearances", verbose_name=_("speaker")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.SPEAKER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("speaker in session")
        verbose_name_plural = _("speakers in session")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"],
                name="events_sessionspeaker_once_per_session",
                violation_error_message=_("This speaker is already in this session."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} — {self.get_role_display()}"

    def clean(self) -> None:
        rules.session_speaker_validate(appearance=self)


class Announcement(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("event")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PublicationStatus, default=PublicationStatus.DRAFT
    )

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slug"],
                name="events_announcement_slug_unique_per_event",
                violation_error_message=_("This event already has a news item with this slug."),
            ),
            models.CheckConstraint(
                condition=Q(status=PublicationStatus.DRAFT) | Q(published_at__isnull=False),
                name="events_announcement_published_has_time",
                violation_error_message=_("A published news item needs a publication time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "events:news_detail", kwargs={"slug": self.event.slug, "news_slug": self.slug}
        )

    @property
    def is_public(self) -> bool:
        return (
            self.status == PublicationStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class SessionInterpretation(models.Model):
    """Interpretation offered in a session: into which language, on which receiver channel."""

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="interpretations",
        verbose_name=_("session"),
    )
    language = models.CharField(_("into"), max_length=10, choices=settings.LANGUAGES)
    channel = models.PositiveSmallIntegerField(
        _("channel"),
        validators=[MinValueValidator(1)],
        help_text=_("The channel to choose on the receiver."),
    )

    class Meta:
        verbose_name = _("interpretation")
        verbose_name_plural = _("interpretation")
        ordering = ["channel", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "language"],
                name="events_sessioninterpretation_language_once",
                violation_error_message=_(
                    "This session already has interpretation into this language."
                ),
            ),
            models.UniqueConstraint(
                fields=["session", "channel"],
                name="events_sessioninterpretation_channel_once",
                violation_error_message=_("This channel is already used in this session."),
            ),
            models.CheckConstraint(
                condition=Q(channel__gte=1),
                name="events_sessioninterpretation_channel_positive",
                violation_error_message=_("Channels are numbered from 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} ({self.channel})"

    def clean(self) -> None:
        # The session of the page, as typed (a new one has no id yet), else the stored one.
        session = self._state.fields_cache.get("session")
        if session is None and self.session_id is not None:
            session = self.session
        if session is not None and self.language == session.floor_language:
            raise ValidationError(
                {"language": _("The session is held in this language: nothing to interpret.")}
            )


class SessionMaterial(models.Model):
    """A file or a link about a session (slides, a paper, a recording), public once published."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        PAPER = "paper", _("Paper")
        RECORDING = "recording", _("Recording")
        OTHER = "other", _("Other")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="materials", verbose_name=_("session")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.SLIDES)
    title = models.CharField(_("title"), max_length=255)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    file = models.FileField(
        _("file"),
        upload_to=material_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_material_file],
        help_text=_("PDF, DOCX, PPTX, XLSX, ODT, ODP or ODS. Or give a link instead."),
    )
    url = models.URLField(
        _("link"), max_length=500, blank=True, help_text=_("e.g. a recording. Or upload a file.")
    )
    published_at = models.DateTimeField(
        _("public from"),
        null=True,
        blank=True,
        help_text=_("Empty: when the session ends."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="events_sessionmaterial_file_or_link",
                violation_error_message=_("Upload a file or give a link: exactly one of them."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def public_from():
        """When a material becomes public, as a query expression: its own time, else the
        end of its session. The one rule for pages, feeds and the cache's refresh."""
        return Coalesce(F("published_at"), F("session__end"))

    @property
    def href(self) -> str:
        return self.file.url if self.file else self.url
