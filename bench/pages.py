"""Part 3: the public pages and feeds of the demo conference (emn-2018) and of the large event
(600 sessions, 1,500 speakers), in both languages, under gunicorn as production runs it.

Each is compared with two floors holding the same bytes: the page saved as a static file and
served by WhiteNoise from the same gunicorn, and a Django view returning them through the whole
middleware (`bench.floors.same_bytes_view`). Pages are compared with the Django floor (the
issue's "same bytes" goal), feeds with the static file. The first request of each page is
made before the timed part (and reported): the goals are for the pages once warm.

Measured with wrk when it is installed (Debian: `apt-get install wrk`), otherwise with an
asyncio client; 4 connections (2 for pages slower than 0.2 s).
"""

from __future__ import annotations

import asyncio
import math
import re
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field

from .harness import BenchError, Figure, Gunicorn, Run, log

PAGES = [
    # (name, path under /<lang>/events/<slug>/, extension of the floor file)
    ("event page", "", ".html"),
    ("agenda", "agenda/", ".html"),
    ("speakers", "speakers/", ".html"),
    ("session", "sessions/{session}/", ".html"),
    ("schedule.ics", "schedule.ics", ".ics"),
    ("schedule.xml", "schedule.xml", ".xml"),
    ("schedule.json", "schedule.json", ".json"),
]
EVENTS = [("conference", "emn-2018"), ("large", "big")]
LANGUAGES = ("bg", "en")
FEEDS = {"schedule.ics", "schedule.xml", "schedule.json"}


@dataclass
class Target:
    event: str
    language: str
    page: str
    path: str
    key: str
    first: float = 0.0  # seconds, the first request after the server started
    warm: float = 0.0
    size: int = 0
    rates: list[float] = field(default_factory=list)
    static: list[float] = field(default_factory=list)
    django: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def slow(self) -> bool:
        return self.warm > 0.2


def run(bench: Run) -> None:
    url = bench.databases.large()
    env = bench.env.django(url)
    bench.env.collectstatic(url)
    bench.env.flush_redis()
    targets = _targets(bench, url)
    log(f"part 3: {len(targets)} pages and feeds ({'wrk' if _wrk() else 'asyncio client'})")
    # The first server saves what each page answers as its floors; the second serves them
    # (WhiteNoise finds static files when it starts).
    with Gunicorn(env, name="pages-save") as server:
        for target in targets:
            body, target.first = _get(server.base + target.path)
            target.size = len(body)
            (bench.env.floor_dir / target.key).write_bytes(body)
    with Gunicorn(env, name="pages") as server:
        bench.notes.append(f"gunicorn: {server.workers} (gunicorn.conf.py), --max-requests 0")
        for target in targets:
            _get(server.base + target.path)
            _body, target.warm = _get(server.base + target.path)
            _get(f"{server.base}/static/bench-floor/{target.key}")
            _get(f"{server.base}/bench/floor/{target.key}")
        for rep in range(bench.reps):
            log(f"  repetition {rep + 1} of {bench.reps}")
            for target in targets:
                if rep and target.warm > 3:
                    continue  # one run is enough to tell that it is far off, and takes long
                connections = 2 if target.slow else 4
                duration = min(max(1, math.ceil(8 * target.warm)), 30)
                rate, errors = _measure(server.base + target.path, duration, connections)
                target.rates.append(rate)
                target.errors += errors
                target.static.append(
                    _measure(f"{server.base}/static/bench-floor/{target.key}", 1, connections)[0]
                )
                target.django.append(
                    _measure(f"{server.base}/bench/floor/{target.key}", 1, connections)[0]
                )
    for target in targets:
        feed = target.page in FEEDS
        goal = None
        if feed:
            goal = 2.0
        elif target.page == "agenda":
            goal = 3.0 if target.event == "conference" else 5.0
        other = Figure(
            "", "", "", target.rates, floor_values=target.django if feed else target.static
        )
        note = f"{target.size / 1024:,.0f} KB; first request {target.first:.2f} s; ×" + (
            f"{other.ratio:.1f} the Django view" if feed else f"{other.ratio:.1f} the static file"
        )
        if target.errors:
            note += f"; {target.errors} errors"
        bench.add(
            Figure(
                part="3 pages",
                label=f"{target.event} {target.page} {target.language}",
                unit="req/s",
                values=target.rates,
                floor_label="static file" if feed else "Django same bytes",
                floor_values=target.static if feed else target.django,
                goal=goal,
                note=note,
            )
        )


def _targets(bench: Run, url: str) -> list[Target]:
    targets = []
    for event, slug in EVENTS:
        # A session with speakers, as the agenda links to.
        (session,) = bench.databases.sql(
            url,
            """
            SELECT s.id FROM events_session s JOIN events_event e ON e.id = s.event_id
            WHERE e.slug = %s AND EXISTS (
                SELECT 1 FROM events_sessionspeaker a WHERE a.session_id = s.id)
            ORDER BY s.start, s.id LIMIT 1
            """,
            [slug],
        )[0]
        for language in LANGUAGES:
            for page, path, extension in PAGES:
                targets.append(
                    Target(
                        event=event,
                        language=language,
                        page=page,
                        path=f"/{language}/events/{slug}/{path.format(session=session)}",
                        key=f"{event}-{page.replace(' ', '-').replace('.', '-')}-{language}"
                        f"{extension}",
                    )
                )
    return targets


def _get(url: str) -> tuple[bytes, float]:
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:  # noqa: S310 - our own server
        body = response.read()
    return body, time.perf_counter() - began


def _wrk() -> str | None:
    return shutil.which("wrk")


REQUESTS = re.compile(r"Requests/sec:\s+([\d.]+)")
BAD = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def _measure(url: str, duration: int, connections: int) -> tuple[float, int]:
    """Requests per second over `duration` seconds with `connections` at once, and errors."""
    wrk = _wrk()
    if wrk is None:
        return asyncio.run(_measure_async(url, duration, connections))
    result = subprocess.run(  # noqa: S603 - wrk, found on the PATH, no shell
        [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "120s", url],
        capture_output=True,
        text=True,
        check=False,
        timeout=duration + 180,
    )
    if result.returncode:
        raise BenchError(f"wrk failed on {url}:\n{result.stdout}{result.stderr}")
    found = REQUESTS.search(result.stdout)
    errors = sum(int(n) for n in BAD.findall(result.stdout))
    socket = SOCKET.search(result.stdout)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return (float(found.group(1)) if found else 0.0), errors


async def _measure_async(url: str, duration: int, connections: int) -> tuple[float, int]:
    import aiohttp

    done = errors = 0
    deadline = time.monotonic() + duration

    async def loop(client) -> None:
        nonlocal done, errors
        while time.monotonic() < deadline:
            async with client.get(url) as answer:
                await answer.read()
                if answer.status == 200:
                    done += 1
                else:
                    errors += 1

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as client:
        began = time.perf_counter()
        await asyncio.gather(*(loop(client) for _ in range(connections)))
        elapsed = time.perf_counter() - began
    return done / elapsed, errors
