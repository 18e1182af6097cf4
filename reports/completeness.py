"""The completeness board of a reporting period (issue 11, item 5): expected / submitted / on time /
late / missing / accepted / returned, per unit, filtered by kind, sortable, and the same figures as
a spreadsheet. Staff and leaders read it (reports.unit_selectors.period_for scopes the period)."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import Sheet
from core.text import fold
from programmes.models import ReportingUnit

from .models import ExpectedUnit, ReportingPeriod, UnitReport
from .unit_selectors import STATUS_BADGE, TIMELINESS, timeliness

SUMMARY = (
    ("expected", gettext_lazy("Phải báo cáo")),
    ("submitted", gettext_lazy("Đã gửi")),
    ("on_time", gettext_lazy("Đúng hạn")),
    ("late", gettext_lazy("Muộn")),
    ("missing", gettext_lazy("Chưa gửi")),
    ("accepted", gettext_lazy("Đã tiếp nhận")),
    ("returned", gettext_lazy("Trả lại")),
)


@dataclass
class BoardRow:
    expected: ExpectedUnit
    report: UnitReport | None
    timeliness: str

    @property
    def unit(self):
        return self.expected.unit

    @property
    def status(self):
        return self.report.status if self.report else UnitReport.Status.DRAFT

    @property
    def status_label(self):
        return self.report.get_status_display() if self.report else UnitReport.Status.DRAFT.label

    @property
    def status_badge(self):
        return STATUS_BADGE[self.status]

    @property
    def timeliness_label(self):
        return TIMELINESS[self.timeliness][0]

    @property
    def timeliness_tone(self):
        return TIMELINESS[self.timeliness][1]

    @property
    def first_submitted_at(self):
        return self.report.first_submitted_at if self.report else None

    def counts_in(self, key: str) -> bool:
        """Whether the row counts in the summary figure `key` (an excused unit counts in none)."""
        if self.expected.excused:
            return key == "excused"
        submitted = self.report is not None and self.report.was_submitted
        return {
            "expected": True,
            "submitted": submitted,
            "on_time": self.timeliness == "on_time",
            "late": self.timeliness == "late",
            "missing": not submitted,
            "accepted": self.status == UnitReport.Status.ACCEPTED,
            "returned": self.status == UnitReport.Status.RETURNED,
        }.get(key, False)


_FAR = datetime.datetime.max.replace(tzinfo=datetime.UTC)
SORTS = {
    "name": lambda r: (r.unit.kind, r.unit.sort_key),
    "kind": lambda r: (r.unit.kind, r.unit.sort_key),
    "status": lambda r: (r.status, r.unit.sort_key),
    "timeliness": lambda r: (r.timeliness, r.unit.sort_key),
    "submitted": lambda r: (r.first_submitted_at or _FAR, r.unit.sort_key),
}
SHOWS = ("submitted", "on_time", "late", "missing", "accepted", "returned", "excused")


@dataclass
class Board:
    period: ReportingPeriod
    rows: list[BoardRow]
    summary: dict
    kind: str = ""
    show: str = ""
    sort: str = "name"
    q: str = ""
    kinds: list = field(default_factory=lambda: list(ReportingUnit.Kind.choices))

    @property
    def summary_items(self):
        return [(key, label, self.summary[key]) for key, label in SUMMARY]


def reporting_completeness(period: ReportingPeriod, *, kind="", show="", sort="name", q="") -> Board:
    """The board of a period: expected / submitted / on time / late / missing / accepted /
    returned, per unit. Two queries whatever the number of units (the expected units with their
    unit, the period's reports); the figures are counted from the same rows the table shows, so
    the page and its spreadsheet agree. `kind` filters the units (and the figures); `show` keeps
    the rows counted in one figure; `q` finds units by name ignoring diacritics."""
    expected = ExpectedUnit.objects.filter(period=period).select_related("unit", "unit__commune")
    if kind in ReportingUnit.Kind.values:
        expected = expected.filter(unit__kind=kind)
    else:
        kind = ""
    reports = {r.unit_id: r for r in UnitReport.objects.filter(period=period)}
    rows = []
    for row in expected:
        report = reports.get(row.unit_id)
        if report is not None:
            report.period = period
        rows.append(
            BoardRow(
                expected=row,
                report=report,
                timeliness="excused" if row.excused else timeliness(report, period),
            )
        )
    summary = {key: sum(r.counts_in(key) for r in rows) for key, _label in SUMMARY}
    summary["excused"] = sum(r.expected.excused for r in rows)
    if q:
        words = fold(q).split()
        rows = [r for r in rows if all(w in fold(r.unit.name) for w in words)]
    if show in SHOWS:
        rows = [r for r in rows if r.counts_in(show)]
    else:
        show = ""
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "name", "name"
    rows.sort(key=SORTS[key], reverse=sort.startswith("-"))
    return Board(period=period, rows=rows, summary=summary, kind=kind, show=show, sort=sort, q=q)


def board_sheets(board: Board) -> list[Sheet]:
    """The board's figures and rows as two sheets (core.spreadsheets.build_workbook neutralises
    any text a spreadsheet would evaluate)."""
    headers = [str(label) for _key, label in SUMMARY] + [_("Được miễn")]
    summary = Sheet(
        name=_("Tổng hợp"),
        title=_("Tình hình gửi báo cáo năm %(year)s") % {"year": board.period.year},
        header_rows=[[_("Loại đơn vị"), *headers]],
        rows=[
            [
                dict(ReportingUnit.Kind.choices).get(board.kind, _("Tất cả")),
                *[board.summary[key] for key, _label in SUMMARY],
                board.summary["excused"],
            ]
        ],
    )
    units = Sheet(
        name=_("Đơn vị"),
        header_rows=[
            [
                _("STT"),
                _("Đơn vị"),
                _("Loại"),
                _("Trạng thái"),
                _("Thời hạn"),
                _("Gửi lần đầu lúc"),
                _("Hạn gửi lại"),
                _("Ghi chú"),
            ]
        ],
        rows=[
            [
                n,
                r.unit.name,
                r.unit.get_kind_display(),
                str(r.status_label),
                str(r.timeliness_label),
                r.first_submitted_at,
                r.report.wanted_back_by if r.report else None,
                r.expected.excuse_reason or r.expected.added_reason,
            ]
            for n, r in enumerate(board.rows, start=1)
        ],
        widths={1: 40, 7: 40},
    )
    return [summary, units]
