"""Uploaded images (organisation logos, speaker photos): what is accepted and how it is stored.

An upload is never stored as sent. It must be a JPEG, PNG or WebP by its content (not its
name), within the size and pixel limits of the settings; its pixels are then decoded, turned
upright by the EXIF orientation and encoded afresh by Pillow. Only the pixels survive: no
metadata (EXIF with GPS position, XMP, comments, colour profile) and no bytes appended to or
hidden inside the original, so an HTML or script polyglot cannot be served back from our
media URL.
"""

import contextlib
import io
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 25_000_000

# Pillow format of the upload -> format written. Decoders are limited to these, so no other
# image parser ever reads an upload. MPO is how Pillow names a JPEG from a camera that holds
# more than one picture; its first picture is kept.
_ACCEPTED = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_DECODERS = ["JPEG", "PNG", "WEBP"]
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {},
    "WEBP": {"quality": 90},
}


def max_bytes() -> int:
    return getattr(settings, "IMAGE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_pixels() -> int:
    return getattr(settings, "IMAGE_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def _megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return number_format(int(value) if value.is_integer() else round(value, 1))


def _stored_name(uploaded_name: str, extension: str) -> str:
    # The name the uploader chose, without its extension(s): "cv.php.png" must not keep ".php"
    # for a web server that looks at every extension.
    stem = get_valid_filename(Path(uploaded_name or "").stem or "image").replace(".", "_")
    return f"{stem[:50] or 'image'}{extension}"


def _pixels_for(image: Image.Image, written_format: str) -> Image.Image:
    """The image in a mode the format writes, keeping transparency where the format can."""
    grey = image.mode in ("1", "L")
    if written_format != "JPEG" and image.has_transparency_data:
        mode = "RGBA"
    elif grey and written_format != "WEBP":
        mode = "L"
    else:
        mode = "RGB"
    return image.convert(mode) if image.mode != mode else image


class ImageUploadField(forms.ImageField):
    """The form field for every uploaded image: checks it and hands on a re-encoded copy.

    The model's FileField then stores that copy through the default storage, under its
    upload_to, with the extension of the format written.
    """

    default_error_messages = {
        "invalid_image": _(
            "Upload a JPEG, PNG or WebP image. The file you chose is not one of these, "
            "or it is damaged."
        ),
        "too_large": _("The file is too large: files up to %(limit)s are accepted."),
        "too_many_pixels": _(
            "The image has too many pixels: images up to %(limit)s megapixels are accepted."
        ),
    }

    def to_python(self, data):
        # FileField's checks (no file, empty file, name length), not ImageField's: that one
        # would hand the upload to every Pillow decoder, and keep the original bytes.
        uploaded = forms.FileField.to_python(self, data)
        if uploaded is None:
            return None
        return self.reencode(uploaded)

    def reencode(self, data) -> SimpleUploadedFile:
        """Checks an uploaded file; returns a new file holding only its re-encoded pixels."""
        limit = max_bytes()
        if data.size > limit:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        if hasattr(data, "temporary_file_path"):
            source = data.temporary_file_path()
        else:
            data.seek(0)
            source = io.BytesIO(data.read())

        try:
            with Image.open(source, formats=_DECODERS) as image:
                written_format = _ACCEPTED[image.format]
                # The header gives the size before any pixel is decoded: a small file that
                # unpacks to gigabytes is refused here.
                if image.width * image.height > max_pixels():
                    raise self._too_many_pixels()
                image.load()
                # An unreadable EXIF block costs the orientation, not the upload.
                with contextlib.suppress(Exception):
                    ImageOps.exif_transpose(image, in_place=True)
                pixels = _pixels_for(image, written_format)
                # Whatever the original carried (EXIF, XMP, ICC profile, text chunks) stays
                # behind: the new file is written from the pixels alone.
                pixels.info = {}
                output = io.BytesIO()
                pixels.save(output, format=written_format, **_SAVE_OPTIONS[written_format])
        except Image.DecompressionBombError:
            # Pillow's own guard, for images far beyond any setting of ours.
            raise self._too_many_pixels() from None
        except ValidationError:
            raise
        except Exception:
            # Pillow raises many kinds of error for what it cannot read; all mean "not ours".
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from None
        return SimpleUploadedFile(
            _stored_name(data.name, _EXTENSIONS[written_format]),
            output.getvalue(),
            content_type=_CONTENT_TYPES[written_format],
        )

    def _too_many_pixels(self) -> ValidationError:
        return ValidationError(
            self.error_messages["too_many_pixels"],
            code="too_many_pixels",
            params={"limit": _megapixels(max_pixels())},
        )

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "accept" in attrs:
            attrs["accept"] = ",".join(_CONTENT_TYPES.values())
        return attrs
