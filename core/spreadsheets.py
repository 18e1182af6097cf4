"""Spreadsheets in and out, shared by every app.

- `export_xlsx` / `xlsx_response`: a one-sheet XLSX with typed numbers and dates, and text that a
  spreadsheet would run as a formula (= + - @, tab, CR) made inert with a leading apostrophe.
- `build_workbook(sheets)`: a report's workbook, a sheet per table (`Sheet`), with grouped header
  rows merged, money columns grouped, the header frozen and an A4 landscape page set up.
- `read_table`: an uploaded XLSX or CSV (UTF-8, with or without BOM) as rows of NFC text, each
  with its line number in the file; a file in a legacy Vietnamese encoding (TCVN3/ABC, VNI) is
  refused with a message that names the encoding.
- `run_import`: all or nothing. Every row is checked, every bad row is reported with its line,
  and nothing is written unless every row is valid.
- `stash_rows` / `load_stash` / `claim_stash` / `drop_stash`: the parsed upload kept between preview
  and confirm in a file under MEDIA_ROOT named by an unguessable token (works with several web
  processes); the confirm claims it atomically, so it imports once.
"""

import csv
import datetime
import io
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .text import clean_text, nfc

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# --- Export ------------------------------------------------------------------------------------


def neutralise(value):
    """Text that a spreadsheet would evaluate (=, +, -, @, tab, CR first) gets a leading apostrophe."""
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", value)
        if value.startswith(_FORMULA_PREFIXES):
            return "'" + value
    return value


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    return neutralise(str(value))


def _is_plain_header(header):
    """Columns of years ("Năm", "Năm thành lập"…) and row numbers: whole numbers shown as typed."""
    header = str(header).strip()
    return header == "STT" or header.split(" ", 1)[0] == "Năm"


def export_xlsx(headers, rows, sheet_title="Dữ liệu", *, plain=()):
    """The bytes of a one-sheet workbook: a bold header row, then `rows` (iterables of values).
    Numbers stay numbers, dates are dates shown dd/mm/yyyy, text is neutralised. Whole numbers from
    1.000 up are shown with grouping, except in the columns named in `plain` and those whose header
    is a year ("Năm…") or "STT": a year must read 2026, not 2.026."""
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, sheet_title, plain=plain)
    return buffer.getvalue()


