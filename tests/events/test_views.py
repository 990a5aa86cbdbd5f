import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from events.models import PublicationStatus
from tests.factories import (
    AnnouncementFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionInterpretationFactory,
    SessionMaterialFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    sofia,
    stamenkov_speaker,
)

pytestmark = pytest.mark.django_db


def url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def programme(event):
    """An event with one session, one speaker and one news item, titled in both languages."""
    room = RoomFactory(venue=event.venue, name_en="Plenary hall", name_bg="Пленарна зала")
    track = TrackFactory(event=event, name_en="Borders", name_bg="Граници")
    session = SessionFactory(
        event=event,
        room=room,
        track=track,
        title_en="Smart borders",
        title_bg="Интелигентни граници",
    )
    speaker = stamenkov_speaker()
    SessionSpeakerFactory(session=session, speaker=speaker, role="welcome")
    news = AnnouncementFactory(
        event=event, title_en="Conference opens", title_bg="Конференцията е открита"
    )
    return {"event": event, "session": session, "speaker": speaker, "news": news}


def page_urls(programme, language):
    event = programme["event"]
    return {
        "home": url("events:home", language),
        "detail": url("events:detail", language, slug=event.slug),
        "agenda": url("events:agenda", language, slug=event.slug),
        "session": url("events:session", language, slug=event.slug, pk=programme["session"].pk),
        "speakers": url("events:speakers", language, slug=event.slug),
        "speaker": url(
            "events:speaker", language, slug=event.slug, speaker_slug=programme["speaker"].slug
        ),
        "news": url("events:news", language, slug=event.slug),
        "news_detail": url(
            "events:news_detail", language, slug=event.slug, news_slug=programme["news"].slug
        ),
    }


EXPECTED = {
    # page: (text shown in Bulgarian, text shown in English)
    "home": ("Годишна конференция", "Annual Conference"),
    "detail": ("Управление на миграционните потоци", "Managing migration flows"),
    "agenda": ("Интелигентни граници", "Smart borders"),
    "session": ("Ръководител на Мисията", "Head of Office"),
    "speakers": ("Радослав Стаменков", "Radoslav Stamenkov"),
    "speaker": ("Г-н", "Mr."),
    "news": ("Конференцията е открита", "Conference opens"),
    "news_detail": (
        "Конференцията бе открита тази сутрин.",
        "The conference started this morning.",
    ),
}


@pytest.mark.parametrize("page", list(EXPECTED))
@pytest.mark.parametrize(("language", "other"), [("bg", "en"), ("en", "bg")])
def test_public_page_shows_content_in_its_language(client, programme, page, language, other):
    response = client.get(page_urls(programme, language)[page])
    assert response.status_code == 200
    html = response.content.decode()
    shown, hidden = EXPECTED[page] if language == "bg" else reversed(EXPECTED[page])
    assert shown in html
    assert hidden not in html
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("page", list(EXPECTED))
def test_public_page_links_to_the_same_page_in_the_other_language(client, programme, page):
    bg, en = page_urls(programme, "bg")[page], page_urls(programme, "en")[page]
    html = client.get(bg).content.decode()
    assert f'<a href="{en}" hreflang="en" lang="en">English</a>' in html
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{en}">' in html
    assert f'<link rel="alternate" hreflang="bg" href="http://testserver{bg}">' in html


def test_language_switch_keeps_the_agenda_filters(client, programme):
    event = programme["event"]
    html = client.get(
        url("events:agenda", "en", slug=event.slug) + "?day=2030-05-14"
    ).content.decode()
    assert f'href="/bg/events/{event.slug}/agenda/?day=2030-05-14"' in html


@pytest.mark.parametrize(
    ("accept", "target"), [("bg,en;q=0.5", "/bg/"), ("en-GB,en;q=0.9", "/en/")]
)
def test_root_sends_visitor_to_their_language(client, accept, target):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize(("language", "text"), [("bg", "14–15 май 2030"), ("en", "14–15 May 2030")])
def test_event_page_shows_dates_in_the_language_format(client, event, language, text):
    html = client.get(url("events:detail", language, slug=event.slug)).content.decode()
    assert text in html


def test_missing_translation_falls_back_and_is_marked_with_its_language(client):
    event = EventFactory(title_bg="", title_en="Crossroads of Migration")
    html = client.get(url("events:detail", "bg", slug=event.slug)).content.decode()
    assert '<h1 lang="en">Crossroads of Migration</h1>' in html


def test_translated_text_carries_no_language_mark(client, event):
    html = client.get(url("events:detail", "bg", slug=event.slug)).content.decode()
    assert f"<h1>{event.title_bg}</h1>" in html


