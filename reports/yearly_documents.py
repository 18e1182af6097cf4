"""The files of a compiled report, made from its snapshot only (reports.yearly_snapshot): the PDF on
the NĐ 30/2020/NĐ-CP base (templates/reports/print/yearly_report.html: A4 portrait, annexes on
landscape pages, page numbers from page 2, table headers repeated on every page, money in triệu
đồng) and the XLSX companion with the same tables, one sheet each (numbers stay numbers, money in
đồng; core.spreadsheets neutralises any text a spreadsheet would evaluate)."""

import datetime

from django.utils.translation import gettext as _

from core.charts import ProgressItem, progress_chart
from core.pdf import render_pdf
from core.spreadsheets import Sheet, build_workbook

from .dashboard import money_chart
from .yearly_models import PASSAGES

TEMPLATE = "reports/print/yearly_report.html"
# Annex 3 prints this many indicators per table, so a landscape page holds the columns.
INDICATORS_PER_TABLE = 9


def _chart(snapshot: dict):
    rows = snapshot["targets"]["rows"]
    if not rows:
        return None
    return progress_chart(
        _("Tiến độ thực hiện chỉ tiêu"),
        [
            ProgressItem(
                key=r["code"], label=r["name"], achieved=r["achieved"], goal=r["goal"], unit=r["unit"]
            )
            for r in rows
        ],
    )


# the snapshot's money keys → the dashboard's measures (reports.dashboard.MONEY_MEASURES)
SNAPSHOT_MONEY = {
    "planned": "planned_money",
    "approved": "approved_money",
    "disbursed": "disbursed_money",
    "settled": "settled_money",
    "counterpart": "counterpart",
}


def _money_chart(snapshot: dict):
    """The dashboard's money-by-source chart, drawn from the snapshot's figures."""
    rows = snapshot["by_source"]
    if not rows:
        return None
    return money_chart(
        _("Kinh phí theo nguồn (triệu đồng)"),
        [(r["short_name"], {key: r[name] for key, name in SNAPSHOT_MONEY.items()}) for r in rows],
    )


def _totals(rows: list[dict], keys) -> dict:
    return {key: sum(r[key] for r in rows) for key in keys}


def _indicator_tables(snapshot: dict) -> list[dict]:
    indicators = snapshot["indicators"]
    tables = []
    for start in range(0, len(indicators), INDICATORS_PER_TABLE):
        columns = indicators[start : start + INDICATORS_PER_TABLE]
        rows = [
            {"unit": u["unit"], "cells": [(u["values"].get(c["code"]), c["money"]) for c in columns]}
            for u in snapshot["annexes"]["indicators_by_unit"]
        ]
        tables.append({"columns": columns, "rows": rows})
    return tables


ANNEXES = (1, 2, 3, 4)


def document_context(
    snapshot: dict, *, body: bool = True, annexes=ANNEXES, stamped: bool = False, rows: tuple | None = None
) -> dict:
    """The template's context; `body`, `annexes`, `stamped` and `rows` (start, stop) of annex 1 or 2
    render a part of the document (reports.yearly_pdf lays the parts out side by side and numbers
    the merged pages)."""
    header = snapshot["header"]
    projects, facilities = snapshot["annexes"]["projects"], snapshot["annexes"]["facilities"]
    start, stop = rows or (0, max(len(projects), len(facilities)))
    passages = [
        {"field": field, "number": number, "heading": heading, "text": snapshot["passages"].get(field, "")}
        for field, number, heading in PASSAGES
    ]
    return {
        **header,
        "s": snapshot,
        "body": body,
        "annexes": list(annexes),
        "stamped": stamped,
        "annex_projects": projects[start:stop],
        "annex_facilities": facilities[start:stop],
        "row_offset": start,
        "continued": start > 0,
        "last_rows": stop >= len(projects),
        "passages": {p["field"]: p for p in passages},
        "date": None,  # "ngày … tháng … năm …": dated by hand when signed
        "date_from": datetime.date.fromisoformat(snapshot["date_from"]),
        "date_to": datetime.date.fromisoformat(snapshot["date_to"]),
        "source_totals": _totals(
            snapshot["by_source"],
            (
                "planned_projects",
                "approved_projects",
                "accepted_projects",
                "settled_projects",
                "planned_money",
                "approved_money",
                "disbursed_money",
                "settled_money",
                "counterpart",
            ),
        ),
        "area_rows": [
            {**area, "cells": [area["sources"][r["code"]] for r in snapshot["by_source"]]}
            for area in snapshot["by_area"]
        ],
        "chart": _chart(snapshot),
        "money_chart": _money_chart(snapshot),
        "indicator_tables": _indicator_tables(snapshot),
        "project_total": sum(r["support"] for r in snapshot["annexes"]["projects"]),
        "counterpart_total": sum(r["counterpart"] for r in snapshot["annexes"]["projects"]),
    }


