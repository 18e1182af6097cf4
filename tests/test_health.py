from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_health_answers_200_with_database(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert "broker" in body


def test_health_answers_503_when_database_is_down(client):
    with mock.patch("khuyencong.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError"}


def test_health_reports_an_unreachable_broker(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["broker"]["ok"] is False
    assert response.json()["status"] == "degraded"


def test_health_reports_eager_mode_without_broker(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz/").json()["broker"] == {"ok": True, "mode": "eager"}
