"""Issue 13: compiled reports to UBND tỉnh and Bộ Công Thương. The snapshot against hand-computed
figures on a small fixture, the PDF's text and the XLSX's cells, versions and the final mark, and
the failure paths (broker down, a build failing midway, a duplicate delivery, a killed worker)."""

import datetime
import io
import unicodedata
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.models import Notification
from core.models import EmailDelivery
from programmes.models import FundingSource
from projects.models import Payment, Status
from reports import services, yearly_documents, yearly_jobs
from reports.models import GeneratedReport, ReportRequest, UnitReport
from reports.yearly_models import Audience, ReportKind
from tests.factories import UserFactory
from tests.projects.utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
M = 1_000_000
DIFFICULTY = "Kinh phí đối ứng của cơ sở còn hạn chế; thiếu mặt bằng sản xuất."
PROPOSAL = "Đề nghị tỉnh hỗ trợ xây dựng nhãn hiệu cho làng nghề Đức Long."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 10, 9, 30, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def period(staff):
    return services.period_open(user=staff, year=2026)


def _values():
    from programmes.models import Indicator

    out = {
        i.pk: {"value": 7 if i.prefill == "none" else 0, "note": "Số liệu của xã"}
        for i in Indicator.objects.filter(is_active=True)
    }
    kcdp = Indicator.objects.get(code="kinh_phi_kcdp")
    out[kcdp.pk] = {"value": 1_250_500_000, "note": "Gồm kinh phí xã tự bố trí"}
    return out


@pytest.fixture
def data(period, staff, leader, django_capture_on_commit_callbacks):
    """2026 (window 15/12/2025–14/12/2026): a KCQG đề án approved 02/03/2026 (support 300 M,
    counterpart 300 M, paid 100 M on 01/04/2026 and 20 M on 01/12/2025, outside the window); a KCĐP
    đề án accepted 10/06/2026 (support 50 M, counterpart 150 M); a draft (not counted). Phố Hiến
    sends its report with a difficulty and a proposal. The plans (PLANS), approved before the đề
    án, which sit on their 2b items: 2026 KCQG 1a 120 M and 2b 600 M; 2026 KCĐP 2b 80 M, whose
    adjustment to 999 M is still a draft (not in force); 2027 KCQG 2b 600 M, 3b 150 M and 5a 50 M
    (QĐ 45/QĐ-BCT); 2027 KCĐP a draft of 3b 90 M (not approved: no plan)."""
    _plans(staff, leader)
    beneficiary = make_applicant(name="Hợp tác xã Dệt Kim Bình Minh", tax_code="0101234567")
    kcqg = _planned(
        leader, make_project(staff, support=300 * M, beneficiaries=[beneficiary]), Status.APPROVED
    )
    _planned(leader, make_project(staff, lead="KCDP", total=200 * M, support=50 * M), Status.ACCEPTED)
    make_project(staff, support=222 * M)
    source = FundingSource.objects.get(code="KCQG")
    for amount, day in ((100 * M, datetime.date(2026, 4, 1)), (20 * M, datetime.date(2025, 12, 1))):
        Payment.objects.create(
            project=kcqg,
            kind=Payment.Kind.ADVANCE,
            amount=amount,
            paid_on=day,
            funding_source=source,
            created_by=staff,
        )
    official = UserFactory(roles=["unit_reporter"])
    report = UnitReport.objects.get(period=period, unit__commune__code="11953")
    report.unit.members.add(official)
    with django_capture_on_commit_callbacks(execute=False):
        services.unit_report_submit(
            user=official,
            report=report,
            values=_values(),
            narrative={"results": "Hai lớp đào tạo.", "difficulties": DIFFICULTY, "proposals": PROPOSAL},
        )
    return {"kcqg": kcqg, "beneficiary": beneficiary}


# (year, source, decision number or None for a draft, [(activity, planned support)])
PLANS = (
    (2026, "KCQG", "123/QĐ-BCT", [("1a", 120 * M), ("2b", 600 * M)]),
    (2026, "KCDP", "88/QĐ-UBND", [("2b", 80 * M)]),
    (2027, "KCQG", "45/QĐ-BCT", [("2b", 600 * M), ("3b", 150 * M), ("5a", 50 * M)]),
    (2027, "KCDP", None, [("3b", 90 * M)]),
)


def _planned(leader, project, status):
    """`project` put on the item of its activity in its lead fund's 2026 plan (approval requires
    it once that plan is approved), then walked to `status`."""
    from programmes.plans import plan_in_force
    from projects.services.plans import project_plan_item_set

    item = plan_in_force(year=2026, funding_source=project.lead_fund).items.get(activity=project.activity)
    project_plan_item_set(user=leader, project=project, item=item)
    return advance(leader, project, status)


