import io
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from applicants.models import Applicant, SupportRequest
from tests.factories import ApplicantFactory, SupportRequestFactory, commune

from .conftest import ROLES

pytestmark = pytest.mark.django_db


def _status(response):
    if response.status_code == 302 and "/dang-nhap/" in response["Location"]:
        return "login"
    return response.status_code


# expected answer per role: staff, leader, unit_reporter, applicant, observer, anonymous
STAFF_ONLY = [200, 200, 403, 403, 403, "login"]
APPLICANT_ONLY = [403, 403, 403, 200, 403, "login"]
PUBLIC = [200] * 6


@pytest.mark.parametrize(
    "name,expected",
    [
        ("applicants:register", PUBLIC),
        ("applicants:privacy", PUBLIC),
        ("applicants:lookup", PUBLIC),
        ("applicants:my_profile", APPLICANT_ONLY),
        ("applicants:my_data", APPLICANT_ONLY),
        ("applicants:my_requests", APPLICANT_ONLY),
        ("applicants:list", [200, 200, 200, 403, 403, "login"]),
        ("applicants:verification_queue", STAFF_ONLY),
        ("applicants:staff_entry", STAFF_ONLY),
        ("applicants:import", STAFF_ONLY),
        ("applicants:import_template", STAFF_ONLY),
        ("applicants:request_list", STAFF_ONLY),
    ],
)
def test_pages_for_every_role(people, client_for, own, name, expected):
    for role, answer in zip(ROLES, expected, strict=True):
        response = client_for(people[role]).get(reverse(name))
        assert _status(response) == answer, (name, role)


@pytest.mark.parametrize(
    "name,which,expected",
    [
        # own applicant (commune 11953, the official's commune)
        ("applicants:detail", "own", [200, 200, 200, 200, 403, "login"]),
        ("applicants:edit", "own", [200, 200, 403, 200, 403, "login"]),
        ("applicants:request_create", "own", [200, 200, 403, 200, 403, "login"]),
        # someone else's applicant in another commune
        ("applicants:detail", "other", [200, 200, 404, 404, 403, "login"]),
        ("applicants:edit", "other", [200, 200, 403, 404, 403, "login"]),
        ("applicants:request_create", "other", [200, 200, 403, 404, 403, "login"]),
    ],
)
def test_applicant_pages_scope(people, client_for, own, other, name, which, expected):
    applicant = (own if which == "own" else other)[0]
    for role, answer in zip(ROLES, expected, strict=True):
        response = client_for(people[role]).get(reverse(name, args=[applicant.pk]))
        assert _status(response) == answer, (name, which, role)


@pytest.mark.parametrize(
    "name,which,expected",
    [
        ("applicants:request_detail", "own", [200, 200, 403, 200, 403, "login"]),
        ("applicants:request_detail", "other", [200, 200, 403, 404, 403, "login"]),
    ],
)
def test_request_pages_scope(people, client_for, own, other, name, which, expected):
    request = (own if which == "own" else other)[1]
    for role, answer in zip(ROLES, expected, strict=True):
        response = client_for(people[role]).get(reverse(name, args=[request.pk]))
        assert _status(response) == answer, (name, which, role)


def test_request_edit_only_when_editable(people, client_for, own):
    applicant, request = own
    assert (
        client_for(people["applicant"]).get(reverse("applicants:request_edit", args=[request.pk])).status_code
        == 404
    )
    SupportRequest.objects.filter(pk=request.pk).update(status="returned")
    for role, answer in zip(ROLES, [200, 200, 403, 200, 403, "login"], strict=True):
        response = client_for(people[role]).get(reverse("applicants:request_edit", args=[request.pk]))
        assert _status(response) == answer, role


@pytest.mark.parametrize("name", ["applicants:review", "applicants:request_triage"])
def test_staff_posts_for_every_role(people, client_for, own, name):
    applicant, request = own
    Applicant.objects.filter(pk=applicant.pk).update(verification_status="pending")
    pk = applicant.pk if name == "applicants:review" else request.pk
    data = {"decision": "verified"} if name == "applicants:review" else {"action": "accept"}
    for role, answer in zip(ROLES, [302, 302, 403, 403, 403, "login"], strict=True):
        response = client_for(people[role]).post(reverse(name, args=[pk]), data)
        assert _status(response) == answer, role
    applicant.refresh_from_db()
    request.refresh_from_db()
    if name == "applicants:review":
        assert applicant.verification_status == "verified" and applicant.reviews.count() == 1
    else:
        assert request.status == "accepted" and request.events.count() == 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http:/evil.example"])
def test_review_never_redirects_off_site(people, client_for, own, target):
    applicant, _request = own
    Applicant.objects.filter(pk=applicant.pk).update(verification_status="pending")
    response = client_for(people["staff"]).post(
        reverse("applicants:review", args=[applicant.pk]), {"decision": "verified", "next": target}
    )
    assert response.status_code == 302 and response["Location"] == reverse("applicants:verification_queue")
    same_site = reverse("applicants:detail", args=[applicant.pk])
    Applicant.objects.filter(pk=applicant.pk).update(verification_status="pending")
    response = client_for(people["staff"]).post(
        reverse("applicants:review", args=[applicant.pk]), {"decision": "verified", "next": same_site}
    )
    assert response["Location"] == same_site


