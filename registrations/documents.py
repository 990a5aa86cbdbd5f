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
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from emn_conference.site import absolute_url
from events.formatting import date_range

from .models import IssuedDocument, LetterTemplate, Registration
from .placeholders import fill_placeholders
from .tokens import badge_token

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


def letter_values(registration: Registration) -> dict[str, str]:
    """The placeholders' values, in the active language. The person is named as in their
    passport (Latin script) in every language: a consulate compares the two."""
    event = registration.event
    return {
        "name": f"{registration.honorific} {registration.name_as_in_passport}".strip(),
        "position": registration.position,
        "organisation": registration.organisation,
        "country": str(registration.country.name),
        "event": str(event.title),
        "dates": date_range(event.start_date, event.end_date),
        "venue": _venue(event),
        "reference": registration.reference,
        "passport_number": registration.passport_number,
        "passport_country": str(registration.passport_country.name),
        "passport_expiry": _date_or_empty(registration.passport_expiry),
        "nationality": str(registration.nationality.name),
        "date_of_birth": _date_or_empty(registration.date_of_birth),
    }


def _venue(event) -> str:
    venue = event.venue
    return f"{venue.name}, {venue.city}" if venue else ""


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
        "label": ParagraphStyle("label", parent=base, fontSize=9, leading=12, spaceAfter=0),
        "value": ParagraphStyle(
            "value", parent=base, fontName=BOLD, fontSize=9.5, leading=12, spaceAfter=0
        ),
        "signature": ParagraphStyle("signature", parent=base, fontName=BOLD, spaceBefore=28),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=11, spaceAfter=2, textColor="#333333"
        ),
        "preview": ParagraphStyle(
            "preview", parent=base, fontName=BOLD, fontSize=11, textColor="#A4001C"
        ),
    }


class _QRFlowable(Flowable):
    """A QR code in the flow of the letter (the same vector code as on the badges)."""

    def __init__(self, value: str, size: float):
        super().__init__()
        self.value, self.width, self.height = value, size, size

    def draw(self) -> None:
        _qr(self.canv, self.value, 0, 0, self.width)


