"""Two app servers and a Celery worker on one PostgreSQL and one Redis, as in production.

Everything runs as real processes on loopback ports: two gunicorn servers (DJANGO_DEBUG
unset, hashed static files), one Celery worker with its scheduler, and an SMTP server
(aiosmtpd) in this process. A rush of delegates signs in and registers through the real
forms, half on each server, for fewer seats than delegates. Meanwhile the worker is killed
(SIGKILL, its whole process group) while it is sending, and started again. At the end the
seats are exactly full, everyone else waits, and every delegate got their message once; only
a message whose sending the crash cut may arrive twice.
"""

import asyncio
import collections
import concurrent.futures
import email
import email.policy
import os
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from aiosmtpd.controller import Controller
from django.conf import settings
from requests.adapters import HTTPAdapter

from tests.processes import (
    BASE_DIR,
    Process,
    clean_environment,
    free_port,
    manage,
    reachable,
    wait_until,
)

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
_redis = urllib.parse.urlsplit(REDIS_URL)

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.multiserver,
    pytest.mark.skipif(
        not reachable(_redis.hostname or "127.0.0.1", _redis.port or 6379),
        reason=f"needs Redis at {_redis.hostname}:{_redis.port} (REDIS_URL) for the broker "
        "and the shared cache",
    ),
]

DELEGATES = 100
CAPACITY = 30
THREADS = 20
WORKER_CONCURRENCY = 2
# Each message takes the SMTP server this long, so the worker is caught sending one.
SINK_DELAY = 0.08
# The worker is killed once this many messages have arrived, while it waits on the next.
KILL_AFTER = 30
SWEEP_EVERY = 5
SWEEP_AFTER = 10
RESTART_DEADLINE = 120
# Redis databases of this test alone, emptied before and after.
CACHE_DB, BROKER_DB = 12, 13

EVENT = "rush-2030"
PASSWORD = "rush-hour-password-2030"
LOGIN = "/en/accounts/login/"
REGISTER = f"/en/events/{EVENT}/register/"
REFERENCE = r"[A-Z0-9]+-[A-Z0-9]{5}"
DETAIL = re.compile(rf"/en/registrations/({REFERENCE})/")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Run by `manage.py shell` against the new database: an open event and verified delegates.
# The password is hashed once (with the production hasher, the one sign-in checks against)
# and the hash is shared: hashing it for each delegate would take a minute.
SETUP = """
import os
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from tests.factories import OpenEventFactory, PrivacyNoticeFactory

PrivacyNoticeFactory()
OpenEventFactory(
    slug=os.environ["RUSH_EVENT"],
    capacity=int(os.environ["RUSH_CAPACITY"]),
    requires_approval=False,
)
User = get_user_model()
password = make_password(os.environ["RUSH_PASSWORD"])
users = User.objects.bulk_create(
    User(email=address, password=password) for address in os.environ["RUSH_EMAILS"].split()
)
EmailAddress.objects.bulk_create(
    EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
)
"""


def delegate_email(n: int) -> str:
    return f"delegate{n:03d}@example.org"


# The SMTP server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    reference: str
    recipients: tuple[str, ...]
    subject: str


class SlowSink:
    """An SMTP server that takes SINK_DELAY to answer each message and remembers them all.

    It keeps a message as soon as the message has arrived, before it answers: a sender that
    dies waiting for the answer never learns that the message was taken, and sends it again
    (RFC 1047). That is the one way a crash may duplicate a message. `hold` keeps it from
    answering, so that the test knows which messages are unanswered when it kills the worker.
    """

    def __init__(self, delay: float):
        self.delay = delay
        self.port = 0
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._unanswered: list[str] = []
        self._answering = True

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        subject = str(message["Subject"])
        found = re.search(rf"\(({REFERENCE})\)$", subject)
        reference = found.group(1) if found else f"(none in {subject!r})"
        with self._lock:
            self._received.append(Received(reference, tuple(envelope.rcpt_tos), subject))
            self._unanswered.append(reference)
        try:
            # Cancelled by aiosmtpd if the sender hangs up meanwhile.
            await asyncio.sleep(self.delay)
            while True:
                with self._lock:
                    if self._answering:
                        self._unanswered.remove(reference)
                        break
                await asyncio.sleep(0.005)
        except asyncio.CancelledError:
            with self._lock:
                self._unanswered.remove(reference)
            raise
        return "250 Message accepted for delivery"

    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def hold(self) -> list[str]:
        """Stops answering; returns the messages that will stay unanswered until `answer`."""
        with self._lock:
            self._answering = False
            return list(self._unanswered)

    def answer(self) -> None:
        with self._lock:
            self._answering = True


