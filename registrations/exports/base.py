import datetime
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone

from events.models import Event

from ..models import Registration


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy translation, read in the export's language
    value: Callable[[Any], Any]
    kind: str = "text"  # "text", "datetime" or "date": how the XLSX writer types the cell


class Dataset:
    """A list of rows about an event's registrations."""

    name: ClassVar[str]
    label: ClassVar[Any]
    columns: ClassVar[list[Column]]

    def __init__(self, *, event: Event, registrations: QuerySet[Registration]):
        self.event = event
        self.registrations = registrations.filter(event=event)
        self.time_zone = zoneinfo.ZoneInfo(event.time_zone)

    def objects(self) -> QuerySet:
        """What one row is made of; override to narrow or to list something else."""
        return self.registrations.select_related("delegation", "user").order_by(
            "family_name", "given_name", "pk"
        )

    def count(self) -> int:
        return self.objects().count()

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def rows(self) -> Iterator[list[Any]]:
        for obj in self.objects().iterator(chunk_size=500):
            yield [self._cell(column, obj) for column in self.columns]

    def _cell(self, column: Column, obj) -> Any:
        value = column.value(obj)
        if isinstance(value, datetime.datetime):
            # Spreadsheets know no time zones: show the event's local time.
            return timezone.localtime(value, self.time_zone).replace(tzinfo=None)
        return "" if value is None else value
