"""Part 4: the attendee list as CSV and XLSX, and badges, for the first 10,000 and all 50,000
registrations of the large event, against their floors: PostgreSQL's `COPY` of the same
query (same joins, same order), XlsxWriter fed the raw rows, ReportLab drawing the badges'
text without QR codes.

Each measurement runs in a fresh process (`bench.worker export`), so that its peak memory
(the process's maximum resident set, `getrusage`) is its own; the time excludes starting
Django. Badges are drawn for 2,000 and 10,000 registrations by default (`--full`: 10,000
and 50,000), since at about 10 ms a badge 50,000 take minutes.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from .harness import Figure, Run, log, worker

PAIRS = [
    # (measured, floor, label, floor label, goal for the time ratio)
    ("csv", "copy", "CSV export", "COPY, same joins", 5.0),
    ("xlsx", "xlsx-raw", "XLSX export", "XlsxWriter, raw rows", 1.5),
    ("badges", "badges-raw", "badges (8 per A4)", "ReportLab text, no QR", None),
]
# Stop repeating a measurement once it has taken this long in all (the median of fewer runs
# is shown, with n).
BUDGET = 60.0


def run(bench: Run) -> None:
    url = bench.databases.large()
    env = bench.env.django(url)
    sizes = {"csv": [10000, 50000], "xlsx": [10000, 50000]}
    sizes["badges"] = bench.options.get("badges", [2000, 10000])
    out = bench.env.tmp / "exports"
    out.mkdir(exist_ok=True)
    log("part 4: exports and badges")
    results: dict[tuple[str, int], list[dict]] = {}
    spent: dict[tuple[str, int], float] = {}
    for rep in range(bench.reps):
        for kind, floor, *_ in PAIRS:
            for rows in sizes[kind]:
                for name in (kind, floor):
                    if spent.get((name, rows), 0.0) > BUDGET:
                        continue
                    began = time.monotonic()
                    answer = worker(
                        "export",
                        name,
                        "--rows",
                        str(rows),
                        "--out",
                        str(out / f"{name}-{rows}"),
                        env=env,
                        timeout=3600,
                    )
                    spent[(name, rows)] = spent.get((name, rows), 0.0) + time.monotonic() - began
                    results.setdefault((name, rows), []).append(answer)
                    log(
                        f"  {name:<10} {rows:>6,}: {answer['seconds']:.2f} s, "
                        f"peak {answer['peak_mb']:.0f} MB (rep {rep + 1})"
                    )
    for kind, floor, label, floor_label, goal in PAIRS:
        for rows in sizes[kind]:
            mine, theirs = results[(kind, rows)], results[(floor, rows)]
            n = min(len(mine), len(theirs))
            peak = max(r["peak_mb"] for r in mine)
            floor_peak = max(r["peak_mb"] for r in theirs)
            items = mine[0]["items"]
            bench.add(
                Figure(
                    part="4 exports",
                    label=f"{label}, {rows:,} registrations"
                    + (f" ({items:,} badges)" if kind == "badges" else ""),
                    unit="s",
                    values=[r["seconds"] for r in mine[:n]],
                    better="lower",
                    floor_label=floor_label,
                    floor_values=[r["seconds"] for r in theirs[:n]],
                    goal=goal if rows == max(sizes[kind]) else None,
                    note=f"peak {peak:.0f} MB (floor {floor_peak:.0f} MB); "
                    f"{mine[0]['bytes'] / 1e6:.1f} MB file",
                )
            )
        small, large = min(sizes[kind]), max(sizes[kind])
        growth = max(r["peak_mb"] for r in results[(kind, large)]) - max(
            r["peak_mb"] for r in results[(kind, small)]
        )
        floor_growth = max(r["peak_mb"] for r in results[(floor, large)]) - max(
            r["peak_mb"] for r in results[(floor, small)]
        )
        bench.add(
            Figure(
                part="4 exports",
                label=f"{label}: peak memory, {large:,} minus {small:,}",
                unit="MB",
                values=[growth],
                better="lower",
                goal_text="≤ 20 MB",
                goal_met=growth <= 20,
                note=f"floor: {floor_growth:+.1f} MB",
            )
        )


# --- in the worker process (Django set up) -------------------------------------------------


def measure(kind: str, *, rows: int, out: str) -> dict:
    import os

    import psycopg

    from events.models import Event
    from registrations import services
    from registrations.models import Registration

    from . import floors
    from .harness import conninfo
    from .sizes import SIZES

    event = Event.objects.get(slug=SIZES["large"]["slug"])
    ids = Registration.objects.filter(event=event).order_by("pk").values_list("pk", flat=True)
    last_id = ids[rows - 1]
    registrations = Registration.objects.filter(event=event, pk__lte=last_id)
    database = conninfo(os.environ["DATABASE_URL"])
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    path = Path(out)
    items = rows
    began = time.perf_counter()
    with path.open("wb") as file:
        if kind in ("csv", "xlsx"):
            services.export_write(
                event=event,
                registrations=registrations,
                dataset="attendees",
                file_format=kind,
                language="en",
                out=file,
                by=None,
                via="bench",
            )
        elif kind == "badges":
            items = services.badges_print(
                registrations=registrations, out=file, layout="a4", by=None, via="bench"
            )
        elif kind == "copy":
            with psycopg.connect(database) as connection:
                floors.copy_csv(connection, event_id=event.pk, last_id=last_id, out=file)
        elif kind in ("xlsx-raw", "badges-raw"):
            with psycopg.connect(database) as connection, connection.cursor(name="rows") as cursor:
                cursor.itersize = 2000
                if kind == "xlsx-raw":
                    cursor.execute(floors.attendees_query(event_id=event.pk, last_id=last_id))
                    floors.xlsx_raw(cursor, file, headers=floors.ATTENDEE_HEADERS)
                else:
                    cursor.execute(floors.badge_query(event_id=event.pk, last_id=last_id))
                    items = floors.badges_raw(cursor, file)
        else:
            raise ValueError(kind)
    seconds = time.perf_counter() - began
    return {
        "kind": kind,
        "rows": rows,
        "items": items,
        "seconds": seconds,
        "bytes": path.stat().st_size,
        "baseline_mb": baseline,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
