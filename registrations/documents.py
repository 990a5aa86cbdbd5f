"""PDF documents for delegates: badges, confirmations and visa invitation letters.

Drawn with ReportLab. DejaVu Sans is embedded so that Cyrillic and Latin names print the
same everywhere; the QR code holds the registration reference for check-in at the door.
"""

import functools
import zoneinfo
from collections.abc import Iterable
from html import escape
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

import segno
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate

from events.formatting import date_range

from .models import LetterTemplate, Registration
from .placeholders import fill_placeholders

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"

# The band at the top of a badge tells the staff at the door who is who, from afar.
ROLE_COLOURS = {
    Registration.Role.DELEGATE: colors.HexColor("#1D4F91"),
    Registration.Role.SPEAKER: colors.HexColor("#2E6B30"),
    Registration.Role.ORGANISER: colors.HexColor("#A4001C"),
    Registration.Role.PRESS: colors.HexColor("#B35C00"),
}


def _register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, FONTS / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, FONTS / "DejaVuSans-Bold.ttf"))


def _canvas(out: BinaryIO, pagesize, title: str, kind: type[Canvas] = Canvas) -> Canvas:
    _register_fonts()
    canvas = kind(out, pagesize=pagesize, pageCompression=1, initialFontName=REGULAR)
    canvas.setTitle(title)
    canvas.setAuthor("EMN Conference")
    return canvas


# A fixed mask: segno would try all eight and score each (nine tenths of its time). Any mask
# makes a valid code; 0 is the one segno itself picks most often for references like ours, and
# codes made with it decode (the tests read every badge's and confirmation's code back).
QR_MASK = 0
QR_BORDER = 2  # modules of quiet zone, inside the size given


@functools.lru_cache(maxsize=64)
def _qr_path(value: str) -> tuple[int, str]:
    """A QR code (segno) as one PDF path in module units: its width in modules, with the
    border, and the operators filling each run of dark modules in a row as one rectangle.
    Cached: a delegate's badge and confirmation carry the same code."""
    code = segno.make(value, error="m", micro=False, mask=QR_MASK)
    matrix = code.matrix
    width = len(matrix) + 2 * QR_BORDER
    runs = []
    for row, line in enumerate(matrix):
        y = width - QR_BORDER - row - 1  # PDF's y goes up
        column, end = 0, len(line)
        while column < end:
            if line[column] & 1:
                start = column
                while column < end and line[column] & 1:
                    column += 1
                runs.append(f"{start + QR_BORDER} {y} {column - start} 1 re")
            else:
                column += 1
    return width, "\n".join(runs) + "\nf"


def _qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """A QR code, drawn as one vector path: sharp at any print size, and small in the file."""
    width, path = _qr_path(value)
    module = size / width
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.transform(module, 0, 0, module, x, y)
    canvas.addLiteral(path)
    canvas.restoreState()