def _letterhead(template: LetterTemplate, styles) -> list:
    lines = [line.strip() for line in template.letterhead.splitlines() if line.strip()]
    text = [Paragraph(escape(lines[0]), styles["sender"])] if lines else []
    text += [Paragraph(escape(line), styles["address"]) for line in lines[1:]]
    logo = _logo(template)
    if logo is None:
        return text
    table = Table([[logo, text]], colWidths=[logo.drawWidth + 6 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


LOGO_HEIGHT, LOGO_MAX_WIDTH = 20 * mm, 45 * mm


def _logo(template: LetterTemplate) -> Image | None:
    """The organiser's logo, scaled into the letterhead; none if it cannot be read (the
    letter is still valid without it)."""
    if not template.logo:
        return None
    try:
        with template.logo.open("rb") as file:
            data = BytesIO(file.read())
        width, height = ImageReader(data).getSize()
    except (OSError, ValueError):
        return None
    scale = min(LOGO_HEIGHT / height, LOGO_MAX_WIDTH / width)
    data.seek(0)
    return Image(data, width=width * scale, height=height * scale)


def _particulars(registration: Registration, template: LetterTemplate, styles) -> Table:
    """The facts a consulate checks, one per line, whatever the text above says."""
    event = registration.event
    stay_from, stay_until = template.stay()
    purpose = _("Taking part in the conference “%(event)s”, %(dates)s") % {
        "event": event.title,
        "dates": date_range(event.start_date, event.end_date),
    }
    venue = _venue(event)
    if venue:
        purpose = f"{purpose}, {venue}"
    rows = [
        (_("Family name (as in the passport)"), registration.passport_family_name),
        (_("Given names (as in the passport)"), registration.passport_given_name),
        (_("Date of birth"), _date_or_empty(registration.date_of_birth)),
        (_("Nationality"), str(registration.nationality.name)),
        (_("Passport number"), registration.passport_number),
        (_("Passport issued by"), str(registration.passport_country.name)),
        (_("Passport valid until"), _date_or_empty(registration.passport_expiry)),
        (_("Purpose of the visit"), purpose),
        (_("Dates of stay"), date_range(stay_from, stay_until)),
        (_("Costs"), template.costs),
    ]
    table = Table(
        [
            [
                Paragraph(escape(str(label)), styles["label"]),
                Paragraph(escape(value), styles["value"]),
            ]
            for label, value in rows
        ],
        colWidths=[60 * mm, None],
        spaceBefore=4,
        spaceAfter=10,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#C8CED6")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


LETTER_MARGIN = 25 * mm
LETTER_TEXT_WIDTH = A4[0] - 2 * LETTER_MARGIN


def verification_url(document: IssuedDocument, language: str) -> str:
    """The address printed on a document, where anyone can check it, in its language."""
    with translation.override(language):
        return absolute_url(document.get_absolute_url())


def _verification(document: IssuedDocument | None, language: str, styles) -> list:
    if document is None:
        return [
            Paragraph(
                escape(_("Preview: not valid. The verification code is added on approval.")),
                styles["preview"],
            )
        ]
    url = verification_url(document, language)
    size = 26 * mm
    # The address on one line, however long the site's name: a broken one is mistyped.
    column = LETTER_TEXT_WIDTH - size - 5 * mm - 2 * 6 - 2 * 6 - 2  # frame's and cell's padding
    url_size = 9.5
    while url_size > 6 and pdfmetrics.stringWidth(url, BOLD, url_size) > column:
        url_size -= 0.5
    url_style = ParagraphStyle("url", parent=styles["value"], fontSize=url_size)
    text = [
        Paragraph(
            escape(_("To check that this letter is genuine and still valid, open:")),
            styles["small"],
        ),
        Paragraph(escape(url), url_style),
    ]
    table = Table([[_QRFlowable(url, size), text]], colWidths=[size + 5 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [KeepTogether([HRFlowable(width="100%", color=colors.HexColor("#C8CED6")), table])]


def visa_letter_pdf(
    registration: Registration,
    template: LetterTemplate,
    language: str,
    *,
    document: IssuedDocument | None = None,
) -> bytes:
    """The letter, laid out with ReportLab's platypus: text wraps and flows onto more pages.

    `document` is the letter issued on approval: its verification address and QR code are
    printed. Without one the letter is a preview, marked as not valid, for staff to read
    before they approve it."""
    out = BytesIO()
    with translation.override(language):
        styles = _letter_styles()
        tz = zoneinfo.ZoneInfo(registration.event.time_zone)
        approved = registration.visa_letter_approved_at or timezone.now()
        signed_on = date_format(timezone.localtime(approved, tz).date(), "j E Y")
        story = [] if document else _verification(None, language, styles)
        story += _letterhead(template, styles)
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
        story.append(_particulars(registration, template, styles))
        story += [
            KeepTogether(
                [
                    Paragraph(escape(template.signatory_name), styles["signature"]),
                    Paragraph(escape(template.signatory_position), styles["body"]),
                ]
            ),
        ]
        if document is not None:
            story += _verification(document, language, styles)
        document_template = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=LETTER_MARGIN,
            rightMargin=LETTER_MARGIN,
            topMargin=22 * mm,
            bottomMargin=22 * mm,
            title=_("Visa invitation letter"),
            author="EMN Conference",
            initialFontName=REGULAR,
        )
        document_template.build(story)
    return out.getvalue()


# --- certificate of attendance --------------------------------------------------------------

CERTIFICATE_MARGIN = 22 * mm
CERTIFICATE_BLUE = colors.HexColor("#1D4F91")
CERTIFICATE_GREY = colors.HexColor("#4A5561")


def _centred(
    canvas: Canvas, text: str, font: str, size: float, y: float, max_lines: int = 3
) -> float:
    """Wrapped text centred on the page from its top line at `y`; returns the y below it."""
    width = A4[0] - 2 * CERTIFICATE_MARGIN
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width)[:max_lines]:
        canvas.drawCentredString(A4[0] / 2, y, _clip(canvas, line, font, size, width))
        y -= size * 1.3
    return y


def _certificate_languages(registration: Registration) -> list[str]:
    """The delegate's language first, then the site's others: one certificate for every
    reader, at home and abroad."""
    from django.conf import settings

    codes = [code for code, _name in settings.LANGUAGES]
    first = registration.language if registration.language in codes else codes[0]
    return [first, *(code for code in codes if code != first)]


def _certificate_text(
    canvas: Canvas, registration: Registration, days: list, y: float, *, main: bool
) -> float:
    """The certificate in the active language, from `y` down; the first one larger."""
    event = registration.event
    scale = 1 if main else 0.8
    canvas.setFillColor(CERTIFICATE_BLUE)
    y = _centred(canvas, _("Certificate of attendance").upper(), BOLD, 20 * scale, y)
    canvas.setFillColor(colors.black)
    y = _centred(canvas, _("This is to certify that"), REGULAR, 11 * scale, y - 4 * mm * scale)
    # Bulgarian readers get the name as registered; the others its Latin spelling.
    name = registration.full_name if translation.get_language() == "bg" else None
    name = name or registration.full_name_latin
    y = _centred(canvas, name, BOLD, 18 * scale, y - 3 * mm * scale, max_lines=2)
    if registration.organisation and not registration.is_anonymised:
        y = _centred(canvas, registration.organisation, REGULAR, 10.5 * scale, y, max_lines=2)
    y = _centred(canvas, _("attended the conference"), REGULAR, 11 * scale, y - 3 * mm * scale)
    y = _centred(canvas, str(event.title), BOLD, 13 * scale, y - 1 * mm * scale)
    held = date_range(event.start_date, event.end_date)
    venue = _venue(event)
    y = _centred(canvas, f"{held}, {venue}" if venue else held, REGULAR, 10.5 * scale, y)
    attended = ", ".join(date_format(day, "j E Y") for day in days)
    return _centred(
        canvas,
        _("Days attended: %(days)s") % {"days": attended},
        BOLD,
        11 * scale,
        y - 3 * mm * scale,
    )


def _organisers(event) -> str:
    return ", ".join(str(organisation.name) for organisation in event.organisers.all())


def _certificate_page(
    canvas: Canvas, registration: Registration, document: IssuedDocument, days: list
) -> None:
    w, h = A4
    languages = _certificate_languages(registration)
    canvas.setStrokeColor(CERTIFICATE_BLUE)
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, w - 24 * mm, h - 24 * mm)
    y = h - CERTIFICATE_MARGIN - 8 * mm
    organisers = _organisers(registration.event)
    for index, language in enumerate(languages):
        with translation.override(language):
            if organisers:
                canvas.setFillColor(CERTIFICATE_GREY)
                y = _centred(canvas, organisers, REGULAR, 9.5, y, max_lines=2) - 6 * mm
            y = _certificate_text(canvas, registration, days, y, main=index == 0)
            organisers = ""  # said once, at the top
        if index < len(languages) - 1:
            y -= 6 * mm
            canvas.setStrokeColor(colors.HexColor("#C8CED6"))
            canvas.setLineWidth(0.5)
            canvas.line(CERTIFICATE_MARGIN + 30 * mm, y, w - CERTIFICATE_MARGIN - 30 * mm, y)
            y -= 12 * mm
    # The verification code, in the delegate's language, at the foot of the page.
    with translation.override(languages[0]):
        url = verification_url(document, languages[0])
        size = 26 * mm
        x, bottom = CERTIFICATE_MARGIN, CERTIFICATE_MARGIN
        _qr(canvas, url, x, bottom, size)
        tz = zoneinfo.ZoneInfo(registration.event.time_zone)
        issued = date_format(timezone.localtime(document.issued_at, tz).date(), "j E Y")
        width = w - 2 * CERTIFICATE_MARGIN - size - 5 * mm
        canvas.setFillColor(CERTIFICATE_GREY)
        text_x = x + size + 5 * mm
        line_y = bottom + size - 8
        for line in (
            _("Issued on %(date)s.") % {"date": issued},
            _("To check that this certificate is genuine, open:"),
        ):
            canvas.setFont(REGULAR, 8.5)
            canvas.drawString(text_x, line_y, _clip(canvas, line, REGULAR, 8.5, width))
            line_y -= 12
        url_size = 9.5
        while url_size > 6 and canvas.stringWidth(url, BOLD, url_size) > width:
            url_size -= 0.5
        canvas.setFillColor(colors.black)
        canvas.setFont(BOLD, url_size)
        canvas.drawString(text_x, line_y, url)
    canvas.showPage()


def certificates_pdf(
    certificates: Iterable[tuple[Registration, IssuedDocument, list]], out: BinaryIO
) -> int:
    """One A4 page per (registration, its certificate, the days attended), written to `out`
    page by page (`PageStreamingCanvas`); returns how many pages."""
    from .pdfstream import PageStreamingCanvas

    canvas = _canvas(out, A4, _("Certificate of attendance"), kind=PageStreamingCanvas)
    count = 0
    for registration, document, days in certificates:
        _certificate_page(canvas, registration, document, days)
        count += 1
    canvas.save()
    return count


def certificate_pdf(registration: Registration, document: IssuedDocument, days: list) -> bytes:
    out = BytesIO()
    with translation.override(registration.language):
        certificates_pdf([(registration, document, days)], out)
    return out.getvalue()
