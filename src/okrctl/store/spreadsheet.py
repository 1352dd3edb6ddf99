"""Spreadsheets in and out: CSV through the standard library's `csv` (its sniffer finds the
delimiter; a BOM is fine) and XLSX through openpyxl (imported only here).

Text is always written as text: an XLSX text cell is a string cell, never a formula, and a CSV
cell that a spreadsheet would run (`=`, `+`, `-`, `@`, tab, carriage return first) gets a
leading `'` (OWASP's rule), which reading a CSV takes off again. Reading is bounded: a file, or
an XLSX's unpacked parts, larger than `max_size` is refused before it is parsed (see
docs/spreadsheet.md, "What is refused")."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from okrctl.model.errors import OkrctlError, UsageError

Row = tuple[int, list[Any]]
"""(the row's number as the spreadsheet shows it, its cells)."""

DEFAULT_MAX_SIZE = 50_000_000
"""Bytes a spreadsheet may hold (a CSV file, or an XLSX's parts unpacked): 50 MB."""
_RUNS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes as the start of a formula (or slips past a check for one)."""


def guarded(text: str) -> bool:
    """Whether a CSV cell needs a leading `'`: it would run as a formula once its leading `'`s
    are off (so that reading one `'` off is always exact, however many a title starts with)."""
    return text.lstrip("'").startswith(_RUNS)


def guard(cell: Any) -> Any:
    """A cell as CSV writes it: text that would run gets a leading `'`; numbers stay numbers."""
    return "'" + cell if isinstance(cell, str) and guarded(cell) else cell


def unguard(text: str) -> str:
    """The text `guard` wrote, as it was."""
    return text[1:] if text.startswith("'") and guarded(text[1:]) else text


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UsageError(f"{path.name}: okrctl reads and writes .csv and .xlsx files")
    return suffix[1:]


def read_table(
    path: Path, sheet: str | None = None, *, max_size: int = DEFAULT_MAX_SIZE
) -> tuple[list[str], list[Row]]:
    """The header row and every non-empty row after it."""
    kind = kind_of(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if size > max_size:
        raise OkrctlError(_too_large(path, f"is {size:,} bytes", max_size))
    if kind == "csv":
        if sheet is not None:
            raise UsageError("--sheet is for .xlsx files; a CSV file has one table")
        return _read_csv(path)
    _check_unpacked_size(path, max_size)
    return _read_xlsx(path, sheet)


def _too_large(path: Path, what: str, limit: int) -> str:
    return (
        f"{path.name} {what}, over the {limit:,}-byte limit: split it, or raise the limit with"
        " --max-size BYTES"
    )


def _check_unpacked_size(path: Path, limit: int) -> None:
    """An .xlsx is a zip: its directory says how large each part unpacks (zipfile holds every
    part to that size), so a 3 MB file that would unpack to 3 GB is refused unread."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        raise OkrctlError(
            f"{path.name} is not an .xlsx workbook (not a zip archive): save it from the"
            " spreadsheet as Excel (.xlsx) or as CSV UTF-8"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limit:
        raise OkrctlError(
            _too_large(path, f"unpacks to {unpacked:,} bytes in {len(parts):,} parts", limit)
        )


def _read_csv(path: Path) -> tuple[list[str], list[Row]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise OkrctlError(f"{path.name} is not UTF-8: save it as CSV UTF-8") from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = [[unguard(cell) for cell in row] for row in reader]
    except csv.Error as exc:
        # A cell over csv's field limit (131,072 characters), or a stray quote in strict mode.
        raise OkrctlError(f"{path.name}:{reader.line_num}: cannot read this row: {exc}") from None
    if not rows:
        raise OkrctlError(f"{path.name} is empty: the first row names the columns")
    table = [
        (number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    return [str(h) for h in rows[0]], table


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[Row]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError) as exc:
        raise OkrctlError(f"cannot read {path.name} as a spreadsheet: {exc}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UsageError(
                f"{path.name} has no sheet {sheet!r}: it has {', '.join(book.sheetnames)}"
            )
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [[_shown_value(cell) for cell in row] for row in worksheet.iter_rows()]
    finally:
        book.close()
    if not rows:
        raise OkrctlError(f"{path.name}: the sheet is empty; the first row names the columns")
    headers = ["" if h is None else str(h) for h in rows[0]]
    table = [
        (number, ["" if c is None else c for c in row])
        for number, row in enumerate(rows[1:], start=2)
        if any(c not in (None, "") for c in row)
    ]
    return headers, table


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
"""What an Excel number format writes as it is: quoted text, an escaped character, a colour or
condition in brackets (`0.0"%"` shows 38 as `38.0%`: its `%` is text, not a scale)."""


def _shown_value(cell: Any) -> Any:
    """A cell's value as its reader sees it: a number in a percent format (`0%`, `0.0%`) is
    the percentage shown, `38%` for the 0.38 Excel holds, as a CSV or a person would write it;
    any other cell its value."""
    value = getattr(cell, "value", None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    number_format = getattr(cell, "number_format", None) or ""
    if "%" not in _QUOTED.sub("", number_format):
        return value
    from decimal import Decimal

    percent = (Decimal(repr(value)) * 100).normalize()
    return f"{percent:f}%"


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """UTF-8 with a byte-order mark: Excel reads a CSV without one in the system's old code
    page, and "Chloé" came out as "ChloÃ©" (LibreOffice, Google Sheets and `okrctl import`
    read both)."""
    from okrctl.store.writefile import write_output

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if cell is None else guard(cell) for cell in row] for row in rows)
    write_output(path, out.getvalue().encode("utf-8-sig"))


def write_xlsx(
    path: Path,
    headers: Sequence[str],
    sheets: dict[str, Sequence[Sequence[Any]]],
    formats: dict[str, str],
) -> None:
    """A sheet per entry of `sheets`, each with a bold, frozen header row, filters, number
    formats by column (`formats`: header → Excel format) and columns sized to their text."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from okrctl.store.writefile import write_output

    book = openpyxl.Workbook()
    for default in list(book.worksheets):  # the empty sheet a new workbook starts with
        book.remove(default)
    for name, rows in sheets.items():
        sheet = book.create_sheet(_sheet_name(name, book.sheetnames))
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, even one starting with `=`: never a formula
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, header in enumerate(headers, start=1):
            letter = get_column_letter(index)
            width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows])
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
            if header in formats:
                for cell in sheet[letter][1:]:
                    cell.number_format = formats[header]
    out = io.BytesIO()
    book.save(out)
    write_output(path, out.getvalue())


def _sheet_name(name: str, taken: list[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "Sheet"
    candidate, number = clean, 2
    while candidate in taken:
        suffix = f" ({number})"
        candidate, number = clean[: 31 - len(suffix)] + suffix, number + 1
    return candidate