def _plans(staff, leader):
    from programmes import plans
    from programmes.models import ActivityType, AnnualPlan

    made = {}
    for year, code, decision, items in PLANS:
        plan = plans.plan_create(user=staff, year=year, funding_source=FundingSource.objects.get(code=code))
        for activity, support in items:
            data = {
                "activity": ActivityType.objects.get(programme__is_current=True, code=activity),
                "planned_quantity": 1,
                "unit": "đề án",
                "planned_support": support,
                "expected_counterpart": support,
            }
            plans.plan_item_save(user=staff, plan=plan, data=data)
        if decision:
            plans.plan_transition(user=staff, plan=plan, step="submit")
            issuer = "ministry" if code == "KCQG" else "province_chair"
            plans.plan_transition(
                user=leader,
                plan=plan,
                step="approve",
                data={
                    "decision_number": decision,
                    "decision_date": datetime.date(year - 1, 11, 20),
                    "issuer": issuer,
                },
            )
        made[(year, code)] = plan
    # an adjustment of the 2026 KCĐP plan, still a draft: the approved version stays in force
    adjusted = plans.plan_adjustment_start(
        user=staff, plan=AnnualPlan.objects.get(pk=made[(2026, "KCDP")].pk), reason="Tăng vốn"
    )
    item = adjusted.items.get()
    plans.plan_item_save(
        user=staff, plan=adjusted, item=item, data={"activity": item.activity, "planned_support": 999 * M}
    )


def _request(staff, period, audience=Audience.PROVINCE):
    return yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=audience, period=period
    )


def _build(staff, request, capture):
    with capture(execute=True):
        job = yearly_jobs.generated_report_request(user=staff, request=request)
    job.refresh_from_db()
    return job


def _pdf_text(job):
    """The text of each page (pdftotext, NFC) and of the whole document on one line."""
    import subprocess

    pages = []
    count = len(__import__("pypdf").PdfReader(job.file.path).pages)
    for n in range(1, count + 1):
        out = subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), job.file.path, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pages.append(unicodedata.normalize("NFC", out))
    return pages, " ".join(" ".join(pages).split())


# --- the snapshot -----------------------------------------------------------------------------


def test_snapshot_figures_against_hand_computed_values(data, staff, period):
    from reports.yearly_snapshot import build_snapshot

    snapshot = build_snapshot(_request(staff, period))
    by_source = {r["code"]: r for r in snapshot["by_source"]}
    assert [r["code"] for r in snapshot["by_source"]] == ["KCDP", "KCQG"]  # the province's order
    kcqg, kcdp = by_source["KCQG"], by_source["KCDP"]
    assert (kcqg["approved_projects"], kcqg["accepted_projects"], kcqg["settled_projects"]) == (1, 0, 0)
    assert (kcqg["approved_money"], kcqg["disbursed_money"], kcqg["counterpart"]) == (
        300 * M,
        100 * M,
        300 * M,
    )
    assert (kcdp["approved_projects"], kcdp["accepted_projects"]) == (1, 1)
    assert (kcdp["approved_money"], kcdp["disbursed_money"], kcdp["counterpart"]) == (50 * M, 0, 150 * M)
    area2 = next(a for a in snapshot["by_area"] if a["number"] == 2)
    assert area2["sources"]["KCQG"]["approved_money"] == 300 * M
    assert area2["sources"]["KCDP"]["approved_money"] == 50 * M
    assert [r["code"] for r in snapshot["annexes"]["projects"]] == sorted(
        r["code"] for r in snapshot["annexes"]["projects"]
    )
    assert len(snapshot["annexes"]["projects"]) == 2
    facility = snapshot["annexes"]["facilities"][0]
    assert (facility["name"], facility["support"]) == ("Hợp tác xã Dệt Kim Bình Minh", 300 * M)
    completeness = snapshot["completeness"][0]
    assert completeness["summary"]["on_time"] == 1
    assert completeness["summary"]["missing"] == completeness["summary"]["expected"] - 1
    assert "Phố Hiến" not in completeness["missing"]
    kcdp_indicator = next(r for r in snapshot["indicators"] if r["code"] == "kinh_phi_kcdp")
    assert kcdp_indicator["units_sum"] == 1_250_500_000 and kcdp_indicator["money"]
    [texts] = snapshot["annexes"]["difficulties"]
    assert (texts["year"], texts["difficulties"], texts["proposals"]) == (2026, DIFFICULTY, PROPOSAL)
    assert "Phố Hiến" in texts["unit"]
    assert len(snapshot["targets"]["rows"]) == 5


