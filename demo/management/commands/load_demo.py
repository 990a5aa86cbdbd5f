from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.builder import demo_accounts_ensure, load_demo


class Command(BaseCommand):
    help = (
        "Loads (or refreshes) the demo: the 2018 EMN annual conference in Sofia (emn-2018, "
        "past) and a demonstration copy of it a few weeks ahead with registration open "
        "(emn-demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-accounts",
            action="store_true",
            help="Also create demo staff log-ins with known passwords (only with DJANGO_DEBUG=1).",
        )

    def handle(self, *args, with_accounts: bool = False, **options):
        if with_accounts and not settings.DEBUG:
            raise CommandError("Demo accounts have public passwords: only with DJANGO_DEBUG=1.")
        past, upcoming = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo conference '{past.slug}' ({past.start_date}, past) and demonstration "
                f"'{upcoming.slug}' ({upcoming.start_date}, registration open until "
                f"{upcoming.registration_closes:%Y-%m-%d}) are ready."
            )
        )
        if with_accounts:
            for email, password in demo_accounts_ensure():
                self.stdout.write(f"  Admin log-in: {email} / {password}")
