"""What issue 9 part A still left open: an approval of less support than proposed records the
beneficiary's counterpart commitment or a smaller scale (A7); a per-facility cap counts named or
planned facilities, never a free number (A4); an adjustment with a state line under no rule in
force records the legal basis used (A6)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import Project, Status

from .test_pdf import _text
from .utils import advance, make_applicant, make_project, step_data

pytestmark = pytest.mark.django_db

COMMITMENT = "Công văn số 15/CV-HTX của Hợp tác xã Mây tre đan Đức Long"
COMMITTED_ON = datetime.date(2026, 2, 25)


def _codes(error: ValidationError) -> set:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def _approve(leader, project, **changes):
    """Approve with the step's valid data and no commitment nor scale unless `changes` give one."""
    project = Project.objects.get(pk=project.pk)
    data = step_data(project, "approve") | {"counterpart_commitment": "", "counterpart_commitment_date": None}
    return services.project_transition(user=leader, project=project, step="approve", data=data | changes)


def _lines(project):
    return {s.code: a for s, a in services.budget_lines(Project.objects.get(pk=project.pk)).items()}


# --- A7: approving less than proposed -------------------------------------------------------------


def test_a_reduced_approval_without_commitment_or_smaller_scale_is_refused(staff, leader):
    """300 tr proposed on 600 tr, 250 tr approved: who pays the 50 tr? Neither said: refused."""
    project = advance(leader, make_project(staff, beneficiaries=[make_applicant()]), Status.APPRAISED)
    with pytest.raises(ValidationError, match="cam kết tăng vốn đối ứng") as info:
        _approve(leader, project, amounts={"KCQG": 250_000_000})
    assert _codes(info.value) == {"reduction_unexplained"}
    assert "50.000.000 đ" in info.value.messages[0]
    project = Project.objects.get(pk=project.pk)
    assert project.status == Status.APPRAISED and project.approved_support is None
    assert _lines(project) == {"KCQG": 300_000_000, "DOI_UNG": 300_000_000}
    # the whole proposal needs neither, and records no commitment given by mistake
    project = _approve(
        leader, project, counterpart_commitment=COMMITMENT, counterpart_commitment_date=COMMITTED_ON
    )
    row = project.transitions.get(step="approve")
    assert project.status == Status.APPROVED and row.counterpart_commitment == ""


def test_a_reduced_approval_records_the_counterpart_commitment(client, staff, leader, observer):
    project = advance(leader, make_project(staff, beneficiaries=[make_applicant()]), Status.APPRAISED)
    with pytest.raises(ValidationError) as info:  # a commitment needs its document and its date
        _approve(leader, project, amounts={"KCQG": 250_000_000}, counterpart_commitment=COMMITMENT)
    assert _codes(info.value) == {"commitment_incomplete"}
    with pytest.raises(ValidationError) as info:  # written after the decision it supports
        _approve(
            leader,
            project,
            amounts={"KCQG": 250_000_000},
            counterpart_commitment=COMMITMENT,
            counterpart_commitment_date=datetime.date(2026, 3, 3),
        )
    assert _codes(info.value) == {"commitment_after_decision"}
    project = _approve(
        leader,
        project,
        amounts={"KCQG": 250_000_000},
        counterpart_commitment=COMMITMENT,
        counterpart_commitment_date=COMMITTED_ON,
    )
    assert project.status == Status.APPROVED and project.approved_support == 250_000_000
    row = project.transitions.get(step="approve")
    assert (row.counterpart_commitment, row.counterpart_commitment_date) == (COMMITMENT, COMMITTED_ON)
    # the counterpart line grows by the 50 tr the State no longer covers; the total stays
    assert _lines(project) == {"KCQG": 250_000_000, "DOI_UNG": 350_000_000}
    assert Project.objects.get(pk=project.pk).total_cost == 600_000_000
    for user in (staff, observer):
        client.force_login(user)
        html = client.get(f"/de-an/{project.pk}/").content.decode()
        assert f'data-testid="counterpart-commitment">{COMMITMENT} (25/02/2026)' in html
    text = " ".join(_text(client.get(f"/de-an/{project.pk}/tom-tat.pdf").content).split())
    assert f"Cam kết tăng vốn đối ứng {COMMITMENT}, ngày 25/02/2026" in text


