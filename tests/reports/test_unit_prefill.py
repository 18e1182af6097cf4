"""Pre-fill of the unit reports (issue 11, item 3) against figures computed by hand on a small
fixture: a group project across two communes with recorded shares, a province-level fair, a
training without beneficiaries in two communes, a project whose results fall after the window but
whose money fell inside it, and a draft."""

import datetime
from fractions import Fraction

import pytest

from programmes.models import AdministrativeUnit, FundingSource, Indicator, ReportingUnit
from projects.models import BeneficiaryShare, Payment, Project, ProjectOutput, Status
from reports.prefill import PROVINCE, Window, prefill_buckets, province_totals, split, unit_prefill, weights
from tests.factories import CollaboratorFactory
from tests.projects.utils import make_applicant, make_project

pytestmark = pytest.mark.django_db

WINDOW = Window(datetime.date(2025, 12, 15), datetime.date(2026, 12, 14))
A, B, C = "11953", "12364", "12127"
M = 1_000_000


def _commune(code):
    return AdministrativeUnit.objects.get(code=code)


def _set(project, **fields):
    Project.objects.filter(pk=project.pk).update(**fields)


def _output(project, code, number):
    ProjectOutput.objects.create(
        project=project,
        label=code,
        quantity=number,
        unit="-",
        indicator=Indicator.objects.get(code=code),
        number=number,
    )


def _pay(project, fund, amount, day):
    Payment.objects.create(
        project=project,
        kind=Payment.Kind.FINAL,
        amount=amount,
        paid_on=day,
        funding_source=FundingSource.objects.get(code=fund),
    )


@pytest.fixture
def fixture_projects(staff):
    x1 = make_applicant(commune_code=A, name="HTX Mây tre Một", tax_code="0100000001")
    x2 = make_applicant(commune_code=A, name="HTX Mây tre Hai", tax_code="0100000002")
    y1 = make_applicant(commune_code=B, name="HTX Dệt Ba", tax_code="0100000003")
    # P1: a group project of 2b across A and B, shares 150 + 50 (A) and 100 (B): A 2/3, B 1/3
    p1 = make_project(staff, beneficiaries=[x1, x2, y1], communes=(A, B), total=600 * M, support=300 * M)
    for applicant, amount in ((x1, 150 * M), (x2, 50 * M), (y1, 100 * M)):
        BeneficiaryShare.objects.create(project=p1, applicant=applicant, amount=amount)
    _set(
        p1,
        status=Status.ACCEPTED,
        decision_date=datetime.date(2026, 3, 2),
        acceptance_date=datetime.date(2026, 6, 10),
    )
    _output(p1, "hoc_vien", 30)
    _pay(p1, "KCQG", 300 * M, datetime.date(2026, 6, 15))
    # P2: a provincial fair (3b), province-wide: everything to the province bucket, even though
    # its one beneficiary is in B and it is held in A
    p2 = make_project(
        staff,
        activity_code="3b",
        variant_key="domestic_fair_org",
        lead="KCDP",
        total=400 * M,
        support=300 * M,
        beneficiaries=[y1],
        communes=(A,),
        title="Hội chợ công nghiệp nông thôn tỉnh",
    )
    _set(
        p2,
        province_wide=True,
        status=Status.SETTLED,
        decision_date=datetime.date(2026, 8, 1),
        acceptance_date=datetime.date(2026, 9, 20),
    )
    _output(p2, "luot_co_so_hoi_cho", 25)
    _pay(p2, "KCDP", 300 * M, datetime.date(2026, 10, 1))
    # P3: a training (1a) without beneficiaries, located in A and C: halves
    p3 = make_project(
        staff,
        activity_code="1a",
        variant_key="default",
        lead="KCDP",
        total=90 * M,
        support=60 * M,
        communes=(A, C),
        title="Lớp khởi sự kinh doanh",
    )
    _set(
        p3,
        status=Status.ACCEPTED,
        decision_date=datetime.date(2026, 4, 1),
        acceptance_date=datetime.date(2026, 11, 5),
    )
    _output(p3, "lop_dao_tao", 2)
    _output(p3, "hoc_vien", 40)
    _pay(p3, "KCDP", 60 * M, datetime.date(2026, 11, 10))
    # P4: accepted after the window (20/12), approved before it; its payment of 16/12/2025 is inside
    p4 = make_project(staff, beneficiaries=[x1], total=200 * M, support=100 * M, title="Máy dệt năm trước")
    _set(
        p4,
        status=Status.ACCEPTED,
        decision_date=datetime.date(2025, 12, 1),
        acceptance_date=datetime.date(2026, 12, 20),
    )
    _output(p4, "hoc_vien", 99)
    _pay(p4, "KCQG", 100 * M, datetime.date(2025, 12, 16))
    # P5: a draft counts for nothing
    p5 = make_project(staff, beneficiaries=[x2], title="Đề án đang soạn")
    _output(p5, "hoc_vien", 500)
    # collaborators: one active in A; one in B who left before the window's end
    CollaboratorFactory(commune=_commune(A))
    CollaboratorFactory(commune=_commune(B), ended_on=datetime.date(2026, 6, 30))
    return p1, p2, p3, p4


