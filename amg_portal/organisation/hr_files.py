"""Reading the HR export: CSV (UTF-8, comma or semicolon) or XLSX, one header row, a size cap.

``read_table`` turns the bytes of one file into rows keyed by the (normalised) header, each with
the line number a person sees in a spreadsheet or text editor, or raises ``FileProblem`` with a
message in the active language saying what is wrong with the file as a whole.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger("amg_portal.organisation.import")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (.xls)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 250_000
UNPACKED_FACTOR = 10  # an XLSX may unpack to this many times the size cap (zip bombs)


class FileProblem(Exception):
    """The file as a whole cannot be read; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    """One data row: its line number in the file and its values by column name."""

    line: int
    values: dict[str, str]
    extra: bool = False  # more values than the header has columns

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def max_bytes() -> int:
    """The size cap of one import file (setting ORGANISATION_IMPORT_MAX_BYTES)."""
    return int(getattr(settings, "ORGANISATION_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_size(size: int) -> None:
    """Refuse a file above the cap before reading it."""
    limit = max_bytes()
    if size > limit:
        raise FileProblem(
            _("The file is %(size)s; the limit is %(limit)s. Split it or remove columns.")
            % {"size": size_text(size), "limit": size_text(limit)}
        )


def size_text(size: int) -> str:
    """A file size for people: "1.5 MB", "20 MB", "3 kB"."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} kB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def column_name(header: object) -> str:
    """A header cell as a column name: trimmed, lower case, spaces and hyphens as underscores."""
    text = "" if header is None else str(header)
    return text.strip().lstrip("\ufeff").casefold().replace(" ", "_").replace("-", "_")


def read_table(data: bytes, *, required: Iterable[str], optional: Iterable[str]) -> list[Row]:
    """The rows of a CSV or XLSX file with a header row containing the ``required`` columns."""
    check_size(len(data))
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        raise FileProblem(_("This is the old Excel format (.xls). Save it as .xlsx or as CSV."))
    lines = _xlsx_lines(data) if data.startswith(XLSX_MAGIC) else _csv_lines(data)
    _line, header = _header(lines)
    columns = [column_name(cell) for cell in header]
    _check_columns(columns, list(required), list(optional))
    rows = []
    for line, cells in lines:
        if len(rows) >= MAX_ROWS:
            raise FileProblem(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
        values = cells
        if not any(values):
            continue
        extra = any(values[len(columns) :])
        rows.append(Row(line, dict(zip(columns, values, strict=False)), extra))
    if not rows:
        raise FileProblem(_("The file has a header row but no data rows."))
    return rows


def _header(lines: Iterator[tuple[int, list]]) -> tuple[int, list]:
    for line, cells in lines:
        if any(cells):
            return line, cells
    raise FileProblem(_("The file is empty."))


def _check_columns(columns: list[str], required: list[str], optional: list[str]) -> None:
    seen = set()
    for column in columns:
        if column and column in seen:
            raise FileProblem(
                _("The column “%(column)s” appears twice in the header row.") % {"column": column}
            )
        seen.add(column)
    missing = [column for column in required if column not in seen]
    if missing:
        raise FileProblem(
            _(
                "The header row lacks the column(s) %(missing)s. The first row must name the "
                "columns: %(expected)s."
            )
            % {"missing": ", ".join(missing), "expected": ", ".join(required + optional)}
        )


def _text(cell: object) -> str:
    """A cell as trimmed text; whole numbers from a spreadsheet lose their ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return str(cell).strip()


def _csv_lines(data: bytes) -> Iterator[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            _(
                "The file is not UTF-8 (first bad character on line %(line)d). In Excel, save it "
                "as “CSV UTF-8”."
            )
            % {"line": line}
        ) from None
    if "\x00" in text:
        raise FileProblem(_("The file is not a text file. Upload CSV (UTF-8) or XLSX."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return _csv_records(text, delimiter)


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, [cell.strip() for cell in cells]
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileProblem(
            _("Line %(line)d cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None


def _check_unpacked_size(data: bytes) -> None:
    """An XLSX is a zip: refuse one that unpacks to far more than a real export would."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise FileProblem(_("The file is not a readable XLSX workbook.")) from None
    if unpacked > UNPACKED_FACTOR * max_bytes():
        raise FileProblem(
            _("The workbook unpacks to %(size)s, more than an HR export can be. Save it as CSV.")
            % {"size": size_text(unpacked)}
        )


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    _check_unpacked_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # openpyxl fails on a broken workbook in many ways (zip, XML, keys)
        logger.info("unreadable XLSX upload", exc_info=True)
        raise FileProblem(_("The file is not a readable XLSX workbook.")) from None
    return _xlsx_records(book, sheet)


def _xlsx_records(book, sheet) -> Iterator[tuple[int, list]]:
    try:
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_text(cell) for cell in cells]
    except Exception:  # the sheet is parsed lazily: its zip and XML errors surface here
        logger.info("unreadable XLSX sheet", exc_info=True)
        raise FileProblem(_("The file is not a readable XLSX workbook.")) from None
    finally:
        book.close()
