"""Approval as the law reads it (issue 9, part A items 1, 3, 5 and 6): a failed appraisal is its own
step back to `returned`; approval needs a passing appraisal, a decision dated on or after it, an
issuer the lead fund allows, each state line within its own fund's rule and the total within the
stricter; with no rule in force the leader records the legal basis used; the history row keeps
the rule and the limit of each line."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.roles import Role, has_role
from programmes.ceilings import lines_check
from programmes.models import AdministrativeUnit, ApprovalRules, DecisionIssuer, SupportRule
from programmes.selectors import rule_in_force
from projects import services
from projects.models import Project, ProjectTransition, Status
from projects.workflow import STEPS_BY_KEY, steps_for
from tests.factories import UserFactory

from .utils import activity, advance, appraiser, fund, make_applicant, make_project, prepare, step_data

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> set:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def _submitted(staff, leader, **kwargs):
    """A đề án created and submitted by `staff` (its preparer)."""
    project = make_project(staff, **kwargs)
    prepare(leader, project, "submit")
    return services.project_transition(user=staff, project=project, step="submit")


def _take(user, project, step, **changes):
    project = Project.objects.get(pk=project.pk)
    data = step_data(project, step) | changes
    return services.project_transition(user=user, project=project, step=step, data=data)


def _provincial_rule(
    code="HY_MACHINERY", *, cap=200_000_000, percent=40, valid_from=datetime.date(2026, 1, 1)
):
    act = activity("2b")
    return SupportRule.objects.create(
        code=code,
        activity=act,
        variant=act.variants.get(key="machine"),
        funding_source=fund("KCDP"),
        kind="ceiling",
        max_percent=percent,
        cap_vnd=cap,
        cap_unit="per facility",
        legal_basis="Nghị quyết của HĐND tỉnh (thử nghiệm)",
        valid_from=valid_from,
        status="provincial",
    )


# --- 1. appraisal: a pass goes on, a fail goes back; the appraiser is not the preparer ------------


def test_a_failed_appraisal_returns_the_project_with_what_must_change(staff, leader):
    project = _submitted(staff, leader)
    project = _take(appraiser(), project, "appraise_fail", comment="Bổ sung báo giá thứ hai")
    assert project.status == Status.RETURNED
    row = project.transitions.last()
    assert (row.step, row.appraisal_result, row.comment) == (
        "appraise_fail",
        "fail",
        "Bổ sung báo giá thứ hai",
    )
    assert row.document.kind == "appraisal_sheet"
    with pytest.raises(ValidationError) as info:
        _take(leader, project, "approve")
    assert info.value.code == "not_allowed"
    # fixed and resubmitted, it is appraised again
    project = services.project_transition(
        user=staff, project=Project.objects.get(pk=project.pk), step="submit"
    )
    assert project.status == Status.SUBMITTED


def test_the_pass_step_records_a_pass_whatever_it_is_sent():
    assert "appraisal_result" not in STEPS_BY_KEY["appraise"].field_names
    assert "appraisal_result" not in STEPS_BY_KEY["appraise_fail"].field_names
    assert STEPS_BY_KEY["appraise"].target == Status.APPRAISED
    assert STEPS_BY_KEY["appraise_fail"].target == Status.RETURNED


def test_appraise_records_pass(staff, leader):
    project = _take(appraiser(), _submitted(staff, leader), "appraise", appraisal_result="fail")
    assert project.status == Status.APPRAISED
    assert project.transitions.last().appraisal_result == "pass"


def test_an_appraised_project_whose_appraisal_failed_cannot_be_approved(staff, leader):
    """A row written before the fail step existed (result "fail", state appraised): no approval."""
    project = _take(appraiser(), _submitted(staff, leader), "appraise")
    ProjectTransition.objects.filter(project=project, step="appraise").update(appraisal_result="fail")
    with pytest.raises(ValidationError) as info:
        _take(leader, project, "approve")
    assert info.value.code == "appraisal_not_passed"
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED
    # a leader may still reject it
    project = _take(leader, project, "reject", reason="Thẩm định không đạt")
    assert project.status == Status.REJECTED


def test_a_leader_may_reject_instead_of_the_fail_step(staff, leader):
    project = _submitted(staff, leader)
    assert {s.key for s in steps_for(leader, Status.SUBMITTED)} >= {"appraise", "appraise_fail", "reject"}
    assert _take(leader, project, "reject", reason="Không thuộc đối tượng").status == Status.REJECTED


def test_the_decision_may_not_precede_the_appraisal(staff, leader):
    project = _take(
        appraiser(), _submitted(staff, leader), "appraise", appraisal_date=datetime.date(2026, 3, 5)
    )
    with pytest.raises(ValidationError, match="trước ngày thẩm định") as info:
        _take(leader, project, "approve", decision_date=datetime.date(2026, 3, 4))
    assert _codes(info.value) == {"decision_before_appraisal"}
    assert (
        _take(leader, project, "approve", decision_date=datetime.date(2026, 3, 5)).status == Status.APPROVED
    )


@pytest.mark.parametrize("step", ["appraise", "appraise_fail"])
def test_the_preparer_may_not_appraise(staff, leader, step):
    """The preparer: who created the đề án, or who last submitted it."""
    project = _submitted(staff, leader)  # created and submitted by staff
    with pytest.raises(ValidationError, match="không được là người lập đề án") as info:
        _take(staff, project, step)
    assert info.value.code == "appraiser_is_preparer"
    assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED

    # created by one officer, submitted by another: neither appraises, a third one does
    other = UserFactory(roles=[Role.STAFF])
    project = make_project(other)
    prepare(leader, project, "submit")
    project = services.project_transition(user=leader, project=project, step="submit")
    for preparer in (other, leader):
        with pytest.raises(ValidationError) as info:
            _take(preparer, project, step)
        assert info.value.code == "appraiser_is_preparer"
    assert _take(staff, project, step).status == STEPS_BY_KEY[step].target


def test_the_rule_is_data_staff_can_turn_off(staff, leader):
    rules = ApprovalRules.current()
    assert rules.appraiser_not_preparer is True  # on by default
    rules.appraiser_not_preparer = False
    rules.save()
    project = _take(staff, _submitted(staff, leader), "appraise")
    assert project.status == Status.APPRAISED


# --- 3. each state line against its own fund's rule, the total against the stricter --------------


def test_a_kcqg_line_of_a_kcdp_led_project_is_held_to_the_kcqg_rule(staff):
    """500 tr of KCQG money for one machine (TT28_MACHINERY: 300 tr per facility) in a KCĐP-led đề
    án: refused, though KCĐP has no rule of its own."""
    with pytest.raises(ValidationError, match="300.000.000") as info:
        make_project(staff, lead="KCDP", total=1_200_000_000, support=100_000_000, other_state=500_000_000)
    assert info.value.code == "ceiling"
    with pytest.raises(ValidationError, match="chặt hơn"):  # the total: the only rule known
        make_project(staff, lead="KCDP", total=1_200_000_000, support=100_000_000, other_state=300_000_000)
    project = make_project(
        staff, lead="KCDP", total=1_200_000_000, support=50_000_000, other_state=250_000_000
    )
    assert project.ceiling_flag is True  # the KCĐP line still has no rule


def test_lines_check_checks_each_line_and_the_total_against_the_stricter():
    act = activity("2b")
    machine = act.variants.get(key="machine")
    _provincial_rule()  # KCĐP: 40%, up to 200 tr per facility
    common = {
        "activity": act,
        "variant": machine,
        "lead_fund": fund("KCQG"),
        "eligible_cost": 600_000_000,
        "units_covered": 1,
        "on_date": datetime.date(2026, 6, 1),
    }
    ok = lines_check(lines={fund("KCQG"): 110_000_000, fund("KCDP"): 90_000_000}, **common)
    assert ok.ok and not ok.flagged
    assert {c.fund.code: (c.rule.code, c.limit) for c in ok.funds} == {
        "KCQG": ("TT28_MACHINERY", 300_000_000),
        "KCDP": ("HY_MACHINERY", 200_000_000),
    }
    assert (ok.rule.code, ok.limit) == ("HY_MACHINERY", 200_000_000)  # the stricter
    line = lines_check(lines={fund("KCQG"): 100_000_000, fund("KCDP"): 210_000_000}, **common)
    assert not line.ok and "HY_MACHINERY" in line.message and "chặt hơn" not in line.message
    total = lines_check(lines={fund("KCQG"): 150_000_000, fund("KCDP"): 100_000_000}, **common)
    assert not total.ok and "chặt hơn" in total.message and "200.000.000" in total.message


def test_submission_and_approval_hold_the_total_to_the_stricter_rule(staff, leader):
    """Drafted when KCĐP had no rule; a provincial rule in force on the decision date bounds the
    KCĐP line and, being stricter, the total."""
    project = _submitted(staff, leader, total=600_000_000, support=150_000_000, other_state=100_000_000)
    project = _take(appraiser(), project, "appraise")
    _provincial_rule(valid_from=datetime.date(2026, 3, 1))
    amounts = {"KCQG": 150_000_000, "KCDP": 100_000_000}
    with pytest.raises(ValidationError, match="chặt hơn") as info:
        _take(leader, project, "approve", amounts=amounts)
    assert info.value.code == "ceiling"
    project = _take(leader, project, "approve", amounts={"KCQG": 110_000_000, "KCDP": 90_000_000})
    assert project.approved_support == 200_000_000


def test_an_adjustment_checks_each_line_and_records_its_rule(staff, leader):
    # the facility is named: a KCQG line under a per-facility cap counts the beneficiaries (A4)
    facility = make_applicant()
    project = advance(
        leader,
        make_project(staff, lead="KCDP", total=1_000_000_000, support=100_000_000, beneficiaries=[facility]),
        "approved",
    )
    with pytest.raises(ValidationError, match="300.000.000"):
        services.project_adjust(
            user=leader,
            project=project,
            expected_version=project.version,
            decision_number="88/QĐ-UBND",
            decision_date=datetime.date(2026, 4, 1),
            lines={"KCDP": 100_000_000, "KCQG": 400_000_000, "DOI_UNG": 500_000_000},
            total_cost=1_000_000_000,
        )
    project = services.project_adjust(
        user=leader,
        project=Project.objects.get(pk=project.pk),
        expected_version=project.version,
        decision_number="88/QĐ-UBND",
        decision_date=datetime.date(2026, 4, 1),
        lines={"KCDP": 50_000_000, "KCQG": 250_000_000, "DOI_UNG": 700_000_000},
        total_cost=1_000_000_000,
        legal_basis="Nghị quyết 12/2026/NQ-HĐND",  # the KCĐP line has no rule in force (A6)
    )
    row = project.transitions.get(step="adjust")
    recorded = {a.funding_source.code: (a.amount, a.rule_code, a.rule_limit) for a in row.amounts.all()}
    assert recorded == {"KCQG": (250_000_000, "TT28_MACHINERY", 300_000_000), "KCDP": (50_000_000, "", None)}


# --- 5. no provincial norm, no approval without the legal basis used -------------------------------


def test_a_kcdp_approval_without_a_provincial_rule_needs_the_legal_basis(staff, leader):
    project = advance(leader, make_project(staff, lead="KCDP"), Status.APPRAISED)
    assert project.ceiling_flag is True  # the flag while drafting stays
    with pytest.raises(ValidationError, match="ghi căn cứ pháp lý") as info:
        _take(leader, project, "approve", legal_basis="")
    assert _codes(info.value) == {"legal_basis_required"}
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED
    basis = "Nghị quyết 12/2026/NQ-HĐND ngày 10/01/2026"
    project = _take(leader, project, "approve", legal_basis=basis)
    assert project.status == Status.APPROVED and project.ceiling_flag is True
    row = project.transitions.get(step="approve")
    assert row.legal_basis == basis
    assert row.amounts.get().rule_code == ""


def test_with_a_provincial_rule_in_force_no_legal_basis_is_asked(staff, leader):
    _provincial_rule(cap=300_000_000, percent=50)
    project = advance(leader, make_project(staff, lead="KCDP"), Status.APPRAISED)
    project = _take(leader, project, "approve", legal_basis="")
    assert project.status == Status.APPROVED and project.ceiling_flag is False
    amount = project.transitions.get(step="approve").amounts.get()
    assert (amount.rule_code, amount.rule_limit) == ("HY_MACHINERY", 300_000_000)


def test_a_rule_of_a_former_province_applies_in_its_communes_only(staff, leader):
    """A resolution scoped to former Thái Bình communes bounds a project there, not in Phố Hiến
    (former Hưng Yên); a rule without communes applies to the whole province."""
    rule = _provincial_rule(cap=300_000_000, percent=50)
    thai_binh = AdministrativeUnit.objects.filter(former_province__icontains="Thái Bình").first()
    pho_hien = AdministrativeUnit.objects.get(code="11953")
    rule.communes.set([thai_binh])
    act = activity("2b")

    def find(communes):
        found = rule_in_force(
            activity=act,
            variant=act.variants.get(key="machine"),
            funding_source=fund("KCDP"),
            on_date=datetime.date(2026, 6, 1),
            communes=communes,
        )
        return found.code if found else None

    assert find([thai_binh]) == "HY_MACHINERY"
    assert find([pho_hien]) is None
    assert find([thai_binh, pho_hien]) is None  # a scoped rule covers every commune of the project
    assert find(None) is None
    whole = _provincial_rule("HY_MACHINERY_ALL", cap=250_000_000, percent=50)
    assert find([pho_hien]) == "HY_MACHINERY_ALL"
    assert find([thai_binh]) == "HY_MACHINERY"  # the territory's own rule wins on the same date
    whole.delete()

    there = advance(leader, make_project(staff, lead="KCDP", communes=(thai_binh.code,)), Status.APPRAISED)
    assert _take(leader, there, "approve", legal_basis="").status == Status.APPROVED
    here = advance(leader, make_project(staff, lead="KCDP", communes=("11953",)), Status.APPRAISED)
    with pytest.raises(ValidationError) as info:
        _take(leader, here, "approve", legal_basis="")
    assert _codes(info.value) == {"legal_basis_required"}


# --- 6. the issuer, and the rule and limit on the history row --------------------------------------


def test_the_approval_row_keeps_the_issuer_rule_and_limit(staff, leader):
    project = advance(leader, make_project(staff), Status.APPROVED)
    row = project.transitions.get(step="approve")
    assert (row.issuer, row.decision_date) == ("ministry", datetime.date(2026, 3, 2))
    amount = row.amounts.get()
    assert (amount.funding_source.code, amount.rule_code, amount.rule_limit) == (
        "KCQG",
        "TT28_MACHINERY",
        300_000_000,
    )


@pytest.mark.parametrize(
    ("lead", "issuer", "allowed"),
    [
        ("KCQG", "ministry", True),
        ("KCQG", "province_chair", False),
        ("KCQG", "department", False),
        ("KCDP", "province_chair", True),
        ("KCDP", "ministry", False),
        ("KCDP", "department", False),
    ],
)
def test_the_issuer_is_checked_against_the_lead_fund(staff, leader, lead, issuer, allowed):
    project = advance(leader, make_project(staff, lead=lead), Status.APPRAISED)
    if allowed:
        assert _take(leader, project, "approve", issuer=issuer).status == Status.APPROVED
        return
    with pytest.raises(ValidationError) as info:
        _take(leader, project, "approve", issuer=issuer)
    assert _codes(info.value) == {"issuer_not_allowed"}


def test_a_delegation_to_the_department_is_data(staff, leader):
    DecisionIssuer.objects.create(
        funding_source=fund("KCDP"), issuer="department", legal_basis="Quyết định ủy quyền của UBND tỉnh"
    )
    project = advance(leader, make_project(staff, lead="KCDP"), Status.APPRAISED)
    assert _take(leader, project, "approve", issuer="department").status == Status.APPROVED


def test_the_approve_form_starts_from_the_lead_funds_issuer(client, staff, leader):
    project = advance(leader, make_project(staff, lead="KCDP"), Status.APPRAISED)
    client.force_login(leader)
    html = client.get(f"/de-an/{project.pk}/buoc/approve/").content.decode()
    assert '<option value="province_chair" selected>' in html
    assert 'name="legal_basis"' in html


def test_the_summary_prints_the_issuer_and_the_legal_basis(client, staff, leader):
    from .test_pdf import _text

    project = advance(leader, make_project(staff, lead="KCDP"), Status.APPRAISED)
    project = _take(leader, project, "approve", legal_basis="Nghị quyết 12/2026/NQ-HĐND")
    client.force_login(leader)
    text = " ".join(_text(client.get(f"/de-an/{project.pk}/tom-tat.pdf").content).split())
    assert "Cơ quan ban hành quyết định Chủ tịch UBND tỉnh" in text
    assert "Nghị quyết 12/2026/NQ-HĐND" in text


def test_the_demo_follows_the_law(settings):
    """The demo: a Trung tâm officer prepares, a Sở officer appraises; KCQG approvals are the
    ministry's (…/QĐ-BCT), never a Sở decision, and their contracts name the ministry's department
    as party A."""
    from khuyencong.demo import load_demo

    # after the demo's business dates (its settlement is dated 05/10/2026), as `make run` is today
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        load_demo(log=lambda _message: None)
    approvals = ProjectTransition.objects.filter(step="approve").select_related("project__lead_fund")
    assert approvals.exists()
    for row in approvals:
        lead = row.project.lead_fund.code
        assert row.issuer == {"KCQG": "ministry", "KCDP": "province_chair"}[lead]
        assert "QĐ-SCT" not in row.decision_number
        if lead == "KCDP":
            assert row.legal_basis  # no provincial rule is loaded
    for row in ProjectTransition.objects.filter(step="contract", project__lead_fund__code="KCQG"):
        assert row.contract_parties.startswith("Bên A: Cục") and "Bộ Công Thương" in row.contract_parties
    for row in ProjectTransition.objects.filter(step="appraise").select_related("project"):
        submitter = row.project.transitions.filter(step="submit").last().actor
        assert row.actor not in (row.project.created_by, submitter)
        assert has_role(row.actor, Role.STAFF)


def test_the_timeline_shows_each_lines_rule_and_limit(client, staff, leader):
    project = advance(leader, make_project(staff), Status.APPROVED)
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert 'data-rule="TT28_MACHINERY">(mức tối đa 300.000.000 đ theo TT28_MACHINERY)' in html
    assert "Cơ quan ban hành quyết định: Bộ Công Thương (Bộ trưởng)" in html
