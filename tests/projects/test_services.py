import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from applicants.models import SupportRequest
from programmes.models import SupportRule
from projects import services
from projects.models import AdvanceCondition, BudgetVersion, Payment, Project, ProjectOutput, Status

from .utils import (
    ACCEPTANCE_DATE,
    CONTRACT_DATE,
    DECISION_DATE,
    START_DATE,
    activity,
    advance,
    appraiser,
    fund,
    make_project,
    pdf,
    step_data,
    upload_required,
)

pytestmark = pytest.mark.django_db


# --- creation and invariants ---------------------------------------------------------------------


def test_codes_are_allocated_per_year_and_lead_fund(staff):
    a = make_project(staff)
    b = make_project(staff)
    c = make_project(staff, lead="KCDP", activity_code="1a", variant_key="default")
    d = make_project(staff, year=2027)
    assert [a.code, b.code, c.code, d.code] == [
        "DA-2026-KCQG-001",
        "DA-2026-KCQG-002",
        "DA-2026-KCDP-001",
        "DA-2027-KCQG-001",
    ]


def test_project_keeps_outputs_budget_and_search_text(staff, applicant):
    project = make_project(staff, beneficiaries=[applicant])
    assert ProjectOutput.objects.get(project=project).unit == "máy"
    lines = {s.code: a for s, a in services.budget_lines(project).items()}
    assert lines == {"KCQG": 300_000_000, "DOI_UNG": 300_000_000}
    assert project.state_support == 300_000_000 and project.counterpart == 300_000_000
    assert project.eligible_cost == project.total_cost  # defaults to the total
    assert "duc long" in project.search_text and "may det" in project.search_text


def test_lines_must_add_up_to_the_total(staff):
    with pytest.raises(ValidationError, match="cộng lại"):
        services.project_create(
            user=staff,
            data={
                "title": "X",
                "year": 2026,
                "activity": activity("1a"),
                "variant": activity("1a").variants.first(),
                "lead_fund": fund("KCDP"),
                "implementing_unit": "TT",
                "total_cost": 100,
                "units_covered": 1,
            },
            lines={"KCDP": 50, "DOI_UNG": 40},
        )
    assert not Project.objects.exists()


def test_negative_amounts_and_reversed_dates_are_refused(staff):
    base = {
        "title": "X",
        "year": 2026,
        "activity": activity("1a"),
        "variant": activity("1a").variants.first(),
        "lead_fund": fund("KCDP"),
        "implementing_unit": "TT",
        "total_cost": 100,
        "units_covered": 1,
    }
    with pytest.raises(ValidationError, match="âm"):
        services.project_create(user=staff, data=base, lines={"KCDP": 150, "DOI_UNG": -50})
    with pytest.raises(ValidationError, match="project_dates_ordered"):
        services.project_create(
            user=staff,
            data={**base, "start_date": datetime.date(2026, 5, 1), "end_date": datetime.date(2026, 4, 1)},
            lines={"KCDP": 100},
        )
    assert not Project.objects.exists()