@pytest.fixture
def smtp_sink():
    sink = SlowSink(SINK_DELAY)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


# Redis, PostgreSQL and the deployment ------------------------------------------------------


def _redis_url(db: int) -> str:
    return urllib.parse.urlunsplit(_redis._replace(path=f"/{db}"))


@pytest.fixture
def redis_databases():
    urls = {"cache": _redis_url(CACHE_DB), "broker": _redis_url(BROKER_DB)}

    def flush():
        for url in urls.values():
            with redis.Redis.from_url(url) as client:
                client.flushdb()

    flush()
    yield urls
    flush()


@dataclass
class Site:
    database_url: str
    servers: list[str]
    env: dict[str, str]
    tmp: Path

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(_conninfo(self.database_url)) as connection:
            return connection.execute(query, params).fetchall()


def _conninfo(database_url: str) -> str:
    # psycopg reads postgres:// URLs; django-environ's other spellings mean the same.
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgresql"))


@pytest.fixture
def site(tmp_path, redis_databases, smtp_sink):
    """A fresh database, migrated, with the event and the delegates; collected static files."""
    name = f"emn_multiserver_{os.getpid()}"
    database_url = urllib.parse.urlunsplit(
        urllib.parse.urlsplit(settings.DATABASE_URL)._replace(path=f"/{name}")
    )
    maintenance = _conninfo(
        urllib.parse.urlunsplit(
            urllib.parse.urlsplit(settings.DATABASE_URL)._replace(path="/postgres")
        )
    )
    ports = [free_port(), free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    env = clean_environment(
        DATABASE_URL=database_url,
        CACHE_URL=redis_databases["cache"],
        CELERY_BROKER_URL=redis_databases["broker"],
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_sink.port}",
        SITE_URL=servers[0],
        DJANGO_SECRET_KEY="multi-server-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        # The two are independent: on two cores, side by side they take half the time.
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            steps = [
                pool.submit(manage, "migrate", "--noinput", env=env),
                pool.submit(manage, "collectstatic", "--noinput", env=env),
            ]
            for step in steps:
                step.result()
        manage(
            "shell",
            "-c",
            SETUP,
            env={
                **env,
                "RUSH_EVENT": EVENT,
                "RUSH_CAPACITY": str(CAPACITY),
                "RUSH_PASSWORD": PASSWORD,
                "RUSH_EMAILS": " ".join(delegate_email(n) for n in range(DELEGATES)),
            },
        )
        yield Site(database_url=database_url, servers=servers, env=env, tmp=tmp_path)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _print_logs(*processes: Process) -> None:
    # Shown by pytest only when the test fails.
    for process in processes:
        print(f"\n----- {process.name} ({process.log}) -----\n{process.tail()}")


@pytest.fixture
def app_servers(site):
    conf = ["-c", "gunicorn.conf.py"] if (BASE_DIR / "gunicorn.conf.py").exists() else []
    processes = [
        Process(
            f"gunicorn {url}",
            [
                sys.executable,
                "-m",
                "gunicorn",
                *conf,
                "--bind",
                url.removeprefix("http://"),
                "--workers",
                "2",
                "emn_conference.wsgi",
            ],
            env={**site.env, "WEB_CONCURRENCY": "2"},
            log=site.tmp / f"gunicorn-{index}.log",
        )
        for index, url in enumerate(site.servers)
    ]

    def answers(process: Process, url: str) -> bool:
        if not process.running:
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        try:
            # The first request loads the application in the worker: it may take a while.
            return requests.get(f"{url}/en/", timeout=20).status_code == 200
        except requests.RequestException:
            return False

    try:
        for process in processes:
            process.start()
        for process, url in zip(processes, site.servers, strict=True):
            wait_until(lambda p=process, u=url: answers(p, u), timeout=60, what=f"{url}/en/")
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.stop()
        _print_logs(*processes)


@pytest.fixture
def worker(site):
    process = Process(
        "celery worker",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "emn_conference",
            "worker",
            "-B",
            "-l",
            "info",
            "--concurrency",
            str(WORKER_CONCURRENCY),
            "-s",
            str(site.tmp / "beat-schedule"),
        ],
        env={
            **site.env,
            "OUTBOX_SWEEP_EVERY": str(SWEEP_EVERY),
            "OUTBOX_SWEEP_AFTER": str(SWEEP_AFTER),
        },
        log=site.tmp / "celery.log",
    )
    try:
        process.start()
        process.wait_for_output(" ready.", timeout=60)
        yield process
    finally:
        process.stop()
        _print_logs(process)


