"""Spreadsheets in and out: CSV through the standard library's `csv` (its sniffer finds the
delimiter; a BOM is fine) and XLSX through openpyxl (imported only here)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from okrctl.model.errors import OkrctlError, UsageError

Row = tuple[int, list[Any]]
"""(the row's number as the spreadsheet shows it, its cells)."""


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UsageError(f"{path.name}: okrctl reads and writes .csv and .xlsx files")
    return suffix[1:]


def read_table(path: Path, sheet: str | None = None) -> tuple[list[str], list[Row]]:
    """The header row and every non-empty row after it."""
    kind = kind_of(path)
    if kind == "csv":
        if sheet is not None:
            raise UsageError("--sheet is for .xlsx files; a CSV file has one table")
        return _read_csv(path)
    return _read_xlsx(path, sheet)


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
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
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
        rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
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


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from okrctl.store.writefile import write_output

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    write_output(path, out.getvalue().encode("utf-8"))


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