def test_a_reduced_approval_may_reduce_the_scale_instead(client, staff, leader):
    """Two demonstration models proposed at 600 tr of support on 2.000 tr; the decision approves
    one model at 300 tr: the models are reduced, the total cost shrinks by the 300 tr cut and the
    counterpart keeps its amount."""
    project = make_project(
        staff, activity_code="2a", variant_key="new_tech", total=2_000_000_000, support=600_000_000, models=2
    )
    project = advance(leader, project, Status.APPRAISED)
    with pytest.raises(ValidationError) as info:  # not a reduction
        _approve(leader, project, amounts={"KCQG": 300_000_000}, models_count=2)
    assert _codes(info.value) == {"scale_not_reduced"}
    with pytest.raises(ValidationError) as info:  # one or the other
        _approve(
            leader,
            project,
            amounts={"KCQG": 300_000_000},
            models_count=1,
            counterpart_commitment=COMMITMENT,
            counterpart_commitment_date=COMMITTED_ON,
        )
    assert _codes(info.value) == {"reduction_unexplained"}
    with pytest.raises(ValidationError) as info:  # no cut, no change of scale at approval
        _approve(leader, project, models_count=1)
    assert _codes(info.value) == {"scale_without_cut"}
    project = _approve(leader, project, amounts={"KCQG": 300_000_000}, models_count=1)
    project = Project.objects.get(pk=project.pk)
    assert (project.status, project.models_count, project.approved_support) == (
        Status.APPROVED,
        1,
        300_000_000,
    )
    assert (project.total_cost, project.eligible_cost) == (1_700_000_000, 1_700_000_000)
    assert _lines(project) == {"KCQG": 300_000_000, "DOI_UNG": 1_400_000_000}
    assert project.transitions.get(step="approve").models_count == 1
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert 'data-testid="reduced-scale">1 mô hình' in html
    text = " ".join(_text(client.get(f"/de-an/{project.pk}/tom-tat.pdf").content).split())
    assert "Số mô hình được duyệt (giảm quy mô) 1" in text


def test_a_group_project_may_be_approved_for_fewer_facilities(staff, leader):
    project = make_project(staff, total=1_200_000_000, support=600_000_000, planned=2)
    project = advance(leader, project, Status.APPRAISED)
    project = _approve(leader, project, amounts={"KCQG": 300_000_000}, planned_beneficiaries=1)
    project = Project.objects.get(pk=project.pk)
    assert (project.planned_beneficiaries, project.total_cost, project.approved_support) == (
        1,
        900_000_000,
        300_000_000,
    )


def test_the_approve_form_offers_the_commitment_and_the_scale(client, staff, leader):
    project = advance(leader, make_project(staff, beneficiaries=[make_applicant()]), Status.APPRAISED)
    client.force_login(leader)
    html = client.get(f"/de-an/{project.pk}/buoc/approve/").content.decode()
    for name in (
        "counterpart_commitment",
        "counterpart_commitment_date",
        "models_count",
        "planned_beneficiaries",
    ):
        assert f'name="{name}"' in html, name
    response = client.post(
        f"/de-an/{project.pk}/buoc/approve/",
        {
            "version": project.version,
            "decision_number": "1215/QĐ-BCT",
            "decision_date": "02/03/2026",
            "issuer": "ministry",
            "amount_KCQG": "250000000",
        },
    )
    assert response.status_code == 200 and "cam kết tăng vốn đối ứng" in response.content.decode()
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED


# --- A4: the units of a per-facility cap ----------------------------------------------------------


def test_a_per_facility_project_needs_named_or_planned_facilities_at_approval(staff, leader):
    """No beneficiary and no planned number: it used to count as one facility."""
    project = advance(leader, make_project(staff), Status.APPRAISED, name_facility=False)
    assert not project.beneficiaries.exists() and project.planned_beneficiaries is None
    with pytest.raises(ValidationError, match="mỗi cơ sở") as info:
        _approve(leader, project)
    assert _codes(info.value) == {"cap_units_missing"}
    assert Project.objects.get(pk=project.pk).status == Status.APPRAISED
    project.beneficiaries.add(make_applicant())
    assert _approve(leader, project).status == Status.APPROVED


def test_a_group_project_with_its_planned_number_is_approved(staff, leader):
    project = make_project(staff, total=1_200_000_000, support=600_000_000, planned=2)
    project = advance(leader, project, Status.APPRAISED, name_facility=False)
    assert _approve(leader, project).status == Status.APPROVED


def test_a_project_under_no_per_facility_cap_needs_no_facility(staff, leader):
    """A demonstration model's cap counts models; a KCĐP line with no rule counts nothing."""
    demo = make_project(staff, activity_code="2a", variant_key="new_tech", total=1_000_000_000)
    assert advance(leader, demo, Status.APPROVED, name_facility=False).status == Status.APPROVED


def test_a_draft_counts_the_facilities_it_names(staff):
    """Two facilities named on the form: 2 × 300 tr (the check counted the list saved before,
    none for a new draft, so 600 tr was refused as above 300 tr × 1 cơ sở)."""
    a, b = make_applicant(name="Hợp tác xã A"), make_applicant(name="Hợp tác xã B")
    project = make_project(staff, total=1_200_000_000, support=600_000_000, beneficiaries=[a, b])
    assert project.state_support == 600_000_000
    with pytest.raises(ValidationError, match="300.000.000 đ × 1 cơ sở"):
        services.project_update(
            user=staff,
            project=project,
            expected_version=project.version,
            data={},
            lines={"KCQG": 600_000_000, "DOI_UNG": 600_000_000},
            beneficiaries=[a],
        )
    assert Project.objects.get(pk=project.pk).beneficiaries.count() == 2
    project, _warnings = services.project_update(
        user=staff,
        project=project,
        expected_version=project.version,
        data={},
        lines={"KCQG": 400_000_000, "DOI_UNG": 800_000_000},
        beneficiaries=[a, b, make_applicant(name="Hợp tác xã C")],
    )
    assert project.beneficiaries.count() == 3


