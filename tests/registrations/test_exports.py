import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from registrations.exports import DATASETS
from registrations.models import ExportRecord, Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    UserFactory,
    sofia,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def event(db):
    return OpenEventFactory(slug="emn-2030", title_en="Crossroads", time_zone="Europe/Sofia")


@pytest.fixture
def people(event):
    delegation = DelegationFactory(event=event, name_en="IOM Austria", name_bg="МОМ Австрия")
    workshop = SessionFactory(
        event=event,
        capacity=10,
        title_en="Secondary movements",
        title_bg="Вторични движения",
        room=RoomFactory(venue=event.venue, name_en="Hall A", name_bg="Зала А"),
        start=sofia(event.start_date, 16),
    )
    radoslav = RegistrationFactory(
        event=event,
        reference="EMN30-AAAAA",
        honorific="Г-н",
        given_name="Радослав",
        family_name="Стаменков",
        given_name_latin="Radoslav",
        family_name_latin="Stamenkov",
        organisation="МОМ България",
        country="BG",
        dietary_requirements="вегетарианец",
        interpretation_language="en",
    )
    Registration.objects.filter(pk=radoslav.pk).update(
        created_at=sofia(datetime.date(2030, 3, 2), 9)
    )
    radoslav.signups.create(session=workshop, status="confirmed")
    anna = RegistrationFactory(
        event=event,
        reference="EMN30-BBBBB",
        given_name="Anna",
        family_name="Huber",
        delegation=delegation,
        accessibility_needs="wheelchair access",
    )
    waiting = RegistrationFactory(
        event=event,
        reference="EMN30-CCCCC",
        given_name="Ivan",
        family_name="Novak",
        status=Status.WAITLISTED,
        dietary_requirements="vegan",
    )
    RegistrationFactory(reference="EMN30-OTHER")  # another event: never in these lists
    return {"radoslav": radoslav, "anna": anna, "waiting": waiting, "workshop": workshop}


def _read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _read_xlsx(content) -> list[list]:
    sheet = openpyxl.load_workbook(content).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _export(event, dataset, file_format, language="en", registrations=None):
    from registrations import services

    out = io.BytesIO()
    services.export_write(
        event=event,
        registrations=registrations or Registration.objects.all(),
        dataset=dataset,
        file_format=file_format,
        language=language,
        out=out,
        by=None,
        via="test",
    )
    return out.getvalue() if file_format == "csv" else io.BytesIO(out.getvalue())


EXPECTED = {
    "attendees": (
        [
            "Reference",
            "Status",
            "Role",
            "Honorific",
            "Given name",
            "Family name",
            "Name in Latin script",
            "Position",
            "Organisation",
            "Delegation",
            "Country",
            "Email",
            "Phone",
            "Preferred language",
            "Visa letter",
            "Registered at",
        ],
        ["EMN30-BBBBB", "EMN30-CCCCC", "EMN30-AAAAA"],
    ),
    "delegations": (
        [
            "Delegation",
            "Head of delegation",
            "Reference",
            "Status",
            "Honorific",
            "Name",
            "Name in Latin script",
            "Position",
            "Organisation",
        ],
        ["EMN30-BBBBB"],
    ),
    "catering": (["Reference", "Name", "Organisation", "Dietary requirements"], ["EMN30-AAAAA"]),
    "accessibility": (
        ["Reference", "Name", "Organisation", "Phone", "Accessibility needs"],
        ["EMN30-BBBBB"],
    ),
    "interpretation": (
        ["Reference", "Name", "Delegation", "Interpretation into"],
        ["EMN30-AAAAA"],
    ),
    "signin": (
        ["Session", "Starts", "Room", "Reference", "Name", "Organisation", "Signature"],
        ["EMN30-AAAAA"],
    ),
}


@pytest.mark.parametrize("dataset", list(EXPECTED))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_each_list_has_its_columns_and_rows(event, people, dataset, file_format):
    content = _export(event, dataset, file_format)
    rows = _read_csv(content) if file_format == "csv" else _read_xlsx(content)
    headers, references = EXPECTED[dataset]
    assert rows[0] == headers
    column = headers.index("Reference")
    assert [row[column] for row in rows[1:]] == references


def test_every_dataset_is_covered_by_the_tests():
    # The visa list needs its own permission: tests/registrations/test_passport.py. The
    # counts per interpretation channel list sessions, not people:
    # tests/registrations/test_interpretation_export.py.
    assert set(DATASETS) == {*EXPECTED, "visa", "interpretation_channels"}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_cyrillic_survives_the_round_trip(event, people, file_format):
    content = _export(event, "attendees", file_format, language="bg")
    rows = _read_csv(content) if file_format == "csv" else _read_xlsx(content)
    assert rows[0][:6] == ["Номер", "Статус", "Роля", "Обръщение", "Собствено име", "Фамилия"]
    radoslav = next(row for row in rows if row[0] == "EMN30-AAAAA")
    assert radoslav[3:10] == [
        "Г-н",
        "Радослав",
        "Стаменков",
        "Radoslav Stamenkov",
        "",
        "МОМ България",
        "",
    ]
    assert radoslav[1] == "Потвърдена"