def test_commune_official_sees_only_its_commune_without_personal_ids(people, client_for, own, other):
    response = client_for(people["unit_reporter"]).get(reverse("applicants:list"))
    rows = list(response.context["listing"].rows)
    assert rows == [own[0]]
    html = response.content.decode()
    assert "034085001234" not in html and "(ẩn)" in html
    detail = (
        client_for(people["unit_reporter"])
        .get(reverse("applicants:detail", args=[own[0].pk]))
        .content.decode()
    )
    assert "034085001234" not in detail
    # the export hides them too
    export = client_for(people["unit_reporter"]).get(reverse("applicants:list") + "?format=xlsx")
    ws = load_workbook(io.BytesIO(export.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "034085001234" not in values and own[0].name in values and other[0].name not in values
    # staff see the number
    assert "034085001234" in client_for(people["staff"]).get(reverse("applicants:list")).content.decode()


def test_commune_official_cannot_find_a_row_by_its_personal_id(people, client_for, own):
    applicant = own[0]
    url = reverse("applicants:list")
    for query in ["034085001234", "0340", "85001", "Hộ 0340"]:
        rows = client_for(people["unit_reporter"]).get(url, {"q": query}).context["listing"].rows
        assert list(rows) == [], query
        export = client_for(people["unit_reporter"]).get(url, {"q": query, "format": "xlsx"})
        assert load_workbook(io.BytesIO(export.content)).active.max_row == 1, query
    # what the official may see still finds it, and staff find it by the ID
    for query in [applicant.phone, applicant.name]:
        rows = client_for(people["unit_reporter"]).get(url, {"q": query}).context["listing"].rows
        assert list(rows) == [applicant], query
    rows = client_for(people["staff"]).get(url, {"q": "0340850"}).context["listing"].rows
    assert list(rows) == [applicant]


def test_request_filters_tell_a_commune_official_nothing_about_requests(people, client_for, own):
    """Commune officials see applicants, not their requests: filtering by a request's year or
    activity must not reveal that one exists."""
    applicant, support_request = own[0], own[1]
    url = reverse("applicants:list")
    for params in [{"year": support_request.year}, {"activity": support_request.activity.code}]:
        rows = client_for(people["unit_reporter"]).get(url, params).context["listing"].rows
        assert list(rows) == [], params
        rows = client_for(people["staff"]).get(url, params).context["listing"].rows
        assert applicant in list(rows), params


def test_applicant_sees_only_own_requests(people, client_for, own, other):
    response = client_for(people["applicant"]).get(reverse("applicants:my_requests"))
    assert list(response.context["requests"]) == [own[1]]


# --- registration through the page -------------------------------------------------------------


def _registration(**kw):
    data = {
        "kind": "household",
        "name": "Hộ kinh doanh Mây tre Đức",
        "tax_code": "",
        "representative": "Đỗ Văn Đức",
        "phone": "0987 654 321",
        "email": "",
        "address": "Thôn Đông",
        "commune": commune("12364").full_name,
        "sector_group": "industry",
        "password1": "Mat-khau-Rat-Kho-123",
        "password2": "Mat-khau-Rat-Kho-123",
        "consent": "on",
    }
    data.update(kw)
    return data


def test_register_page_creates_account_logs_in(client):
    response = client.post(reverse("applicants:register"), _registration())
    assert response.status_code == 302 and response["Location"] == reverse("applicants:my_profile")
    applicant = Applicant.objects.get(name="Hộ kinh doanh Mây tre Đức")
    assert applicant.verification_status == "pending" and applicant.owner.phone == "0987654321"
    page = client.get(reverse("applicants:my_profile"))
    assert "Chờ xác minh" in page.content.decode()


def test_register_page_messages(client):
    response = client.post(
        reverse("applicants:register"), _registration(consent="", tax_code="0100109105", kind="sme")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "consent" in form.errors
    ApplicantFactory(tax_code="0100109106")
    response = client.post(reverse("applicants:register"), _registration(tax_code="0100109106", kind="sme"))
    assert "liên hệ" in response.context["form"].errors["tax_code"][0]
    assert not Applicant.objects.filter(name="Hộ kinh doanh Mây tre Đức").exists()


def test_applicant_cannot_change_verified_identity_through_the_page(people, client_for, own):
    applicant = own[0]
    page = client_for(people["applicant"]).get(reverse("applicants:edit", args=[applicant.pk]))
    assert page.context["form"].fields["name"].disabled
    data = {k: v for k, v in _registration().items() if k not in ("password1", "password2", "consent")}
    data.update(name="Tên đổi", version=applicant.version, tax_code=applicant.tax_code, phone="0911222333")
    client_for(people["applicant"]).post(reverse("applicants:edit", args=[applicant.pk]), data)
    applicant.refresh_from_db()
    assert applicant.name != "Tên đổi" and applicant.phone == "0911222333"


def test_my_data_download(people, client_for, own):
    response = client_for(people["applicant"]).get(reverse("applicants:my_data"))
    payload = json.loads(response.content)
    assert payload["applicants"][0]["tax_code"] == "034085001234"
    assert payload["applicants"][0]["support_requests"][0]["code"] == own[1].code
    assert "attachment" in response["Content-Disposition"]


def test_my_data_download_as_xlsx(people, client_for, own, other):
    import datetime

    applicant, request = own
    applicant.artisan_titles.create(title="uu_tu", year=2019, craft="Mây tre", decision="=HYPERLINK(1)")
    response = client_for(people["applicant"]).get(reverse("applicants:my_data") + "?format=xlsx")
    assert 'filename="du-lieu-cua-toi.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["Mục", "Thông tin", "Giá trị"]
    by_label = {(r[0], r[1]): r[2] for r in rows[1:]}
    section = f"Cơ sở: {applicant.name}"
    assert by_label[(section, "Mã số thuế / số định danh")] == "034085001234"
    assert by_label[(section, "Năm thành lập")] == applicant.founded_year
    assert by_label[(f"Đề nghị {request.code}", "Mã theo dõi")] == request.code
    assert by_label[(f"{section} — danh hiệu nghệ nhân", "Quyết định")] == "'=HYPERLINK(1)"
    assert isinstance(by_label[("Tài khoản", "Ngày tạo tài khoản")], datetime.datetime)
    values = {str(r[2]) for r in rows}
    assert other[0].name not in values and other[0].tax_code not in values


# --- lists: constant queries, search, filters, export ------------------------------------------


def _seed(n):
    for i in range(n):
        a = ApplicantFactory(
            name=f"Nghệ nhân Đức {i}", commune=commune("11953" if i % 2 else "12364"), kind="artisan"
        )
        SupportRequestFactory(applicant=a)


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(
    "name,query,queries",
    [
        ("applicants:list", "?q=nghe+nhan&kind=artisan", 8),
        ("applicants:list", "?year=2026&activity=2b&sort=-created", 8),
        ("applicants:verification_queue", "", 7),
        ("applicants:request_list", "?q=duc&status=submitted", 8),
    ],
)
def test_lists_issue_constant_queries(people, client_for, django_assert_num_queries, n, name, query, queries):
    _seed(n)
    if name == "applicants:verification_queue":
        Applicant.objects.update(verification_status="pending")
    client = client_for(people["staff"])
    client.get(reverse(name) + query)  # warm the session and role caches
    with django_assert_num_queries(queries):
        response = client.get(reverse(name) + query)
    assert response.status_code == 200 and len(response.context["listing"].rows) == min(n, 25)


@pytest.mark.parametrize("n", [3, 30])
def test_own_pages_and_the_commune_list_issue_constant_queries(
    people, client_for, own, django_assert_num_queries, n
):
    applicant = own[0]
    for _i in range(n):
        SupportRequestFactory(applicant=applicant)
        ApplicantFactory(commune=commune("11953"), tax_code=None)
    for role, url, queries in [
        ("applicant", reverse("applicants:my_requests"), 6),
        # + the consents (issue 9 A.13), + the pending invitations (issue 10 item 2)
        ("applicant", reverse("applicants:my_profile"), 9),
        ("applicant", reverse("applicants:members", args=[applicant.pk]), 7),  # + pending invitations
        ("unit_reporter", reverse("applicants:list") + "?q=03+ho", 8),
    ]:
        client = client_for(people[role])
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


def test_search_ignores_case_and_diacritics(people, client_for):
    ApplicantFactory(name="Nghệ nhân Đức Hạnh")
    ApplicantFactory(name="Công ty Cơ khí")
    client = client_for(people["staff"])
    for q in ["nghe nhan", "DUC", "đức hạnh", "NGHỆ"]:
        rows = client.get(reverse("applicants:list"), {"q": q}).context["listing"].rows
        assert [a.name for a in rows] == ["Nghệ nhân Đức Hạnh"], q


def test_export_is_exactly_the_filtered_list_and_neutralises_formulas(people, client_for):
    ApplicantFactory(name='=HYPERLINK("http://x")', kind="artisan")
    ApplicantFactory(name="Hộ Lan", kind="household")
    ApplicantFactory(name="@Nghệ nhân", kind="artisan")
    response = client_for(people["staff"]).get(
        reverse("applicants:list"), {"kind": "artisan", "format": "xlsx"}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    names = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(['\'=HYPERLINK("http://x")', "'@Nghệ nhân"])
    SupportRequestFactory(title="=1+2", year=2027)
    SupportRequestFactory(title="Máy", year=2026)
    requests = client_for(people["staff"]).get(
        reverse("applicants:request_list"), {"year": "2027", "format": "xlsx"}
    )
    assert requests["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(requests.content)).active.iter_rows(min_row=2, values_only=True))
    assert [row[6] for row in rows] == ["'=1+2"]


def test_request_list_filters(people, client_for):
    a = ApplicantFactory()
    SupportRequestFactory(applicant=a, year=2026)
    SupportRequestFactory(applicant=a, year=2027, status="accepted")
    client = client_for(people["staff"])
    assert (
        client.get(reverse("applicants:request_list"), {"year": "2027"}).context["listing"].paginator.count
        == 1
    )
    assert (
        client.get(reverse("applicants:request_list"), {"status": "accepted"})
        .context["listing"]
        .paginator.count
        == 1
    )
    assert (
        client.get(reverse("applicants:request_list"), {"year": "abc"}).context["listing"].paginator.count
        == 0
    )


# --- import ------------------------------------------------------------------------------------

HEADERS = [
    "Loại hình",
    "Tên cơ sở",
    "Mã số thuế",
    "Số đăng ký kinh doanh",
    "Người đại diện",
    "Điện thoại",
    "Email",
    "Địa chỉ",
    "Mã xã, phường",
    "Ngành nghề",
    "Năm thành lập",
    "Lao động BHXH",
    "Doanh thu năm (đồng)",
    "Tổng nguồn vốn (đồng)",
]


def _xlsx(rows):
    wb = Workbook()
    wb.active.append(HEADERS)
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "co-so.xlsx"
    return buffer


GOOD = [
    "Hộ kinh doanh",
    "Hộ Nguyễn Văn A",
    "",
    "",
    "Nguyễn Văn A",
    "0912345678",
    "",
    "Thôn 1",
    "11953",
    "Mây tre",
    2015,
    3,
    500000000,
    300000000,
]


def test_import_with_bad_rows_changes_nothing_and_reports_lines(people, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ApplicantFactory(tax_code="0100109106")
    before = Applicant.objects.count()
    rows = [
        GOOD,
        ["Không rõ", "Hộ B", "", "", "B", "0912345679", "", "Thôn 2", "99999", "", "", "", "", ""],
        [
            "Doanh nghiệp nhỏ và vừa",
            "Công ty C",
            "0100109106",
            "",
            "C",
            "0912345670",
            "",
            "Thôn 3",
            "11953",
            "",
            "năm",
            "",
            "",
            "",
        ],
        [
            "Doanh nghiệp nhỏ và vừa",
            "Công ty D",
            "0100109105",
            "",
            "D",
            "12345",
            "",
            "Thôn 4",
            "11953",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    response = client_for(people["staff"]).post(reverse("applicants:import"), {"file": _xlsx(rows)})
    result = response.context["result"]
    assert [e.line for e in result.errors] == [3, 4, 5]
    messages = [str(e) for e in result.errors]
    assert "Loại hình" in messages[0] and "99999" in messages[0]
    assert "đã có trong hệ thống" in messages[1] and "số nguyên" in messages[1], messages
    assert "Mã số thuế" in messages[2] and "Số điện thoại không hợp lệ" in messages[2], messages
    assert "token" not in response.context
    assert Applicant.objects.count() == before


def test_import_restores_the_leading_zero_excel_drops_from_a_phone(people, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    row = list(GOOD)
    row[5] = 912345678  # typed as a number: Excel keeps 912345678
    response = client_for(people["staff"]).post(reverse("applicants:import"), {"file": _xlsx([row])})
    assert response.context["result"].ok and response.context["preview"][0].phone == "0912345678"


def test_import_preview_then_confirm(people, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    second = list(GOOD)
    second[1], second[5] = "HTX Mây tre Phú Hòa", "0912000999"
    second[0] = "cooperative"
    client = client_for(people["staff"])
    response = client.post(reverse("applicants:import"), {"file": _xlsx([GOOD, second])})
    token = response.context["token"]
    assert not Applicant.objects.filter(name="Hộ Nguyễn Văn A").exists()
    response = client.post(reverse("applicants:import"), {"token": token})
    assert response.status_code == 302
    created = Applicant.objects.get(name="HTX Mây tre Phú Hòa")
    assert created.kind == "cooperative" and created.entered_by_staff and created.search_text
    # the same token cannot be used twice
    client.post(reverse("applicants:import"), {"token": token})
    assert Applicant.objects.filter(name="HTX Mây tre Phú Hòa").count() == 1


def test_import_refuses_legacy_encoding(people, client_for):
    rows = [
        [
            "Hộ kinh doanh",
            "Hé kinh doanh m©y tre ®an",
            "",
            "",
            "NguyÔn V¨n A",
            "0912345678",
            "",
            "x· Tiªn L÷",
            "11953",
            "",
            "",
            "",
            "",
            "",
        ]
    ]
    response = client_for(people["staff"]).post(reverse("applicants:import"), {"file": _xlsx(rows)})
    assert "TCVN3" in response.content.decode()


def test_import_template_downloads(people, client_for):
    response = client_for(people["staff"]).get(reverse("applicants:import_template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == HEADERS


# --- public lookup -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _lookup(client, code, secret, **extra):
    return client.post(reverse("applicants:lookup"), {"code": code, "secret": secret}, **extra)


def test_lookup_with_tax_code_or_phone_shows_status_and_steps(client, own):
    applicant, request = own
    request.events.create(from_status="draft", to_status="submitted")
    for secret in [applicant.tax_code, applicant.phone]:
        response = _lookup(client, request.code.lower(), secret)
        assert response.context["found"] == request
        html = response.content.decode()
        assert "Đã gửi" in html and applicant.name not in html and str(request.estimated_cost) not in html


def test_lookup_keeps_the_tax_code_out_of_addresses(client, own):
    """A GET with the secret in the query string (which access logs keep) looks nothing up."""
    applicant, request = own
    response = client.get(reverse("applicants:lookup"), {"code": request.code, "secret": applicant.tax_code})
    assert response.status_code == 200 and "found" not in response.context
    html = response.content.decode()
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html


def test_lookup_needs_the_csrf_token(own):
    from django.test import Client

    applicant, request = own
    response = _lookup(Client(enforce_csrf_checks=True), request.code, applicant.tax_code)
    assert response.status_code == 403


def test_lookup_right_code_wrong_tax_code_reveals_nothing(client, own, other):
    applicant, request = own
    response = _lookup(client, request.code, other[0].tax_code)
    assert response.context["found"] is None and response.context["not_found"]
    assert request.code not in response.content.decode().split("value=")[0]
    draft = SupportRequestFactory(applicant=applicant, status="draft", code=None)
    assert draft.code is None


def test_lookup_is_rate_limited(client, own):
    applicant, request = own
    for _i in range(10):
        assert _lookup(client, "YC-2026-000000", "x").status_code == 200
    response = _lookup(client, request.code, applicant.tax_code)
    assert response.status_code == 429 and "found" not in response.context
    other_ip = _lookup(client, request.code, applicant.tax_code, REMOTE_ADDR="10.0.0.9")
    assert other_ip.context["found"] == request


def test_lookup_limit_counts_each_visitor_behind_the_proxy(client, own, settings):
    """Behind nginx every request comes from 127.0.0.1: the limit must count the visitor the proxy
    saw, or ten lookups anywhere would lock out the whole province."""
    settings.TRUSTED_PROXY_COUNT = 1
    applicant, request = own
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _i in range(10):
        _lookup(client, "YC-2026-000000", "x", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert (
        _lookup(client, "YC-2026-000000", "x", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    )
    # a forged left-most entry does not give the same visitor a fresh allowance
    forged = _lookup(client, request.code, "x", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", **proxy)
    assert forged.status_code == 429
    # another visitor through the same proxy is not locked out
    response = _lookup(client, request.code, applicant.tax_code, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert response.status_code == 200 and response.context["found"] == request


# --- requests through the pages ----------------------------------------------------------------


def test_request_form_shows_ceiling_and_refuses_above_it(people, client_for, own):
    from programmes.models import ActivityVariant

    applicant = own[0]
    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")
    client = client_for(people["applicant"])
    partial = client.get(
        reverse("applicants:request_create", args=[applicant.pk]),
        {"activity": variant.activity.pk, "variant": variant.pk, "estimated_cost": "700.000.000"},
        HTTP_HX_REQUEST="true",
    )
    html = partial.content.decode()
    assert "300.000.000 đ" in html and "TT 28/2018/TT-BTC" in html
    data = {
        "year": 2026,
        "activity": variant.activity.pk,
        "variant": variant.pk,
        "title": "Máy",
        "description": "Máy",
        "estimated_cost": "700.000.000",
        "counterpart": "100.000.000",
        "submit": "1",
    }
    response = client.post(reverse("applicants:request_create", args=[applicant.pk]), data)
    assert response.status_code == 200 and "vượt mức tối đa" in response.content.decode()
    data["counterpart"] = "400.000.000"
    response = client.post(reverse("applicants:request_create", args=[applicant.pk]), data)
    assert response.status_code == 302
    assert SupportRequest.objects.filter(
        applicant=applicant, requested_support=300_000_000, status="submitted"
    ).exists()


def test_staff_entered_request_is_marked(people, client_for):
    from programmes.models import ActivityType

    applicant = ApplicantFactory(owner=None, entered_by_staff=True)
    data = {
        "year": 2026,
        "activity": ActivityType.objects.get(code="5b").pk,
        "title": "Tham gia cuộc thi",
        "description": "x",
        "estimated_cost": "10.000.000",
        "counterpart": "0",
        "submit": "1",
    }
    client_for(people["staff"]).post(reverse("applicants:request_create", args=[applicant.pk]), data)
    request = SupportRequest.objects.get(applicant=applicant)
    assert request.entered_by_staff and request.created_by == people["staff"] and request.code


def test_staff_entry_page_hands_over_an_account(people, client_for):
    data = {k: v for k, v in _registration().items() if k not in ("password1", "password2", "consent")}
    data.update(name="Hộ bà Lan (hồ sơ giấy)", phone="0988777666", create_account="on", paper_consent="on")
    for role in ["unit_reporter", "applicant", "observer"]:
        assert client_for(people[role]).post(reverse("applicants:staff_entry"), data).status_code == 403
    response = client_for(people["staff"]).post(reverse("applicants:staff_entry"), data)
    password = response.context["result"].password
    assert password and password in response.content.decode()
    applicant = Applicant.objects.get(name="Hộ bà Lan (hồ sơ giấy)")
    assert applicant.entered_by_staff and applicant.is_verified and applicant.owner.check_password(password)


# --- member accounts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "which,expected",
    [
        ("own", [200, 200, 403, 200, 403, "login"]),
        ("other", [200, 200, 403, 404, 403, "login"]),
    ],
)
def test_member_page_for_every_role(people, client_for, own, other, which, expected):
    applicant = (own if which == "own" else other)[0]
    for role, answer in zip(ROLES, expected, strict=True):
        response = client_for(people[role]).get(reverse("applicants:members", args=[applicant.pk]))
        assert _status(response) == answer, (which, role)
        post = client_for(people[role]).post(
            reverse("applicants:members", args=[applicant.pk]), {"contact": "0987654321", "full_name": "X"}
        )
        # staff create the account (its one-time password shown); the owner's invitation redirects
        # (issue 10 item 2); the other roles are refused before the service
        assert _status(post) == (302 if (role, answer) == ("applicant", 200) else answer), (which, role)
    assert applicant.members.filter(phone="0987654321").exists()


def test_owner_invites_an_existing_account_by_phone_and_it_sees_the_profile_once_accepted(
    people, client_for, own
):
    """Issue 10 item 2: the owner invites; the colleague accepts from its own account."""
    from tests.factories import UserFactory

    applicant, request = own
    colleague = UserFactory(phone="0977111222", email="ketoan@example.test")
    response = client_for(people["applicant"]).post(
        reverse("applicants:members", args=[applicant.pk]), {"contact": "0977 111 222"}
    )
    assert response.status_code == 302
    assert not applicant.members.filter(pk=colleague.pk).exists()
    assert colleague.notifications.filter(event="applicant_member_added").exists()
    client = client_for(colleague)
    invitation = client.get(reverse("applicants:invitations")).context["invitations"][0]
    client.post(reverse("applicants:invitation_answer", args=[invitation.pk]), {"answer": "accept"})
    assert applicant.members.filter(pk=colleague.pk).exists()
    page = client_for(colleague).get(reverse("applicants:request_detail", args=[request.pk]))
    assert page.status_code == 200
    # a plain member may not add others: the page answers 404
    assert client_for(colleague).get(reverse("applicants:members", args=[applicant.pk])).status_code == 404


def test_staff_create_a_member_account_with_a_one_time_password(people, client_for, own):
    from accounts.models import User

    applicant, _request = own
    url = reverse("applicants:members", args=[applicant.pk])
    missing_name = client_for(people["staff"]).post(url, {"contact": "0966000111"})
    assert "hãy nhập họ và tên" in missing_name.content.decode()
    assert not User.objects.filter(phone="0966000111").exists()
    bad = client_for(people["staff"]).post(url, {"contact": "12345", "full_name": "Lê Thị B"})
    assert "Số điện thoại không hợp lệ" in bad.content.decode() and applicant.members.count() == 1
    response = client_for(people["staff"]).post(url, {"contact": "0966000111", "full_name": "Lê Thị B"})
    password = response.context["added"].password
    assert password and password in response.content.decode()
    user = User.objects.get(phone="0966000111")
    assert user.check_password(password) and user.must_change_password and user.full_name == "Lê Thị B"
    # read out over the phone: no 0/O, 1/l/i, - or _
    assert re.fullmatch(r"[a-hjkmnp-z2-9]{10}", password), password
    assert applicant.members.filter(pk=user.pk).exists()
    again = client_for(people["staff"]).post(url, {"contact": "0966000111"})
    assert "đã là thành viên" in again.content.decode()


def test_owner_removes_a_member_but_not_itself(people, client_for, own, other):
    from tests.factories import UserFactory

    applicant, _request = own
    colleague = UserFactory(roles=["applicant"])
    applicant.members.add(colleague)
    url = reverse("applicants:member_remove", args=[applicant.pk])
    client_for(people["applicant"]).post(url, {"user": people["applicant"].pk})
    assert applicant.members.filter(pk=people["applicant"].pk).exists()
    # the other applicant's owner cannot touch this one
    stranger = other[0].owner
    assert client_for(stranger).post(url, {"user": colleague.pk}).status_code == 404
    assert client_for(people["applicant"]).get(url).status_code == 405
    client_for(people["applicant"]).post(url, {"user": colleague.pk})
    assert not applicant.members.filter(pk=colleague.pk).exists()


def test_selects_prompt_in_vietnamese(people, client_for, own):
    html = client_for(None).get(reverse("applicants:register")).content.decode()
    # the commune is a searchable input (its datalist has no empty choice): its prompt is Vietnamese
    assert (
        "— Chọn loại hình —" in html and 'placeholder="Gõ tên xã, phường' in html and "---------" not in html
    )
    form = client_for(people["applicant"]).get(reverse("applicants:request_create", args=[own[0].pk]))
    assert "— Chọn hoạt động —" in form.content.decode() and "---------" not in form.content.decode()


def test_staff_see_the_possible_duplicates_of_a_flagged_profile(people, client_for):
    first = ApplicantFactory(name="Hộ kinh doanh Đỗ Văn Đức", commune=commune("11953"))
    second = ApplicantFactory(
        name="HỘ KINH DOANH ĐỖ VĂN ĐỨC", commune=commune("11953"), possible_duplicate=True
    )
    ApplicantFactory(name="Hộ kinh doanh Đỗ Văn Đức", commune=commune("12364"))
    url = reverse("applicants:detail", args=[second.pk])
    assert client_for(people["staff"]).get(url).context["duplicates"] == [first]
    official = client_for(people["unit_reporter"]).get(url)
    assert (
        official.context["duplicates"] == [] and 'data-testid="duplicates"' not in official.content.decode()
    )


def test_bad_numbers_get_plain_vietnamese_messages_and_save_nothing(people, client_for, own):
    from programmes.models import ActivityVariant

    applicant = own[0]
    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")
    data = {
        "year": 2026,
        "activity": variant.activity.pk,
        "variant": variant.pk,
        "title": "Máy",
        "description": "Máy",
        "estimated_cost": "700.000.000",
        "counterpart": "400.000.000",
        "submit": "1",
    }
    expected = {
        ("estimated_cost", "bảy trăm triệu"): "Nhập số tiền bằng chữ số, ví dụ 600.000.000.",
        ("estimated_cost", "9223372036854775807"): "Số tiền quá lớn.",
        ("counterpart", "-5"): "Số tiền không được âm.",
        ("year", "2.026"): "Nhập năm bằng 4 chữ số, ví dụ 2026.",
    }
    before = SupportRequest.objects.count()
    client = client_for(people["applicant"])
    for (field, value), message in expected.items():
        response = client.post(
            reverse("applicants:request_create", args=[applicant.pk]), {**data, field: value}
        )
        assert response.context["form"].errors[field] == [message], field
    assert SupportRequest.objects.count() == before


def test_a_member_can_leave_but_the_owner_cannot(people, client_for, own, other):
    from tests.factories import UserFactory

    applicant, request = own
    member = UserFactory(roles=["applicant"])
    applicant.members.add(member)
    client = client_for(member)
    assert 'data-testid="leave"' in client.get(reverse("applicants:my_profile")).content.decode()
    # leaving someone else's applicant is not possible: 404
    assert client.post(reverse("applicants:member_leave", args=[other[0].pk])).status_code == 404
    client.post(reverse("applicants:member_leave", args=[applicant.pk]))
    assert not applicant.members.filter(pk=member.pk).exists()
    assert client.get(reverse("applicants:request_detail", args=[request.pk])).status_code == 404
    owner = client_for(people["applicant"])
    assert 'data-testid="leave"' not in owner.get(reverse("applicants:my_profile")).content.decode()
    owner.post(reverse("applicants:member_leave", args=[applicant.pk]))
    assert applicant.members.filter(pk=people["applicant"].pk).exists()


# --- optimistic locking: an edit without its version, or on an old one, is refused ------------


def _profile_post(applicant, **changes):
    data = {k: v for k, v in _registration().items() if k not in ("password1", "password2", "consent")}
    data.update(
        kind=applicant.kind,
        name=applicant.name,
        tax_code=applicant.tax_code or "",
        representative=applicant.representative,
        phone=applicant.phone,
        commune=applicant.commune.full_name,
        address="Số 9, thôn Tây",
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_profile_edit_without_its_version_is_refused_and_changes_nothing(people, client_for, own, version):
    applicant = own[0]
    response = client_for(people["staff"]).post(
        reverse("applicants:edit", args=[applicant.pk]), _profile_post(applicant, version=version)
    )
    assert response.status_code == 200
    assert "vừa được người khác cập nhật" in response.context["form"].non_field_errors()[0]
    assert 'data-testid="form-errors"' in response.content.decode()
    before = (applicant.address, applicant.version)
    applicant.refresh_from_db()
    assert (applicant.address, applicant.version) == before


def test_a_stale_profile_edit_is_refused_and_keeps_the_other_change(people, client_for, own):
    applicant = own[0]
    opened = applicant.version
    client = client_for(people["staff"])
    first = client.post(
        reverse("applicants:edit", args=[applicant.pk]),
        _profile_post(applicant, version=opened, sector="Gốm"),
    )
    assert first.status_code == 302
    second = client.post(
        reverse("applicants:edit", args=[applicant.pk]),
        _profile_post(applicant, version=opened, sector="Dệt", address="Khác"),
    )
    assert second.status_code == 200
    assert "vừa được người khác cập nhật" in second.context["form"].non_field_errors()[0]
    applicant.refresh_from_db()
    assert (applicant.sector, applicant.address, applicant.version) == ("Gốm", "Số 9, thôn Tây", opened + 1)


def _request_post(support_request, **changes):
    data = {
        "year": support_request.year,
        "activity": support_request.activity_id,
        "variant": support_request.variant_id or "",
        "title": "Tên mới",
        "description": support_request.description,
        "estimated_cost": str(support_request.estimated_cost),
        "counterpart": str(support_request.counterpart),
        "draft": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("version", [None, ""])
def test_a_request_edit_without_its_version_is_refused_and_changes_nothing(people, client_for, own, version):
    support_request = own[1]
    SupportRequest.objects.filter(pk=support_request.pk).update(status="returned")
    response = client_for(people["applicant"]).post(
        reverse("applicants:request_edit", args=[support_request.pk]),
        _request_post(support_request, version=version),
    )
    assert response.status_code == 200
    assert "vừa được người khác cập nhật" in response.context["form"].non_field_errors()[0]
    support_request.refresh_from_db()
    assert support_request.title != "Tên mới" and support_request.version == 1


def test_a_stale_request_edit_is_refused(people, client_for, own):
    support_request = own[1]
    SupportRequest.objects.filter(pk=support_request.pk).update(status="returned", version=2)
    response = client_for(people["applicant"]).post(
        reverse("applicants:request_edit", args=[support_request.pk]),
        _request_post(support_request, version=1),
    )
    assert response.status_code == 200
    assert "vừa được người khác cập nhật" in response.context["form"].non_field_errors()[0]
    support_request.refresh_from_db()
    assert support_request.version == 2
    ok = client_for(people["applicant"]).post(
        reverse("applicants:request_edit", args=[support_request.pk]),
        _request_post(support_request, version=2),
    )
    assert ok.status_code == 302
    support_request.refresh_from_db()
    assert (support_request.title, support_request.version) == ("Tên mới", 3)


# --- triage buttons read the table ------------------------------------------------------------


def test_triage_buttons_are_the_steps_staff_may_take(people, client_for, own):
    from applicants.workflow import TRIAGE

    support_request = own[1]
    url = reverse("applicants:request_detail", args=[support_request.pk])
    html = client_for(people["staff"]).get(url).content.decode()
    buttons = re.findall(r'<button class="btn btn-(\w+)" name="action" value="(\w+)">([^<]+)</button>', html)
    assert buttons == [(s.button, s.key, str(s.label)) for s in TRIAGE.steps]
    assert [key for _css, key, _label in buttons] == ["accept", "return", "decline"]
    assert 'data-testid="triage-form"' not in client_for(people["applicant"]).get(url).content.decode()
    SupportRequest.objects.filter(pk=support_request.pk).update(status="accepted")
    assert 'data-testid="triage-form"' not in client_for(people["staff"]).get(url).content.decode()


# --- pending invitations on the profile and the members page (issue 10, item 2) ---------------


def _invite(applicant, contact, status="pending"):
    from applicants.models import MemberInvitation

    return MemberInvitation.objects.create(
        applicant=applicant, contact=contact, invited_by=applicant.owner, status=status
    )


def _answer_forms(html):
    return sorted(int(pk) for pk in re.findall(r'action="/co-so/loi-moi/(\d+)/"', html))


@pytest.fixture
def invited(people, own, other):
    """A pending invitation naming each signed-in person (by phone or email, from the other
    applicant), and some that name nobody here or are no longer pending."""
    mine = {}
    for number, role in enumerate(r for r in ROLES if people[r] is not None):
        user = people[role]
        mine[role] = _invite(other[0], user.phone if number % 2 else user.email)
    _invite(own[0], "0988000111")
    _invite(other[0], people["applicant"].phone, status="declined")
    _invite(own[0], people["observer"].email, status="cancelled")
    return mine


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_only_its_own_pending_invitations(people, client_for, invited, role):
    client = client_for(people[role])
    page = client.get(reverse("applicants:invitations"))
    if people[role] is None:
        assert _status(page) == "login"
        assert _status(client.get(reverse("applicants:my_profile"))) == "login"
        return
    assert list(page.context["invitations"]) == [invited[role]]
    assert _answer_forms(page.content.decode()) == [invited[role].pk]
    profile = client.get(reverse("applicants:my_profile"))
    if role != "applicant":
        assert profile.status_code == 403
        return
    html = profile.content.decode()
    assert 'data-testid="invitations"' in html and _answer_forms(html) == [invited[role].pk]
    assert invited[role].applicant.name in html
    assert 'value="accept"' in html and 'value="decline"' in html


def test_an_invitation_answered_from_the_profile_comes_back_to_the_profile(
    people, client_for, invited, other
):
    client = client_for(people["applicant"])
    invitation = invited["applicant"]
    url = reverse("applicants:invitation_answer", args=[invitation.pk])
    declined = client.post(url, {"answer": "decline", "back": "profile"})
    assert declined.status_code == 302 and declined["Location"] == reverse("applicants:my_profile")
    invitation.refresh_from_db()
    assert invitation.status == "declined" and not other[0].members.filter(pk=people["applicant"].pk).exists()
    again = _invite(other[0], people["applicant"].email)
    accepted = client.post(reverse("applicants:invitation_answer", args=[again.pk]), {"answer": "accept"})
    assert accepted["Location"] == reverse("applicants:my_profile")
    assert other[0].members.filter(pk=people["applicant"].pk).exists()
    # from the invitations page (no "back"), a decline stays there; a stranger's "back" is ignored
    third = _invite(other[0], people["applicant"].phone)
    odd = client.post(
        reverse("applicants:invitation_answer", args=[third.pk]),
        {"answer": "decline", "back": "//evil.example"},
    )
    assert odd["Location"] == reverse("applicants:invitations")
    # someone else's invitation cannot be answered at all
    stranger = invited["leader"]
    refused = client.post(reverse("applicants:invitation_answer", args=[stranger.pk]), {"answer": "decline"})
    assert refused.status_code == 404
    stranger.refresh_from_db()
    assert stranger.status == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_the_members_page_lists_only_this_applicants_pending_invitations(
    people, client_for, own, other, invited, role
):
    applicant = own[0]
    pending_here = list(applicant.invitations.filter(status="pending"))
    response = client_for(people[role]).get(reverse("applicants:members", args=[applicant.pk]))
    if role not in ("staff", "leader", "applicant"):
        assert _status(response) in (403, "login")
        return
    assert list(response.context["invitations"]) == pending_here
    html = response.content.decode()
    (section,) = re.findall(r'data-testid="pending-invitations">(.*?)</ul>', html, re.S)
    assert "0988000111" in section
    assert people["observer"].email not in section  # cancelled
    assert all(i.contact not in section for i in invited.values())  # the other applicant's
    cancels = re.findall(r'name="invitation" value="(\d+)"', section)
    assert cancels == [str(i.pk) for i in pending_here]


def test_only_the_owner_cancels_and_only_its_own_invitations(people, client_for, own, other, invited):
    applicant = own[0]
    here = applicant.invitations.get(status="pending")
    elsewhere = invited["staff"]  # the other applicant's
    url = reverse("applicants:invitation_cancel", args=[applicant.pk])
    stranger = other[0].owner
    assert client_for(stranger).post(url, {"invitation": here.pk}).status_code == 404
    client_for(people["applicant"]).post(url, {"invitation": elsewhere.pk})
    elsewhere.refresh_from_db()
    here.refresh_from_db()
    assert elsewhere.status == "pending" and here.status == "pending"
    response = client_for(people["applicant"]).post(url, {"invitation": here.pk})
    assert response["Location"] == reverse("applicants:members", args=[applicant.pk])
    here.refresh_from_db()
    assert here.status == "cancelled"
    assert (
        "0988000111"
        not in client_for(people["applicant"])
        .get(reverse("applicants:members", args=[applicant.pk]))
        .content.decode()
    )


@pytest.mark.parametrize("n", [1, 6])
def test_the_profile_with_invitations_issues_constant_queries(
    people, client_for, own, django_assert_num_queries, n
):
    user = people["applicant"]
    for _i in range(n):
        _invite(ApplicantFactory(commune=commune("12364")), user.phone)
    client = client_for(user)
    client.get(reverse("applicants:my_profile"))
    with django_assert_num_queries(9):
        response = client.get(reverse("applicants:my_profile"))
    assert len(_answer_forms(response.content.decode())) == n
