"""The programme's public figures (issue 12 item 7): the targets' progress and the yearly state
support by funding source and by content area, on the home page and as CSV and JSON at stable
addresses for anyone. Only totals: no name, phone, tax code or project of anybody.

Counting rule of the money: the state support (the funding sources with `is_state_support`: KCQG
and KCĐP) in the current budget version (approved, or adjusted by decision) of each project of the
programme's years whose figures are approved (projects.models.APPROVED_STATUSES), by plan year."""

import csv
import io
from dataclasses import dataclass

from django.db.models import F, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.kept import kept
from core.spreadsheets import neutralise
from programmes.models import ContentArea, FundingSource
from projects.figures import figures_version
from projects.models import APPROVED_STATUSES, BudgetLine

from .selectors import current_programme, programme_progress, target_progress_chart

CACHE_SECONDS = 300  # five minutes: fresh enough for the public, cheap under many visitors


def money_rule() -> str:
    return _(
        "Kinh phí hỗ trợ của Nhà nước (khuyến công quốc gia và địa phương) theo dự toán được duyệt "
        "hoặc điều chỉnh gần nhất của các đề án đã phê duyệt, theo năm kế hoạch của đề án."
    )


@dataclass(frozen=True)
class YearTable:
    """Amounts (đồng) by year (rows) and key (columns), with the totals of each."""

    columns: list[tuple[str, str]]  # (key, label)
    years: list[int]
    cells: dict[tuple[int, str], int]

    def rows(self):
        for year in self.years:
            values = [self.cells.get((year, key), 0) for key, _label in self.columns]
            yield {"year": year, "values": values, "total": sum(values)}

    @property
    def column_totals(self):
        return [sum(self.cells.get((y, key), 0) for y in self.years) for key, _label in self.columns]

    @property
    def grand_total(self):
        return sum(self.cells.values())


def _state_lines(programme):
    """The state-support lines of the current budgets of the programme's approved projects."""
    return BudgetLine.objects.filter(
        funding_source__is_state_support=True,
        budget__project__current_budget=F("budget"),
        budget__project__status__in=APPROVED_STATUSES,
        budget__project__year__gte=programme.start_year,
        budget__project__year__lte=programme.end_year,
    )


def _years(programme) -> list[int]:
    return list(range(programme.start_year, programme.end_year + 1))


def support_tables(programme, areas=None) -> tuple[YearTable, YearTable]:
    """The state support by year and funding source, and by year and content area, from one
    grouped sum. `areas`: the programme's content areas if the caller has them already."""
    sources = FundingSource.objects.filter(is_state_support=True).order_by("sort_order")
    if areas is None:
        areas = ContentArea.objects.filter(programme=programme).order_by("number")
    sums = _state_lines(programme).values(
        "budget__project__year", "funding_source__code", "budget__project__activity__content_area__number"
    )
    by_source, by_area = {}, {}
    for row in sums.annotate(amount=Sum("amount")).order_by():
        year = row["budget__project__year"]
        source = (year, row["funding_source__code"])
        area = (year, str(row["budget__project__activity__content_area__number"]))
        by_source[source] = by_source.get(source, 0) + row["amount"]
        by_area[area] = by_area.get(area, 0) + row["amount"]
    years = _years(programme)
    return (
        YearTable(columns=[(s.code, s.short_name) for s in sources], years=years, cells=by_source),
        YearTable(columns=[(str(a.number), a.name) for a in areas], years=years, cells=by_area),
    )


def _target_records(progress) -> list[dict]:
    return [
        {
            "code": row.target.code,
            "name": row.target.name,
            "unit": row.target.unit,
            "goal": row.goal,
            "achieved": row.achieved,
            "percent": row.percent,
        }
        for row in progress
    ]


def public_figures(programme, progress=None, areas=None) -> dict:
    """The figures (plain values), kept for a few minutes: the same for every visitor, nothing
    personal. `progress`, `areas`: what the caller (the home page) has already read."""

    def compute():
        by_source, by_area = support_tables(programme, areas)
        return {
            "targets": _target_records(progress if progress is not None else programme_progress(programme)),
            "by_source": by_source,
            "by_area": by_area,
            "on_date": timezone.localdate(),
        }

    version = figures_version()
    key = f"public-figures:{programme.pk}:{version}:{timezone.localdate().isoformat()}" if version else None
    return kept(key, compute, CACHE_SECONDS)


def home_progress(programme):
    """The home page's target progress and its chart, kept for CACHE_SECONDS like the public
    figures (keyed by day and language) or until a project's step changes them
    (projects.figures): computed, the four counters grow with the projects (28 ms at 2,000, 55 ms
    at 100,000, issue 14); kept, the page costs the same whatever the data."""

    def compute():
        progress = programme_progress(programme)
        return progress, target_progress_chart(progress)

    version = figures_version()
    key = (
        f"home-progress:{programme.pk}:{version}:{get_language()}:{timezone.localdate().isoformat()}"
        if version
        else None
    )
    return kept(key, compute, CACHE_SECONDS)


# --- the downloads ------------------------------------------------------------------------------


def _figures_or_404():
    programme = current_programme()
    if programme is None:
        raise Http404
    return programme, public_figures(programme)


def _table_records(table: YearTable, kind: str):
    for row in table.rows():
        for (key, label), value in zip(table.columns, row["values"], strict=True):
            yield {"kind": kind, "year": row["year"], "code": key, "name": label, "amount": value}


def _money_records(table: YearTable) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "kind"} for r in _table_records(table, "")]


def _public(response):
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_GET
def figures_json(request):
    programme, figures = _figures_or_404()
    payload = {
        "programme": {
            "name": programme.name,
            "decision": programme.decision_number,
            "start_year": programme.start_year,
            "end_year": programme.end_year,
        },
        "on_date": figures["on_date"].strftime("%d/%m/%Y"),
        "currency": "VND",
        "money_rule": money_rule(),
        "targets": figures["targets"],
        "support_by_source": _money_records(figures["by_source"]),
        "support_by_area": _money_records(figures["by_area"]),
    }
    return _public(JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1}))


def _csv_row(writer, values):
    writer.writerow([neutralise(v) for v in values])


@require_GET
def figures_csv(request):
    _programme, figures = _figures_or_404()
    out = io.StringIO()
    writer = csv.writer(out)
    _csv_row(
        writer, [_("Nhóm số liệu"), _("Năm"), _("Mã"), _("Tên"), _("Giá trị"), _("Mục tiêu"), _("Đơn vị")]
    )
    kind = _("Chỉ tiêu (đến ngày %(date)s)") % {"date": figures["on_date"].strftime("%d/%m/%Y")}
    for row in figures["targets"]:
        _csv_row(writer, [kind, "", row["code"], row["name"], row["achieved"], row["goal"], row["unit"]])
    for kind, table in (
        (_("Kinh phí hỗ trợ theo nguồn"), "by_source"),
        (_("Kinh phí hỗ trợ theo nội dung"), "by_area"),
    ):
        for r in _table_records(figures[table], kind):
            _csv_row(writer, [r["kind"], r["year"], r["code"], r["name"], r["amount"], "", _("đồng")])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="so-lieu-khuyen-cong.csv"'
    return _public(response)
