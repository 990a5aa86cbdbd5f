"""A dataset: which rows an export lists and what its columns are.

Rows are fetched as plain values (`values_list`, with the joins the columns need), never as
model instances, through a server-side cursor on PostgreSQL (`iterator(chunk_size=…)`), so
memory stays flat however many rows there are. What a row needs to become readable is looked
up once per export, in the export's language, before the first row: the labels of the stored
codes (status, role, language, yes/no), country names, translated names of delegations and
sessions. Per row there is no query, no translation and no parsing, only dictionary look-ups.
"""

import operator
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.db import connections, models
from django.db.models import ExpressionWrapper, F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from events.models import Event

from ..models import PERSON_NAME_FIELDS, Delegation, Registration

# Rows fetched per round trip from the database's cursor.
CHUNK_SIZE = 2000

Row = tuple
Reader = Callable[[Row], Any]


def _path(model: type[models.Model], path: str) -> list[models.Field]:
    """The model fields along a lookup path such as `registration__status`."""
    fields = []
    for name in path.split("__"):
        if fields:
            model = fields[-1].related_model
        fields.append(model._meta.get_field(name))
    return fields


def _field(model: type[models.Model], path: str) -> models.Field:
    """The model field at the end of a lookup path."""
    return _path(model, path)[-1]


def _may_be_null(model: type[models.Model], path: str) -> bool:
    """Whether the value fetched for `path` may be NULL: a nullable field, or one reached
    through a nullable relation (a registration without a delegation)."""
    return any(field.null for field in _path(model, path))


def _phone_stored_as_shown(field: models.Field) -> bool:
    """Whether `field` is a phone number stored as text in the format it is shown in (the
    settings' PHONENUMBER_DB_FORMAT and PHONENUMBER_DEFAULT_FORMAT agree), so that what is
    stored can be written as it is."""
    return isinstance(field, PhoneNumberField) and getattr(
        settings, "PHONENUMBER_DB_FORMAT", "E164"
    ) == getattr(settings, "PHONENUMBER_DEFAULT_FORMAT", "E164")


class _LocalTime(models.Func):
    """A moment as the wall-clock time of a time zone, without the zone: what a spreadsheet
    shows. PostgreSQL converts it (`AT TIME ZONE`) and psycopg's C loader reads it, where an
    aware timestamp would go through Django's loader and a conversion in Python, per row."""

    arg_joiner = " AT TIME ZONE "
    template = "(%(expressions)s)"
    output_field = models.DateTimeField()


@dataclass(frozen=True)
class Column:
    """A column showing a value as it is stored (`field` is a `values_list` path)."""

    label: Any  # a lazy translation, read in the export's language
    field: str
    kind: str = "text"  # "text", "datetime" or "date": how the XLSX writer types the cell

    @property
    def fields(self) -> tuple[str, ...]:
        """The values fetched for this column."""
        return (self.field,)

    def reader(self, dataset: "Dataset", at: Mapping[str, int]) -> Reader:
        """How a fetched row becomes this column's cell; made once per export, so that what
        it needs (labels, names) is looked up once, not per row. A "text" cell is a `str`."""
        i = at[self.field]
        if self.kind == "datetime":
            if dataset.local_times_in_database:  # fetched in the event's local time already
                return lambda row: "" if row[i] is None else row[i]
            zone = dataset.time_zone

            def local(row: Row) -> Any:
                # Spreadsheets know no time zones: show the event's local time.
                value = row[i]
                if value is None:
                    return ""
                return timezone.localtime(value, zone).replace(tzinfo=None)

            return local
        field = _field(dataset.model, self.field)
        text = isinstance(field, (models.CharField, models.TextField)) and (
            not isinstance(field, PhoneNumberField) or _phone_stored_as_shown(field)
        )
        if self.kind == "text" and not text:
            return lambda row: "" if row[i] is None else str(row[i])
        if not _may_be_null(dataset.model, self.field):
            return operator.itemgetter(i)  # the value as it is, without a call of ours per row
        return lambda row: "" if row[i] is None else row[i]


@dataclass(frozen=True)
class Choice(Column):
    """A stored code shown by its label, as `get_<field>_display()` shows it."""

    def reader(self, dataset: "Dataset", at: Mapping[str, int]) -> Reader:
        i = at[self.field]
        choices = _field(dataset.model, self.field).flatchoices
        labels = {value: str(label) for value, label in choices}
        # A value without a label shows as it is, as get_<field>_display() shows it.
        return lambda row: labels.get(row[i], "" if row[i] is None else str(row[i]))


@dataclass(frozen=True)
class YesNo(Column):
    """A boolean shown as "yes" or "no" in the export's language."""

    def reader(self, dataset: "Dataset", at: Mapping[str, int]) -> Reader:
        i = at[self.field]
        labels = {True: str(_("yes")), False: str(_("no"))}
        return lambda row: labels[bool(row[i])]


