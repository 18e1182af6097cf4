"""Browser journey of a commune's yearly report (issue 11): the official sees the form pre-filled
from the commune's projects, saves a draft, sends it and downloads the official PDF; a Sở officer
sees the board change and returns the report with a comment; the official reads why, fixes it and
sends it again, then uploads the signed copy. Screenshots of the form and the board at 1280 and
375 px go to /tmp/shots_unit/ (not committed); the form has no horizontal overflow on a phone.

The clock is the real one: the period is opened around today (its window, data and deadline), so
the journey runs whatever the day."""

import datetime
import io
import unicodedata
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from core.deadlines import end_of_day, local_zone
from programmes.models import Indicator, ReportingUnit
from projects.models import Project, ProjectOutput, Status
from reports import services
from reports.models import UnitReport, UnitReportPdf
from tests.factories import UserFactory
from tests.projects.utils import make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots_unit")
PHO_HIEN = "11953"


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def _shoot(page, name):
    """Screenshots at 1280 and 375 px; returns the page's width at 375 (its scrollWidth)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(100)
    page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return width


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))
    return " ".join(text.split())


def _small_pdf() -> bytes:
    """The "signed and stamped scan": a one-page PDF made here."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_period(staff):
    """A period of this year open since yesterday, due in ten days, whose data window holds the
    project accepted last week."""
    today = timezone.localdate()
    return services.period_open(
        user=staff,
        year=today.year,
        opens_at=datetime.datetime.combine(
            today - datetime.timedelta(days=1), datetime.time.min, local_zone()
        ),
        unit_deadline=end_of_day(today + datetime.timedelta(days=10)),
        province_deadline=end_of_day(today + datetime.timedelta(days=20)),
        data_from=today - datetime.timedelta(days=300),
        data_to=today + datetime.timedelta(days=30),
    )


def _seed():
    staff = UserFactory(roles=[Role.STAFF], email="canbo@example.test", full_name="Trần Thị Bình")
    official = UserFactory(roles=[Role.UNIT_REPORTER], email="xa@example.test", full_name="Lê Văn Cường")
    ReportingUnit.objects.get(commune__code=PHO_HIEN).members.add(official)
    project = make_project(staff)  # in Phố Hiến
    Project.objects.filter(pk=project.pk).update(
        status=Status.ACCEPTED, acceptance_date=timezone.localdate() - datetime.timedelta(days=7)
    )
    trainees = Indicator.objects.get(code="hoc_vien")
    ProjectOutput.objects.create(
        project=project, label="Học viên", quantity=37, unit="người", indicator=trainees, number=37
    )
    period = _open_period(staff)
    report = UnitReport.objects.get(period=period, unit__commune__code=PHO_HIEN)
    return period, report, trainees


def _fill_own_figures(page, value):
    """The figures the portal has nothing for are the unit's own."""
    for indicator in Indicator.objects.filter(is_active=True, prefill="none"):
        page.locator(f'[name="value_{indicator.pk}"]').fill(value)


