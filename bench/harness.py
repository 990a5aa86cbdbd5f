"""What every part of the suite shares: its own PostgreSQL databases, the environment of a
production-like process, gunicorn, Django subprocesses, and the figures with their floors.

The driver (`python -m bench`) never sets up Django itself: each Django process (migrate,
the generator, the measured services, gunicorn) gets the environment it would have in
production, pointed at one of the suite's databases, so that nothing of the developer's
shell or `.env` leaks in and each database is created and dropped by the suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Redis databases of the suite alone (the tests use 1, 12 and 13), emptied before and after.
CACHE_DB, BROKER_DB = 10, 11
DB_PREFIX = "emn_bench_"

# Settings the suite gives explicitly: none may leak in from the shell or `.env`.
_OWN_PREFIXES = ("DJANGO_", "CELERY_", "OUTBOX_", "GUNICORN_", "EXPORT_", "PRIVACY_")
_OWN_NAMES = {
    "DATABASE_URL",
    "CACHE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SITE_URL",
    "EVENT_LOCK_TIMEOUT",
}


class BenchError(RuntimeError):
    """The suite cannot run (no PostgreSQL, a process that failed): said plainly, no trace."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- figures -------------------------------------------------------------------------------


@dataclass
class Figure:
    """One measurement repeated, and the floor it is compared with, measured alongside.

    `better` says which way is good: "higher" for rates, "lower" for times and memory. The
    ratio is how many times worse than its floor the measurement is (1.0: as good as it),
    taken per repetition (each with the floor measured next to it), then the median.
    """

    part: str
    label: str
    unit: str
    values: list[float]
    better: str = "higher"
    floor_label: str = ""
    floor_values: list[float] = field(default_factory=list)
    goal: float | None = None  # the goal for the ratio, e.g. 3.0 for "within 3x"
    # Or an absolute goal (e.g. "≥ 6,000/min"), with whether the median meets it.
    goal_text: str = ""
    goal_met: bool | None = None
    note: str = ""

    def ratios(self) -> list[float]:
        pairs = zip(self.values, self.floor_values, strict=False)
        if self.better == "higher":
            return [f / v if v else float("inf") for v, f in pairs]
        return [v / f if f else float("inf") for v, f in pairs]

    @property
    def ratio(self) -> float | None:
        ratios = self.ratios()
        return statistics.median(ratios) if ratios else None

    @property
    def met(self) -> bool | None:
        if self.goal_text:
            return self.goal_met
        if self.goal is None or self.ratio is None:
            return None
        return self.ratio <= self.goal

    def as_dict(self) -> dict:
        return {
            "part": self.part,
            "label": self.label,
            "unit": self.unit,
            "values": self.values,
            "better": self.better,
            "floor_label": self.floor_label,
            "floor_values": self.floor_values,
            "ratio": self.ratio,
            "ratios": self.ratios(),
            "goal": self.goal_text or self.goal,
            "met": self.met,
            "note": self.note,
        }


def number(value: float | None) -> str:
    if value is None:
        return "–"
    if value == float("inf"):
        return "∞"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def spread(values: list[float]) -> str:
    if len(values) < 2:
        return ""
    return f"{number(min(values))}–{number(max(values))}"


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def table_rows(figures: list[Figure]) -> list[list[str]]:
    rows = []
    for figure in figures:
        ratio = figure.ratio
        goal = figure.goal_text or ("" if figure.goal is None else f"≤ {figure.goal:g}×")
        met = {True: "met", False: "NOT met", None: ""}[figure.met]
        rows.append(
            [
                figure.part,
                figure.label,
                f"{number(median(figure.values))} {figure.unit}".strip(),
                spread(figure.values),
                figure.floor_label,
                number(median(figure.floor_values)) if figure.floor_values else "",
                "" if ratio is None else f"×{number(ratio)}",
                spread(figure.ratios()),
                f"{goal} {met}".strip(),
                str(len(figure.values)),
                figure.note,
            ]
        )
    return rows


HEADERS = [
    "part",
    "measure",
    "median",
    "spread",
    "floor",
    "floor median",
    "× floor",
    "× spread",
    "goal",
    "n",
    "note",
]


