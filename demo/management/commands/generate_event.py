import datetime
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from demo.generator import GeneratorError, Size, generate_event


class Command(BaseCommand):
    help = (
        "Generates a synthetic published event of any size, in Bulgarian and English, with "
        "its agenda, speakers, delegations and registrations (for benchmarks and for trying "
        "the admin at scale). Example: generate_event --slug big --sessions 600 --days 5 "
        "--speakers 1500 --delegations 300 --registrations 50000 --waiting 2500"
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="The event's slug (and its address).")
        parser.add_argument("--sessions", type=int, default=60)
        parser.add_argument("--days", type=int, default=2)
        parser.add_argument("--speakers", type=int, default=150)
        parser.add_argument("--delegations", type=int, default=20)
        parser.add_argument("--tracks", type=int, default=None, help="Default: 2 to 8 by size.")
        parser.add_argument("--registrations", type=int, default=500)
        parser.add_argument(
            "--waiting",
            type=int,
            default=None,
            help="How many of the registrations are on the waiting list (the event is then "
            "full). Default: those beyond --capacity, or none.",
        )
        parser.add_argument(
            "--capacity",
            type=int,
            default=None,
            help="The event's seats. Default: exactly the registrations holding one.",
        )
        parser.add_argument(
            "--cancelled",
            type=int,
            default=None,
            help="How many registrations were cancelled. Default: 2%% of them.",
        )
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same event.")
        parser.add_argument(
            "--start",
            type=datetime.date.fromisoformat,
            default=None,
            help="First day, YYYY-MM-DD. Default: 60 days from today (registration open).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the event of this slug first (only one made by generate_event).",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="One password for every generated account (only with DJANGO_DEBUG=1). "
            "Default: a random one that nobody knows.",
        )

    def handle(self, *args, **options):
        if options["password"] and not settings.DEBUG:
            raise CommandError("Accounts with a known password: only with DJANGO_DEBUG=1.")
        size = Size(
            sessions=options["sessions"],
            days=options["days"],
            speakers=options["speakers"],
            delegations=options["delegations"],
            registrations=options["registrations"],
            waiting=options["waiting"],
            capacity=options["capacity"],
            cancelled=options["cancelled"],
            tracks=options["tracks"],
        )
        began = time.monotonic()
        try:
            generated = generate_event(
                slug=options["slug"],
                size=size,
                seed=options["seed"],
                start=options["start"],
                replace=options["replace"],
                password_hash=make_password(options["password"]) if options["password"] else None,
            )
        except GeneratorError as error:
            raise CommandError(str(error)) from error
        event, counts = generated.event, generated.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Event '{event.slug}' ({event.start_date} to {event.end_date}) generated in "
                f"{time.monotonic() - began:.1f} s:"
            )
        )
        for name, value in counts.items():
            self.stdout.write(f"  {name:<14}{value:>8}")
