"""The unit report pages (issue 11, items 4-5): the official's pre-filled form (save a draft,
send), the review by Sở officers, the periods and the completeness board with its spreadsheet,
and who may open what (404 for another unit's report, by id and by guessing)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from programmes.models import Indicator, ReportingUnit
from projects.models import Project, ProjectOutput, Status
from reports import services
from reports.models import ReportingPeriod, UnitReport
from tests.factories import UserFactory
from tests.projects.utils import make_project

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=HCM)
NARRATIVE = {
    "results": "Hoàn thành kế hoạch.",
    "difficulties": "Thiếu kinh phí.",
    "proposals": "Tăng kinh phí.",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def period(staff):
    return services.period_open(user=staff, year=2026)


@pytest.fixture
def report(period):
    return UnitReport.objects.get(period=period, unit__commune__code="11953")


def url(report):
    return f"/bao-cao/don-vi/{report.pk}/"


def _indicators():
    return list(Indicator.objects.filter(is_active=True))


def form_data(report, *, action="save", **overrides):
    """What the official's form posts: every figure (the portal's 0, or 5 where the unit types it)
    and the narrative."""
    data = {"version": UnitReport.objects.get(pk=report.pk).version, "action": action, **NARRATIVE}
    for i in _indicators():
        data[f"value_{i.pk}"] = "5" if i.prefill == "none" else "0"
        data[f"note_{i.pk}"] = ""
    data.update(overrides)
    return data


def trainees():
    return Indicator.objects.get(code="hoc_vien")


def test_the_official_sees_the_form_pre_filled_from_the_communes_projects(client, staff, reporter, report):
    project = make_project(staff)  # in 11953
    Project.objects.filter(pk=project.pk).update(
        status=Status.ACCEPTED, acceptance_date=datetime.date(2026, 6, 10)
    )
    ProjectOutput.objects.create(
        project=project, label="Học viên", quantity=30, unit="người", indicator=trainees(), number=30
    )
    client.force_login(reporter)
    page = client.get(url(report)).content.decode()
    assert re.search(rf'name="value_{trainees().pk}"[^>]*value="30"', page)
    assert 'data-indicator="hoc_vien"' in page and "Số liệu của Cổng" in page
    assert "Hạn gửi: 22/12/2026 (còn 12 ngày)" in page
    assert "đơn vị tự nhập" in page  # lao_dong_tang_them has nothing to pre-fill from


def test_money_is_typed_and_shown_in_trieu_dong(client, reporter, report):
    money = Indicator.objects.get(code="kinh_phi_kcqg")
    client.force_login(reporter)
    response = client.post(
        url(report), form_data(report, **{f"value_{money.pk}": "1.250,5", f"note_{money.pk}": "Ước"})
    )
    assert response.status_code == 302
    assert report.values.get(indicator=money).value == 1_250_500_000
    assert re.search(
        rf'name="value_{money.pk}"[^>]*value="1.250,5"', client.get(url(report)).content.decode()
    )


def test_the_portals_money_figure_sent_back_as_shown_needs_no_note_and_is_kept_to_the_dong(
    client, reporter, report, monkeypatch
):
    """The form shows a triệu đồng to three decimals: a unit that keeps the portal's 469.200.400
    đồng (shown '469,2') has not changed it, so it owes no note; a figure it really changes does."""
    from reports import prefill

    money = Indicator.objects.get(code="kinh_phi_kcdp")
    real = prefill.unit_prefill

    def with_odd_money(unit, window, indicators):
        return real(unit, window, indicators) | {money.pk: 469_200_400}

    monkeypatch.setattr("reports.services.unit_prefill", with_odd_money)
    monkeypatch.setattr("reports.unit_selectors.unit_prefill", with_odd_money)
    client.force_login(reporter)
    shown = re.search(
        rf'name="value_{money.pk}"[^>]*value="([^"]*)"', client.get(url(report)).content.decode()
    )
    assert shown.group(1) == "469,2"
    changed = client.post(url(report), form_data(report, action="submit", **{f"value_{money.pk}": "469,3"}))
    assert changed.status_code == 200 and "cần ghi giải trình" in changed.content.decode()
    assert UnitReport.objects.get(pk=report.pk).status == "draft"
    sent = client.post(url(report), form_data(report, action="submit", **{f"value_{money.pk}": "469,2"}))
    assert sent.status_code == 302
    row = report.values.get(indicator=money)
    assert (row.value, row.prefilled, row.differs) == (469_200_400, 469_200_400, False)
    assert UnitReport.objects.get(pk=report.pk).status == "submitted"


def test_the_official_saves_a_draft_then_sends_it(client, reporter, report):
    client.force_login(reporter)
    response = client.post(url(report), {"version": 1, "action": "save", "results": "Nháp đầu"})
    assert response.status_code == 302 and response["Location"] == url(report)
    saved = UnitReport.objects.get(pk=report.pk)
    assert (saved.results, saved.status, saved.version) == ("Nháp đầu", "draft", 2)
    assert "Đã lưu nháp báo cáo." in client.get(url(report)).content.decode()
    response = client.post(url(report), form_data(report, action="submit"))
    assert response.status_code == 302
    sent = UnitReport.objects.get(pk=report.pk)
    assert (sent.status, sent.late, sent.submitted_by) == ("submitted", False, reporter)
    page = client.get(url(report)).content.decode()
    assert 'data-testid="report-form"' not in page and 'data-timeliness="on_time"' in page
    # once sent, the form no longer saves
    response = client.post(url(report), form_data(report))
    assert response.status_code == 302
    assert "đơn vị không sửa được" in client.get(url(report)).content.decode()


def test_an_incomplete_submission_shows_vietnamese_messages_and_changes_nothing(client, reporter, report):
    client.force_login(reporter)
    data = form_data(report, action="submit", proposals="", **{f"value_{trainees().pk}": "12"})
    response = client.post(url(report), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "cần ghi giải trình" in page and "Cần viết phần" in page
    assert 'value="12"' in page  # what was typed is kept on the page
    unchanged = UnitReport.objects.get(pk=report.pk)
    assert (unchanged.status, unchanged.version, unchanged.values.count()) == ("draft", 1, 0)


def test_a_bad_figure_is_refused_by_the_form(client, reporter, report):
    client.force_login(reporter)
    response = client.post(url(report), form_data(report, **{f"value_{trainees().pk}": "-4"}))
    assert response.status_code == 200 and "Số liệu không được âm." in response.content.decode()
    response = client.post(url(report), form_data(report, **{f"value_{trainees().pk}": "mười"}))
    assert "Nhập số bằng chữ số" in response.content.decode()
    assert UnitReport.objects.get(pk=report.pk).version == 1


def test_a_stale_form_is_refused(client, reporter, report):
    client.force_login(reporter)
    client.post(url(report), {"version": 1, "action": "save", "results": "Một"})
    response = client.post(url(report), {"version": 1, "action": "save", "results": "Hai"})
    assert "vừa được người khác cập nhật" in response.content.decode()
    assert UnitReport.objects.get(pk=report.pk).results == "Một"


def test_another_units_report_answers_404_by_id_and_by_guessing(client, reporter, period, report):
    other = UnitReport.objects.get(period=period, unit__commune__code="12364")
    client.force_login(reporter)
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other), form_data(other)).status_code == 404
    assert (
        client.get(f"/bao-cao/don-vi/{UnitReport.objects.order_by('-pk').first().pk + 1}/").status_code == 404
    )
    assert UnitReport.objects.get(pk=other.pk).version == 1
    listed = client.get("/bao-cao/don-vi/").content.decode()
    assert f'data-report="{report.pk}"' in listed and f'data-report="{other.pk}"' not in listed


def test_a_partner_departments_member_fills_its_own_report_without_prefill(client, period):
    member = UserFactory(roles=[Role.UNIT_REPORTER])
    unit = ReportingUnit.objects.get(code="so-tai-chinh")
    unit.members.add(member)
    report = UnitReport.objects.get(period=period, unit=unit)
    client.force_login(member)
    page = client.get(url(report)).content.decode()
    assert page.count("đơn vị tự nhập") == len(_indicators())
    data = form_data(report, action="submit")
    for i in _indicators():
        data[f"value_{i.pk}"] = "3"
    assert client.post(url(report), data).status_code == 302
    assert UnitReport.objects.get(pk=report.pk).status == "submitted"


def _sent(reporter, report):
    values = {i.pk: {"value": 5 if i.prefill == "none" else 0, "note": ""} for i in _indicators()}
    return services.unit_report_submit(user=reporter, report=report, values=values, narrative=NARRATIVE)


def test_staff_return_it_with_what_to_add_and_the_official_reads_why(client, staff, reporter, report):
    _sent(reporter, report)
    client.force_login(staff)
    page = client.get(url(report)).content.decode()
    assert 'data-step="accept"' in page and 'data-step="return"' in page and 'data-step="reopen"' not in page
    step_url = f"{url(report)}buoc/return/"
    response = client.post(step_url, {"return-version": 2, "return-comment": "", "return-wanted_back_by": ""})
    assert response.status_code == 400 and "Bước này cần" in response.content.decode()
    response = client.post(
        step_url,
        {"return-version": 2, "return-comment": "Bổ sung số học viên", "return-wanted_back_by": "18/12/2026"},
    )
    assert response.status_code == 302
    returned = UnitReport.objects.get(pk=report.pk)
    assert (returned.status, returned.wanted_back_by) == ("returned", datetime.date(2026, 12, 18))
    client.force_login(reporter)
    page = client.get(url(report)).content.decode()
    assert "Bổ sung số học viên" in page and "18/12/2026" in page
    assert "Hạn gửi lại: 18/12/2026 (còn 8 ngày)" in page and "Gửi lại báo cáo" in page


def test_staff_close_the_period_and_reopen_one_report_with_a_reason(client, staff, reporter, period, report):
    client.force_login(staff)
    assert client.post(f"/bao-cao/ky/{period.pk}/khoa-so/").status_code == 302
    assert ReportingPeriod.objects.get(pk=period.pk).is_closed
    client.force_login(reporter)
    page = client.get(url(report)).content.decode()
    assert "Kỳ báo cáo đã khóa sổ ngày 10/12/2026" in page and 'data-testid="report-form"' not in page
    assert 'data-timeliness="pending"' in page  # locked, and not late: two different things
    client.force_login(staff)
    response = client.post(
        f"{url(report)}buoc/reopen_draft/",
        {"reopen_draft-version": 1, "reopen_draft-reason": "Xã mất điện", "reopen_draft-wanted_back_by": ""},
    )
    assert response.status_code == 302
    client.force_login(reporter)
    page = client.get(url(report)).content.decode()
    assert "Sở đã mở lại báo cáo ngày 10/12/2026. Lý do: Xã mất điện" in page
    assert 'data-testid="report-form"' in page


def test_leaders_read_the_report_and_the_board_but_do_not_act(client, leader, reporter, period, report):
    _sent(reporter, report)
    client.force_login(leader)
    page = client.get(url(report)).content.decode()
    assert 'data-testid="steps"' not in page
    assert client.post(f"{url(report)}buoc/accept/", {"accept-version": 2}).status_code == 403
    board = client.get(f"/bao-cao/ky/{period.pk}/").content.decode()
    assert 'data-testid="board"' in board and 'data-testid="close"' not in board
    assert client.post(f"/bao-cao/ky/{period.pk}/khoa-so/").status_code == 403
    assert client.post("/bao-cao/ky/", {"year": 2027}).status_code == 403
    assert UnitReport.objects.get(pk=report.pk).status == "submitted"


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.APPLICANT])
def test_other_roles_open_none_of_it(client, role, period, report):
    client.force_login(UserFactory(roles=[role]))
    for path in ("/bao-cao/don-vi/", url(report), "/bao-cao/ky/", f"/bao-cao/ky/{period.pk}/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"{url(report)}buoc/accept/").status_code == 403


def test_commune_officials_do_not_open_the_board_nor_review(client, reporter, period, report):
    client.force_login(reporter)
    assert client.get("/bao-cao/ky/").status_code == 403
    assert client.get(f"/bao-cao/ky/{period.pk}/").status_code == 403
    assert client.post(f"{url(report)}buoc/accept/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, period, report):
    for path in (url(report), f"/bao-cao/ky/{period.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_staff_open_a_period_from_the_page(client, staff):
    client.force_login(staff)
    page = client.get("/bao-cao/ky/").content.decode()
    assert 'data-testid="open-period"' in page
    response = client.post(
        "/bao-cao/ky/", {"year": 2026, "unit_deadline": "20/12/2026", "reminder_offsets": "5, 1"}
    )
    period = ReportingPeriod.objects.get(year=2026)
    assert response.status_code == 302 and response["Location"] == f"/bao-cao/ky/{period.pk}/"
    assert period.unit_deadline == datetime.datetime(2026, 12, 20, 23, 59, 59, 999999, tzinfo=HCM)
    assert period.reminder_offsets == [5, 1]
    response = client.post("/bao-cao/ky/", {"year": 2026})
    assert "đã được mở" in response.content.decode()


def _accepted_projects(staff, n):
    for _ in range(n):
        project = make_project(staff)
        Project.objects.filter(pk=project.pk).update(
            status=Status.ACCEPTED, acceptance_date=datetime.date(2026, 6, 10)
        )
        ProjectOutput.objects.create(
            project=project, label="Học viên", quantity=10, unit="người", indicator=trainees(), number=10
        )


def test_the_form_takes_a_bounded_number_of_queries(
    client, staff, reporter, report, django_assert_max_num_queries
):
    client.force_login(reporter)
    _accepted_projects(staff, 1)
    # 18 for the form (the commune's đề án read first: reports.prefill._touching), 3 for the
    # official PDF and signed-copy section (its job row, copies, signatures)
    with django_assert_max_num_queries(22):
        assert client.get(url(report)).status_code == 200
    _accepted_projects(staff, 8)
    with django_assert_max_num_queries(22):
        page = client.get(url(report)).content.decode()
    assert re.search(rf'name="value_{trainees().pk}"[^>]*value="90"', page)


def test_dates_out_of_order_are_refused_in_vietnamese(client, staff):
    client.force_login(staff)
    response = client.post("/bao-cao/ky/", {"year": 2027, "unit_deadline": "20/11/2027"})
    assert "Ngày bắt đầu nhận phải trước hạn của đơn vị" in response.content.decode()
    response = client.post("/bao-cao/ky/", {"year": 2027, "data_from": "15/12/2027", "data_to": "14/12/2027"})
    assert "Ngày đầu của thời gian lấy số liệu phải trước ngày cuối." in response.content.decode()
    response = client.post("/bao-cao/ky/", {"year": 2027, "reminder_offsets": "bảy"})
    assert "Nhập các số nguyên" in response.content.decode()
    assert not ReportingPeriod.objects.exists()
