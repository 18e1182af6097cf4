"""Money after approval as the law reads it (issue 9, part A items 2, 4, 8, 9, 10, 12): the ceiling
re-checked at acceptance and settlement, units a cap covers, the advance condition, recoveries,
documents at the step that needs them, and the deadlines after acceptance."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from programmes.models import CapUnit, SupportRule
from projects import selectors, services
from projects.models import DocumentKind, Payment, Project, ProjectRules, Status

from .utils import (
    ACCEPTANCE_DATE,
    START_DATE,
    advance,
    make_applicant,
    make_project,
    pdf,
    step_data,
    upload_required,
)

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _in_progress(leader, staff, **kwargs):
    return advance(leader, make_project(staff, **kwargs), Status.IN_PROGRESS)


def _accept(user, project, **data):
    upload_required(user, project, "accept")
    project = Project.objects.get(pk=project.pk)
    return services.project_transition(
        user=user, project=project, step="accept", data=step_data(project, "accept") | data
    )


def _confirmed_entry(staff, project, month, percent, spent):
    entry = services.progress_entry_add(
        user=staff, project=project, month=month, percent=percent, spent=spent
    )
    return services.progress_entry_confirm(user=staff, entry=entry)


# --- item 2: the ceiling at acceptance and settlement ------------------------------------------


def test_acceptance_at_94_percent_of_the_accepted_cost_is_refused(staff, leader):
    """A 2b machinery project approved at 300 tr on 600 tr, accepted at 300 tr on 320 tr: 94% on a
    50% activity. The limit is 50% × 320 tr = 160 tr under the rule applied at approval."""
    project = _in_progress(leader, staff)
    with pytest.raises(ValidationError, match="TT28_MACHINERY") as info:
        _accept(staff, project, accepted_cost=320_000_000)
    assert "160.000.000 đ" in " ".join(info.value.messages)
    assert info.value.error_dict["amounts"][0].code == "ceiling"
    project = _accept(staff, project, accepted_cost=320_000_000, amounts={"KCQG": 160_000_000})
    assert project.accepted_support == 160_000_000


def test_acceptance_reads_the_rule_of_the_decision_date_not_a_later_one(staff, leader):
    """The rule applied at approval binds: a rule that starts after the decision is not read."""
    project = _in_progress(leader, staff)
    SupportRule.objects.create(
        code="LATER_MACHINERY",
        activity=project.activity,
        variant=project.variant,
        funding_source=project.lead_fund,
        kind="ceiling",
        max_percent=10,
        cap_vnd=300_000_000,
        cap_unit=CapUnit.FACILITY,
        legal_basis="Quy định giả định sau ngày quyết định",
        valid_from=datetime.date(2026, 5, 1),
        status="national",
    )
    project = _accept(staff, project)
    assert project.accepted_support == 300_000_000


def test_settlement_is_held_to_the_ceiling_on_the_actual_cost(staff, leader):
    project = advance(leader, make_project(staff), Status.ACCEPTED)
    services.payment_record(
        user=staff, project=project, kind="final", amount=300_000_000, paid_on=ACCEPTANCE_DATE
    )
    project = Project.objects.get(pk=project.pk)
    upload_required(staff, project, "settle")
    data = step_data(project, "settle") | {"actual_cost": 500_000_000, "amounts": {"KCQG": 300_000_000}}
    with pytest.raises(ValidationError, match="250.000.000") as info:
        services.project_transition(user=staff, project=project, step="settle", data=data)
    assert info.value.error_dict["amounts"][0].code == "ceiling"


# --- item 4: what a cap covers ------------------------------------------------------------------


def test_cap_unit_is_a_fixed_set_loaded_from_the_csv():
    assert SupportRule.objects.get(code="TT28_MACHINERY").cap_unit == CapUnit.FACILITY
    assert SupportRule.objects.get(code="TT28_DEMO_NEW").cap_unit == CapUnit.MODEL
    assert SupportRule.objects.get(code="P14_BRAND").cap_unit == CapUnit.TRADEMARK
    assert SupportRule.objects.get(code="TT36_ADVANCE_70").cap_unit == ""
    values = set(SupportRule.objects.values_list("cap_unit", flat=True))
    assert values <= {*CapUnit.values, ""}


def test_one_facility_is_one_unit_whatever_units_covered_says(staff):
    """One facility with units_covered = 5 got 1.500 tr against a 300 tr per-facility cap."""
    facility = make_applicant()
    with pytest.raises(ValidationError, match="300.000.000 đ × 1 cơ sở"):
        make_project(staff, total=3_000_000_000, support=1_500_000_000, units=5, beneficiaries=[facility])


def test_per_model_cap_counts_the_models(staff):
    with pytest.raises(ValidationError, match="1.000.000.000 đ × 1 mô hình"):
        make_project(
            staff, activity_code="2a", variant_key="new_tech", total=5_000_000_000, support=1_200_000_000
        )
    project = make_project(
        staff, activity_code="2a", variant_key="new_tech", total=5_000_000_000, support=900_000_000
    )
    assert project.models_count == 1
    project.models_count = 2
    project.save()
    assert services.budget.cap_units(project, SupportRule.objects.get(code="TT28_DEMO_NEW")) == 2


def test_group_project_names_its_beneficiaries_with_shares_before_acceptance(staff, leader):
    project = make_project(staff, total=1_200_000_000, support=600_000_000, planned=2)
    project = advance(leader, project, Status.IN_PROGRESS)
    assert project.approved_support == 600_000_000
    with pytest.raises(ValidationError) as info:
        _accept(staff, project)
    assert info.value.code == "beneficiaries_missing"
    a = make_applicant(name="Hợp tác xã A")
    b = make_applicant(name="Hợp tác xã B")
    project.beneficiaries.set([a, b])
    with pytest.raises(ValidationError) as info:
        _accept(staff, project)
    assert info.value.code == "share_missing"
    services.beneficiary_shares_set(
        user=staff, project=project, shares={a.pk: 350_000_000, b.pk: 250_000_000}
    )
    with pytest.raises(ValidationError, match="Hợp tác xã A") as info:
        _accept(staff, project)
    assert info.value.code == "share_above_cap"
    services.beneficiary_shares_set(
        user=staff, project=project, shares={a.pk: 300_000_000, b.pk: 300_000_000}
    )
    project = _accept(staff, project)
    assert project.status == Status.ACCEPTED


def test_payments_record_their_funding_source(staff, leader):
    project = advance(leader, make_project(staff), Status.ACCEPTED)
    payment = services.payment_record(
        user=staff, project=project, kind="final", amount=1_000_000, paid_on=ACCEPTANCE_DATE
    )
    assert payment.funding_source.code == "KCQG"
    with pytest.raises(ValidationError) as info:
        services.payment_record(
            user=staff,
            project=project,
            kind="final",
            amount=1_000_000,
            paid_on=ACCEPTANCE_DATE,
            funding_source=services.budget.FundingSource.objects.get(code="DOI_UNG"),
        )
    assert info.value.error_dict["funding_source"][0].code == "not_state"


# --- item 8: the advance condition -------------------------------------------------------------


def test_machinery_advance_needs_work_done_above_70_percent_on_a_confirmed_report(staff, leader):
    """210 tr was paid on "75%" with 0 đ spent: progress alone opens nothing."""
    project = _in_progress(leader, staff)
    services.progress_entry_add(
        user=staff, project=project, month=datetime.date(2026, 4, 1), percent=75, spent=0
    )
    with pytest.raises(ValidationError, match="tổng vốn đầu tư") as info:
        services.payment_record(
            user=staff, project=project, kind="advance", amount=210_000_000, paid_on=START_DATE
        )
    assert info.value.code == "advance_condition"
    entry = services.progress_entry_add(
        user=staff, project=project, month=datetime.date(2026, 5, 1), percent=75, spent=430_000_000
    )
    with pytest.raises(ValidationError, match="Sở đã xác nhận"):
        services.payment_record(
            user=staff, project=project, kind="advance", amount=210_000_000, paid_on=START_DATE
        )
    services.progress_entry_confirm(user=staff, entry=entry)
    payment = services.payment_record(
        user=staff, project=project, kind="advance", amount=210_000_000, paid_on=START_DATE
    )
    assert payment.rule_code == "TT36_ADVANCE_70"


def test_a_local_project_on_the_national_advance_share_says_so(client, staff, leader):
    project = _in_progress(
        leader, staff, activity_code="3c", variant_key="showroom", lead="KCDP", support=50_000_000
    )
    position = services.payment_position(project)
    assert position.national_fallback and position.advance_rule.code == "TT36_ADVANCE_70"
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert "theo tỷ lệ của nguồn KCQG" in html


# --- item 9: recovery of excess advances --------------------------------------------------------


def test_excess_advance_is_recovered_before_acceptance(staff, leader):
    project = _in_progress(leader, staff)
    _confirmed_entry(staff, project, datetime.date(2026, 4, 1), 80, 450_000_000)
    services.payment_record(
        user=staff, project=project, kind="advance", amount=210_000_000, paid_on=START_DATE
    )
    project = Project.objects.get(pk=project.pk)
    with pytest.raises(ValidationError, match="thu hồi"):
        _accept(staff, project, accepted_cost=300_000_000, amounts={"KCQG": 150_000_000})
    with pytest.raises(ValidationError) as info:
        services.advance_recovery_record(
            user=staff, project=project, amount=210_000_001, recovered_on=START_DATE, reference="PT-01"
        )
    assert info.value.error_dict["amount"][0].code == "above_advances"
    recovery = services.advance_recovery_record(
        user=staff,
        project=project,
        amount=60_000_000,
        recovered_on=ACCEPTANCE_DATE,
        reference="PT-01",
        document=pdf(),
    )
    assert recovery.document.kind == DocumentKind.INVOICE
    project = _accept(
        staff, Project.objects.get(pk=project.pk), accepted_cost=300_000_000, amounts={"KCQG": 150_000_000}
    )
    assert services.payment_position(project).paid == 150_000_000
    project = Project.objects.get(pk=project.pk)
    upload_required(staff, project, "settle")
    project = services.project_transition(
        user=staff,
        project=project,
        step="settle",
        data=step_data(project, "settle") | {"actual_cost": 300_000_000, "amounts": {"KCQG": 150_000_000}},
    )
    assert project.actual_support == 150_000_000


# --- item 10: documents at the step that needs them --------------------------------------------


@pytest.mark.parametrize(
    ("activity_code", "variant_key", "kind"),
    [
        ("3c", "trademark", "trademark_certificate"),
        ("2d", "default", "standards_proof"),
        ("1a", "default", "trainee_list"),
    ],
)
def test_acceptance_needs_the_activitys_documents(staff, leader, activity_code, variant_key, kind):
    project = _in_progress(
        leader, staff, activity_code=activity_code, variant_key=variant_key, lead="KCDP", support=30_000_000
    )
    data = step_data(project, "accept")
    with pytest.raises(ValidationError) as info:
        services.project_transition(user=staff, project=project, step="accept", data=data)
    assert info.value.code == "documents_missing"
    assert str(DocumentKind(kind).label) in info.value.messages[0]
    project = _accept(staff, Project.objects.get(pk=project.pk))
    assert project.status == Status.ACCEPTED


def test_settlement_needs_the_acceptance_dossier(staff, leader):
    project = advance(leader, make_project(staff), Status.ACCEPTED)
    project.documents.filter(kind__in=["invoice", "photo"]).delete()
    services.payment_record(
        user=staff, project=project, kind="final", amount=300_000_000, paid_on=ACCEPTANCE_DATE
    )
    project = Project.objects.get(pk=project.pk)
    with pytest.raises(ValidationError, match="Hóa đơn") as info:
        services.project_transition(
            user=staff, project=project, step="settle", data=step_data(project, "settle")
        )
    assert info.value.code == "documents_missing"


# --- item 12: deadlines after acceptance --------------------------------------------------------


def test_the_settlement_date_is_the_records_not_the_click(staff, leader):
    project = advance(leader, make_project(staff), Status.SETTLED)
    assert project.settled_on == datetime.date(2026, 6, 12)
    assert project.transitions.get(step="settle").settlement_date == datetime.date(2026, 6, 12)


def test_settlement_date_before_acceptance_is_refused(staff, leader):
    project = advance(leader, make_project(staff), Status.ACCEPTED)
    services.payment_record(
        user=staff, project=project, kind="final", amount=300_000_000, paid_on=ACCEPTANCE_DATE
    )
    project = Project.objects.get(pk=project.pk)
    upload_required(staff, project, "settle")
    data = step_data(project, "settle") | {"settlement_date": datetime.date(2026, 6, 1)}
    with pytest.raises(ValidationError) as info:
        services.project_transition(user=staff, project=project, step="settle", data=data)
    assert info.value.error_dict["settlement_date"][0].code == "before_acceptance"


def test_settlement_deadline_follows_the_projects_own_end(staff, leader, frozen_clock):
    """Extended into 2027, a 2026 project is due by 22/01/2028, not overdue on 23/01/2027."""
    project = advance(leader, make_project(staff), Status.ACCEPTED)
    Project.objects.filter(pk=project.pk).update(end_date=datetime.date(2027, 3, 31))
    project = Project.objects.get(pk=project.pk)
    frozen_clock.move_to(datetime.datetime(2027, 1, 23, 0, 1, tzinfo=ZONE))
    assert not selectors.settlement_overdue(project)
    assert (
        not selectors.with_settlement_overdue(Project.objects.filter(pk=project.pk)).get().settlement_overdue
    )
    frozen_clock.move_to(datetime.datetime(2028, 1, 22, 23, 59, tzinfo=ZONE))
    assert not selectors.settlement_overdue(project)
    frozen_clock.move_to(datetime.datetime(2028, 1, 23, 0, 1, tzinfo=ZONE))
    assert selectors.settlement_overdue(project)
    assert selectors.with_settlement_overdue(Project.objects.filter(pk=project.pk)).get().settlement_overdue


def test_dossier_is_due_15_days_after_the_last_acceptance(
    client, staff, leader, applicant_user, frozen_clock
):
    """TT 36/2013/TT-BCT Điều 18.1: accepted on 10/06, the settlement dossier is due by 25/06."""
    project = advance(leader, make_project(staff), Status.ACCEPTED)
    due = selectors.dossier_deadline(project)
    assert due == datetime.date(2026, 6, 25)
    frozen_clock.move_to(datetime.datetime(2026, 6, 25, 23, 59, tzinfo=ZONE))
    rows = selectors.projects_with_dossier_due(staff)
    assert [(p.pk, p.dossier_overdue) for p in rows] == [(project.pk, False)]
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert 'data-testid="dossier-due"' in html and "25/06/2026" in html
    frozen_clock.move_to(datetime.datetime(2026, 6, 26, 0, 1, tzinfo=ZONE))
    rows = selectors.projects_with_dossier_due(staff)
    assert [(p.pk, p.dossier_overdue) for p in rows] == [(project.pk, True)]
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert 'data-testid="dossier-overdue"' in html
    rules = ProjectRules.current()
    rules.dossier_deadline_days = 20
    rules.save()
    assert selectors.dossier_deadline(project) == datetime.date(2026, 6, 30)
    assert selectors.projects_with_dossier_due(leader) and not selectors.projects_with_dossier_due(
        applicant_user
    )


def test_payments_are_not_counted_for_dossier_once_settled(staff, leader):
    project = advance(leader, make_project(staff), Status.SETTLED)
    assert project.status == Status.SETTLED
    assert not selectors.projects_with_dossier_due(staff)
    assert Payment.objects.get(project=project).funding_source.code == "KCQG"


def test_an_adjustment_counts_advances_net_of_recoveries(staff, leader):
    """What the beneficiary keeps is what was paid minus what was recovered: an adjustment may lower
    the support to that figure, not below it."""
    project = _in_progress(leader, staff)
    _confirmed_entry(staff, project, datetime.date(2026, 4, 1), 80, 450_000_000)
    services.payment_record(
        user=staff, project=project, kind="advance", amount=210_000_000, paid_on=START_DATE
    )
    services.advance_recovery_record(
        user=staff,
        project=Project.objects.get(pk=project.pk),
        amount=100_000_000,
        recovered_on=START_DATE,
        reference="PT-02",
        document=pdf(),
    )

    def adjust(support):
        current = Project.objects.get(pk=project.pk)
        return services.project_adjust(
            user=leader,
            project=current,
            expected_version=current.version,
            decision_number="90/QĐ-BCT",
            decision_date=datetime.date(2026, 5, 1),
            lines={"KCQG": support, "DOI_UNG": 600_000_000 - support},
            total_cost=600_000_000,
        )

    with pytest.raises(ValidationError, match="thấp hơn số đã chi"):
        adjust(100_000_000)  # 110 tr kept by the beneficiary
    assert Project.objects.get(pk=project.pk).state_support == 300_000_000
    assert adjust(110_000_000).state_support == 110_000_000