def test_database_refuses_broken_invariants(staff):
    project = make_project(staff)
    for values in (
        {"total_cost": -1},
        {"eligible_cost": project.total_cost + 1},
        {"start_date": datetime.date(2026, 12, 1), "end_date": datetime.date(2026, 1, 1)},
        {"state_support": project.total_cost + 1},
        {"status": "bogus"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Project.objects.filter(pk=project.pk).update(**values)


def test_a_lead_fund_must_be_able_to_lead(staff):
    with pytest.raises(ValidationError, match="Nguồn chủ trì phải là KCQG hoặc KCĐP"):
        make_project(staff, lead="DOI_UNG")


def test_variant_must_belong_to_the_activity(staff):
    with pytest.raises(ValidationError, match="Trường hợp"):
        services.project_create(
            user=staff,
            data={
                "title": "X",
                "year": 2026,
                "activity": activity("2b"),
                "variant": activity("2a").variants.first(),
                "lead_fund": fund("KCQG"),
                "implementing_unit": "TT",
                "total_cost": 100,
                "units_covered": 1,
            },
            lines={"KCQG": 10, "DOI_UNG": 90},
        )


def test_only_staff_create(applicant_user, observer):
    for user in (applicant_user, observer):
        with pytest.raises(ValidationError, match="Chỉ cán bộ Sở") as info:
            make_project(user)
        assert info.value.code == "forbidden"


def test_create_from_an_accepted_request_carries_fields_over(staff, applicant):
    act = activity("2b")
    request = SupportRequest.objects.create(
        code="YC-2026-0001",
        applicant=applicant,
        year=2026,
        activity=act,
        variant=act.variants.get(key="machine"),
        title="Máy dệt kim",
        description="Đầu tư 2 máy dệt kim",
        estimated_cost=500_000_000,
        counterpart=300_000_000,
        requested_support=200_000_000,
        status=SupportRequest.Status.ACCEPTED,
    )
    project, _ = services.project_create_from_request(
        user=staff, support_request=request, lead_fund=fund("KCQG"), implementing_unit="Trung tâm Khuyến công"
    )
    assert project.support_request == request
    assert (project.title, project.year, project.activity, project.variant) == (
        "Máy dệt kim",
        2026,
        act,
        request.variant,
    )
    assert list(project.beneficiaries.all()) == [applicant]
    assert list(project.communes.all()) == [applicant.commune]
    assert project.total_cost == 500_000_000 and project.state_support == 200_000_000
    with pytest.raises(ValidationError, match="đã có đề án"):
        services.project_create_from_request(
            user=staff, support_request=request, lead_fund=fund("KCQG"), implementing_unit="TT"
        )


def test_create_from_a_request_not_accepted_is_refused(staff, applicant):
    act = activity("1a")
    request = SupportRequest.objects.create(
        code="YC-2026-0002",
        applicant=applicant,
        year=2026,
        activity=act,
        title="Đào tạo",
        description="…",
        estimated_cost=10,
        counterpart=5,
        requested_support=5,
        status=SupportRequest.Status.SUBMITTED,
    )
    with pytest.raises(ValidationError, match="chấp nhận"):
        services.project_create_from_request(
            user=staff, support_request=request, lead_fund=fund("KCDP"), implementing_unit="TT"
        )


# --- ceilings ------------------------------------------------------------------------------------
# TT28_MACHINERY (2b machine, KCQG): 50% of eligible cost, up to 300.000.000 đ per facility.


def test_ceiling_under_and_at_pass(staff):
    assert make_project(staff, total=800_000_000, support=299_999_999).state_support == 299_999_999
    assert make_project(staff, total=600_000_000, support=300_000_000).ceiling_flag is False


def test_ceiling_above_the_cap_names_the_ceiling_and_its_legal_basis(staff):
    with pytest.raises(ValidationError) as info:
        make_project(staff, total=800_000_000, support=300_000_001)
    message = " ".join(info.value.messages)
    assert "300.000.000 đ × 1 cơ sở" in message and "TT 28/2018/TT-BTC Điều 8 khoản 4" in message


def test_ceiling_above_the_percent_is_refused(staff):
    with pytest.raises(ValidationError, match="50% chi phí"):
        make_project(staff, total=400_000_000, support=200_000_001)


def test_ceiling_uses_eligible_cost_and_units_covered(staff):
    with pytest.raises(ValidationError, match="vượt mức tối đa 200.000.000 đ .50% chi phí được tính hỗ trợ"):
        make_project(staff, total=600_000_000, support=250_000_000, eligible=400_000_000)
    # two facilities planned by a group đề án (units_covered no longer counts: issue 9 A4)
    project = make_project(staff, total=1_400_000_000, support=600_000_000, planned=2)
    assert project.state_support == 600_000_000


def test_state_support_counts_every_state_fund(staff):
    with pytest.raises(ValidationError, match="Nhà nước 310.000.000 đ vượt mức tối đa 300.000.000 đ"):
        make_project(staff, total=800_000_000, support=250_000_000, other_state=60_000_000)


def test_missing_rule_warns_and_flags_without_blocking(staff):
    project, warnings = services.project_create(
        user=staff,
        data={
            "title": "Đào tạo khởi sự",
            "year": 2026,
            "activity": activity("1a"),
            "variant": activity("1a").variants.first(),
            "lead_fund": fund("KCDP"),
            "implementing_unit": "TT",
            "total_cost": 100_000_000,
            "units_covered": 1,
        },
        lines={"KCDP": 100_000_000},
    )
    assert project.ceiling_flag is True
    assert warnings and "Chưa có quy định" in warnings[0]


def test_a_rule_edited_by_staff_changes_the_verdict(staff, leader):
    project = make_project(staff, total=600_000_000, support=300_000_000)
    project = advance(leader, project, Status.APPRAISED)
    rule = SupportRule.objects.get(code="TT28_MACHINERY")
    rule.cap_vnd = 250_000_000
    rule.save()
    with pytest.raises(ValidationError, match="250.000.000"):
        services.project_transition(
            user=leader, project=project, step="approve", data=step_data(project, "approve")
        )
    rule.cap_vnd = 300_000_000
    rule.save()
    project = services.project_transition(
        user=leader, project=project, step="approve", data=step_data(project, "approve")
    )
    assert project.status == Status.APPROVED


def test_approval_checks_the_rule_in_force_on_the_decision_date(staff, leader):
    # Under the 2014 rule (P14_MACHINERY, 200 triệu, until 10/05/2018) 300 triệu would be refused.
    # (the appraisal is dated before the decision: a decision may not precede it)
    project = advance(leader, make_project(staff), Status.SUBMITTED)
    data = step_data(project, "appraise") | {"appraisal_date": datetime.date(2017, 5, 2)}
    project = services.project_transition(user=appraiser(), project=project, step="appraise", data=data)
    data = step_data(project, "approve")
    data["decision_date"] = datetime.date(2017, 6, 1)
    with pytest.raises(ValidationError, match="200.000.000"):
        services.project_transition(user=leader, project=project, step="approve", data=data)


# --- adjustments ---------------------------------------------------------------------------------


def test_adjustment_makes_a_new_budget_version_and_keeps_the_old(staff, leader):
    project = advance(leader, make_project(staff), Status.CONTRACTED)
    project = services.project_adjust(
        user=leader,
        project=project,
        expected_version=project.version,
        decision_number="88/QĐ-SCT",
        decision_date=datetime.date(2026, 4, 1),
        lines={"KCQG": 250_000_000, "DOI_UNG": 350_000_000},
        total_cost=600_000_000,
        reason="Giảm số máy",
    )
    versions = list(BudgetVersion.objects.filter(project=project).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert {line.amount for line in versions[0].lines.all()} == {300_000_000}
    assert versions[1].decision_number == "88/QĐ-SCT"
    assert project.state_support == project.approved_support == project.contract_value == 250_000_000
    assert project.transitions.filter(step="adjust", decision_number="88/QĐ-SCT").exists()


def test_adjustment_rules(staff, leader):
    project = advance(leader, make_project(staff), Status.APPROVED)
    kwargs = {
        "project": project,
        "expected_version": project.version,
        "decision_number": "88/QĐ-SCT",
        "decision_date": datetime.date(2026, 4, 1),
        "total_cost": 700_000_000,
        "lines": {"KCQG": 350_000_000, "DOI_UNG": 350_000_000},
    }
    with pytest.raises(ValidationError, match="lãnh đạo"):
        services.project_adjust(user=staff, **kwargs)
    with pytest.raises(ValidationError, match="vượt mức tối đa"):
        services.project_adjust(user=leader, **kwargs)
    with pytest.raises(ValidationError, match="số và ngày"):
        services.project_adjust(
            user=leader,
            **{**kwargs, "decision_number": "", "lines": {"KCQG": 300_000_000, "DOI_UNG": 400_000_000}},
        )
    with pytest.raises(ValidationError) as stale:
        services.project_adjust(user=leader, **{**kwargs, "expected_version": project.version - 1})
    assert stale.value.code == "stale"
    assert BudgetVersion.objects.filter(project=project).count() == 1


def test_budget_is_frozen_after_approval(staff, leader):
    project = advance(leader, make_project(staff), Status.APPROVED)
    with pytest.raises(ValidationError, match="không sửa được"):
        services.project_update(
            user=staff,
            project=project,
            expected_version=project.version,
            data={},
            lines={"KCQG": 1, "DOI_UNG": project.total_cost - 1},
        )
    draft = make_project(staff)
    with pytest.raises(ValidationError, match="Chỉ điều chỉnh đề án đã phê duyệt"):
        services.project_adjust(
            user=leader,
            project=draft,
            expected_version=draft.version,
            decision_number="1",
            decision_date=DECISION_DATE,
            total_cost=draft.total_cost,
            lines={"KCQG": 1, "DOI_UNG": draft.total_cost - 1},
        )


# --- optimistic locking --------------------------------------------------------------------------


def test_second_save_of_a_stale_form_is_refused(staff):
    project = make_project(staff)
    opened = project.version
    lines = {"KCQG": 300_000_000, "DOI_UNG": 300_000_000}
    first, _ = services.project_update(
        user=staff, project=project, expected_version=opened, data={"title": "Tên mới"}, lines=lines
    )
    with pytest.raises(ValidationError) as info:
        services.project_update(
            user=staff, project=project, expected_version=opened, data={"title": "Tên khác"}, lines=lines
        )
    assert info.value.code == "stale"
    assert Project.objects.get(pk=project.pk).title == "Tên mới"


# --- payments and progress -----------------------------------------------------------------------


def _in_progress(leader, staff, **kwargs):
    return advance(leader, make_project(staff, **kwargs), Status.IN_PROGRESS)


def _confirmed(staff, project, month, percent, spent=0):
    entry = services.progress_entry_add(
        user=staff, project=project, month=month, percent=percent, spent=spent
    )
    return services.progress_entry_confirm(user=staff, entry=entry)


def test_advance_for_machinery_needs_work_done_above_70_percent(staff, leader):
    """The value of work done (spent / total investment, 600 tr here) on a confirmed report, not a
    progress percentage (TT 36/2013/TT-BCT Điều 13; issue 9 A8 replaced the percentage)."""
    project = _in_progress(leader, staff)
    with pytest.raises(ValidationError, match="vượt 70%"):
        services.payment_record(
            user=staff, project=project, kind="advance", amount=1_000_000, paid_on=START_DATE
        )
    _confirmed(staff, project, datetime.date(2026, 4, 1), Decimal("90"), spent=420_000_000)
    with pytest.raises(ValidationError, match="vượt 70%"):
        services.payment_record(
            user=staff, project=project, kind="advance", amount=1_000_000, paid_on=START_DATE
        )
    _confirmed(staff, project, datetime.date(2026, 5, 1), Decimal("70.5"), spent=423_000_000)
    services.payment_record(
        user=staff, project=project, kind="advance", amount=200_000_000, paid_on=START_DATE
    )
    # 70% of 300 triệu = 210 triệu (TT36_ADVANCE_70)
    with pytest.raises(ValidationError, match="210.000.000"):
        services.payment_record(
            user=staff, project=project, kind="advance", amount=10_000_001, paid_on=START_DATE
        )
    services.payment_record(
        user=staff, project=project, kind="advance", amount=10_000_000, paid_on=START_DATE
    )
    position = services.payment_position(project)
    assert position.paid == 210_000_000 and position.balance == 90_000_000


def test_advance_condition_is_data_staff_can_edit(staff, leader):
    project = _in_progress(leader, staff)
    AdvanceCondition.objects.filter(activity=project.activity).delete()
    payment = services.payment_record(
        user=staff, project=project, kind="advance", amount=1_000_000, paid_on=START_DATE
    )
    assert payment.rule_code == "TT36_ADVANCE_70"


def test_advance_without_condition_for_other_activities(staff, leader):
    project = _in_progress(
        leader, staff, activity_code="3c", variant_key="showroom", lead="KCDP", support=50_000_000
    )
    services.payment_record(
        user=staff, project=project, kind="advance", amount=35_000_000, paid_on=START_DATE
    )
    with pytest.raises(ValidationError, match="35.000.000"):
        services.payment_record(user=staff, project=project, kind="advance", amount=1, paid_on=START_DATE)


def test_no_advance_for_support_paid_in_full_after_acceptance(client, staff, leader):
    """Enterprise-founding support gets no advance (TT 36/2013/TT-BCT Điều 13): an activity whose
    advance condition says so refuses every advance, whatever its progress, and is paid after
    acceptance; the project page says so instead of showing an advance limit."""
    project = _in_progress(
        leader, staff, activity_code="3c", variant_key="showroom", lead="KCDP", support=50_000_000
    )
    AdvanceCondition.objects.create(
        activity=project.activity,
        min_progress_percent=0,
        no_advance=True,
        legal_basis="TT 36/2013/TT-BCT Điều 13: hỗ trợ thành lập doanh nghiệp",
    )
    services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 4, 1), percent=100)
    with pytest.raises(ValidationError, match="không được tạm ứng"):
        services.payment_record(user=staff, project=project, kind="advance", amount=1, paid_on=START_DATE)
    assert not project.payments.exists()
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert "Không tạm ứng" in html and "Tạm ứng tối đa" not in html
    project.refresh_from_db()
    project = services.project_transition(
        user=staff, project=project, step="accept", data=step_data(project, "accept")
    )
    services.payment_record(
        user=staff, project=project, kind="final", amount=50_000_000, paid_on=ACCEPTANCE_DATE
    )
    assert services.payment_position(project).balance == 0


def test_cluster_pollution_advance_is_30_percent_after_50_percent_progress(staff, leader):
    project = _in_progress(
        leader,
        staff,
        activity_code="4b",
        variant_key="default",
        lead="KCQG",
        support=100_000_000,
        total=1_000_000_000,
    )
    _confirmed(staff, project, datetime.date(2026, 4, 1), Decimal("50"))
    with pytest.raises(ValidationError, match="trên 50%"):
        services.payment_record(user=staff, project=project, kind="advance", amount=1, paid_on=START_DATE)
    entry = services.progress_entry_add(
        user=staff, project=project, month=datetime.date(2026, 5, 1), percent=Decimal("51")
    )
    with pytest.raises(ValidationError, match="Sở đã xác nhận"):
        services.payment_record(user=staff, project=project, kind="advance", amount=1, paid_on=START_DATE)
    services.progress_entry_confirm(user=staff, entry=entry)
    with pytest.raises(ValidationError, match="30%"):
        services.payment_record(
            user=staff, project=project, kind="advance", amount=30_000_001, paid_on=START_DATE
        )
    services.payment_record(
        user=staff, project=project, kind="advance", amount=30_000_000, paid_on=START_DATE
    )


def test_advances_only_while_contracted_or_in_progress(staff, leader):
    project = advance(leader, make_project(staff), Status.APPROVED)
    with pytest.raises(ValidationError, match="Chỉ tạm ứng"):
        services.payment_record(user=staff, project=project, kind="advance", amount=1, paid_on=CONTRACT_DATE)


def test_final_payments_after_acceptance_within_accepted_support(staff, leader):
    project = _in_progress(leader, staff)
    with pytest.raises(ValidationError, match="nghiệm thu"):
        services.payment_record(
            user=staff, project=project, kind=Payment.Kind.FINAL, amount=1, paid_on=START_DATE
        )
    upload_required(staff, project, "accept")
    data = step_data(project, "accept")
    data["amounts"] = {"KCQG": 280_000_000}
    project = services.project_transition(user=staff, project=project, step="accept", data=data)
    services.payment_record(
        user=staff, project=project, kind="final", amount=200_000_000, paid_on=ACCEPTANCE_DATE
    )
    with pytest.raises(ValidationError, match="280.000.000"):
        services.payment_record(
            user=staff, project=project, kind="final", amount=80_000_001, paid_on=ACCEPTANCE_DATE
        )
    assert services.payment_position(project).balance == 80_000_000


def test_acceptance_below_what_was_already_advanced_is_refused(staff, leader):
    """All payments ≤ accepted support (workflow.md): accepting less support than the advances
    already paid is refused and changes nothing."""
    project = advance(
        leader,
        make_project(staff, activity_code="3c", variant_key="showroom", lead="KCDP", support=50_000_000),
        Status.IN_PROGRESS,
    )
    services.payment_record(
        user=staff, project=project, kind="advance", amount=30_000_000, paid_on=START_DATE
    )
    project.refresh_from_db()
    data = step_data(project, "accept")
    data["amounts"] = {"KCDP": 29_999_999}
    with pytest.raises(ValidationError, match="thấp hơn số đã tạm ứng"):
        services.project_transition(user=staff, project=project, step="accept", data=data)
    project.refresh_from_db()
    assert project.status == Status.IN_PROGRESS and project.accepted_support is None
    data = step_data(project, "accept")
    data["amounts"] = {"KCDP": 30_000_000}
    project = services.project_transition(user=staff, project=project, step="accept", data=data)
    assert project.status == Status.ACCEPTED


def test_progress_entries_one_per_month_only_in_progress(staff, leader):
    project = _in_progress(leader, staff)
    services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 4, 12), percent=10)
    with pytest.raises(ValidationError, match="đã có"):
        services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 4, 1), percent=20)
    with pytest.raises(ValidationError, match="nhỏ hơn hoặc bằng với 100"):
        services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 5, 1), percent=101)
    draft = make_project(staff)
    with pytest.raises(ValidationError, match="đang thực hiện"):
        services.progress_entry_add(user=staff, project=draft, month=datetime.date(2026, 4, 1), percent=10)


