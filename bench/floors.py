"""The floors: the least work that gives the same result, measured in the same run as the real
thing, so that each figure is a ratio that means something on any machine.

- registration: lock the event's row, count the seats taken, insert the row, in raw SQL
  (`register_raw`, through psycopg in the service part and through Django's connection in the
  bench-only view `register_view` of the HTTP rush);
- pages and feeds: the same bytes as a static file served by WhiteNoise, and from a Django view
  that returns them through the whole middleware (`same_bytes_view`);
- exports: PostgreSQL's `COPY` of the same rows with the same joins (`copy_csv`), XlsxWriter fed
  the raw rows (`xlsx_raw`), and ReportLab drawing the badges' text without QR codes
  (`badges_raw`).

Only the suite uses this module (`bench.urls`, `bench.worker`); nothing of the site imports it.
"""

from __future__ import annotations

import datetime
import random
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
}
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SEAT_HOLDING = ["confirmed", "pending"]
FONTS = Path(__file__).resolve().parent.parent / "registrations" / "fonts"


# --- the "same bytes" view -----------------------------------------------------------------


@lru_cache(maxsize=256)
def _floor_file(directory: str, name: str) -> bytes:
    return (Path(directory) / name).read_bytes()


def same_bytes_view(request, name: str):
    """The bytes of a page saved under BENCH_FLOOR_DIR, as a Django view returns them: the
    floor of a page that does no work of its own (read once, then from memory)."""
    from django.conf import settings
    from django.http import Http404, HttpResponse

    suffix = Path(name).suffix
    if "/" in name or name.startswith(".") or suffix not in CONTENT_TYPES:
        raise Http404(name)
    try:
        body = _floor_file(settings.BENCH_FLOOR_DIR, name)
    except OSError as error:
        raise Http404(name) from error
    return HttpResponse(body, content_type=CONTENT_TYPES[suffix])


# --- registering in raw SQL ----------------------------------------------------------------


class RawRegistration:
    """The INSERT of one registration with every column given (the model's defaults are
    Python's, not the database's), prepared once from the model's own fields."""

    VARYING = (
        "event_id",
        "user_id",
        "reference",
        "status",
        "queued_at",
        "calendar_token",
        "created_at",
        "updated_at",
        "privacy_accepted_at",
        "given_name",
        "family_name",
    )

    def __init__(self, *, privacy_notice_id: int, details: dict[str, Any]):
        from django.db import connection
        from django.utils import timezone

        from registrations.models import Registration

        now = timezone.now()
        template = Registration(
            **details,
            event_id=0,
            user_id=0,
            reference="",
            status="confirmed",
            privacy_notice_id=privacy_notice_id,
            privacy_accepted_at=now,
            created_at=now,
            updated_at=now,
        )
        fields = [f for f in Registration._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.defaults = {
            f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields
        }
        columns = ", ".join(f'"{f.column}"' for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        # Table and column names from the model's own metadata, values as parameters.
        table = Registration._meta.db_table
        self.sql = (
            f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders}) '  # noqa: S608
            'ON CONFLICT ("reference") DO NOTHING RETURNING "id"'
        )

    def params(self, **varying: Any) -> list[Any]:
        return [varying.get(name, self.defaults[name]) for name in self.attnames]


def register_raw(
    cursor,
    *,
    raw: RawRegistration,
    event_id: int,
    user_id: int,
    names: tuple[str, str] | None = None,
    rng: random.Random | None = None,
) -> tuple[str, str]:
    """Locks the event, counts its seats taken, inserts: (reference, status). Inside the
    caller's transaction. A reference already taken (one in 28 million) is drawn again."""
    rng = rng or random.Random()  # noqa: S311 - references are not secrets here
    cursor.execute(
        'SELECT "capacity", "reference_prefix" FROM "events_event" WHERE "id" = %s FOR UPDATE',
        [event_id],
    )
    capacity, prefix = cursor.fetchone()
    # Once the lock is held, so that the times follow the order of the queue.
    now = datetime.datetime.now(datetime.UTC)
    cursor.execute(
        'SELECT count(*) FROM "registrations_registration" '
        'WHERE "event_id" = %s AND "status" = ANY(%s)',
        [event_id, SEAT_HOLDING],
    )
    (taken,) = cursor.fetchone()
    waiting = capacity is not None and taken >= capacity
    status = "waitlisted" if waiting else "confirmed"
    extra = {}
    if names is not None:
        extra = {"given_name": names[0], "family_name": names[1]}
    while True:
        reference = f"{prefix}-{''.join(rng.choices(REFERENCE_ALPHABET, k=5))}"
        cursor.execute(
            raw.sql,
            raw.params(
                event_id=event_id,
                user_id=user_id,
                reference=reference,
                status=status,
                queued_at=now if waiting else None,
                calendar_token=f"bench-{rng.getrandbits(128):032x}",
                created_at=now,
                updated_at=now,
                privacy_accepted_at=now,
                **extra,
            ),
        )
        if cursor.fetchone() is not None:
            return reference, status


