"""The project list's rows, built in Python (issue 14): what the template's loop showed, escaped."""

from types import SimpleNamespace

from projects.list_rows import row_html, rows_html


def _project(**changes):
    values = {
        "code": "KCĐP-2026-001",
        "url": "/de-an/7/",
        "title": "Máy dệt <script>alert(1)</script> & chổi",
        "year": 2026,
        "activity": SimpleNamespace(code="2b"),
        "variant": SimpleNamespace(key="default", label="Mặc định"),
        "lead_fund_id": 1,
        "lead_fund": SimpleNamespace(short_name="KCĐP"),
        "status": "in_progress",
        "status_badge": "primary",
        "status_label": "Đang thực hiện",
        "people": "Hợp tác xã A; Hộ B",
        "total_text": "1.200.000 đ",
        "support_text": "600.000 đ",
        "ceiling_flag": True,
        "ceiling_note": 'Thiếu "mức trần" tỉnh',
        "late": True,
        "settlement_overdue": True,
    }
    return SimpleNamespace(**(values | changes))


def test_a_row_escapes_what_users_typed_and_shows_the_columns():
    html = row_html(_project(), show_flags=True, can_create=True)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; chổi" in html
    assert 'title="Thiếu &quot;mức trần&quot; tỉnh"' in html
    assert html.count('href="/de-an/7/"') == 2 and html.count(">KCĐP-2026-001</a>") == 2
    assert 'data-status="in_progress">Đang thực hiện</span>' in html and "text-bg-primary" in html
    assert (
        "Hợp tác xã A; Hộ B" in html
        and "1.200.000 đ" in html
        and '<td class="text-end text-nowrap" data-support>600.000 đ' in html
    )
    assert html.count("<td") == 9
    # the default variant is not named; another is, escaped
    assert "Mặc định" not in html
    other = row_html(
        _project(variant=SimpleNamespace(key="x", label="Quy mô <lớn>")), show_flags=False, can_create=False
    )
    assert '2b <span class="small text-muted">(Quy mô &lt;lớn&gt;)</span>' in other


def test_the_internal_flags_only_for_staff_and_leaders():
    staff = row_html(_project(), show_flags=True, can_create=True)
    assert 'data-flag="ceiling"' in staff and 'data-flag="late"' in staff
    assert 'data-testid="settlement-overdue"' in staff
    other = row_html(_project(), show_flags=False, can_create=False)
    assert "data-flag" not in other and "settlement-overdue" not in other
    quiet = row_html(
        _project(ceiling_flag=False, late=False, settlement_overdue=False), show_flags=True, can_create=True
    )
    assert "badge text-bg-warning" not in quiet and "text-bg-danger" not in quiet


def test_rows_without_a_lead_fund_or_variant_and_several_rows():
    html = rows_html(
        [_project(lead_fund_id=None, lead_fund=None, variant=None), _project(code="B")],
        show_flags=False,
        can_create=False,
    )
    assert html.count("<tr") == 2 and 'data-project="B"' in html
    assert '<td class="d-none d-lg-table-cell"></td>' in html
