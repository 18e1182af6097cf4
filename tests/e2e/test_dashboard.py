"""Browser journey: staff open the programme dashboard, change the year and see the figures and a
chart change; on a 375 px phone the page does not overflow sideways. Screenshots at 1280 and 375
px go to the test's temporary folder (or to DASHBOARD_SHOTS, to look at them by hand)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from projects.models import Status
from tests.factories import UserFactory
from tests.reports.test_dashboard import A, B, M, applicant, pay, project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className).slice(0, 5)"""


@pytest.fixture
def seeded(committed_reference):
    UserFactory(roles=[Role.STAFF], email="canbo@example.test")
    x = applicant("Hộ kinh doanh Mây tre Phú Cường", "household", A)
    y = applicant("Hợp tác xã Gốm Sơn Nam", "cooperative", B)
    p1 = project(
        "DA-2026-1", lines={"KCQG": 300 * M, "DOI_UNG": 100 * M}, status=Status.IN_PROGRESS, bens=[x]
    )
    pay(p1, 120 * M, "2026-04-01")
    project("DA-2026-2", lines={"KCDP": 90 * M}, lead="KCDP", act="3c", place=B, bens=[y])
    project("DA-2027-1", year=2027, lines={"KCQG": 450 * M, "DOI_UNG": 50 * M}, bens=[y])


def _shots(tmp_path):
    folder = Path(os.environ.get("DASHBOARD_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_year_filter_changes_figures_and_chart_and_the_phone_does_not_overflow(
    page, site, login, seeded, tmp_path
):
    login(page, "canbo@example.test")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{site}/bao-cao/tong-quan/?year=2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan chương trình")
    approved = page.locator('[data-testid="money-year"] [data-source="KCQG"] [data-m="approved"]')
    expect(approved).to_have_text("300.000.000 đ")
    chart = page.locator('[data-testid="money-chart"] svg')
    expect(chart).to_be_visible()
    before = chart.inner_html()
    folder = _shots(tmp_path)
    page.screenshot(path=str(folder / "dash-1280.png"), full_page=True)

    page.locator("#f-year").select_option("2027")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{site}/bao-cao/tong-quan/?year=2027&fund=&area=&commune=")
    expect(approved).to_have_text("450.000.000 đ")
    expect(page.locator('[data-testid="money-chart"] [data-row="0"] [data-column="s1"]')).to_have_text("450")
    assert chart.inner_html() != before
    expect(page.get_by_test_id("beneficiary-total")).to_have_text("1")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site}/bao-cao/tong-quan/?year=2026")
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, page.evaluate(WIDEST)
    page.screenshot(path=str(folder / "dash-375.png"), full_page=True)
    assert (folder / "dash-1280.png").stat().st_size > 0 and (folder / "dash-375.png").stat().st_size > 0
