"""The benchmark suite's smoke test: it imports, its figures compare as documented, and its
floors give the same results as the real thing on a tiny event. Nothing here is timed: how
fast the machine is never decides a test (`make bench` measures, docs/benchmarks.md)."""

import csv
import datetime
import io

import pytest
from django.db import connection, transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from bench import admin_search, exports, floors, harness, pages, rush, service
from demo.generator import Size, generate_event
from registrations import services
from registrations.models import Registration
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.bench


def test_the_parts_can_be_run_one_by_one():
    from bench.__main__ import PARTS as parts

    assert parts == {
        "service": service.run,
        "rush": rush.run,
        "pages": pages.run,
        "exports": exports.run,
        "admin": admin_search.run,
    }


def test_a_figure_is_its_ratio_to_the_floor_measured_beside_it_repetition_by_repetition():
    rate = harness.Figure(
        "1 service", "rate", "reg/s", [10, 20, 30], floor_values=[100, 100, 90], goal=3
    )
    assert rate.ratios() == [10.0, 5.0, 3.0]
    assert (rate.ratio, rate.met) == (5.0, False)
    time = harness.Figure("4 exports", "csv", "s", [2.0], better="lower", floor_values=[1.0])
    assert (time.ratio, time.met) == (2.0, None)
    absolute = harness.Figure("2 rush", "p95", "s", [1.5], goal_text="≤ 2 s", goal_met=True)
    text = harness.render_text([rate, time, absolute])
    assert text.splitlines()[2].split() == [
        "1", "service", "rate", "20.0", "reg/s", "10.0–30.0", "100", "×5.00", "3.00–10.0",
        "≤", "3×", "NOT", "met", "3",
    ]  # fmt: skip
    assert "≤ 2 s met" in text
    assert harness.render_markdown([rate]).splitlines()[2].startswith("| 1 service | rate | 20.0")


def test_the_suite_refuses_anything_but_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///db.sqlite3")
    with pytest.raises(harness.BenchError, match="runs against PostgreSQL"):
        harness.server_url()


def test_the_same_bytes_floor_view_answers_the_saved_page(db, client, settings, tmp_path):
    settings.ROOT_URLCONF = "bench.urls"
    settings.BENCH_FLOOR_DIR = str(tmp_path)
    floors._floor_file.cache_clear()
    (tmp_path / "large-agenda-bg.html").write_bytes("<p>Програма</p>".encode())
    response = client.get("/bench/floor/large-agenda-bg.html")
    assert (response.status_code, response["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert response.content.decode() == "<p>Програма</p>"
    assert client.get("/bench/floor/missing.html").status_code == 404
    assert client.get("/bench/floor/.env").status_code == 404
    # The site's own pages are all there beside it.
    assert client.get("/en/").status_code == 200


def test_the_site_has_no_floor():
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("bench_floor", args=["x.html"])


def _badge_rows() -> list[tuple]:
    return [
        ("delegate", "г-жа", "Мария", "Петрова", "Maria", "Petrova", "Старши експерт",
         "Министерство на вътрешните работи", "Гранична полиция – Австрия", "BEN-AAAAA",
         "Генерирана конференция"),
        ("press", "Mr.", "Lukas", "Huber", "", "", "Journalist", "ORF", "AT", "BEN-BBBBB",
         "Generated conference"),
    ]  # fmt: skip


def test_the_badge_floor_draws_the_same_text(tmp_path):
    out = io.BytesIO()
    assert floors.badges_raw(_badge_rows(), out) == 2
    text = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    for word in ("Мария Петрова", "Maria Petrova", "Lukas Huber", "BEN-BBBBB", "PRESS"):
        assert word in text


def test_the_xlsx_floor_writes_the_raw_rows(tmp_path):
    path = tmp_path / "raw.xlsx"
    when = datetime.datetime(2030, 5, 14, 9, 30)
    with path.open("wb") as out:
        rows = floors.xlsx_raw([("BEN-AAAAA", "confirmed", True, when)], out, headers=list("ABCD"))
    assert rows == 1
    sheet = load_workbook(path).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["A", "B", "C", "D"],
        ["BEN-AAAAA", "confirmed", True, when],
    ]


@pytest.fixture
def tiny(db):
    """A tiny generated event: 6 registrations, 4 seats, 1 waiting, 1 cancelled."""
    return generate_event(
        slug="tiny",
        size=Size(sessions=8, days=1, speakers=4, delegations=2, registrations=6, waiting=1,
                  cancelled=1),
    ).event  # fmt: skip


@pytest.mark.postgresql
def test_the_raw_sql_floor_registers_as_the_rules_would(tiny):
    raw = floors.RawRegistration(
        privacy_notice_id=Registration.objects.filter(event=tiny).first().privacy_notice_id,
        details=service.DETAILS,
    )
    # One seat more: the first newcomer gets it, the next waits.
    tiny.registrations.filter(status="waitlisted").update(status="cancelled", queued_at=None)
    type(tiny).objects.filter(pk=tiny.pk).update(capacity=5)
    outcomes = []
    for user in VerifiedUserFactory.create_batch(2):
        with transaction.atomic(), connection.cursor() as cursor:
            outcomes.append(floors.register_raw(cursor, raw=raw, event_id=tiny.pk, user_id=user.pk))
    assert [status for _reference, status in outcomes] == ["confirmed", "waitlisted"]
    for reference, status in outcomes:
        assert reference.startswith("TINY-")
        registration = Registration.objects.get(reference=reference)
        registration.full_clean()  # a row the model accepts, as the service would write it
        assert (registration.status, registration.queued_at is not None) == (
            status,
            status == "waitlisted",
        )


@pytest.mark.postgresql
def test_the_http_rush_floor_registers_the_signed_in_delegate(tiny, client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    floors._raw_for_view.cache_clear()
    user = VerifiedUserFactory()
    client.force_login(user)
    response = client.post(
        "/bench/floor/register/tiny/", {"given_name": "Anna", "family_name": "Number 7"}
    )
    registration = Registration.objects.get(user=user)
    assert response["Location"] == f"/en/registrations/{registration.reference}/"
    assert (registration.family_name, registration.status) == ("Number 7", "waitlisted")


@pytest.mark.postgresql
def test_the_copy_floor_gives_the_rows_of_the_csv_export(tiny):
    last = tiny.registrations.order_by("-pk").values_list("pk", flat=True)[0]
    out = io.BytesIO()
    # psycopg's own connection, inside the test's transaction.
    floors.copy_csv(connection.connection, event_id=tiny.pk, last_id=last, out=out)
    copied = list(csv.reader(io.StringIO(out.getvalue().decode())))
    exported = io.BytesIO()
    services.export_write(
        event=tiny,
        registrations=Registration.objects.all(),
        dataset="attendees",
        file_format="csv",
        language="en",
        out=exported,
        by=None,
        via="bench",
    )
    rows = list(csv.reader(io.StringIO(exported.getvalue().decode("utf-8-sig"))))
    assert len(copied) == len(rows) == 7
    # The same registrations, in the same order (family name, given name, id).
    assert [row[0] for row in copied[1:]] == [row[0] for row in rows[1:]]
