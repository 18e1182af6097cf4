"""What a unit's submission costs the web request (issue 11, the 22/12 load bench): the portal's
pre-fill is computed once, by the service that stores it beside the unit's figures; the page (and
its live pre-fill) is built only when the form comes back with errors."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programmes.models import Indicator
from reports import prefill, services
from reports.models import UnitReport

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
NARRATIVE = {"results": "Đã thực hiện.", "difficulties": "Không có.", "proposals": "Không có."}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def report(staff):
    period = services.period_open(user=staff, year=2026)
    return UnitReport.objects.get(period=period, unit__commune__code="11953")


@pytest.fixture
def prefill_calls(monkeypatch):
    calls = []
    original = prefill.prefill_buckets

    def counting(*args, **kwargs):
        calls.append(kwargs.get("commune"))
        return original(*args, **kwargs)

    monkeypatch.setattr(prefill, "prefill_buckets", counting)
    return calls


def form_data(report, **overrides):
    data = {"version": UnitReport.objects.get(pk=report.pk).version, "action": "submit", **NARRATIVE}
    for i in Indicator.objects.filter(is_active=True):
        data[f"value_{i.pk}"] = "5" if i.prefill == "none" else "0"
        data[f"note_{i.pk}"] = ""
    return data | overrides


def test_a_submission_computes_the_prefill_once_and_a_bounded_number_of_queries(
    client, reporter, report, prefill_calls, django_assert_max_num_queries
):
    client.force_login(reporter)
    with django_assert_max_num_queries(39):  # + the audit trail's rows: the report's, its figures' (issue 15)
        response = client.post(f"/bao-cao/don-vi/{report.pk}/", form_data(report))
    assert response.status_code == 302
    assert UnitReport.objects.get(pk=report.pk).status == "submitted"
    assert len(prefill_calls) == 1  # the service's, stored beside the figures; no page was built


def test_a_refused_submission_still_shows_the_page_with_the_portals_figures(
    client, reporter, report, prefill_calls
):
    client.force_login(reporter)
    response = client.post(f"/bao-cao/don-vi/{report.pk}/", form_data(report, proposals=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cần viết phần" in page and 'data-testid="report-form"' in page and "Số liệu của Cổng" in page
    assert len(prefill_calls) == 2  # the service's (rolled back) and the page's
    assert UnitReport.objects.get(pk=report.pk).status == "draft"