def test_late_to_report_after_the_25th(staff, leader):
    from projects.selectors import late_to_report

    project = _in_progress(leader, staff)  # started 16/03/2026: March to May are reported
    for month in (3, 4, 5):
        services.progress_entry_add(
            user=staff, project=project, month=datetime.date(2026, month, 1), percent=10
        )
    assert late_to_report(project, today=datetime.date(2026, 6, 25)) is False
    assert late_to_report(project, today=datetime.date(2026, 6, 26)) is True
    services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 6, 1), percent=40)
    assert late_to_report(project, today=datetime.date(2026, 6, 26)) is False


def test_a_missing_month_stays_late_into_the_next_month(staff, leader):
    """No June entry: still late on 01/07 and 25/07, not only from 26/06 to 30/06."""
    from projects.selectors import late_to_report

    project = _in_progress(leader, staff)
    services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 5, 1), percent=10)
    assert late_to_report(project, today=datetime.date(2026, 6, 10)) is False
    assert late_to_report(project, today=datetime.date(2026, 7, 1)) is True
    assert late_to_report(project, today=datetime.date(2026, 7, 25)) is True
    services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 6, 1), percent=40)
    assert late_to_report(project, today=datetime.date(2026, 7, 25)) is False
    assert late_to_report(project, today=datetime.date(2026, 7, 26)) is True