def test_xlsx_has_typed_dates_a_frozen_header_and_a_filter(event, people):
    sheet = openpyxl.load_workbook(_export(event, "attendees", "xlsx")).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"
    registered = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "EMN30-AAAAA")[
        15
    ]
    assert registered.value == datetime.datetime(2030, 3, 2, 9, 0)  # local time in Sofia
    assert registered.is_date


def test_signin_sheet_shows_local_start_time(event, people):
    rows = _read_xlsx(_export(event, "signin", "xlsx", language="bg"))
    assert rows[1][:3] == ["Вторични движения", datetime.datetime(2030, 5, 14, 16, 0), "Зала А"]


def test_export_honours_the_registrations_given(event, people):
    confirmed = Registration.objects.filter(status=Status.CONFIRMED)
    rows = _read_csv(_export(event, "attendees", "csv", registrations=confirmed))
    assert [row[0] for row in rows[1:]] == ["EMN30-BBBBB", "EMN30-AAAAA"]


# --- from the admin -----------------------------------------------------------------------


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True, email="manager@example.org")
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return user


def _admin(view: str) -> str:
    with translation.override("en"):
        return reverse(f"admin:{view}")


def test_admin_export_streams_the_filtered_list_and_records_it(client, manager, event, people):
    url = _admin("registrations_registration_export")
    filters = f"event__id__exact={event.pk}&status__exact=confirmed"
    form = client.get(f"{url}?{filters}")
    assert form.status_code == 200
    response = client.post(
        url,
        {
            "filters": filters,
            "event": event.pk,
            "dataset": "attendees",
            "file_format": "csv",
            "language": "bg",
        },
    )
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="emn-2030-attendees-' in response["Content-Disposition"]
    rows = _read_csv(b"".join(response.streaming_content))
    assert rows[0][0] == "Номер"
    assert [row[0] for row in rows[1:]] == ["EMN30-BBBBB", "EMN30-AAAAA"]
    record = ExportRecord.objects.get()
    assert (record.user, record.via, record.dataset, record.format, record.rows) == (
        manager,
        "admin",
        "attendees",
        "csv",
        2,
    )
    assert record.filters == {"event__id__exact": [str(event.pk)], "status__exact": ["confirmed"]}
    listing = client.get(_admin("registrations_exportrecord_changelist")).content.decode()
    assert "manager@example.org" in listing


