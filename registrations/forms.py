import hashlib
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from events import queries as event_queries
from events.models import Event

from . import queries, services
from .models import Message, Nomination, Registration
from .services import DETAIL_FIELDS


class SessionChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple
    time_zone = None  # the event's, set by the form

    def clean(self, value):
        # An id past 64 bits is no session's, and SQLite cannot even compare one (an
        # OverflowError in Django's lookup: a server error for a forged form). Refused first.
        for item in value if isinstance(value, list | tuple) else ():
            if _beyond_64_bits(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super().clean(value)

    def label_from_instance(self, session):
        start = timezone.localtime(session.start, self.time_zone)
        seats_left = queries.session_seats(session=session).free
        when = f"{date_format(start, 'j E')}, {date_format(start, 'H:i')}"
        if seats_left:
            seats = _("%(count)s of %(capacity)s seats free") % {
                "count": seats_left,
                "capacity": session.capacity,
            }
        else:
            seats = _("full: you will be on the waiting list")
        return f"{session.title} ({when}; {seats})"


def _beyond_64_bits(item) -> bool:
    try:
        return abs(int(str(item))) >= 2**63
    except ValueError:
        return False


class RegistrationDetailsForm(forms.ModelForm):
    """What a delegate tells us about themselves; the rules are applied by the services."""

    required_css_class = "required"

    sessions = SessionChoiceField(
        label=_("Sessions with limited seats"),
        queryset=None,
        required=False,
        help_text=_("Optional. If a session is full, you join its waiting list."),
    )

    class Meta:
        model = Registration
        fields = DETAIL_FIELDS
        widgets = {
            "dietary_requirements": forms.TextInput(),
            "accessibility_needs": forms.TextInput(),
            "passport_expiry": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    # Shown together after "needs a visa letter" (templates/registrations/_form.html).
    passport_field_names = Registration.PASSPORT_FIELDS

    @property
    def passport_fields(self):
        return [self[name] for name in self.passport_field_names]

    def __init__(self, *args, event: Event, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["sessions"].queryset = queries.signup_sessions_for_event(event=event)
        self.fields["sessions"].time_zone = zoneinfo.ZoneInfo(event.time_zone)
        if not self.fields["sessions"].queryset.exists():
            del self.fields["sessions"]
        if not self.instance.pk:
            self.fields["language"].initial = get_language()
        self.fields["phone"].help_text = _("International format, e.g. +359 2 987 6543.")
        interpretation = self.fields["interpretation_language"]
        interpretation.help_text = _(
            "The language you want to listen to, if you need interpretation."
        )
        # Only into the languages the event interprets into, and what was chosen before.
        languages = event_queries.interpretation_languages(event=event)
        chosen = self.instance.interpretation_language
        if chosen and chosen not in languages:
            languages.append(chosen)
        interpretation.choices = Registration.interpretation_choices(languages)
        autocomplete = {
            "given_name": "given-name",
            "family_name": "family-name",
            "honorific": "honorific-prefix",
            "position": "organization-title",
            "organisation": "organization",
            "phone": "tel",
            "country": "country",
            "date_of_birth": "bday",
            "passport_number": "off",
        }
        for name, token in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = token

    def clean(self):
        cleaned = super().clean()
        # The services check these again; here they show up together with field errors.
        typed = {name: cleaned[name] for name in DETAIL_FIELDS if name in cleaned}
        try:
            services.registration_details_validate(details=typed)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        return cleaned

    @property
    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}

    @property
    def chosen_sessions(self):
        return self.cleaned_data.get("sessions") or []


class RegistrationCreateForm(RegistrationDetailsForm):
    invitation_code = forms.CharField(
        label=_("Delegation invitation code"),
        max_length=40,
        required=False,
        help_text=_(
            "If your delegation's head sent you a code, e.g. K7QX-M3PT-9HWR (small or capital "
            "letters, with or without the dashes). Their link fills it in."
        ),
        widget=forms.TextInput(
            # Ready for the next badge: a handheld scanner types the code and presses Enter.
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    privacy_accepted = forms.BooleanField(
        widget=forms.CheckboxInput(attrs={"aria-describedby": "privacy-notice"}),
        label=_(
            "I have read the privacy notice and agree to my data being processed as it describes."
        ),
        required=True,
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )


class CancelForm(forms.Form):
    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    confirm = forms.BooleanField(
        label=_("Yes, cancel my registration."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class ExportForm(forms.Form):
    event = forms.ModelChoiceField(label=_("Event"), queryset=Event.objects.order_by("-start_date"))
    dataset = forms.ChoiceField(label=_("List"))
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV (UTF-8)")]
    )
    language = forms.ChoiceField(label=_("Column headers in"), choices=settings.LANGUAGES)

    def __init__(self, *args, user, **kwargs):
        from .exports import DATASETS, dataset_allowed

        super().__init__(*args, **kwargs)
        # A list the user may not export is not offered, and refused if sent anyway.
        self.fields["dataset"].choices = [
            (name, d.label) for name, d in DATASETS.items() if dataset_allowed(name, user)
        ]
        self.fields["language"].initial = get_language()


class PrivacyNoticeAcceptForm(forms.Form):
    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    accept = forms.BooleanField(
        label=_("I have read the privacy notice and accept it."),
        required=True,
        error_messages={"required": _("Tick the box to accept the privacy notice.")},
    )
    # The notices the page showed: accepting applies to them, not to one published since.
    notices = forms.CharField(widget=forms.HiddenInput, required=False)


class MessageForm(forms.ModelForm):
    """A message to the registrations a filtered list shows: subject and text in every
    language. `key` names this form's message, so that submitting it twice sends it once;
    `previewed` says which texts the sender has seen previewed (only those are sent)."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Message
        fields = [
            "event",
            *(f"{name}_{code}" for name in ("subject", "body") for code, _n in settings.LANGUAGES),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.order_by("-start_date")
        names = dict(settings.LANGUAGES)
        for code in names:
            self.fields[f"subject_{code}"].label = _("Subject (%(language)s)") % {
                "language": names[code]
            }
            self.fields[f"body_{code}"].label = _("Text (%(language)s)") % {"language": names[code]}
            self.fields[f"body_{code}"].widget.attrs.update(rows=8)
            self.fields[f"subject_{code}"].widget.attrs.update(size=60)

    def texts(self) -> dict[str, str]:
        """The translated fields as the service takes them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "event"}

    def fingerprint(self, *, filters: str) -> str:
        """What the preview showed: the texts, the event and the list's filters."""
        seen = [str(self.cleaned_data["event"].pk), filters, *self.texts().values()]
        return hashlib.sha256("\x1f".join(seen).encode()).hexdigest()


class NominationForm(forms.ModelForm):
    """The head of a delegation invites a person; the services apply the rules."""

    required_css_class = "required"

    class Meta:
        model = Nomination
        fields = ["given_name", "family_name", "email", "language"]
        help_texts = {
            "email": _("The invitation to register is sent to this address."),
            "language": _("The invitation is written in this language."),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = get_language()
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    @property
    def person(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class WithdrawMemberForm(forms.Form):
    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    confirm = forms.BooleanField(
        label=_("Yes, withdraw this member: their registration is cancelled."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


class NominationLetterForm(forms.Form):
    letter = forms.FileField(
        label=_("Nomination letter (PDF)"),
        help_text=_("The official letter naming your delegation's members, as a PDF file."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_letter(self):
        letter = self.cleaned_data["letter"]
        try:
            services.nomination_letter_validate(upload=letter)
        except ValidationError as error:
            raise ValidationError(error.message_dict["letter"]) from error
        return letter


class CheckInSessionField(forms.ModelChoiceField):
    time_zone = None  # the event's, set by the form

    def to_python(self, value):
        if _beyond_64_bits(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, session):
        start = timezone.localtime(session.start, self.time_zone)
        return f"{date_format(start, 'j E, H:i')} {session.title}"


class CheckInForm(forms.Form):
    """A scanned code or a typed reference, at the door or at a session with sign-up."""

    required_css_class = "required"

    code = forms.CharField(
        label=_("Badge code or reference"),
        max_length=services.CHECKIN_CODE_MAX_LENGTH,
        help_text=_("Scan the QR code, or type the reference printed under it."),
        widget=forms.TextInput(
            # Ready for the next badge: a handheld scanner types the code and presses Enter.
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Scan a badge or type its reference.")},
    )
    session = CheckInSessionField(
        label=_("Where"),
        queryset=None,
        required=False,
        empty_label=_("At the door of the event"),
    )
    # The device's own name (the page's script keeps one); without it, the browser's.
    device = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, event: Event, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = queries.checkin_sessions(event=event)
        self.fields["session"].time_zone = zoneinfo.ZoneInfo(event.time_zone)

    def clean_device(self) -> str:
        # Written by the page's script, never typed: a longer name is cut, not an error that
        # staff at the door could do nothing about.
        return self.cleaned_data["device"][: services.CHECKIN_DEVICE_MAX_LENGTH]