def test_a_project_started_after_the_25th_is_not_late_for_that_month(staff, leader):
    from projects.selectors import late_to_report

    project = _in_progress(leader, staff)  # started 16/03/2026
    assert late_to_report(project, today=datetime.date(2026, 3, 26)) is True
    Project.objects.filter(pk=project.pk).update(started_on=datetime.date(2026, 3, 27))
    project.refresh_from_db()
    assert late_to_report(project, today=datetime.date(2026, 3, 28)) is False
    assert late_to_report(project, today=datetime.date(2026, 4, 10)) is False
    assert late_to_report(project, today=datetime.date(2026, 4, 26)) is True


def test_adjustment_can_change_location_and_beneficiaries(staff, leader, applicant):
    from programmes.models import AdministrativeUnit

    from .utils import make_applicant

    project = advance(leader, make_project(staff, beneficiaries=[applicant]), Status.APPROVED)
    other = make_applicant(name="Cơ sở thay thế", commune_code="12364")
    project = services.project_adjust(
        user=leader,
        project=project,
        expected_version=project.version,
        decision_number="90/QĐ-SCT",
        decision_date=datetime.date(2026, 4, 2),
        lines={"KCQG": 300_000_000, "DOI_UNG": 300_000_000},
        total_cost=600_000_000,
        beneficiaries=[other],
        communes=[AdministrativeUnit.objects.get(code="12364")],
        end_date=datetime.date(2026, 12, 15),
    )
    assert list(project.beneficiaries.all()) == [other]
    assert project.end_date == datetime.date(2026, 12, 15)
    assert "co so thay the" in Project.objects.get(pk=project.pk).search_text