def test_the_snapshot_carries_the_plans_next_years_plan_and_the_portals_own_figures(data, staff, period):
    """Hand figures from PLANS and the fixture's đề án: the plan in force of each source (a draft
    adjustment and a draft plan count for nothing), section III's 2027 plan, and beside the units'
    sums the portal's figure for the period's window."""
    from reports.yearly_snapshot import build_snapshot

    snapshot = build_snapshot(_request(staff, period))
    planned = {r["code"]: (r["planned_projects"], r["planned_money"]) for r in snapshot["by_source"]}
    assert planned == {"KCQG": (2, 720 * M), "KCDP": (1, 80 * M)}  # 120 + 600; 80, not 999
    by_area = {
        a["number"]: {c: v["planned_money"] for c, v in a["sources"].items()} for a in snapshot["by_area"]
    }
    assert by_area == {
        1: {"KCQG": 120 * M, "KCDP": 0},
        2: {"KCQG": 600 * M, "KCDP": 80 * M},
        3: {"KCQG": 0, "KCDP": 0},
        4: {"KCQG": 0, "KCDP": 0},
        5: {"KCQG": 0, "KCDP": 0},
        6: {"KCQG": 0, "KCDP": 0},
    }
    assert snapshot["next_year"] == [
        {
            "code": "KCDP",
            "short_name": "KCĐP",
            "has_plan": False,  # its 2027 plan is a draft
            "decision": "",
            "items": 0,
            "planned_money": 0,
        },
        {
            "code": "KCQG",
            "short_name": "KCQG",
            "has_plan": True,
            "decision": "45/QĐ-BCT",
            "items": 3,
            "planned_money": 800 * M,  # 600 + 150 + 50
        },
    ]
    indicators = {r["code"]: (r["units_sum"], r["portal"]) for r in snapshot["indicators"]}
    # KCQG paid in the window: 100 M (01/04/2026; the 20 M of 01/12/2025 is before it)
    assert indicators["kinh_phi_kcqg"] == (0, 100 * M)
    assert indicators["kinh_phi_kcdp"] == (1_250_500_000, 0)  # the KCĐP đề án has no payment
    assert indicators["von_doi_ung"] == (0, 450 * M)  # approved 02/03/2026: 300 + 150
    assert indicators["nguon_khac"] == (0, 0)
    assert indicators["lao_dong_tang_them"] == (7, None)  # typed by the units: no portal figure


def test_the_ministry_puts_kcqg_first(data, staff, period):
    from reports.yearly_snapshot import build_snapshot

    snapshot = build_snapshot(_request(staff, period, Audience.MINISTRY))
    assert [r["code"] for r in snapshot["by_source"]] == ["KCQG", "KCDP"]
    assert snapshot["header"]["recipients"][0].startswith("Bộ Công Thương")


# --- quarters and date ranges: the unit-reporting sections only where a period's window fits ------

NO_PERIOD = "Không có kỳ báo cáo của đơn vị nào nằm trọn trong thời gian lấy số liệu."


def _open(staff, kind, **window):
    return yearly_jobs.report_request_open(user=staff, kind=kind, audience=Audience.PROVINCE, **window)


def _lines(pages, text):
    """The PDF's lines (pdftotext -layout: a table row is a line) that hold `text`, split in words."""
    return [line.split() for page in pages for line in page.splitlines() if text in line]


def _no_unit_sections(snapshot):
    assert snapshot["completeness"] == []
    assert snapshot["indicators"] == []  # no units' sums (of nothing) and no portal figure beside them
    assert snapshot["annexes"]["indicators_by_unit"] == [] and snapshot["annexes"]["difficulties"] == []


def test_a_quarter_or_range_not_holding_the_periods_window_has_no_unit_reporting_sections(
    data, staff, period, django_capture_on_commit_callbacks
):
    """The 2026 period's window is 15/12/2025–14/12/2026: a range one day short of it at either end
    holds no period; neither does the second quarter, whose đề án figures still count."""
    from reports.yearly_snapshot import build_snapshot

    for date_from, date_to in (
        (datetime.date(2025, 12, 16), datetime.date(2026, 12, 14)),
        (datetime.date(2025, 12, 15), datetime.date(2026, 12, 13)),
    ):
        _no_unit_sections(
            build_snapshot(_open(staff, ReportKind.RANGE, date_from=date_from, date_to=date_to))
        )
    quarter = _open(staff, ReportKind.QUARTERLY, year=2026, quarter=2)
    job = _build(staff, quarter, django_capture_on_commit_callbacks)
    assert job.status == GeneratedReport.Status.DONE, job.error
    _no_unit_sections(job.snapshot)
    by_source = {r["code"]: r for r in job.snapshot["by_source"]}
    # in 01/04–30/06/2026: KCQG paid 100 M on 01/04 (approved 02/03: before); KCĐP accepted 10/06
    assert (by_source["KCQG"]["approved_projects"], by_source["KCQG"]["disbursed_money"]) == (0, 100 * M)
    assert (by_source["KCDP"]["approved_projects"], by_source["KCDP"]["accepted_projects"]) == (0, 1)
    pages, text = _pdf_text(job)
    assert "Kết quả thực hiện Chương trình khuyến công quý 2 năm 2026" in text
    # sections 3 (the units' sums) and 5 (completeness), annexes 3 (by unit) and 4 (difficulties)
    assert text.count(NO_PERIOD) == 4
    assert "Tổng hợp của các đơn vị" not in text and "Phải báo cáo" not in text
    assert DIFFICULTY not in text and "1.250,5" not in text


