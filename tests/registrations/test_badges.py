"""Badges of awkward names in every size: measured from the PDF, no text runs into another.

The text boxes are read back with PDFium (each character's box, as wide as its advance and
as tall as the font's ascent and descent, joined with the glyph's own ink for accents),
the QR codes' positions with zxing-cpp, the logo's from the page's image objects. A PNG of
each layout is saved under the test's temporary directory and `build/badges/` for people to
look at.
"""

import io
import itertools
import tempfile
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageDraw
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from registrations import badges, services
from registrations.models import BadgeLayout, ExportJob, ExportRecord, Registration
from tests.factories import DelegationFactory, OpenEventFactory, OrganisationFactory, UserFactory
from tests.factories import RegistrationFactory as Factory
from tests.registrations.test_documents import _holders

pytestmark = pytest.mark.django_db

BUILD = Path(__file__).resolve().parents[2] / "build" / "badges"
LONG_TITLE_BG = (
    "Пътища на миграцията: XIV годишна конференция на Европейската мигрантска мрежа "
    "за интеграцията, връщането и международната закрила в Югоизточна Европа"
)
LONG_TITLE_EN = (
    "Crossroads of Migration: the 14th Annual Conference of the European Migration "
    "Network on integration, return and international protection in South-East Europe"
)


def awkward(event) -> list[Registration]:
    """Names that have broken badges: very long, hyphenated, in two scripts, a single word,
    a script the font lacks, and organisations and delegations far too long for one line."""
    delegation = DelegationFactory(
        event=event,
        name_en="Permanent Representation of the Republic of Bulgaria to the European Union",
        name_bg="Постоянно представителство на Република България към Европейския съюз",
    )
    return [
        Factory(
            event=event,
            reference="EMN30-LONG1",
            honorific="Dr.",
            given_name="Maria-Magdalena Alexandra Konstantina",
            family_name="Papadopoulou-Vasilopoulou",
            position="Deputy Head of Unit for Asylum, Migration and Integration Fund programmes",
            organisation="International Organization for Migration, Regional Office for the "
            "European Economic Area, the European Union and NATO",
            role=Registration.Role.SPEAKER,
        ),
        Factory(
            event=event,
            reference="EMN30-CYRIL",
            honorific="Н.Пр.",
            given_name="Александра-Мария",
            family_name="Христова-Константинова",
            given_name_latin="Aleksandra-Maria",
            family_name_latin="Hristova-Konstantinova",
            position="Извънреден и пълномощен посланик",
            organisation="Министерство на вътрешните работи, Главна дирекция „Гранична полиция“",
            delegation=delegation,
            country="BG",
            role=Registration.Role.DELEGATE,
        ),
        Factory(
            event=event,
            reference="EMN30-ONEWD",
            given_name="Sukarnoputri",
            family_name="",
            organisation="UNHCR",
            country="ID",
            role=Registration.Role.PRESS,
        ),
        Factory(
            event=event,
            reference="EMN30-WORDY",
            honorific="Prof. Dr. h.c. mult.",
            given_name="Hubert",
            family_name="Wolfeschlegelsteinhausenbergerdorff-Hohenzollern-Sigmaringen",
            position="",
            organisation="Bundesamt für Migration und Flüchtlinge",
            country="DE",
            role=Registration.Role.ORGANISER,
        ),
        Factory(
            event=event,
            reference="EMN30-JEANB",
            given_name="Jean-Baptiste",
            family_name="Saint-Exupéry-Lefèvre",
            organisation="Office français de l'immigration et de l'intégration",
            country="FR",
        ),
        Factory(
            event=event,
            reference="EMN30-BRUCE",
            given_name="小龍",
            family_name="李",
            given_name_latin="Bruce",
            family_name_latin="Lee",
            organisation="HK",
            country="HK",
        ),
        Factory(event=event, reference="EMN30-ANALI", given_name="Ana", family_name="Li"),
        Factory(
            event=event,
            reference="EMN30-YOANA",
            honorific="Г-жа",
            given_name="Йоана",
            family_name="Щърбанова-Йорданова",
            given_name_latin="Yoana",
            family_name_latin="Shtarbanova-Yordanova",
            position="Главен експерт",
            organisation="Държавна агенция за бежанците при Министерския съвет",
            country="BG",
            role=Registration.Role.SPEAKER,
        ),
    ]


