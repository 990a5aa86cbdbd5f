"""No secret of a URL reaches Django's logs (the access log is gunicorn's: test_production)."""

import io
import logging

import pytest

from emn_conference.log_safety import SecretPathFilter, safe_text, safe_url


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Not Found: /en/calendar/Xy7-tok_en.ics", "Not Found: /en/calendar/[secret].ics"),
        ("/bg/accounts/confirm-email/MQ:1u2:abc/", "/bg/accounts/confirm-email/[secret]/"),
        (
            "/en/accounts/password/reset/key/4-set-password/",
            "/en/accounts/password/reset/key/[secret]/",
        ),
        ("/en/accounts/password/reset/key/done/", "/en/accounts/password/reset/key/done/"),
        (
            "/en/events/x/register/?invitation=K7QX-M3PT",
            "/en/events/x/register/?invitation=[secret]",
        ),
    ],
)
def test_secret_parts_of_paths_are_replaced(text, cleaned):
    assert safe_text(text) == cleaned


def test_a_logged_url_loses_its_query_string():
    assert safe_url("/en/events/x/register/?invitation=K7QX&x=1#top") == "/en/events/x/register/"


def test_djangos_not_found_warning_is_logged_without_the_token(client, db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretPathFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.get("/en/calendar/a-guessed-token.ics").status_code == 404
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "Not Found: /en/calendar/[secret].ics\n"


def test_the_sites_log_handler_cleans_every_record():
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["filters"] == ["no_secrets"]
    [console] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert [type(f) for f in console.filters] == [SecretPathFilter]
