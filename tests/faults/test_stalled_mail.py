"""Fault (d): a mail server that accepts the connection and never answers. A workflow step that
tells the facility by e-mail (a project returned for more documents) answers at once with a broker
(the mail is the worker's business), and without one (jobs run in-process) waits at most
EMAIL_TIMEOUT; the step is done, the in-app notification is there, and the failed delivery is kept
for a retry. The stalled server is tests/test_security_more.py's."""

import time

import pytest

from accounts.models import Notification
from accounts.roles import Role
from core.models import EmailDelivery
from projects.models import Project, Status
from tests.factories import UserFactory
from tests.projects.utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db

COMMENT = "Bổ sung báo giá thiết bị"


@pytest.fixture
def returned_step(client):
    """POST the staff's 'return' step of a submitted project whose facility owner has an e-mail."""
    staff, leader = UserFactory(roles=[Role.STAFF]), UserFactory(roles=[Role.LEADER])
    owner = UserFactory(roles=[Role.APPLICANT], email="chucoso@example.test")
    project = advance(
        leader, make_project(staff, beneficiaries=[make_applicant(owner=owner)]), Status.SUBMITTED
    )
    client.force_login(UserFactory(roles=[Role.STAFF]))

    def post():
        started = time.monotonic()
        response = client.post(
            f"/de-an/{project.pk}/buoc/return/", {"version": project.version, "comment": COMMENT}
        )
        return response, time.monotonic() - started

    return project, owner, post


def test_without_a_broker_a_step_waits_at_most_the_mail_timeout(
    returned_step,
    stalled_smtp,
    settings,
    django_capture_on_commit_callbacks,
):
    project, owner, post = returned_step
    with django_capture_on_commit_callbacks(execute=True):
        response, elapsed = post()
    assert stalled_smtp, "the mail server was reached"
    assert response.status_code == 302
    assert elapsed < settings.EMAIL_TIMEOUT + 1.5, elapsed
    assert Project.objects.get(pk=project.pk).status == Status.RETURNED
    assert Notification.objects.filter(recipient=owner).exists()
    delivery = EmailDelivery.objects.get(recipient=owner)
    assert delivery.status == "failed"  # kept: the next try sends it


def test_with_a_broker_the_step_does_not_wait_for_the_mail_server_at_all(
    returned_step,
    stalled_smtp,
    django_capture_on_commit_callbacks,
):
    from khuyencong.celery import app

    project, owner, post = returned_step
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # as with REDIS_URL set: the mail task goes to the broker
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response, elapsed = post()
    finally:
        app.conf.task_always_eager = eager
    assert response.status_code == 302
    assert elapsed < 1.0, elapsed
    assert not stalled_smtp  # nothing was sent from the request
    assert Project.objects.get(pk=project.pk).status == Status.RETURNED
    assert Notification.objects.filter(recipient=owner).exists()