def render_text(figures: list[Figure]) -> str:
    rows = [HEADERS, *table_rows(figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def render_markdown(figures: list[Figure]) -> str:
    def escape(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(" --- " for _ in HEADERS) + "|",
    ]
    for row in table_rows(figures):
        lines.append("| " + " | ".join(escape(cell) for cell in row) + " |")
    return "\n".join(lines)


# --- databases -----------------------------------------------------------------------------


def with_path(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))


def conninfo(url: str) -> str:
    """psycopg reads postgres:// URLs; django-environ's other spellings mean the same."""
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(scheme="postgresql"))


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "postgis", "psql"}:
        raise BenchError(
            "make bench runs against PostgreSQL: set DATABASE_URL=postgres://USER@HOST:5432/NAME "
            "(the suite creates and drops its own databases next to NAME)."
        )
    return url


class Databases:
    """The suite's databases, created on first use and dropped at the end.

    `base`: migrated, with the demo (emn-2018) and a conference-size generated event;
    `large`: a copy of `base` with the large generated event (50,000 registrations);
    `copy(name)`: a fresh copy of `base` for a part that writes (the registration rushes).
    """

    def __init__(self, *, env: Environment, keep: bool = False):
        self.server = server_url()
        self.env = env
        # Kept databases (`--keep`) are found again by the next run with `--keep`.
        self.keep = keep
        self.prefix = f"{DB_PREFIX}keep_" if keep else f"{DB_PREFIX}{os.getpid()}_"
        self.created: list[str] = []
        self._built: set[str] = set()

    def _exists(self, name: str) -> bool:
        with self._admin() as admin:
            found = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [f"{self.prefix}{name}"]
            ).fetchone()
        return found is not None

    def url(self, name: str) -> str:
        return with_path(self.server, f"{self.prefix}{name}")

    def _admin(self):
        return psycopg.connect(conninfo(with_path(self.server, "postgres")), autocommit=True)

    def drop_stale(self) -> None:
        """Drops databases left by earlier runs that died (their process is gone)."""
        with self._admin() as admin:
            names = [
                row[0]
                for row in admin.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{DB_PREFIX}%"]
                )
            ]
            for name in names:
                pid = name.removeprefix(DB_PREFIX).split("_", 1)[0]
                if pid.isdigit() and not _alive(int(pid)):
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create(self, name: str, *, template: str | None = None) -> str:
        full = f"{self.prefix}{name}"
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
            if template:
                admin.execute(f'CREATE DATABASE "{full}" TEMPLATE "{self.prefix}{template}"')
            else:
                admin.execute(f'CREATE DATABASE "{full}"')
        if not (self.keep and name in ("base", "large")):
            self.created.append(full)
        return self.url(name)

    def drop(self, url: str) -> None:
        full = urllib.parse.urlsplit(url).path.lstrip("/")
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
        if full in self.created:
            self.created.remove(full)

    def drop_all(self) -> None:
        with self._admin() as admin:
            for full in reversed(self.created):
                admin.execute(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
        self.created.clear()

    def base(self) -> str:
        if self.keep and "base" not in self._built and self._exists("base"):
            log("base database kept from an earlier run (--keep)")
            self._built.add("base")
        if "base" not in self._built:
            began = time.monotonic()
            url = self.create("base")
            env = self.env.django(url)
            manage("migrate", "--noinput", env=env)
            manage("load_demo", env=env)
            worker("conference", env=env)
            self.analyze(url)
            self._built.add("base")
            log(f"base database ready in {time.monotonic() - began:.0f} s")
        return self.url("base")

    def large(self) -> str:
        if self.keep and "large" not in self._built and self._exists("large"):
            log("large database kept from an earlier run (--keep)")
            self._built.add("large")
        if "large" not in self._built:
            self.base()
            began = time.monotonic()
            url = self.create("large", template="base")
            worker("large", env=self.env.django(url), timeout=1200)
            self.analyze(url)
            self._built.add("large")
            log(f"large database ready in {time.monotonic() - began:.0f} s")
        return self.url("large")

    def copy(self, name: str) -> str:
        self.base()
        return self.create(name, template="base")

    def analyze(self, url: str) -> None:
        """Statistics for the planner after the bulk inserts, as autovacuum would gather them
        on a database that has been in use for a while."""
        with psycopg.connect(conninfo(url), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")

    def sql(self, url: str, query: str, params=()) -> list[tuple]:
        with psycopg.connect(conninfo(url)) as connection:
            return connection.execute(query, params).fetchall()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- the environment of a production-like process ------------------------------------------


def redis_url(db: int) -> str | None:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    parts = urllib.parse.urlsplit(base)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            pass
    except OSError:
        return None
    return urllib.parse.urlunsplit(parts._replace(path=f"/{db}"))


class Environment:
    """One run's settings: a secret key, temporary directories, Redis or its stand-ins."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="emn-bench-"))
        self.static_root = self.tmp / "static"
        self.floor_dir = self.static_root / "bench-floor"
        self.secret_key = secrets.token_urlsafe(50)
        self.cache_url = redis_url(CACHE_DB)
        self.broker_url = redis_url(BROKER_DB)
        self._collected = False

    @property
    def redis(self) -> bool:
        return self.cache_url is not None

    def flush_redis(self) -> None:
        if not self.redis:
            return
        import redis

        for url in (self.cache_url, self.broker_url):
            with redis.Redis.from_url(url) as client:
                client.flushdb()

    def django(self, database_url: str, **extra: str) -> dict[str, str]:
        """A production-like environment: DEBUG off, a random key, Redis for the cache (and
        sessions) and Celery's broker, so that mail is queued for a worker that is not
        running instead of being sent within the request."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(_OWN_PREFIXES) and name not in _OWN_NAMES
        }
        env.update(
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(BASE_DIR),
            DJANGO_SETTINGS_MODULE="bench.settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url,
            DJANGO_STATIC_ROOT=str(self.static_root),
            DJANGO_MEDIA_ROOT=str(self.tmp / "media"),
            DJANGO_PRIVATE_ROOT=str(self.tmp / "private"),
            SITE_URL="http://127.0.0.1",
            # Never reached: with a broker, requests only queue their messages.
            EMAIL_URL="smtp://127.0.0.1:9",
            CACHE_URL=self.cache_url or f"filecache://{self.tmp / 'cache'}",
            CELERY_BROKER_URL=self.broker_url or "memory://",
            BENCH_FLOOR_DIR=str(self.floor_dir),
            DJANGO_LOG_LEVEL="WARNING",
        )
        env.update(extra)
        return env

    def collectstatic(self, database_url: str) -> None:
        if not self._collected:
            manage("collectstatic", "--noinput", env=self.django(database_url))
            self.floor_dir.mkdir(parents=True, exist_ok=True)
            self._collected = True

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- processes -----------------------------------------------------------------------------


def manage(*args: str, env: dict[str, str], timeout: float = 600) -> str:
    return _run([PYTHON, "manage.py", *args], env=env, timeout=timeout, what=f"manage.py {args[0]}")


def worker(task: str, *args: str, env: dict[str, str], timeout: float = 900) -> dict:
    """Runs `python -m bench.worker TASK ARGS` (Django set up from `env`): its JSON answer."""
    out = _run(
        [PYTHON, "-m", "bench.worker", task, *args], env=env, timeout=timeout, what=f"{task}"
    )
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"bench.worker {task} gave no answer:\n{out[-3000:]}")
    return json.loads(lines[-1])


