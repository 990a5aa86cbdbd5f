"""Uploaded session materials (slides, papers): what is accepted and under which name.

An upload must be a PDF, an Office Open XML document (DOCX, PPTX, XLSX) or an OpenDocument
(ODT, ODP, ODS) by its content, not only its name: a PDF starts with `%PDF-`, the others are
ZIP archives whose parts say what they are. The name's extension must agree with what the
content is, so a browser is never handed a file whose name claims something else, and files
with macros (an Office `vbaProject.bin`) are refused. Recordings are linked, not uploaded.
The stored name has a random folder: a material is not reachable before it is published,
because no page names it until then.
"""

import secrets
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 40 * 1024 * 1024

# Extension -> the part that a ZIP-based document of that kind holds.
_OOXML = {".docx": "word/", ".pptx": "ppt/", ".xlsx": "xl/"}
_ODF = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
EXTENSIONS = (".pdf", *_OOXML, *_ODF)


def max_bytes() -> int:
    return getattr(settings, "MATERIAL_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def material_upload_to(instance, filename: str) -> str:
    # The uploader's name without its other extensions ("talk.php.pdf" keeps no ".php").
    path = Path(filename or "")
    stem = get_valid_filename(path.stem or "material").replace(".", "_")[:60] or "material"
    return f"materials/{secrets.token_urlsafe(12)}/{stem}{path.suffix.lower()}"


def _zip_kind(file) -> str | None:
    """The extension a ZIP-based document's content says it is, or None."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None  # macros: never served to visitors
            if "mimetype" in names:
                if archive.getinfo("mimetype").file_size > 100:
                    return None  # a real one is a short line; never unpack a large one
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return next((ext for ext, kind in _ODF.items() if kind == mimetype), None)
            if "[Content_Types].xml" in names:
                return next(
                    (
                        ext
                        for ext, part in _OOXML.items()
                        if any(name.startswith(part) for name in names)
                    ),
                    None,
                )
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        # Damaged (BadZipFile, OSError, ValueError), encrypted (RuntimeError) or compressed in
        # a way Python cannot read (NotImplementedError): none is a document we can accept.
        return None
    return None


def content_kind(file) -> str | None:
    """The extension that a file's content says it is (".pdf", ".pptx", ...), or None."""
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head == b"%PDF-":
        return ".pdf"
    if head[:4] == b"PK\x03\x04":
        kind = _zip_kind(file)
        file.seek(0)
        return kind
    return None


def validate_material_file(file) -> None:
    """A material's file: within the size limit, and by its content one of `EXTENSIONS`,
    the one its name says. Used by the model field, so every form and `full_clean()` asks."""
    if not file:
        return
    if getattr(file, "_committed", False):
        # Already stored (checked when it was uploaded): not read again on every save.
        return
    limit = max_bytes()
    if file.size > limit:
        raise ValidationError(
            _("The file is too large: files up to %(limit)s are accepted."),
            code="too_large",
            params={"limit": filesizeformat(limit)},
        )
    extension = Path(file.name or "").suffix.lower()
    if extension not in EXTENSIONS or content_kind(file) != extension:
        raise ValidationError(
            _(
                "Upload a PDF, DOCX, PPTX, XLSX, ODT, ODP or ODS file whose name ends as its "
                "kind. The file you chose is not one of these, is damaged, or contains macros."
            ),
            code="invalid_material",
        )
