"""The unit report's Excel route (issue 11, item 8): the official downloads the report's form
pre-filled as XLSX and uploads it back; the web form's checks apply, all or nothing, with the bad
rows named; limits, legacy encodings, unknown indicators and stale files are refused; who may do
what (404 for another unit's report)."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from core.spreadsheets import read_xlsx_values
from programmes.models import Indicator
from projects.models import Project, ProjectOutput, Status
from reports import services
from reports.models import UnitReport
from tests.factories import UserFactory
from tests.projects.utils import make_project

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=HCM)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TCVN3_TEXT = "Hé kinh doanh m©y tre ®an, x· Tiªn L÷, tØnh H­ng Yªn"
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


def indicator(code):
    return Indicator.objects.get(code=code)


def fresh(report):
    return UnitReport.objects.get(pk=report.pk)


def download(client, user, report):
    client.force_login(user)
    response = client.get(f"/bao-cao/don-vi/{report.pk}/excel/")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def to_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, user, report, content, name="bao-cao.xlsx"):
    client.force_login(user)
    response = client.post(
        f"/bao-cao/don-vi/{report.pk}/excel/tai-len/", {"file": SimpleUploadedFile(name, content, XLSX)}
    )
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def rows_by_code(sheet):
    """{code: row number} of the "Số liệu" sheet."""
    return {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}


def set_figure(workbook, code, value, note=None):
    sheet = workbook["Số liệu"]
    row = rows_by_code(sheet)[code]
    sheet.cell(row=row, column=5, value=value)
    if note is not None:
        sheet.cell(row=row, column=6, value=note)
    return row


def set_section(workbook, label, text):
    sheet = workbook["Thuyết minh"]
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(row=r, column=1).value == label:
            sheet.cell(row=r, column=2, value=text)
            return r
    raise AssertionError(label)


def trainees_from_projects(staff, n=30):
    project = make_project(staff)  # in 11953
    Project.objects.filter(pk=project.pk).update(
        status=Status.ACCEPTED, acceptance_date=datetime.date(2026, 6, 10)
    )
    ProjectOutput.objects.create(
        project=project, label="Học viên", quantity=n, unit="người", indicator=indicator("hoc_vien"), number=n
    )


def unchanged(report, version=1):
    saved = fresh(report)
    assert (saved.version, saved.status, saved.results) == (version, "draft", "")
    assert not saved.values.exclude(value=None).exists()


# --- the download ----------------------------------------------------------------------------------


def test_the_official_downloads_the_form_pre_filled_in_vietnamese(client, staff, reporter, report):
    trainees_from_projects(staff)
    workbook = download(client, reporter, report)
    assert workbook.sheetnames == ["Số liệu", "Thuyết minh", "Hướng dẫn"]
    values = workbook["Số liệu"]
    assert [c.value for c in values[1]] == [
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Số liệu của Cổng",
        "Số liệu của đơn vị",
        "Giải trình (khi khác số liệu của Cổng)",
    ]
    rows = rows_by_code(values)
    assert set(rows) == set(Indicator.objects.filter(is_active=True).values_list("code", flat=True))
    trainee_row = [c.value for c in values[rows["hoc_vien"]]]
    assert trainee_row == ["hoc_vien", "Số học viên được đào tạo, tập huấn", "người", 30, 30, None]
    # nothing to pre-fill from: said so, and the unit's column left empty for it
    assert [c.value for c in values[rows["lao_dong_tang_them"]]][3:5] == ["đơn vị tự nhập", None]
    narrative = workbook["Thuyết minh"]
    assert [narrative.cell(row=r, column=1).value for r in range(1, 5)] == [
        "Mục",
        "1. Kết quả thực hiện",
        "2. Khó khăn, vướng mắc",
        "3. Đề xuất, kiến nghị",
    ]
    info = {r[0].value: r[1].value for r in workbook["Hướng dẫn"].iter_rows(min_row=2)}
    assert info["Mã báo cáo"] == report.pk and info["Phiên bản"] == 1 and info["Năm báo cáo"] == 2026
    assert info["Đơn vị"] == report.unit.name
    assert "15/12/2025" in info["Số liệu"] and "14/12/2026" in info["Số liệu"]
    assert "triệu đồng" in info["Cách điền"]


def test_the_form_carries_the_units_own_figures_and_money_in_millions(client, reporter, report):
    money, trainees = indicator("kinh_phi_kcqg"), indicator("hoc_vien")
    services.unit_report_save(
        user=reporter,
        report=report,
        values={
            money.pk: {"value": 1_250_500_000, "note": "Ước"},
            trainees.pk: {"value": 12, "note": "Lớp riêng"},
        },
        narrative={"results": "Dòng một\nDòng hai"},
    )
    workbook = download(client, reporter, report)
    values = workbook["Số liệu"]
    rows = rows_by_code(values)
    assert [c.value for c in values[rows["kinh_phi_kcqg"]]][2:] == ["triệu đồng", 0, 1250.5, "Ước"]
    assert [c.value for c in values[rows["hoc_vien"]]][3:] == [0, 12, "Lớp riêng"]
    assert workbook["Thuyết minh"]["B2"].value == "Dòng một\nDòng hai"
    info = {r[0].value: r[1].value for r in workbook["Hướng dẫn"].iter_rows(min_row=2)}
    assert info["Phiên bản"] == 2


def test_a_formula_typed_in_the_report_is_neutralised_on_download_and_kept_on_upload(
    client, reporter, report
):
    trainees = indicator("hoc_vien")
    formula = '=HYPERLINK("http://evil.example","bấm vào")'
    services.unit_report_save(
        user=reporter,
        report=report,
        values={trainees.pk: {"value": 7, "note": formula}},
        narrative={"results": "- Mở 2 lớp\n- Hỗ trợ 3 cơ sở", "proposals": "+cmd|' /C calc'!A0"},
    )
    workbook = download(client, reporter, report)
    note = workbook["Số liệu"].cell(row=rows_by_code(workbook["Số liệu"])[trainees.code], column=6)
    assert note.data_type == "s" and note.value == "'" + formula
    narrative = workbook["Thuyết minh"]
    assert narrative["B2"].data_type == "s" and narrative["B2"].value.startswith("'- Mở 2 lớp")
    assert narrative["B4"].value == "'+cmd|' /C calc'!A0"
    # uploaded back unchanged: the texts are what the official wrote, not the apostrophes
    response, _messages = upload(client, reporter, report, to_bytes(workbook))
    assert response.status_code == 302
    saved = fresh(report)
    assert saved.values.get(indicator=trainees).note == formula
    assert (saved.results, saved.proposals) == ("- Mở 2 lớp\n- Hỗ trợ 3 cơ sở", "+cmd|' /C calc'!A0")


# --- the upload ------------------------------------------------------------------------------------


def test_round_trip_download_edit_upload_saves_the_values(client, staff, reporter, report):
    trainees_from_projects(staff)
    workbook = download(client, reporter, report)
    set_figure(workbook, "hoc_vien", 42, "Thêm một lớp do xã tự tổ chức")
    set_figure(workbook, "kinh_phi_kcqg", 1.5, "Ước")  # triệu đồng as a number
    set_figure(workbook, "kinh_phi_kcdp", "1.250,5", "Ước")  # or typed as text, the Vietnamese way
    set_figure(workbook, "lao_dong_tang_them", 15)
    set_section(workbook, "1. Kết quả thực hiện", "Mở 2 lớp.\nHỗ trợ 3 cơ sở.")
    set_section(workbook, "2. Khó khăn, vướng mắc", "Thiếu kinh phí.")
    set_section(workbook, "3. Đề xuất, kiến nghị", "Tăng kinh phí.")
    response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert response.status_code == 302 and response["Location"] == f"/bao-cao/don-vi/{report.pk}/#excel"
    assert "Đã nhập số liệu từ tệp Excel và lưu nháp. Hãy kiểm tra lại rồi gửi báo cáo." in shown
    saved = fresh(report)
    assert (saved.status, saved.version) == ("draft", 2)
    assert (saved.results, saved.difficulties, saved.proposals) == (
        "Mở 2 lớp.\nHỗ trợ 3 cơ sở.",
        "Thiếu kinh phí.",
        "Tăng kinh phí.",
    )
    values = {v.indicator.code: v for v in saved.values.select_related("indicator")}
    assert (values["hoc_vien"].prefilled, values["hoc_vien"].value) == (30, 42)
    assert values["hoc_vien"].note == "Thêm một lớp do xã tự tổ chức"
    assert values["kinh_phi_kcqg"].value == 1_500_000
    assert values["kinh_phi_kcdp"].value == 1_250_500_000
    assert values["lao_dong_tang_them"].value == 15
    assert values["lop_dao_tao"].value == 0  # the portal's figure, confirmed as it was
    # the official then sends it from the page: the Excel figures are complete
    services.unit_report_submit(user=reporter, report=saved, expected_version=2)
    assert fresh(report).status == "submitted"


def test_a_bad_file_names_every_bad_row_and_changes_nothing(client, reporter, report):
    workbook = download(client, reporter, report)
    negative = set_figure(workbook, "hoc_vien", -4)
    words = set_figure(workbook, "lop_dao_tao", "mười")
    fraction = set_figure(workbook, "lao_dong_tang_them", 2.5)
    long_note = set_figure(workbook, "cong_tac_vien", 3, "x" * 1001)
    sheet = workbook["Số liệu"]
    unknown = sheet.max_row + 1
    sheet.append(["chi_tieu_la", "Một chỉ tiêu không có", "cái", None, 5, None])
    set_section(workbook, "1. Kết quả thực hiện", "Đã làm.")  # a good row changes nothing either
    response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert response.status_code == 302
    assert shown[0] == "Chưa nhập được tệp Excel: không số liệu nào thay đổi."
    assert f"Dòng {unknown}: Mã chỉ tiêu “chi_tieu_la” không có trong biểu báo cáo." in shown
    assert f"Dòng {negative}: Số liệu không được âm." in shown
    assert f"Dòng {words}: Nhập số bằng chữ số, ví dụ 1.250." in shown
    assert f"Dòng {fraction}: Nhập số bằng chữ số, ví dụ 1.250." in shown  # not read as 25
    assert any(m.startswith(f"Dòng {long_note}: ") and "1000" in m for m in shown)
    unchanged(report)


def test_a_bad_money_figure_and_a_missing_or_doubled_row_are_refused(client, reporter, report):
    workbook = download(client, reporter, report)
    sheet = workbook["Số liệu"]
    sheet.delete_rows(rows_by_code(sheet)["cong_tac_vien"])
    money = set_figure(workbook, "kinh_phi_kcqg", "1,2345678")  # below one đồng
    rows = rows_by_code(sheet)
    doubled = sheet.max_row + 1
    sheet.append([c.value for c in sheet[rows["hoc_vien"]]])
    response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert f"Dòng {money}: Nhập số triệu đồng bằng chữ số, ví dụ 1.250 hoặc 1,5." in shown
    assert f"Dòng {doubled}: Chỉ tiêu “hoc_vien” đã có ở dòng {rows['hoc_vien']}." in shown
    assert "Tệp thiếu chỉ tiêu: cong_tac_vien. Hãy tải biểu mẫu mới." in shown
    unchanged(report)


def test_a_stale_file_is_refused(client, reporter, report):
    workbook = download(client, reporter, report)
    set_figure(workbook, "hoc_vien", 9)
    # the report changes on the page after the download
    services.unit_report_save(user=reporter, report=report, narrative={"results": "Sửa trên trang"})
    response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert any("vừa được người khác cập nhật" in m for m in shown), shown
    saved = fresh(report)
    assert (saved.version, saved.results) == (2, "Sửa trên trang")
    assert not saved.values.filter(indicator__code="hoc_vien", value=9).exists()
    # the same file twice: the second is stale too
    workbook = download(client, reporter, report)
    assert upload(client, reporter, report, to_bytes(workbook))[0].status_code == 302
    assert fresh(report).version == 3
    _response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert any("vừa được người khác cập nhật" in m for m in shown)
    assert fresh(report).version == 3


def test_a_file_without_its_version_or_of_another_report_is_refused(client, staff, reporter, period, report):
    other = UnitReport.objects.get(period=period, unit__commune__code="12364")
    workbook = download(client, staff, other)
    _response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert "Tệp này là biểu mẫu của một báo cáo khác. Hãy tải biểu mẫu của báo cáo này." in shown
    workbook = download(client, reporter, report)
    info = workbook["Hướng dẫn"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "Phiên bản":
            row[1].value = None
    _response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert any(m.startswith("Tệp không ghi mã báo cáo và phiên bản") for m in shown)
    workbook = download(client, reporter, report)
    del workbook["Thuyết minh"]
    _response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert "Tệp không có trang “Thuyết minh”. Hãy dùng tệp mẫu." in shown
    unchanged(report)


def test_legacy_encodings_are_refused_as_in_the_other_imports(client, reporter, report):
    workbook = download(client, reporter, report)
    row = set_figure(workbook, "hoc_vien", 3, TCVN3_TEXT)
    response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert any(m.startswith(f"Dòng {row}: Tệp dùng bảng mã TCVN3 (ABC)") for m in shown), shown
    workbook = download(client, reporter, report)
    set_section(workbook, "2. Khó khăn, vướng mắc", "Khã kh¨n vÒ vèn, thiÕu mÆt b»ng")
    _response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert any(m.startswith("Trang “Thuyết minh”, dòng 3: Tệp dùng bảng mã TCVN3") for m in shown), shown
    unchanged(report)


def test_size_rows_and_content_are_checked_as_for_every_upload(client, reporter, report, settings):
    workbook = download(client, reporter, report)
    for n in range(600):
        workbook["Số liệu"].append([f"them_{n}", "x", "cái", None, 1, None])
    _response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert any("quá nhiều dòng" in m for m in shown), shown
    # a PDF, or a CSV, named .xlsx
    _response, shown = upload(client, reporter, report, b"%PDF-1.7\n...")
    assert any("không đúng với phần mở rộng .xlsx" in m for m in shown), shown
    _response, shown = upload(client, reporter, report, b"a,b\n1,2\n", name="bao-cao.csv")
    assert any("Loại tệp “.csv” không được chấp nhận. Chỉ nhận: XLSX." in m for m in shown), shown
    settings.IMPORT_MAX_UPLOAD_SIZE = 2048
    _response, shown = upload(client, reporter, report, to_bytes(download(client, reporter, report)))
    assert any("Tệp quá lớn" in m for m in shown), shown
    _response, shown = upload(client, reporter, report, b"")
    assert any("Tệp trống" in m for m in shown), shown
    unchanged(report)


def test_the_sheet_a_reader_asks_for_is_read_with_the_limits():
    workbook = Workbook()
    workbook.active.title = "Đầu"
    workbook.active.append(["A"])
    second = workbook.create_sheet("Sau")
    second.append(["Mục", "Nội dung"])
    second.append(["x", "Dòng một\nDòng hai"])
    data = to_bytes(workbook)
    assert read_xlsx_values(data) == [["A"]]
    assert read_xlsx_values(data, sheet="Sau") == [["Mục", "Nội dung"], ["x", "Dòng một\nDòng hai"]]
    for n in range(30):
        second.append([n, n])
    with pytest.raises(ValidationError, match="quá nhiều dòng"):
        read_xlsx_values(to_bytes(workbook), sheet="Sau", max_rows=20)
    with pytest.raises(ValidationError, match="Tệp không có trang “Khác”"):
        read_xlsx_values(data, sheet="Khác")


# --- who may do what -------------------------------------------------------------------------------


def _sent(reporter, report):
    values = {i.pk: {"value": 1, "note": "Theo sổ của xã"} for i in Indicator.objects.filter(is_active=True)}
    return services.unit_report_submit(user=reporter, report=report, values=values, narrative=NARRATIVE)


def test_once_sent_or_locked_the_upload_is_refused(client, staff, reporter, period, report):
    workbook = download(client, reporter, report)
    _sent(reporter, report)
    _response, shown = upload(client, reporter, report, to_bytes(workbook))
    assert "Báo cáo đang ở trạng thái “Đã gửi”: đơn vị không sửa được." in shown
    assert fresh(report).status == "submitted"
    # the download still works, with what was sent; the page offers no upload
    sent = download(client, reporter, report)
    assert sent["Số liệu"].cell(row=2, column=5).value == 1
    page = client.get(f"/bao-cao/don-vi/{report.pk}/").content.decode()
    assert 'data-testid="excel-download"' in page and 'data-testid="excel-upload"' not in page
    # a draft of a closed period is locked
    draft = UnitReport.objects.get(period=period, unit__commune__code="12364")
    member = UserFactory(roles=[Role.UNIT_REPORTER])
    draft.unit.members.add(member)
    workbook = download(client, member, draft)
    services.period_close(user=staff, period=period)
    _response, shown = upload(client, member, draft, to_bytes(workbook))
    assert any("đã khóa sổ" in m for m in shown), shown
    assert fresh(draft).version == 1


def test_the_official_sees_both_buttons_staff_and_leaders_download_only(
    client, staff, leader, reporter, report
):
    client.force_login(reporter)
    page = client.get(f"/bao-cao/don-vi/{report.pk}/").content.decode()
    assert 'data-testid="excel-download"' in page and 'data-testid="excel-upload"' in page
    assert f'action="/bao-cao/don-vi/{report.pk}/excel/tai-len/"' in page
    for user in (staff, leader):
        client.force_login(user)
        page = client.get(f"/bao-cao/don-vi/{report.pk}/").content.decode()
        assert 'data-testid="excel-download"' in page and 'data-testid="excel-upload"' not in page
        workbook = download(client, user, report)
        set_figure(workbook, "hoc_vien", 8)
        _response, shown = upload(client, user, report, to_bytes(workbook))
        assert "Bạn không phải cán bộ báo cáo của đơn vị này." in shown
    unchanged(report)


def test_another_units_report_answers_404_for_download_and_upload(client, reporter, period, report):
    other = UnitReport.objects.get(period=period, unit__commune__code="12364")
    own = to_bytes(download(client, reporter, report))
    client.force_login(reporter)
    assert client.get(f"/bao-cao/don-vi/{other.pk}/excel/").status_code == 404
    response, _shown = upload(client, reporter, other, own)
    assert response.status_code == 404
    missing = UnitReport.objects.order_by("-pk").first().pk + 1
    assert client.get(f"/bao-cao/don-vi/{missing}/excel/").status_code == 404
    assert fresh(other).version == 1


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.APPLICANT])
def test_other_roles_get_neither(client, role, report):
    user = UserFactory(roles=[role])
    client.force_login(user)
    assert client.get(f"/bao-cao/don-vi/{report.pk}/excel/").status_code == 403
    response, _shown = upload(client, user, report, b"PK")
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, report):
    response = client.get(f"/bao-cao/don-vi/{report.pk}/excel/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    response = client.post(f"/bao-cao/don-vi/{report.pk}/excel/tai-len/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    assert fresh(report).version == 1


def test_the_download_only_reads(client, reporter, report):
    client.force_login(reporter)
    assert client.post(f"/bao-cao/don-vi/{report.pk}/excel/").status_code == 405
    assert client.get(f"/bao-cao/don-vi/{report.pk}/excel/tai-len/").status_code == 405
    unchanged(report)