# The delegates -----------------------------------------------------------------------------


@dataclass
class Outcome:
    email: str
    server: str
    reference: str = ""
    # (method, URL, status) of every response, in order.
    responses: list[tuple[str, str, int]] = field(default_factory=list)
    detail_elsewhere_shows_reference: bool = False
    error: str = ""

    @property
    def statuses(self) -> list[int]:
        return [status for _method, _url, status in self.responses]


class SourceAddressAdapter(HTTPAdapter):
    """Connects from the given local address (any 127.x.y.z reaches the loopback servers)."""

    def __init__(self, address: str):
        self.address = address  # before HTTPAdapter's __init__, which makes the pool
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


def _csrf_token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def register_delegate(n: int, server: str, other_server: str) -> Outcome:
    """Signs in and registers through the forms, as a browser without JavaScript does."""
    outcome = Outcome(email=delegate_email(n), server=server)
    with requests.Session() as browser:
        # Each delegate from an address of their own, as in a real rush: allauth allows 30
        # sign-ins a minute from one address, counted in the shared cache.
        browser.mount("http://", SourceAddressAdapter(f"127.0.{n // 250 + 1}.{n % 250 + 1}"))

        def call(method: str, base: str, path: str, **data):
            response = browser.request(
                method, base + path, data=data or None, allow_redirects=False, timeout=60
            )
            outcome.responses.append((method, base + path, response.status_code))
            return response

        try:
            page = call("GET", server, LOGIN)
            call(
                "POST",
                server,
                LOGIN,
                csrfmiddlewaretoken=_csrf_token(page.text),
                login=outcome.email,
                password=PASSWORD,
            )
            form = call("GET", server, REGISTER)
            registered = call(
                "POST",
                server,
                REGISTER,
                csrfmiddlewaretoken=_csrf_token(form.text),
                honorific="Ms.",
                given_name="Delegate",
                family_name=f"Number {n}",
                position="Migration officer",
                organisation="IOM Austria",
                country="AT",
                phone="+43 1 5812222",
                language="en",
                privacy_accepted="on",
            )
            found = DETAIL.fullmatch(registered.headers.get("Location", ""))
            if found:
                outcome.reference = found.group(1)
                # The session lives in the shared store: the other server knows this delegate.
                detail = call("GET", other_server, found.group(0))
                outcome.detail_elsewhere_shows_reference = outcome.reference in detail.text
        except requests.RequestException as error:
            outcome.error = repr(error)
    return outcome


@dataclass
class Kill:
    received: int
    # Messages the SMTP server had taken but not yet answered when the worker died.
    unanswered: list[str]


def kill_while_sending(worker: Process, sink: SlowSink) -> Kill:
    """Kills the worker once KILL_AFTER messages arrived, while it waits on an answer."""

    def sending() -> Kill | None:
        received = len(sink.received())
        if received < KILL_AFTER:
            return None
        unanswered = sink.hold()
        if unanswered:
            return Kill(received=received, unanswered=unanswered)
        sink.answer()
        return None

    kill = wait_until(sending, timeout=120, what="the worker sending a message", every=0.005)
    try:
        worker.kill()
    finally:
        sink.answer()
    return kill


# The test ----------------------------------------------------------------------------------


