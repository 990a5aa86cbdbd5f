"""Uploaded logos and photos: only JPEG, PNG and WebP within the limits, stored re-encoded."""

import io
import os
import struct
import zlib
from html import escape

import pytest
from django.contrib import admin
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import translation
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from events.images import ImageUploadField
from events.models import Organisation, Speaker
from tests.factories import OrganisationFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

HTML = b"<html><script>alert(document.cookie)</script></html>"
CAMERA = "Canon EOS 5D secret-serial-4711"


def admin_url(view: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


@pytest.fixture
def editor_client(client, agenda_editor):
    client.force_login(agenda_editor)
    return client


def image_bytes(image_format: str, size=(40, 30), mode="RGB", color=(200, 30, 60), **options):
    image = Image.new(mode, size, color)
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def jpeg_with_exif(size=(40, 20), orientation=1) -> bytes:
    exif = Image.Exif()
    exif[0x0110] = CAMERA  # Model
    exif[0x0112] = orientation
    return image_bytes("JPEG", size=size, exif=exif.tobytes())


def transparent_image(image_format: str) -> bytes:
    # Left half opaque red, right half fully transparent.
    image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 20, 30))
    output = io.BytesIO()
    if image_format == "PNG":
        text = PngInfo()
        text.add_text("Author", CAMERA)
        image.save(output, format="PNG", pnginfo=text)
    else:
        image.save(output, format=image_format, lossless=True)
    return output.getvalue()


def gif_javascript_polyglot() -> bytes:
    # A GIF whose first bytes also open a JavaScript comment: "GIF89a/*…*/=alert(1);" runs
    # as a script when served to a <script src>, and still opens as an image.
    gif = bytearray(image_bytes("GIF", size=(1, 1), mode="P", color=0))
    gif[6:8] = b"/*"
    data = bytes(gif) + b"*/=alert(document.domain);//"
    assert Image.open(io.BytesIO(data)).format == "GIF"
    return data


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels: a decompression bomb's shape."""
    data = bytearray(image_bytes("PNG", size=(1, 1), mode="L", color=0))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def over_the_size_limit() -> bytes:
    # A valid JPEG padded to one byte over the default 10 MB.
    jpeg = image_bytes("JPEG")
    return jpeg + b"\0" * (10 * 1024 * 1024 + 1 - len(jpeg))


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def speaker_form(speaker: Speaker, **overrides) -> dict:
    data = {
        "slug": speaker.slug,
        "honorific_bg": speaker.honorific_bg,
        "honorific_en": speaker.honorific_en,
        "full_name_bg": speaker.full_name_bg,
        "full_name_en": speaker.full_name_en,
        "position_bg": speaker.position_bg,
        "position_en": speaker.position_en,
        "organisation": speaker.organisation_id or "",
        "bio_bg": "",
        "bio_en": "",
    }
    data.update(overrides)
    return data


def organisation_form(organisation: Organisation, **overrides) -> dict:
    data = {
        "name_bg": organisation.name_bg,
        "name_en": organisation.name_en,
        "acronym_bg": "",
        "acronym_en": "",
        "kind": organisation.kind,
        "country": organisation.country.code,
        "website": "",
    }
    data.update(overrides)
    return data


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def post_photo(client, speaker: Speaker, photo, language: str = "en", **overrides):
    return client.post(
        admin_url("events_speaker_change", speaker.pk, language=language),
        speaker_form(speaker, photo=photo, **overrides),
    )


def test_admin_stores_a_speaker_jpeg_re_encoded_without_its_exif(editor_client):
    speaker = SpeakerFactory()
    original = jpeg_with_exif()
    response = post_photo(editor_client, speaker, upload("portrait.jpeg", original, "image/jpeg"))
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.photo.name == "speakers/portrait.jpg"
    content = stored(speaker.photo.name)
    assert content != original
    image = opened(content)
    assert (image.format, image.size) == ("JPEG", (40, 20))
    assert dict(image.getexif()) == {}
    assert CAMERA.encode() not in content