def write_xlsx(target, headers, rows, sheet_title="Dữ liệu", *, plain=(), progress=None, total=0):
    """`export_xlsx` written to `target` (a path or a binary file). A background export passes
    `progress(percent)` and the `total` number of rows: it is told every 1,000 rows (up to 99%;
    100% is the stored file). openpyxl's write-only mode streams through lxml when it is installed
    (it is: `openpyxl.LXML`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_ILLEGAL_XML.sub("", str(sheet_title))[:31] or "Sheet1")
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    plain_columns = {i for i, h in enumerate(headers) if h in plain or _is_plain_header(h)}
    written = 0
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            value = _cell_value(value)
            if isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
            elif (
                isinstance(value, int)
                and not isinstance(value, bool)
                and abs(value) >= 1000
                and index not in plain_columns
            ):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
        written += 1
        if progress is not None and total and written % 1000 == 0:
            progress(min(99, written * 100 // total))
    workbook.save(target)


def xlsx_response(filename, headers, rows, sheet_title="Dữ liệu", *, plain=()):
    """An HttpResponse that downloads `export_xlsx(...)` as `filename`."""
    response = HttpResponse(
        export_xlsx(headers, rows, sheet_title, plain=plain), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclass
class Sheet:
    """One table of a report's workbook.

    `header_rows`: one or more rows of header cells; a cell is a text, or `(text, span)` to merge
    it over `span` columns (a grouped header such as "Kinh phí (đồng)" over its sources), or
    `(text, 1, rows)` to merge it down over `rows` header rows. A row lists one entry per column
    it starts; a column covered by a merge from the row above is None there. `money`: the indices of
    the columns in đồng, shown grouped (#,##0). `title`: an optional line above the table."""

    name: str
    header_rows: list[list] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    money: tuple[int, ...] | list[int] = ()
    title: str = ""
    widths: dict[int, float] = field(default_factory=dict)


def _sheet_name(name, used):
    base = re.sub(r"[\\/*?:\[\]]", " ", _ILLEGAL_XML.sub("", str(name))).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _write_header(ws, header_rows, first_row, bold, centred, border):
    """Header cells from `first_row` on, merged where a cell spans; returns the next free row."""
    for r, cells in enumerate(header_rows, start=first_row):
        col = 1
        for cell in cells:
            if cell is None:  # covered by a merge from the row above, or left empty
                ws.cell(row=r, column=col).border = border
                col += 1
                continue
            text, span, height = (cell, 1, 1) if not isinstance(cell, tuple) else (*cell, 1, 1)[:3]
            target = ws.cell(row=r, column=col, value=neutralise(str(text)))
            target.font, target.alignment, target.border = bold, centred, border
            if span > 1 or height > 1:
                ws.merge_cells(
                    start_row=r, start_column=col, end_row=r + height - 1, end_column=col + span - 1
                )
            col += span
    return first_row + len(header_rows)


def _write_sheet(ws, sheet):
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = max(
        [len(sheet.rows[0]) if sheet.rows else 0] + [sum(_span(c) for c in r) for r in sheet.header_rows]
    )
    row = 1
    if sheet.title:
        ws.cell(row=1, column=1, value=neutralise(str(sheet.title))).font = Font(bold=True, size=13)
        if width > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        row = 3
    header_top = row
    row = _write_header(ws, sheet.header_rows, row, bold, centred, border)
    money = set(sheet.money)
    for values in sheet.rows:
        for index, value in enumerate(values):
            cell = ws.cell(row=row, column=index + 1, value=_cell_value(value))
            cell.border = border
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            elif index in money and isinstance(cell.value, int | float | Decimal):
                cell.number_format = "#,##0"
        row += 1
    ws.freeze_panes = ws.cell(row=header_top + len(sheet.header_rows), column=1)
    if sheet.header_rows:
        ws.print_title_rows = f"{header_top}:{header_top + len(sheet.header_rows) - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for index in range(width):
        letter = get_column_letter(index + 1)
        ws.column_dimensions[letter].width = sheet.widths.get(index, 18 if index in money else 14)


def _span(cell):
    return cell[1] if isinstance(cell, tuple) and len(cell) > 1 else 1


def build_workbook(sheets: list[Sheet]) -> bytes:
    """The bytes of a workbook with a sheet per `Sheet`: header rows bold, centred and merged where
    a header groups columns, the header frozen and repeated on every printed page, money grouped
    (#,##0, numbers staying numbers), dates dd/mm/yyyy, text neutralised against formulas, and an
    A4 landscape page fitted to the width (reports are wide)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(title=_sheet_name(sheet.name, used)), sheet)
    if not workbook.worksheets:
        workbook.create_sheet(title="Sheet1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    """An HttpResponse that downloads `build_workbook(sheets)` as `filename`."""
    response = HttpResponse(build_workbook(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Reading -----------------------------------------------------------------------------------

# Characters of Vietnamese proper (outside Latin-1): ă đ ĩ ũ ơ ư and the Latin Extended Additional block.
_VIETNAMESE = re.compile(r"[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
# TCVN3 (ABC, fonts .VnTime…) puts Vietnamese letters on these Latin-1 code points; none of them is
# a letter of Unicode Vietnamese: ¨ ă, © â, ª ê, « ô, ¬ ơ, ­ ư, ® đ, µ à, ¶ ả, · ã, ¸ á, ¹ ạ, Þ ị, ß ò…
_TCVN3 = re.compile(
    "[\u00a1-\u00a8\u00aa\u00ac\u00ad\u00b5-\u00b9\u00bb-\u00be\u00c6\u00c7\u00ce\u00d0\u00d7\u00de\u00df\u00f7\u00fe]"
)
# VNI-Windows writes a vowel then its marks as a second character: "Vieät Nam", "Haø Noäi", "Ñöùc".
_VNI = re.compile(
    "[aeiouyAEIOUY][\u00f8\u00ef\u00e4\u00eb\u00e5\u00fc\u00fb\u00d8\u00cf\u00c4\u00cb\u00c5\u00dc\u00db]|\u00d1\u00f6|\\b\u00f1[aeiouô]"
)


def detect_legacy_encoding(text):
    """'TCVN3' or 'VNI' when `text` looks typed in a legacy Vietnamese encoding, else None."""
    if not text:
        return None
    unicode_hits = len(_VIETNAMESE.findall(text))
    tcvn_hits = len(_TCVN3.findall(text))
    vni_hits = len(_VNI.findall(text))
    if max(tcvn_hits, vni_hits) < 2 or unicode_hits > max(tcvn_hits, vni_hits):
        return None
    return "TCVN3" if tcvn_hits >= vni_hits else "VNI"


def check_legacy_encoding(text):
    """Raise a ValidationError naming the legacy encoding `text` is in, if any."""
    encoding = detect_legacy_encoding(text)
    if encoding == "TCVN3":
        raise ValidationError(
            _(
                "Tệp dùng bảng mã TCVN3 (ABC), không phải Unicode. Hãy chuyển tệp sang Unicode "
                "(ví dụ bằng công cụ chuyển mã của Unikey, chọn nguồn TCVN3, đích Unicode) rồi tải lên lại."
            ),
            code="legacy_tcvn3",
        )
    if encoding == "VNI":
        raise ValidationError(
            _(
                "Tệp dùng bảng mã VNI Windows, không phải Unicode. Hãy chuyển tệp sang Unicode "
                "(ví dụ bằng công cụ chuyển mã của Unikey, chọn nguồn VNI Windows, đích Unicode) rồi tải lên lại."
            ),
            code="legacy_vni",
        )


@dataclass
class Table:
    """An uploaded sheet: the header names and each data row as {header: text} with its line number."""

    headers: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)


# A sheet's XML (decompressed) beyond this is refused before it is parsed: a small .xlsx can
# declare gigabytes (a zip bomb), and zipfile never inflates more than the size an entry declares.
_XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
# Columns beyond this in the header row: not one of the portal's templates (they have ~30).
MAX_COLUMNS = 256


class RowBudget:
    """Counts the rows read from an upload (blank ones too) and refuses the file once more than
    the header and `max_rows` rows after it have been read: rows read count, not rows kept, since
    a sheet of a million empty rows costs what a million full ones do. `read` says how far it got."""

    def __init__(self, max_rows):
        self.max_rows = max_rows
        self.read = 0

    def take(self, rows):
        for row in rows:
            self.read += 1
            if self.read > self.max_rows + 1:
                raise ValidationError(
                    _("Tệp có quá nhiều dòng (tối đa %(max)s dòng mỗi lần nhập)."),
                    code="too_many_rows",
                    params={"max": self.max_rows, "rows_read": self.read},
                )
            yield row


def _header_width(values):
    """How many columns the header row names: up to its last non-empty cell."""
    width = 0
    for index, value in enumerate(values, start=1):
        if value not in (None, ""):
            width = index
    return width


def _check_columns(width):
    if width > MAX_COLUMNS:
        raise ValidationError(
            _("Tệp có quá nhiều cột (tối đa %(max)s cột). Hãy dùng tệp mẫu."),
            code="too_many_columns",
            params={"max": MAX_COLUMNS},
        )


def _check_unpacked_size(data):
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            _("Không đọc được tệp Excel (.xlsx). Tệp có thể bị hỏng."), code="bad_xlsx"
        ) from exc
    if unpacked > _XLSX_MAX_UNCOMPRESSED:
        raise _too_large()


def _worksheet(workbook, sheet):
    """The workbook's sheet named `sheet` (or at that index); a missing one is refused."""
    if isinstance(sheet, int):
        return workbook.worksheets[sheet]
    if sheet not in workbook.sheetnames:
        raise ValidationError(
            _("Tệp không có trang “%(sheet)s”. Hãy dùng tệp mẫu.") % {"sheet": sheet},
            code="missing_sheet",
        )
    return workbook[sheet]


def _xlsx_rows(data, budget, convert=_text, sheet=0):
    """The rows of the workbook's `sheet` (the first, or the one of that name) from the header
    (its first non-empty row) on, each cut to the header's columns, each value passed through
    `convert`. The dimension the sheet declares (A1:XFD1048576 in a "dimension bomb") is ignored:
    openpyxl would otherwise build every empty cell of it."""
    from openpyxl import load_workbook

    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError(
            _("Không đọc được tệp Excel (.xlsx). Tệp có thể bị hỏng."), code="bad_xlsx"
        ) from exc
    try:
        sheet = _worksheet(workbook, sheet)
        sheet.reset_dimensions()
        # Up to the header, one column past the most a header may have (to tell it is too wide)...
        header, width = [], 0
        for values in budget.take(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)):
            width = _header_width(values)
            if width:
                _check_columns(width)
                header = [convert(v) for v in values[:width]]
                break
        if not width:
            return []
        # ... then only the header's columns, from the row after it.
        rows = sheet.iter_rows(min_row=budget.read + 1, max_col=width, values_only=True)
        return [header, *([convert(v) for v in row] for row in budget.take(rows))]
    finally:
        workbook.close()


