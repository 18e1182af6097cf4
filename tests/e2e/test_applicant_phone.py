"""The applicant's pages at phone width (375 px): most applicants use a phone."""

import pytest

from accounts.roles import Role
from tests.factories import ApplicantFactory, SupportRequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each page's text elements that must stay on one line (a tracking code split over three lines
# or "180.000.000" separated from its "đ" is hard to read and to copy).
ONE_LINE = "[data-testid=my-requests] a, [data-testid=my-requests] .text-nowrap"


def _check_fits(page, url):
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, (url, width)


def test_applicant_pages_fit_a_phone(page, site, login):
    user = UserFactory(roles=[Role.APPLICANT], phone="0912888001")
    applicant = ApplicantFactory(owner=user, verification_status="verified", name="Hộ kinh doanh Đỗ Văn Đức")
    request = SupportRequestFactory(applicant=applicant, title="Hỗ trợ máy chẻ nan tự động")
    page.set_viewport_size({"width": 375, "height": 812})
    for path in ["/co-so/dang-ky/", "/co-so/tra-cuu/"]:
        _check_fits(page, f"{site}{path}")
    login(page, user.phone)
    for path in [
        "/co-so/ho-so/",
        f"/co-so/{applicant.pk}/sua/",
        f"/co-so/{applicant.pk}/thanh-vien/",
        f"/co-so/{applicant.pk}/de-nghi/moi/",
        f"/co-so/de-nghi/{request.pk}/",
        "/co-so/de-nghi/",
    ]:
        _check_fits(page, f"{site}{path}")
    # on the list of own requests, the tracking code and the amount do not wrap
    items = page.locator(ONE_LINE)
    assert items.count() >= 1
    for index in range(items.count()):
        item = items.nth(index)
        line = float(item.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24"))
        assert item.bounding_box()["height"] < 1.5 * line, item.inner_text()
    assert request.code in page.get_by_test_id("my-requests").inner_text()
