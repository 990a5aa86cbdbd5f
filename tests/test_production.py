"""The production path: settings for several app servers, gunicorn's access log, and a smoke
test that deploys the site as production does (check --deploy, migrate, collectstatic, the
demo, gunicorn) and reads its pages over HTTP. `make prod-check` runs this file."""

import datetime
import http.client
import json
import os
import runpy
import secrets
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.processes import clean_environment, free_port

BASE_DIR = Path(settings.BASE_DIR)
CALENDAR_TOKEN = "tok3n-only-the-delegate-knows"
INVITATION_CODE = "inv1tation-code-of-a-delegation"


def _settings_value(expression: str, **env) -> str:
    """Imports the settings in a fresh interpreter with the given environment."""
    code = (
        f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    )
    environment = {**os.environ, "DJANGO_DEBUG": "1", "CACHE_URL": "", "REDIS_URL": "", **env}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# Settings for several app servers.


def test_without_redis_the_cache_is_per_process_and_sessions_stay_in_the_database():
    assert _settings_value("s.CACHES['default']['BACKEND'], s.SESSION_ENGINE") == (
        "django.core.cache.backends.locmem.LocMemCache django.contrib.sessions.backends.db"
    )


def test_redis_url_puts_the_cache_and_sessions_in_djangos_own_redis_backend():
    value = _settings_value(
        "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.SESSION_ENGINE",
        REDIS_URL="redis://redis.internal:6379/1",
    )
    assert value == (
        "django.core.cache.backends.redis.RedisCache redis://redis.internal:6379/1 "
        "django.contrib.sessions.backends.cached_db"
    )


def test_cache_url_wins_over_redis_url_and_keeps_its_options():
    value = _settings_value(
        "s.CACHES['default']['LOCATION'], sorted(s.CACHES['default']['OPTIONS'].items())",
        REDIS_URL="redis://redis.internal:6379/1",
        CACHE_URL="rediss://cache.internal:6380/2?socket_timeout=5",
    )
    assert value == (
        "rediss://cache.internal:6380/2 [('socket_connect_timeout', 2), ('socket_timeout', 5)]"
    )


def test_trusted_proxy_count_comes_from_the_environment():
    assert _settings_value("s.ALLAUTH_TRUSTED_PROXY_COUNT") == "0"
    assert _settings_value("s.ALLAUTH_TRUSTED_PROXY_COUNT", ALLAUTH_TRUSTED_PROXY_COUNT="1") == "1"


def test_rate_limits_count_the_client_behind_one_trusted_proxy(settings, rf):
    from allauth.account.adapter import get_adapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The client forged the first address; our proxy appended the one it saw.
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert get_adapter().get_client_ip(request) == "198.51.100.7"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert get_adapter().get_client_ip(request) == "10.0.0.2"


def test_deployment_check_warns_about_a_per_process_cache(settings):
    from emn_conference.checks import cache_is_shared

    settings.DEBUG = False
    for backend in ("locmem.LocMemCache", "dummy.DummyCache"):
        settings.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}"}}
        assert [warning.id for warning in cache_is_shared(None)] == ["emn_conference.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert cache_is_shared(None) == []


def test_deployment_check_warns_when_links_in_mail_are_not_https(settings):
    from emn_conference.checks import site_url_is_https

    settings.DEBUG = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert [warning.id for warning in site_url_is_https(None)] == ["emn_conference.W002"]
    settings.SITE_URL = "https://conference.example.org"
    assert site_url_is_https(None) == []


def test_only_the_jquery_ui_script_is_taken_from_its_package():
    from django.contrib.staticfiles import finders

    found = finders.find("vendor/jquery-ui/jquery-ui.min.js")
    assert Path(found).read_bytes().startswith(b"/*! jQuery UI - v1.13")
    assert finders.find("vendor/jquery-ui/jquery-ui.css") is None
    assert finders.find("vendor/jquery-ui/images/ui-icons_555555_256x240.png") is None


# Gunicorn's access log.


def _gunicorn_config() -> dict:
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def test_gunicorn_sizes_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "10.0.0.5:8000")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    config = _gunicorn_config()
    assert (config["bind"], config["workers"], config["threads"], config["worker_class"]) == (
        ["10.0.0.5:8000"],
        3,
        4,
        "gthread",
    )
    assert config["max_requests_jitter"] > 0
    assert config["keepalive"] > 60