def _clip(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis if it is still wider than `width`."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _printable(text: str) -> bool:
    """Whether the embedded font has a glyph for every character of `text`."""
    _register_fonts()
    glyphs = pdfmetrics.getFont(REGULAR).face.charToGlyph
    return all(ord(c) in glyphs for c in text if not c.isspace())


def _lines(
    canvas: Canvas,
    text: str,
    font: str,
    size: float,
    x: float,
    y: float,
    width: float,
    leading: float | None = None,
    max_lines: int = 3,
) -> float:
    """Draws wrapped text from the top line at `y` downwards; returns the y below it."""
    leading = leading or size * 1.25
    for line in simpleSplit(text, font, size, width)[:max_lines]:
        canvas.setFont(font, size)
        canvas.drawString(x, y, _clip(canvas, line, font, size, width))
        y -= leading
    return y


# --- badges (drawn in registrations/badges.py) -------------------------------------------


def badge_code(registration: Registration) -> str:
    """What the QR code on a badge and a confirmation holds, for the check-in at the door."""
    return registration.reference


def _role_label(role: str) -> str:
    """The role in every language of the site, so everyone at the door can read it."""
    from django.conf import settings

    labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            label = str(Registration.Role(role).label).upper()
        if label not in labels:
            labels.append(label)
    return " / ".join(labels)


def badges_pdf(
    registrations: Iterable[Registration],
    out: BinaryIO,
    *,
    layout: str = "a4",
    per_page: int | None = None,
) -> int:
    """Badges, drawn by `registrations.badges.badges_pdf` (see there). `per_page` (1 or 8)
    is the older way of choosing A6 or A4, for callers written before the layouts."""
    from . import badges

    if per_page is not None:
        layout = {1: "a6", 8: "a4"}.get(per_page, str(per_page))
    return badges.badges_pdf(registrations, out, layout=layout)


# --- confirmation ---------------------------------------------------------------------------


def confirmation_pdf(registration: Registration) -> bytes:
    """One A6 page: what the delegate shows at the door, in their preferred language."""
    out = BytesIO()
    with translation.override(registration.language):
        event = registration.event
        canvas = _canvas(out, A6, _("Confirmation of registration"))
        w, h = A6
        pad = 9 * mm
        y = h - pad - 4 * mm
        canvas.setFont(BOLD, 13)
        canvas.drawString(pad, y, _("Confirmation of registration"))
        y = _lines(canvas, str(event.title), REGULAR, 9.5, pad, y - 8 * mm, w - 2 * pad)
        canvas.setFont(REGULAR, 9)
        canvas.drawString(pad, y, date_range(event.start_date, event.end_date))
        y -= 9 * mm
        rows = [
            (_("Name"), f"{registration.honorific} {registration.full_name}".strip()),
            (_("Organisation"), registration.organisation),
            (_("Reference"), registration.reference),
            (_("Status"), registration.get_status_display()),
        ]
        for label, value in rows:
            canvas.setFont(REGULAR, 7.5)
            canvas.setFillColor(colors.HexColor("#4A5561"))
            canvas.drawString(pad, y, str(label))
            canvas.setFillColor(colors.black)
            y = (
                _lines(canvas, str(value), BOLD, 10, pad, y - 4.5 * mm, w - 2 * pad, max_lines=2)
                - 2 * mm
            )
        _qr(canvas, badge_code(registration), (w - 34 * mm) / 2, pad, 34 * mm)
        canvas.save()
    return out.getvalue()


# --- visa invitation letter ----------------------------------------------------------------


# Languages written in Cyrillic: a letter in one of them names the delegate as they wrote
# their name; a letter in any other language uses the Latin spelling they gave.
CYRILLIC_LANGUAGES = frozenset({"be", "bg", "kk", "mk", "ru", "sr", "uk"})


def letter_values(registration: Registration) -> dict[str, str]:
    """The placeholders' values, in the active language."""
    event = registration.event
    venue = event.venue
    cyrillic = translation.get_language() in CYRILLIC_LANGUAGES
    name = registration.full_name if cyrillic else registration.full_name_latin
    return {
        "name": f"{registration.honorific} {name}".strip(),
        "position": registration.position,
        "organisation": registration.organisation,
        "country": str(registration.country.name),
        "event": str(event.title),
        "dates": date_range(event.start_date, event.end_date),
        "venue": f"{venue.name}, {venue.city}" if venue else "",
        "reference": registration.reference,
        "passport_number": registration.passport_number,
        "passport_country": str(registration.passport_country.name),
        "passport_expiry": _date_or_empty(registration.passport_expiry),
        "nationality": str(registration.nationality.name),
        "date_of_birth": _date_or_empty(registration.date_of_birth),
    }


def _date_or_empty(day) -> str:
    return date_format(day, "j E Y") if day is not None else ""


def _letter_styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=10.5, leading=14.5, spaceAfter=8)
    return {
        "body": base,
        "sender": ParagraphStyle("sender", parent=base, fontName=BOLD, fontSize=11, spaceAfter=1),
        "address": ParagraphStyle("address", parent=base, fontSize=9, leading=12, spaceAfter=0),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=12, spaceBefore=10),
        "signature": ParagraphStyle("signature", parent=base, fontName=BOLD, spaceBefore=28),
    }


def visa_letter_pdf(registration: Registration, template: LetterTemplate, language: str) -> bytes:
    """The letter, laid out with ReportLab's platypus: text wraps and flows onto more pages."""
    out = BytesIO()
    with translation.override(language):
        styles = _letter_styles()
        tz = zoneinfo.ZoneInfo(registration.event.time_zone)
        approved = registration.visa_letter_approved_at or timezone.now()
        signed_on = date_format(timezone.localtime(approved, tz).date(), "j E Y")
        lines = [line.strip() for line in template.letterhead.splitlines() if line.strip()]
        story = [Paragraph(escape(lines[0]), styles["sender"])] if lines else []
        story += [Paragraph(escape(line), styles["address"]) for line in lines[1:]]
        story += [
            HRFlowable(
                width="100%", color=colors.HexColor("#1D4F91"), spaceBefore=6, spaceAfter=18
            ),
            Paragraph(escape(f"{template.place}, {signed_on}"), styles["right"]),
            Paragraph(escape(f"{_('Reference')}: {registration.reference}"), styles["body"]),
            Paragraph(escape(_("Invitation letter")), styles["title"]),
        ]
        body = fill_placeholders(template.body, letter_values(registration))
        for paragraph in [p.strip() for p in body.split("\n\n") if p.strip()]:
            story.append(Paragraph(escape(" ".join(paragraph.split())), styles["body"]))
        story += [
            Paragraph(escape(template.signatory_name), styles["signature"]),
            Paragraph(escape(template.signatory_position), styles["body"]),
        ]
        document = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=25 * mm,
            rightMargin=25 * mm,
            topMargin=22 * mm,
            bottomMargin=22 * mm,
            title=_("Visa invitation letter"),
            author="EMN Conference",
            initialFontName=REGULAR,
        )
        document.build(story)
    return out.getvalue()