def test_a_range_holding_the_periods_window_has_the_unit_reporting_sections(
    data, staff, period, django_capture_on_commit_callbacks
):
    """01/12/2025–14/12/2026 holds the 2026 period's window (15/12/2025–14/12/2026): its
    completeness (108 units expected: 104 communes and 4 partners; Phố Hiến on time), the units'
    sums beside the portal's figures, which are the period's window's, like the units' (the KCQG
    20 M paid on 01/12/2025 is in the range but outside the window the units reported on), and
    Phố Hiến's difficulty."""
    request = _open(
        staff, ReportKind.RANGE, date_from=datetime.date(2025, 12, 1), date_to=datetime.date(2026, 12, 14)
    )
    job = _build(staff, request, django_capture_on_commit_callbacks)
    assert job.status == GeneratedReport.Status.DONE, job.error
    snapshot = job.snapshot
    [completeness] = snapshot["completeness"]
    assert completeness["year"] == 2026
    assert completeness["summary"] == {"expected": 108, "on_time": 1, "late": 0, "missing": 107}
    indicators = {r["code"]: (r["units_sum"], r["portal"]) for r in snapshot["indicators"]}
    assert indicators["kinh_phi_kcqg"] == (0, 100 * M)
    assert indicators["kinh_phi_kcdp"] == (1_250_500_000, 0)
    assert indicators["von_doi_ung"] == (0, 450 * M)
    assert indicators["lao_dong_tang_them"] == (7, None)
    [by_unit] = snapshot["annexes"]["indicators_by_unit"]
    assert "Phố Hiến" in by_unit["unit"] and by_unit["values"]["lao_dong_tang_them"] == 7
    [texts] = snapshot["annexes"]["difficulties"]
    assert (texts["difficulties"], texts["proposals"]) == (DIFFICULTY, PROPOSAL)
    # the đề án part is the range's: the 20 M of 01/12/2025 is disbursed in it
    assert next(r for r in snapshot["by_source"] if r["code"] == "KCQG")["disbursed_money"] == 120 * M
    pages, text = _pdf_text(job)
    assert NO_PERIOD not in text
    assert "Kết quả thực hiện Chương trình khuyến công từ ngày 01/12/2025 đến ngày 14/12/2026" in text
    assert ["2026", "108", "1", "0", "107"] in _lines(pages, "2026")  # the completeness row
    assert DIFFICULTY in text and PROPOSAL in text
    kcdp_money = _lines(pages, "Kinh phí khuyến công địa phương")
    assert kcdp_money and kcdp_money[0][-2:] == ["1.250,5", "0"]  # units' sum, portal (triệu đồng)
    counterpart = _lines(pages, "Vốn đối ứng của cơ sở")
    assert counterpart and counterpart[0][-2:] == ["0", "450"]


# --- the files --------------------------------------------------------------------------------


def test_the_pdf_has_the_official_layout_and_the_totals(
    data, staff, period, django_capture_on_commit_callbacks
):
    request = _request(staff, period)
    yearly_jobs.report_request_save(
        user=staff,
        request=request,
        data={
            "direction": "Sở đã ban hành kế hoạch và hướng dẫn các xã.",
            "signature_name": "Nguyễn Thị Hằng",
        },
        expected_version=request.version,
    )
    job = _build(staff, ReportRequest.objects.get(pk=request.pk), django_capture_on_commit_callbacks)
    assert job.status == GeneratedReport.Status.DONE, job.error
    pages, text = _pdf_text(job)
    for expected in (
        "UBND TỈNH HƯNG YÊN",
        "SỞ CÔNG THƯƠNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/BC-SCT",
        "Hưng Yên, ngày … tháng … năm …",
        "BÁO CÁO",
        "Kết quả thực hiện Chương trình khuyến công năm 2026 và kế hoạch năm 2027",
        "Sở đã ban hành kế hoạch và hướng dẫn các xã.",
        "Nơi nhận",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Thị Hằng",
        "PHỤ LỤC 1. DANH SÁCH ĐỀ ÁN",
        DIFFICULTY,
        "Kinh phí theo nguồn (triệu đồng)",  # the dashboard's money chart
        "Tiến độ thực hiện chỉ tiêu",  # and its targets chart
    ):
        assert expected in text, expected
    # table rows, one line each in pdftotext's layout, in triệu đồng (hand figures: see `data`):
    # annex 1's total row: support 300 + 50, counterpart 300 + 150
    assert _lines(pages, "Tổng cộng") == [["Tổng", "cộng", "350", "450"]]
    # section I.2 by source: projects planned, approved, accepted, settled; money planned,
    # approved, disbursed, settled, counterpart
    assert ["KCĐP", "1", "1", "1", "0", "80", "50", "0", "0", "150"] in _lines(pages, "KCĐP")
    assert ["KCQG", "2", "1", "0", "0", "720", "300", "100", "0", "300"] in _lines(pages, "KCQG")
    # section I.3: the units' sum, then the portal's figure
    assert _lines(pages, "Kinh phí khuyến công địa phương đã thực hiện")[0][-2:] == ["1.250,5", "0"]
    assert _lines(pages, "Kinh phí khuyến công quốc gia đã thực hiện")[0][-2:] == ["0", "100"]
    assert _lines(pages, "Vốn đối ứng của cơ sở được huy động")[0][-2:] == ["0", "450"]
    # section III: next year's plans (items, triệu đồng)
    assert "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2027" in text
    assert ["KCQG", "45/QĐ-BCT", "3", "800"] in _lines(pages, "45/QĐ-BCT")
    assert _lines(pages, "Chưa có kế hoạch được phê duyệt") == [
        ["KCĐP", "Chưa", "có", "kế", "hoạch", "được", "phê", "duyệt", "0", "0"]
    ]
    assert pages[0].split()[:3] == ["UBND", "TỈNH", "HƯNG"]  # no page number on page 1
    assert [page.split()[0] for page in pages[1:]] == [str(n) for n in range(2, len(pages) + 1)]
    assert "2.026" not in text


