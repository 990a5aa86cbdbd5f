"""Registration rush benchmark: many delegates register for the same event at once.

Measures throughput (registrations per second) and latency of `registration_create` under
concurrent load, and checks the outcome: exactly `capacity` confirmed, the rest waiting.
Runs against the database of DATABASE_URL (PostgreSQL for a meaningful result: SQLite has
no row locks and serialises every write); it creates and drops its own test database.

    .venv/bin/python bench/registration_rush.py         # 400 delegates, 16 threads, 100 seats
    .venv/bin/python bench/registration_rush.py --delegates 1000 --threads 32 --capacity 250

A quick check on its own; `make bench` (the suite, `python -m bench`) measures the same service
against its raw-SQL floor, with waiting lists, and over HTTP (docs/benchmarks.md).
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emn_conference.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=400)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--capacity", type=int, default=100)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()  # mail goes to memory, not to anyone
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from registrations import services
        from registrations.models import Registration
        from tests.factories import DETAILS, OpenEventFactory, PrivacyNoticeFactory

        PrivacyNoticeFactory()
        event = OpenEventFactory(capacity=args.capacity)
        users = get_user_model().objects.bulk_create(
            get_user_model()(email=f"rush{n}@example.org") for n in range(args.delegates)
        )
        queue = list(users)
        lock = threading.Lock()
        latencies: list[float] = []
        errors: list[BaseException] = []
        start_gate = threading.Barrier(args.threads)

        def worker():
            start_gate.wait()
            try:
                while True:
                    with lock:
                        if not queue:
                            return
                        user = queue.pop()
                    began = time.perf_counter()
                    services.registration_create(
                        event=event,
                        user=user,
                        details=dict(DETAILS),
                        privacy_accepted=True,
                        by=user,
                    )
                    with lock:
                        latencies.append(time.perf_counter() - began)
            except BaseException as error:  # reported below, after all threads end
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began

        statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
        confirmed = statuses.count(Registration.Status.CONFIRMED)
        waiting = statuses.count(Registration.Status.WAITLISTED)
        latencies.sort()
        print(f"database        {connection.vendor}")
        print(f"delegates       {args.delegates} in {args.threads} threads, {args.capacity} seats")
        print(f"elapsed         {elapsed:.2f} s")
        print(f"throughput      {len(latencies) / elapsed:.1f} registrations/s")
        if latencies:
            p95 = latencies[int(len(latencies) * 0.95) - 1]
            print(
                f"latency         median {statistics.median(latencies) * 1000:.1f} ms, "
                f"p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
            )
        print(f"outcome         {confirmed} confirmed, {waiting} waiting, {len(errors)} errors")
        print(f"measured at     {timezone.now():%Y-%m-%d %H:%M %Z}")
        overbooked = confirmed != min(args.capacity, args.delegates)
        if errors or overbooked or confirmed + waiting != args.delegates:
            print("FAILED: the rush broke the capacity rules", file=sys.stderr)
            return 1
        return 0
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main())
