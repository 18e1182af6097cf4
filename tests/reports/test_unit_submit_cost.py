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
    assert len(prefill_calls) == 1  # the service's (its write rolled back), kept for the page
    assert UnitReport.objects.get(pk=report.pk).status == "draft"


def test_the_form_and_its_submission_compute_the_prefill_once_until_the_data_changes(
    client, staff, reporter, report, prefill_calls
):
    """Kept under the programme data's version (projects.figures): opening the form and sending
    it compute the commune's figures once; a unit's own writes (another commune sending) keep
    them; a write to the programme's data (a collaborator appointed) computes them again."""
    from tests.factories import CollaboratorFactory

    client.force_login(reporter)
    url = f"/bao-cao/don-vi/{report.pk}/"
    assert client.get(url).status_code == 200
    other = UnitReport.objects.exclude(pk=report.pk).filter(period=report.period).first()
    other.results = "Nháp của xã khác"
    other.save()
    assert client.get(url).status_code == 200
    assert len(prefill_calls) == 1
    CollaboratorFactory(commune=report.unit.commune, appointed_on=datetime.date(2026, 3, 1))
    collaborators = Indicator.objects.get(prefill="collaborators")
    assert client.post(url, form_data(report, **{f"value_{collaborators.pk}": "1"})).status_code == 302
    assert len(prefill_calls) == 2
    assert report.values.get(indicator=collaborators).prefilled == 1
