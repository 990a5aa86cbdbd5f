"""One writer per file format, shared by every dataset."""

import csv
import datetime
import io
import itertools
import tempfile
import textwrap
from collections.abc import Iterator
from typing import BinaryIO

import xlsxwriter

from .base import Dataset

# A cell starting with one of these is a formula to Excel: a delegate could type one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows handed to the csv module at a time: fewer, larger writes.
CSV_BATCH = 500


def _csv_cell(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ", "minutes")  # 2030-03-02 09:00, faster than strftime
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_rows(dataset: Dataset) -> Iterator[list[str]]:
    """The dataset's rows as text: dates without seconds, formulas defused."""
    typed = [i for i, column in enumerate(dataset.columns) if column.kind != "text"]
    starts = FORMULA_STARTS
    for row in dataset.rows():
        for i in typed:
            row[i] = _csv_cell(row[i])
        # Text cells are text already (`Column.reader`); inline rather than a call per cell.
        yield ["'" + text if text.startswith(starts) else text for text in row]


class CSVWriter:
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def chunks(self, dataset: Dataset) -> Iterator[bytes]:
        """The file piece by piece, for streaming. The BOM makes Excel read it as UTF-8."""
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(dataset.headers())
        rows = _csv_rows(dataset)
        while True:
            writer.writerows(itertools.islice(rows, CSV_BATCH))
            text = buffer.getvalue()
            if not text:
                return
            yield text.encode()
            buffer.seek(0)
            buffer.truncate()

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
        # One writing function per column, chosen once: typed cells for dates, text else.
        write_string = sheet.write_string
        cells = []
        for column in dataset.columns:
            if column.kind in formats:
                cells.append(_typed_cell(sheet.write_datetime, write_string, formats[column.kind]))
            else:
                cells.append(write_string)
        row_number = 0
        for row_number, row in enumerate(dataset.rows(), start=1):
            for col, value in enumerate(row):
                cells[col](row_number, col, value)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(row_number, 1), len(headers) - 1)
        workbook.close()

    def temporary_file(self, dataset: Dataset) -> BinaryIO:
        """The workbook in an anonymous temporary file, rewound for reading."""
        out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
        self.write(dataset, out)
        out.seek(0)
        return out


def _typed_cell(write_typed, write_string, cell_format):
    def write(row: int, col: int, value) -> None:
        if value == "":
            write_string(row, col, value)
        else:
            write_typed(row, col, value, cell_format)

    return write


WRITERS = {"csv": CSVWriter(), "xlsx": XLSXWriter()}
