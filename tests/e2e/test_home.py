import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_shows_programme_and_targets(page, site):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chương trình khuyến công tỉnh Hưng Yên")
    expect(page.locator("[data-chart-table] [data-row]")).to_have_count(5)
    expect(page.locator('[data-row="collaborators"] [data-column="goal"]')).to_have_text("104")
    expect(page.locator("[data-chart] svg")).to_be_visible()
    page.get_by_role("button", name=re.compile("Hỗ trợ phát triển sản phẩm công nghiệp nông thôn")).click()
    expect(page.locator('[data-activity="3c"]')).to_be_visible()
