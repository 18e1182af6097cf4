"""Fault (c): a database write breaks midway through a workflow step. The step's history row is
written, then the database fails (a disk full, a lost connection): nothing of the step is kept (the
row, the status, the version, the amounts, the notifications) and the page offers back what was
typed, with a "Thử lại" that sends it again to the same step."""

import html
import re

import pytest
from django.db import DatabaseError

from accounts.models import Notification
from accounts.roles import Role
from khuyencong.middleware import DatabaseBusyMiddleware
from projects.models import Project, ProjectTransition, Status
from tests.factories import UserFactory
from tests.projects.utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db

COMMENT = "Bổ sung báo giá thiết bị của 3 nhà cung cấp & biên bản khảo sát <hiện trạng>"


@pytest.fixture
def submitted():
    staff, leader = UserFactory(roles=[Role.STAFF]), UserFactory(roles=[Role.LEADER])
    owner = UserFactory(roles=[Role.APPLICANT])
    project = make_project(staff, beneficiaries=[make_applicant(owner=owner)])
    return advance(leader, project, Status.SUBMITTED), UserFactory(roles=[Role.STAFF]), owner


def _break_after_the_history_row(monkeypatch):
    """The history row is really inserted, then the database fails: a partial step if anything
    outside the step's transaction had been kept."""
    real_save = ProjectTransition.save
    calls = []

    def save_then_fail(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        calls.append(self.pk)
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(ProjectTransition, "save", save_then_fail)
    return calls


def test_a_write_failing_midway_keeps_nothing_and_offers_the_typed_input_back(client, submitted, monkeypatch):
    project, staff, owner = submitted
    before = (project.status, project.version, ProjectTransition.objects.filter(project=project).count())
    notes = Notification.objects.filter(recipient=owner).count()
    calls = _break_after_the_history_row(monkeypatch)
    client.force_login(staff)
    url = f"/de-an/{project.pk}/buoc/return/"
    response = client.post(url, {"version": project.version, "comment": COMMENT})

    assert calls, "the history row was written before the failure"
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.status, fresh.version, ProjectTransition.objects.filter(project=project).count()) == before
    assert Notification.objects.filter(recipient=owner).count() == notes

    assert response.status_code == 500
    page = response.content.decode()
    assert 'data-testid="try-again"' in page
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*data-testid="try-again"', page)
    assert form and form.group(1) == url
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert html.unescape(kept["comment"]) == COMMENT and kept["version"] == str(project.version)
    assert "csrfmiddlewaretoken" in kept
    assert "No space left" not in page  # the database's words stay in the log

    monkeypatch.undo()
    again = client.post(url, {name: html.unescape(v) for name, v in kept.items()})
    assert again.status_code == 302
    fresh = Project.objects.get(pk=project.pk)
    assert fresh.status == Status.RETURNED
    assert ProjectTransition.objects.filter(project=project, step="return").get().comment == COMMENT


def test_only_a_post_gets_the_form_back_and_other_errors_are_left_to_django(rf):
    """A GET has nothing typed to keep (Django's ordinary 500 page); an error that is not the
    database's is not swallowed."""
    middleware = DatabaseBusyMiddleware(lambda request: None)
    failure = DatabaseError("server closed the connection unexpectedly")
    assert middleware.process_exception(rf.get("/de-an/"), failure) is None
    assert middleware.process_exception(rf.post("/de-an/1/buoc/return/"), ValueError("bug")) is None
    response = middleware.process_exception(rf.post("/de-an/1/buoc/return/", {"comment": "x"}), failure)
    assert response.status_code == 500 and response["Cache-Control"] == "private, no-store"
    assert 'name="comment" value="x"' in response.content.decode()
