"""The approval summary of a đề án as a PDF (projects.pdf)."""

import io
import unicodedata

import pytest

from accounts.roles import Role
from projects.models import Status

from .utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db


def _text(pdf):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def approved(staff, leader, applicant):
    return advance(leader, make_project(staff, beneficiaries=[applicant]), Status.APPROVED)


def _url(project):
    return f"/de-an/{project.pk}/tom-tat.pdf"


def test_the_summary_of_an_approved_project(client, leader, approved):
    client.force_login(leader)
    response = client.get(_url(approved))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert (
        "filename*=UTF-8''T%C3%B3m%20t%E1%BA%AFt%20%C4%91%E1%BB%81%20%C3%A1n%20DA-2026-KCQG-"
        in (response["Content-Disposition"])
    )
    text = _text(response.content)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỞ CÔNG THƯƠNG",
        "Số: …/SCT-KC",
        "TÓM TẮT ĐỀ ÁN KHUYẾN CÔNG TRÌNH PHÊ DUYỆT",
        approved.code,
        "Hỗ trợ máy dệt tự động",
        "Hợp tác xã Mây tre đan Đức Long",
        "600.000.000 đồng",  # total cost
        "300.000.000",  # the KCQG line as approved
        "Kinh phí theo nguồn (theo quyết định phê duyệt)",
        "Kết quả thẩm định",
        "Đạt (ngày 02/03/2026)",
        f"Số {approved.decision_number} ngày 02/03/2026",
        "Nơi nhận:",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        leader.full_name,
    ):
        assert expected in text, expected


def test_the_summary_names_the_ceiling_checked(client, staff, approved):
    from programmes.ceilings import ceiling_check

    check = ceiling_check(
        activity=approved.activity,
        variant=approved.variant,
        lead_fund=approved.lead_fund,
        support=approved.state_support,
        eligible_cost=approved.eligible_cost,
        units_covered=approved.units_covered,
        on_date=approved.decision_date,
    )
    client.force_login(staff)
    text = " ".join(_text(client.get(_url(approved)).content).split())
    if check.rule is None:
        assert "Chưa có quy định mức hỗ trợ tối đa" in text
    else:
        assert check.rule.legal_basis.split()[0] in text
        assert f"Mức hỗ trợ tối đa: {check.limit:,} đồng".replace(",", ".") in text


def test_an_appraised_project_shows_the_proposed_budget(client, staff, leader):
    project = advance(leader, make_project(staff), Status.APPRAISED)
    client.force_login(staff)
    text = _text(client.get(_url(project)).content)
    assert "Kinh phí theo nguồn (theo dự toán đề xuất)" in text
    assert "Quyết định phê duyệt" not in text


def test_a_draft_has_no_summary(client, staff):
    client.force_login(staff)
    assert client.get(_url(make_project(staff))).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.STAFF, 200),
        (Role.LEADER, 200),
        (Role.UNIT_REPORTER, 200),  # the project is in its commune
        (Role.APPLICANT, 200),  # its own project
        (Role.OBSERVER, 200),  # an approved project
        (None, 302),
    ],
)
def test_the_summary_by_role(client, users, approved, role, expected):
    if role is not None:
        client.force_login(users[role])
    response = client.get(_url(approved))
    assert response.status_code == expected
    if role is None:
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")


def test_an_observer_does_not_read_the_appraisal(client, observer, approved):
    client.force_login(observer)
    text = _text(client.get(_url(approved)).content)
    assert "Kết quả thẩm định" not in text
    assert f"Số {approved.decision_number} ngày 02/03/2026" in text


def test_the_applicant_of_another_project_gets_404(client, staff, leader, approved):
    from tests.factories import UserFactory

    other = UserFactory(roles=[Role.APPLICANT])
    make_applicant(owner=other, name="Hộ kinh doanh khác", tax_code=None)
    client.force_login(other)
    assert client.get(_url(approved)).status_code == 404


def test_the_project_page_links_the_summary_once_appraised(client, staff, leader, approved):
    client.force_login(staff)
    html = client.get(f"/de-an/{approved.pk}/").content.decode()
    assert f'href="/de-an/{approved.pk}/tom-tat.pdf"' in html
    draft = make_project(staff)
    assert "tom-tat.pdf" not in client.get(f"/de-an/{draft.pk}/").content.decode()


def test_the_summary_queries(client, staff, approved, django_assert_num_queries):
    client.force_login(staff)
    client.get(_url(approved))
    # 11: the beneficiaries counted for the per-facility cap (programmes.CapUnit)
    with django_assert_num_queries(11):
        response = client.get(_url(approved))
    assert response.status_code == 200