def test_progress_month_neither_in_the_future_nor_before_the_start(staff, leader):
    import time_machine

    project = _in_progress(leader, staff)  # started 16/03/2026
    with time_machine.travel(datetime.datetime(2026, 6, 10, 3, 0, tzinfo=datetime.UTC)):
        with pytest.raises(ValidationError, match="Chưa đến tháng 07/2026"):
            services.progress_entry_add(
                user=staff, project=project, month=datetime.date(2026, 7, 1), percent=10
            )
        with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
            services.progress_entry_add(
                user=staff, project=project, month=datetime.date(2026, 2, 1), percent=10
            )
        services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 3, 1), percent=10)
        services.progress_entry_add(user=staff, project=project, month=datetime.date(2026, 6, 1), percent=20)
    assert project.progress_entries.count() == 2


def test_an_applicant_uploads_nothing_to_a_closed_project(staff, leader, applicant_user, applicant):
    from .utils import pdf

    project = advance(leader, make_project(staff, beneficiaries=[applicant]), Status.SETTLED)
    with pytest.raises(ValidationError, match="không còn tài liệu phải nộp"):
        services.project_document_add(user=applicant_user, project=project, kind="invoice", uploaded=pdf())
    assert not project.documents.filter(uploaded_by=applicant_user).exists()