# Each sheet of the workbook: its name, the row its data starts on (a title, a blank row, then the
# header rows) and its rows made from the snapshot's section, as the outline's tables read.
def _sheets_of(s):
    indicators = s["indicators"]
    annexes = s["annexes"]
    codes = [r["code"] for r in s["by_source"]]
    money_keys = ("planned_money", "approved_projects", "approved_money", "disbursed_money")
    return [
        (
            "Theo nguồn",
            5,
            [[r["short_name"], *[r[k] for k in COUNTS], *[r[k] for k in MONEY]] for r in s["by_source"]],
        ),
        (
            "Theo nội dung",
            5,
            [
                [f"{a['number']}. {a['name']}", *[a["sources"][c][k] for c in codes for k in money_keys]]
                for a in s["by_area"]
            ],
        ),
        (
            "Mục tiêu",
            4,
            [
                [r["name"], r["unit"], r["goal"], r["achieved"], r["percent"], r["rule"]]
                for r in s["targets"]["rows"]
            ],
        ),
        (
            "Tình hình báo cáo",
            2,  # no title
            [
                [
                    c["year"],
                    *[c["summary"][k] for k in ("expected", "on_time", "late", "missing")],
                    "; ".join(c["late"]),
                    "; ".join(c["missing"]),
                ]
                for c in s["completeness"]
            ],
        ),
        (
            "Chỉ tiêu",
            4,
            [[r["code"], r["label"], r["unit"], r["units_sum"], r["portal"]] for r in indicators],
        ),
        (
            "PL1 Đề án",
            4,
            [
                [r[k] for k in ("code", "title", "activity", "beneficiaries", "communes", "source")]
                + [r["support"], r["counterpart"], r["status"]]
                for r in annexes["projects"]
            ],
        ),
        (
            "PL2 Cơ sở",
            4,
            [
                [r["name"], r["kind"], r["commune"], r["projects"], r["support"]]
                for r in annexes["facilities"]
            ],
        ),
        (
            "PL3 Chỉ tiêu theo đơn vị",
            4,
            [
                [u["unit"], *[u["values"].get(i["code"]) for i in indicators]]
                for u in annexes["indicators_by_unit"]
            ],
        ),
        (
            "PL4 Khó khăn, kiến nghị",
            4,
            [[r["unit"], r["difficulties"], r["proposals"]] for r in annexes["difficulties"]],
        ),
    ]


COUNTS = ("planned_projects", "approved_projects", "accepted_projects", "settled_projects")
MONEY = ("planned_money", "approved_money", "disbursed_money", "settled_money", "counterpart")


def _same_cell(actual, expected):
    if expected in (None, ""):  # an empty cell reads back as None
        return actual in (None, "")
    if isinstance(expected, int | float):  # a number stays a number, not its text
        return type(actual) in (int, float) and actual == expected
    return actual == expected


