"""A record may be typed in either language first, through the real admin; the public pages
in the other language then show the text as typed, marked with its language."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from events.models import Announcement, Speaker
from registrations.models import Delegation
from tests.events.test_admin import _change_form
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(view: str, *args, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(view, args=args, kwargs=kwargs or None)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_speaker_typed_only_in_bulgarian_is_saved_and_shown_in_english(client, superuser_client):
    page = url("admin:events_speaker_add", language="bg")
    data = _change_form(
        superuser_client,
        page,
        slug="radoslav-stamenkov",
        full_name_bg="Радослав Стаменков",
        position_bg="Главен експерт",
    )
    response = superuser_client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    speaker = Speaker.objects.get(slug="radoslav-stamenkov")
    assert (speaker.full_name_bg, speaker.full_name_en or "") == ("Радослав Стаменков", "")
    event = EventFactory()
    SessionSpeakerFactory(session=SessionFactory(event=event), speaker=speaker)
    html = client.get(
        url(
            "events:speaker",
            language="en",
            slug=event.slug,
            speaker_slug=speaker.slug,
        )
    ).content.decode()
    assert '<span lang="bg">Радослав Стаменков</span>' in html
    assert '<p class="speaker__position" lang="bg">Главен експерт</p>' in html


def test_a_news_item_typed_only_in_bulgarian_is_saved_and_shown_in_english(
    client, superuser_client
):
    event = EventFactory()
    page = url("admin:events_announcement_add", language="bg")
    data = _change_form(
        superuser_client,
        page,
        event=str(event.pk),
        slug="otkrivane",
        title_bg="Откриване на конференцията",
        body_bg="Конференцията бе открита тази сутрин.",
        status="published",
        published_at_0="14.05.2020",
        published_at_1="09:00",
    )
    response = superuser_client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    news = Announcement.objects.get(slug="otkrivane")
    assert news.title_bg == "Откриване на конференцията"
    html = client.get(
        url("events:news_detail", language="en", slug=event.slug, news_slug="otkrivane")
    ).content.decode()
    assert 'lang="bg">Откриване на конференцията</h1>' in html


def test_a_delegation_typed_only_in_bulgarian_is_saved(superuser_client):
    event = EventFactory()
    page = url("admin:registrations_delegation_add", language="bg")
    data = _change_form(
        superuser_client, page, event=str(event.pk), name_bg="МОМ България", country="BG"
    )
    response = superuser_client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    delegation = Delegation.objects.get(event=event)
    assert (delegation.name_bg, delegation.name_en or "") == ("МОМ България", "")
    listing = superuser_client.get(
        url("admin:registrations_delegation_changelist", language="en")
    ).content.decode()
    assert "МОМ България" in listing


def test_english_first_works_as_before_in_the_english_admin(superuser_client):
    page = url("admin:events_speaker_add", language="en")
    data = _change_form(superuser_client, page, slug="anna-huber", full_name_en="Anna Huber")
    assert superuser_client.post(page, data).status_code == 302
    assert Speaker.objects.get(slug="anna-huber").full_name_bg in (None, "")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("bg", "Попълнете това поле поне на един от езиците."),
        ("en", "Fill this in, in at least one language."),
    ],
)
def test_a_text_in_neither_language_is_refused_with_one_clear_message(
    superuser_client, language, message
):
    page = url("admin:events_speaker_add", language=language)
    data = _change_form(superuser_client, page, slug="nobody")
    response = superuser_client.post(page, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    # Next to the field in the page's language, once.
    assert errors == {f"full_name_{language}": [message]}
    assert not Speaker.objects.filter(slug="nobody").exists()


def test_the_fields_are_not_marked_required_in_one_language_only(superuser_client):
    html = superuser_client.get(url("admin:events_speaker_add", language="bg")).content.decode()
    # No `required`: the browser must not refuse a form typed in Bulgarian only.
    assert (
        '<input type="text" name="full_name_en" class="vTextField mt mt-field-full_name-en '
        'mt-default" maxlength="200" aria-describedby="id_full_name_en_helptext" '
        'id="id_full_name_en">'
    ) in html


def test_an_inline_row_typed_only_in_bulgarian_is_saved(superuser_client):
    event = EventFactory(start_date=datetime.date(2030, 5, 14), end_date=datetime.date(2030, 5, 15))
    page = url("admin:events_event_change", event.pk, language="bg")
    data = _change_form(superuser_client, page, **{"tracks-0-name_bg": "Граници"})
    data["tracks-0-colour"] = ["#1D4F91"]
    data["tracks-0-order"] = ["0"]
    data["tracks-TOTAL_FORMS"] = ["1"]
    response = superuser_client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [t.name_bg for t in event.tracks.all()] == ["Граници"]


def test_the_model_takes_either_language_and_refuses_neither():
    from django.core.exceptions import ValidationError

    speaker = SpeakerFactory.build(full_name_en="", full_name_bg="Радослав Стаменков")
    speaker.organisation.save()
    speaker.full_clean()
    speaker.full_name_bg = ""
    with pytest.raises(ValidationError) as info:
        speaker.full_clean()
    assert "full_name" in info.value.message_dict
