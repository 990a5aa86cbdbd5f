"""Part 1: `registrations.services.registration_create` against the raw-SQL floor (lock the
event's row, count, insert), 16 threads at once, with 0, 1,000 and 10,000 people waiting.

Each trial registers `per_trial` (200) new delegates for a freshly generated event:
- "0 waiting": 100 seats, nobody registered yet (the first 100 get a seat, the rest wait);
- "N waiting": 100 seats taken and N waiting (everyone in the trial joins the queue).
Service and floor take turns, each on its own event; a trial stops taking new registrations
after `cap` seconds (the rate is then of those done). The lock timeout is raised for this
part: it measures the work done under the lock, not the policy of giving up on it.
"""

from __future__ import annotations

import statistics
import threading
import time

from .harness import Figure, Run, log, worker

SEATS = 100
DETAILS = {
    "honorific": "Ms.",
    "given_name": "Anna",
    "family_name": "Huber",
    "given_name_latin": "",
    "family_name_latin": "",
    "position": "Migration officer",
    "organisation": "IOM Austria",
    "country": "AT",
    "phone": "+43 1 5812222",
    "language": "en",
    "dietary_requirements": "",
    "accessibility_needs": "",
    "interpretation_language": "",
    "needs_visa_letter": False,
    "photo_consent": False,
    "listing_consent": False,
}


def run(bench: Run) -> None:
    waiting = bench.options.get("waiting", [0, 1000, 10000])
    url = bench.databases.copy("service")
    env = bench.env.django(url, EVENT_LOCK_TIMEOUT="300")
    log(f"part 1: registration service, {', '.join(f'{w:,}' for w in waiting)} waiting")
    result = worker(
        "service",
        "--reps",
        str(bench.reps),
        "--waiting",
        ",".join(str(w) for w in waiting),
        "--per-trial",
        str(bench.options.get("per_trial", 200)),
        "--threads",
        str(bench.options.get("threads", 16)),
        "--cap",
        str(bench.options.get("cap", 20)),
        env=env,
        timeout=3600,
    )
    for w in waiting:
        trials = [t for t in result["trials"] if t["waiting"] == w]
        service = [t for t in trials if t["impl"] == "service"]
        floor = [t for t in trials if t["impl"] == "floor"]
        problems = sorted({p for t in trials for p in t["problems"]})
        capped = sum(1 for t in service if t["capped"])
        p50 = statistics.median(t["p50"] for t in service) * 1000
        queries = max(t.get("queries", 0) for t in service)
        note = f"p50 {p50:.0f} ms; {queries} queries a registration (floor: 3)"
        if capped:
            note += f"; {capped} trial(s) stopped at {bench.options.get('cap', 20)} s"
        note += "; " + ("; ".join(problems) if problems else "outcome checked")
        bench.add(
            Figure(
                part="1 service",
                label=f"registration_create, {w:,} waiting",
                unit="reg/s",
                values=[t["rate"] for t in service],
                floor_label="raw SQL lock+count+insert",
                floor_values=[t["rate"] for t in floor],
                goal=3.0,
                note=note,
            )
        )
    bench.databases.drop(url)


# --- in the worker process (Django set up) -------------------------------------------------


def trials(*, reps: int, waiting: list[int], per_trial: int, threads: int, cap: float) -> dict:
    import os

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connections

    from demo.generator import Size, generate_event
    from registrations.queries import privacy_notice_for

    from .floors import RawRegistration
    from .harness import conninfo

    user_model = get_user_model()
    # One more than the trials need: the delegate whose registration's queries are counted.
    pool_size = per_trial + SEATS + max(waiting) + 1
    password = make_password(None)
    users = user_model.objects.bulk_create(
        (user_model(email=f"svc{n:06d}@bench.example.org", password=password))
        for n in range(pool_size)
    )
    newcomers, queue, counted = users[:per_trial], users[per_trial:-1], users[-1]
    database = conninfo(os.environ["DATABASE_URL"])
    results = []
    for rep in range(reps):
        for w in waiting:
            # Take turns, so that neither always runs on a warmer (or busier) machine.
            order = ["floor", "service"] if rep % 2 == 0 else ["service", "floor"]
            for impl in order:
                slug = f"svc-{impl}-{w}-{rep}"
                size = Size(
                    sessions=0,
                    days=1,
                    speakers=0,
                    delegations=0,
                    registrations=SEATS + w if w else 0,
                    waiting=w if w else None,
                    capacity=SEATS,
                    cancelled=0,
                )
                event = generate_event(slug=slug, size=size, seed=rep, users=queue).event
                # The notice the service would record, so that both write the same row.
                notice = privacy_notice_for(event=event)
                raw = RawRegistration(privacy_notice_id=notice.pk, details=DETAILS)
                connections.close_all()
                trial = _trial(
                    impl,
                    event=event,
                    users=newcomers,
                    threads=threads,
                    cap=cap,
                    raw=raw,
                    database=database,
                )
                trial.update(
                    waiting=w, rep=rep, problems=_check(event, before=w, queue=queue, trial=trial)
                )
                if impl == "service":
                    trial["queries"] = _queries(event, counted)
                log(
                    f"  {impl:<7} {w:>6,} waiting: {trial['done']} in {trial['elapsed']:.1f} s, "
                    f"{trial['rate']:.1f}/s"
                )
                results.append(trial)
    return {"trials": results}


