"""Badges in three sizes, laid out in frames so that no text ever runs into another.

Each badge is divided into frames (the role band, the name and its details, the event's
title, the logo, the QR code and the reference under it) that do not overlap. Every text is
measured with the font's own widths (`stringWidth`) and fitted in its frame: a name wraps
onto a second line before its font shrinks, and shrinks no further than a size still
readable at arm's length; what is still too long ends with an ellipsis. If the details do
not all fit, the least needed give way first (the position, then the honorific).

Pages go to the file as they are done (`PageStreamingCanvas`) and each QR code is one path
(`documents._qr`), so a run of any size uses the same memory.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from io import BytesIO
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from events.models import Event, Organisation

from .documents import (
    BOLD,
    REGULAR,
    ROLE_COLOURS,
    _canvas,
    _printable,
    _qr,
    _role_label,
    badge_code,
)
from .models import BadgeLayout, Registration
from .pdfstream import PageStreamingCanvas

logger = logging.getLogger(__name__)

# DejaVu Sans reaches this far above and below the baseline (its hhea ascender and descender,
# in ems): the top of an accented capital (Й, Á) and the bottom of a descender. Lines are set
# this far apart, so that no two lines' glyphs can touch.
ASCENT, DESCENT = 0.93, 0.24
LEADING = 1.2  # baseline to baseline, in ems; at least ASCENT + DESCENT
GREY = colors.HexColor("#4A5561")
CUTTING_GUIDE = colors.HexColor("#C8CED6")
LOGO_DPI = 300  # the logo is scaled down to this once per run, not once per badge


@dataclass(frozen=True)
class Frame:
    """A rectangle of the badge, from its lower left corner, in points."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Style:
    """How a text is set: the largest size, the smallest still readable, how many lines."""

    font: str
    size: float
    minimum: float
    lines: int = 1
    colour: colors.Color = colors.black
    space_before: float = 0  # in ems of its size


@dataclass(frozen=True)
class Frames:
    band: Frame
    text: Frame
    event: Frame
    qr: Frame
    reference: Frame
    logo: Frame | None


@dataclass(frozen=True)
class Layout:
    """One badge size: its page, where the badges sit on it, the frames and type sizes."""

    key: str
    page: tuple[float, float]
    width: float
    height: float
    slots: tuple[tuple[float, float], ...]  # lower left corners of the badges on a page
    pad: float
    band: float
    qr: float
    role: Style
    honorific: Style
    name: Style
    latin: Style
    position: Style
    organisation: Style
    group: Style
    event: Style
    reference: Style
    portrait: bool = False
    logo_height: float = 0
    cutting_guides: bool = False

    @property
    def centred(self) -> bool:
        """Portrait badges are set centred, landscape ones from the left."""
        return self.portrait

    def frames(self, *, logo: bool) -> Frames:
        return (self._portrait if self.portrait else self._landscape)(logo=logo)

    def _landscape(self, *, logo: bool) -> Frames:
        """Text on the left; on the right the logo above, the QR code and reference below."""
        w, h, pad, gap = self.width, self.height, self.pad, self.pad / 2
        band = Frame(0, h - self.band, w, self.band)
        reference_height = _line_height(self.reference, 1)
        column = self.qr
        column_x = w - pad - column
        qr = Frame(column_x, pad + reference_height, self.qr, self.qr)
        reference = Frame(column_x, pad, column, reference_height)
        inner_top = band.y - gap
        logo_frame = None
        if logo:
            logo_frame = Frame(column_x, qr.top + gap, column, inner_top - qr.top - gap)
        text_width = column_x - gap - pad
        event = Frame(pad, pad, text_width, _line_height(self.event, self.event.lines))
        text = Frame(pad, event.top + gap, text_width, inner_top - event.top - gap)
        return Frames(band, text, event, qr, reference, logo_frame)

    def _portrait(self, *, logo: bool) -> Frames:
        """From the top: the role band, the logo beside the event's title, the name and its
        details, the QR code and reference at the foot."""
        w, h, pad, gap = self.width, self.height, self.pad, self.pad / 2
        band = Frame(0, h - self.band, w, self.band)
        reference_height = _line_height(self.reference, 1)
        reference = Frame(pad, pad, w - 2 * pad, reference_height)
        qr = Frame((w - self.qr) / 2, reference.top, self.qr, self.qr)
        header_height = max(self.logo_height, _line_height(self.event, self.event.lines))
        header_y = band.y - gap - header_height
        logo_frame = None
        event = Frame(pad, header_y, w - 2 * pad, header_height)
        if logo:
            logo_width = (w - 2 * pad) * 0.35
            logo_frame = Frame(pad, header_y, logo_width, header_height)
            event = Frame(
                pad + logo_width + gap, header_y, w - 2 * pad - logo_width - gap, header_height
            )
        text = Frame(pad, qr.top + gap, w - 2 * pad, header_y - gap - qr.top - gap)
        return Frames(band, text, event, qr, reference, logo_frame)


