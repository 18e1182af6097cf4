"""Browser journey of a compiled yearly report (issue 13): a Sở officer opens the report to UBND
tỉnh for this year's period, writes a passage, asks for a build, sees it reach "done" (Celery runs
eagerly here: the progress display is tested with rows at set percentages in
tests/reports/test_generated_views.py) and downloads the PDF; the page has no horizontal overflow
on a phone. Screenshots go to /tmp/shots_generated/ (not committed)."""

import datetime
import io
import unicodedata
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from core.deadlines import end_of_day, local_zone
from reports import services
from tests.e2e.pages import menu
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots_generated")


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(unicodedata.normalize("NFC", " ".join(p.extract_text() for p in reader.pages)).split())


def test_staff_request_a_yearly_report_see_it_done_and_download_the_pdf(page, site, login):
    staff = UserFactory(roles=[Role.STAFF], email="canbo@example.test", full_name="Trần Thị Bình")
    today = timezone.localdate()
    services.period_open(
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
    login(page, "canbo@example.test")
    menu(page, "reports:generated")  # in the "Báo cáo" drop-down
    form = page.get_by_test_id("open-request")
    form.get_by_label("Loại báo cáo").select_option("yearly")
    form.get_by_label("Nơi nhận báo cáo").select_option("province")
    form.get_by_label("Kỳ báo cáo năm").select_option(index=1)
    form.get_by_role("button", name="Mở báo cáo").click()
    page.wait_for_load_state()

    page.get_by_label("I.1. Công tác chỉ đạo, điều hành").fill(
        "Sở đã ban hành kế hoạch khuyến công và hướng dẫn các xã."
    )
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Đã lưu bản nháp các phần viết.")

    page.get_by_test_id("build").click()
    page.wait_for_load_state()
    status = page.get_by_test_id("job-status").first
    expect(status).to_have_attribute("data-status", "done", timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "request-1280.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=str(SHOTS / "request-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download_info:
        status.get_by_test_id("job-download").click()
    text = _pdf_text(Path(download_info.value.path()).read_bytes())
    assert "Sở đã ban hành kế hoạch khuyến công và hướng dẫn các xã." in text
    assert "Nơi nhận" in text and "Độc lập - Tự do - Hạnh phúc" in text