def _trial(impl, *, event, users, threads, cap, raw, database) -> dict:
    import psycopg
    from django.db import connections

    from registrations import services

    from .floors import register_raw

    todo = list(reversed(users))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    gate = threading.Barrier(threads + 1)
    deadline = [0.0]

    def next_user():
        with lock:
            if not todo or time.monotonic() > deadline[0]:
                return None
            return todo.pop()

    def service_worker():
        gate.wait()
        try:
            while (user := next_user()) is not None:
                began = time.perf_counter()
                try:
                    services.registration_create(
                        event=event, user=user, details=DETAILS, privacy_accepted=True, by=user
                    )
                except Exception as error:  # counted and reported, the others go on
                    errors.append(type(error).__name__)
                    continue
                with lock:
                    latencies.append(time.perf_counter() - began)
        finally:
            connections.close_all()

    def floor_worker():
        with psycopg.connect(database) as connection:
            gate.wait()
            while (user := next_user()) is not None:
                began = time.perf_counter()
                try:
                    with connection.transaction(), connection.cursor() as cursor:
                        register_raw(cursor, raw=raw, event_id=event.pk, user_id=user.pk)
                except Exception as error:  # counted and reported, the others go on
                    errors.append(type(error).__name__)
                    continue
                with lock:
                    latencies.append(time.perf_counter() - began)

    target = service_worker if impl == "service" else floor_worker
    pool = [threading.Thread(target=target) for _ in range(threads)]
    for thread in pool:
        thread.start()
    deadline[0] = time.monotonic() + cap
    began = time.perf_counter()
    gate.wait()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "impl": impl,
        "event_id": event.pk,
        "done": len(latencies),
        "errors": errors,
        "elapsed": elapsed,
        "rate": len(latencies) / elapsed if elapsed else 0.0,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "capped": bool(todo),
    }


def _queries(event, user) -> int:
    """The queries of one more registration, once the trial is over (and checked)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registrations import services

    with CaptureQueriesContext(connection) as queries:
        services.registration_create(
            event=event, user=user, details=DETAILS, privacy_accepted=True, by=user
        )
    return len(queries)


def _check(event, *, before: int, queue: list, trial: dict) -> list[str]:
    """The outcome the rules require: no seat oversold (and none left free while people
    wait), one registration per delegate, every success a row, and those who were waiting
    still first in line, in their order."""
    from django.db.models import Count

    from registrations.models import Registration

    problems = []
    registrations = Registration.objects.filter(event=event)
    holding = registrations.holding_seats().count()
    total = registrations.count()
    expected_total = (SEATS + before if before else 0) + trial["done"]
    if holding > SEATS:
        problems.append(f"{holding} seats held of {SEATS}")
    if holding < min(SEATS, total):
        problems.append(f"only {holding} seats held of {SEATS} with {total} registered")
    if total != expected_total:
        problems.append(f"{total} registrations, expected {expected_total}")
    if registrations.values("user").annotate(n=Count("pk")).filter(n__gt=1).exists():
        problems.append("a delegate registered twice")
    if before:
        line = list(registrations.waiting_in_order().values_list("user_id", flat=True)[:before])
        if line != [user.pk for user in queue[SEATS : SEATS + before]]:
            problems.append("those waiting before lost their place")
    if trial["errors"]:
        kinds = ", ".join(sorted(set(trial["errors"])))
        problems.append(f"{len(trial['errors'])} errors ({kinds})")
    return problems
