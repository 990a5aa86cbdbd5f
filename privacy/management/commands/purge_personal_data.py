from django.core.management.base import BaseCommand

from privacy import queries, services
from privacy.models import PurgeRecord

# (what, done, to be done) per step, for the report.
_WORDS = {
    PurgeRecord.Step.SENSITIVE: ("sensitive data", "cleared", "would clear"),
    PurgeRecord.Step.ANONYMISED: ("anonymisation", "anonymised", "would anonymise"),
}


class Command(BaseCommand):
    help = (
        "Applies each event's retention periods: clears sensitive fields, then anonymises whole "
        "registrations, once their time has come. Prints (and records) counts per event and "
        "field, never the values. Celery beat runs it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="only list what would change, per event and field; change nothing",
        )

    def handle(self, *args, dry_run: bool, **options):
        steps = services.personal_data_purge(dry_run=dry_run)
        for step in steps:
            what, done, to_do = _WORDS[step.step]
            self.stdout.write(
                f"{step.event.slug}, {what} (due {step.due.isoformat()}): "
                f"{to_do if dry_run else done} {step.registrations} registrations"
            )
            for name, count in step.fields.items():
                self.stdout.write(f"  {queries.field_label(name)}: {count}")
        if not steps:
            self.stdout.write("Nothing to purge.")