def _stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_step_refused_after_its_file_was_stored_leaves_no_file_on_disk(settings, tmp_path, staff, leader):
    """The acceptance minutes are stored, then the step fails (a minutes number too long for its
    column): the transaction rolls back and the file is deleted with it."""
    settings.MEDIA_ROOT = tmp_path
    project = advance(leader, make_project(staff), Status.IN_PROGRESS)
    upload_required(leader, project, "accept")
    before = _stored_files(tmp_path)
    data = step_data(project, "accept") | {"acceptance_number": "NT-" + "9" * 80}
    with pytest.raises(ValidationError, match="tối đa 60 kí tự"):
        services.project_transition(user=leader, project=project, step="accept", data=data)
    assert _stored_files(tmp_path) == before
    assert Project.objects.get(pk=project.pk).status == Status.IN_PROGRESS
    # the same step with valid data keeps its file
    services.project_transition(
        user=leader, project=project, step="accept", data=step_data(project, "accept")
    )
    assert len(_stored_files(tmp_path)) == len(before) + 1


def test_a_progress_entry_refused_after_its_file_was_stored_leaves_no_file_on_disk(
    settings, tmp_path, staff, leader
):
    settings.MEDIA_ROOT = tmp_path
    project = advance(leader, make_project(staff), Status.IN_PROGRESS)
    before = _stored_files(tmp_path)
    with pytest.raises(ValidationError, match="nhỏ hơn hoặc bằng với 100"):
        services.progress_entry_add(
            user=staff, project=project, month=datetime.date(2026, 4, 1), percent=150, document=pdf("bc.pdf")
        )
    assert _stored_files(tmp_path) == before and not project.progress_entries.exists()