def _line_height(style: Style, lines: int, size: float | None = None) -> float:
    """The height `lines` lines of `style` take, from the top of the first to the bottom of
    the last."""
    size = size or style.size
    return (ASCENT + DESCENT) * size + (lines - 1) * LEADING * size


_A4_WIDTH, _A4_HEIGHT = 105 * mm, 74 * mm
_CARD_WIDTH, _CARD_HEIGHT = 85.6 * mm, 54 * mm

LAYOUTS: dict[str, Layout] = {
    BadgeLayout.A4: Layout(
        key=BadgeLayout.A4,
        page=A4,
        width=_A4_WIDTH,
        height=_A4_HEIGHT,
        # Two columns of four, from the top of the sheet (a hair below its edge).
        slots=tuple(
            (column * _A4_WIDTH, A4[1] - (row + 1) * _A4_HEIGHT - 0.5 * mm)
            for row in range(4)
            for column in range(2)
        ),
        pad=5 * mm,
        band=10 * mm,
        qr=22 * mm,
        role=Style(BOLD, 11, 7),
        honorific=Style(REGULAR, 8, 7),
        name=Style(BOLD, 17, 10, lines=2, space_before=0.2),
        latin=Style(REGULAR, 10, 7.5),
        position=Style(REGULAR, 8, 7, lines=2, space_before=0.4),
        organisation=Style(BOLD, 8.5, 7, lines=2, space_before=0.3),
        group=Style(REGULAR, 8.5, 7, space_before=0.2),
        event=Style(REGULAR, 6.5, 6, lines=2, colour=GREY),
        reference=Style(REGULAR, 7, 6),
        cutting_guides=True,
    ),
    BadgeLayout.A6: Layout(
        key=BadgeLayout.A6,
        page=A6,
        width=A6[0],
        height=A6[1],
        slots=((0, 0),),
        pad=8 * mm,
        band=15 * mm,
        qr=30 * mm,
        role=Style(BOLD, 15, 9),
        honorific=Style(REGULAR, 11, 8),
        name=Style(BOLD, 24, 13, lines=2, space_before=0.2),
        latin=Style(REGULAR, 13, 9),
        position=Style(REGULAR, 10, 8.5, lines=2, space_before=0.5),
        organisation=Style(BOLD, 11, 9, lines=2, space_before=0.4),
        group=Style(REGULAR, 11, 9, lines=2, space_before=0.3),
        event=Style(REGULAR, 8.5, 7, lines=3, colour=GREY),
        reference=Style(REGULAR, 8.5, 7),
        portrait=True,
        logo_height=16 * mm,
    ),
    BadgeLayout.CARD: Layout(
        key=BadgeLayout.CARD,
        page=(_CARD_WIDTH, _CARD_HEIGHT),
        width=_CARD_WIDTH,
        height=_CARD_HEIGHT,
        slots=((0, 0),),
        pad=3.5 * mm,
        band=7.5 * mm,
        qr=18 * mm,
        role=Style(BOLD, 9, 6.5),
        honorific=Style(REGULAR, 6.5, 6),
        name=Style(BOLD, 13, 8.5, lines=2, space_before=0.15),
        latin=Style(REGULAR, 8, 6.5),
        position=Style(REGULAR, 6.5, 6, space_before=0.3),
        organisation=Style(BOLD, 7, 6, lines=2, space_before=0.25),
        group=Style(REGULAR, 7, 6, space_before=0.15),
        event=Style(REGULAR, 5.5, 5, lines=2, colour=GREY),
        reference=Style(REGULAR, 6, 5),
    ),
}