def test_the_forms_no_longer_ask_for_a_free_number_of_units(client, staff, leader):
    client.force_login(staff)
    assert 'name="units_covered"' not in client.get("/de-an/them/").content.decode()
    project = advance(leader, make_project(staff, beneficiaries=[make_applicant()]), Status.APPROVED)
    assert 'name="units_covered"' not in client.get(f"/de-an/{project.pk}/sua/").content.decode()
    client.force_login(leader)
    html = client.get(f"/de-an/{project.pk}/dieu-chinh/").content.decode()
    assert 'name="units_covered"' not in html and 'name="models_count"' in html


def test_an_adjustment_that_removes_every_facility_of_a_per_facility_project_is_refused(staff, leader):
    project = advance(leader, make_project(staff, beneficiaries=[make_applicant()]), Status.APPROVED)
    with pytest.raises(ValidationError) as info:
        services.project_adjust(
            user=leader,
            project=project,
            expected_version=project.version,
            decision_number="90/QĐ-BCT",
            decision_date=datetime.date(2026, 4, 1),
            lines={"KCQG": 300_000_000, "DOI_UNG": 300_000_000},
            total_cost=600_000_000,
            beneficiaries=[],
        )
    assert _codes(info.value) == {"cap_units_missing"}
    assert Project.objects.get(pk=project.pk).beneficiaries.count() == 1


def test_an_adjustment_counts_the_facilities_it_names(staff, leader):
    """Two facilities named by the decision: 2 × 300 tr; the check used the old list before."""
    project = advance(leader, make_project(staff, beneficiaries=[make_applicant()]), Status.APPROVED)
    other = make_applicant(name="Hợp tác xã Dệt Phụng Công")
    project = services.project_adjust(
        user=leader,
        project=project,
        expected_version=project.version,
        decision_number="90/QĐ-BCT",
        decision_date=datetime.date(2026, 4, 1),
        lines={"KCQG": 500_000_000, "DOI_UNG": 700_000_000},
        total_cost=1_200_000_000,
        beneficiaries=[*project.beneficiaries.all(), other],
    )
    assert project.approved_support == 500_000_000


# --- A6: an adjustment under no rule records the legal basis ---------------------------------------


def _adjust(leader, project, **changes):
    project = Project.objects.get(pk=project.pk)
    data = {
        "user": leader,
        "project": project,
        "expected_version": project.version,
        "decision_number": "45/QĐ-UBND",
        "decision_date": datetime.date(2026, 4, 1),
        "lines": {"KCDP": 250_000_000, "DOI_UNG": 350_000_000},
        "total_cost": 600_000_000,
    }
    return services.project_adjust(**(data | changes))


def test_an_adjustment_with_a_line_under_no_rule_needs_the_legal_basis(client, staff, leader):
    project = advance(leader, make_project(staff, lead="KCDP"), Status.APPROVED)
    with pytest.raises(ValidationError, match="ghi căn cứ pháp lý") as info:
        _adjust(leader, project)
    assert _codes(info.value) == {"legal_basis_required"}
    project = Project.objects.get(pk=project.pk)
    assert project.approved_support == 300_000_000 and not project.transitions.filter(step="adjust").exists()
    basis = "Nghị quyết 12/2026/NQ-HĐND ngày 10/01/2026"
    project = _adjust(leader, project, legal_basis=basis)
    row = project.transitions.get(step="adjust")
    assert (row.legal_basis, project.approved_support) == (basis, 250_000_000)
    assert row.amounts.get().rule_code == ""
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    assert f"Căn cứ pháp lý áp dụng: {basis}" in html
    # through the page: the form asks for it and says why when it is missing
    client.force_login(leader)
    project = Project.objects.get(pk=project.pk)
    response = client.post(
        f"/de-an/{project.pk}/dieu-chinh/",
        {
            "version": project.version,
            "decision_number": "46/QĐ-UBND",
            "decision_date": "05/04/2026",
            "total_cost": "600000000",
            "amount_KCDP": "200000000",
            "amount_DOI_UNG": "400000000",
            "reason": "Giảm kinh phí",
            "legal_basis": "",
        },
    )
    assert response.status_code == 200 and "ghi căn cứ pháp lý" in response.content.decode()
    assert 'name="legal_basis"' in response.content.decode()


def test_an_adjustment_under_a_rule_in_force_asks_for_no_legal_basis(staff, leader):
    project = advance(leader, make_project(staff, beneficiaries=[make_applicant()]), Status.APPROVED)
    project = _adjust(leader, project, lines={"KCQG": 250_000_000, "DOI_UNG": 350_000_000})
    row = project.transitions.get(step="adjust")
    assert row.legal_basis == "" and row.amounts.get().rule_code == "TT28_MACHINERY"