def test_admin_export_as_xlsx(client, manager, event, people):
    response = client.post(
        _admin("registrations_registration_export"),
        {
            "filters": "",
            "event": event.pk,
            "dataset": "catering",
            "file_format": "xlsx",
            "language": "en",
        },
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = _read_xlsx(io.BytesIO(b"".join(response.streaming_content)))
    assert rows[1] == ["EMN30-AAAAA", "Radoslav Stamenkov", "МОМ България", "вегетарианец"]


def test_admin_export_refuses_staff_without_the_permission(client, agenda_editor, event, people):
    client.force_login(agenda_editor)
    url = _admin("registrations_registration_export")
    response = client.post(
        url, {"event": event.pk, "dataset": "attendees", "file_format": "csv", "language": "en"}
    )
    assert response.status_code == 403
    assert ExportRecord.objects.count() == 0


def test_admin_export_with_a_bad_choice_explains_and_exports_nothing(client, manager, event):
    response = client.post(
        _admin("registrations_registration_export"),
        {"event": event.pk, "dataset": "everything", "file_format": "pdf", "language": "en"},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert ExportRecord.objects.count() == 0


def test_admin_list_offers_export_only_with_the_permission(client, manager, agenda_editor, event):
    html = client.get(
        _admin("registrations_registration_changelist") + "?status__exact=pending"
    ).content.decode()
    assert 'href="export/?status__exact=pending"' in html


# --- from the command line ----------------------------------------------------------------


def test_command_writes_the_file_and_records_it(tmp_path, event, people):
    out = tmp_path / "attendees.xlsx"
    call_command(
        "export_attendees",
        event.slug,
        "--format",
        "xlsx",
        "--status",
        "confirmed",
        "--language",
        "bg",
        "-o",
        str(out),
    )
    rows = _read_xlsx(out)
    assert rows[0][0] == "Номер"
    assert sorted(row[0] for row in rows[1:]) == ["EMN30-AAAAA", "EMN30-BBBBB"]
    record = ExportRecord.objects.get()
    assert (record.via, record.user, record.rows) == ("command", None, 2)


def test_command_filters_by_delegation(tmp_path, event, people):
    out = tmp_path / "delegation.csv"
    call_command("export_attendees", event.slug, "--delegation", "IOM Austria", "-o", str(out))
    assert [row[0] for row in _read_csv(out.read_bytes())[1:]] == ["EMN30-BBBBB"]


def test_command_with_an_unknown_event_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match=r"No event with the slug 'nope'\."):
        call_command("export_attendees", "nope", "-o", str(tmp_path / "x.csv"))


def test_csv_neutralises_formulas_typed_by_delegates(event):
    RegistrationFactory(
        event=event,
        reference="EMN30-FORMU",
        organisation='=HYPERLINK("http://x")',
        position="+cmd|' /C calc'!A0",
    )
    rows = _read_csv(_export(event, "attendees", "csv"))
    row = next(r for r in rows if r[0] == "EMN30-FORMU")
    assert row[8] == '\'=HYPERLINK("http://x")'
    assert row[7] == "'+cmd|' /C calc'!A0"


def test_csv_writes_dates_without_seconds(event, people):
    rows = _read_csv(_export(event, "attendees", "csv"))
    row = next(r for r in rows if r[0] == "EMN30-AAAAA")
    assert row[15] == "2030-03-02 09:00"


@pytest.mark.parametrize("filters", ["foo=bar", "created_at__year=abc"])
def test_admin_export_with_broken_filters_explains_and_exports_nothing(
    client, manager, event, filters
):
    response = client.post(
        _admin("registrations_registration_export"),
        {
            "filters": filters,
            "event": event.pk,
            "dataset": "attendees",
            "file_format": "csv",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "The list&#x27;s filters are not valid" in response.content.decode()
    assert ExportRecord.objects.count() == 0


def test_admin_export_insists_on_the_filtered_event(client, manager, event, people):
    other = OpenEventFactory()
    response = client.post(
        _admin("registrations_registration_export"),
        {
            "filters": f"event__id__exact={event.pk}",
            "event": other.pk,
            "dataset": "attendees",
            "file_format": "csv",
            "language": "en",
        },
    )
    assert "Choose the event the list is filtered by." in response.content.decode()
    assert ExportRecord.objects.count() == 0


def test_admin_export_refuses_a_nul_byte_in_the_filters(client, manager, event):
    response = client.post(
        _admin("registrations_registration_export"),
        {
            "filters": "status__exact=%00",
            "event": event.pk,
            "dataset": "attendees",
            "file_format": "csv",
            "language": "en",
        },
    )
    assert response.status_code == 400


# --- close to the database ----------------------------------------------------------------


def _complete_registrations(event, count: int) -> None:
    """`count` registrations that every list shows: confirmed, each in a delegation of its
    own, with needs and a visa letter, and seated at a sign-up session of its own in a room
    of its own."""
    for _ in range(count):
        registration = RegistrationFactory(
            event=event,
            delegation=DelegationFactory(event=event),
            dietary_requirements="vegan",
            accessibility_needs="wheelchair access",
            interpretation_language="bg",
            needs_visa_letter=True,
            phone="+43 1 5812222",
        )
        session = SessionFactory(
            event=event,
            capacity=5,
            room=RoomFactory(venue=event.venue),
            start=sofia(event.start_date, 9),
        )
        registration.signups.create(session=session, status="confirmed")


def _queries_and_rows(event, dataset: str, file_format: str) -> tuple[int, int]:
    from registrations import services

    with CaptureQueriesContext(connection) as queries:
        record = services.export_write(
            event=event,
            registrations=Registration.objects.all(),
            dataset=dataset,
            file_format=file_format,
            language="bg",
            out=io.BytesIO(),
            by=None,
            via="test",
        )
    return len(queries), record.rows


@pytest.mark.parametrize("dataset", sorted(EXPECTED))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_makes_as_many_queries_for_fifty_rows_as_for_five(event, dataset, file_format):
    _complete_registrations(event, 5)
    few = _queries_and_rows(event, dataset, file_format)
    _complete_registrations(event, 45)
    many = _queries_and_rows(event, dataset, file_format)
    assert (few[1], many[1]) == (5, 50)
    assert many[0] == few[0]


def test_phones_are_stored_and_exported_in_the_international_format(event):
    RegistrationFactory(event=event, reference="EMN30-PHONE", phone="+35929876543")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone FROM registrations_registration WHERE reference = %s", ["EMN30-PHONE"]
        )
        assert cursor.fetchone() == ("+359 2 987 6543",)
    row = _read_csv(_export(event, "attendees", "csv"))[1]
    assert row[12] == "'+359 2 987 6543"  # a leading + is neutralised like a formula's
    assert _read_xlsx(_export(event, "attendees", "xlsx"))[1][12] == "+359 2 987 6543"


def test_phones_stored_in_another_format_are_written_as_the_site_shows_them(event, settings):
    settings.PHONENUMBER_DB_FORMAT = "E164"
    RegistrationFactory(event=event, reference="EMN30-PHONE", phone="+359 2 987 6543")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone FROM registrations_registration WHERE reference = %s", ["EMN30-PHONE"]
        )
        assert cursor.fetchone() == ("+35929876543",)
    assert _read_xlsx(_export(event, "attendees", "xlsx"))[1][12] == "+359 2 987 6543"