def layout_for(value: str) -> Layout:
    """The layout named `value` (a `BadgeLayout`), or a ValidationError that lists them."""
    if value not in LAYOUTS:
        raise ValidationError(
            _("There is no badge layout “%(value)s”. Choose one of: %(choices)s."),
            code="invalid_choice",
            params={
                "value": "".join(c for c in str(value)[:20] if c.isprintable()),
                "choices": ", ".join(BadgeLayout.values),
            },
        )
    return LAYOUTS[value]


# --- fitting text --------------------------------------------------------------------------

_BREAKS = re.compile(r"(?<=-)(?=\w)")  # after a hyphen inside a word: Maria-|Magdalena


def _pieces(text: str) -> list[tuple[str, str]]:
    """The text's breakable pieces, each with what joins it to the one before (a space, or
    nothing after a hyphen)."""
    pieces = []
    for word in text.split():
        for n, piece in enumerate(_BREAKS.split(word)):
            pieces.append(("" if n else " ", piece))
    return pieces


def _joined(pieces: list[tuple[str, str]]) -> str:
    return "".join(joiner + piece for joiner, piece in pieces).lstrip()


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def _wrap(text: str, font: str, size: float, width: float) -> list[list[tuple[str, str]]]:
    """Greedy line breaking at spaces and after hyphens. A piece wider than `width` gets a
    line of its own (the caller shrinks or shortens it)."""
    lines: list[list[tuple[str, str]]] = []
    for joiner, piece in _pieces(text):
        if lines and _width(_joined([*lines[-1], (joiner, piece)]), font, size) <= width:
            lines[-1].append((joiner, piece))
        else:
            lines.append([(joiner, piece)])
    return lines


