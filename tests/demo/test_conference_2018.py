"""The 2018 conference as the demo builds it: the announcement's own words, in both languages."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from demo import builder, content
from events.models import Announcement, Event, Session, Speaker
from registrations import documents
from registrations.models import LetterTemplate
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

REFERENCE = (
    Path(__file__).parent.parent / "fixtures" / "emn-2018-annual-conference.txt"
).read_text(encoding="utf-8")


@pytest.fixture
def demo(db):
    call_command("load_demo")


def test_the_2018_event_is_the_emn_2018_conference_in_both_languages(demo):
    event = Event.objects.get(slug="emn-2018")
    assert event.title_en == "European Migration Network Annual Conference 2018"
    assert event.title_bg == "Годишна конференция на Европейската мрежа по миграция 2018"
    assert (
        event.theme_en
        == "Crossroads of Migration: Challenges and success factors in managing migration flows"
    )
    assert event.theme_bg == (
        "Пътища на миграцията: Предизвикателства и фактори за успех в управлението на "
        "миграционните потоци"
    )
    assert event.aims_en in REFERENCE
    assert event.aims_bg in REFERENCE
    assert sorted(o.name_en for o in event.organisers.all()) == [
        "IOM Bulgaria",
        "Ministry of the Interior",
    ]
    assert (event.start_date, event.end_date) == (
        datetime.date(2018, 5, 14),
        datetime.date(2018, 5, 15),
    )


def test_topics_are_the_announced_topics_word_for_word(demo):
    event = Event.objects.get(slug="emn-2018")
    assert (
        "Topics to be discussed include: " + "; ".join(event.topics_en.splitlines()) + "."
        in REFERENCE
    )
    assert "включват: " + "; ".join(event.topics_bg.splitlines()) + "." in REFERENCE


def test_the_news_item_is_the_announcement_itself(demo):
    news = Announcement.objects.get(event__slug="emn-2018")
    for paragraph in news.body_en.split("\n\n") + news.body_bg.split("\n\n"):
        assert paragraph in REFERENCE
    assert news.published_at == datetime.datetime(2018, 5, 14, 13, tzinfo=builder.TZ)


def test_people_have_the_announced_positions(demo):
    stamenkov = Speaker.objects.get(slug="radoslav-stamenkov")
    assert (stamenkov.honorific_bg, stamenkov.full_name_bg) == ("Г-н", "Радослав Стаменков")
    assert (stamenkov.honorific_en, stamenkov.full_name_en) == ("Mr.", "Radoslav Stamenkov")
    assert "Ръководител на Мисията на МОМ в България" in REFERENCE
    assert stamenkov.position_bg == "Ръководител на Мисията на МОМ в България"
    thompson = Speaker.objects.get(slug="laura-thompson")
    assert f"{thompson.honorific_en} {thompson.full_name_en}, {thompson.position_en}" in REFERENCE
    assert f"{thompson.honorific_bg} {thompson.full_name_bg}" in REFERENCE


def test_the_agenda_follows_every_topic_over_the_two_days_of_2018(demo):
    sessions = Session.objects.filter(event__slug="emn-2018")
    titles = set(sessions.values_list("title_en", flat=True))
    for topic in content.TOPICS_EN:
        assert topic[0].upper() + topic[1:] in titles
    days = {s.start.astimezone(builder.TZ).date() for s in sessions}
    assert days == {datetime.date(2018, 5, 14), datetime.date(2018, 5, 15)}
    for session in sessions:
        session.full_clean()


@pytest.mark.parametrize(
    ("language", "title", "speaker"),
    [
        (
            "bg",
            "Мултидисциплинарни подходи в ефективното сътрудничество в сферата на нередовната "
            "миграция",
            "Радослав Стаменков",
        ),
        (
            "en",
            "Multi-disciplinary approaches to effective cooperation in irregular migration "
            "management",
            "Radoslav Stamenkov",
        ),
    ],
)
def test_the_agenda_page_is_in_the_visitor_language(client, demo, language, title, speaker):
    html = client.get(f"/{language}/events/emn-2018/agenda/").content.decode()
    assert title in html
    assert speaker in html


def test_the_visa_letter_renders_for_a_delegate(demo):
    event = Event.objects.get(slug="emn-2018")
    registration = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    LetterTemplate.objects.get(event=event).full_clean()
    pdf = documents.visa_letter_pdf(registration, event.letter_template, "en")
    assert pdf.startswith(b"%PDF")
