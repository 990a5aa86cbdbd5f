"""One writer per file format, shared by every dataset."""

import csv
import datetime
import tempfile
import textwrap
from collections.abc import Iterator
from typing import BinaryIO

import xlsxwriter

from .base import Dataset


class _Line:
    """csv.writer target that hands back each formatted line instead of storing it."""

    def write(self, value: str) -> str:
        return value


# A cell starting with one of these is a formula to Excel: a delegate could type one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CSVWriter:
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def chunks(self, dataset: Dataset) -> Iterator[bytes]:
        """The file piece by piece, for streaming. The BOM makes Excel read it as UTF-8."""
        writer = csv.writer(_Line())
        yield "\ufeff".encode()
        yield writer.writerow(dataset.headers()).encode()
        for row in dataset.rows():
            yield writer.writerow([_csv_cell(value) for value in row]).encode()

    def write(self, dataset: Dataset, out: BinaryIO) -> None:
        for chunk in self.chunks(dataset):
            out.write(chunk)


class XLSXWriter:
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def write(self, dataset: Dataset, out: BinaryIO) -> None:
        # constant_memory writes each row to disk as it comes, so memory does not grow.
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
        # Excel allows 31 characters in a sheet's name.
        sheet = workbook.add_worksheet(textwrap.shorten(str(dataset.label), 31, placeholder="…"))
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
