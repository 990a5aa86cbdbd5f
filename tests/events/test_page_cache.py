"""The agenda, speakers page and schedule feeds come from the cache until something they show
changes (events/page_cache.py): changes in the admin show at once, in both languages;
visitors get 304 for what they have; nobody gets another visitor's header."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from events import page_cache
from events.models import PublicationStatus, Session
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    UserFactory,
    VerifiedUserFactory,
    empty_inline,
    sofia,
)

pytestmark = pytest.mark.django_db

FEEDS = ["schedule_ics", "schedule_xml", "schedule_json"]


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def admin_url(view: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"admin:{view}", args=args)


def agenda_titles(html: str) -> list[str]:
    return re.findall(r'class="agenda-item__title"><a [^>]*>([^<]+)</a>', html)


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def panel(event):
    room = RoomFactory(venue=event.venue, name_en="Plenary hall", name_bg="Пленарна зала")
    track = TrackFactory(event=event, name_en="Borders", name_bg="Граници")
    session = SessionFactory(
        event=event,
        room=room,
        track=track,
        title_en="Smart borders",
        title_bg="Интелигентни граници",
    )
    SessionSpeakerFactory(
        session=session,
        speaker=SpeakerFactory(full_name_en="Maria Ivanova", full_name_bg="Мария Иванова"),
    )
    return session


def session_form(session: Session, **overrides) -> dict:
    appearances = list(session.appearances.all())
    data = {
        "event": session.event_id,
        "title_bg": session.title_bg,
        "title_en": session.title_en,
        "description_bg": "",
        "description_en": "",
        "kind": session.kind,
        "start_0": "2030-05-14",
        "start_1": "10:00",
        "end_0": "2030-05-14",
        "end_1": "11:00",
        "room": session.room_id or "",
        "track": session.track_id or "",
        "capacity": "",
        "appearances-TOTAL_FORMS": str(len(appearances)),
        "appearances-INITIAL_FORMS": str(len(appearances)),
        "appearances-MIN_NUM_FORMS": "0",
        "appearances-MAX_NUM_FORMS": "1000",
        **empty_inline("interpretations"),
        **empty_inline("materials"),
    }
    for n, appearance in enumerate(appearances):
        data |= {
            f"appearances-{n}-id": appearance.pk,
            f"appearances-{n}-session": session.pk,
            f"appearances-{n}-order": appearance.order,
            f"appearances-{n}-speaker": appearance.speaker_id,
            f"appearances-{n}-role": appearance.role,
        }
    return data | overrides


def test_a_session_title_changed_in_the_admin_shows_on_the_agenda_at_once_in_both_languages(
    client, superuser_client, panel, django_capture_on_commit_callbacks
):
    agendas = {lang: url("events:agenda", lang, slug=panel.event.slug) for lang in ["en", "bg"]}
    for _ in range(2):  # the second time from the cache
        assert agenda_titles(client.get(agendas["en"]).content.decode()) == ["Smart borders"]
        assert agenda_titles(client.get(agendas["bg"]).content.decode()) == ["Интелигентни граници"]
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            admin_url("events_session_change", panel.pk),
            session_form(panel, title_en="Borders of tomorrow", title_bg="Границите на утре"),
        )
    assert response.status_code == 302
    assert agenda_titles(client.get(agendas["en"]).content.decode()) == ["Borders of tomorrow"]
    assert agenda_titles(client.get(agendas["bg"]).content.decode()) == ["Границите на утре"]


def test_a_speaker_renamed_in_the_admin_shows_on_every_event_page_that_names_them(
    client, superuser_client, panel, django_capture_on_commit_callbacks
):
    speaker = panel.appearances.get().speaker
    slug = panel.event.slug
    pages = [
        url("events:agenda", slug=slug),
        url("events:speakers", slug=slug),
        url("events:schedule_json", slug=slug),
    ]
    for page in pages:
        assert "Maria Ivanova" in client.get(page).content.decode()
    data = {
        "slug": speaker.slug,
        "honorific_bg": speaker.honorific_bg,
        "honorific_en": speaker.honorific_en,
        "full_name_bg": speaker.full_name_bg,
        "full_name_en": "Maria Petrova",
        "position_bg": speaker.position_bg,
        "position_en": speaker.position_en,
        "organisation": speaker.organisation_id,
        "bio_bg": "",
        "bio_en": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(admin_url("events_speaker_change", speaker.pk), data)
    assert response.status_code == 302
    for page in pages:
        html = client.get(page).content.decode()
        assert "Maria Petrova" in html
        assert "Maria Ivanova" not in html


def test_sessions_deleted_from_the_admin_list_leave_the_agenda_at_once(
    client, superuser_client, panel, django_capture_on_commit_callbacks
):
    other = SessionFactory(event=panel.event, title_en="Coffee", start=sofia(panel.start, 12))
    agenda = url("events:agenda", slug=panel.event.slug)
    assert agenda_titles(client.get(agenda).content.decode()) == ["Smart borders", "Coffee"]
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            admin_url("events_session_changelist"),
            {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert agenda_titles(client.get(agenda).content.decode()) == ["Smart borders"]


def test_a_repeated_conditional_request_gets_304_and_after_a_change_200_with_the_new_content(
    client, panel, django_capture_on_commit_callbacks
):
    agenda = url("events:agenda", slug=panel.event.slug)
    first = client.get(agenda)
    assert first["Cache-Control"] == "no-cache"
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(agenda, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(agenda, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    Session.objects.filter(pk=panel.pk).update(title_en="Borders of tomorrow")
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.events_changed([panel.event.slug])

    after = client.get(agenda, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert agenda_titles(after.content.decode()) == ["Borders of tomorrow"]
    assert after["ETag"] != etag
    # Within the same second too: the new version is a second later.
    assert client.get(agenda, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_each_filter_of_the_agenda_has_its_own_etag(client, panel):
    agenda = url("events:agenda", slug=panel.event.slug)
    whole = client.get(agenda)
    one_day = client.get(agenda, {"day": "2030-05-15"})
    assert whole["ETag"] != one_day["ETag"]
    assert (
        client.get(agenda, {"day": "2030-05-15"}, HTTP_IF_NONE_MATCH=whole["ETag"]).status_code
        == 200
    )


def test_a_signed_in_visitor_gets_their_own_header_and_never_another_visitors(client, panel):
    agenda = url("events:agenda", slug=panel.event.slug)
    anonymous = client.get(agenda).content.decode()
    assert "Sign in" in anonymous
    pages = []
    for user in VerifiedUserFactory.create_batch(2):
        member = Client()
        member.force_login(user)
        response = member.get(agenda)
        assert "ETag" not in response
        assert response["Cache-Control"] == "private, no-store"
        html = response.content.decode()
        assert "Sign out" in html
        assert "Sign in" not in html
        assert agenda_titles(html) == ["Smart borders"]
        pages.append(html)
    # Rendered for each: their own form token in their own header.
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', p)[1] for p in pages]
    assert tokens[0] != tokens[1]
    again = client.get(agenda).content.decode()
    assert again == anonymous
    assert "Sign out" not in again


def test_a_page_about_to_show_a_message_is_not_answered_from_the_cache(client, panel):
    agenda = url("events:agenda", slug=panel.event.slug)
    user = VerifiedUserFactory()
    client.get(agenda)
    client.force_login(user)
    client.post(url("account_logout"))  # "You have signed out."
    html = client.get(agenda).content.decode()
    assert "You have signed out." in html


def test_a_cached_agenda_asks_the_database_at_most_twice(
    client, panel, django_assert_max_num_queries
):
    agenda = url("events:agenda", slug=panel.event.slug)
    client.get(agenda)
    with django_assert_max_num_queries(2):
        response = client.get(agenda)
    assert agenda_titles(response.content.decode()) == ["Smart borders"]


def test_an_address_with_extra_parameters_is_answered_but_not_stored(client, panel):
    agenda = url("events:agenda", slug=panel.event.slug)
    response = client.get(agenda, {"utm_source": "newsletter"})
    assert response.status_code == 200
    assert agenda_titles(response.content.decode()) == ["Smart borders"]
    stored = page_cache.entry(
        slug=panel.event.slug,
        version=page_cache.event_version(panel.event.slug),
        parts=["page", "http", "testserver", f"{agenda}?utm_source=newsletter"],
    )
    assert stored.get() is None


@pytest.mark.parametrize("name", [*FEEDS, "session_ics"])
def test_schedule_feeds_carry_an_etag_answer_304_and_come_from_the_cache(
    client, panel, name, django_assert_num_queries
):
    kwargs = {"pk": panel.pk} if name == "session_ics" else {}
    feed = url(f"events:{name}", slug=panel.event.slug, **kwargs)
    first = client.get(feed)
    assert first.status_code == 200
    etag = first["ETag"]
    not_modified = client.get(feed, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    with django_assert_num_queries(0):
        again = client.get(feed)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_schedule_feeds_change_with_the_agenda(client, panel, django_capture_on_commit_callbacks):
    feeds = [url(f"events:{name}", slug=panel.event.slug) for name in FEEDS]
    before = {feed: client.get(feed) for feed in feeds}
    Session.objects.filter(pk=panel.pk).update(title_en="Borders of tomorrow")
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.events_changed([panel.event.slug])
    for feed in feeds:
        after = client.get(feed, HTTP_IF_NONE_MATCH=before[feed]["ETag"])
        assert after.status_code == 200
        assert "Borders of tomorrow" in after.content.decode()


@pytest.mark.redis
@pytest.mark.skipif(
    "locmem" not in settings.CACHES["rendered"]["BACKEND"],
    reason="needs REDIS_URL: renderings are kept in each process only in front of Redis",
)
def test_a_feed_is_kept_in_each_process_yet_never_served_after_a_change(
    client, panel, django_assert_num_queries, django_capture_on_commit_callbacks
):
    slug = panel.event.slug
    feed = url("events:schedule_json", slug=slug)
    first = client.get(feed)
    shared = page_cache.entry(
        slug=slug,
        version=page_cache.event_version(slug),
        parts=["page", "http", "testserver", feed],
    )
    assert cache.get(shared.key) is not None
    cache.delete(shared.key)  # as if evicted from Redis: this process still has it
    with django_assert_num_queries(0):
        again = client.get(feed)
    assert again.content == first.content
    Session.objects.filter(pk=panel.pk).update(title_en="Borders of tomorrow")
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.events_changed([slug])
    assert "Borders of tomorrow" in client.get(feed).content.decode()


def test_schedule_json_is_compact(client, panel):
    content = client.get(url("events:schedule_json", slug=panel.event.slug)).content
    compact = json.dumps(json.loads(content), ensure_ascii=False, separators=(",", ":"))
    assert content == compact.encode()


def test_a_conditional_request_does_not_reveal_a_draft_event(client, superuser_client):
    draft = EventFactory(status=PublicationStatus.DRAFT)
    agenda = url("events:agenda", slug=draft.slug)
    assert superuser_client.get(agenda).status_code == 200
    assert client.get(agenda, HTTP_IF_NONE_MATCH="*").status_code == 404
    assert (
        client.get(agenda, HTTP_IF_MODIFIED_SINCE="Fri, 01 Jan 2100 00:00:00 GMT").status_code
        == 404
    )


def test_a_page_of_no_event_leaves_no_version_in_the_cache(client):
    assert client.get(url("events:agenda", slug="no-such-event")).status_code == 404
    assert page_cache.event_version("no-such-event").stored is False


def _long_event(first_day: datetime.date):
    event = EventFactory(start_date=first_day, end_date=first_day + datetime.timedelta(days=4))
    for n in range(5):
        day = first_day + datetime.timedelta(days=n)
        SessionFactory(event=event, title_en=f"Day {n + 1}", start=sofia(day, 9))
    return event


def test_a_long_agenda_opens_on_its_first_day_and_links_to_each_day_and_to_all(client):
    event = _long_event(datetime.date(2030, 5, 13))
    agenda = url("events:agenda", slug=event.slug)
    html = client.get(agenda).content.decode()
    assert agenda_titles(html) == ["Day 1"]
    assert "This agenda is long, so it shows one day at a time." in html
    assert f'<a href="{agenda}?day=2030-05-13" aria-current="page">Monday, 13 May</a>' in html
    assert f'<a href="{agenda}?day=2030-05-14">Tuesday, 14 May</a>' in html
    assert f'<a href="{agenda}?day=all">All days</a>' in html
    assert '<option value="2030-05-13" selected>Monday, 13 May</option>' in html

    everything = client.get(agenda, {"day": "all"}).content.decode()
    assert agenda_titles(everything) == ["Day 1", "Day 2", "Day 3", "Day 4", "Day 5"]
    assert f'<a href="{agenda}?day=all" aria-current="page">All days</a>' in everything
    assert agenda_titles(client.get(agenda, {"day": "2030-05-15"}).content.decode()) == ["Day 3"]
    bulgarian = client.get(url("events:agenda", "bg", slug=event.slug)).content.decode()
    assert "Програмата е дълга, затова се показва по един ден." in bulgarian
    assert '?day=all">Всички дни</a>' in bulgarian


def test_a_long_agenda_keeps_the_track_in_its_day_links(client):
    event = _long_event(datetime.date(2030, 5, 13))
    track = TrackFactory(event=event)
    html = client.get(url("events:agenda", slug=event.slug), {"track": track.pk}).content
    assert f"?day=2030-05-14&amp;track={track.pk}" in html.decode()


def test_a_long_agenda_opens_on_today_while_the_event_is_on(client):
    today = timezone.localdate(timezone=sofia(datetime.date(2030, 1, 1), 0).tzinfo)
    event = _long_event(today - datetime.timedelta(days=1))
    html = client.get(url("events:agenda", slug=event.slug)).content.decode()
    assert agenda_titles(html) == ["Day 2"]


def test_an_agenda_of_many_sessions_in_few_days_opens_on_one_day(client, event):
    for n in range(81):
        day = event.start_date if n % 2 else event.end_date
        start = sofia(day, 8) + datetime.timedelta(minutes=5 * n)
        SessionFactory(event=event, start=start, end=start + datetime.timedelta(minutes=5))
    html = client.get(url("events:agenda", slug=event.slug)).content.decode()
    assert len(agenda_titles(html)) == 40
    assert "This agenda is long" in html


def test_a_short_agenda_shows_every_day_without_the_day_links(client, panel):
    html = client.get(url("events:agenda", slug=panel.event.slug)).content.decode()
    assert "This agenda is long" not in html
    assert '<option value="" selected>All days</option>' in html


def test_loading_the_demo_gives_its_events_a_new_version(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    client.get(url("events:agenda", slug="emn-2018"))
    before = page_cache.event_version("emn-2018")
    assert before.stored
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    assert page_cache.event_version("emn-2018").token != before.token


def test_an_event_made_a_draft_leaves_the_public_at_once(
    client, panel, django_capture_on_commit_callbacks
):
    event = panel.event
    pages = [url("events:agenda", slug=event.slug), url("events:schedule_ics", slug=event.slug)]
    assert [client.get(page).status_code for page in pages] == [200, 200]
    type(event).objects.filter(pk=event.pk).update(status=PublicationStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.events_changed([event.slug])
    assert [client.get(page).status_code for page in pages] == [404, 404]