def wide_logo() -> bytes:
    """A logo wider than high, with a transparent background, as organisations upload them."""
    image = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), fill=(29, 79, 145, 255))
    draw.rectangle((330, 100, 880, 200), fill=(164, 0, 28, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def event(db):
    event = OpenEventFactory(title_en=LONG_TITLE_EN, title_bg=LONG_TITLE_BG)
    organiser = OrganisationFactory(name_en="A Ministry", name_bg="А Министерство")
    organiser.logo.save("logo.png", ContentFile(wide_logo()))
    event.organisers.add(organiser, OrganisationFactory(name_en="Z without a logo"))
    return event


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float
    what: str

    def overlaps(self, other: "Box") -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.bottom < other.top
            and other.bottom < self.top
        )

    def inside(self, other: "Box") -> bool:
        return (
            self.left >= other.left
            and self.right <= other.right
            and self.bottom >= other.bottom
            and self.top <= other.top
        )


def text_boxes(page) -> list[Box]:
    """Each line of text drawn on the page: its characters' boxes joined, from where the
    line starts to where the next character no longer follows on the same baseline."""
    textpage = page.get_textpage()
    runs: list[list] = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if char in "\r\n\x02":
            runs.append([])
            continue
        loose = textpage.get_charbox(index, loose=True)
        ink = textpage.get_charbox(index)
        box = (
            loose[0],
            min(loose[1], ink[1]) if char.strip() else loose[1],
            loose[2],
            max(loose[3], ink[3]) if char.strip() else loose[3],
            char,
        )
        if runs and runs[-1]:
            last = runs[-1][-1]
            follows = abs(box[0] - last[2]) < 0.5 and abs(loose[1] - last[5]) < 0.5
            if not follows:
                runs.append([])
        if not runs:
            runs.append([])
        runs[-1].append((*box, loose[1]))
    textpage.close()
    return [
        Box(
            min(c[0] for c in run),
            min(c[1] for c in run),
            max(c[2] for c in run),
            max(c[3] for c in run),
            "".join(c[4] for c in run),
        )
        for run in runs
        if run
    ]


def image_boxes(page) -> list[Box]:
    return [
        Box(*item.get_bounds(), what="logo")
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
    ]


def qr_boxes(page, scale: float = 4) -> list[Box]:
    image = page.render(scale=scale).to_pil()
    height = page.get_height()
    boxes = []
    for found in zxingcpp.read_barcodes(image):
        corners = [found.position.top_left, found.position.top_right]
        corners += [found.position.bottom_left, found.position.bottom_right]
        xs = [corner.x / scale for corner in corners]
        ys = [height - corner.y / scale for corner in corners]
        boxes.append(Box(min(xs), min(ys), max(xs), max(ys), f"QR {found.text}"))
    return boxes


def render(layout: str, registrations, language: str = "bg") -> bytes:
    out = io.BytesIO()
    with translation.override(language):
        assert badges.badges_pdf(registrations, out, layout=layout) == len(registrations)
    return out.getvalue()


def slots(layout: str, page) -> list[Box]:
    chosen = badges.LAYOUTS[layout]
    return [Box(x, y, x + chosen.width, y + chosen.height, "badge") for x, y in chosen.slots]


def save_png(pdf: bytes, name: str, directories: list[Path], dpi: int = 200) -> None:
    """Every page, at `dpi`, side by side (four to a row) on one image, as people will see
    them printed."""
    pages = [page.render(scale=dpi / 72).to_pil() for page in pypdfium2.PdfDocument(pdf)]
    columns = min(4, len(pages))
    width, height = pages[0].size
    gap = dpi // 10
    sheet = Image.new(
        "RGB",
        (columns * (width + gap) + gap, -(-len(pages) // columns) * (height + gap) + gap),
        "#8A939C",
    )
    for n, page in enumerate(pages):
        sheet.paste(
            page, (gap + (n % columns) * (width + gap), gap + (n // columns) * (height + gap))
        )
    for directory in directories:
        directory.mkdir(parents=True, exist_ok=True)
        sheet.save(directory / f"{name}.png")


@pytest.mark.parametrize("layout", BadgeLayout.values)
def test_awkward_names_never_overlap_and_stay_on_their_badge(event, layout, tmp_path):
    registrations = awkward(event)
    pdf = render(layout, registrations)
    save_png(pdf, f"badges-{layout}", [tmp_path, BUILD])
    document = pypdfium2.PdfDocument(pdf)
    per_page = len(badges.LAYOUTS[layout].slots)
    assert len(document) == -(-len(registrations) // per_page)
    drawn, codes = 0, []
    for page in document:
        # The text, the QR codes and the logos, each on the badge it belongs to.
        things = text_boxes(page) + qr_boxes(page) + image_boxes(page)
        for badge in slots(layout, page):
            on_it = [
                thing
                for thing in things
                if badge.left <= (thing.left + thing.right) / 2 <= badge.right
                and badge.bottom <= (thing.bottom + thing.top) / 2 <= badge.top
            ]
            if not on_it:
                continue
            drawn += 1
            for thing in on_it:
                assert thing.inside(badge), (layout, thing)
            for one, other in itertools.combinations(on_it, 2):
                assert not one.overlaps(other), (layout, one, other)
            [code] = [thing.what for thing in on_it if thing.what.startswith("QR ")]
            codes.append(code.removeprefix("QR "))
            assert sum(thing.what == "logo" for thing in on_it) == 1
    assert drawn == len(registrations)
    assert sorted(codes) == sorted(badges.badge_code(r) for r in registrations)


@pytest.mark.parametrize("layout", BadgeLayout.values)
def test_every_badge_says_everything_or_ends_with_an_ellipsis(event, layout):
    registrations = awkward(event)
    pdf = render(layout, registrations)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    # Names wrap rather than shrink out of sight: these are whole, on one or two lines.
    for whole in ["Ana Li", "Sukarnoputri", "Jean-Baptiste", "Bruce Lee", "ДЕЛЕГАТ / DELEGATE"]:
        assert whole in text, (layout, whole)
    # The Latin spelling under the Cyrillic name, and no Chinese the font cannot print.
    assert "Aleksandra-" in text
    assert "李" not in text
    # What does not fit ends with an ellipsis, never cut off in silence.
    assert "…" in text
    assert "Пътища на миграцията" in text


# --- fitting -------------------------------------------------------------------------------

NAME = badges.Style(badges.BOLD, 17, 10, lines=2)


def test_a_name_wraps_onto_a_second_line_before_its_font_shrinks():
    assert badges.fit("Konstantina Papadopoulou", NAME, 60 * mm) == (
        17,
        ["Konstantina", "Papadopoulou"],
    )


def test_a_name_breaks_after_a_hyphen_and_shrinks_only_as_much_as_two_lines_need():
    assert badges.fit("Aleksandra-Maria Hristova-Konstantinova", NAME, 60 * mm) == (
        12.5,
        ["Aleksandra-Maria", "Hristova-Konstantinova"],
    )


def test_a_name_too_long_at_the_readable_minimum_ends_with_an_ellipsis():
    width = 60 * mm
    assert badges.fit("Hubert Wolfeschlegelsteinhausenbergerdorff", NAME, width) == (
        10,
        ["Hubert", "Wolfeschlegelsteinhausenb…"],
    )
    assert badges.fit("Wolfeschlegelsteinhausenbergerdorffwolfeschlegel", NAME, width) == (
        10,
        ["Wolfeschlegelsteinhausenb…"],
    )
    size, lines = badges.fit(
        "Maria-Magdalena Alexandra Konstantina Papadopoulou-Vasilopoulou", NAME, width
    )
    assert (size, lines) == (10, ["Maria-Magdalena Alexandra", "Konstantina Papadopoulou…"])
    assert all(stringWidth(line, badges.BOLD, 10) <= width for line in lines)


def test_a_short_name_keeps_the_largest_size_on_one_line():
    assert badges.fit("Ana Li", NAME, 60 * mm) == (17, ["Ana Li"])


# --- wherever badges are printed, the layout can be chosen -----------------------------------


def _sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in millimetres."""
    return [
        (
            round(float(page.mediabox.width) / 72 * 25.4, 1),
            round(float(page.mediabox.height) / 72 * 25.4, 1),
        )
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ]


SIZES = {"a4": (210.0, 297.0), "a6": (105.0, 148.0), "card": (85.6, 54.0)}


@pytest.mark.parametrize("layout", BadgeLayout.values)
def test_each_layout_has_its_page_size(event, layout):
    registrations = [Factory(event=event), Factory(event=event)]
    per_page = len(badges.LAYOUTS[layout].slots)
    assert _sizes(render(layout, registrations)) == [SIZES[layout]] * (-(-2 // per_page))


def _badge_url(registration, layout=None, language="bg") -> str:
    with translation.override(language):
        url = reverse("registrations:badge", kwargs={"reference": registration.reference})
    return f"{url}?layout={layout}" if layout is not None else url


@pytest.mark.parametrize(("layout", "size"), [(None, SIZES["a6"]), *SIZES.items()])
def test_a_delegate_downloads_their_badge_in_the_layout_they_choose(client, event, layout, size):
    delegate = Factory(event=event)
    client.force_login(delegate.user)
    response = client.get(_badge_url(delegate, layout))
    assert response.status_code == 200
    assert _sizes(response.content) == [size]


def test_the_registration_page_offers_the_three_layouts(client, event):
    delegate = Factory(event=event)
    client.force_login(delegate.user)
    with translation.override("bg"):
        page = client.get(delegate.get_absolute_url()).content.decode()
    url = _badge_url(delegate)
    for layout, label in [
        ("a6", "Бадж, формат A6 (PDF)"),
        ("a4", "Бадж върху лист A4, за изрязване (PDF)"),
        ("card", "Бадж с размер на карта, за принтери за карти (PDF)"),
    ]:
        assert f'<a href="{url}?layout={layout}" download>{label}</a>' in page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("bg", "Няма формат на бадж „a5“. Изберете един от: a4, a6, card."),
        ("en", "There is no badge layout “a5”. Choose one of: a4, a6, card."),
    ],
)
def test_an_unknown_layout_is_refused_with_a_message_in_the_page_language(
    client, event, language, message
):
    delegate = Factory(event=event)
    client.force_login(delegate.user)
    response = client.get(_badge_url(delegate, "a5", language), follow=True)
    with translation.override(language):
        assert response.redirect_chain == [(delegate.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [message]


def test_a_layout_with_control_characters_is_refused_without_echoing_them(client, event):
    delegate = Factory(event=event)
    client.force_login(delegate.user)
    response = client.get(_badge_url(delegate, "a\x07<b>", "en"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "There is no badge layout “a<b>”. Choose one of: a4, a6, card."
    ]


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("action", "layout"),
    [("print_badges", "a4"), ("print_badges_single", "a6"), ("print_badges_card", "card")],
)
def test_the_admin_prints_badges_in_each_layout_and_records_which(
    client, manager, event, action, layout
):
    delegate = Factory(event=event)
    with translation.override("en"):
        changelist = reverse("admin:registrations_registration_changelist")
    response = client.post(changelist, {"action": action, "_selected_action": [delegate.pk]})
    assert _sizes(b"".join(response.streaming_content)) == [SIZES[layout]]
    record = ExportRecord.objects.get()
    assert (record.dataset, record.filters, record.user) == ("badges", {"layout": layout}, manager)


def test_the_command_prints_the_confirmed_delegates_cards(event, tmp_path):
    Factory(event=event, given_name="Anna", family_name="Huber")
    Factory(event=event, family_name="Novak", status=Registration.Status.WAITLISTED)
    target = tmp_path / "cards.pdf"
    out = io.StringIO()
    call_command("print_badges", event.slug, "--layout", "card", "-o", str(target), stdout=out)
    assert out.getvalue() == f"1 badges written to {target}\n"
    pdf = target.read_bytes()
    assert _sizes(pdf) == [SIZES["card"]]
    assert "Anna Huber" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    record = ExportRecord.objects.get()
    assert (record.via, record.filters, record.rows) == ("command", {"layout": "card"}, 1)


def test_the_command_refuses_an_unknown_layout_and_writes_nothing(event, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(CommandError, match="argument --layout: invalid choice: 'a5'"):
        call_command("print_badges", event.slug, "--layout", "a5", "-o", str(target / "x"))
    with pytest.raises(CommandError, match="No event with the slug 'nope'"):
        call_command("print_badges", "nope", "-o", str(target / "x"))
    assert list(target.iterdir()) == []
    assert not ExportRecord.objects.exists()


def test_the_service_refuses_an_unknown_layout_before_writing_or_recording(event):
    Factory(event=event)
    out = io.BytesIO()
    with translation.override("bg"), pytest.raises(ValidationError) as refused:
        services.badges_print(
            registrations=Registration.objects.all(), out=out, layout="a5", by=None, via="test"
        )
    assert refused.value.messages == ["Няма формат на бадж „a5“. Изберете един от: a4, a6, card."]
    assert out.getvalue() == b""
    assert not ExportRecord.objects.exists()


def test_a_background_run_in_an_unknown_layout_is_refused_before_it_is_queued(event):
    Factory(event=event)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.export_job_start(
            event=event,
            registrations=Registration.objects.all(),
            kind=ExportJob.Kind.BADGES,
            language="en",
            by=None,
            via="test",
            badge_layout="a5",
        )
    assert refused.value.messages == ["There is no badge layout “a5”. Choose one of: a4, a6, card."]
    assert not ExportJob.objects.exists()


# --- the logo ------------------------------------------------------------------------------


def test_the_logo_is_the_first_organiser_s_that_has_one(event):
    other = OpenEventFactory()
    pdf = render("a6", [Factory(event=other)])
    assert image_boxes(pypdfium2.PdfDocument(pdf)[0]) == []
    # An organiser named earlier but without a logo does not take its place.
    earlier = OrganisationFactory(name_en="0 First, no logo")
    event.organisers.add(earlier)
    page = pypdfium2.PdfDocument(render("a6", [Factory(event=event)]))[0]
    [logo] = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
    # Scaled once to its frame (31.15 mm wide on A6) at 300 dpi, not embedded at 900 × 300.
    assert logo.get_px_size() == (368, 123)


def test_an_unreadable_logo_leaves_it_out_and_the_badges_are_still_printed(event, caplog):
    organiser = event.organisers.exclude(logo="").get()
    organiser.logo.save("broken.png", ContentFile(b"not an image"), save=True)
    pdf = render("card", [Factory(event=event, given_name="Anna", family_name="Huber")])
    page = pypdfium2.PdfDocument(pdf)[0]
    assert image_boxes(page) == []
    assert "Anna Huber" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"The logo of organisation {organiser.pk} cannot be read" in caplog.text


def test_the_logo_is_read_once_per_run_and_stored_once_in_the_file(
    event, django_assert_num_queries
):
    holders = [Factory(event=event) for _n in range(9)]
    with django_assert_num_queries(1):  # the organiser with the logo, once
        pdf = render("a4", holders)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    images = {
        xobject.idnum
        for page in reader.pages
        for xobject in page["/Resources"]["/XObject"].values()
        if xobject.get_object()["/Subtype"] == "/Image"
    }
    assert len(images) == 1


# --- runs of any size ----------------------------------------------------------------------


def _peak_memory(event, layout: str, count: int) -> int:
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            assert badges.badges_pdf(_holders(event, count), out, layout=layout) == count
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.parametrize("layout", [BadgeLayout.A6, BadgeLayout.CARD])
def test_memory_does_not_grow_with_the_run_in_the_single_layouts_with_a_logo(event, layout):
    """(Eight per A4 page: test_documents.py.)"""
    _peak_memory(event, layout, 30)  # fonts loaded, the (bounded) cache of QR codes filled
    few, many = _peak_memory(event, layout, 16), _peak_memory(event, layout, 200)
    # Measured: some 320-420 KB more for 184 more badges, each a page here: the file's index
    # (a few numbers a page, as for A4) and garbage the collector has not reached yet; a
    # badge whose whole run were kept would add 14 KB a page. The logo is scaled and embedded
    # once per run.
    assert many - few < 184 * 3_000
