import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from registrations import queries, services
from registrations.exports import DATASETS
from registrations.models import Registration


class Command(BaseCommand):
    help = "Exports an attendee list of an event to a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("event", help="the event's slug, e.g. emn-2018")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", dest="file_format")
        # Not the visa list: passport data only for staff with its permission, in the admin.
        parser.add_argument(
            "--dataset",
            choices=sorted(name for name, d in DATASETS.items() if d.permission is None),
            default="attendees",
        )
        parser.add_argument(
            "--status",
            action="append",
            choices=Registration.Status.values,
            help="only registrations with this status (repeat for several)",
        )
        parser.add_argument("--delegation", help="only this delegation (its id or name)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help="language of the column headers",
        )
        parser.add_argument("-o", "--output", required=True, help="file to write")

    def handle(
        self, *args, event, file_format, dataset, status, delegation, language, output, **options
    ):
        chosen = Event.objects.filter(slug=event).first()
        if chosen is None:
            raise CommandError(f"No event with the slug {event!r}.")
        registrations = Registration.objects.filter(event=chosen)
        if status:
            registrations = registrations.filter(status__in=status)
        if delegation:
            registrations = queries.registrations_of_delegation(
                registrations, delegation=delegation
            )
        filters = {"status": status or [], "delegation": delegation or ""}
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"No directory {str(target.parent)!r} to write the file in.")
        # Written beside the target and renamed once complete: a failure leaves no file.
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".export-", delete=False) as out:
            partial = Path(out.name)
            try:
                record = services.export_write(
                    event=chosen,
                    registrations=registrations,
                    dataset=dataset,
                    file_format=file_format,
                    language=language,
                    out=out,
                    by=None,
                    via="command",
                    filters=filters,
                )
            except ValidationError as error:
                partial.unlink()
                raise CommandError(" ".join(error.messages)) from error
            except BaseException:
                partial.unlink()
                raise
        partial.replace(target)
        self.stdout.write(f"{record.rows} rows written to {output}")