def test_a_commune_official_sends_the_yearly_report_staff_return_it_and_the_signed_copy_is_kept(
    page, site, login
):
    period, report, trainees = _seed()
    report_url = f"{site}/bao-cao/don-vi/{report.pk}/"
    board_url = f"{site}/bao-cao/ky/{period.pk}/"

    # the official: the form pre-filled with the trainees of the commune's project
    login(page, "xa@example.test")
    page.goto(report_url)
    expect(page.get_by_test_id("report-form")).to_be_visible()
    expect(page.locator(f'[name="value_{trainees.pk}"]')).to_have_value("37")
    expect(page.locator('[data-indicator="hoc_vien"] [data-prefilled]')).to_have_text("37")
    assert _shoot(page, "form-official") <= 375  # no horizontal overflow on a phone

    # a draft first: nothing required yet
    page.get_by_label("1. Kết quả thực hiện").fill("Tổ chức 2 lớp truyền nghề mây tre đan.")
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Đã lưu nháp báo cáo.")
    expect(page.get_by_label("1. Kết quả thực hiện")).to_have_value("Tổ chức 2 lớp truyền nghề mây tre đan.")

    # then the whole report, sent
    _fill_own_figures(page, "12")
    page.get_by_label("2. Khó khăn, vướng mắc").fill("Kinh phí đối ứng của cơ sở còn hạn chế.")
    page.get_by_label("3. Đề xuất, kiến nghị").fill("Đề nghị hỗ trợ xây dựng nhãn hiệu làng nghề.")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Đã gửi báo cáo tới Sở Công Thương.")
    expect(page.locator('[data-testid="state"] [data-status]')).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-timeliness]").first).to_have_attribute("data-timeliness", "on_time")

    # the official PDF: the job ran (eager in tests); the status shows the link
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "done")
    with page.expect_download() as download_info:
        status.get_by_test_id("job-download").click()
    text = _pdf_text(Path(download_info.value.path()).read_bytes())
    today = timezone.localdate()
    for expected in (
        "ỦY BAN NHÂN DÂN PHƯỜNG PHỐ HIẾN",
        "Số: …/BC-UBND",
        f"Phố Hiến, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        "BÁO CÁO",
        f"Kết quả thực hiện công tác khuyến công năm {period.year}",
        "Số học viên được đào tạo, tập huấn",
        "người 37",
        "Tổ chức 2 lớp truyền nghề mây tre đan.",
        "Kinh phí đối ứng của cơ sở còn hạn chế.",
        "UBND tỉnh (qua Sở Công Thương);",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ):
        assert expected in text, (expected, text[:600])
    _logout(page)

    # staff: the board counts the report as sent and on time; they return it with a comment
    login(page, "canbo@example.test")
    page.goto(board_url)
    row = page.locator(f'[data-testid="board"] tr[data-unit="{report.unit.code}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(row.locator("[data-timeliness]")).to_have_attribute("data-timeliness", "on_time")
    expect(page.locator('[data-figure="submitted"] [data-count]')).to_have_text("1")
    _shoot(page, "board-staff")
    row.get_by_role("link").click()
    page.wait_for_load_state()
    back_by = today + datetime.timedelta(days=5)
    returning = page.locator('form[data-step="return"]')
    returning.get_by_label("Nội dung cần bổ sung").fill("Bổ sung số lao động có việc làm mới.")
    returning.get_by_label("Hạn đơn vị gửi lại").fill(back_by.strftime("%d/%m/%Y"))
    returning.get_by_role("button", name="Trả lại để bổ sung").click()
    page.wait_for_load_state()
    expect(page.locator('[data-testid="state"] [data-status]')).to_have_attribute("data-status", "returned")
    page.goto(board_url)
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "returned")
    _logout(page)

    # the official reads why, fixes the figure and sends it again
    login(page, "xa@example.test")
    page.goto(report_url)
    returned = page.get_by_test_id("returned")
    expect(returned).to_contain_text("Bổ sung số lao động có việc làm mới.")
    expect(returned).to_contain_text(back_by.strftime("%d/%m/%Y"))
    _fill_own_figures(page, "15")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    expect(page.locator('[data-testid="state"] [data-status]')).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-timeliness]").first).to_have_attribute("data-timeliness", "on_time")
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "done")
    assert UnitReportPdf.objects.filter(report=report).count() == 2  # one PDF per submission

    # the signed copy (a scan: no digital signature) is uploaded and shown
    upload = page.get_by_test_id("signed-upload")
    upload.locator('input[name="file"]').set_input_files(
        files=[{"name": "bao-cao-da-ky.pdf", "mimeType": "application/pdf", "buffer": _small_pdf()}]
    )
    upload.get_by_role("button", name="Tải lên", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Đã lưu bản ký (không có chữ ký số).")
    copy = page.get_by_test_id("signed-copy")
    expect(copy.get_by_test_id("signed-download")).to_have_text("bao-cao-da-ky.pdf")
    expect(copy.get_by_test_id("no-signature")).to_be_visible()
