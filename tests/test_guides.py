"""The user guides (docs/huong-dan/) in the portal: "Hướng dẫn" is in every role's menu and opens
that role's own guide first; every guide is reachable by every signed-in user; every picture a guide
shows exists (committed, made by scripts/guide_screenshots.py) and is served as a static file."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.roles import Role
from khuyencong.guides import GUIDE_DIR, GUIDES
from programmes.models import ReportingUnit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OWN_GUIDE = {
    Role.STAFF: "can-bo-so",
    Role.LEADER: "lanh-dao-so",
    Role.UNIT_REPORTER: "don-vi-bao-cao",
    Role.APPLICANT: "co-so",
    Role.OBSERVER: "co-quan-theo-doi",
}
IMAGE = re.compile(r"!\[[^\]]*\]\((anh/[^)]+)\)")


def _user(*roles):
    user = UserFactory(roles=list(roles))
    if Role.UNIT_REPORTER in roles:
        ReportingUnit.objects.get(commune__code="11953").members.add(user)
    return user


def _shown_guide(html):
    return re.search(r'data-testid="help-guide" data-guide="([a-z-]+)"', html).group(1)


def test_every_role_has_a_guide_file_with_pictures():
    assert {guide.role for guide in GUIDES} == set(Role.values) == set(OWN_GUIDE)
    for guide in GUIDES:
        text = guide.path.read_text(encoding="utf-8")
        assert text.startswith("# Hướng dẫn cho ")
        assert len(IMAGE.findall(text)) >= 2, guide.slug


def test_every_picture_a_guide_shows_exists_and_is_small():
    shown = {path for guide in GUIDES for path in IMAGE.findall(guide.path.read_text(encoding="utf-8"))}
    missing = [path for path in sorted(shown) if not (GUIDE_DIR / path).is_file()]
    assert missing == []
    for path in shown:
        assert finders.find("huong-dan/" + Path(path).name), path  # served as /static/huong-dan/…
        assert (GUIDE_DIR / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    total = sum(p.stat().st_size for p in (GUIDE_DIR / "anh").glob("*.png"))
    assert total < 3 * 1024 * 1024


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in (reverse("help"), reverse("help_guide", args=["co-so"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", list(OWN_GUIDE))
def test_each_role_opens_its_own_guide_first_and_reaches_the_others(
    client, role, django_assert_max_num_queries
):
    client.force_login(_user(role))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("help"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _shown_guide(html) == OWN_GUIDE[role]
    nav = html.split('data-testid="help-guides"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'href="/huong-dan/([a-z-]+)/"', nav)
    assert links[0] == OWN_GUIDE[role] and sorted(links) == sorted(OWN_GUIDE.values())
    assert 'src="/static/huong-dan/' in html and 'src="anh/' not in html
    header = html.split("<nav", 1)[1].split("</nav>", 1)[0]  # beside the account, in the header
    assert 'data-nav="help"' in header
    for slug in OWN_GUIDE.values():
        other = client.get(reverse("help_guide", args=[slug]))
        assert other.status_code == 200 and _shown_guide(other.content.decode()) == slug


def test_several_roles_see_each_of_their_guides_before_the_others(client):
    client.force_login(_user(Role.APPLICANT, Role.UNIT_REPORTER))
    html = client.get(reverse("help")).content.decode()
    nav = html.split('data-testid="help-guides"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'href="/huong-dan/([a-z-]+)/"', nav)[:2] == ["don-vi-bao-cao", "co-so"]
    assert nav.count("của bạn") == 2


def test_links_between_guides_open_the_portal_page_and_raw_html_is_not_passed_through(client):
    client.force_login(_user(Role.LEADER))
    html = client.get(reverse("help_guide", args=["lanh-dao-so"])).content.decode()
    assert 'href="/huong-dan/can-bo-so/"' in html and 'href="can-bo-so.md"' not in html
    assert "<table" not in html or 'class="table' in html
    from khuyencong import guides

    md = guides._markdown()
    assert "<script>" not in md.render("<script>alert(1)</script>")


def test_an_unknown_guide_is_404(client):
    client.force_login(_user(Role.STAFF))
    assert client.get("/huong-dan/khong-co/").status_code == 404