def test_draft_event_is_hidden_from_the_public(client):
    event = EventFactory(status=PublicationStatus.DRAFT)
    SessionFactory(event=event)
    for name in ["events:detail", "events:agenda", "events:speakers", "events:news"]:
        assert client.get(url(name, "en", slug=event.slug)).status_code == 404
    assert event.title_en not in client.get(url("events:home", "en")).content.decode()


def test_draft_event_is_shown_to_staff_with_a_notice(client, staff_user):
    event = EventFactory(status=PublicationStatus.DRAFT)
    client.force_login(staff_user)
    response = client.get(url("events:detail", "en", slug=event.slug))
    assert response.status_code == 200
    assert "This event is a draft. Only staff can see this page." in response.content.decode()


def test_unpublished_news_is_hidden_from_the_public(client, event):
    draft = AnnouncementFactory(event=event, status=PublicationStatus.DRAFT, published_at=None)
    scheduled = AnnouncementFactory(event=event, published_at=sofia(datetime.date(2099, 1, 1), 9))
    for item in (draft, scheduled):
        detail = url("events:news_detail", "en", slug=event.slug, news_slug=item.slug)
        assert client.get(detail).status_code == 404
    html = client.get(url("events:news", "en", slug=event.slug)).content.decode()
    assert draft.title_en not in html
    assert scheduled.title_en not in html


def test_unpublished_news_is_shown_to_staff(client, event, staff_user):
    draft = AnnouncementFactory(event=event, status=PublicationStatus.DRAFT, published_at=None)
    client.force_login(staff_user)
    detail = url("events:news_detail", "en", slug=event.slug, news_slug=draft.slug)
    assert "This news item is not published." in client.get(detail).content.decode()


def test_session_of_another_event_is_not_found(client, event):
    other = SessionFactory()
    assert client.get(url("events:session", "en", slug=event.slug, pk=other.pk)).status_code == 404


def test_speaker_who_does_not_speak_at_the_event_is_not_found(client, event):
    speaker = SpeakerFactory()
    SessionSpeakerFactory(speaker=speaker)  # at another event
    response = client.get(url("events:speaker", "en", slug=event.slug, speaker_slug=speaker.slug))
    assert response.status_code == 404


def test_unknown_event_is_not_found_in_the_visitor_language(client):
    response = client.get("/bg/events/no-such-event/")
    assert response.status_code == 404
    assert "Страницата не е намерена" in response.content.decode()


def _agenda_titles(html: str) -> list[str]:
    return re.findall(r'class="agenda-item__title"><a [^>]*>([^<]+)</a>', html)


@pytest.fixture
def two_days(event):
    borders = TrackFactory(event=event, name_en="Borders")
    asylum = TrackFactory(event=event, name_en="Asylum")
    SessionFactory(
        event=event, title_en="Day one borders", track=borders, start=sofia(event.start_date, 9)
    )
    SessionFactory(
        event=event, title_en="Day one asylum", track=asylum, start=sofia(event.start_date, 11)
    )
    SessionFactory(
        event=event, title_en="Day two borders", track=borders, start=sofia(event.end_date, 9)
    )
    return {"borders": borders, "asylum": asylum}


def test_agenda_lists_sessions_by_day_in_time_order(client, event, two_days):
    html = client.get(url("events:agenda", "en", slug=event.slug)).content.decode()
    assert _agenda_titles(html) == ["Day one borders", "Day one asylum", "Day two borders"]
    assert html.index("Tuesday, 14 May 2030") < html.index("Wednesday, 15 May 2030")


def test_agenda_filters_by_day(client, event, two_days):
    html = client.get(
        url("events:agenda", "en", slug=event.slug), {"day": "2030-05-15"}
    ).content.decode()
    assert _agenda_titles(html) == ["Day two borders"]


def test_agenda_filters_by_track(client, event, two_days):
    response = client.get(
        url("events:agenda", "en", slug=event.slug), {"track": two_days["borders"].pk}
    )
    assert _agenda_titles(response.content.decode()) == ["Day one borders", "Day two borders"]


