"""Part 2: the registration rush over HTTP, under gunicorn as production runs it.

2,000 verified delegates (20,000 with `--rush-large`) register for 500 seats (a quarter of
them) through the real register form, 200 at a time: an asyncio client (aiohttp, which needs
a third of the CPU per request that httpx does: the client shares the two cores with the
server) bounded by a semaphore. Signing in costs a PBKDF2 hash per delegate (a third of a
second of CPU here, by design), so it is kept out of the timed part and measured on its own:
a sample of delegates (`--logins`, 50) signs in through the real log-in form, each from its
own loopback address (allauth allows 30 sign-ins a minute per address); the others get the
same session made directly in the session store, as the log-in would leave it. The CSRF
cookie's secret is sent as the form's token, which Django accepts as it would a browser's. A
trial stops sending new registrations after `--rush-cap` seconds (75); its rate is then of
those done.

Timed: only the registration POSTs. The floor: the same POSTs, signed in, through the same
middleware, to a bench-only view that locks the event's row, counts and inserts in raw SQL.
After each trial the database is checked: no seat oversold (and none left free while people
wait), no delegate twice, one row per success.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import statistics
import string
import time
from dataclasses import dataclass

from .harness import Figure, Gunicorn, Run, log, worker

CONCURRENCY = 200
TIMEOUT = 300  # seconds a request may take (the slowest sign-ins queue for a minute)
PASSWORD = "rush-hour-password-2030"  # noqa: S105 - the delegates of a throw-away database
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DETAIL = re.compile(r"/en/registrations/[A-Z0-9]+-[A-Z0-9]{5}/$")
FORM = {
    "honorific": "Ms.",
    "given_name": "Anna",
    "position": "Migration officer",
    "organisation": "IOM Austria",
    "country": "AT",
    "phone": "+43 1 5812222",
    "language": "en",
    "privacy_accepted": "on",
}


@dataclass
class Delegate:
    n: int
    email: str
    session: str | None = None
    csrf: str = ""

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session}; csrftoken={self.csrf}"

    @property
    def address(self) -> str:
        return f"127.0.{self.n // 250 + 1}.{self.n % 250 + 1}"


def run(bench: Run) -> None:
    import aiohttp  # noqa: F401 - fail early, before building databases, if it is missing

    count = bench.options.get("rush", 2000)
    sample = min(bench.options.get("logins", 50), count)
    capacity = count // 4
    cap = bench.options.get("rush_cap", 75)
    url = bench.databases.copy("rush")
    env = bench.env.django(url)
    bench.env.collectstatic(url)
    bench.env.flush_redis()
    log(f"part 2: HTTP rush, {count:,} delegates for {capacity:,} seats, {CONCURRENCY} at once")
    setup = worker(
        "rush-setup",
        "--delegates",
        str(count),
        "--sample",
        str(sample),
        "--capacity",
        str(capacity),
        "--reps",
        str(bench.reps),
        "--password",
        PASSWORD,
        env=env,
        timeout=1800,
    )
    delegates = [
        Delegate(n, email, session) for n, (email, session) in enumerate(setup["delegates"])
    ]
    with Gunicorn(env, name="rush") as server:
        bench.notes.append(f"gunicorn: {server.workers} (gunicorn.conf.py), --max-requests 0")
        signed_in = asyncio.run(_sign_in(server.base, delegates[:sample]))
        for delegate in delegates[sample:]:
            delegate.csrf = _csrf_secret()
        latencies = sorted(signed_in["latencies"])
        bench.add(
            Figure(
                part="2 rush",
                label=f"sign-in (real form, {sample} delegates, PBKDF2)",
                unit="/min",
                values=[signed_in["rate"] * 60],
                note=(
                    f"p50 {_quantile(latencies, 0.5):.2f} s, p95 {_quantile(latencies, 0.95):.2f}"
                    f" s; {signed_in['errors']} errors; not timed in the rush below"
                ),
            )
        )
        ready = [d for d in delegates if d.session]
        if len(ready) < len(delegates):
            log(f"  {len(delegates) - len(ready)} delegates could not sign in")
        service, floor = [], []
        for rep in range(bench.reps):
            order = ["floor", "service"] if rep % 2 == 0 else ["service", "floor"]
            for impl in order:
                slug = f"rush-{impl}-{rep}"
                path = (
                    f"/en/events/{slug}/register/"
                    if impl == "service"
                    else f"/bench/floor/register/{slug}/"
                )
                trial = asyncio.run(_rush(server.base, path, ready, cap=cap))
                trial["problems"] = _check(bench, url, slug, capacity=capacity, trial=trial)
                log(
                    f"  {impl:<7} {trial['done']:,} in {trial['elapsed']:.1f} s: "
                    f"{trial['rate'] * 60:,.0f}/min, p95 {trial['p95']:.2f} s, "
                    f"{trial['errors']} errors {'; '.join(trial['problems'])}"
                )
                (service if impl == "service" else floor).append(trial)
    _figures(bench, service, floor, count=count, capacity=capacity, cap=cap)
    bench.databases.drop(url)


def _figures(bench: Run, service: list, floor: list, *, count: int, capacity: int, cap) -> None:
    per_minute = [t["rate"] * 60 for t in service]
    p95 = [t["p95"] for t in service]
    errors = sum(t["errors"] for t in service)
    problems = sorted({p for t in service for p in t["problems"]})
    capped = sum(1 for t in service if t["capped"])
    rate = statistics.median(per_minute)
    note = (
        f"p50 {statistics.median(t['p50'] for t in service):.2f} s, p99 "
        f"{statistics.median(t['p99'] for t in service):.2f} s; {errors} errors; "
        + ("; ".join(problems) if problems else "no seat oversold, no one registered twice")
    )
    if capped:
        note += f"; {capped} trial(s) stopped after {cap} s"
    client = max(t["client_cpu"] for t in [*service, *floor])
    note += f"; the client used at most {client:.0%} of a core"
    bench.add(
        Figure(
            part="2 rush",
            label=f"register POST, {count:,} for {capacity:,} seats",
            unit="/min",
            values=per_minute,
            floor_label="same POST, raw SQL view",
            floor_values=[t["rate"] * 60 for t in floor],
            goal_text="≥ 6,000/min, 0 errors",
            goal_met=rate >= 6000 and errors == 0 and not problems,
            note=note,
        )
    )
    bench.add(
        Figure(
            part="2 rush",
            label="register POST p95 latency",
            unit="s",
            values=p95,
            better="lower",
            floor_label="same POST, raw SQL view",
            floor_values=[t["p95"] for t in floor],
            goal_text="≤ 2 s",
            goal_met=statistics.median(p95) <= 2,
        )
    )


def _csrf_secret() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def _sign_in(base: str, delegates: list[Delegate]) -> dict:
    import aiohttp

    semaphore = asyncio.Semaphore(CONCURRENCY)
    latencies: list[float] = []
    errors = 0

    async def one(delegate: Delegate) -> None:
        nonlocal errors
        async with semaphore:
            # Its own address, and a cookie jar that keeps cookies of an IP address (unsafe=).
            connector = aiohttp.TCPConnector(local_addr=(delegate.address, 0))
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(
                base_url=base,
                connector=connector,
                cookie_jar=jar,
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
            ) as client:
                try:
                    async with client.get("/en/accounts/login/") as page:
                        token = CSRF.search(await page.text())
                    began = time.perf_counter()
                    async with client.post(
                        "/en/accounts/login/",
                        data={
                            "csrfmiddlewaretoken": token.group(1) if token else "",
                            "login": delegate.email,
                            "password": PASSWORD,
                        },
                        allow_redirects=False,
                    ) as answer:
                        await answer.read()
                    latencies.append(time.perf_counter() - began)
                except (aiohttp.ClientError, TimeoutError):
                    errors += 1
                    return
                cookies = {cookie.key: cookie.value for cookie in jar}
                if answer.status != 302 or "sessionid" not in cookies:
                    errors += 1
                    return
                delegate.session = cookies["sessionid"]
                delegate.csrf = cookies["csrftoken"]

    began = time.perf_counter()
    await asyncio.gather(*(one(d) for d in delegates))
    elapsed = time.perf_counter() - began
    return {"rate": len(latencies) / elapsed, "latencies": latencies, "errors": errors}


async def _rush(base: str, path: str, delegates: list[Delegate], *, cap: float) -> dict:
    import aiohttp

    semaphore = asyncio.Semaphore(CONCURRENCY)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    deadline = time.monotonic() + cap
    skipped = 0

    async def one(client, delegate: Delegate) -> None:
        nonlocal skipped
        async with semaphore:
            if time.monotonic() > deadline:
                skipped += 1
                return
            began = time.perf_counter()
            try:
                async with client.post(
                    path,
                    data={
                        **FORM,
                        "family_name": f"Number {delegate.n}",
                        "csrfmiddlewaretoken": delegate.csrf,
                    },
                    headers={"Cookie": delegate.cookie},
                    allow_redirects=False,
                ) as answer:
                    await answer.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                key = type(error).__name__
            else:
                location = answer.headers.get("Location", "")
                if answer.status == 302 and DETAIL.search(location):
                    latencies.append(time.perf_counter() - began)
                    return
                key = f"HTTP {answer.status}"
            statuses[key] = statuses.get(key, 0) + 1

    # Each delegate's cookies are sent as they are; what the answers set is not kept.
    async with aiohttp.ClientSession(
        base_url=base,
        connector=aiohttp.TCPConnector(limit=CONCURRENCY),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=TIMEOUT),
    ) as client:
        began, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(client, d) for d in delegates))
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    latencies.sort()
    return {
        "done": len(latencies),
        "elapsed": elapsed,
        "rate": len(latencies) / elapsed if elapsed else 0.0,
        "p50": _quantile(latencies, 0.5),
        "p95": _quantile(latencies, 0.95),
        "p99": _quantile(latencies, 0.99),
        "errors": sum(statuses.values()),
        "statuses": statuses,
        "capped": skipped > 0,
        # The client shares the two cores with the server: how much of one core it used.
        "client_cpu": cpu / elapsed if elapsed else 0.0,
    }


def _check(bench: Run, url: str, slug: str, *, capacity: int, trial: dict) -> list[str]:
    """What the database holds after the rush: the rules, checked in SQL."""
    (row,) = bench.databases.sql(
        url,
        """
        SELECT count(*) FILTER (WHERE r.status IN ('confirmed', 'pending')),
               count(*), count(DISTINCT r.user_id)
        FROM events_event e LEFT JOIN registrations_registration r ON r.event_id = e.id
        WHERE e.slug = %s
        """,
        [slug],
    )
    holding, total, people = row
    problems = []
    if holding > capacity:
        problems.append(f"OVERBOOKED: {holding} seats held of {capacity}")
    if holding < min(capacity, total):
        problems.append(f"{holding} seats held of {capacity} with {total} registered")
    if people != total:
        problems.append(f"{total - people} delegates registered twice")
    if total != trial["done"]:
        problems.append(f"{total} rows for {trial['done']} successes")
    return problems


# --- in the worker process (Django set up) -------------------------------------------------


def setup(*, delegates: int, sample: int, capacity: int, reps: int, password: str) -> dict:
    """The delegates (verified, one password hashed once with the production hasher), the
    events of the trials, and the sessions of those who do not sign in through the form."""
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password

    from demo.generator import Size, generate_event

    user_model = get_user_model()
    hashed = make_password(password)
    users = user_model.objects.bulk_create(
        (user_model(email=f"rush{n:06d}@bench.example.org", password=hashed))
        for n in range(delegates)
    )
    EmailAddress.objects.bulk_create(
        (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
        batch_size=2000,
    )
    empty = Size(sessions=0, days=1, speakers=0, delegations=0, registrations=0, capacity=capacity)
    for rep in range(reps):
        for impl in ("service", "floor"):
            generate_event(slug=f"rush-{impl}-{rep}", size=empty, seed=rep)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    sessions: list[str | None] = [None] * sample
    for user in users[sample:]:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    return {"delegates": [[u.email, s] for u, s in zip(users, sessions, strict=True)]}
