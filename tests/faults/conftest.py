"""Fault tests: a private Redis on a free port and Celery workers the tests start and stop
themselves (never the shared 6379 services), a database write broken midway, a stalled mail server.

Without the redis-server binary the Redis tests skip, unless REQUIRE_SERVICES=1 (CI), where they
fail. Every process started here is stopped at the end of its test, whatever happens."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from tests.conftest import need
from tests.test_security_more import stalled_smtp  # noqa: F401 (a mail server that never answers)

REDIS_SERVER = shutil.which("redis-server")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, seconds, what, every=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"{what} did not happen within {seconds} s")


def stop_process(process, *, group=False, timeout=5):
    """SIGTERM, then SIGKILL after `timeout`; the whole process group when `group`."""
    if process is None or process.poll() is not None:
        return
    kill = (lambda sig: os.killpg(process.pid, sig)) if group else process.send_signal
    try:
        kill(signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass


class PrivateRedis:
    """A redis-server of this test only, on a free port, without persistence; stop() and start()
    again keep its port, as a real Redis restarted by systemd would."""

    def __init__(self, folder):
        self.port = free_port()
        self.folder = folder
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def ping(self):
        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 (the Debian binary, fixed arguments)
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            + ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, seconds=10, what=f"redis-server on port {self.port}")

    def stop(self):
        stop_process(self.process)
        wait_for(lambda: not self.ping(), seconds=5, what="redis-server to stop")


@pytest.fixture
def private_redis(tmp_path):
    need(REDIS_SERVER, "redis-server is not installed (Debian package redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        stop_process(server.process)


@pytest.fixture
def broker_app(private_redis):
    """A Celery app on the private Redis, not eager, made the current one so that the portal's
    `.delay()` calls go to it; the project's app is put back at the end. Sending while Redis is
    down fails within about a second (as it would in production after the publish retries)."""
    from celery import Celery

    from khuyencong.celery import app as project_app

    app = Celery("khuyencong-faults", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=private_redis.url,
        task_always_eager=False,
        worker_hijack_root_logger=False,
        broker_connection_timeout=2,
        broker_connection_retry_on_startup=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
    )
    app.finalize()
    app.set_current()
    app.set_default()
    try:
        yield app
    finally:
        app.close()
        project_app.set_current()
        project_app.set_default()