@lru_cache(maxsize=64)
def _raw_for_view(event_id: int) -> RawRegistration:
    from events.models import Event
    from registrations.queries import privacy_notice_for

    notice = privacy_notice_for(event=Event.objects.get(pk=event_id))
    return RawRegistration(privacy_notice_id=notice.pk, details=VIEW_DETAILS)


VIEW_DETAILS = {
    "honorific": "Ms.",
    "given_name": "Anna",
    "family_name": "Huber",
    "position": "Migration officer",
    "organisation": "IOM Austria",
    "country": "AT",
    "phone": "+43 1 5812222",
    "language": "en",
}


def register_view(request, slug: str):
    """The HTTP rush's floor: the same signed-in POST through the same middleware (session,
    CSRF, authentication), then only the locked count and insert in raw SQL."""
    from django.db import connection, transaction
    from django.http import HttpResponseNotAllowed, HttpResponseRedirect

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/en/accounts/login/?next={request.path}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('SELECT "id" FROM "events_event" WHERE "slug" = %s', [slug])
        (event_id,) = cursor.fetchone()
        reference, _status = register_raw(
            cursor,
            raw=_raw_for_view(event_id),
            event_id=event_id,
            user_id=request.user.pk,
            names=(request.POST.get("given_name", ""), request.POST.get("family_name", "")),
        )
    return HttpResponseRedirect(f"/en/registrations/{reference}/")


# --- exports -------------------------------------------------------------------------------


def attendees_query(*, event_id: int, last_id: int, language: str = "en"):
    """The attendee list's rows with the same joins (account, delegation) and order."""
    from psycopg import sql

    if language not in ("bg", "en"):
        raise ValueError(language)
    return sql.SQL(
        """
        SELECT r.reference, r.status, r.role, r.honorific, r.given_name, r.family_name,
               r.given_name_latin, r.family_name_latin, r.position, r.organisation,
               coalesce(d.{name}, ''), r.country, u.email, r.phone, r.language,
               r.needs_visa_letter, (r.created_at AT TIME ZONE e.time_zone)
        FROM registrations_registration r
        JOIN accounts_user u ON u.id = r.user_id
        JOIN events_event e ON e.id = r.event_id
        LEFT JOIN registrations_delegation d ON d.id = r.delegation_id
        WHERE r.event_id = {event} AND r.id <= {last}
        ORDER BY r.family_name, r.given_name, r.id
        """
    ).format(
        name=sql.Identifier(f"name_{language}"),
        event=sql.Literal(event_id),
        last=sql.Literal(last_id),
    )


ATTENDEE_HEADERS = [
    "Reference",
    "Status",
    "Role",
    "Honorific",
    "Given name",
    "Family name",
    "Given name (Latin)",
    "Family name (Latin)",
    "Position",
    "Organisation",
    "Delegation",
    "Country",
    "Email",
    "Phone",
    "Preferred language",
    "Visa letter",
    "Registered at",
]


def copy_csv(connection, *, event_id: int, last_id: int, out: BinaryIO) -> int:
    """`COPY (the attendee list's query) TO STDOUT` as CSV with a header: bytes written."""
    from psycopg import sql

    query = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
        attendees_query(event_id=event_id, last_id=last_id)
    )
    written = 0
    with connection.cursor() as cursor, cursor.copy(query) as copy:
        for block in copy:
            out.write(block)
            written += len(block)
    return written