def _csv_delimiter(header_line):
    """Comma or semicolon (Excel's CSV in a locale whose decimal mark is a comma), decided from the
    header line alone: a sniffer that reads data rows is fooled by commas and quotes inside them."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _csv_rows(data, budget):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        check_legacy_encoding(data.decode("cp1252", errors="replace"))
        raise ValidationError(
            _("Tệp CSV không dùng mã UTF-8. Hãy lưu lại tệp dạng “CSV UTF-8” rồi tải lên lại."),
            code="not_utf8",
        ) from None
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=_csv_delimiter(first_line), doublequote=True)
    try:
        return [[clean_text(v) for v in row] for row in budget.take(reader)]
    except csv.Error as exc:
        raise ValidationError(
            _("Không đọc được tệp CSV (dòng %(line)s). Hãy lưu lại tệp dạng “CSV UTF-8” rồi tải lên lại."),
            code="bad_csv",
            params={"line": reader.line_num},
        ) from exc


def _too_large():
    limit = settings.IMPORT_MAX_UPLOAD_SIZE
    size = f"{limit / (1 << 20):g} MB" if limit >= 1 << 20 else f"{-(-limit // 1024)} KB"
    return ValidationError(
        _("Tệp quá lớn (tối đa %(size)s mỗi lần nhập)."), code="too_large", params={"size": size}
    )


def _upload_bytes(upload):
    """The upload's content, refused above IMPORT_MAX_UPLOAD_SIZE before anything is parsed (and,
    for a file object, without reading more than one byte past the limit)."""
    limit = settings.IMPORT_MAX_UPLOAD_SIZE
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise _too_large()
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large()
    return data


def read_xlsx_values(upload, *, max_rows=20000, sheet=0):
    """A sheet of an XLSX (the first, or the one named `sheet`) as lists of typed cell values,
    header row first, with the limits of `read_table` (size, the header's columns, rows read). For
    the admin's import-export and the unit report's form (reports.unit_excel)."""
    return _xlsx_rows(_upload_bytes(upload), RowBudget(max_rows), convert=lambda value: value, sheet=sheet)


def check_csv_size(content, *, max_rows=20000):
    """Refuse CSV (text or bytes) above the upload size or with more rows than `read_table`
    accepts, before another reader (the admin's import-export) builds it: the rows are parsed
    here one at a time and none is kept."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    _upload_bytes(data)
    text = data.decode("utf-8-sig", errors="replace")
    try:
        for _row in RowBudget(max_rows).take(csv.reader(io.StringIO(text))):
            pass
    except csv.Error:
        pass  # malformed CSV is the reader's to report


def read_table(upload, *, filename=None, max_rows=20000):
    """Read an uploaded file (a Django UploadedFile, a file object or bytes) into a Table.

    XLSX is recognised by its content (a zip), anything else is read as CSV. Blank rows are
    skipped; line numbers are those of the file (the header is line 1). Every value is NFC text.
    A file above IMPORT_MAX_UPLOAD_SIZE is refused unread; reading stops, and the file is refused,
    once more than `max_rows` rows after the header have been read, blank ones included."""
    if not isinstance(upload, bytes | bytearray):
        filename = filename or getattr(upload, "name", None)
    data = _upload_bytes(upload)
    if not data:
        raise ValidationError(_("Tệp trống."), code="empty")
    budget = RowBudget(max_rows)
    if data[:2] == b"PK":
        raw_rows = _xlsx_rows(data, budget)
    elif filename and filename.lower().endswith((".xls", ".xlsm", ".ods")):
        raise ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."), code="bad_type")
    else:
        raw_rows = _csv_rows(data, budget)
    skipped = 0
    while skipped < len(raw_rows) and not any(raw_rows[skipped]):
        skipped += 1
    if skipped == len(raw_rows):
        raise ValidationError(_("Tệp không có dữ liệu."), code="empty")
    header_row, data_rows = raw_rows[skipped], raw_rows[skipped + 1 :]
    # The header row apart: a template's Unicode headers must not outweigh data typed in TCVN3/VNI.
    check_legacy_encoding(" ".join(header_row))
    check_legacy_encoding("\n".join(" ".join(r) for r in data_rows))
    headers = [nfc(h).strip() for h in header_row]
    table = Table(headers=headers)
    for index, values in enumerate(data_rows, start=2):
        if not any(values):
            continue
        row = {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers) if h}
        table.rows.append((index, row))
    return table


def require_columns(table, required):
    """Refuse a table without the columns `required` (their header texts)."""
    missing = [c for c in required if c not in table.headers]
    if missing:
        raise ValidationError(
            _("Tệp thiếu cột: %(cols)s. Hãy dùng tệp mẫu.") % {"cols": ", ".join(missing)},
            code="missing_columns",
        )


# --- All-or-nothing import ---------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    messages: list[str]

    def __str__(self):
        return _("Dòng %(line)s: %(msg)s") % {"line": self.line, "msg": "; ".join(self.messages)}


@dataclass
class ImportResult:
    instances: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self):
        return not self.errors


