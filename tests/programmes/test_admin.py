"""The Django admin: superusers only; reference lists import (preview, confirm, all or nothing)
and export (XLSX by default, CSV with BOM, formulas neutralised)."""

import csv
import datetime
import io

import openpyxl
import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import User
from programmes.models import ActivityType, AdministrativeUnit, Collaborator, SupportRule
from programmes.resources import CSV, XLSX, CollaboratorResource, SupportRuleResource
from tests.factories import CollaboratorFactory, UserFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["commune", "full_name", "position", "phone", "email", "appointed_on"]


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser(email="root@example.test", password="x", full_name="Quản trị")
    client.force_login(user)
    return user


def _xlsx(rows, headers=COLUMNS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("role", ["staff", "leader", "unit_reporter", "applicant", "observer"])
def test_admin_is_refused_to_every_role_even_with_is_staff(client, role):
    user = UserFactory(roles=[role], is_staff=True)
    client.force_login(user)
    for path in ["/quan-tri/", "/quan-tri/programmes/collaborator/", "/quan-tri/accounts/user/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/quan-tri/login/"), (role, path)
    response = client.post(
        "/quan-tri/login/?next=/quan-tri/", {"username": user.email, "password": "matkhau-Test-123"}
    )
    assert response.status_code == 200  # the admin's login form refuses a non-superuser
    assert client.get("/quan-tri/").status_code == 302


def test_admin_sends_anonymous_to_its_login(client):
    response = client.get("/quan-tri/")
    assert response.status_code == 302 and response.url.startswith("/quan-tri/login/")
    assert "Email hoặc số điện thoại" in client.get(response.url).content.decode()


def test_a_superuser_signs_in_to_the_admin_by_phone(client):
    User.objects.create_superuser(phone="0912000000", password="matkhau-Test-123", full_name="Quản trị")
    client.post("/quan-tri/login/", {"username": "0912 000 000", "password": "matkhau-Test-123"})
    assert client.get("/quan-tri/").status_code == 200


def test_superuser_sees_every_programmes_model(client, superuser):
    page = client.get("/quan-tri/").content.decode()
    for model in [
        "programme",
        "target",
        "contentarea",
        "activitytype",
        "activityvariant",
        "beneficiarycategory",
        "fundingsource",
        "administrativeunit",
        "supportrule",
        "collaborator",
        "reportingunit",
    ]:
        assert f"/quan-tri/programmes/{model}/" in page, model
        assert client.get(f"/quan-tri/programmes/{model}/").status_code == 200, model
    for model in ["administrativeunit", "activitytype", "supportrule", "collaborator"]:
        assert client.get(f"/quan-tri/programmes/{model}/import/").status_code == 200, model
        assert client.get(f"/quan-tri/programmes/{model}/export/").status_code == 200, model


def test_user_admin_add_form_creates_a_phone_only_user(client, superuser):
    response = client.post(
        "/quan-tri/accounts/user/add/",
        {
            "full_name": "Phạm Thị Lan",
            "email": "",
            "phone": "0912 000 321",
            "usable_password": "true",
            "password1": "Mat-khau-manh-2026",
            "password2": "Mat-khau-manh-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    user = User.objects.get(phone="0912000321")
    assert user.email is None and user.check_password("Mat-khau-manh-2026")
    assert client.get(f"/quan-tri/accounts/user/{user.pk}/change/").status_code == 200


def test_import_previews_then_confirms(client, superuser):
    upload = _xlsx(
        [
            ["11953", "Ngô Thị Thu", "Công chức", "0912000111", "", datetime.date(2026, 1, 15)],
            [12364, "Bùi Văn Hải", "", "", "", datetime.date(2026, 2, 1)],  # Excel drops the zeros
        ]
    )
    response = client.post(
        "/quan-tri/programmes/collaborator/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("ctv.xlsx", upload)},
    )
    assert response.status_code == 200
    assert Collaborator.objects.count() == 0  # a preview writes nothing
    confirm = response.context["confirm_form"]
    response = client.post("/quan-tri/programmes/collaborator/process_import/", confirm.initial)
    assert response.status_code == 302
    assert set(Collaborator.objects.values_list("commune__code", "full_name")) == {
        ("11953", "Ngô Thị Thu"),
        ("12364", "Bùi Văn Hải"),
    }


def test_import_with_one_bad_row_changes_nothing(client, superuser):
    CollaboratorFactory(commune=AdministrativeUnit.objects.get(code="11953"), full_name="Ngô Thị Thu")
    before = list(Collaborator.objects.values_list("commune__code", "full_name", "position"))
    upload = _xlsx(
        [
            ["11953", "Ngô Thị Thu", "Chức vụ mới", "", "", datetime.date(2026, 1, 15)],
            ["99999", "Người ở xã không có", "", "", "", datetime.date(2026, 1, 15)],
            ["12364", "Bùi Văn Hải", "", "", "", datetime.date(2026, 1, 15)],
        ]
    )
    response = client.post(
        "/quan-tri/programmes/collaborator/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("ctv.xlsx", upload)},
    )
    page = response.content.decode()
    assert "Không tìm thấy xã, phường có mã “99999”" in page
    assert response.context.get("confirm_form") is None  # nothing to confirm
    assert list(Collaborator.objects.values_list("commune__code", "full_name", "position")) == before


def test_resource_import_is_all_or_nothing_even_outside_the_admin():
    dataset = tablib.Dataset(headers=COLUMNS)
    dataset.append(["12364", "Bùi Văn Hải", "", "", "", "15/01/2026"])
    dataset.append(["11953", "Ngày sai", "", "", "", "31/02/2026"])  # a validation error
    result = CollaboratorResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert Collaborator.objects.count() == 0


def test_export_escapes_a_cell_starting_with_a_formula(client, superuser):
    CollaboratorFactory(full_name='=HYPERLINK("http://evil.example","bấm")', position="+84 912", phone="@sum")
    CollaboratorFactory(full_name="Ngô Thị Thu", position="-")
    form = client.get("/quan-tri/programmes/collaborator/export/").context["form"]
    data = {"resource": "0", "format": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("collaboratorresource_")})
    response = client.post("/quan-tri/programmes/collaborator/export/", data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=False))
    headers = [c.value for c in rows[0]]
    cells = {(r[headers.index("full_name")].value): r for r in rows[1:]}
    evil = cells['\'=HYPERLINK("http://evil.example","bấm")']
    assert all(c.data_type != "f" for c in evil)
    assert evil[headers.index("position")].value == "'+84 912"
    assert evil[headers.index("phone")].value == "'@sum"
    assert "Ngô Thị Thu" in cells


def test_csv_export_has_a_bom_and_escapes_formulas():
    CollaboratorFactory(full_name="=1+1")
    text = CSV().export_data(CollaboratorResource().export())
    assert text.startswith("\ufeffcommune,")
    assert "'=1+1" in text and ",=1+1" not in text


def test_an_exported_file_imports_back_unchanged():
    SupportRule.objects.filter(code="TT28_DEMO_NEW").update(note="=giữ nguyên")
    before = {r.code: (r.cap_vnd, r.max_percent, r.valid_from, r.note) for r in SupportRule.objects.all()}
    payload = XLSX().export_data(SupportRuleResource().export())
    dataset = XLSX().create_dataset(payload)
    result = SupportRuleResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    after = {r.code: (r.cap_vnd, r.max_percent, r.valid_from, r.note) for r in SupportRule.objects.all()}
    assert after == before
    assert after["TT28_DEMO_NEW"][3] == "=giữ nguyên"


def test_support_rule_import_names_a_missing_activity_in_vietnamese():
    payload = XLSX().export_data(
        SupportRuleResource().export(SupportRule.objects.filter(activity__isnull=False)[:1])
    )
    dataset = XLSX().create_dataset(payload)
    dataset.append(
        [("9z" if h == "activity" else v) for h, v in zip(dataset.headers, dataset[0], strict=True)]
    )
    dataset = tablib.Dataset(dataset[1], headers=dataset.headers)
    code = dataset[0][dataset.headers.index("code")]
    before = SupportRule.objects.get(code=code).activity_id
    result = SupportRuleResource().import_data(dataset, dry_run=False)
    messages = [str(e.error) for row in result.invalid_rows for e in [row]] + [
        str(err.error) for _n, errs in result.row_errors() for err in errs
    ]
    assert any("Không tìm thấy hoạt động khuyến công có mã “9z”" in m for m in messages), messages
    assert SupportRule.objects.get(code=code).activity_id == before


def test_csv_with_bom_imports_with_diacritics(client, superuser):
    upload = "\ufeffcode,name,kind,full_name,is_active\r\n11953,Phố Hiến,phường,Phường Phố Hiến (mới),1\r\n"
    response = client.post(
        "/quan-tri/programmes/administrativeunit/import/",
        {"resource": "0", "format": "1", "import_file": SimpleUploadedFile("xa.csv", upload.encode())},
    )
    assert response.status_code == 200
    assert AdministrativeUnit.objects.get(code="11953").full_name == "Phường Phố Hiến"
    client.post(
        "/quan-tri/programmes/administrativeunit/process_import/", response.context["confirm_form"].initial
    )
    unit = AdministrativeUnit.objects.get(code="11953")
    assert (unit.full_name, unit.kind) == ("Phường Phố Hiến (mới)", "phuong")
    assert "pho hien (moi)" in unit.search_text


def test_a_file_in_tcvn3_is_refused_naming_the_encoding(client, superuser):
    legacy = "Ng« ThÞ Thu, c¸n bé x· Tiªn L÷, tØnh H­ng Yªn"
    upload = _xlsx([["12364", legacy, "", "", "", datetime.date(2026, 1, 15)]])
    response = client.post(
        "/quan-tri/programmes/collaborator/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("ctv.xlsx", upload)},
    )
    assert "TCVN3" in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert not Collaborator.objects.exists()


# --- The admin's import and export pages speak Vietnamese (our catalogue for django-import-export)


def test_import_page_is_in_vietnamese_with_xlsx_chosen(client, superuser):
    response = client.get("/quan-tri/programmes/collaborator/import/")
    page = response.content.decode()
    for text in ["Nhập dữ liệu", "Tệp cần nhập", "Định dạng tệp", "Các cột của tệp", "Tiếp tục"]:
        assert text in page, text
    for english in ["This importer", "File to import", ">Submit<", ">Format", "<h1>Import"]:
        assert english not in page, english
    assert '<option value="0" selected>Excel (.xlsx)</option>' in page
    assert '<option value="1">CSV UTF-8 (.csv)</option>' in page
    assert 'value="">---' not in page


def test_import_preview_errors_and_confirmation_are_in_vietnamese(client, superuser):
    missing = _xlsx([["99999", "Người ở xã không có", "", "", "", datetime.date(2026, 1, 15)]])
    page = client.post(
        "/quan-tri/programmes/collaborator/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("ctv.xlsx", missing)},
    ).content.decode()
    assert "Lỗi" in page and "Dòng số: 1" in page and "Không tìm thấy xã, phường" in page
    assert "Errors" not in page and "Line number" not in page

    invalid = _xlsx([["11953", "Ngày sai", "", "", "", "31/02/2026"]])
    page = client.post(
        "/quan-tri/programmes/collaborator/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("ctv.xlsx", invalid)},
    ).content.decode()
    assert "Một số dòng không hợp lệ" in page and "Không dòng nào được ghi" in page
    assert "Some rows failed" not in page and "Please correct" not in page
    assert not Collaborator.objects.exists()

    good = _xlsx([["11953", "Ngô Thị Thu", "", "", "", datetime.date(2026, 1, 15)]])
    response = client.post(
        "/quan-tri/programmes/collaborator/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("ctv.xlsx", good)},
    )
    page = response.content.decode()
    assert "Xác nhận nhập dữ liệu" in page and "Xem trước" in page and "Mới" in page
    assert "Confirm import" not in page and "Below is a preview" not in page
    response = client.post(
        "/quan-tri/programmes/collaborator/process_import/",
        response.context["confirm_form"].initial,
        follow=True,
    )
    assert "Đã nhập xong: 1 mới, 0 cập nhật, 0 xóa, 0 bỏ qua" in response.content.decode()
    assert Collaborator.objects.filter(full_name="Ngô Thị Thu").exists()


def test_export_page_names_columns_in_vietnamese(client, superuser):
    page = client.get("/quan-tri/programmes/collaborator/export/").content.decode()
    for text in ["Xuất dữ liệu", "Các cột sẽ được xuất", "Chọn tất cả", "Họ và tên (full_name)"]:
        assert text in page, text
    assert "This exporter" not in page and "Select all" not in page


def _poison(model):
    """Put a formula in one text column of one row; return (column, formula)."""
    formula = '=HYPERLINK("http://evil.example","x")'
    if model == "collaborator":
        CollaboratorFactory(full_name=formula)
        return "full_name", formula
    if model == "administrativeunit":
        AdministrativeUnit.objects.filter(code="11953").update(full_name=formula)
        return "full_name", formula
    if model == "activitytype":
        ActivityType.objects.filter(programme__is_current=True, code="2b").update(short_label=formula)
        return "short_label", formula
    SupportRule.objects.filter(code="TT28_DEMO_NEW").update(note=formula)
    return "note", formula


def _admin_export(client, model, file_format):
    form = client.get(f"/quan-tri/programmes/{model}/export/").context["form"]
    data = {"resource": "0", "format": file_format}
    data.update({name: "on" for name in form.fields if name not in ("resource", "format", "export_items")})
    response = client.post(f"/quan-tri/programmes/{model}/export/", data)
    assert response.status_code == 200, response.content.decode()[-2000:]
    return response


@pytest.mark.parametrize("model", ["administrativeunit", "activitytype", "supportrule", "collaborator"])
def test_every_admin_export_neutralises_formulas_in_xlsx_and_csv(client, superuser, model):
    column, formula = _poison(model)

    response = _admin_export(client, model, "0")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    assert all(c.data_type != "f" for row in rows for c in row), model
    assert "'" + formula in [row[headers.index(column)].value for row in rows[1:]], model

    response = _admin_export(client, model, "1")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = [row[table[0].index(column)] for row in table[1:]]
    assert "'" + formula in values and formula not in values, model
    assert not any(cell.startswith(("=", "+", "@")) for row in table[1:] for cell in row), model


def test_confirm_is_all_or_nothing_when_the_data_changed_since_the_preview(client, superuser):
    """Preview fine, then a commune code changes before the confirm: the confirm writes no row."""
    upload = _xlsx(
        [
            ["11953", "Ngô Thị Thu", "", "", "", datetime.date(2026, 1, 15)],
            ["12364", "Bùi Văn Hải", "", "", "", datetime.date(2026, 1, 15)],
        ]
    )
    response = client.post(
        "/quan-tri/programmes/collaborator/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("ctv.xlsx", upload)},
    )
    confirm = response.context["confirm_form"].initial
    AdministrativeUnit.objects.filter(code="12364").update(code="99998")
    response = client.post("/quan-tri/programmes/collaborator/process_import/", confirm, follow=True)
    assert response.redirect_chain[-1][0] == "/quan-tri/programmes/collaborator/import/"
    [message] = [str(m) for m in response.context["messages"]]
    assert (
        message.startswith("Không dòng nào được ghi") and "Không tìm thấy xã, phường có mã “12364”" in message
    )
    assert "Đã nhập xong" not in response.content.decode()
    assert not Collaborator.objects.exists()
    assert not LogEntry.objects.filter(content_type__model="collaborator").exists()


def test_dates_are_read_and_written_day_first():
    """09/03/2026 is 9 March (Django's default input formats would read 3 September), a wrong
    date is a Vietnamese row error, and exports write dd/mm/yyyy."""
    dataset = tablib.Dataset(headers=COLUMNS)
    dataset.append(["11953", "Ngô Thị Thu", "", "", "", "09/03/2026"])
    dataset.append(["12364", "Bùi Văn Hải", "", "", "", "2026-01-15"])  # ISO still accepted
    result = CollaboratorResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert dict(Collaborator.objects.values_list("full_name", "appointed_on")) == {
        "Ngô Thị Thu": datetime.date(2026, 3, 9),
        "Bùi Văn Hải": datetime.date(2026, 1, 15),
    }
    text = CSV().export_data(CollaboratorResource().export(Collaborator.objects.order_by("appointed_on")))
    assert ",15/01/2026," in text and ",09/03/2026," in text

    wrong = tablib.Dataset(headers=COLUMNS)
    wrong.append(["11953", "Ngày sai", "", "", "", "31/02/2026"])
    result = CollaboratorResource().import_data(wrong, dry_run=True)
    messages = [m for row in result.invalid_rows for ms in row.error_dict.values() for m in ms]
    assert any("ngày/tháng/năm" in m and "31/02/2026" in m for m in messages), messages


def test_numbers_are_vietnamese_whatever_the_active_language():
    """'500.000' is five hundred thousand đồng, also when the admin runs in English (where the
    library would read five hundred); exports group with dots in every language."""
    rule = SupportRule.objects.filter(cap_vnd__gte=1000).order_by("code").first()
    with translation.override("en"):
        text = CSV().export_data(SupportRuleResource().export(SupportRule.objects.filter(pk=rule.pk)))
        assert f"{rule.cap_vnd:,}".replace(",", ".") in text
        dataset = CSV().create_dataset(text.lstrip("\ufeff"))
        dataset[0] = tuple(
            ("500.000" if h == "cap_vnd" else v) for h, v in zip(dataset.headers, dataset[0], strict=True)
        )
        result = SupportRuleResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), list(result.invalid_rows)
    rule.refresh_from_db()
    assert rule.cap_vnd == 500_000