def xlsx_raw(rows, out: BinaryIO, *, headers: list[str]) -> int:
    """XlsxWriter fed the raw rows (constant memory, as the export), typed cells, a frozen
    header and an auto-filter, nothing else: rows written."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet("Attendees")
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    write_string, write_datetime = sheet.write_string, sheet.write_datetime
    write_boolean = sheet.write_boolean
    row_number = 0
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            kind = type(value)
            if kind is str:
                write_string(row_number, col, value)
            elif kind is datetime.datetime:
                write_datetime(row_number, col, value, when)
            elif kind is bool:
                write_boolean(row_number, col, value)
            else:
                write_string(row_number, col, "" if value is None else str(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row_number, 1), len(headers) - 1)
    workbook.close()
    return row_number


def badge_query(*, event_id: int, last_id: int, language: str = "en"):
    """The badges' rows: the confirmed among the list's, in its order."""
    from psycopg import sql

    return sql.SQL(
        """
        SELECT r.role, r.honorific, r.given_name, r.family_name, r.given_name_latin,
               r.family_name_latin, r.position, r.organisation, coalesce(d.{name}, r.country),
               r.reference, e.{title}
        FROM registrations_registration r
        JOIN events_event e ON e.id = r.event_id
        LEFT JOIN registrations_delegation d ON d.id = r.delegation_id
        WHERE r.event_id = {event} AND r.id <= {last} AND r.status = 'confirmed'
        ORDER BY r.family_name, r.given_name, r.id
        """
    ).format(
        name=sql.Identifier(f"name_{language}"),
        title=sql.Identifier(f"title_{language}"),
        event=sql.Literal(event_id),
        last=sql.Literal(last_id),
    )


ROLE_LABELS = {
    "delegate": ("DELEGATE / ДЕЛЕГАТ", "#1D4F91"),
    "speaker": ("SPEAKER / ЛЕКТОР", "#2E6B30"),
    "organiser": ("ORGANISER / ОРГАНИЗАТОР", "#A4001C"),
    "press": ("PRESS / ПРЕСА", "#B35C00"),
}


def badges_raw(rows, out: BinaryIO) -> int:
    """ReportLab drawing the badges' text, eight to an A4 page, with the same fonts and band,
    without QR codes, fitting or wrapping: badges drawn."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = "BenchDejaVuSans", "BenchDejaVuSans-Bold"
    if regular not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(regular, FONTS / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(bold, FONTS / "DejaVuSans-Bold.ttf"))
    width, height = 105 * mm, 74 * mm
    canvas = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=regular)
    bands = {role: colors.HexColor(colour) for role, (_label, colour) in ROLE_LABELS.items()}
    count = 0
    for count, row in enumerate(rows, start=1):
        role, honorific, given, family, given_latin, family_latin = row[:6]
        position, organisation, group, reference, title = row[6:]
        slot = (count - 1) % 8
        if slot == 0 and count > 1:
            canvas.showPage()
        x, y = (slot % 2) * width, A4[1] - (slot // 2 + 1) * height
        canvas.setStrokeColor(colors.HexColor("#C8CED6"))
        canvas.rect(x, y, width, height)
        canvas.setFillColor(bands.get(role, bands["delegate"]))
        canvas.rect(x, y + height - 11 * mm, width, 11 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(bold, 11)
        canvas.drawCentredString(x + width / 2, y + height - 7 * mm, ROLE_LABELS[role][0])
        canvas.setFillColor(colors.black)
        top = y + height - 19 * mm
        canvas.setFont(regular, 9)
        canvas.drawString(x + 6 * mm, top, honorific)
        canvas.setFont(bold, 17)
        canvas.drawString(x + 6 * mm, top - 7 * mm, f"{given} {family}")
        canvas.setFont(regular, 11)
        canvas.drawString(x + 6 * mm, top - 13 * mm, f"{given_latin} {family_latin}".strip())
        canvas.setFont(regular, 8.5)
        canvas.drawString(x + 6 * mm, top - 19 * mm, position)
        canvas.setFont(bold, 9)
        canvas.drawString(x + 6 * mm, top - 24 * mm, organisation)
        canvas.setFont(regular, 8.5)
        canvas.drawString(x + 6 * mm, top - 29 * mm, group)
        canvas.setFont(regular, 7)
        canvas.drawCentredString(x + width - 17 * mm, y + 6 * mm, reference)
        canvas.drawString(x + 6 * mm, y + 6 * mm, title[:70])
    canvas.save()
    return count
