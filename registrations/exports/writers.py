"""One writer per file format, shared by every dataset."""

import csv
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

import xlsxwriter

from .base import Dataset


class _Line:
    """csv.writer target that hands back each formatted line instead of storing it."""

    def write(self, value: str) -> str:
        return value


class CSVWriter:
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def chunks(self, dataset: Dataset) -> Iterator[bytes]:
        """The file piece by piece, for streaming. The BOM makes Excel read it as UTF-8."""
        writer = csv.writer(_Line())
        yield "\ufeff".encode()
        yield writer.writerow(dataset.headers()).encode()
        for row in dataset.rows():
            yield writer.writerow(row).encode()

    def write(self, dataset: Dataset, out: BinaryIO) -> None:
        for chunk in self.chunks(dataset):
            out.write(chunk)


class XLSXWriter:
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def write(self, dataset: Dataset, out: BinaryIO) -> None:
        # constant_memory writes each row to disk as it comes, so memory does not grow.
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet(str(dataset.label)[:31])
        bold = workbook.add_format({"bold": True, "bg_color": "#E8EDF3", "border": 1})
        formats = {
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        }
        headers = dataset.headers()
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, bold)
            sheet.set_column(col, col, max(12, min(len(header) + 4, 40)))
        row_number = 0
        for row_number, row in enumerate(dataset.rows(), start=1):
            for col, (column, value) in enumerate(zip(dataset.columns, row, strict=True)):
                if column.kind in formats and value != "":
                    sheet.write_datetime(row_number, col, value, formats[column.kind])
                else:
                    sheet.write_string(row_number, col, str(value))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(row_number, 1), len(headers) - 1)
        workbook.close()

    def temporary_file(self, dataset: Dataset) -> BinaryIO:
        """The workbook in an anonymous temporary file, rewound for reading."""
        out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
        self.write(dataset, out)
        out.seek(0)
        return out


WRITERS = {"csv": CSVWriter(), "xlsx": XLSXWriter()}
