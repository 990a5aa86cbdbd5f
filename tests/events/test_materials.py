"""Session materials: uploads checked by content, public once published (by default when the
session ends), on the session page, the agenda and the frab feeds, and cached pages renewed
when one becomes public."""

import datetime
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from events import tasks
from events.models import SessionMaterial
from tests.events.test_schedule import read_xml, validate_json
from tests.factories import (
    EventFactory,
    SessionFactory,
    SessionMaterialFactory,
    empty_inline,
    pdf_bytes,
    pptx_bytes,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
HOUR = datetime.timedelta(hours=1)


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def admin_url(view: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


def material_titles(html: str) -> list[str]:
    return re.findall(r'<ul class="materials">\s*<li><a [^>]*>([^<]+)</a>', html)


@pytest.fixture
def ended():
    """A session of an event that took place last year, so it has ended."""
    today = timezone.localdate()
    event = EventFactory(
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=399),
    )
    start = timezone.now() - datetime.timedelta(days=400)
    return SessionFactory(event=event, start=start, end=start + HOUR, title_en="Smart borders")


@pytest.fixture
def upcoming():
    """A session that has not happened yet (the factory's events are in 2030)."""
    return SessionFactory(title_en="Secondary movements")


# When a material is public


def test_a_material_without_a_time_is_public_once_its_session_ends(client, ended, upcoming):
    SessionMaterialFactory(session=ended, title_en="Slides of the panel", published_at=None)
    SessionMaterialFactory(session=upcoming, title_en="Slides ahead", published_at=None)
    page = client.get(url("events:session", slug=ended.event.slug, pk=ended.pk))
    assert material_titles(page.content.decode()) == ["Slides of the panel"]
    page = client.get(url("events:session", slug=upcoming.event.slug, pk=upcoming.pk))
    assert material_titles(page.content.decode()) == []


def test_a_material_with_a_time_is_public_from_that_time_only(client, upcoming):
    SessionMaterialFactory(session=upcoming, title_en="Paper", published_at=NOW - HOUR)
    SessionMaterialFactory(session=upcoming, title_en="Embargoed", published_at=NOW + HOUR)
    page = client.get(url("events:session", slug=upcoming.event.slug, pk=upcoming.pk))
    assert material_titles(page.content.decode()) == ["Paper"]


def test_the_session_page_lists_materials_with_kind_and_language_in_both_languages(
    client, upcoming
):
    SessionMaterialFactory(
        session=upcoming,
        kind="paper",
        title_en="Policy paper",
        title_bg="Доклад за политиките",
        language="bg",
        url="https://example.org/paper",
    )
    html = client.get(
        url("events:session", "en", slug=upcoming.event.slug, pk=upcoming.pk)
    ).content.decode()
    assert '<h2 id="materials-heading">Materials</h2>' in html
    assert (
        '<a href="https://example.org/paper" hreflang="bg">Policy paper</a> '
        '<span class="material__meta">(Paper, Bulgarian)</span>'
    ) in html
    html = client.get(
        url("events:session", "bg", slug=upcoming.event.slug, pk=upcoming.pk)
    ).content.decode()
    assert '<h2 id="materials-heading">Материали</h2>' in html
    assert (
        '<a href="https://example.org/paper" hreflang="bg">Доклад за политиките</a> '
        '<span class="material__meta">(Доклад, български)</span>'
    ) in html


def test_the_agenda_lists_the_published_materials(client, upcoming):
    SessionMaterialFactory(session=upcoming, title_en="Slides")
    SessionMaterialFactory(session=upcoming, title_en="Later", published_at=NOW + HOUR)
    html = client.get(url("events:agenda", slug=upcoming.event.slug)).content.decode()
    assert material_titles(html) == ["Slides"]


def _frab_items(data: dict) -> list[dict]:
    return [
        item
        for day in data["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for item in room
    ]


def test_the_frab_json_has_published_files_as_attachments_and_links_as_links(client, upcoming):
    pdf = SessionMaterialFactory(
        session=upcoming,
        title_en="Slides",
        url="",
        file=SimpleUploadedFile("slides.pdf", pdf_bytes()),
    )
    SessionMaterialFactory(
        session=upcoming, kind="recording", title_en="Recording", url="https://example.org/video"
    )
    SessionMaterialFactory(session=upcoming, title_en="Embargoed", published_at=NOW + HOUR)
    response = client.get(url("events:schedule_json", slug=upcoming.event.slug))
    data = json.loads(response.content)
    validate_json(data)
    [item] = _frab_items(data)
    assert item["attachments"] == [
        {"type": "slides", "url": f"http://testserver/media/{pdf.file.name}", "title": "Slides"}
    ]
    assert item["links"] == [
        {"type": "media", "url": "https://example.org/video", "title": "Recording"}
    ]


def test_the_frab_xml_has_the_same_links_and_attachments(client, upcoming):
    pdf = SessionMaterialFactory(
        session=upcoming,
        title_en="Slides",
        url="",
        file=SimpleUploadedFile("slides.pdf", pdf_bytes()),
    )
    SessionMaterialFactory(
        session=upcoming, kind="paper", title_en="Paper", url="https://example.org/paper"
    )
    root = read_xml(client.get(url("events:schedule_xml", slug=upcoming.event.slug)).content)
    [event] = root.iter("event")
    assert [(a.text, a.get("href"), a.get("type")) for a in event.iter("attachment")] == [
        ("Slides", f"http://testserver/media/{pdf.file.name}", "slides")
    ]
    assert [(a.text, a.get("href"), a.get("type")) for a in event.iter("link")] == [
        ("Paper", "https://example.org/paper", "paper")
    ]


# Cached pages and feeds


def test_a_material_becoming_public_renews_the_cached_agenda_and_feeds(
    client, upcoming, django_capture_on_commit_callbacks
):
    material = SessionMaterialFactory(
        session=upcoming, title_en="Slides", published_at=NOW + datetime.timedelta(minutes=5)
    )
    agenda = url("events:agenda", slug=upcoming.event.slug)
    feed = url("events:schedule_json", slug=upcoming.event.slug)
    assert material_titles(client.get(agenda).content.decode()) == []
    assert _frab_items(json.loads(client.get(feed).content))[0]["links"] == []
    # Its time comes; nothing was saved, so only the scheduled task can tell the cache.
    SessionMaterial.objects.filter(pk=material.pk).update(published_at=timezone.now())
    assert material_titles(client.get(agenda).content.decode()) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.materials_published() == 1
    assert material_titles(client.get(agenda).content.decode()) == ["Slides"]
    assert [
        link["title"] for link in _frab_items(json.loads(client.get(feed).content))[0]["links"]
    ] == ["Slides"]


def test_the_task_goes_on_from_its_last_run_and_renews_nothing_twice(upcoming):
    cache.set(tasks.CHECKED_KEY, timezone.now() - datetime.timedelta(days=2), timeout=None)
    SessionMaterialFactory(
        session=upcoming, published_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert tasks.materials_published() == 1
    assert tasks.materials_published() == 0


# Uploads in the admin


def _session_form(session, **overrides) -> dict:
    local = timezone.localtime(session.start, datetime.timezone(datetime.timedelta(hours=3)))
    data = {
        "event": session.event_id,
        "title_bg": session.title_bg,
        "title_en": session.title_en,
        "description_bg": "",
        "description_en": "",
        "kind": session.kind,
        "start_0": local.strftime("%Y-%m-%d"),
        "start_1": local.strftime("%H:%M"),
        "end_0": local.strftime("%Y-%m-%d"),
        "end_1": (local + HOUR).strftime("%H:%M"),
        "room": "",
        "track": "",
        "capacity": "",
        "floor_language": "en",
        **empty_inline("appearances"),
        **empty_inline("interpretations"),
        **empty_inline("materials"),
    }
    data.update(overrides)
    return data


def _material(**values) -> dict:
    row = {
        "materials-TOTAL_FORMS": "1",
        "materials-0-kind": "slides",
        "materials-0-title_en": "Slides",
        "materials-0-title_bg": "Презентация",
        "materials-0-language": "en",
        "materials-0-url": "",
        "materials-0-published_at_0": "",
        "materials-0-published_at_1": "",
        "materials-0-order": "0",
    }
    row.update({f"materials-0-{name}": value for name, value in values.items()})
    return row


@pytest.fixture
def editor(agenda_editor):
    client = Client()
    client.force_login(agenda_editor)
    return client


def test_an_editor_uploads_a_pdf_that_is_stored_as_sent(editor, upcoming):
    content = pdf_bytes("Smart borders slides")
    response = editor.post(
        admin_url("events_session_change", upcoming.pk),
        _session_form(
            upcoming, **_material(file=SimpleUploadedFile("Slides v2.final.pdf", content))
        ),
    )
    assert response.status_code == 302
    [material] = upcoming.materials.all()
    assert re.fullmatch(r"materials/[\w-]{16}/Slides_v2_final\.pdf", material.file.name)
    with default_storage.open(material.file.name, "rb") as stored:
        text = PdfReader(io.BytesIO(stored.read())).pages[0].extract_text()
    assert text.strip() == "Smart borders slides"
    assert material.published_at is None


def test_an_editor_uploads_a_presentation(editor, upcoming):
    response = editor.post(
        admin_url("events_session_change", upcoming.pk),
        _session_form(upcoming, **_material(file=SimpleUploadedFile("talk.pptx", pptx_bytes()))),
    )
    assert response.status_code == 302
    assert upcoming.materials.get().file.name.endswith("/talk.pptx")


BAD_TYPE = {
    "en": "Upload a PDF, DOCX, PPTX, XLSX, ODT, ODP or ODS file whose name ends as its kind. "
    "The file you chose is not one of these, is damaged, or contains macros.",
    "bg": "Качете файл PDF, DOCX, PPTX, XLSX, ODT, ODP или ODS, чието име завършва с вида му. "
    "Избраният файл не е от тези видове, повреден е или съдържа макроси.",
}
REFUSED = {
    "html named pdf": lambda: SimpleUploadedFile("slides.pdf", b"<html><script>x</script>"),
    "pdf named docx": lambda: SimpleUploadedFile("paper.docx", pdf_bytes()),
    "presentation with macros": lambda: SimpleUploadedFile("talk.pptx", pptx_bytes(macros=True)),
    "executable": lambda: SimpleUploadedFile("setup.exe", b"MZ\x90\x00"),
    "damaged zip": lambda: SimpleUploadedFile("talk.pptx", b"PK\x03\x04broken"),
}


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize("case", list(REFUSED))
def test_the_admin_refuses_a_bad_upload_with_a_message_and_saves_nothing(
    editor, upcoming, case, language
):
    response = editor.post(
        admin_url("events_session_change", upcoming.pk, language=language),
        _session_form(upcoming, **_material(file=REFUSED[case]())),
    )
    assert response.status_code == 200
    assert BAD_TYPE[language] in response.content.decode()
    assert not upcoming.materials.exists()
    assert not default_storage.exists("materials")


def test_the_admin_refuses_a_file_over_the_size_limit(editor, upcoming, settings):
    settings.MATERIAL_UPLOAD_MAX_BYTES = 1000
    response = editor.post(
        admin_url("events_session_change", upcoming.pk),
        _session_form(
            upcoming, **_material(file=SimpleUploadedFile("big.pdf", pdf_bytes() + b"\0" * 1000))
        ),
    )
    assert response.status_code == 200
    assert (
        "The file is too large: files up to 1000\xa0bytes are accepted."
        in response.content.decode()
    )
    assert not upcoming.materials.exists()


def test_the_admin_wants_a_file_or_a_link_not_both(editor, upcoming):
    response = editor.post(
        admin_url("events_session_change", upcoming.pk, language="bg"),
        _session_form(
            upcoming,
            **_material(file=SimpleUploadedFile("a.pdf", pdf_bytes()), url="https://example.org/a"),
        ),
    )
    assert response.status_code == 200
    assert "Качете файл или дайте връзка: точно едно от двете." in response.content.decode()
    assert not upcoming.materials.exists()


def test_a_material_needs_a_file_or_a_link(upcoming):
    material = SessionMaterial(session=upcoming, title_en="Nothing", language="en")
    with pytest.raises(ValidationError) as error:
        material.full_clean()
    assert error.value.messages == ["Upload a file or give a link: exactly one of them."]


def _odp(mimetype: bytes) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_an_opendocument_presentation_is_known_by_its_mimetype(upcoming):
    from events.materials import content_kind

    assert content_kind(io.BytesIO(_odp(b"application/vnd.oasis.opendocument.presentation"))) == (
        ".odp"
    )
    # A "mimetype" part that would unpack to megabytes is not read at all.
    assert content_kind(io.BytesIO(_odp(b"a" * 5_000_000))) is None