def clip(text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened at the end with an ellipsis if it is wider than `width`."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text.rstrip(" -,") + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip(" -,") + "…"


def fit(text: str, style: Style, width: float) -> tuple[float, list[str]]:
    """The largest size at which `text` fits in `width` on at most `style.lines` lines, and
    those lines: it wraps first and shrinks only when wrapping is not enough. Below the
    style's minimum it does not shrink: the last line ends with an ellipsis instead."""
    size = style.size
    while True:
        lines = _wrap(text, style.font, size, width)
        fits = len(lines) <= style.lines and all(
            _width(_joined(line), style.font, size) <= width for line in lines
        )
        if fits:
            return size, [_joined(line) for line in lines]
        if size - 0.5 < style.minimum:
            break
        size -= 0.5
    size = style.minimum
    if len(lines) > style.lines:  # the last line takes the rest, to be cut
        lines = [*lines[: style.lines - 1], [p for line in lines[style.lines - 1 :] for p in line]]
    return size, [clip(_joined(line), style.font, size, width) for line in lines]


@dataclass
class _Block:
    """A text of the text frame, fitted in it."""

    part: str  # which of the badge's texts: "name", "position"…
    style: Style
    text: str
    size: float = 0
    lines: list[str] = field(default_factory=list)

    def fit(self, width: float, scale: float = 1.0) -> "_Block":
        style = replace(self.style, size=max(self.style.minimum, self.style.size * scale))
        self.size, self.lines = fit(self.text, style, width)
        return self

    @property
    def space(self) -> float:
        return self.style.space_before * self.size

    @property
    def height(self) -> float:
        return self.space + _line_height(self.style, len(self.lines), self.size)


# When the details do not fit even at their smallest, these give way, in this order.
DISPENSABLE = ("position", "honorific")


def _stack(blocks: list[_Block], frame: Frame) -> list[_Block]:
    """The blocks, fitted so that together they fit the frame's height: all of them smaller
    first (down to their minimums), then without the least needed ones."""
    blocks = [block for block in blocks if block.text.strip()]
    for scale in (1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7):
        fitted = [block.fit(frame.width, scale) for block in blocks]
        if _total(fitted) <= frame.height:
            return fitted
    for part in DISPENSABLE:
        fitted = [block for block in fitted if block.part != part]
        if _total(fitted) <= frame.height:
            return fitted
    kept: list[_Block] = []
    for block in fitted:  # never drawn beyond the frame, whatever the type sizes
        if _total([*kept, block]) > frame.height:
            break
        kept.append(block)
    return kept


def _total(blocks: list[_Block]) -> float:
    """Their height, set one under the other (no space above the first)."""
    return sum(block.height for block in blocks) - (blocks[0].space if blocks else 0)


# --- drawing -------------------------------------------------------------------------------


def _draw(
    lines: list[str],
    style: Style,
    size: float,
    frame: Frame,
    top: float,
    *,
    canvas: Canvas,
    centred: bool,
) -> float:
    """Draws `lines` from `top` (the top of the first line's glyphs) down; returns the bottom
    of the last."""
    canvas.setFont(style.font, size)
    canvas.setFillColor(style.colour)
    baseline = top - ASCENT * size
    for line in lines:
        if centred:
            canvas.drawCentredString(frame.x + frame.width / 2, baseline, line)
        else:
            canvas.drawString(frame.x, baseline, line)
        baseline -= LEADING * size
    return top - _line_height(style, len(lines), size)


class _Run:
    """What every badge of a run shares, worked out once: the role labels and the logos."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.roles = {role: _role_label(role) for role in Registration.Role}
        self._logos: dict[int, ImageReader | None] = {}

    def logo(self, event: Event) -> ImageReader | None:
        if event.pk not in self._logos:
            self._logos[event.pk] = _logo(event, self.layout.frames(logo=True).logo)
        return self._logos[event.pk]


def _logo(event: Event, frame: Frame) -> ImageReader | None:
    """The logo of the event's first organiser (by name) that has one, scaled down to the
    frame at print resolution: drawn on every badge, it is read and scaled only once."""
    organisation = Organisation.objects.filter(organised_events=event).exclude(logo="").first()
    if organisation is None:
        return None
    try:
        with organisation.logo.open("rb") as file:
            image = Image.open(BytesIO(file.read()))
            image.load()
        transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
        image.thumbnail(
            (round(frame.width / 72 * LOGO_DPI), round(frame.height / 72 * LOGO_DPI)),
            Image.Resampling.LANCZOS,
        )
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        # Badges without the logo rather than no badges at the door.
        logger.warning("The logo of organisation %s cannot be read: %s", organisation.pk, error)
        return None
    return ImageReader(image)


def _draw_logo(canvas: Canvas, logo: ImageReader, frame: Frame, *, portrait: bool) -> None:
    pixels_wide, pixels_high = logo.getSize()
    scale = min(frame.width / pixels_wide, frame.height / pixels_high)
    width, height = pixels_wide * scale, pixels_high * scale
    if portrait:  # at the left of the header, level with the event's title
        x, y = frame.x, frame.y + (frame.height - height) / 2
    else:  # in the top right corner
        x, y = frame.x + frame.width - width, frame.top - height
    canvas.drawImage(logo, x, y, width, height, mask="auto")


def _badge(canvas: Canvas, registration: Registration, layout: Layout, run: _Run) -> None:
    """One badge, its lower left corner at the canvas's origin."""
    logo = run.logo(registration.event)
    frames = layout.frames(logo=logo is not None)
    if layout.cutting_guides:
        canvas.setStrokeColor(CUTTING_GUIDE)
        canvas.setLineWidth(0.5)
        canvas.rect(0, 0, layout.width, layout.height)

    # The role, from afar by its colour and close up in words.
    band = frames.band
    canvas.setFillColor(ROLE_COLOURS[registration.role])
    canvas.rect(band.x, band.y, band.width, band.height, stroke=0, fill=1)
    role_style = replace(layout.role, colour=colors.white)
    size, lines = fit(run.roles[registration.role], role_style, band.width - 2 * layout.pad)
    # Capitals centred in the band: they reach 0.73 em above the baseline.
    baseline = band.y + (band.height - 0.73 * size) / 2
    _draw(lines, role_style, size, band, baseline + ASCENT * size, canvas=canvas, centred=True)

    # A script the font cannot draw (Chinese, say) would print as empty boxes: the Latin
    # spelling, which such names must have, stands in for it.
    name = registration.full_name
    if not _printable(name):
        name = registration.full_name_latin
    latin = registration.full_name_latin
    group = registration.delegation.name if registration.delegation else registration.country.name
    blocks = [
        _Block("honorific", layout.honorific, registration.honorific),
        _Block("name", layout.name, name),
        _Block("latin", layout.latin, latin if latin != name else ""),
        _Block("position", layout.position, registration.position),
        _Block("organisation", layout.organisation, registration.organisation),
        _Block("group", layout.group, str(group or "")),
    ]
    text = frames.text
    fitted = _stack(blocks, text)
    top = text.top
    if layout.centred:  # the details in the middle of the space they have
        top -= (text.height - _total(fitted)) / 2
    for n, block in enumerate(fitted):
        if n:
            top -= block.space
        top = _draw(
            block.lines, block.style, block.size, text, top, canvas=canvas, centred=layout.centred
        )

    # The event's title in a frame of its own, level with the bottom of the QR column.
    event = frames.event
    size, lines = fit(str(registration.event.title), layout.event, event.width)
    height = _line_height(layout.event, len(lines), size)
    top = event.y + height if not layout.portrait else event.top - (event.height - height) / 2
    _draw(
        lines,
        layout.event,
        size,
        event,
        top,
        canvas=canvas,
        centred=layout.centred and logo is None,
    )

    if logo is not None:
        _draw_logo(canvas, logo, frames.logo, portrait=layout.portrait)

    qr = frames.qr
    _qr(canvas, badge_code(registration), qr.x, qr.y, qr.width)
    reference = frames.reference
    size, lines = fit(registration.reference, layout.reference, reference.width)
    _draw(lines, layout.reference, size, reference, reference.top, canvas=canvas, centred=True)


def badges_pdf(
    registrations: Iterable[Registration], out: BinaryIO, *, layout: str = BadgeLayout.A4
) -> int:
    """Writes badges for `registrations` to `out` in `layout` (a `BadgeLayout`: eight per A4
    page, one per A6 page, or ID-1 cards); returns how many.

    Each page goes to `out` as soon as it is full (`PageStreamingCanvas`), so memory does
    not grow with the number of badges: give it an iterator (`QuerySet.iterator()`)."""
    chosen = layout_for(layout)
    canvas = _canvas(out, chosen.page, _("Badges"), kind=PageStreamingCanvas)
    run = _Run(chosen)
    count = 0
    for count, registration in enumerate(registrations, start=1):
        slot = (count - 1) % len(chosen.slots)
        if slot == 0 and count > 1:
            canvas.showPage()
        canvas.saveState()
        canvas.translate(*chosen.slots[slot])
        _badge(canvas, registration, chosen, run)
        canvas.restoreState()
    if count == 0:
        canvas.setFont(REGULAR, 10)
        canvas.drawString(5 * mm, chosen.page[1] - 12 * mm, _("No badges to print."))
    canvas.save()
    return count