def test_the_scheduler_section_of_the_admin_is_in_vietnamese(client, superuser):
    index = client.get("/quan-tri/").content.decode()
    assert "Lịch chạy tự động" in index and "Tác vụ định kỳ" in index and "Periodic Tasks" not in index
    form = client.get("/quan-tri/django_celery_beat/periodictask/add/").content.decode()
    for text in [
        "Tác vụ (có sẵn)",
        "Lịch chạy",
        "Chỉ chọn một loại lịch",
        "Thời điểm lịch bắt đầu chạy tác vụ",
    ]:
        assert text in form, text
    assert "Set only one schedule type" not in form


@pytest.mark.parametrize("role", ["staff", "leader", "unit_reporter", "applicant", "observer"])
def test_import_and_export_urls_are_refused_to_every_role(client, role):
    CollaboratorFactory(full_name="Ngô Thị Thu", phone="0912000111")
    client.force_login(UserFactory(roles=[role], is_staff=True))
    for model in ["administrativeunit", "activitytype", "supportrule", "collaborator"]:
        for path in [f"/quan-tri/programmes/{model}/import/", f"/quan-tri/programmes/{model}/export/"]:
            response = client.get(path)
            assert response.status_code == 302 and response.url.startswith("/quan-tri/login/"), (role, path)
        response = client.post(f"/quan-tri/programmes/{model}/export/", {"resource": "0", "format": "1"})
        assert response.status_code == 302 and b"0912000111" not in response.content, (role, model)
        response = client.post(
            f"/quan-tri/programmes/{model}/import/",
            {"resource": "0", "format": "1", "import_file": SimpleUploadedFile("x.csv", b"code\r\n1\r\n")},
        )
        assert response.status_code == 302, (role, model)
    assert Collaborator.objects.count() == 1


def test_the_one_row_rule_tables_validate_and_save_in_the_admin(client, superuser):
    # ApprovalRules once carried PlanCalendar's check of reminder offsets (a field it does not
    # have): every save of it in the admin ended in a server error.
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from programmes.models import ApprovalRules, PlanCalendar

    rules = ApprovalRules.current()
    rules.full_clean()  # raised AttributeError
    rules.save()
    calendar = PlanCalendar.current()
    calendar.kcqg_reminder_offsets = [14, "bảy"]
    with pytest.raises(ValidationError, match="số nguyên từ 0 đến 90"):
        calendar.full_clean()
    page = client.get(reverse("admin:programmes_approvalrules_change", args=[rules.pk]))
    assert page.status_code == 200