def error_messages(error):
    """The messages of a ValidationError as plain strings, each field named by its label when known."""
    if hasattr(error, "error_dict"):
        messages = []
        for name, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    messages.append(message if name == "__all__" else f"{name}: {message}")
        return messages
    return [str(m) for m in error.messages]


def _bulk_save(instances):
    by_model = {}
    for instance in instances:
        by_model.setdefault(type(instance), []).append(instance)
    for model, objs in by_model.items():
        model.objects.bulk_create(objs, batch_size=500)


def run_import(rows, build_row, *, dry_run=False, save=_bulk_save):
    """All or nothing: `build_row(data, line)` returns an unsaved, validated instance or raises
    ValidationError. Every row is tried; any error means nothing is written and every bad row is
    reported with its line. With `dry_run` (the preview) nothing is written either way.
    `save(instances)` writes the lot (default: bulk_create per model) inside one transaction."""
    result = ImportResult()
    for line, data in rows:
        try:
            result.instances.append(build_row(data, line))
        except ValidationError as error:
            result.errors.append(RowError(line=line, messages=error_messages(error)))
    if result.errors or dry_run:
        return result
    try:
        with transaction.atomic():
            save(result.instances)
    except IntegrityError as exc:
        result.errors.append(
            RowError(
                line=0,
                messages=[
                    _(
                        "Dữ liệu vừa bị thay đổi trong khi nhập (trùng mã). Không dòng nào được ghi; hãy nhập lại."
                    )
                ],
            )
        )
        result.instances = []
        if settings.DEBUG:
            result.errors[-1].messages.append(str(exc))
        return result
    result.saved = True
    return result