def test_two_servers_rush_fills_the_seats_and_mails_each_delegate_once_despite_a_killed_worker(
    site, app_servers, worker, smtp_sink
):
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        futures = [
            pool.submit(register_delegate, n, site.servers[n % 2], site.servers[1 - n % 2])
            for n in range(DELEGATES)
        ]
        kill = kill_while_sending(worker, smtp_sink)
        worker.start()
        restarted = time.monotonic()
        worker.wait_for_output(" ready.", timeout=60)
        outcomes = [future.result() for future in futures]
    rush_took = time.monotonic() - started

    # Every request answered as a browser expects: sign-in, the form, registered, and the
    # registration page on the other server.
    assert [o for o in outcomes if o.error or o.statuses != [200, 302, 200, 302, 200]] == []
    assert [o for o in outcomes if not o.detail_elsewhere_shows_reference] == []
    assert collections.Counter(o.server for o in outcomes) == {
        site.servers[0]: DELEGATES // 2,
        site.servers[1]: DELEGATES // 2,
    }

    # Exactly the seats confirmed, everyone else waiting, one registration each.
    registrations = site.sql(
        "SELECT r.reference, r.status, u.email FROM registrations_registration r "
        "JOIN accounts_user u ON u.id = r.user_id "
        "JOIN events_event e ON e.id = r.event_id WHERE e.slug = %s",
        EVENT,
    )
    assert collections.Counter(status for _ref, status, _email in registrations) == {
        "confirmed": CAPACITY,
        "waitlisted": DELEGATES - CAPACITY,
    }
    assert sorted(email for _ref, _status, email in registrations) == sorted(
        delegate_email(n) for n in range(DELEGATES)
    )
    assert sorted(ref for ref, _status, _email in registrations) == sorted(
        o.reference for o in outcomes
    )

    # The kill came in the middle: a message was being sent and more were still to come.
    assert kill.unanswered
    assert kill.received < DELEGATES

    def all_sent() -> bool:
        counts = site.sql(
            "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) "
            "FROM registrations_notification"
        )
        return counts == [(DELEGATES, DELEGATES)]

    try:
        wait_until(
            all_sent,
            timeout=RESTART_DEADLINE - (time.monotonic() - restarted),
            what="every message sent after the worker's restart",
            every=0.5,
        )
    except TimeoutError:
        states = site.sql("SELECT status, count(*) FROM registrations_notification GROUP BY 1")
        arrived = {r.reference for r in smtp_sink.received()}
        pytest.fail(
            f"Not every message was sent within {RESTART_DEADLINE} s of the worker's restart: "
            f"messages by status {dict(states)}; {len(arrived)} of {DELEGATES} delegates' "
            "messages reached the SMTP server"
        )
    delivered_after_restart = time.monotonic() - restarted
    # A stray second send would come from a task still queued: give the sweep a turn.
    time.sleep(SWEEP_EVERY + 1)

    # Each delegate's status message, to them, about their status.
    notifications = site.sql(
        "SELECT r.reference, r.status, n.kind, n.status FROM registrations_notification n "
        "JOIN registrations_registration r ON r.id = n.registration_id"
    )
    status_of = {ref: status for ref, status, _email in registrations}
    assert sorted(notifications) == sorted(
        (ref, status, status, "sent") for ref, status in status_of.items()
    )
    received = smtp_sink.received()
    email_of = {ref: email for ref, _status, email in registrations}
    wording = {"confirmed": " is confirmed ", "waitlisted": " on the waiting list "}
    assert [
        r
        for r in received
        if r.reference not in email_of
        or r.recipients != (email_of[r.reference],)
        or wording[status_of[r.reference]] not in r.subject
    ] == []
    # Every message arrived; none twice except those the killed worker was sending (at most
    # one per process of its pool). Those did go out again: the server had taken them, but
    # the worker died before it heard so and could mark them sent.
    times = collections.Counter(r.reference for r in received)
    assert set(times) == set(email_of)
    twice = {reference: n for reference, n in times.items() if n > 1}
    assert set(twice.values()) <= {2}
    assert len(twice) <= WORKER_CONCURRENCY, (twice, kill)
    assert set(kill.unanswered) <= set(twice)
    # Before the kill nothing had arrived twice.
    assert len({r.reference for r in received[: kill.received]}) == kill.received
    assert delivered_after_restart <= RESTART_DEADLINE
    print(
        f"rush of {DELEGATES} in {rush_took:.1f} s; killed after {kill.received} messages "
        f"({len(kill.unanswered)} unanswered); all delivered {delivered_after_restart:.1f} s after "
        f"the restart; sent twice: {twice or 'none'}"
    )