def test_agenda_filters_by_day_and_track(client, event, two_days):
    response = client.get(
        url("events:agenda", "en", slug=event.slug),
        {"day": "2030-05-14", "track": two_days["asylum"].pk},
    )
    assert _agenda_titles(response.content.decode()) == ["Day one asylum"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"day": "2031-01-01"}, "Направете валиден избор."),
        ({"track": "999999"}, "Направете валиден избор."),
        ({"track": "not-a-number"}, "Направете валиден избор."),
    ],
)
def test_agenda_with_bad_filter_explains_and_shows_everything(
    client, event, two_days, query, message
):
    response = client.get(url("events:agenda", "bg", slug=event.slug), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert len(_agenda_titles(html)) == 3


def test_agenda_day_without_sessions_says_so(client, event):
    SessionFactory(event=event, start=sofia(event.start_date, 9))
    html = client.get(
        url("events:agenda", "en", slug=event.slug), {"day": "2030-05-15"}
    ).content.decode()
    assert "No sessions match these filters." in html


def test_agenda_shows_time_room_kind_track_and_speakers_with_roles(client, programme):
    html = client.get(url("events:agenda", "bg", slug=programme["event"].slug)).content.decode()
    for text in [
        "10:00",
        "11:00",
        "Пленарна зала",
        "Панел",
        "Граници",
        "Радослав Стаменков",
        "Приветствено слово",
    ]:
        assert text in html


def test_track_stylesheet_carries_track_colours(client, event):
    track = TrackFactory(event=event, colour="#8E3B46")
    response = client.get(url("events:track_styles", "en", slug=event.slug))
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode().strip() == f".track-{track.pk} {{ --track-colour: #8E3B46; }}"


@pytest.mark.parametrize("sessions", [5, 50])
def test_agenda_query_count_does_not_grow_with_the_agenda(
    client, django_assert_num_queries, sessions
):
    event = EventFactory()
    tracks = TrackFactory.create_batch(3 if sessions > 5 else 1, event=event)
    rooms = RoomFactory.create_batch(3 if sessions > 5 else 1, venue=event.venue)
    for n in range(sessions):
        start = sofia(event.start_date if n % 2 else event.end_date, 8) + datetime.timedelta(
            minutes=10 * n
        )
        session = SessionFactory(
            event=event,
            start=start,
            end=start + datetime.timedelta(minutes=10),
            room=rooms[n % len(rooms)],
            track=tracks[n % len(tracks)],
        )
        SessionSpeakerFactory.create_batch(1 if sessions == 5 else 3, session=session)
        SessionInterpretationFactory(session=session, language="bg", channel=1)
        SessionMaterialFactory.create_batch(1 if sessions == 5 else 2, session=session)
    # event, tracks (filter form), sessions with room and track, speakers with organisations,
    # interpretations, public materials
    with django_assert_num_queries(6):
        response = client.get(url("events:agenda", "en", slug=event.slug))
    assert response.status_code == 200


@pytest.mark.parametrize("speakers", [1, 3])
def test_speaker_list_query_count_does_not_grow(client, django_assert_num_queries, event, speakers):
    for _ in range(speakers):
        SessionSpeakerFactory(session=SessionFactory(event=event, kind="break"))
    with django_assert_num_queries(2):
        client.get(url("events:speakers", "en", slug=event.slug))


@pytest.mark.parametrize("events", [1, 3])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, events):
    EventFactory.create_batch(events)
    with django_assert_num_queries(1):
        client.get(url("events:home", "en"))


def test_rows_shown_in_the_other_language_are_marked_with_it_on_every_page(client, event):
    session = SessionFactory(event=event, title_bg="", title_en="Smart borders")
    speaker = SpeakerFactory(
        full_name_bg="", full_name_en="Maria Ivanova", position_bg="", position_en="Head of Unit"
    )
    SessionSpeakerFactory(session=session, speaker=speaker, role="chair")
    pages = {
        name: client.get(url(f"events:{name}", "bg", slug=event.slug, **kwargs)).content.decode()
        for name, kwargs in [
            ("agenda", {}),
            ("speakers", {}),
            ("session", {"pk": session.pk}),
            ("speaker", {"speaker_slug": speaker.slug}),
        ]
    }
    session_url = url("events:session", "bg", slug=event.slug, pk=session.pk)
    speaker_url = url("events:speaker", "bg", slug=event.slug, speaker_slug=speaker.slug)
    assert f'<a href="{session_url}" lang="en">Smart borders</a>' in pages["agenda"]
    assert (
        f'<a href="{speaker_url}"><span>Г-жа</span> <span lang="en">Maria Ivanova</span></a> '
        '<span class="role">(Председател)</span>'
    ) in pages["agenda"]
    assert '<p lang="en">Head of Unit</p>' in pages["speakers"]
    assert '<h1 lang="en">Smart borders</h1>' in pages["session"]
    assert '<span class="position" lang="en">Head of Unit</span>' in pages["session"]
    assert f'<a href="{session_url}" lang="en">Smart borders</a>' in pages["speaker"]
    english = client.get(url("events:agenda", "en", slug=event.slug)).content.decode()
    assert 'lang="en"' not in english.split("<main", 1)[1]