# --- Preview then confirm ----------------------------------------------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_STASH_MAX_AGE = 24 * 3600


# The admin's import-export keeps its previews here (import_export.tmp_storages.MediaStorage).
_ADMIN_DRAFTS = "django-import-export"


def purge_stale_drafts(max_age=_STASH_MAX_AGE):
    """Delete import drafts (ours and the admin's) older than `max_age` seconds: previews never
    confirmed would otherwise keep uploaded personal data under MEDIA_ROOT. Returns how many."""
    cutoff = time.time() - max_age
    removed = 0
    for folder in (Path(settings.MEDIA_ROOT) / "import-stash", Path(settings.MEDIA_ROOT) / _ADMIN_DRAFTS):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
    return removed


def _stash_dir():
    path = Path(settings.MEDIA_ROOT) / "import-stash"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_rows(table, *, user, kind):
    """Keep a parsed upload for the confirm step; returns the token that names it."""
    folder = _stash_dir()
    purge_stale_drafts()
    token = secrets.token_urlsafe(24)
    payload = {"user": user.pk, "kind": kind, "headers": table.headers, "rows": table.rows}
    (folder / f"{token}.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return token


def _expired():
    return ValidationError(
        _("Phiên nhập dữ liệu đã hết hạn hoặc không tồn tại. Vui lòng tải tệp lên lại."), code="expired"
    )


def _payload_table(payload, *, user, kind):
    if payload.get("user") != user.pk or payload.get("kind") != kind:
        raise _expired()
    return Table(headers=payload["headers"], rows=[(line, row) for line, row in payload["rows"]])


def load_stash(token, *, user, kind):
    """The Table stashed under `token` by this user for this kind of import."""
    if not token or not _TOKEN.match(token):
        raise _expired()
    path = _stash_dir() / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _expired() from None
    return _payload_table(payload, user=user, kind=kind)


def claim_stash(token, *, user, kind):
    """Take the preview under `token` for its confirm, once: the stash file is renamed atomically
    (one rename wins, on every web process), so a double submit or two tabs import it once. The
    loser is told the file was imported already. Call `release_stash` when the import wrote
    nothing (the preview may be confirmed again) and `drop_stash` when it did."""
    if not token or not _TOKEN.match(token):
        raise _expired()
    folder = _stash_dir()
    claimed = folder / f"{token}.claimed"
    try:
        os.rename(folder / f"{token}.json", claimed)
    except FileNotFoundError:
        if claimed.exists() or (folder / f"{token}.done").exists():
            raise ValidationError(
                _("Tệp này đã được nhập. Xem danh sách để kiểm tra kết quả."), code="already_imported"
            ) from None
        raise _expired() from None
    try:
        payload = json.loads(claimed.read_text(encoding="utf-8"))
        return _payload_table(payload, user=user, kind=kind)
    except (OSError, ValueError, ValidationError):
        release_stash(token)
        raise _expired() from None


def release_stash(token):
    """Give a claimed preview back (its import wrote nothing)."""
    if token and _TOKEN.match(token):
        folder = _stash_dir()
        try:
            os.rename(folder / f"{token}.claimed", folder / f"{token}.json")
        except FileNotFoundError:
            pass


def drop_stash(token):
    """Forget the rows of a preview; a confirmed one leaves an empty marker (purged with the stale
    drafts) so that a late second confirm is told it was imported, not that it expired."""
    if token and _TOKEN.match(token):
        folder = _stash_dir()
        claimed = folder / f"{token}.claimed"
        if claimed.exists():
            (folder / f"{token}.done").write_text("", encoding="utf-8")
            claimed.unlink(missing_ok=True)
        (folder / f"{token}.json").unlink(missing_ok=True)
