"""Issue 12 item 7: the home page shows the targets' progress and the yearly state support by
funding source and by content area, with the same figures as CSV and JSON for anyone; totals
only, no personal data."""

import csv
import datetime
import io
import json

import pytest

from projects.models import BudgetLine, BudgetVersion, Project, Status
from tests.factories import CollaboratorFactory, commune
from tests.projects.utils import advance, make_applicant, make_project

pytestmark = pytest.mark.django_db

CSV_URL = "/bao-cao/so-lieu-cong-khai.csv"
JSON_URL = "/bao-cao/so-lieu-cong-khai.json"
M = 1_000_000
PERSONAL = [
    "Hợp tác xã Dệt Kim Bình Minh",  # a beneficiary
    "0912345678",  # its phone
    "0101234567",  # its tax code
    "Nguyễn Văn An",  # its representative
    "Đỗ Thị Hạnh",  # a collaborator
    "0988111222",  # her phone
    "Hỗ trợ máy dệt tự động",  # a project's title
]


@pytest.fixture
def figures(frozen_clock, staff, leader):
    """2026: a KCQG project (300 M) and a KCĐP one (50 M), both content area 2; 2027: a KCĐP project of area 3 (100 M). Not counted: a draft (222 M), the
    counterpart, an old budget version (777 M)."""
    beneficiary = make_applicant(name="Hợp tác xã Dệt Kim Bình Minh", tax_code="0101234567")
    first = advance(
        leader, make_project(staff, support=300 * M, beneficiaries=[beneficiary]), Status.APPROVED
    )
    advance(leader, make_project(staff, lead="KCDP", total=200 * M, support=50 * M), Status.APPROVED)
    advance(
        leader,
        make_project(
            staff,
            activity_code="3a",
            variant_key="provincial_round",
            lead="KCDP",
            support=100 * M,
            total=100 * M,
            year=2027,
            title="Bình chọn sản phẩm",
        ),
        Status.APPROVED,
    )
    make_project(staff, support=222 * M)  # a draft
    old = BudgetVersion.objects.create(
        project=first,
        number=9,
        total_cost=first.total_cost,
        eligible_cost=first.eligible_cost,
        decision_number="1/QĐ-SCT",
        decision_date=datetime.date(2026, 5, 1),
    )
    BudgetLine.objects.create(budget=old, funding_source=first.lead_fund, amount=777 * M)
    assert Project.objects.get(pk=first.pk).current_budget_id != old.pk
    CollaboratorFactory(commune=commune("11953"), full_name="Đỗ Thị Hạnh", phone="0988111222")


def _csv(client):
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    return response, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_json_figures_against_hand_computed_values(client, figures):
    response = client.get(JSON_URL)
    assert response.status_code == 200
    data = json.loads(response.content)
    by_source = {(r["year"], r["code"]): r["amount"] for r in data["support_by_source"]}
    assert by_source[(2026, "KCQG")] == 300 * M
    assert by_source[(2026, "KCDP")] == 50 * M
    assert by_source[(2027, "KCDP")] == 100 * M
    assert by_source[(2027, "KCQG")] == 0 and by_source[(2030, "KCDP")] == 0
    assert {code for _year, code in by_source} == {"KCQG", "KCDP"}  # no counterpart
    assert sum(by_source.values()) == 450 * M
    by_area = {(r["year"], r["code"]): r["amount"] for r in data["support_by_area"]}
    assert by_area[(2026, "2")] == 350 * M and by_area[(2027, "3")] == 100 * M
    assert sum(by_area.values()) == 450 * M
    targets = {t["code"]: t for t in data["targets"]}
    assert targets["collaborators"]["achieved"] == 1 and targets["collaborators"]["goal"] == 104
    assert data["on_date"] == "15/06/2026" and data["currency"] == "VND"


def test_csv_has_the_same_figures(client, figures):
    _response, rows = _csv(client)
    assert rows[0] == ["Nhóm số liệu", "Năm", "Mã", "Tên", "Giá trị", "Mục tiêu", "Đơn vị"]
    money = {(r[0], r[1], r[2]): int(r[4]) for r in rows[1:] if r[6] == "đồng"}
    assert money[("Kinh phí hỗ trợ theo nguồn", "2026", "KCQG")] == 300 * M
    assert money[("Kinh phí hỗ trợ theo nguồn", "2026", "KCDP")] == 50 * M
    assert money[("Kinh phí hỗ trợ theo nguồn", "2027", "KCDP")] == 100 * M
    assert money[("Kinh phí hỗ trợ theo nội dung", "2026", "2")] == 350 * M
    assert money[("Kinh phí hỗ trợ theo nội dung", "2027", "3")] == 100 * M
    targets = [r for r in rows[1:] if r[0].startswith("Chỉ tiêu")]
    assert len(targets) == 5 and targets[0][0] == "Chỉ tiêu (đến ngày 15/06/2026)"
    collaborators = next(r for r in targets if r[2] == "collaborators")
    assert collaborators[4:6] == ["1", "104"]


def test_the_home_page_shows_the_yearly_totals(client, figures):
    html = client.get("/").content.decode()
    table = html.split('data-testid="support-by-source"', 1)[1].split("</table>", 1)[0]
    row_2026 = table.split('<tr data-year="2026">', 1)[1].split("</tr>", 1)[0]
    assert "300.000.000 đ" in row_2026 and "50.000.000 đ" in row_2026 and "350.000.000 đ" in row_2026
    assert "450.000.000 đ" in table.split('data-year="total"', 1)[1]
    area = html.split('data-testid="support-by-area"', 1)[1].split("</table>", 1)[0]
    assert "350.000.000 đ" in area.split('<tr data-year="2026">', 1)[1].split("</tr>", 1)[0]
    assert f'href="{CSV_URL}"' in html and f'href="{JSON_URL}"' in html


def test_no_personal_data_anywhere(client, figures):
    _response, rows = _csv(client)
    texts = {
        "csv": "\n".join(",".join(r) for r in rows),
        "json": client.get(JSON_URL).content.decode(),
        "home": client.get("/").content.decode().split('aria-labelledby="targets-title"', 1)[1],
    }
    for where, text in texts.items():
        for value in PERSONAL:
            assert value not in text, (where, value)


def test_anonymous_access_and_short_public_caching(client, figures, django_assert_max_num_queries):
    for url in (CSV_URL, JSON_URL):
        response = client.get(url)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    # cached: a new approved project shows only after the few minutes
    with django_assert_max_num_queries(2):
        data = json.loads(client.get(JSON_URL).content)
    assert sum(r["amount"] for r in data["support_by_source"]) == 450 * M
    assert client.post(JSON_URL).status_code == 405


def test_formulas_are_neutralised(client, programme, frozen_clock):
    programme.targets.filter(measure="collaborators").update(name="=HYPERLINK(1)")
    _response, rows = _csv(client)
    assert ["'=HYPERLINK(1)"] == [r[3] for r in rows if r[2] == "collaborators"]
