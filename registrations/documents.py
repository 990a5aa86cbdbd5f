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
from .pdfstream import PageStreamingCanvas
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


def _fit(
    canvas: Canvas, text: str, font: str, size: float, width: float, minimum: float = 7
) -> float:
    """The largest font size, up to `size`, at which `text` fits in `width`."""
    while size > minimum and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


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


# --- badges -------------------------------------------------------------------------------

BADGE_WIDTH, BADGE_HEIGHT = 105 * mm, 74 * mm  # eight to an A4 page


def _badge(
    canvas: Canvas, registration: Registration, x: float, y: float, roles: dict[str, str]
) -> None:
    w, h, pad = BADGE_WIDTH, BADGE_HEIGHT, 6 * mm
    canvas.setStrokeColor(colors.HexColor("#C8CED6"))
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, w, h)  # cutting guide
    band = 11 * mm
    canvas.setFillColor(ROLE_COLOURS[registration.role])
    canvas.rect(x, y + h - band, w, band, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    role = roles[registration.role]
    canvas.setFont(BOLD, 11)
    canvas.drawCentredString(x + w / 2, y + h - band + 3.8 * mm, role)

    canvas.setFillColor(colors.black)
    text_width = w - 2 * pad - 24 * mm
    top = y + h - band - 8 * mm
    if registration.honorific:
        canvas.setFont(REGULAR, 9)
        canvas.drawString(x + pad, top, registration.honorific)
        top -= 6 * mm
    # A script the font cannot draw (Chinese, say) would print as empty boxes: the Latin
    # spelling, which such names must have, stands in for it.
    name = registration.full_name
    if not _printable(name):
        name = registration.full_name_latin
    name_size = _fit(canvas, name, BOLD, 17, text_width)
    canvas.setFont(BOLD, name_size)
    canvas.drawString(x + pad, top, _clip(canvas, name, BOLD, name_size, text_width))
    top -= name_size * 0.45 * mm + 2 * mm
    if registration.full_name_latin != name:
        latin = registration.full_name_latin
        latin_size = _fit(canvas, latin, REGULAR, 11, text_width)
        canvas.setFont(REGULAR, latin_size)
        canvas.drawString(x + pad, top, _clip(canvas, latin, REGULAR, latin_size, text_width))
        top -= 6 * mm
    if registration.position:
        top = _lines(
            canvas, registration.position, REGULAR, 8.5, x + pad, top, text_width, max_lines=2
        )
    top = _lines(canvas, registration.organisation, BOLD, 9, x + pad, top, text_width, max_lines=2)
    group = registration.delegation.name if registration.delegation else registration.country.name
    if group:
        _lines(canvas, str(group), REGULAR, 8.5, x + pad, top, text_width, max_lines=1)
    qr = 22 * mm
    _qr(canvas, badge_code(registration), x + w - pad - qr, y + pad + 3 * mm, qr)
    canvas.setFont(REGULAR, 7)
    canvas.drawCentredString(x + w - pad - qr / 2, y + pad, registration.reference)
    canvas.setFont(REGULAR, 7)
    canvas.setFillColor(colors.HexColor("#4A5561"))
    canvas.drawString(x + pad, y + pad, str(registration.event.title)[:70])


def badge_code(registration: Registration) -> str:
    """What the QR code on a badge and a confirmation holds, for the check-in at the door."""
    from .tokens import badge_token  # here, not at the top: the layout is rewritten apart

    return badge_token(registration)


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


def badges_pdf(registrations: Iterable[Registration], out: BinaryIO, *, per_page: int = 8) -> int:
    """Writes badges for `registrations` to `out`: one per page (A6) or eight per A4 page.

    Each page goes to `out` as soon as it is full (`PageStreamingCanvas`), so memory does
    not grow with the number of badges: give it an iterator (`QuerySet.iterator()`)."""
    if per_page not in (1, 8):
        raise ValueError("per_page must be 1 or 8")
    pagesize = (BADGE_WIDTH, BADGE_HEIGHT) if per_page == 1 else A4
    canvas = _canvas(out, pagesize, _("Badges"), kind=PageStreamingCanvas)
    roles = {role: _role_label(role) for role in Registration.Role}
    count = 0
    for count, registration in enumerate(registrations, start=1):
        if per_page == 1:
            if count > 1:
                canvas.showPage()
            _badge(canvas, registration, 0, 0, roles)
            continue
        slot = (count - 1) % 8
        if slot == 0 and count > 1:
            canvas.showPage()
        column, row = slot % 2, slot // 2
        _badge(
            canvas,
            registration,
            column * BADGE_WIDTH,
            A4[1] - (row + 1) * BADGE_HEIGHT - 0.5 * mm,
            roles,
        )
    if count == 0:
        canvas.setFont(REGULAR, 10)
        canvas.drawString(10 * mm, pagesize[1] - 15 * mm, _("No badges to print."))
    canvas.save()
    return count


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