def render_report_pdf_whole(snapshot: dict) -> bytes:
    """The PDF as one document laid out in one go (WeasyPrint numbers the pages)."""
    return render_pdf(TEMPLATE, document_context(snapshot))


# --- the workbook -------------------------------------------------------------------------------


def _source_sheet(s: dict) -> Sheet:
    rows = [
        [
            r["short_name"],
            r["planned_projects"],
            r["approved_projects"],
            r["accepted_projects"],
            r["settled_projects"],
            r["planned_money"],
            r["approved_money"],
            r["disbursed_money"],
            r["settled_money"],
            r["counterpart"],
        ]
        for r in s["by_source"]
    ]
    return Sheet(
        name=_("Theo nguồn"),
        title=_("Kết quả thực hiện theo nguồn kinh phí"),
        header_rows=[
            [(_("Nguồn kinh phí"), 1, 2), (_("Số đề án"), 4), (_("Kinh phí (đồng)"), 5)],
            [
                None,
                _("Kế hoạch"),
                _("Phê duyệt"),
                _("Nghiệm thu"),
                _("Quyết toán"),
                _("Kế hoạch"),
                _("Phê duyệt"),
                _("Giải ngân"),
                _("Quyết toán"),
                _("Vốn đối ứng"),
            ],
        ],
        rows=rows,
        money=(5, 6, 7, 8, 9),
    )


def _area_sheet(s: dict) -> Sheet:
    codes = [r["code"] for r in s["by_source"]]
    names = {r["code"]: r["short_name"] for r in s["by_source"]}
    keys = ("planned_money", "approved_projects", "approved_money", "disbursed_money")
    rows = [
        [f"{r['number']}. {r['name']}", *[r["sources"][c][k] for c in codes for k in keys]]
        for r in s["by_area"]
    ]
    money = [1 + i * len(keys) + j for i in range(len(codes)) for j in (0, 2, 3)]
    return Sheet(
        name=_("Theo nội dung"),
        title=_("Kết quả thực hiện theo nội dung hoạt động"),
        header_rows=[
            [(_("Nội dung"), 1, 2), *[(names[c], len(keys)) for c in codes]],
            [None]
            + [
                label
                for _c in codes
                for label in (
                    _("Kế hoạch (đồng)"),
                    _("Số đề án phê duyệt"),
                    _("Phê duyệt (đồng)"),
                    _("Giải ngân (đồng)"),
                )
            ],
        ],
        rows=rows,
        money=money,
        widths={0: 50},
    )


def _target_sheet(s: dict) -> Sheet:
    t = s["targets"]
    return Sheet(
        name=_("Mục tiêu"),
        title=_("Tiến độ thực hiện mục tiêu Chương trình (thời gian đã qua: %(p)s%%)") % {"p": t["elapsed"]},
        header_rows=[
            [_("Chỉ tiêu"), _("Đơn vị tính"), _("Mục tiêu"), _("Đạt đến nay"), _("Tỷ lệ (%)"), _("Cách tính")]
        ],
        rows=[[r["name"], r["unit"], r["goal"], r["achieved"], r["percent"], r["rule"]] for r in t["rows"]],
        widths={0: 50, 5: 60},
    )


