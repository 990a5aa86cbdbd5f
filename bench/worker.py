"""`python -m bench.worker TASK …`: the suite's work that needs Django, in a process of its own
set up from the environment the driver gives it (bench.settings, one of the suite's
databases). Progress goes to stderr; the answer is one line of JSON on stdout."""

import argparse
import json
import os
import sys
import time


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    tasks = parser.add_subparsers(dest="task", required=True)
    tasks.add_parser("conference")
    tasks.add_parser("large")
    service = tasks.add_parser("service")
    service.add_argument("--reps", type=int, default=3)
    service.add_argument("--waiting", type=_numbers, default=[0, 1000, 10000])
    service.add_argument("--per-trial", type=int, default=400)
    service.add_argument("--threads", type=int, default=16)
    service.add_argument("--cap", type=float, default=30)
    rush = tasks.add_parser("rush-setup")
    rush.add_argument("--delegates", type=int, required=True)
    rush.add_argument("--sample", type=int, required=True)
    rush.add_argument("--capacity", type=int, required=True)
    rush.add_argument("--reps", type=int, required=True)
    rush.add_argument("--password", required=True)
    export = tasks.add_parser("export")
    export.add_argument("kind")
    export.add_argument("--rows", type=int, required=True)
    export.add_argument("--out", required=True)
    tasks.add_parser("admin")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    began = time.monotonic()
    if args.task in ("conference", "large"):
        from . import sizes

        answer = sizes.generate(args.task)
    elif args.task == "service":
        from . import service as part

        answer = part.trials(
            reps=args.reps,
            waiting=args.waiting,
            per_trial=args.per_trial,
            threads=args.threads,
            cap=args.cap,
        )
    elif args.task == "rush-setup":
        from . import rush as part

        answer = part.setup(
            delegates=args.delegates,
            sample=args.sample,
            capacity=args.capacity,
            reps=args.reps,
            password=args.password,
        )
    elif args.task == "export":
        from . import exports as part

        answer = part.measure(args.kind, rows=args.rows, out=args.out)
    else:
        from . import admin_search as part

        answer = part.measure()
    answer["worker_seconds"] = time.monotonic() - began
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
