import datetime
import zoneinfo

import factory
from django.contrib.auth import get_user_model
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

SOFIA = zoneinfo.ZoneInfo("Europe/Sofia")


def sofia(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SOFIA)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct horse battery staple")


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
