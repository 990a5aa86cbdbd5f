from pathlib import Path

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from events import demo
from events.models import (
    Announcement,
    Event,
    Organisation,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from registrations.models import Delegation, LetterTemplate, PrivacyNotice

pytestmark = pytest.mark.django_db

REFERENCE = (
    Path(__file__).parent.parent / "fixtures" / "emn-2018-annual-conference.txt"
).read_text(encoding="utf-8")
MODELS = [
    Organisation,
    Venue,
    Room,
    Event,
    Track,
    Speaker,
    Session,
    SessionSpeaker,
    Announcement,
    Delegation,
    PrivacyNotice,
    LetterTemplate,
]


def _snapshot() -> str:
    return "".join(serializers.serialize("json", model.objects.order_by("pk")) for model in MODELS)


def test_load_demo_twice_changes_nothing():
    call_command("load_demo")
    first = _snapshot()
    call_command("load_demo")
    assert _snapshot() == first
    assert Event.objects.count() == 1


def test_demo_event_is_the_emn_2018_conference_in_both_languages():
    call_command("load_demo")
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
    assert (event.start_date.isoformat(), event.end_date.isoformat()) == (
        "2018-05-14",
        "2018-05-15",
    )


def test_demo_topics_are_the_announced_topics_word_for_word():
    call_command("load_demo")
    event = Event.objects.get(slug="emn-2018")
    assert (
        "Topics to be discussed include: " + "; ".join(event.topics_en.splitlines()) + "."
        in REFERENCE
    )
    assert "включват: " + "; ".join(event.topics_bg.splitlines()) + "." in REFERENCE


def test_demo_news_item_is_the_announcement_itself():
    call_command("load_demo")
    news = Announcement.objects.get(event__slug="emn-2018")
    for paragraph in news.body_en.split("\n\n") + news.body_bg.split("\n\n"):
        assert paragraph in REFERENCE


def test_demo_people_have_the_announced_positions():
    call_command("load_demo")
    stamenkov = Speaker.objects.get(slug="radoslav-stamenkov")
    assert (stamenkov.honorific_bg, stamenkov.full_name_bg) == ("Г-н", "Радослав Стаменков")
    assert (stamenkov.honorific_en, stamenkov.full_name_en) == ("Mr.", "Radoslav Stamenkov")
    assert "Ръководител на Мисията на МОМ в България" in REFERENCE
    assert stamenkov.position_bg == "Ръководител на Мисията на МОМ в България"
    thompson = Speaker.objects.get(slug="laura-thompson")
    assert f"{thompson.honorific_en} {thompson.full_name_en}, {thompson.position_en}" in REFERENCE
    assert f"{thompson.honorific_bg} {thompson.full_name_bg}" in REFERENCE


def test_demo_agenda_follows_every_topic_over_two_days():
    call_command("load_demo")
    titles = set(Session.objects.values_list("title_en", flat=True))
    for topic in demo.TOPICS_EN:
        assert topic[0].upper() + topic[1:] in titles
    days = {s.start.astimezone(demo.TZ).date() for s in Session.objects.all()}
    assert days == {demo.DAY_1, demo.DAY_2}
    for session in Session.objects.all():
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
def test_demo_agenda_page_is_in_the_visitor_language(client, language, title, speaker):
    call_command("load_demo")
    html = client.get(f"/{language}/events/emn-2018/agenda/").content.decode()
    assert title in html
    assert speaker in html


def test_demo_accounts_need_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", "--with-accounts")


def test_demo_accounts_log_into_the_admin(client, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-accounts")
    assert client.login(email="editor@example.org", password="emn-demo-editor")
    assert client.get("/en/admin/events/session/").status_code == 200


def test_demo_visa_letter_renders_for_a_delegate():
    from registrations import documents
    from tests.factories import RegistrationFactory

    call_command("load_demo")
    event = Event.objects.get(slug="emn-2018")
    registration = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    LetterTemplate.objects.get(event=event).full_clean()
    pdf = documents.visa_letter_pdf(registration, event.letter_template, "en")
    assert pdf.startswith(b"%PDF")