class _CountryNames(dict):
    """Country names in the active language, each looked up from django-countries (with the
    CLDR names the settings give it) the first time its code is met."""

    def __init__(self, countries):
        super().__init__()
        self.countries = countries

    def __missing__(self, code: str) -> str:
        name = self[code] = str(self.countries.name(code)) if code else ""
        return name


@dataclass(frozen=True)
class CountryName(Column):
    """A country field shown by its name, as `country.name` shows it."""

    def reader(self, dataset: "Dataset", at: Mapping[str, int]) -> Reader:
        i = at[self.field]
        names = _CountryNames(_field(dataset.model, self.field).countries)
        return lambda row: names[row[i]]


@dataclass(frozen=True)
class Lookup(Column):
    """An id shown through a table the dataset builds once per export, e.g. the names of its
    delegations in the export's language (translated fields fall back as on the site)."""

    table: str = ""  # the dataset's method that returns the table: {id: value}
    part: int | None = None  # for a table of tuples: which item to show

    def reader(self, dataset: "Dataset", at: Mapping[str, int]) -> Reader:
        i = at[self.field]
        table = dataset.table(self.table)
        if self.part is not None:
            table = {key: value[self.part] for key, value in table.items()}
        return lambda row: table.get(row[i], "")


@dataclass(frozen=True)
class Blank(Column):
    """A column left empty, to be filled in on paper (a signature)."""

    field: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return ()

    def reader(self, dataset: "Dataset", at: Mapping[str, int]) -> Reader:
        return lambda row: ""


# What `Registration.full_name` and `full_name_latin` read.
NAME_FIELDS = (*PERSON_NAME_FIELDS, "anonymised_at")


@dataclass(frozen=True)
class Name(Column):
    """A registrant's name, composed by the model's own rule (`Registration.full_name` or
    `full_name_latin`) from the fetched parts: `field` is the property's name, `prefix` the
    path to the registration (`registration__` for a session sign-up)."""

    prefix: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.prefix + name for name in NAME_FIELDS)

    def reader(self, dataset: "Dataset", at: Mapping[str, int]) -> Reader:
        # One unsaved registration, its parts set from each row in turn: the rule stays the
        # model's, at the cost of a dictionary update instead of a model instance per row.
        person = Registration()
        parts = [(name, at[self.prefix + name]) for name in NAME_FIELDS]
        rule = getattr(Registration, self.field).fget
        state = person.__dict__

        def name(row: Row) -> str:
            for attribute, i in parts:
                state[attribute] = row[i]
            return rule(person)

        return name


class Dataset:
    """A list of rows about an event's registrations."""

    name: ClassVar[str]
    label: ClassVar[Any]
    columns: ClassVar[list[Column]]
    model: ClassVar[type[models.Model]] = Registration  # what one row is
    # The permission it needs besides exporting at all (`exports.dataset_allowed`).
    permission: ClassVar[str | None] = None

    def __init__(self, *, event: Event, registrations: QuerySet[Registration]):
        self.event = event
        self.registrations = registrations.filter(event=event)
        self.time_zone = zoneinfo.ZoneInfo(event.time_zone)
        # Set for each export by `rows()`:
        self.local_times_in_database = False
        self._tables: dict[str, Mapping] = {}

    def objects(self) -> QuerySet:
        """The rows, in order; override to narrow or to list something else."""
        return self.registrations.order_by("family_name", "given_name", "pk")

    def count(self) -> int:
        return self.objects().count()

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def rows(self) -> Iterator[list[Any]]:
        objects = self.objects()
        self.local_times_in_database = connections[objects.db].vendor == "postgresql"
        fields = list(dict.fromkeys(field for column in self.columns for field in column.fields))
        at = {field: i for i, field in enumerate(fields)}
        self._tables = {}
        readers = [column.reader(self, at) for column in self.columns]
        fetched = [self._fetched(field) for field in fields]
        for row in objects.values_list(*fetched).iterator(chunk_size=CHUNK_SIZE):
            yield [read(row) for read in readers]

    def _fetched(self, path: str):
        """What `values_list` fetches for `path`: a moment in the event's local time where the
        database can convert it; a phone number's text as stored, where it is stored as it is
        shown (else the field would parse and validate each number again); else the value."""
        field = _field(self.model, path)
        if isinstance(field, models.DateTimeField) and self.local_times_in_database:
            return _LocalTime(F(path), Value(self.event.time_zone))
        if _phone_stored_as_shown(field):
            return ExpressionWrapper(F(path), output_field=models.CharField())
        return path

    def table(self, name: str) -> Mapping:
        """The table of a `Lookup` column (`name` is the method that builds it), built once
        per export however many columns read it."""
        if name not in self._tables:
            self._tables[name] = getattr(self, name)()
        return self._tables[name]

    # Tables for `Lookup` columns.

    def delegation_names(self) -> dict[int, str]:
        # A registration joins only a delegation of its own event (by the event's invitation
        # code, `_delegation_for_code`): the event's delegations are all it can name.
        return {d.pk: str(d.name) for d in Delegation.objects.filter(event=self.event)}
