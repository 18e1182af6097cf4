"""The project page offers the appraisal only to who may take it: while programmes.ApprovalRules
says the appraiser is not the preparer, the officer who created or last submitted the đề án sees
no appraisal buttons (the service refuses them anyway)."""

import pytest

from programmes.models import ApprovalRules
from projects import services
from projects.models import Status

from .utils import appraiser, make_project, prepare

pytestmark = pytest.mark.django_db


def _submitted_by(user, leader):
    project = make_project(user)
    prepare(leader, project, "submit")
    return services.project_transition(user=user, project=project, step="submit")


def _buttons(client, user, project):
    client.force_login(user)
    html = client.get(f"/de-an/{project.pk}/").content.decode()
    return {step for step in ("appraise", "appraise_fail", "return") if f"/buoc/{step}/" in html}, html


def test_the_preparer_sees_no_appraisal_buttons_another_officer_does(client, staff, leader):
    project = _submitted_by(staff, leader)
    assert project.status == Status.SUBMITTED
    shown, html = _buttons(client, staff, project)
    assert shown == {"return"}
    assert 'data-testid="appraiser-not-preparer"' in html and "người lập đề án" in html
    # the step's own page sends the preparer back to the project
    response = client.get(f"/de-an/{project.pk}/buoc/appraise/")
    assert response.status_code == 302 and response["Location"] == f"/de-an/{project.pk}/"
    shown, html = _buttons(client, appraiser(), project)
    assert shown == {"appraise", "appraise_fail", "return"}
    assert 'data-testid="appraiser-not-preparer"' not in html
    assert client.get(f"/de-an/{project.pk}/buoc/appraise/").status_code == 200


def test_a_leader_who_submitted_sees_no_appraisal_buttons(client, staff, leader):
    project = make_project(staff)
    prepare(leader, project, "submit")
    project = services.project_transition(user=leader, project=project, step="submit")
    shown, _html = _buttons(client, leader, project)
    assert shown == {"return"}
    shown, _html = _buttons(client, staff, project)  # created it: a preparer too
    assert shown == {"return"}


def test_with_the_rule_off_the_preparer_may_appraise(client, staff, leader):
    rules = ApprovalRules.current()
    rules.appraiser_not_preparer = False
    rules.save()
    project = _submitted_by(staff, leader)
    shown, html = _buttons(client, staff, project)
    assert shown == {"appraise", "appraise_fail", "return"}
    assert 'data-testid="appraiser-not-preparer"' not in html
