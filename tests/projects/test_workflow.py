"""The transition table, tested from the table itself: every allowed step by every role, every
step from every state, and every required field left out."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from projects import services
from projects.models import Project, ProjectTransition, Status
from projects.workflow import STEPS, STEPS_BY_KEY, steps_for
from tests.factories import UserFactory

from .utils import ACCEPTANCE_DATE, PATH, advance, make_project, prepare, step_data

pytestmark = pytest.mark.django_db

ROLES = list(Role)
STEP_CASES = [(step.key, source) for step in STEPS for source in sorted(step.sources)]


def _project_in(leader, staff, source):
    """A project in `source`, prepared (created and submitted) by an officer other than `staff` and
    `leader`, so that either may appraise it (the appraiser is not the preparer)."""
    project = make_project(UserFactory(roles=[Role.STAFF]))
    if source in PATH:
        return advance(leader, project, source)
    raise AssertionError(source)


@pytest.mark.parametrize(("step_key", "source"), STEP_CASES)
@pytest.mark.parametrize("role", ROLES)
def test_each_step_by_each_role(users, leader, staff, step_key, source, role):
    step = STEPS_BY_KEY[step_key]
    project = _project_in(leader, staff, source)
    prepare(leader, project, step_key)
    project = Project.objects.get(pk=project.pk)
    before = project.transitions.count()
    user = users[role]
    if role in step.roles:
        project = services.project_transition(
            user=user, project=project, step=step_key, data=step_data(project, step_key)
        )
        assert project.status == step.target
        row = project.transitions.last()
        assert (row.step, row.from_status, row.to_status, row.actor) == (step_key, source, step.target, user)
        assert step in steps_for(leader, source)
    else:
        with pytest.raises(ValidationError) as info:
            services.project_transition(
                user=user, project=project, step=step_key, data=step_data(project, step_key)
            )
        assert info.value.code == "forbidden"
        project.refresh_from_db()
        assert project.status == source
        assert project.transitions.count() == before
        assert step not in steps_for(user, source)


REFUSED = [(step.key, status) for step in STEPS for status in Status.values if status not in step.sources]


@pytest.mark.parametrize(("step_key", "status"), REFUSED)
def test_steps_the_table_does_not_allow_are_refused(leader, staff, step_key, status):
    project = make_project(staff)
    Project.objects.filter(pk=project.pk).update(status=status, acceptance_date=ACCEPTANCE_DATE)
    project.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.project_transition(
            user=leader, project=project, step=step_key, data=step_data(project, step_key)
        )
    assert info.value.code == "not_allowed"
    project.refresh_from_db()
    assert project.status == status
    assert not project.transitions.filter(step=step_key).exists()


FIELD_CASES = [(step.key, f.name) for step in STEPS for f in step.fields if f.required]


@pytest.mark.parametrize(("step_key", "field"), FIELD_CASES)
def test_leaving_out_a_required_field_is_refused(leader, staff, step_key, field):
    step = STEPS_BY_KEY[step_key]
    source = sorted(step.sources)[0]
    project = _project_in(leader, staff, source)
    prepare(leader, project, step_key)
    project = Project.objects.get(pk=project.pk)
    data = step_data(project, step_key)
    data.pop(field)
    with pytest.raises(ValidationError) as info:
        services.project_transition(user=leader, project=project, step=step_key, data=data)
    assert field in info.value.message_dict
    assert [e.code for e in info.value.error_dict[field]] == ["required"]
    project.refresh_from_db()
    assert project.status == source


def test_full_cycle_records_every_typed_field(leader, staff):
    project = advance(leader, make_project(staff), Status.SETTLED)
    assert project.decision_number == "APPROVE-01/2026"  # the text the declarations fill in
    assert (
        project.approved_support
        == project.contract_value
        == project.accepted_support
        == project.actual_support
    )
    rows = {r.step: r for r in project.transitions.all()}
    assert rows["appraise"].appraisal_result == "pass" and rows["appraise"].document.kind == "appraisal_sheet"
    assert rows["approve"].amounts.get().amount == 300_000_000
    assert rows["contract"].contract_parties == "CONTRACT-01/2026"
    assert rows["accept"].document.kind == "acceptance_minutes"
    assert rows["settle"].liquidation_number == "SETTLE-01/2026"
    assert list(rows) == ["create", "submit", "appraise", "approve", "contract", "start", "accept", "settle"]


def test_submit_needs_the_activitys_proposal_documents(leader, staff):
    project = make_project(staff)
    with pytest.raises(ValidationError, match="Chưa đủ tài liệu"):
        services.project_transition(user=staff, project=project, step="submit")
    assert Project.objects.get(pk=project.pk).status == Status.DRAFT


def test_contract_value_must_equal_approved_support(leader, staff):
    project = advance(leader, make_project(staff), Status.APPROVED)
    data = step_data(project, "contract")
    data["contract_value"] += 1
    with pytest.raises(ValidationError, match="phải bằng"):
        services.project_transition(user=staff, project=project, step="contract", data=data)


def test_settlement_needs_payments_adding_up_to_actual_support(leader, staff):
    project = advance(leader, make_project(staff), Status.ACCEPTED)
    with pytest.raises(ValidationError, match="phải bằng kinh phí hỗ trợ quyết toán"):
        services.project_transition(
            user=staff, project=project, step="settle", data=step_data(project, "settle")
        )


def test_stale_transition_is_refused(leader, staff):
    project = make_project(staff)
    prepare(leader, project, "submit")
    stale_version = project.version
    services.project_transition(user=staff, project=project, step="cancel", data={"reason": "Trùng"})
    with pytest.raises(ValidationError) as info:
        services.project_transition(
            user=staff, project=project, step="submit", expected_version=stale_version
        )
    assert info.value.code == "stale"


def test_transition_notifies_the_beneficiary(leader, staff, applicant, applicant_user):
    project = make_project(staff, beneficiaries=[applicant])
    advance(leader, project, Status.SUBMITTED)
    assert applicant_user.notifications.filter(event="project_transition").exists()


def test_history_rows_are_typed_not_text():
    typed = {f.name for f in ProjectTransition._meta.get_fields()}
    for step in STEPS:
        for f in step.fields:
            assert f.name in typed or f.name == "amounts"


# Each handler's own refusal: (step, the state it is taken from, what breaks it, the message).
HANDLER_REFUSALS = [
    ("appraise", Status.SUBMITTED, {"appraisal_date": datetime.date(2026, 6, 16)}, "không được sau hôm nay"),
    (
        "appraise_fail",
        Status.SUBMITTED,
        {"appraisal_date": datetime.date(2026, 6, 16)},
        "không được sau hôm nay",
    ),
    ("approve", Status.APPRAISED, {"decision_date": datetime.date(2026, 6, 16)}, "không được sau hôm nay"),
    ("approve", Status.APPRAISED, {"decision_date": datetime.date(2026, 3, 1)}, "trước ngày thẩm định"),
    ("approve", Status.APPRAISED, {"issuer": "department"}, "do Bộ Công Thương"),
    ("contract", Status.APPROVED, {"contract_value": 1}, "phải bằng kinh phí hỗ trợ được duyệt"),
    ("start", Status.CONTRACTED, {"start_date": datetime.date(2026, 3, 9)}, "trước ngày ký hợp đồng"),
    ("accept", Status.IN_PROGRESS, {"accepted_cost": 1}, "vượt tổng kinh phí nghiệm thu"),
]


@pytest.mark.parametrize(("step_key", "source", "broken", "message"), HANDLER_REFUSALS)
def test_a_handlers_refusal_changes_nothing(leader, staff, step_key, source, broken, message):
    """The engine copies the declared fields onto the project before the handler runs; a refusal
    rolls all of it back: same status, version, copied fields and history."""
    project = _project_in(leader, staff, source)
    prepare(leader, project, step_key)
    project = Project.objects.get(pk=project.pk)
    before = (project.status, project.version, project.transitions.count(), project.documents.count())
    copied = [f.copy_to for f in STEPS_BY_KEY[step_key].fields if f.copy_to]
    kept = {name: getattr(project, name) for name in copied}
    data = step_data(project, step_key) | broken
    with pytest.raises(ValidationError, match=message):
        services.project_transition(user=leader, project=project, step=step_key, data=data)
    project = Project.objects.get(pk=project.pk)
    assert (project.status, project.version, project.transitions.count(), project.documents.count()) == before
    assert {name: getattr(project, name) for name in copied} == kept


def test_timeline_shows_each_steps_recorded_fields_from_the_declarations(client, leader, staff):
    """Every field a step declares and its history row holds is on the page, in that step's entry,
    formatted by its kind."""
    from django.utils.formats import date_format

    from core.money import format_vnd
    from projects.workflow import HISTORY_STEPS

    project = advance(leader, make_project(staff), Status.SETTLED)
    client.force_login(staff)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    timeline = html.split('data-testid="timeline"')[1].split("</ol>")[0]
    entries = {chunk.split('"', 1)[0]: chunk for chunk in timeline.split('data-step="')[1:]}
    declared = {step.key: step for step in STEPS + HISTORY_STEPS}
    shown = 0
    for row in project.transitions.all():
        entry = entries[row.step]
        for f in declared[row.step].fields:
            if f.kind in {"document", "amounts"}:
                continue
            value = getattr(row, f.name)
            if value in (None, ""):
                assert f'data-field="{f.name}"' not in entry
                continue
            text = {
                "date": lambda v: date_format(v, "d/m/Y"),
                "money": format_vnd,
                "choice": lambda v, name=f.name: str(
                    dict(ProjectTransition._meta.get_field(name).choices)[v]
                ),
            }.get(f.kind, str)(value)
            assert f'data-field="{f.name}"' in entry and f"{f.label}: {text}" in entry, (row.step, f.name)
            shown += 1
    assert shown >= 15  # numbers, dates, money, the appraisal and the comments of the whole cycle
