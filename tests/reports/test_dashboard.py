"""Issue 12 item 4: the programme dashboard. Each aggregate against figures computed by hand on a
small fixture (a recovery, a multi-year đề án with two yearly shares and a payment in each year, a
settled đề án, a cancelled and a draft one that do not count, two sources, two content areas, two
communes), the filters, who may open it and what observers see, and its constant number of queries."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict

from accounts.roles import Role
from applicants.models import Applicant
from programmes.models import (
    AdministrativeUnit,
    AnnualPlan,
    Indicator,
    PlanItem,
    ReportingUnit,
    SelectionRound,
)
from projects.models import (
    AdvanceRecovery,
    BudgetLine,
    BudgetVersion,
    Payment,
    PlanShare,
    ProgressEntry,
    Project,
    ProjectTransition,
    Status,
    TransitionAmount,
)
from reports import services as report_services
from reports.dashboard import programme_dashboard
from reports.models import ExpectedUnit, UnitReport
from reports.selectors import TARGET_RULES, elapsed_share
from tests.factories import CollaboratorFactory, UserFactory, valid_mst
from tests.projects.utils import activity, fund

pytestmark = pytest.mark.django_db

URL = "/bao-cao/tong-quan/"
M = 1_000_000
A, B = "11953", "11983"  # Phường Phố Hiến, Phường Sơn Nam
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=HCM)
HOUSEHOLD = "Hộ kinh doanh Nguyễn Thị Lan"
HOUSEHOLD_PHONE = "0977123456"
HOUSEHOLD_TAX = valid_mst(4242)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def commune(code):
    return AdministrativeUnit.objects.get(code=code)


def applicant(name, kind, code, phone="0900000000", tax_code=None):
    return Applicant.objects.create(
        kind=kind,
        name=name,
        representative="Người đại diện",
        phone=phone,
        tax_code=tax_code,
        address="Thôn 1",
        commune=commune(code),
        verification_status="verified",
    )


def project(
    code, *, lines, year=2026, lead="KCQG", status=Status.APPROVED, act="2b", place=A, bens=(), **fields
):
    """A đề án written directly (its figures are the test's, not a walk's): its current budget has
    `lines` (source code → đồng)."""
    total = sum(lines.values())
    state = sum(v for k, v in lines.items() if k in ("KCQG", "KCDP"))
    if status in (Status.ACCEPTED, Status.SETTLED):
        fields.setdefault("acceptance_date", datetime.date(year, 12, 1))
    p = Project.objects.create(
        code=code,
        title=f"Đề án thử {code}",
        year=year,
        activity=activity(act),
        lead_fund=fund(lead),
        implementing_unit="Trung tâm Khuyến công",
        total_cost=total,
        eligible_cost=total,
        state_support=state,
        status=status,
        start_date=fields.pop("start_date", datetime.date(year, 3, 1)),
        end_date=fields.pop("end_date", datetime.date(year, 11, 30)),
        **fields,
    )
    budget = BudgetVersion.objects.create(project=p, number=1, total_cost=total, eligible_cost=total)
    for source, amount in lines.items():
        BudgetLine.objects.create(budget=budget, funding_source=fund(source), amount=amount)
    p.current_budget = budget
    p.save(update_fields=["current_budget"])
    p.communes.set([commune(place)])
    p.beneficiaries.set(bens)
    return p


def pay(p, amount, on, source=None):
    Payment.objects.create(
        project=p, kind="advance", amount=amount, paid_on=on, funding_source=fund(source) if source else None
    )


def plan(programme, year, source, items, *, revision=0, previous=None, status="approved"):
    decided = status == "approved"
    p = AnnualPlan.objects.create(
        programme=programme,
        year=year,
        funding_source=fund(source),
        revision=revision,
        previous=previous,
        status=status,
        decision_number="1/QĐ" if decided else "",
        decision_date=datetime.date(year - 1, 12, 20) if decided else None,
        issuer=("ministry" if source == "KCQG" else "province_chair") if decided else "",
    )
    for line, (act, amount, communes) in enumerate(items, start=1):
        item = PlanItem.objects.create(
            plan=p, line=line, activity=activity(act), year=year, planned_support=amount
        )
        item.communes.set([commune(c) for c in communes])
    return p


@pytest.fixture
def data(clock, programme, staff):
    """The fixture, on 15/03/2027 (each figure below is computed by hand in the tests):
    - P1 KCQG 2026, 2b in A, in progress, ended 31/05/2026: KCQG 300, counterpart 500; an advance
      of 200 (no fund: the lead's) and a recovery of 50; no progress report;
    - P2 KCĐP 2026, 3c in B, settled: KCĐP 100, counterpart 60; paid 100, settled 100;
    - P3 KCQG 2026-2027 (shares 150 + 250), 2a in A, in progress: KCQG 400, KCĐP 40, counterpart
      200; KCQG paid 30 on 20/12/2025 (→ 2026), 100 in 2026, 120 in 2027; KCĐP 20 in 2027;
    - P4 cancelled (KCQG 999), P5 draft (KCĐP 888): count in no money;
    - P6 KCĐP 2027, 3a in B, approved: KCĐP 70, counterpart 30;
    - P7 KCQG 2026, 2b in A, accepted 01/12/2026 and not settled (overdue since 22/01/2027):
      KCQG 80, counterpart 20, paid 80.
    Plans: KCQG 2026 revision 0 (2b 500, 2a 300) adjusted by revision 1 (2b 600, 2a 300: in
    force); KCĐP 2026 (3c 200 in B, 2b 50); KCQG 2027 (2a 250); a draft KCĐP 2027 (999)."""
    x = applicant(HOUSEHOLD, "household", A, phone=HOUSEHOLD_PHONE, tax_code=HOUSEHOLD_TAX)
    y = applicant("Hợp tác xã Sơn Nam", "cooperative", B)
    w = applicant("Nghệ nhân Lê Văn Gốm", "artisan", B)
    v = applicant("Hộ kinh doanh Trần Văn Bình", "household", A)
    z = applicant("Công ty Bị Hủy", "sme", A)
    started = {"started_on": datetime.date(2026, 3, 16)}
    p1 = project(
        "P1",
        lines={"KCQG": 300 * M, "DOI_UNG": 500 * M},
        status=Status.IN_PROGRESS,
        bens=[x],
        end_date=datetime.date(2026, 5, 31),
        **started,
    )
    pay(p1, 200 * M, datetime.date(2026, 4, 1))
    AdvanceRecovery.objects.create(
        project=p1,
        funding_source=fund("KCQG"),
        amount=50 * M,
        recovered_on=datetime.date(2026, 5, 10),
        reference="TH-1",
    )
    p2 = project(
        "P2",
        lines={"KCDP": 100 * M, "DOI_UNG": 60 * M},
        lead="KCDP",
        status=Status.SETTLED,
        act="3c",
        place=B,
        bens=[y],
        actual_support=100 * M,
        settled_on=datetime.date(2026, 12, 20),
    )
    pay(p2, 100 * M, datetime.date(2026, 5, 1), "KCDP")
    settle = ProjectTransition.objects.create(
        project=p2, step="settle", from_status="accepted", to_status="settled"
    )
    TransitionAmount.objects.create(transition=settle, funding_source=fund("KCDP"), amount=100 * M)
    p3 = project(
        "P3",
        lines={"KCQG": 400 * M, "KCDP": 40 * M, "DOI_UNG": 200 * M},
        status=Status.IN_PROGRESS,
        act="2a",
        bens=[x, w],
        end_date=datetime.date(2027, 11, 30),
        **started,
    )
    PlanShare.objects.create(project=p3, plan_item=_item(programme, 2026), year=2026, amount=150 * M)
    PlanShare.objects.create(project=p3, plan_item=_item(programme, 2027), year=2027, amount=250 * M)
    pay(p3, 30 * M, datetime.date(2025, 12, 20))
    pay(p3, 100 * M, datetime.date(2026, 5, 1), "KCQG")
    pay(p3, 120 * M, datetime.date(2027, 2, 1), "KCQG")
    pay(p3, 20 * M, datetime.date(2027, 1, 10), "KCDP")
    ProgressEntry.objects.create(project=p3, month=datetime.date(2027, 2, 1), percent=60)
    project("P4", lines={"KCQG": 999 * M}, status=Status.CANCELLED, bens=[z])
    project("P5", lines={"KCDP": 888 * M}, lead="KCDP", status=Status.DRAFT)
    project("P6", lines={"KCDP": 70 * M, "DOI_UNG": 30 * M}, year=2027, lead="KCDP", act="3a", place=B)
    p7 = project("P7", lines={"KCQG": 80 * M, "DOI_UNG": 20 * M}, status=Status.ACCEPTED, bens=[v])
    pay(p7, 80 * M, datetime.date(2026, 12, 10))
    CollaboratorFactory(commune=commune(A), full_name="Đỗ Thị Hạnh", phone="0988111222")
    return {"p1": p1, "p3": p3}


def accepted_this_year():
    """P8, added by some tests: a 2a đề án of 2027 building 3 models, ended on 28/02/2027 and
    accepted on 05/03/2027, not settled (its settlement is due by 22/01/2028); KCQG 90."""
    return project(
        "P8",
        lines={"KCQG": 90 * M},
        year=2027,
        status=Status.ACCEPTED,
        act="2a",
        models_count=3,
        start_date=datetime.date(2027, 1, 5),
        end_date=datetime.date(2027, 2, 28),
        acceptance_date=datetime.date(2027, 3, 5),
    )


def _item(programme, year):
    """The plan items the fixture's shares point at (the plans are made here, once)."""
    if not AnnualPlan.objects.exists():
        first = plan(programme, 2026, "KCQG", [("2b", 500 * M, ()), ("2a", 300 * M, ())])
        plan(programme, 2026, "KCQG", [("2b", 600 * M, ()), ("2a", 300 * M, ())], revision=1, previous=first)
        plan(programme, 2026, "KCDP", [("3c", 200 * M, (B,)), ("2b", 50 * M, ())])
        plan(programme, 2027, "KCQG", [("2a", 250 * M, ())])
        plan(programme, 2027, "KCDP", [("2b", 999 * M, ())], status="draft")
    return PlanItem.objects.filter(
        plan__year=year, plan__funding_source__code="KCQG", activity__code="2a"
    ).latest("plan__revision")


def page(user, programme, **params):
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    return programme_dashboard(user, programme, query)


def money(dash, year=None):
    rows = dash.money.by_year if year else dash.money.rows
    return {
        r.source: (r.planned // M, r.approved // M, r.disbursed // M, r.settled // M, r.counterpart // M)
        for r in rows
        if year is None or r.year == year
    }


# --- the aggregates -----------------------------------------------------------------------------


def test_money_by_year_and_source(data, programme, staff):
    dash = page(staff, programme, year=2026)
    #                 planned approved disbursed settled counterpart
    assert money(dash) == {
        "KCQG": (900, 530, 360, 0, 720),  # 300 + 150 + 80; 200-50 + 30+100 + 80; 500 + 200 + 20
        "KCDP": (250, 140, 100, 100, 60),  # 100 + 40 (P3's other line in its plan year)
    }
    assert money(dash, 2027) == {"KCQG": (250, 250, 120, 0, 0), "KCDP": (0, 70, 20, 0, 30)}
    assert money(page(staff, programme, year=2027)) == money(dash, 2027)
    assert [r.year for r in dash.money.by_year] == [y for y in range(2026, 2031) for _s in (1, 2)]


def test_targets_with_the_share_of_the_period_elapsed(data, programme, staff):
    dash = page(staff, programme)
    # 1/1/2026 → 15/3/2027: 365 + 74 days of 1,826
    assert dash.targets.elapsed == elapsed_share(programme) == 24
    rows = {r.code: r for r in dash.targets.rows}
    assert len(rows) == 5
    collaborators = rows["collaborators"]
    assert collaborators.achieved == 1 and collaborators.goal == 104 and collaborators.behind
    assert collaborators.rule == str(TARGET_RULES["collaborators"]) and "cộng tác viên" in collaborators.rule
    assert all(r.rule for r in rows.values())
    assert [row.key for row in dash.targets.chart.rows] == list(rows)


def test_the_other_four_targets_count_by_their_rules(data, programme, staff):
    # Added to the fixture (which has P7, a 2b đề án accepted in 2026 for V; P1 2b in progress for
    # X; P4 2b cancelled for Z; P3 2a in progress):
    # - P8 2a of 2027 accepted, 3 models; P9 2a settled with 2 models but of plan year 2025;
    # - P10 2b of 2026 settled for V again and W;
    # - P2 (3c, settled, for Y) is a trademark; P11 3c showroom accepted for X;
    # - rounds: provincial 2026 and 2027; a commune round of 2026; a provincial round of 2025.
    three_c = activity("3c")
    accepted_this_year()
    project(
        "P9",
        lines={"KCQG": 60 * M},
        year=2025,
        status=Status.SETTLED,
        act="2a",
        models_count=2,
        acceptance_date=datetime.date(2026, 2, 10),
    )
    v = Applicant.objects.get(name="Hộ kinh doanh Trần Văn Bình")
    w = Applicant.objects.get(name="Nghệ nhân Lê Văn Gốm")
    project("P10", lines={"KCQG": 70 * M}, status=Status.SETTLED, bens=[v, w])
    Project.objects.filter(code="P2").update(variant=three_c.variants.get(key="trademark"))
    x = Applicant.objects.get(name=HOUSEHOLD)
    project(
        "P11",
        lines={"KCDP": 40 * M},
        lead="KCDP",
        status=Status.ACCEPTED,
        act="3c",
        variant=three_c.variants.get(key="showroom"),
        bens=[x],
    )
    for level, year, day in (
        ("provincial", 2026, datetime.date(2026, 5, 20)),
        ("provincial", 2027, datetime.date(2027, 2, 10)),
        ("commune", 2026, datetime.date(2026, 6, 1)),
        ("provincial", 2025, datetime.date(2025, 11, 2)),
    ):
        SelectionRound.objects.create(
            programme=programme,
            level=level,
            year=year,
            recognition_decision=f"{year}/QĐ",
            recognition_date=day,
        )
    rows = {r.code: r for r in page(staff, programme).targets.rows}
    assert {code: r.achieved for code, r in rows.items()} == {
        "demo_models": 3,  # P8's 3 models; P9 is of the previous programme, P3 not accepted
        "machinery_facilities": 2,  # V (P7, P10) and W (P10); not X (P1) nor Z (P4)
        "selection_rounds": 2,  # the provincial rounds of 2026 and 2027
        "trademarks": 1,  # Y (P2); not X (P11, a showroom)
        "collaborators": 1,
    }
    assert rows["machinery_facilities"].visits == 3  # V twice and W: shown beside
    assert rows["trademarks"].visits is None  # as many visits as facilities: not shown
    assert (rows["demo_models"].goal, rows["demo_models"].percent) == (5, 60)


def test_elapsed_share_bounds(programme):
    assert elapsed_share(programme, datetime.date(2025, 6, 1)) == 0
    assert elapsed_share(programme, datetime.date(2028, 7, 1)) == 50
    assert elapsed_share(programme, datetime.date(2031, 1, 1)) == 100


def test_projects_by_area_and_status(data, programme, staff, observer):
    dash = page(staff, programme, year=2026)
    table = {
        r.number: dict(zip([k for k, _l in dash.statuses.statuses], r.counts, strict=True))
        for r in dash.statuses.rows
    }
    assert {k: v for k, v in table[2].items() if v} == {
        "draft": 1,
        "in_progress": 2,
        "accepted": 1,
        "cancelled": 1,
    }
    assert {k: v for k, v in table[3].items() if v} == {"settled": 1}
    assert dash.statuses.total == 6  # P1 to P5 and P7
    # observers count only the đề án whose figures are approved
    seen = page(observer, programme, year=2026)
    assert seen.statuses.total == 4 and {k for k, _l in seen.statuses.statuses} == {
        "in_progress",
        "accepted",
        "settled",
    }
    # 2027: P3 by its share, P6
    later = page(staff, programme, year=2027)
    assert later.statuses.total == 2


def test_beneficiaries_by_kind_and_commune(data, programme, staff):
    dash = page(staff, programme, year=2026)
    assert dash.beneficiaries.total == 4  # X (twice), Y, W, V; Z's đề án is cancelled
    assert dict(dash.beneficiaries.by_kind) == {"Hộ kinh doanh": 2, "Hợp tác xã": 1, "Nghệ nhân": 1}
    assert dict(dash.beneficiaries.by_commune) == {"Phường Phố Hiến": 2, "Phường Sơn Nam": 2}
    assert [row.key for row in dash.beneficiaries.chart.rows] == ["0", "1", "2"]


def test_communes_without_a_collaborator(data, programme, staff):
    dash = page(staff, programme)
    active = AdministrativeUnit.objects.filter(is_active=True).count()
    assert dash.collaborators.active_communes == active
    assert len(dash.collaborators.without) == active - 1
    assert (
        "Phường Phố Hiến" not in dash.collaborators.without and "Phường Sơn Nam" in dash.collaborators.without
    )


def _close(period):
    period.is_closed, period.closed_at = True, NOW
    period.save(update_fields=["is_closed", "closed_at"])


def test_reporting_completeness_of_the_current_period(data, programme, staff):
    assert page(staff, programme).completeness.period is None
    period = report_services.period_open(user=staff, year=2026)
    dash = page(staff, programme)
    assert dash.completeness.period == period
    figures = {key: n for key, _label, n in dash.completeness.figures}
    assert list(figures) == ["expected", "submitted", "on_time", "late", "missing", "accepted"]
    assert figures["expected"] == ExpectedUnit.objects.filter(period=period).count() > 100
    assert figures["submitted"] == 0 and figures["missing"] == figures["expected"]
    # the latest open period, else the most recent one
    older = report_services.period_open(user=staff, year=2025)
    assert page(staff, programme).completeness.period == period
    _close(period)
    assert page(staff, programme).completeness.period == older
    _close(older)
    assert page(staff, programme).completeness.period == period


def _send(user, code):
    """The unit of commune `code` sends its 2026 report: every indicator its own figure, with a
    note (it may differ from the portal's), and the three narrative sections."""
    report = UnitReport.objects.get(period__year=2026, unit__commune__code=code)
    values = {
        i.pk: {"value": 5, "note": "Theo sổ theo dõi của xã"}
        for i in Indicator.objects.filter(is_active=True)
    }
    narrative = {"results": "Kết quả", "difficulties": "Khó khăn", "proposals": "Kiến nghị"}
    return report_services.unit_report_submit(user=user, report=report, values=values, narrative=narrative)


def _figures_on_the_page(client):
    html = client.get(URL).content.decode()
    section = re.search(r'data-testid="completeness".*?</section>', html, re.S).group(0)
    return {
        key: int(n)
        for key, n in re.findall(r'data-figure="(\w+)">.*?<div class="fs-5">(\d+)</div>', section, re.S)
    }


def test_reporting_completeness_counts_reports_on_time_late_and_missing(
    client, data, clock, programme, staff, reporter
):
    # The 2026 period (units by the end of 22/12/2026): Phố Hiến sends on 20/12 (on time) and staff
    # accept it; Sơn Nam first sends one second into 23/12 (late); every other unit sends nothing.
    son_nam = UserFactory(roles=[Role.UNIT_REPORTER])
    ReportingUnit.objects.get(commune__code=B).members.add(son_nam)
    clock.move_to(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=HCM))
    period = report_services.period_open(user=staff, year=2026)
    expected = ExpectedUnit.objects.filter(period=period).count()
    assert ExpectedUnit.objects.filter(period=period, unit__commune__code__in=[A, B]).count() == 2
    clock.move_to(datetime.datetime(2026, 12, 20, 10, 0, tzinfo=HCM))
    before = {key: n for key, _label, n in page(staff, programme).completeness.figures}
    assert (before["submitted"], before["on_time"], before["missing"]) == (0, 0, expected)
    on_time = _send(reporter, A)
    # the same day: the kept dashboard is not served, the report counts at once
    after = {key: n for key, _label, n in page(staff, programme).completeness.figures}
    assert (after["submitted"], after["on_time"], after["late"], after["missing"]) == (1, 1, 0, expected - 1)
    report_services.unit_report_transition(user=staff, report=on_time, step="accept", data={})
    clock.move_to(datetime.datetime(2026, 12, 23, 0, 0, 1, tzinfo=HCM))
    assert _send(son_nam, B).late
    clock.move_to(NOW)
    dash = page(staff, programme)
    assert dash.completeness.period == period
    figures = {key: n for key, _label, n in dash.completeness.figures}
    assert figures == {
        "expected": expected,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "missing": expected - 2,
        "accepted": 1,
    }
    client.force_login(staff)
    assert _figures_on_the_page(client) == figures


def test_overdue_steps(data, programme, staff):
    # P8 ended on 28/02/2027 and was accepted on 05/03/2027: settled by 22/01/2028, so due, not
    # overdue; P7 ended in 2026 (its deadline 22/01/2027 is past): overdue
    accepted_this_year()
    lists = {lst.key: lst for lst in page(staff, programme).overdue}
    assert {k: lst.count for k, lst in lists.items()} == {
        "past_end": 1,
        "settle_overdue": 1,
        "settle_due": 1,
        "late": 1,
    }
    assert [r.code for r in lists["settle_due"].rows] == ["P8"]
    assert lists["settle_due"].rows[0].when == datetime.date(2028, 1, 22)
    assert [r.code for r in lists["past_end"].rows] == ["P1"] and [r.code for r in lists["late"].rows] == [
        "P1"
    ]
    assert [r.code for r in lists["settle_overdue"].rows] == ["P7"]
    assert lists["settle_overdue"].rows[0].when == datetime.date(2027, 1, 22)
    assert lists["past_end"].rows[0].beneficiaries == [HOUSEHOLD]


# --- the filters ---------------------------------------------------------------------------------


def test_the_source_filter_keeps_one_source(data, programme, staff):
    dash = page(staff, programme, year=2026, fund="KCDP")
    assert money(dash) == {"KCDP": (250, 140, 100, 100, 60)}
    assert {r.source for r in dash.money.by_year} == {"KCDP"}
    assert [row.cells["label"] for row in dash.money.chart.rows] == ["KCĐP"]


def test_the_area_filter(data, programme, staff):
    dash = page(staff, programme, year=2026, area=3)
    assert money(dash) == {"KCQG": (0, 0, 0, 0, 0), "KCDP": (200, 100, 100, 100, 60)}
    assert [r.number for r in dash.statuses.rows] == [3] and dash.statuses.total == 1
    assert dash.beneficiaries.total == 1
    assert {k: lst.count for k, lst in ((lst.key, lst) for lst in dash.overdue)} == {
        "past_end": 0,
        "settle_overdue": 0,
        "settle_due": 0,
        "late": 0,
    }


def test_the_commune_filter_by_place_or_beneficiary(data, programme, staff):
    dash = page(staff, programme, year=2026, commune="son nam")
    assert dash.filters.commune.code == B
    # P2 (in B) and P3 (a beneficiary in B); the plan's 3c item foresees B
    assert money(dash) == {"KCQG": (0, 150, 130, 0, 200), "KCDP": (200, 140, 100, 100, 60)}
    assert dash.beneficiaries.total == 3  # Y, W and P3's X
    assert {lst.key: lst.count for lst in dash.overdue} == {
        "past_end": 0,
        "settle_overdue": 0,
        "settle_due": 0,
        "late": 0,
    }
    unknown = page(staff, programme, year=2026, commune="không có xã này")
    assert unknown.filters.commune is None and unknown.filters.commune_unknown


def test_the_year_filter_and_bad_values(data, programme, staff):
    assert page(staff, programme).filters.year == 2027  # the current year
    bad = page(staff, programme, year="abc", fund="KHAC", area=99)
    assert (bad.filters.year, bad.filters.source, bad.filters.area) == (2027, "", None)
    assert page(staff, programme, year=2019).filters.year == 2027


# --- the page, its readers and what they see -------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "leader", "observer"])
def test_readers_get_the_page(client, data, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tổng quan chương trình" in html
    assert "530.000.000 đ" in html  # KCQG approved in 2026
    assert html.count("<figure") == 4  # targets, money, đề án, beneficiaries
    assert client.post(URL).status_code == 405


def test_others_are_refused(client, data, reporter, applicant_user):
    assert client.get(URL).status_code == 302 and "/dang-nhap/" in client.get(URL)["Location"]
    partner = UserFactory(roles=["unit_reporter"])
    for user in (reporter, applicant_user, partner):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_observers_see_no_personal_data(client, data, staff, observer):
    client.force_login(staff)
    assert HOUSEHOLD in client.get(URL).content.decode()
    client.force_login(observer)
    html = client.get(URL).content.decode()
    for value in (HOUSEHOLD, HOUSEHOLD_PHONE, HOUSEHOLD_TAX, "Đỗ Thị Hạnh", "0988111222"):
        assert value not in html
    assert "P1" in html and "Đề án thử P1" in html  # code and title are fine
    assert f'href="/de-an/{data["p1"].pk}/"' not in html


def test_the_menu_has_the_dashboard(client, staff, observer, reporter):
    for user, shown in ((staff, True), (observer, True), (reporter, False)):
        client.force_login(user)
        assert (f'href="{URL}"' in client.get("/tai-khoan/").content.decode()) is shown


def test_charts_are_kept_by_their_figures():
    from core.charts import bar_chart
    from reports.dashboard import cached_chart

    first = cached_chart(bar_chart, "Kinh phí", ["KCQG"], [("Kế hoạch", [1.5])])
    again = cached_chart(bar_chart, "Kinh phí", ["KCQG"], [("Kế hoạch", [1.5])])
    other = cached_chart(bar_chart, "Kinh phí", ["KCQG"], [("Kế hoạch", [2.5])])
    assert again.svg == first.svg and other.svg != first.svg
    assert [r.cells["s0"] for r in other.rows] == ["2,5"]


# --- kept in the cache (issue 15 item 5: the slowest staff page under load) ------------------------


def test_a_second_visit_reads_the_kept_figures_and_a_payment_shows_at_once(
    client, data, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    assert "530.000.000 đ" in client.get(URL, {"year": 2026}).content.decode()
    with django_assert_max_num_queries(8):  # the session, the user, the menu: no aggregate
        assert client.get(URL, {"year": 2026}).status_code == 200
    pay(data["p1"], 7 * M, datetime.date(2026, 6, 1))  # saved: the figures are stale at once
    dash = page(staff, programme_of(data), year=2026)
    assert money(dash)["KCQG"][2] == 367  # 360 disbursed before, and the new 7
    # each filter is kept apart
    assert money(page(staff, programme_of(data), year=2027)) == money(dash, 2027)


def test_what_staff_see_is_never_served_to_an_observer(client, data, staff, observer):
    client.force_login(staff)
    assert HOUSEHOLD in client.get(URL).content.decode()
    client.force_login(observer)
    assert HOUSEHOLD not in client.get(URL).content.decode()
    client.force_login(staff)
    assert HOUSEHOLD in client.get(URL).content.decode()


def test_the_page_answers_with_the_cache_down(client, data, staff, settings):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(staff)
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200 and "530.000.000 đ" in response.content.decode()
    pay(data["p1"], 7 * M, datetime.date(2026, 6, 1))  # a write still saves
    assert Payment.objects.filter(amount=7 * M).exists()


def programme_of(data):
    return data["p1"].activity.programme


@pytest.mark.parametrize(
    "params, filtered",
    [
        ({"fund": "KCDP"}, lambda f: f.source == "KCDP"),
        ({"area": 3}, lambda f: f.area == 3),
        ({"commune": "phuong son nam"}, lambda f: f.commune is not None and f.commune.code == B),
        ({"year": 2027}, lambda f: f.year == 2027),
    ],
    ids=["fund", "area", "commune", "year"],
)
def test_each_filter_gets_its_own_kept_page(data, programme, staff, params, filtered):
    first = page(staff, programme, year=2026)
    assert not filtered(first.filters)
    assert filtered(page(staff, programme, **({"year": 2026} | params)).filters)
