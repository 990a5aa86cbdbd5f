"""`python -m bench [PART …]` (or `make bench PART=pages`): the benchmark suite, against the
PostgreSQL server of DATABASE_URL (it creates and drops its own databases there). Prints one
table: every figure the median of `--reps` runs, with its spread, and its ratio to a floor
measured in the same run. See docs/benchmarks.md.

Parts: service, rush, pages, exports, admin (all, in that order, when none is named).
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from . import admin_search, exports, pages, rush, service
from .harness import (
    BASE_DIR,
    BenchError,
    Databases,
    Environment,
    Run,
    log,
    render_markdown,
    render_text,
    with_path,
)

PARTS = {
    "service": service.run,
    "rush": rush.run,
    "pages": pages.run,
    "exports": exports.run,
    "admin": admin_search.run,
}


def _numbers(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", metavar="PART", help=", ".join(PARTS))
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--rush", type=int, default=2000, help="delegates in the HTTP rush")
    parser.add_argument(
        "--rush-large", action="store_true", help="the HTTP rush with 20,000 delegates"
    )
    parser.add_argument(
        "--logins", type=int, default=50, help="delegates signing in through the form"
    )
    parser.add_argument(
        "--rush-cap", type=float, default=75, help="seconds before a rush trial stops"
    )
    parser.add_argument(
        "--waiting", type=_numbers, default=[0, 1000, 10000], help="part 1's waiting lists"
    )
    parser.add_argument(
        "--per-trial", type=int, default=200, help="registrations in each part 1 trial"
    )
    parser.add_argument("--cap", type=float, default=20, help="seconds before a part 1 trial stops")
    parser.add_argument(
        "--badges", type=_numbers, default=[2000, 10000], help="registrations to print badges of"
    )
    parser.add_argument(
        "--full", action="store_true", help="badges for 10,000 and 50,000 (takes minutes)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the base and large databases for the next run with --keep (and the admin)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the table here, in Markdown")
    parser.add_argument("--json", type=Path, help="also write every figure here, as JSON")
    args = parser.parse_args(argv)
    unknown = [part for part in args.parts if part not in PARTS]
    if unknown:
        parser.error(f"no part {', '.join(unknown)}: choose from {', '.join(PARTS)}")
    parts = args.parts or list(PARTS)
    options = {
        "rush": 20000 if args.rush_large else args.rush,
        "logins": args.logins,
        "rush_cap": args.rush_cap,
        "waiting": args.waiting,
        "cap": args.cap,
        "per_trial": args.per_trial,
        "badges": [10000, 50000] if args.full else args.badges,
    }

    began = time.monotonic()
    load_before = os.getloadavg()
    env = Environment()
    try:
        databases = Databases(env=env, keep=args.keep)
        databases.drop_stale()
    except BenchError as error:
        print(error, file=sys.stderr)
        return 2
    bench = Run(env=env, databases=databases, reps=args.reps, options=options)
    if not env.redis:
        bench.notes.append("no Redis: a file cache and an in-memory broker instead")
    failed = []
    try:
        for part in parts:
            try:
                PARTS[part](bench)
            except BenchError as error:
                log(f"part {part} failed: {error}")
                failed.append(part)
    finally:
        databases.drop_all()
        env.flush_redis()
        env.cleanup()
    header = _header(bench, load_before, time.monotonic() - began)
    print(header)
    print()
    print(render_text(bench.figures))
    if args.markdown:
        args.markdown.write_text(f"{header}\n\n{render_markdown(bench.figures)}\n")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"header": header, "figures": [f.as_dict() for f in bench.figures]}, indent=1
            )
        )
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _header(bench: Run, load_before, seconds: float) -> str:
    version = bench.databases.sql(
        with_path(bench.databases.server, "postgres"), "SHOW server_version"
    )[0][0]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],  # noqa: S607 - the developer's git
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    load_after = os.getloadavg()
    lines = [
        f"EMN conference benchmarks, {datetime.datetime.now():%Y-%m-%d %H:%M}, commit {commit}",
        f"{os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, "
        f"PostgreSQL {version}, {bench.reps} repetitions, {seconds / 60:.1f} min",
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(other processes share the CPU when it is above the number of cores)",
        *dict.fromkeys(bench.notes),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