def _run(command: list[str], *, env: dict[str, str], timeout: float, what: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands, no shell
        command,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise BenchError(
            f"{what} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-5000:]}"
        )
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py` as production starts it, on a free loopback port.

    Only `--max-requests 0` is added: production replaces each worker after about 1,000
    requests, which during a measurement of thousands of requests a second would time the
    restarts, not the pages.
    """

    def __init__(self, env: dict[str, str], *, name: str):
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log = Path(env["DJANGO_STATIC_ROOT"]).parent / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def workers(self) -> str:
        cpus = os.cpu_count() or 1
        workers = self.env.get("WEB_CONCURRENCY") or str(2 * cpus + 1)
        threads = self.env.get("GUNICORN_THREADS") or "2"
        return f"{workers} workers x {threads} threads"

    def start(self) -> Gunicorn:
        with self.log.open("ab") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - our own command, no shell
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",
                    "--max-requests",
                    "0",
                    "emn_conference.wsgi",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn stopped:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/en/", timeout=30) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process is None:
            return
        # SIGINT: a quick shutdown (SIGTERM would wait for the graceful timeout).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class Run:
    """What the parts share in one run of the suite."""

    env: Environment
    databases: Databases
    reps: int = 3
    options: dict = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        ratio = figure.ratio
        log(
            f"  {figure.part} {figure.label}: {number(median(figure.values))} {figure.unit}"
            + (f" (×{number(ratio)} {figure.floor_label})" if ratio is not None else "")
        )
