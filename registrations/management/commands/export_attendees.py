from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import translation

from events.models import Event
from registrations import services
from registrations.exports import DATASETS
from registrations.models import Registration


class Command(BaseCommand):
    help = "Exports an attendee list of an event to a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("event", help="the event's slug, e.g. emn-2018")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", dest="file_format")
        parser.add_argument("--dataset", choices=sorted(DATASETS), default="attendees")
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
            match = (
                Q(delegation__name=delegation)
                | Q(delegation__name_bg=delegation)
                | Q(delegation__name_en=delegation)
            )
            if delegation.isdigit():
                match |= Q(delegation_id=int(delegation))
            registrations = registrations.filter(match)
        filters = {"status": status or [], "delegation": delegation or ""}
        try:
            rows, writer = services.export_prepare(
                event=chosen,
                registrations=registrations,
                dataset=dataset,
                file_format=file_format,
                language=language,
                via="command",
                filters=filters,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with translation.override(language), open(output, "wb") as out:
            writer.write(rows, out)
        self.stdout.write(f"{rows.count()} rows written to {output}")
