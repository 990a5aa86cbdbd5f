"""Links in messages lead to the site: in development to the address being served, in
production to SITE_URL, which `check --deploy` requires."""

import re

import pytest
from django.core import mail

from emn_conference.checks import site_url_is_https, site_url_is_set
from tests.factories import OpenEventFactory, PrivacyNoticeFactory, VerifiedUserFactory
from tests.registrations.test_views import form_data


@pytest.mark.django_db(transaction=True)
def test_without_site_url_registration_mail_links_to_the_address_being_served(client, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    PrivacyNoticeFactory()
    event = OpenEventFactory()
    client.force_login(VerifiedUserFactory())
    response = client.post(
        f"/en/events/{event.slug}/register/", form_data(), HTTP_HOST="127.0.0.1:8765"
    )
    assert response.status_code == 302
    [message] = mail.outbox
    links = re.findall(r"https?://[^/\s]+/", message.body)
    assert links and set(links) == {"http://127.0.0.1:8765/"}


@pytest.mark.django_db(transaction=True)
def test_with_site_url_registration_mail_links_there_whatever_the_request(client, settings):
    settings.SITE_URL = "https://conference.example.org/"
    PrivacyNoticeFactory()
    event = OpenEventFactory()
    client.force_login(VerifiedUserFactory())
    client.post(f"/en/events/{event.slug}/register/", form_data())
    [message] = mail.outbox
    assert set(re.findall(r"https?://[^/\s]+/", message.body)) == {
        "https://conference.example.org/"
    }


def test_production_without_site_url_fails_the_deployment_check(settings):
    settings.DEBUG = False
    settings.SITE_URL = ""
    assert [error.id for error in site_url_is_set(None)] == ["emn_conference.E001"]
    assert [error.level for error in site_url_is_set(None)] == [40]  # ERROR
    assert site_url_is_https(None) == []  # one message for one mistake
    settings.SITE_URL = "https://conference.example.org"
    assert site_url_is_set(None) == []


def test_development_needs_no_site_url(settings):
    settings.DEBUG = True
    settings.SITE_URL = ""
    assert site_url_is_set(None) == []
