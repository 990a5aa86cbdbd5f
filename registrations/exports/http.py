"""Exports as HTTP responses: CSV streamed row by row, XLSX from a temporary file."""

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation

from .base import Dataset
from .writers import CSVWriter


def _translated(chunks, language: str):
    # The stream is consumed after the view returns: keep the language for every row.
    with translation.override(language):
        yield from chunks


def filename(dataset: Dataset, extension: str) -> str:
    return f"{dataset.event.slug}-{dataset.name}-{timezone.localdate():%Y%m%d}.{extension}"


def response(*, dataset: Dataset, writer, language: str):
    name = filename(dataset, writer.extension)
    if isinstance(writer, CSVWriter):
        streaming = StreamingHttpResponse(
            _translated(writer.chunks(dataset), language), content_type=writer.content_type
        )
        streaming["Content-Disposition"] = f'attachment; filename="{name}"'
        return streaming
    with translation.override(language):
        out = writer.temporary_file(dataset)
    return FileResponse(out, as_attachment=True, filename=name, content_type=writer.content_type)
