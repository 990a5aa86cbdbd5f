import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from events.models import Event
from registrations import queries, services
from registrations.models import BadgeLayout, Registration


class Command(BaseCommand):
    help = "Prints the badges of an event's confirmed delegates to a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("event", help="the event's slug, e.g. emn-2018")
        parser.add_argument(
            "--layout",
            choices=BadgeLayout.values,
            default=BadgeLayout.A4,
            help="a4: eight per A4 page; a6: one per A6 page; card: ID-1 cards (CR80)",
        )
        parser.add_argument("--delegation", help="only this delegation (its id or name)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="bg",
            help="language of the event's title on the badges",
        )
        parser.add_argument("-o", "--output", required=True, help="file to write")

    def handle(self, *args, event, layout, delegation, language, output, **options):
        chosen = Event.objects.filter(slug=event).first()
        if chosen is None:
            raise CommandError(f"No event with the slug {event!r}.")
        registrations = Registration.objects.filter(event=chosen)
        if delegation:
            registrations = queries.registrations_of_delegation(
                registrations, delegation=delegation
            )
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"No directory {str(target.parent)!r} to write the file in.")
        # Written beside the target and renamed once complete: a failure leaves no file.
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".badges-", delete=False) as out:
            partial = Path(out.name)
            try:
                with translation.override(language):
                    printed = services.badges_print(
                        registrations=registrations, out=out, layout=layout, by=None, via="command"
                    )
            except ValidationError as error:
                partial.unlink()
                raise CommandError(" ".join(error.messages)) from error
            except BaseException:
                partial.unlink()
                raise
        partial.replace(target)
        self.stdout.write(f"{printed} badges written to {output}")
