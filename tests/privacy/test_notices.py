"""Privacy notices per event: a public page in both languages, linked from the event, the form
and every message; a newer version is accepted by delegates at their next visit."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from history.models import Entry
from registrations import services
from registrations.models import PrivacyNotice, Registration
from tests.factories import (
    EventFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    VerifiedUserFactory,
    details,
)

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def site_notice(db):
    return PrivacyNoticeFactory(version="site-1")


@pytest.fixture
def event(db):
    return OpenEventFactory(slug="emn-2030", title_en="Crossroads", title_bg="Кръстопът")


def event_notice(event, version="emn-2030-1", days_ago=10, **fields) -> PrivacyNotice:
    return PrivacyNotice.objects.create(
        event=event,
        version=version,
        text_en=fields.get("text_en", f"The event's own notice {version}."),
        text_bg=fields.get("text_bg", f"Собствената политика на събитието {version}."),
        effective_from=timezone.now() - datetime.timedelta(days=days_ago),
    )


# --- the public page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "text"),
    [
        ("en", "<h1>Privacy notice</h1>", "The event&#x27;s own notice emn-2030-1."),
        (
            "bg",
            "<h1>Уведомление за поверителност</h1>",
            "Собствената политика на събитието emn-2030-1.",
        ),
    ],
)
def test_an_events_notice_has_a_public_page_in_each_language(
    client, site_notice, event, language, heading, text
):
    event_notice(event)
    response = client.get(url("registrations:privacy_notice", language, slug="emn-2030"))
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert text in html
    assert "We process your data to organise the conference." not in html


def test_an_event_without_a_notice_of_its_own_shows_the_sites(client, site_notice, event):
    html = client.get(url("registrations:privacy_notice", slug="emn-2030")).content.decode()
    assert "We process your data to organise the conference." in html
    assert "Version site-1, in force since 1 January 2020." in html


def test_the_notice_page_keeps_the_earlier_versions(client, event):
    event_notice(event, "v1", days_ago=30, text_en="First words.")
    event_notice(event, "v2", days_ago=5, text_en="Second words.")
    event_notice(event, "v3-future", days_ago=-5, text_en="Not yet.")
    html = client.get(url("registrations:privacy_notice", slug="emn-2030")).content.decode()
    assert html.index("Second words.") < html.index("<h2>Earlier versions</h2>")
    assert html.index("<h2>Earlier versions</h2>") < html.index("First words.")
    assert "Not yet." not in html


def test_a_draft_events_notice_page_is_404_for_the_public(client, site_notice):
    EventFactory(slug="secret", status="draft")
    assert client.get(url("registrations:privacy_notice", slug="secret")).status_code == 404


def test_the_event_page_and_the_register_form_link_to_the_events_notice(client, site_notice, event):
    link = f'href="{url("registrations:privacy_notice", slug="emn-2030")}"'
    assert link in client.get(url("events:detail", slug="emn-2030")).content.decode()
    client.force_login(VerifiedUserFactory())
    assert link in client.get(url("registrations:register", slug="emn-2030")).content.decode()


def test_pages_outside_an_event_link_to_the_sites_notice(client, site_notice):
    html = client.get(url("events:home", "bg")).content.decode()
    site = url("registrations:privacy_notice_site", "bg")
    assert f'<a href="{site}">Уведомление за поверителност</a>' in html
    page = client.get(url("registrations:privacy_notice_site", "bg")).content.decode()
    assert "Обработваме данните ви, за да организираме конференцията." in page


# --- which notice a registration accepts ------------------------------------------------------


def test_registering_accepts_the_events_own_notice_over_the_sites(site_notice, event):
    own = event_notice(event)
    registration = services.registration_create(
        event=event,
        user=VerifiedUserFactory(),
        details=details(),
        privacy_accepted=True,
        by=None,
    )
    assert registration.privacy_notice == own
    other = OpenEventFactory()
    elsewhere = services.registration_create(
        event=other, user=VerifiedUserFactory(), details=details(), privacy_accepted=True, by=None
    )
    assert elsewhere.privacy_notice == site_notice


def test_every_message_to_a_delegate_links_to_the_events_notice(
    site_notice, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            event=event,
            user=VerifiedUserFactory(email="anna@example.org"),
            details=details(language="bg"),
            privacy_accepted=True,
            by=None,
        )
    [message] = mail.outbox
    # Built by the worker, which has no request: the development address (SITE_URL unset).
    link = "http://127.0.0.1:8000/bg/events/emn-2030/privacy/"
    assert f"Как обработваме личните ви данни: {link}\n" in message.body
    html = message.alternatives[0][0]
    assert f'<p><a href="{link}">Как обработваме личните ви данни</a></p>' in html


def test_account_mail_links_to_the_sites_notice(
    client, site_notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("account_signup"),
            {
                "email": "new@example.org",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
            },
        )
    [message] = mail.outbox
    assert message.body.endswith(
        "Thank you for using testserver!\ntestserver\n\n"
        "How we handle your personal data: http://testserver/en/privacy/"
    )


# --- a newer version, accepted at the next visit ---------------------------------------------


@pytest.fixture
def delegate(client, site_notice, event):
    registration = RegistrationFactory(
        event=event, privacy_notice=site_notice, reference="EMN30-AAAAA"
    )
    client.force_login(registration.user)
    return registration


def test_a_newer_notice_sends_the_delegate_to_accept_it_at_their_next_visit(
    client, delegate, event
):
    page = url("registrations:mine")
    assert client.get(page).status_code == 200
    newer = event_notice(event, "emn-2030-2", days_ago=1)
    response = client.get(page)
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{url('registrations:privacy_accept')}?next=%2Fen%2Fregistrations%2F"
    )
    html = client.get(response["Location"]).content.decode()
    assert "<h1>A new privacy notice</h1>" in html
    assert "The event&#x27;s own notice emn-2030-2." in html
    assert "(EMN30-AAAAA): you accepted version site-1" in html
    assert newer.registrations.count() == 0


def test_accepting_the_newer_notice_records_version_time_and_history(client, delegate, event):
    newer = event_notice(event, "emn-2030-2", days_ago=1)
    before = timezone.now()
    response = client.post(
        url("registrations:privacy_accept"),
        {"accept": "on", "notices": str(newer.pk), "next": "/en/registrations/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/registrations/"
    delegate.refresh_from_db()
    assert delegate.privacy_notice == newer
    assert delegate.privacy_accepted_at >= before
    entry = Entry.objects.filter(action="privacy_accepted").get()
    assert entry.changes == {"privacy_notice": ["site-1", "emn-2030-2"]}
    assert entry.actor == delegate.user
    assert client.get(url("registrations:mine")).status_code == 200


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("en", "Tick the box to accept the privacy notice."),
        ("bg", "Отбележете полето, за да приемете уведомлението за поверителност."),
    ],
)
def test_accepting_without_the_tick_changes_nothing_and_says_why(
    client, delegate, event, language, error
):
    newer = event_notice(event, "emn-2030-2", days_ago=1)
    response = client.post(
        url("registrations:privacy_accept", language), {"notices": str(newer.pk)}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.privacy_notice.version == "site-1"


def test_a_notice_published_while_reading_must_be_read_too(client, delegate, event):
    shown = event_notice(event, "emn-2030-2", days_ago=2)
    event_notice(event, "emn-2030-3", days_ago=1)
    response = client.post(
        url("registrations:privacy_accept"), {"accept": "on", "notices": str(shown.pk)}
    )
    assert response.status_code == 200
    assert (
        "The privacy notice has changed again: please read the version now in force."
        in response.content.decode()
    )
    delegate.refresh_from_db()
    assert delegate.privacy_notice.version == "site-1"


def test_documents_cancelling_and_the_own_data_stay_reachable_before_accepting(
    client, delegate, event
):
    event_notice(event, "emn-2030-2", days_ago=1)
    for name, kwargs in [
        ("registrations:cancel", {"reference": "EMN30-AAAAA"}),
        ("registrations:badge", {"reference": "EMN30-AAAAA"}),
        ("registrations:privacy_notice", {"slug": "emn-2030"}),
        ("privacy:data", {}),
        ("privacy:delete", {}),
    ]:
        assert client.get(url(name, **kwargs)).status_code == 200, name


def test_no_new_notice_is_asked_for_an_event_that_is_over(client, site_notice):
    past = EventFactory(start_date=datetime.date(2018, 5, 14), end_date=datetime.date(2018, 5, 15))
    registration = RegistrationFactory(event=past, privacy_notice=site_notice)
    PrivacyNoticeFactory(version="site-2", effective_from=timezone.now())
    client.force_login(registration.user)
    assert client.get(url("registrations:mine")).status_code == 200


def test_cancelled_registrations_are_not_asked_to_accept(client, site_notice, event):
    registration = RegistrationFactory(
        event=event, privacy_notice=site_notice, status=Registration.Status.CANCELLED
    )
    event_notice(event, "emn-2030-2", days_ago=1)
    client.force_login(registration.user)
    assert client.get(url("registrations:mine")).status_code == 200


def test_the_check_costs_one_query(client, delegate, django_assert_num_queries):
    from registrations import queries

    with django_assert_num_queries(1):
        assert not queries.registrations_awaiting_notice(user=delegate.user).exists()


# --- the admin ---------------------------------------------------------------------------------


def test_staff_add_an_events_notice_in_the_admin(admin_client, event):
    response = admin_client.post(
        url("admin:registrations_privacynotice_add"),
        {
            "event": event.pk,
            "version": "emn-2030-1",
            "text_en": "Our words.",
            "text_bg": "Нашите думи.",
            "effective_from_0": "2030-01-01",
            "effective_from_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    notice = PrivacyNotice.objects.get(version="emn-2030-1")
    assert notice.event == event


def test_a_version_is_unique_per_event_and_for_the_site(site_notice, event):
    from django.core.exceptions import ValidationError

    event_notice(event, "site-1")  # the same version name for another owner is fine
    with pytest.raises(ValidationError) as raised:
        PrivacyNotice(version="site-1", text_en="x", effective_from=timezone.now()).full_clean()
    assert raised.value.messages == ["The site already has a notice of this version."]
    with pytest.raises(ValidationError) as raised:
        PrivacyNotice(
            event=event, version="site-1", text_en="x", effective_from=timezone.now()
        ).full_clean()
    assert raised.value.messages == ["This event already has a notice of this version."]