def test_admin_stores_an_organisation_png_logo_re_encoded_with_its_transparency(editor_client):
    organisation = OrganisationFactory()
    original = transparent_image("PNG")
    response = editor_client.post(
        admin_url("events_organisation_change", organisation.pk),
        organisation_form(organisation, logo=upload("logo.png", original)),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name == "organisations/logo.png"
    content = stored(organisation.logo.name)
    assert content != original
    image = opened(content)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (40, 30))
    assert image.text == {}
    assert CAMERA.encode() not in content
    assert image.getpixel((5, 5)) == (255, 0, 0, 255)
    assert image.getpixel((35, 5))[3] == 0


def test_admin_keeps_a_webp_logo_as_webp_with_its_transparency(editor_client):
    organisation = OrganisationFactory()
    response = editor_client.post(
        admin_url("events_organisation_change", organisation.pk),
        organisation_form(
            organisation, logo=upload("logo.webp", transparent_image("WEBP"), "image/webp")
        ),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name == "organisations/logo.webp"
    image = opened(stored(organisation.logo.name))
    assert (image.format, image.mode) == ("WEBP", "RGBA")
    assert image.getpixel((35, 5))[3] == 0


def test_admin_stores_a_png_without_the_html_appended_to_it(editor_client):
    speaker = SpeakerFactory()
    clean = image_bytes("PNG")
    response = post_photo(editor_client, speaker, upload("photo.png", clean + HTML))
    assert response.status_code == 302
    speaker.refresh_from_db()
    content = stored(speaker.photo.name)
    assert b"<html" not in content
    assert b"script" not in content
    # The file ends where a PNG ends: with its IEND chunk and that chunk's checksum.
    assert content.endswith(b"IEND\xaeB`\x82")
    assert opened(content).format == "PNG"


def test_admin_turns_a_photo_upright_by_its_exif_orientation(editor_client):
    speaker = SpeakerFactory()
    # Orientation 6: the camera was turned; the picture is shown rotated by 90°.
    response = post_photo(
        editor_client,
        speaker,
        upload("turned.jpg", jpeg_with_exif(size=(40, 20), orientation=6), "image/jpeg"),
    )
    assert response.status_code == 302
    speaker.refresh_from_db()
    image = opened(stored(speaker.photo.name))
    assert image.size == (20, 40)
    assert dict(image.getexif()) == {}


def test_stored_name_takes_the_extension_of_the_content_not_of_the_upload(editor_client):
    speaker = SpeakerFactory()
    response = post_photo(editor_client, speaker, upload("cv.php.jpg", image_bytes("PNG")))
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.photo.name == "speakers/cv_php.png"
    assert opened(stored(speaker.photo.name)).format == "PNG"


NOT_AN_IMAGE = {
    "en": (
        "Upload a JPEG, PNG or WebP image. The file you chose is not one of these, "
        "or it is damaged."
    ),
    "bg": (
        "Качете изображение във формат JPEG, PNG или WebP. Избраният файл не е в нито един "
        "от тези формати или е повреден."
    ),
}
TOO_MANY_PIXELS = {
    "en": "The image has too many pixels: images up to 25 megapixels are accepted.",
    "bg": "Изображението има твърде много пиксели: приемат се изображения до 25 мегапиксела.",
}
TOO_LARGE = {
    "en": "The file is too large: files up to 10.0\xa0MB are accepted.",
    "bg": "Файлът е твърде голям: приемат се файлове до 10,0\xa0МБ.",
}
REFUSED = {
    "gif-javascript-polyglot": (lambda: upload("cat.gif", gif_javascript_polyglot()), NOT_AN_IMAGE),
    "text-named-png": (
        lambda: upload("photo.png", b"Just some text, not a picture.\n"),
        NOT_AN_IMAGE,
    ),
    "html-named-png": (lambda: upload("photo.png", HTML), NOT_AN_IMAGE),
    "truncated-png": (lambda: upload("photo.png", image_bytes("PNG")[:-30]), NOT_AN_IMAGE),
    "over-the-pixel-limit": (
        # 5001 × 5001: just over 25 megapixels, in a file of a few kilobytes.
        lambda: upload("huge.png", image_bytes("PNG", size=(5001, 5001), mode="1", color=1)),
        TOO_MANY_PIXELS,
    ),
    "decompression-bomb": (
        # 200 megapixels declared: beyond Pillow's own limit, refused before any decoding.
        lambda: upload("bomb.png", png_declaring(20_000, 10_000)),
        TOO_MANY_PIXELS,
    ),
    "over-the-size-limit": (
        lambda: upload("large.jpg", over_the_size_limit(), "image/jpeg"),
        TOO_LARGE,
    ),
}


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize("case", list(REFUSED))
def test_admin_refuses_the_upload_with_a_message_and_changes_nothing(editor_client, case, language):
    make_upload, messages = REFUSED[case]
    speaker = SpeakerFactory(
        position_en="Head of Unit", photo=upload("before.png", image_bytes("PNG"))
    )
    before = stored(speaker.photo.name)

    response = post_photo(
        editor_client, speaker, make_upload(), language=language, position_en="Director"
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["photo"] == [messages[language]]
    assert escape(messages[language]) in response.content.decode()
    speaker.refresh_from_db()
    assert speaker.position_en == "Head of Unit"
    assert speaker.photo.name == "speakers/before.png"
    assert stored(speaker.photo.name) == before
    assert default_storage.listdir("speakers") == ([], ["before.png"])


def test_admin_refuses_a_polyglot_logo_in_bulgarian_and_changes_nothing(editor_client):
    organisation = OrganisationFactory(name_en="Ministry of the Interior")
    response = editor_client.post(
        admin_url("events_organisation_change", organisation.pk, language="bg"),
        organisation_form(
            organisation, name_en="Renamed", logo=upload("logo.png", gif_javascript_polyglot())
        ),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo"] == [NOT_AN_IMAGE["bg"]]
    organisation.refresh_from_db()
    assert organisation.name_en == "Ministry of the Interior"
    assert organisation.logo.name == ""
    assert not default_storage.exists("organisations")


def test_limits_come_from_the_settings(editor_client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 2000
    settings.IMAGE_UPLOAD_MAX_PIXELS = 1_500_000
    speaker = SpeakerFactory()
    small_file_many_pixels = image_bytes("PNG", size=(1300, 1200), mode="1", color=1)
    assert len(small_file_many_pixels) < 2000

    response = post_photo(editor_client, speaker, upload("a.png", small_file_many_pixels))
    assert response.context["adminform"].form.errors["photo"] == [
        "The image has too many pixels: images up to 1.5 megapixels are accepted."
    ]
    response = post_photo(editor_client, speaker, upload("b.jpg", over_the_size_limit()[:2001]))
    assert response.context["adminform"].form.errors["photo"] == [
        "The file is too large: files up to 2.0\xa0KB are accepted."
    ]


def test_every_image_field_in_the_admin_uses_the_checked_upload_field(rf):
    request = rf.get("/")
    checked = []
    for model, model_admin in admin.site._registry.items():
        inlines = [inline(model, admin.site) for inline in model_admin.inlines]
        for each in [model_admin, *inlines]:
            for field in each.model._meta.get_fields():
                if isinstance(field, models.ImageField):
                    formfield = each.formfield_for_dbfield(field, request)
                    assert isinstance(formfield, ImageUploadField), each
                    checked.append(f"{each.model._meta.label}.{field.name}")
    assert sorted(checked) == [
        "events.Organisation.logo",
        "events.Speaker.photo",
        "registrations.LetterTemplate.logo",
    ]


def test_admin_file_picker_offers_only_the_accepted_types(editor_client):
    html = editor_client.get(admin_url("events_speaker_add")).content.decode()
    assert 'accept="image/jpeg,image/png,image/webp"' in html


def test_admin_accepts_a_photo_large_enough_to_be_spooled_to_a_temporary_file(editor_client):
    # Uploads over 2.5 MB reach the form as a temporary file, not in memory.
    noise = os.urandom(1000 * 1000 * 3)
    original = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), noise).save(original, format="PNG")
    assert len(original.getvalue()) > 2.5 * 1024 * 1024
    speaker = SpeakerFactory()
    response = post_photo(editor_client, speaker, upload("noise.png", original.getvalue()))
    assert response.status_code == 302
    speaker.refresh_from_db()
    image = opened(stored(speaker.photo.name))
    assert (image.format, image.size) == ("PNG", (1000, 1000))
    assert image.tobytes() == noise