# What the hand computation gives: {indicator: {commune code or PROVINCE: figure}}
EXPECTED = {
    "co_so_may_moc": {A: 2, B: 1},
    "hoc_vien": {A: 20 + 20, B: 10, C: 20},
    "lop_dao_tao": {A: 1, C: 1},
    "hoi_cho_trien_lam": {PROVINCE: 1},
    "luot_co_so_hoi_cho": {PROVINCE: 25},
    "kinh_phi_kcqg": {A: 200 * M + 100 * M, B: 100 * M},
    "kinh_phi_kcdp": {PROVINCE: 300 * M, A: 30 * M, C: 30 * M},
    "von_doi_ung": {A: 200 * M + 15 * M, B: 100 * M, PROVINCE: 100 * M, C: 15 * M},
    "cong_tac_vien": {A: 1},
    "mo_hinh_trinh_dien": {},
    "nhan_hieu": {},
}


def _by_code(buckets):
    ids = {c.pk: c.code for c in AdministrativeUnit.objects.all()}
    indicators = dict(Indicator.objects.values_list("pk", "code"))
    return {
        indicators[pk]: {(k if k == PROVINCE else ids[k]): v for k, v in counter.items() if v}
        for pk, counter in buckets.items()
    }


def test_the_figures_match_the_hand_computation(fixture_projects):
    found = _by_code(prefill_buckets(WINDOW))
    for code, expected in EXPECTED.items():
        assert found[code] == expected, code
    assert "lao_dong_tang_them" not in found  # typed by the unit


def test_communes_plus_the_province_bucket_add_up_to_the_province_total(fixture_projects):
    buckets = prefill_buckets(WINDOW)
    totals = province_totals(WINDOW)
    assert set(buckets) == set(totals)
    for pk, counter in buckets.items():
        assert sum(counter.values()) == totals[pk]
    codes = dict(Indicator.objects.values_list("pk", "code"))
    named = {codes[pk]: total for pk, total in totals.items()}
    assert named["hoc_vien"] == 30 + 40
    assert named["kinh_phi_kcdp"] == 360 * M
    assert named["von_doi_ung"] == 430 * M


def test_a_communes_report_reads_its_own_bucket_only(fixture_projects):
    indicators = list(Indicator.objects.filter(is_active=True))
    unit = ReportingUnit.objects.get(commune__code=A)
    figures = unit_prefill(unit, WINDOW, indicators)
    codes = {i.pk: i.code for i in indicators}
    named = {codes[pk]: value for pk, value in figures.items()}
    for code, expected in EXPECTED.items():
        assert named[code] == expected.get(A, 0), code
    assert named["lao_dong_tang_them"] is None
    b_figures = unit_prefill(ReportingUnit.objects.get(commune__code=B), WINDOW, indicators)
    assert {codes[pk]: v for pk, v in b_figures.items()}[
        "luot_co_so_hoi_cho"
    ] == 0  # the fair is the province's


def test_departments_have_nothing_to_prefill(fixture_projects):
    indicators = list(Indicator.objects.filter(is_active=True))
    unit = ReportingUnit.objects.get(code="so-tai-chinh")
    assert set(unit_prefill(unit, WINDOW, indicators).values()) == {None}


def test_equal_shares_when_none_is_recorded(staff):
    x = make_applicant(commune_code=A, name="Cơ sở X", tax_code="0100000011")
    y = make_applicant(commune_code=B, name="Cơ sở Y", tax_code="0100000012")
    z = make_applicant(commune_code=B, name="Cơ sở Z", tax_code="0100000013")
    project = make_project(staff, beneficiaries=[x, y, z])
    a, b = _commune(A).pk, _commune(B).pk
    assert weights(project) == {a: Fraction(1, 3), b: Fraction(2, 3)}
    _set(project, province_wide=True)
    assert weights(Project.objects.get(pk=project.pk)) == {PROVINCE: 1}


def test_a_split_is_whole_and_adds_up():
    assert split(100, {1: Fraction(1, 3), 2: Fraction(1, 3), 3: Fraction(1, 3)}) == {1: 34, 2: 33, 3: 33}
    assert split(1, {5: Fraction(1, 2), PROVINCE: Fraction(1, 2)}) == {5: 1}
    parts = {1: Fraction(2, 7), 2: Fraction(4, 7), PROVINCE: Fraction(1, 7)}
    for amount in (0, 1, 2, 999, 10**12 + 3):
        assert sum(split(amount, parts).values()) == amount


def test_staff_mark_a_project_province_wide_on_its_form(staff):
    from projects.forms import ProjectForm
    from projects.services import project_update

    assert "province_wide" in ProjectForm().fields
    project = make_project(staff)
    data = {"title": project.title, "province_wide": True}
    lines = {"KCQG": 300 * M, "DOI_UNG": 300 * M}
    project_update(user=staff, project=project, data=data, lines=lines, expected_version=project.version)
    assert Project.objects.get(pk=project.pk).province_wide
