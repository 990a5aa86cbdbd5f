import os
import subprocess
import sys

import pytest
from django.conf import settings


def _settings_value(expression: str, **env) -> str:
    """Imports the settings in a fresh interpreter with the given environment."""
    code = f"from emn_conference import settings as s; print({expression})"
    environment = {**os.environ, "DJANGO_DEBUG": "1", **env}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
        check=True,
    )
    return result.stdout.strip()


def test_empty_database_url_means_the_sqlite_file():
    assert _settings_value("s.DATABASES['default']['ENGINE']", DATABASE_URL="") == (
        "django.db.backends.sqlite3"
    )


def test_postgres_database_url_uses_postgresql():
    value = _settings_value(
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/emn",
    )
    assert value == "django.db.backends.postgresql emn"


def test_production_without_a_secret_key_refuses_to_serve():
    code = "import emn_conference.wsgi"
    environment = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty." in result.stderr


def test_migrations_check_runs_without_a_secret_key():
    environment = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/en/events/x/agenda/?day=%00", "/en/admin/events/organisation/?country=%00"]
)
def test_nul_byte_in_the_query_is_a_bad_request(client, path):
    assert client.get(path).status_code == 400


@pytest.mark.django_db
def test_nul_byte_in_a_form_is_a_bad_request(client):
    assert (
        client.post("/en/accounts/login/", {"login": "a\x00b", "password": "x"}).status_code == 400
    )


@pytest.mark.django_db
def test_nul_byte_in_the_path_or_a_cookie_is_a_bad_request(client):
    assert client.get("/en/registrations/%00/").status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/en/").status_code == 400


def test_deployment_check_warns_when_mail_would_go_to_the_console(settings):
    from registrations.checks import mail_is_really_sent

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [warning.id for warning in mail_is_really_sent(None)] == ["registrations.W001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert mail_is_really_sent(None) == []