def _completeness_sheet(s: dict) -> Sheet:
    rows = []
    for c in s["completeness"]:
        summary = c["summary"]
        rows.append(
            [
                c["year"],
                summary["expected"],
                summary["on_time"],
                summary["late"],
                summary["missing"],
                "; ".join(c["late"]),
                "; ".join(c["missing"]),
            ]
        )
    return Sheet(
        name=_("Tình hình báo cáo"),
        header_rows=[
            [
                _("Năm"),
                _("Phải báo cáo"),
                _("Đúng hạn"),
                _("Muộn"),
                _("Chưa gửi"),
                _("Đơn vị gửi muộn"),
                _("Đơn vị chưa gửi"),
            ]
        ],
        rows=rows,
        widths={5: 60, 6: 60},
    )


def _indicator_sheet(s: dict) -> Sheet:
    return Sheet(
        name=_("Chỉ tiêu"),
        title=_("Kết quả theo nội dung hoạt động: tổng hợp của các đơn vị và số liệu của Cổng"),
        header_rows=[
            [_("Mã"), _("Chỉ tiêu"), _("Đơn vị tính"), _("Tổng hợp của các đơn vị"), _("Số liệu của Cổng")]
        ],
        rows=[[r["code"], r["label"], r["unit"], r["units_sum"], r["portal"]] for r in s["indicators"]],
        widths={1: 60},
    )


def _annex_sheets(s: dict) -> list[Sheet]:
    annexes = s["annexes"]
    indicators = s["indicators"]
    return [
        Sheet(
            name=_("PL1 Đề án"),
            title=_("Phụ lục 1. Danh sách đề án"),
            header_rows=[
                [
                    _("Mã đề án"),
                    _("Tên đề án"),
                    _("Hoạt động"),
                    _("Cơ sở thụ hưởng"),
                    _("Địa bàn"),
                    _("Nguồn"),
                    _("Kinh phí hỗ trợ (đồng)"),
                    _("Vốn đối ứng (đồng)"),
                    _("Trạng thái"),
                ]
            ],
            rows=[
                [
                    r["code"],
                    r["title"],
                    r["activity"],
                    r["beneficiaries"],
                    r["communes"],
                    r["source"],
                    r["support"],
                    r["counterpart"],
                    r["status"],
                ]
                for r in annexes["projects"]
            ],
            money=(6, 7),
            widths={1: 50, 3: 40},
        ),
        Sheet(
            name=_("PL2 Cơ sở"),
            title=_("Phụ lục 2. Cơ sở được hỗ trợ"),
            header_rows=[
                [_("Tên cơ sở"), _("Loại hình"), _("Xã, phường"), _("Số đề án"), _("Kinh phí hỗ trợ (đồng)")]
            ],
            rows=[
                [r["name"], r["kind"], r["commune"], r["projects"], r["support"]]
                for r in annexes["facilities"]
            ],
            money=(4,),
            widths={0: 50},
        ),
        Sheet(
            name=_("PL3 Chỉ tiêu theo đơn vị"),
            title=_("Phụ lục 3. Chỉ tiêu theo đơn vị"),
            header_rows=[[_("Đơn vị"), *[f"{i['label']} ({i['unit']})" for i in indicators]]],
            rows=[
                [u["unit"], *[u["values"].get(i["code"]) for i in indicators]]
                for u in annexes["indicators_by_unit"]
            ],
            money=[n + 1 for n, i in enumerate(indicators) if i["money"]],
            widths={0: 40},
        ),
        Sheet(
            name=_("PL4 Khó khăn, kiến nghị"),
            title=_("Phụ lục 4. Khó khăn, vướng mắc và kiến nghị của các đơn vị"),
            header_rows=[[_("Đơn vị"), _("Khó khăn, vướng mắc"), _("Đề xuất, kiến nghị")]],
            rows=[[r["unit"], r["difficulties"], r["proposals"]] for r in annexes["difficulties"]],
            widths={0: 30, 1: 80, 2: 80},
        ),
    ]


def workbook_sheets(snapshot: dict) -> list[Sheet]:
    return [
        _source_sheet(snapshot),
        _area_sheet(snapshot),
        _target_sheet(snapshot),
        _completeness_sheet(snapshot),
        _indicator_sheet(snapshot),
        *_annex_sheets(snapshot),
    ]


def render_report_xlsx(snapshot: dict) -> bytes:
    return build_workbook(workbook_sheets(snapshot))