def test_the_xlsx_cells_equal_the_snapshot(data, staff, period, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    job = _build(staff, _request(staff, period), django_capture_on_commit_callbacks)
    with job.xlsx.open("rb") as fh:
        workbook = load_workbook(io.BytesIO(fh.read()))
    expected = _sheets_of(job.snapshot)
    assert workbook.sheetnames == [name for name, _start, _rows in expected]
    for name, start, rows in expected:
        assert rows, name  # the fixture fills every table
        sheet = workbook[name]
        cells = [list(row) for row in sheet.iter_rows(min_row=start, values_only=True)]
        assert len(cells) == len(rows), name
        for n, (got, want) in enumerate(zip(cells, rows, strict=True)):
            assert len(got) == len(want), (name, n)
            bad = [(c, g, w) for c, (g, w) in enumerate(zip(got, want, strict=True)) if not _same_cell(g, w)]
            assert not bad, (name, n, bad)
    # and against the hand figures (`data`): KCQG's row in đồng, the units' KCĐP money and the portal's
    assert [c.value for c in workbook["Theo nguồn"][6]] == [
        "KCQG",
        2,
        1,
        0,
        0,
        720 * M,
        300 * M,
        100 * M,
        0,
        300 * M,
    ]
    by_code = {row[0]: row for row in workbook["Chỉ tiêu"].iter_rows(min_row=4, values_only=True)}
    assert by_code["kinh_phi_kcdp"][3:] == (1_250_500_000, 0)
    assert by_code["von_doi_ung"][3:] == (0, 450 * M)
    assert [r[6] for r in workbook["PL1 Đề án"].iter_rows(min_row=4, values_only=True)] == [50 * M, 300 * M]


def test_a_formula_in_a_passage_or_a_unit_text_is_neutralised_in_the_xlsx(data, staff, period):
    from openpyxl import load_workbook

    snapshot = {
        **__import__("reports.yearly_snapshot", fromlist=["x"]).build_snapshot(_request(staff, period)),
    }
    snapshot["annexes"]["difficulties"] = [
        {"unit": '=HYPERLINK("x")', "year": 2026, "difficulties": "+1", "proposals": ""}
    ]
    workbook = load_workbook(io.BytesIO(yearly_documents.render_report_xlsx(snapshot)))
    cells = [c.value for row in workbook["PL4 Khó khăn, kiến nghị"].iter_rows(min_row=4) for c in row]
    assert all(not str(v).startswith(("=", "+")) for v in cells if v)


# --- versions and the final mark ------------------------------------------------------------------


def test_each_build_is_a_new_version_and_a_finished_file_is_kept(
    data, staff, period, django_capture_on_commit_callbacks
):
    request = _request(staff, period)
    first = _build(staff, request, django_capture_on_commit_callbacks)
    second = _build(staff, request, django_capture_on_commit_callbacks)
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name and first.xlsx.name != second.xlsx.name
    first.refresh_from_db()
    assert (
        first.file.storage.exists(first.file.name)
        and len(first.checksum) == 64
        and len(first.xlsx_checksum) == 64
    )
    assert first.snapshot["by_source"] and first.requested_by == staff


def test_asking_twice_while_a_build_waits_makes_one_version(
    data, staff, period, django_capture_on_commit_callbacks
):
    request = _request(staff, period)
    with django_capture_on_commit_callbacks(execute=False):
        a = yearly_jobs.generated_report_request(user=staff, request=request)
        b = yearly_jobs.generated_report_request(user=staff, request=request)
    assert a.pk == b.pk and request.builds.count() == 1


def test_a_leader_finalises_one_version_and_finalising_another_moves_the_mark(
    data, staff, leader, period, django_capture_on_commit_callbacks
):
    request = _request(staff, period)
    first = _build(staff, request, django_capture_on_commit_callbacks)
    second = _build(staff, request, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        yearly_jobs.generated_report_finalise(user=staff, report=first)
    yearly_jobs.generated_report_finalise(user=leader, report=first)
    third = _build(staff, request, django_capture_on_commit_callbacks)
    assert (
        GeneratedReport.objects.get(is_final=True, request=request).pk == first.pk
    )  # a later build does not replace it
    yearly_jobs.generated_report_finalise(user=leader, report=second)
    finals = list(GeneratedReport.objects.filter(request=request, is_final=True))
    assert [r.pk for r in finals] == [second.pk] and finals[0].finalised_by == leader
    assert third.is_final is False


def test_only_a_done_version_can_be_final(data, staff, leader, period, django_capture_on_commit_callbacks):
    request = _request(staff, period)
    with django_capture_on_commit_callbacks(execute=False):
        queued = yearly_jobs.generated_report_request(user=staff, request=request)
    with pytest.raises(ValidationError):
        yearly_jobs.generated_report_finalise(user=leader, report=queued)


def test_passages_start_from_last_years_text(staff, period):
    last = services.period_open(user=staff, year=2025)
    old = _request(staff, last)
    yearly_jobs.report_request_save(
        user=staff,
        request=old,
        data={"achievements": "Năm 2025 đạt 90% kế hoạch."},
        expected_version=old.version,
    )
    assert _request(staff, period).achievements == "Năm 2025 đạt 90% kế hoạch."


def test_a_stale_passages_form_is_refused(staff, period):
    request = _request(staff, period)
    yearly_jobs.report_request_save(user=staff, request=request, data={"direction": "A"}, expected_version=1)
    with pytest.raises(ValidationError):
        yearly_jobs.report_request_save(
            user=staff,
            request=ReportRequest.objects.get(pk=request.pk),
            data={"direction": "B"},
            expected_version=1,
        )
    assert ReportRequest.objects.get(pk=request.pk).direction == "A"


def test_quarter_and_range_windows(staff):
    q = yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.QUARTERLY, audience=Audience.MINISTRY, year=2026, quarter=2
    )
    assert (q.date_from, q.date_to) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    with pytest.raises(ValidationError):
        yearly_jobs.report_request_open(
            user=staff,
            kind=ReportKind.RANGE,
            audience=Audience.PROVINCE,
            date_from=datetime.date(2026, 5, 1),
            date_to=datetime.date(2026, 4, 1),
        )


def test_others_cannot_ask(applicant_user, observer, period):
    for user in (applicant_user, observer):
        with pytest.raises(ValidationError):
            yearly_jobs.report_request_open(
                user=user, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
            )


# --- failure paths --------------------------------------------------------------------------------


def test_broker_down_records_the_request_and_the_requeue_runs_it(
    data, staff, period, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import tasks

    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.build_generated_report, "delay", down)
    request = _request(staff, period)
    with django_capture_on_commit_callbacks(execute=True):
        job = yearly_jobs.generated_report_request(user=staff, request=request)
    job.refresh_from_db()
    assert job.status == GeneratedReport.Status.QUEUED and job.enqueue_failed_at is not None
    monkeypatch.undo()
    assert yearly_jobs.generated_reports_requeue() == 1
    job.refresh_from_db()
    assert job.status == GeneratedReport.Status.DONE and job.enqueue_failed_at is None


def test_manage_build_report_runs_a_queued_version(data, staff, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = yearly_jobs.generated_report_request(user=staff, request=_request(staff, period))
    out = io.StringIO()
    call_command("build_report", job.pk, stdout=out)
    job.refresh_from_db()
    assert job.status == GeneratedReport.Status.DONE and "Đã lập" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("build_report", job.pk)


def test_a_build_failing_midway_keeps_no_file_and_says_why(
    data, staff, period, monkeypatch, django_capture_on_commit_callbacks, settings
):
    def broken(snapshot):
        raise ValidationError("Không đọc được mẫu bảng tính.")

    monkeypatch.setattr(yearly_jobs, "render_report_xlsx", broken)
    job = _build(staff, _request(staff, period), django_capture_on_commit_callbacks)
    assert job.status == GeneratedReport.Status.FAILED
    assert job.error == "Không đọc được mẫu bảng tính."
    assert not job.file and not job.xlsx and not job.checksum
    stored = (
        list((settings.MEDIA_ROOT / "jobs").rglob("*.*")) if (settings.MEDIA_ROOT / "jobs").exists() else []
    )
    assert stored == []


def test_a_failure_while_storing_removes_both_files(
    data, staff, period, monkeypatch, django_capture_on_commit_callbacks, settings
):
    real_update = yearly_jobs.GeneratedReport.objects.filter

    def leave_running(*args, **kwargs):
        if kwargs.get("status") == GeneratedReport.Status.RUNNING:  # somebody failed the row meanwhile
            return real_update(pk=-1)
        return real_update(*args, **kwargs)

    monkeypatch.setattr(yearly_jobs.GeneratedReport.objects, "filter", leave_running)
    job = _build(staff, _request(staff, period), django_capture_on_commit_callbacks)
    monkeypatch.undo()
    job.refresh_from_db()
    assert job.status == GeneratedReport.Status.FAILED and not job.file
    assert (
        not list((settings.MEDIA_ROOT / "jobs").rglob("*.pdf"))
        if (settings.MEDIA_ROOT / "jobs").exists()
        else True
    )


def test_a_duplicate_delivery_builds_one_version(data, staff, period, django_capture_on_commit_callbacks):
    job = _build(staff, _request(staff, period), django_capture_on_commit_callbacks)
    checksum, name = job.checksum, job.file.name
    again = yearly_jobs.generated_report_run(report_id=job.pk)
    assert again.status == GeneratedReport.Status.DONE and (again.checksum, again.file.name) == (
        checksum,
        name,
    )
    assert GeneratedReport.objects.filter(request=job.request).count() == 1


def test_a_killed_worker_leaves_the_row_failed_not_running(
    data, staff, period, clock, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = yearly_jobs.generated_report_request(user=staff, request=_request(staff, period))
    from core import jobs

    assert jobs.job_claim(job)  # the worker started, then died
    clock.shift(datetime.timedelta(seconds=settings.DOCUMENT_JOB_TIME_LIMIT + 60))
    assert yearly_jobs.generated_reports_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == GeneratedReport.Status.FAILED and "dừng giữa chừng" in job.error
    assert (
        yearly_jobs.generated_report_run(report_id=job.pk).status == GeneratedReport.Status.FAILED
    )  # a late redelivery


# --- periodic work --------------------------------------------------------------------------------


def test_the_drafts_and_reminders_are_in_the_beat_schedule_daily_at_7_10_province_time(clock, monkeypatch):
    """Declared in the settings, resolvable to the task, and copied by beat (django-celery-beat's
    DatabaseScheduler) into a crontab row of the province's zone: after 22/12 08:00 in Hưng Yên
    it next runs on 23/12 at 07:10 there (00:10 UTC), not at 07:10 UTC (14:10 in Hưng Yên)."""
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from khuyencong.celery import app
    from reports import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["yearly-report-drafts-and-reminders"]
    assert entry["task"] == "reports.tasks.yearly_report_drafts_and_reminders"
    assert app.tasks[entry["task"]].run == tasks.yearly_report_drafts_and_reminders.run
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({7}, {10})
    assert (schedule.day_of_week, schedule.day_of_month, schedule.month_of_year) == (
        set(range(7)),
        set(range(1, 32)),
        set(range(1, 13)),
    )  # every day
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"
    # beat closes "old" connections between its reads; inside the test's transaction on PostgreSQL
    # that closed the test's own connection
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)
    DatabaseScheduler(app=app)  # what `celery beat` does first: the settings' entries into the table
    row = PeriodicTask.objects.select_related("crontab").get(name="yearly-report-drafts-and-reminders")
    assert row.task == entry["task"] and row.enabled
    assert (row.crontab.minute, row.crontab.hour, str(row.crontab.timezone)) == (
        "10",
        "7",
        "Asia/Ho_Chi_Minh",
    )
    clock.move_to(datetime.datetime(2026, 12, 22, 8, 0, tzinfo=HCM))
    start, wait, _now = row.crontab.schedule.remaining_delta(
        datetime.datetime(2026, 12, 22, 7, 10, tzinfo=HCM)
    )
    assert start + wait == datetime.datetime(2026, 12, 23, 7, 10, tzinfo=HCM)


def test_a_draft_is_built_the_day_after_the_unit_deadline_once(
    data, period, clock, django_capture_on_commit_callbacks
):
    clock.move_to(datetime.datetime(2026, 12, 22, 23, 59, tzinfo=HCM))
    assert yearly_jobs.yearly_drafts() == 0
    clock.move_to(datetime.datetime(2026, 12, 23, 7, 10, tzinfo=HCM))
    with django_capture_on_commit_callbacks(execute=True):
        assert yearly_jobs.yearly_drafts() == 2
    assert yearly_jobs.yearly_drafts() == 0
    builds = GeneratedReport.objects.filter(request__period=period)
    assert builds.count() == 2 and {b.status for b in builds} == {GeneratedReport.Status.DONE}


def test_leaders_are_reminded_before_the_province_deadline_once(
    period, leader, clock, django_capture_on_commit_callbacks
):
    clock.move_to(datetime.datetime(2026, 12, 26, 7, 10, tzinfo=HCM))  # five days before 31/12
    with django_capture_on_commit_callbacks(execute=True):
        assert yearly_jobs.remind_leaders() == 2
        yearly_jobs.remind_leaders()
    assert Notification.objects.filter(recipient=leader).count() == 2
    assert EmailDelivery.objects.filter(recipient=leader).count() == 2
    clock.move_to(datetime.datetime(2026, 12, 27, 7, 10, tzinfo=HCM))
    assert yearly_jobs.remind_leaders() == 0


def test_the_body_is_portrait_and_the_annexes_landscape(
    data, staff, period, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    job = _build(staff, _request(staff, period), django_capture_on_commit_callbacks)
    pages, _text = _pdf_text(job)
    sizes = [(round(p.mediabox.width), round(p.mediabox.height)) for p in PdfReader(job.file.path).pages]
    annex = next(n for n, page in enumerate(pages) if "PHỤ LỤC 1" in page)
    assert set(sizes[:annex]) == {(595, 842)}  # A4 portrait
    assert set(sizes[annex:]) == {(842, 595)}  # A4 landscape


def test_settled_money_is_what_the_settlement_recorded_per_source_and_targets_carry_their_rule(
    data, staff, leader, period
):
    # A co-financed đề án settled on 12/06/2026: its settlement recorded KCQG and KCĐP amounts
    # (workflow.md: actual support per source); each source's table counts its own recorded
    # amount, as the dashboard and the plan figures do (no split by budget-line proportions).
    from projects.models import TransitionAmount
    from reports.selectors import current_programme, elapsed_share, target_rule
    from reports.yearly_snapshot import build_snapshot

    project = _planned(leader, make_project(staff, support=300 * M, title="Đồng tài trợ"), Status.SETTLED)
    settle = project.transitions.get(step="settle")
    recorded = settle.amounts.get(funding_source__code="KCQG").amount
    TransitionAmount.objects.create(
        transition=settle, funding_source=FundingSource.objects.get(code="KCDP"), amount=7 * M
    )
    snapshot = build_snapshot(_request(staff, period))
    by_source = {r["code"]: r for r in snapshot["by_source"]}
    assert by_source["KCQG"]["settled_money"] == recorded
    assert by_source["KCDP"]["settled_money"] == 7 * M
    rows = snapshot["targets"]["rows"]
    assert rows and all(r["rule"] for r in rows)
    from programmes.models import Target

    measures = dict(Target.objects.values_list("code", "measure"))
    assert [r["rule"] for r in rows] == [target_rule(measures[r["code"]]) for r in rows]
    request = _request(staff, period)
    assert snapshot["targets"]["elapsed"] == elapsed_share(current_programme(), request.date_to) > 0