def _access_log_line(tmp_path, uri: str, **headers) -> str:
    """What gunicorn's access log says about one request, through the configured logger."""
    from gunicorn.config import Config

    config = Config()
    for name, value in _gunicorn_config().items():
        if name in config.settings:
            config.set(name, value)
    log_file = tmp_path / "access.log"
    config.set("accesslog", str(log_file))
    logger = config.logger_class(config)
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": "sessionid=s3ssion",
        "HTTP_REFERER": headers.get("referer", "-"),
    }
    request = SimpleNamespace(
        headers=[("COOKIE", "sessionid=s3ssion")]
        + [(name.upper(), value) for name, value in headers.items()]
    )
    response = SimpleNamespace(
        status="302 Found",
        headers=[
            ("Location", f"/en/accounts/login/?next={uri}"),
            ("Set-Cookie", "sessionid=s3ssion; HttpOnly"),
        ],
        sent=0,
    )
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    return log_file.read_text()


def test_access_log_drops_the_query_string(tmp_path):
    line = _access_log_line(tmp_path, f"/en/events/emn-2018/register/?invitation={INVITATION_CODE}")
    assert '"GET /en/events/emn-2018/register/ HTTP/1.1" 302 0 "-"' in line
    assert INVITATION_CODE not in line
    assert "?" not in line


def test_access_log_hides_the_calendar_token_and_allauths_keys(tmp_path):
    line = _access_log_line(tmp_path, f"/bg/calendar/{CALENDAR_TOKEN}.ics")
    assert '"GET /bg/calendar/[secret].ics HTTP/1.1"' in line
    line = _access_log_line(tmp_path, "/en/accounts/confirm-email/MQ:1v2b3c:abcdef/")
    assert '"GET /en/accounts/confirm-email/[secret]/ HTTP/1.1"' in line
    line = _access_log_line(tmp_path, "/en/accounts/password/reset/key/1a-4b5c6d7e8f/")
    assert '"GET /en/accounts/password/reset/key/[secret]/ HTTP/1.1"' in line
    assert CALENDAR_TOKEN not in line and "MQ:1v2b3c" not in line and "4b5c6d7e8f" not in line


