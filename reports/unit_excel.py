"""The unit report as a spreadsheet (issue 11, item 8): the unit's official (or a Sở officer, a
leader) downloads the report's form pre-filled as XLSX, and the official uploads it back.

The workbook has three sheets: "Số liệu" (one row per indicator: code, indicator, unit, the
portal's figure, the unit's figure, the note), "Thuyết minh" (the three narrative sections) and
"Hướng dẫn" (the report's number and version, and how to fill it in). Money in triệu đồng is a
number of millions, as on the page.

The upload goes through the same checks as the web form, not a second validator: the file is
checked by content (core.uploads) and read with the import limits (core.spreadsheets: size,
unpacked size, columns, rows read, legacy encodings refused); each cell is handed to the report
form's own field (reports.forms.UnitReportForm) and the figures are written by the report's save
service (reports.services.unit_report_save) with the version the file was downloaded at, so a
stale file is refused. Any error refuses the whole file with each bad row named ("Dòng 5: …");
nothing changes."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import role_required
from accounts.roles import Role
from core.spreadsheets import (
    RowError,
    Sheet,
    Table,
    check_legacy_encoding,
    read_xlsx_values,
    require_columns,
    workbook_response,
)
from core.text import nfc
from core.uploads import check_upload
from programmes.resources import unescape_formula

from . import services
from .forms import TrieuField, UnitReportForm, scale_of
from .models import UnitReport
from .unit_selectors import form_initial, report_indicators, unit_report_for, unit_report_page

REPORT_ROLES = (Role.STAFF, Role.LEADER, Role.UNIT_REPORTER)
MAX_ROWS = 500  # the form has some thirty indicators
MAX_SHOWN = 30  # row messages shown on the page at most


def sheet_names() -> dict:
    return {"values": _("Số liệu"), "narrative": _("Thuyết minh"), "info": _("Hướng dẫn")}


def columns() -> dict:
    return {
        "code": _("Mã chỉ tiêu"),
        "label": _("Chỉ tiêu"),
        "unit": _("Đơn vị tính"),
        "prefilled": _("Số liệu của Cổng"),
        "value": _("Số liệu của đơn vị"),
        "note": _("Giải trình (khi khác số liệu của Cổng)"),
    }


def sections() -> dict:
    """The narrative sections by field name, as the rows of the "Thuyết minh" sheet name them."""
    return {
        "results": _("1. Kết quả thực hiện"),
        "difficulties": _("2. Khó khăn, vướng mắc"),
        "proposals": _("3. Đề xuất, kiến nghị"),
    }


def info_keys() -> dict:
    return {"report": _("Mã báo cáo"), "version": _("Phiên bản")}


# --- the download --------------------------------------------------------------------------------


def _figure(indicator, amount):
    """A stored figure as the number typed in the form: triệu đồng as millions (1,5), else as is."""
    if amount is None:
        return None
    scale = scale_of(indicator)
    if scale == 1:
        return amount
    millions = Decimal(amount) / scale
    return int(millions) if millions == millions.to_integral_value() else float(millions)


def _instructions(report: UnitReport) -> list[list]:
    period = report.period
    cols = columns()
    return [
        [_("Đơn vị"), report.unit.name],
        [_("Năm báo cáo"), period.year],
        [info_keys()["report"], report.pk],
        [info_keys()["version"], report.version],
        [
            _("Số liệu"),
            _("Từ ngày %(start)s đến ngày %(end)s; phần sau ngày %(end)s ghi số ước thực hiện đến hết năm.")
            % {"start": period.data_from.strftime("%d/%m/%Y"), "end": period.data_to.strftime("%d/%m/%Y")},
        ],
        [_("Tải về lúc"), timezone.localtime().replace(tzinfo=None, microsecond=0)],
        [
            _("Cách điền"),
            _(
                "Trang “%(values)s”: ghi số liệu của đơn vị vào cột “%(value)s” (đã điền sẵn số liệu của "
                "Cổng hoặc số đơn vị đã lưu); số liệu khác số liệu của Cổng thì ghi giải trình vào cột "
                "“%(note)s”. Tiền ghi theo đơn vị tính của dòng (triệu đồng: 1250 hoặc 1,5)."
            )
            % {"values": sheet_names()["values"], "value": cols["value"], "note": cols["note"]},
        ],
        [
            "",
            _("Trang “%(narrative)s”: viết ba phần của báo cáo vào cột “Nội dung”.")
            % {"narrative": sheet_names()["narrative"]},
        ],
        [
            "",
            _(
                "Không sửa cột “%(code)s”, không thêm hay xóa dòng, không sửa mã báo cáo và phiên bản. "
                "Tải tệp lên tại trang báo cáo: số liệu được lưu nháp, kiểm tra lại rồi bấm gửi báo cáo. "
                "Tệp có lỗi thì không số liệu nào thay đổi; nếu báo cáo đã được sửa sau khi tải tệp về, "
                "hãy tải biểu mẫu mới."
            )
            % {"code": cols["code"]},
        ],
    ]


def report_sheets(user: User, report: UnitReport) -> list[Sheet]:
    """The report's form as sheets: the figures the page's form starts from (the unit's own, else
    the portal's), the portal's figure beside them, the notes, the narrative and the instructions."""
    page = unit_report_page(user, report)
    initial = form_initial(report, page["rows"])
    cols = columns()
    rows = []
    for row in page["rows"]:
        indicator = row.indicator
        rows.append(
            [
                indicator.code,
                indicator.label,
                indicator.unit,
                _("đơn vị tự nhập") if row.prefilled is None else _figure(indicator, row.prefilled),
                _figure(indicator, initial[f"value_{indicator.pk}"]),
                initial[f"note_{indicator.pk}"],
            ]
        )
    names = sheet_names()
    return [
        Sheet(name=names["values"], header_rows=[list(cols.values())], rows=rows, widths={1: 60, 5: 40}),
        Sheet(
            name=names["narrative"],
            header_rows=[[_("Mục"), _("Nội dung")]],
            rows=[[label, initial[name]] for name, label in sections().items()],
            widths={0: 28, 1: 100},
        ),
        Sheet(
            name=names["info"],
            header_rows=[[_("Mục"), _("Nội dung")]],
            rows=_instructions(report),
            widths={0: 20, 1: 110},
        ),
    ]


def download_name(report: UnitReport) -> str:
    return f"bao-cao-{report.period.year}-don-vi-{report.pk}.xlsx"


# --- reading the upload --------------------------------------------------------------------------


def _text(value) -> str:
    """A text cell as the form would receive it: NFC, a neutralised formula given back its text
    (the download writes "=…" as "'=…"); numbers as typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.strftime("%d/%m/%Y")
    return unescape_formula(nfc(str(value)).strip())


def _figure_input(value, form_field) -> str:
    """A figure cell as the text the form's field parses (the field says whether it is right): a
    whole number as its digits, triệu đồng with a decimal comma (1,5). A fraction in a field of
    whole numbers, a date or a yes/no is the field's own "invalid" (parsing "1.5" as typed would
    read 15)."""
    if value is None or isinstance(value, str):
        return _text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return str(int(value))
        if isinstance(form_field, TrieuField):
            return f"{Decimal(repr(round(value, 6))):f}".replace(".", ",")
    raise ValidationError(form_field.error_messages["invalid"], code="invalid")


def _read_sheet(
    data: bytes, name: str, required, *, max_rows: int
) -> tuple[list[str], list[tuple[int, list]]]:
    """A sheet's header (as text) and its non-blank rows with their line (the header is line 1),
    with the import limits; legacy encodings refused as `read_table` refuses them."""
    header, *rows = read_xlsx_values(data, sheet=name, max_rows=max_rows) or [[]]
    header = [_text(h) for h in header]
    check_legacy_encoding(" ".join(header))
    check_legacy_encoding("\n".join(" ".join(c for c in row if isinstance(c, str)) for row in rows))
    require_columns(Table(headers=header), required)
    numbered = [
        (line, list(row)) for line, row in enumerate(rows, start=2) if any(c not in (None, "") for c in row)
    ]
    return header, numbered


def _legacy(text: str) -> list[str]:
    """What `check_legacy_encoding` says of one cell the unit typed (a note, a section): the
    sheet's check alone misses one in TCVN3 among rows of Unicode labels."""
    try:
        check_legacy_encoding(text)
    except ValidationError as error:
        return error.messages
    return []


def _cell(header, row, column):
    index = header.index(column)
    return row[index] if index < len(row) else None


@dataclass
class Parsed:
    """What the upload says: the report it was downloaded from and its version, the form's data,
    where each field came from (its sheet and line, to name it in a message), and what is wrong:
    by row, and for the file as a whole."""

    report: str = ""
    version: str = ""
    data: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # form field -> (sheet, line)
    rows: dict = field(default_factory=dict)  # (sheet, line) -> messages
    general: list[str] = field(default_factory=list)

    def add(self, where: tuple[str, int], messages: list[str]) -> None:
        if messages:
            self.rows.setdefault(where, []).extend(str(m) for m in messages)

    def add_fields(self, errors: dict) -> None:
        """Errors by form field (the form's, the service's) on the row the field came from; those
        of no row (the version…) for the file."""
        for name, found in errors.items():
            where = self.lines.get(name)
            if where is None:
                self.general.extend(str(m) for m in found)
            else:
                self.add(where, found)

    def messages(self) -> list[str]:
        """The file's messages, then each bad row's in the order of the sheets and lines."""
        order = list(sheet_names().values())
        rows = sorted(self.rows.items(), key=lambda item: (order.index(item[0][0]), item[0][1]))
        return self.general + [_row_message(sheet, line, found) for (sheet, line), found in rows]


def _row_message(sheet: str, line: int, messages: list[str]) -> str:
    if sheet == sheet_names()["values"]:
        return str(RowError(line=line, messages=messages))
    return _("Trang “%(sheet)s”, dòng %(line)s: %(msg)s") % {
        "sheet": sheet,
        "line": line,
        "msg": "; ".join(messages),
    }


def _indicator_of(code: str, by_code: dict, seen: dict):
    """The row's indicator, or why the row is refused."""
    if not code:
        raise ValidationError(_("Thiếu mã chỉ tiêu."))
    if code not in by_code:
        raise ValidationError(_("Mã chỉ tiêu “%(code)s” không có trong biểu báo cáo.") % {"code": code})
    if code in seen:
        raise ValidationError(
            _("Chỉ tiêu “%(code)s” đã có ở dòng %(first)s.") % {"code": code, "first": seen[code]}
        )
    return by_code[code]


def _read_values(data: bytes, parsed: Parsed, form: UnitReportForm) -> None:
    cols, sheet = columns(), sheet_names()["values"]
    header, rows = _read_sheet(data, sheet, [cols["code"], cols["value"], cols["note"]], max_rows=MAX_ROWS)
    by_code = {i.code: i for i in form.indicators}
    seen = {}
    for line, row in rows:
        where = (sheet, line)
        try:
            indicator = _indicator_of(_text(_cell(header, row, cols["code"])), by_code, seen)
        except ValidationError as error:
            parsed.add(where, error.messages)
            continue
        seen[indicator.code] = line
        value_name, note_name = f"value_{indicator.pk}", f"note_{indicator.pk}"
        parsed.lines[value_name] = parsed.lines[note_name] = where
        try:
            parsed.data[value_name] = _figure_input(
                _cell(header, row, cols["value"]), form.fields[value_name]
            )
        except ValidationError as error:
            parsed.add(where, error.messages)
        parsed.data[note_name] = _text(_cell(header, row, cols["note"]))
        parsed.add(where, _legacy(parsed.data[note_name]))
    missing = [code for code in by_code if code not in seen]
    if missing:
        parsed.general.append(
            _("Tệp thiếu chỉ tiêu: %(codes)s. Hãy tải biểu mẫu mới.") % {"codes": ", ".join(missing)}
        )


def _read_narrative(data: bytes, parsed: Parsed) -> None:
    sheet, item, text = sheet_names()["narrative"], _("Mục"), _("Nội dung")
    header, rows = _read_sheet(data, sheet, [item, text], max_rows=20)
    names = {label: name for name, label in sections().items()}
    for line, row in rows:
        label = _text(_cell(header, row, item))
        name = names.get(label)
        if name is None or name in parsed.data:
            message = _("Mục “%(label)s” không có trong biểu báo cáo.") % {"label": label}
            parsed.add((sheet, line), [message])
            continue
        parsed.data[name] = _text(_cell(header, row, text))
        parsed.lines[name] = (sheet, line)
        parsed.add((sheet, line), _legacy(parsed.data[name]))
    missing = [label for label, name in names.items() if name not in parsed.data]
    if missing:
        parsed.general.append(
            _("Trang “%(sheet)s” thiếu mục: %(items)s.") % {"sheet": sheet, "items": "; ".join(missing)}
        )


def _read_info(data: bytes, parsed: Parsed) -> None:
    item, text = _("Mục"), _("Nội dung")
    header, rows = _read_sheet(data, sheet_names()["info"], [item, text], max_rows=100)
    keys = {label: key for key, label in info_keys().items()}
    for _line, row in rows:
        key = keys.get(_text(_cell(header, row, item)))
        if key:
            setattr(parsed, key, _text(_cell(header, row, text)))


def _check_origin(parsed: Parsed, report: UnitReport) -> None:
    """The file must be this report's form, with the version it was downloaded at."""
    if not (parsed.report.isdigit() and parsed.version.isdigit()):
        raise ValidationError(
            _(
                "Tệp không ghi mã báo cáo và phiên bản (trang “%(sheet)s”). Hãy tải biểu mẫu mới từ trang báo cáo."
            )
            % {"sheet": sheet_names()["info"]},
            code="no_origin",
        )
    if int(parsed.report) != report.pk:
        raise ValidationError(
            _("Tệp này là biểu mẫu của một báo cáo khác. Hãy tải biểu mẫu của báo cáo này."),
            code="other_report",
        )


def _service_errors(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {name: ValidationError(found).messages for name, found in error.error_dict.items()}
    return {None: error.messages}


def unit_report_upload(*, user: User, report: UnitReport, uploaded) -> UnitReport:
    """Save the unit's figures and narrative from its filled-in form (a draft, like the page's
    "Lưu nháp"), for its official while the report is editable by them. All or nothing: a bad file,
    a bad row, a file of another report or a stale one (the report changed since it was
    downloaded) raises a ValidationError with every message and changes nothing."""
    services.check_may_edit(user, report)
    check_upload(uploaded, allowed={"xlsx"})
    uploaded.seek(0)
    data = uploaded.read()
    indicators = report_indicators(report)
    parsed = Parsed()
    _read_info(data, parsed)
    _check_origin(parsed, report)
    _read_values(data, parsed, UnitReportForm(indicators=indicators))
    _read_narrative(data, parsed)
    form = UnitReportForm({**parsed.data, "version": parsed.version}, indicators=indicators)
    if not form.is_valid():
        parsed.add_fields(form.errors)
    if parsed.rows or parsed.general:
        raise ValidationError(parsed.messages(), code="rows")
    try:
        return services.unit_report_save(
            user=user,
            report=report,
            values=form.values(),
            narrative=form.narrative(),
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        parsed.add_fields(_service_errors(error))
        raise ValidationError(parsed.messages(), code="rows") from None


# --- views ---------------------------------------------------------------------------------------


@never_cache
@require_GET
@role_required(*REPORT_ROLES)
def xlsx_download(request, pk):
    """The report's form pre-filled, for whoever may read the report (404 for another unit's)."""
    report = unit_report_for(request.user, pk)
    response = workbook_response(download_name(report), report_sheets(request.user, report))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(*REPORT_ROLES)
def xlsx_upload(request, pk):
    """The official's filled-in form; back to the report page with what was saved or every error."""
    report = unit_report_for(request.user, pk)
    try:
        unit_report_upload(user=request.user, report=report, uploaded=request.FILES.get("file"))
    except ValidationError as error:
        found = error.messages
        messages.error(request, _("Chưa nhập được tệp Excel: không số liệu nào thay đổi."))
        for message in found[:MAX_SHOWN]:
            messages.error(request, message)
        if len(found) > MAX_SHOWN:
            messages.error(request, _("… và %(n)s lỗi khác.") % {"n": len(found) - MAX_SHOWN})
    else:
        messages.success(
            request, _("Đã nhập số liệu từ tệp Excel và lưu nháp. Hãy kiểm tra lại rồi gửi báo cáo.")
        )
    return redirect(f"{reverse('reports:unit_report', args=[report.pk])}#excel")
