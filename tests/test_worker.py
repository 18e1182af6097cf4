"""A real round trip: a task sent through the real Redis broker is run by a real Celery worker
(in a thread, so it sees this test's committed database) and writes a row.

Needs REDIS_URL. Without it the test skips, unless REQUIRE_SERVICES=1 (CI), where it fails. It
uses its own Redis database number and queue so that it never takes anybody else's tasks."""

import contextlib
import os
import signal
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker

from accounts.models import Notification
from accounts.notifications import Event
from accounts.tasks import send_notification
from khuyencong.celery import app as project_app
from tests.conftest import need
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TEST_REDIS_DB = 15
HARD_TIMEOUT = 60  # seconds for the whole round trip, worker start and stop included


def _test_broker_url():
    url = os.environ.get("REDIS_URL", "")
    need(bool(url), "REDIS_URL is not set: no real broker to test against")
    parts = urlsplit(url)
    url = urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB}"))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"REDIS_URL is set but Redis does not answer at {url}: {exc}")
    return url


@contextlib.contextmanager
def _hard_timeout(seconds):
    def expire(signum, frame):
        raise TimeoutError(f"the worker round trip took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def worker_app():
    """A Celery app of its own on the test broker, not eager, with the project's tasks."""
    url = _test_broker_url()
    app = Celery("khuyencong-worker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    queue = f"test-round-trip-{uuid.uuid4().hex}"
    app.conf.update(
        broker_url=url,
        task_always_eager=False,
        task_default_queue=queue,
        worker_hijack_root_logger=False,
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=False,
    )
    app.finalize()
    assert send_notification.name in app.tasks
    yield app, queue
    app.close()
    project_app.set_current()
    project_app.set_default()
    redis.Redis.from_url(url).delete(queue)


def test_a_task_goes_through_redis_to_a_real_worker_that_writes_to_the_database(worker_app):
    app, queue = worker_app
    user = UserFactory(email=None, phone="0912000123")
    broker = redis.Redis.from_url(app.conf.broker_url)
    with _hard_timeout(HARD_TIMEOUT):
        app.tasks[send_notification.name].apply_async(
            kwargs={
                "user_ids": [user.pk],
                "event": Event.TEST,
                "title": "Thử hàng đợi công việc",
                "body": "Gửi qua Redis, chạy trong worker.",
            },
            queue=queue,
        )
        # The message waits in Redis: nothing ran in this process.
        assert broker.llen(queue) == 1
        assert not Notification.objects.filter(recipient=user).exists()

        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if Notification.objects.filter(recipient=user, event=Event.TEST).exists():
                    break
                time.sleep(0.2)
    notification = Notification.objects.get(recipient=user, event=Event.TEST)
    assert notification.title == "Thử hàng đợi công việc"
    assert broker.llen(queue) == 0


def test_the_task_runs_eagerly_without_a_broker():
    """Tests and a laptop without REDIS_URL run jobs in-process (CELERY_TASK_ALWAYS_EAGER)."""
    user = UserFactory()
    assert send_notification.delay(user_ids=[user.pk], event=Event.TEST, title="Tại chỗ").get() == 1
    assert Notification.objects.filter(recipient=user, title="Tại chỗ").count() == 1