def test_access_log_cleans_the_referer_and_leaves_out_cookies_in_any_format(tmp_path):
    from gunicorn.config import Config

    # Even a format asking for the raw request, the query, cookies and the environment.
    line = _access_log_line(
        tmp_path,
        f"/en/calendar/{CALENDAR_TOKEN}.ics?x=1",
        referer=f"https://conference.example.org/en/register/?invitation={INVITATION_CODE}",
    )
    assert '"https://conference.example.org/en/register/"' in line
    config = Config()
    config.set("logger_class", _gunicorn_config()["logger_class"])
    config.set("accesslog", str(tmp_path / "custom.log"))
    config.set(
        "access_log_format",
        "%(r)s|%(q)s|%({cookie}i)s|%({set-cookie}o)s|%({location}o)s|%({query_string}e)s",
    )
    logger = config.logger_class(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/en/calendar/{CALENDAR_TOKEN}.ics?invitation={INVITATION_CODE}",
        "PATH_INFO": f"/en/calendar/{CALENDAR_TOKEN}.ics",
        "QUERY_STRING": f"invitation={INVITATION_CODE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    request = SimpleNamespace(headers=[("COOKIE", "sessionid=s3ssion")])
    response = SimpleNamespace(
        status="302 Found",
        headers=[
            ("Location", f"/en/accounts/login/?next=/en/calendar/{CALENDAR_TOKEN}.ics"),
            ("Set-Cookie", "sessionid=s3ssion"),
        ],
        sent=0,
    )
    logger.access(response, request, environ, datetime.timedelta(milliseconds=1))
    assert (tmp_path / "custom.log").read_text() == (
        "GET /en/calendar/[secret].ics HTTP/1.1|-|-|-|/en/accounts/login/|-\n"
    )


# The smoke test: the site deployed as in production, read over HTTP.


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {' '.join(command)}:\n{result.stdout}{result.stderr}"


class Server:
    def __init__(self, port: int, static_root: Path, access_log: Path):
        self.port = port
        self.static_root = static_root
        self.access_log = access_log

    def get(self, path: str, https: bool = True, **headers) -> http.client.HTTPResponse:
        """The response, read; not following redirects. As if through an HTTPS proxy."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        if https:
            headers["X-Forwarded-Proto"] = "https"
        headers = {name.replace("_", "-"): value for name, value in headers.items()}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    pytest.importorskip("gunicorn", reason="gunicorn is not installed (pip install -e .)")
    root = tmp_path_factory.mktemp("production")
    redis_url = os.environ.get("REDIS_URL", "")
    env = {
        # Nothing of the shell's or of other tests' settings (e.g. the browser tests'
        # DJANGO_ALLOW_ASYNC_UNSAFE) may leak into the production run.
        **clean_environment(),
        # "0" rather than unset, so that a developer's .env cannot turn DEBUG on here.
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(root / "static"),
        "DJANGO_MEDIA_ROOT": str(root / "media"),
        "DJANGO_PRIVATE_ROOT": str(root / "private"),
        "SITE_URL": "https://conference.example.org",
        # Never reached: the smoke test sends no mail.
        "EMAIL_URL": "smtp+tls://user:password@mail.example.org:587",
        # The Redis that CI runs; on a machine without one, a cache that the workers of this
        # one server share (the deployment check accepts both).
        "CACHE_URL": redis_url or f"filecache://{root / 'cache'}",
        "REDIS_URL": redis_url,
        # Never reached either: no page that the test reads queues a task.
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or redis_url or "memory://",
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
    }
    _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    _run(["migrate", "--noinput"], env)
    _run(["collectstatic", "--noinput"], env)
    _run(["load_demo"], env)

    access_log = root / "access.log"
    with open(access_log, "wb") as stdout, open(root / "error.log", "wb") as stderr:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "emn_conference.wsgi"],
            stdout=stdout,
            stderr=stderr,
            env=env,
            cwd=BASE_DIR,
        )
    server = Server(int(env["GUNICORN_BIND"].rsplit(":", 1)[1]), root / "static", access_log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if gunicorn.poll() is not None:
                pytest.fail(f"gunicorn stopped:\n{(root / 'error.log').read_text()}")
            try:
                server.get("/en/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer:\n{(root / 'error.log').read_text()}")
                time.sleep(0.2)
        yield server
    finally:
        # SIGINT: quick shutdown (SIGTERM would wait for the graceful timeout).
        gunicorn.send_signal(2)
        try:
            gunicorn.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()


PAGES = [
    f"/{language}/{page}"
    for language in ("bg", "en")
    for page in (
        "",
        "events/emn-2018/",
        "events/emn-2018/agenda/",
        "events/emn-2018/speakers/",
        # The admin's log-in, which (with allauth's secure_admin_login) sends to allauth's.
        "admin/login/",
    )
]


@pytest.mark.production
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_and_the_admin_log_in_answer_with_the_security_headers(production, path):
    response = production.get(path)
    if path.endswith("/admin/login/") and response.status == 302:
        assert response.headers["Location"].startswith(path.replace("admin", "accounts"))
        response = production.get(response.headers["Location"])
    assert response.status == 200, response.body[:2000]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.production
def test_plain_http_is_sent_to_https(production):
    response = production.get("/en/", https=False)
    assert (response.status, response.headers["Location"]) == (
        301,
        f"https://127.0.0.1:{production.port}/en/",
    )


@pytest.mark.production
def test_static_files_are_hashed_compressed_and_cached_for_a_year(production):
    manifest = json.loads((production.static_root / "staticfiles.json").read_text())["paths"]
    stylesheet = f"/static/{manifest['css/site.css']}"
    assert stylesheet.encode() in production.get("/en/").body
    response = production.get(stylesheet, Accept_Encoding="gzip")
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    script = production.get(
        f"/static/{manifest['vendor/jquery-ui/jquery-ui.min.js']}", Accept_Encoding="gzip"
    )
    assert (script.status, script.headers["Content-Encoding"]) == (200, "gzip")
    # Only the script of jQuery UI is published, not the rest of its package.
    assert production.get("/static/vendor/jquery-ui/jquery-ui.css").status == 404


@pytest.mark.production
def test_access_log_holds_no_query_string_or_calendar_token(production):
    production.get(f"/en/events/emn-2018/register/?invitation={INVITATION_CODE}")
    production.get(f"/bg/calendar/{CALENDAR_TOKEN}.ics?reminder=1")
    production.get("/en/events/emn-2018/agenda/?day=2018-05-14")
    log = production.access_log.read_text()
    assert '"GET /en/events/emn-2018/register/ HTTP/1.1" 302' in log
    assert '"GET /bg/calendar/[secret].ics HTTP/1.1" 404' in log
    assert '"GET /en/events/emn-2018/agenda/ HTTP/1.1" 200' in log
    assert "?" not in log
    assert INVITATION_CODE not in log and CALENDAR_TOKEN not in log
