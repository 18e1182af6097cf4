"""Small helpers shared by the browser journeys: the menu as a person uses it (on a phone behind the
menu button, grouped entries in their drop-down), sign-out, and the sideways-overflow check."""

DEMO_PASSWORD = "KhuyenCong@2026"  # khuyencong.demo.DEMO_PASSWORD
# Demo logins (khuyencong.demo.DEMO_USERS)
DEMO = {
    "staff": "0912000001",
    "preparer": "0912000008",
    "leader": "0912000002",
    "commune": "0912000003",
    "applicant": "0912000006",
    "observer": "0912000007",
}
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# What sticks out on the right of the window: the page itself, or an element of the main content.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-responsive'))
    .map(e => e.tagName + '.' + e.className).slice(0, 5);
  if (document.documentElement.scrollWidth > width + 1) out.unshift('html ' + document.documentElement.scrollWidth);
  return out;
}"""


def overflow(page):
    """[] when nothing of the page needs a sideways scroll (tables scroll inside their own box)."""
    return page.evaluate(OVERFLOW)


def menu(page, name):
    """Follow the menu entry of url name `name` (e.g. "reports:dashboard") as a person would."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    group = page.locator(f'li.dropdown:has(a[data-nav="{name}"]) > a.dropdown-toggle')
    if group.count():
        group.click()
    page.locator(f'a[data-nav="{name}"]').click()
    page.wait_for_load_state()


def logout(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
