"""Part 5: the registrations' admin list, its search and its filters with 50,000 registrations
(the large database) against the same pages with a conference's 500 (the base database).

A superuser (the test client's `force_login`, staff's second factor switched off for the
measuring process only) opens each page once to warm up, then `REQUESTS` times; the median of
the whole request and of its SQL (timed by a connection wrapper) is kept. The floor is the
same page on the conference-size database, so the ratio says how the page grows with the
table.
"""

from __future__ import annotations

import statistics
import time

from .harness import Figure, Run, log, worker

REQUESTS = 3
PAGES = [
    # (name, query string; {event} is the generated event of the database)
    ("list", ""),
    ("search a name", "?q=huber"),
    ("search an email", "?q=delegate000123"),
    ("search a reference", "?q={reference}"),
    ("filter event + waiting", "?event__id__exact={event}&status__exact=waitlisted"),
]


def run(bench: Run) -> None:
    small, large = bench.databases.base(), bench.databases.large()
    bench.env.collectstatic(small)
    log("part 5: admin list and search")
    answers: dict[str, list[dict]] = {"small": [], "large": []}
    for _rep in range(bench.reps):
        for name, url in (("small", small), ("large", large)):
            env = bench.env.django(url, DJANGO_STAFF_MFA_REQUIRED="0")
            answers[name].append(worker("admin", env=env, timeout=900))
    rows = answers["large"][0]["registrations"], answers["small"][0]["registrations"]
    for page, _query in PAGES:
        values = [a["pages"][page]["seconds"] * 1000 for a in answers["large"]]
        floor = [a["pages"][page]["seconds"] * 1000 for a in answers["small"]]
        sql = statistics.median(a["pages"][page]["sql"] * 1000 for a in answers["large"])
        floor_sql = statistics.median(a["pages"][page]["sql"] * 1000 for a in answers["small"])
        bench.add(
            Figure(
                part="5 admin",
                label=f"registrations {page}, {rows[0]:,} rows",
                unit="ms",
                values=values,
                better="lower",
                floor_label=f"same, {rows[1]:,} rows",
                floor_values=floor,
                goal=3.0 if page.startswith("search") else None,
                note=f"SQL {sql:.0f} ms (×{sql / floor_sql:.1f} of {floor_sql:.0f} ms); "
                f"{answers['large'][0]['pages'][page]['queries']} queries",
            )
        )


# --- in the worker process (Django set up) -------------------------------------------------


def measure() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from registrations.models import Registration

    from .sizes import SIZES

    user_model = get_user_model()
    admin = user_model.objects.filter(email="bench-admin@bench.example.org").first()
    if admin is None:
        admin = user_model.objects.create_superuser(email="bench-admin@bench.example.org")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    slug = "big" if Registration.objects.count() > 10000 else SIZES["conference"]["slug"]
    event = Registration.objects.filter(event__slug=slug).values_list("event_id", flat=True)[0]
    reference = (
        Registration.objects.filter(event_id=event).order_by("pk").values_list("reference")[7][0]
    )
    timings = {"sql": 0.0, "queries": 0}

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings["sql"] += time.perf_counter() - began
            timings["queries"] += 1

    pages = {}
    for name, query in PAGES:
        url = "/en/admin/registrations/registration/" + query.format(
            event=event, reference=reference
        )
        runs = []
        for attempt in range(REQUESTS + 1):
            timings.update(sql=0.0, queries=0)
            began = time.perf_counter()
            with connection.execute_wrapper(timed):
                response = client.get(url)
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
            if attempt:  # the first warms up
                runs.append((elapsed, timings["sql"], timings["queries"]))
        pages[name] = {
            "seconds": statistics.median(r[0] for r in runs),
            "sql": statistics.median(r[1] for r in runs),
            "queries": runs[-1][2],
        }
    return {"registrations": Registration.objects.count(), "pages": pages}
