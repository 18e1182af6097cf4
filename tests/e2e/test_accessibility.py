"""Accessibility (issue 15 item 2): axe-core (tests/e2e/axe.py) finds no violation of impact
"serious" or "critical" on each role's main pages, over the demo (`make run`) at desktop width and
with the menu of a phone open; and a form is done with the keyboard alone, the focus visible on
every field it reaches."""

import pytest
from playwright.sync_api import expect

from applicants.models import Applicant, SupportRequest
from tests.e2e.axe import violations
from tests.e2e.pages import DEMO, DEMO_PASSWORD, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (who: a DEMO key or None for a visitor, [page, or (page, link on it to follow)])
PAGES = [
    (None, ["/", "/tai-khoan/dang-nhap/", "/co-so/dang-ky/", "/co-so/tra-cuu/"]),
    (
        "applicant",
        [
            "/tai-khoan/",
            "/co-so/ho-so/",
            ("/co-so/ho-so/", "main a[href$='/de-nghi/moi/']"),
            "/de-an/cua-toi/",
        ],
    ),
    ("commune", ["/tai-khoan/", ("/bao-cao/don-vi/", "main a[href^='/bao-cao/don-vi/']")]),
    (
        "staff",
        [
            "/tai-khoan/",
            "/co-so/danh-sach/",
            "/de-an/",
            ("/de-an/", "main table tbody a[href^='/de-an/']"),
            "/chuong-trinh/ke-hoach/",
            ("/chuong-trinh/ke-hoach/", "main table a[href^='/chuong-trinh/ke-hoach/']"),
            "/bao-cao/tong-quan/",
            ("/bao-cao/ky/", "main a[href^='/bao-cao/ky/']"),
            "/bao-cao/tong-hop/",
        ],
    ),
    ("leader", ["/tai-khoan/"]),
    ("observer", ["/bao-cao/tong-quan/", ("/de-an/", "main table tbody a[href^='/de-an/']")]),
]


def _visit(page, site, path, follow):
    page.goto(f"{site}{path}")
    assert page.url.endswith(path), (path, page.url)  # reached, not sent to the login page
    if follow:
        page.locator(follow).first.click()
        page.wait_for_load_state()


def test_no_serious_or_critical_violation_on_each_roles_main_pages(page, demo, login):
    found, seen = {}, 0
    for who, paths in PAGES:
        page.context.clear_cookies()
        if who:
            login(page, DEMO[who], DEMO_PASSWORD)
        for entry in paths:
            path, follow = entry if isinstance(entry, tuple) else (entry, None)
            _visit(page, demo, path, follow)
            seen += 1
            if bad := violations(page):
                found[f"{who or 'visitor'} {page.url.removeprefix(demo)}"] = bad
    # on a phone, with the menu open (one drop-down of it unfolded)
    page.set_viewport_size(PHONE)
    _visit(page, demo, "/bao-cao/tong-quan/", None)
    page.locator(".navbar-toggler").click()
    page.locator("a.dropdown-toggle").first.click()
    expect(page.locator(".dropdown-menu.show")).to_be_visible()
    if bad := violations(page):
        found["observer phone menu"] = bad
    assert seen == 22
    assert not found, found


def test_the_axe_check_reports_a_serious_violation(page, site):
    """The check can fail: an image without a text alternative is a critical violation."""
    page.goto(f"{site}/")
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in {v["rule"] for v in violations(page)}


def _tab_to(page, name, limit=60):
    """Press Tab (Shift+Tab with back=True) until the field `name` has the focus; returns it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == name:
            return page.locator(":focus")
    raise AssertionError(f"Tab never reached {name}")


def _outline(page):
    """The focused element's outline as the browser draws it (style and width)."""
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth] }"
    )


def _focus_shows(page):
    style, width = _outline(page)
    assert style != "none" and float(width.removesuffix("px")) >= 2, (
        page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"),
        style,
        width,
    )


def test_sign_in_and_send_a_support_request_with_the_keyboard_alone(page, demo):
    page.goto(f"{demo}/tai-khoan/dang-nhap/")
    _tab_to(page, "username")
    _focus_shows(page)
    page.keyboard.type(DEMO["applicant"])
    page.keyboard.press("Tab")
    _focus_shows(page)
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Shift+Tab")  # back to the login field, then forward again
    assert page.evaluate("() => document.activeElement.name") == "username"
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/dang-nhap/" not in page.url

    applicant = Applicant.objects.get(owner__phone=DEMO["applicant"], name__contains="Phụng Công")
    before = SupportRequest.objects.filter(applicant=applicant).count()
    page.goto(f"{demo}/co-so/{applicant.pk}/de-nghi/moi/")
    activity = _tab_to(page, "activity")
    _focus_shows(page)
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # a closed select changes its choice with the arrows
    assert activity.input_value() != ""
    for name, text in [
        ("title", "Hỗ trợ máy dệt kim điện tử"),
        ("description", "Đầu tư hai máy dệt kim để tăng sản lượng."),
        ("estimated_cost", "400000000"),
        ("counterpart", "250000000"),
    ]:
        _tab_to(page, name)
        _focus_shows(page)
        page.keyboard.type(text)
    _tab_to(page, "no_other_support")
    _focus_shows(page)
    page.keyboard.press("Space")
    submit = _tab_to(page, "submit")
    _focus_shows(page)
    assert submit.inner_text() == "Gửi đề nghị"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert SupportRequest.objects.filter(applicant=applicant).count() == before + 1, page.locator(
        "main"
    ).inner_text()[:500]
    created = SupportRequest.objects.filter(applicant=applicant).latest("pk")
    assert created.title == "Hỗ trợ máy dệt kim điện tử" and created.status == SupportRequest.Status.SUBMITTED
