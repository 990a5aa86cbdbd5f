import datetime
import zoneinfo

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from events.models import (
    Announcement,
    Event,
    Organisation,
    PublicationStatus,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from registrations.models import (
    Delegation,
    IssuedDocument,
    LetterTemplate,
    PrivacyNotice,
    Registration,
)

SOFIA = zoneinfo.ZoneInfo("Europe/Sofia")


def sofia(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SOFIA)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct horse battery staple")


class VerifiedUserFactory(UserFactory):
    """A user whose email address allauth has verified, as after the confirmation link."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name_en = factory.Sequence(lambda n: f"Ministry {n}")
    name_bg = factory.Sequence(lambda n: f"Министерство {n}")
    kind = Organisation.Kind.GOVERNMENT
    country = "BG"


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    name_en = factory.Sequence(lambda n: f"Congress centre {n}")
    name_bg = factory.Sequence(lambda n: f"Конгресен център {n}")
    city_en = "Sofia"
    city_bg = "София"
    country = "BG"


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name_en = factory.Sequence(lambda n: f"Hall {n}")
    name_bg = factory.Sequence(lambda n: f"Зала {n}")
    capacity = 100


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"conference-{n}")
    title_en = factory.Sequence(lambda n: f"Annual Conference {n}")
    title_bg = factory.Sequence(lambda n: f"Годишна конференция {n}")
    theme_en = "Managing migration flows"
    theme_bg = "Управление на миграционните потоци"
    start_date = datetime.date(2030, 5, 14)
    end_date = datetime.date(2030, 5, 15)
    time_zone = "Europe/Sofia"
    venue = factory.SubFactory(VenueFactory)
    status = PublicationStatus.PUBLISHED


class TrackFactory(DjangoModelFactory):
    class Meta:
        model = Track

    event = factory.SubFactory(EventFactory)
    name_en = factory.Sequence(lambda n: f"Borders {n}")
    name_bg = factory.Sequence(lambda n: f"Граници {n}")
    colour = "#1D4F91"


class SpeakerFactory(DjangoModelFactory):
    class Meta:
        model = Speaker

    slug = factory.Sequence(lambda n: f"speaker-{n}")
    honorific_en = "Ms."
    honorific_bg = "Г-жа"
    full_name_en = factory.Sequence(lambda n: f"Maria Ivanova {n}")
    full_name_bg = factory.Sequence(lambda n: f"Мария Иванова {n}")
    position_en = "Head of Unit"
    position_bg = "Началник на отдел"
    organisation = factory.SubFactory(OrganisationFactory)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title_en = factory.Sequence(lambda n: f"Smart borders {n}")
    title_bg = factory.Sequence(lambda n: f"Интелигентни граници {n}")
    kind = Session.Kind.PANEL
    start = factory.LazyAttribute(lambda o: sofia(o.event.start_date, 10))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=1))


class SessionSpeakerFactory(DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = SessionSpeaker.Role.SPEAKER


class AnnouncementFactory(DjangoModelFactory):
    class Meta:
        model = Announcement

    event = factory.SubFactory(EventFactory)
    slug = factory.Sequence(lambda n: f"news-{n}")
    title_en = factory.Sequence(lambda n: f"Conference opens {n}")
    title_bg = factory.Sequence(lambda n: f"Конференцията е открита {n}")
    body_en = "The conference started this morning."
    body_bg = "Конференцията бе открита тази сутрин."
    status = PublicationStatus.PUBLISHED
    published_at = datetime.datetime(2020, 5, 14, 9, tzinfo=SOFIA)


class PrivacyNoticeFactory(DjangoModelFactory):
    class Meta:
        model = PrivacyNotice
        django_get_or_create = ["version"]

    version = "2030-01"
    text_en = "We process your data to organise the conference."
    text_bg = "Обработваме данните ви, за да организираме конференцията."
    effective_from = datetime.datetime(2020, 1, 1, tzinfo=SOFIA)


class OpenEventFactory(EventFactory):
    """An event whose registration window is open now."""

    registration_opens = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    registration_closes = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    reference_prefix = "EMN30"


class DelegationFactory(DjangoModelFactory):
    class Meta:
        model = Delegation

    event = factory.SubFactory(OpenEventFactory)
    name_en = factory.Sequence(lambda n: f"IOM Office {n}")
    name_bg = factory.Sequence(lambda n: f"Офис на МОМ {n}")
    country = "AT"


DETAILS = {
    "honorific": "Ms.",
    "given_name": "Anna",
    "family_name": "Huber",
    "given_name_latin": "",
    "family_name_latin": "",
    "position": "Migration officer",
    "organisation": "IOM Austria",
    "country": "AT",
    "phone": "+43 1 5812222",
    "language": "en",
    "dietary_requirements": "",
    "accessibility_needs": "",
    "interpretation_language": "",
    "needs_visa_letter": False,
    "photo_consent": False,
    "listing_consent": False,
}


# What a delegate who needs a visa letter adds (required then).
PASSPORT = {
    "passport_number": "385123456",
    "passport_country": "BG",
    "passport_expiry": datetime.date(2031, 5, 1),
    "nationality": "BG",
    "date_of_birth": datetime.date(1980, 2, 3),
}


def details(**overrides) -> dict:
    """Registration details as a delegate types them into the form."""
    return {**DETAILS, **overrides}


class RegistrationFactory(DjangoModelFactory):
    """A registration saved as it stands; use the services to apply the rules."""

    class Meta:
        model = Registration

    event = factory.SubFactory(OpenEventFactory)
    user = factory.SubFactory(VerifiedUserFactory)
    reference = factory.Sequence(lambda n: f"EMN30-{n:05d}")
    status = Registration.Status.CONFIRMED
    given_name = "Anna"
    family_name = factory.Sequence(lambda n: f"Huber {n}")
    organisation = "IOM Austria"
    country = "AT"
    language = "en"
    privacy_notice = factory.SubFactory(PrivacyNoticeFactory)
    privacy_accepted_at = factory.LazyFunction(timezone.now)


def stamenkov_speaker() -> Speaker:
    """The speaker the demo announcement names, in both scripts."""
    return SpeakerFactory(
        slug="radoslav-stamenkov",
        honorific_en="Mr.",
        honorific_bg="Г-н",
        full_name_en="Radoslav Stamenkov",
        full_name_bg="Радослав Стаменков",
        position_en="Head of Office",
        position_bg="Ръководител на Мисията",
    )


# Session languages, interpretation and materials.
from events.models import SessionInterpretation, SessionMaterial  # noqa: E402


class SessionInterpretationFactory(DjangoModelFactory):
    class Meta:
        model = SessionInterpretation

    session = factory.SubFactory(SessionFactory, floor_language="en")
    language = "bg"
    channel = 1


class SessionMaterialFactory(DjangoModelFactory):
    """A link (a file needs real content: `pdf_bytes`, `pptx_bytes`), public since a day ago."""

    class Meta:
        model = SessionMaterial

    session = factory.SubFactory(SessionFactory)
    kind = SessionMaterial.Kind.SLIDES
    title_en = factory.Sequence(lambda n: f"Slides {n}")
    title_bg = factory.Sequence(lambda n: f"Презентация {n}")
    language = "en"
    url = factory.Sequence(lambda n: f"https://example.org/materials/{n}")
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


def pdf_bytes(text: str = "Smart borders") -> bytes:
    """A small real PDF with one page saying `text`."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def pptx_bytes(*, macros: bool = False) -> bytes:
    """A minimal Office Open XML presentation, as PowerPoint's parts name it."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("ppt/presentation.xml", '<?xml version="1.0"?><presentation/>')
        if macros:
            archive.writestr("ppt/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def empty_inline(prefix: str) -> dict[str, str]:
    """The management form of an admin inline posted with no rows."""
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


class LetterTemplateFactory(DjangoModelFactory):
    """An event's visa letter, in both languages."""

    class Meta:
        model = LetterTemplate

    event = factory.SubFactory(OpenEventFactory)
    letterhead_en = "Ministry of the Interior\n29 Shesti Septemvri Str., 1000 Sofia"
    letterhead_bg = "Министерство на вътрешните работи\nул. „6-ти септември“ 29, 1000 София"
    place_en = "Sofia"
    place_bg = "София"
    body_en = "We are pleased to invite {name}, {organisation}, to the {event} on {dates}."
    body_bg = "Имаме удоволствието да поканим {name}, {organisation}, на {event}, {dates}."
    costs_en = "Travel and accommodation are paid by the participant."
    costs_bg = "Пътуването и настаняването се заплащат от участника."
    signatory_name_en = "Maria Ivanova"
    signatory_name_bg = "Мария Иванова"
    signatory_position_en = "Head of the EMN National Contact Point"
    signatory_position_bg = "Ръководител на националната точка за контакт към ЕММ"


class VisaRegistrationFactory(RegistrationFactory):
    """A confirmed delegate who asked for a visa letter and gave their passport details."""

    given_name = "Олена"
    family_name = "Коваленко"
    given_name_latin = "Olena"
    family_name_latin = "Kovalenko"
    country = "UA"
    needs_visa_letter = True
    passport_number = "FE123456"
    passport_country = "UA"
    passport_expiry = datetime.date(2035, 5, 1)
    nationality = "UA"
    date_of_birth = datetime.date(1984, 7, 9)


class IssuedDocumentFactory(DjangoModelFactory):
    class Meta:
        model = IssuedDocument

    registration = factory.SubFactory(VisaRegistrationFactory)
    kind = IssuedDocument.Kind.VISA_LETTER
    issued_at = factory.LazyFunction(timezone.now)
