import datetime
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from core.spreadsheets import (
    detect_legacy_encoding,
    drop_stash,
    export_xlsx,
    load_stash,
    neutralise,
    read_table,
    run_import,
    stash_rows,
    xlsx_response,
)
from programmes.models import Collaborator
from tests.factories import UserFactory, commune


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+84912", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_neutralise_makes_formulas_inert(text):
    assert neutralise(text) == "'" + text


def test_neutralise_keeps_plain_text_and_numbers():
    assert neutralise("Nghệ nhân") == "Nghệ nhân"
    assert neutralise(-5) == -5


def test_export_types_and_neutralises():
    data = export_xlsx(
        ["Tên", "Số tiền", "Ngày", "Lúc", "Có"],
        [
            ["=cmd|' /C calc'!A0", 1_500_000, datetime.date(2026, 3, 9), None, True],
            [
                "Hộ Đức",
                -3,
                None,
                datetime.datetime(2026, 3, 9, 1, 0, tzinfo=datetime.UTC),
                False,
            ],
        ],
        sheet_title="Cơ sở",
    )
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "Cơ sở"
    assert [c.value for c in ws[1]] == ["Tên", "Số tiền", "Ngày", "Lúc", "Có"]
    assert ws["A2"].value == "'=cmd|' /C calc'!A0" and ws["A2"].data_type == "s"
    assert ws["B2"].value == 1_500_000 and ws["B3"].value == -3
    assert ws["C2"].value == datetime.datetime(2026, 3, 9) and ws["C2"].number_format == "DD/MM/YYYY"
    # aware datetimes are written in Asia/Ho_Chi_Minh
    assert ws["D3"].value == datetime.datetime(2026, 3, 9, 8, 0)
    assert ws["E2"].value == "Có" and ws["E3"].value == "Không"


def test_export_groups_money_but_not_years_or_row_numbers():
    data = export_xlsx(
        ["STT", "Năm", "Năm thành lập", "Doanh thu năm (đồng)", "Mã"],
        [[1200, 2026, 2015, 1_500_000, 10001]],
        plain=["Mã"],
    )
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[2]] == [1200, 2026, 2015, 1_500_000, 10001]
    assert ws["D2"].number_format == "#,##0"
    assert [ws[f"{col}2"].number_format for col in "ABCE"] == ["General"] * 4


def test_xlsx_response_headers():
    response = xlsx_response("co-so.xlsx", ["a"], [[1]])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="co-so.xlsx"' in response["Content-Disposition"]


# --- reading -----------------------------------------------------------------------------------


def test_read_xlsx_rows_are_nfc_text_with_line_numbers():
    decomposed = unicodedata.normalize("NFD", "Nghệ nhân Đức")
    data = _xlsx(
        [
            ["Tên", "Năm", "Ngày"],
            [decomposed, 2020, datetime.datetime(2026, 3, 9)],
            [None, None, None],
            ["  Hộ   Lan ", 2021.0, None],
        ]
    )
    table = read_table(data)
    assert table.headers == ["Tên", "Năm", "Ngày"]
    assert table.rows == [
        (2, {"Tên": "Nghệ nhân Đức", "Năm": "2020", "Ngày": "09/03/2026"}),
        (4, {"Tên": "Hộ Lan", "Năm": "2021", "Ngày": ""}),
    ]
    assert unicodedata.is_normalized("NFC", table.rows[0][1]["Tên"])


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_read_csv_utf8_with_or_without_bom(bom):
    data = bom + "Tên;Xã\nHộ Đức;Phố Hiến\n".encode()
    table = read_table(data, filename="a.csv")
    assert table.headers == ["Tên", "Xã"]
    assert table.rows == [(2, {"Tên": "Hộ Đức", "Xã": "Phố Hiến"})]


def test_csv_not_utf8_is_refused():
    with pytest.raises(ValidationError) as err:
        read_table("Tên\nCafé crème\n".encode("cp1252"), filename="a.csv")
    assert "UTF-8" in err.value.messages[0]


TCVN3_TEXT = "Hé kinh doanh m©y tre ®an, x· Tiªn L÷, tØnh H­ng Yªn, ViÖt Nam"
VNI_TEXT = "Hoä kinh doanh maây tre ñan, xaõ Tieân Löõ, tænh Höng Yeân, Vieät Nam"


def test_detect_legacy_encodings():
    assert detect_legacy_encoding(TCVN3_TEXT) == "TCVN3"
    assert detect_legacy_encoding(VNI_TEXT) == "VNI"
    for fine in ["Hộ kinh doanh mây tre đan, xã Tiên Lữ, tỉnh Hưng Yên", "Café, Hoà, Thuý", "", "abc"]:
        assert detect_legacy_encoding(fine) is None


def test_xlsx_in_tcvn3_is_refused_naming_it():
    data = _xlsx([["Tên", "Địa chỉ"], [TCVN3_TEXT, "x· Tiªn L÷"]])
    with pytest.raises(ValidationError) as err:
        read_table(data)
    assert "TCVN3" in err.value.messages[0]


def test_csv_in_vni_is_refused_naming_it():
    with pytest.raises(ValidationError) as err:
        read_table(("Ten\n" + VNI_TEXT + "\n").encode("cp1252"), filename="x.csv")
    assert "VNI" in err.value.messages[0]
    with pytest.raises(ValidationError) as err:
        read_table(("Ten\n" + VNI_TEXT + "\n").encode("utf-8"), filename="x.csv")
    assert "VNI" in err.value.messages[0]


def test_empty_and_broken_files():
    with pytest.raises(ValidationError):
        read_table(b"")
    with pytest.raises(ValidationError):
        read_table(b"PK\x03\x04broken")


# --- all-or-nothing import ---------------------------------------------------------------------


def _build(data, line):
    if not data["Tên"]:
        raise ValidationError("Thiếu họ tên.")
    item = Collaborator(full_name=data["Tên"], commune=commune(), appointed_on=datetime.date(2026, 1, 1))
    item.full_clean()
    return item


@pytest.mark.django_db
def test_import_with_a_bad_row_writes_nothing_and_reports_every_bad_line():
    before = Collaborator.objects.count()
    rows = [(2, {"Tên": "A"}), (3, {"Tên": ""}), (4, {"Tên": "B"}), (5, {"Tên": ""})]
    result = run_import(rows, _build)
    assert not result.ok and not result.saved
    assert [e.line for e in result.errors] == [3, 5]
    assert str(result.errors[0]) == "Dòng 3: Thiếu họ tên."
    assert Collaborator.objects.count() == before


@pytest.mark.django_db
def test_import_good_rows_preview_then_save():
    before = Collaborator.objects.count()
    rows = [(2, {"Tên": "A"}), (3, {"Tên": "B"})]
    preview = run_import(rows, _build, dry_run=True)
    assert preview.ok and not preview.saved and len(preview.instances) == 2
    assert Collaborator.objects.count() == before
    result = run_import(rows, _build)
    assert result.saved and Collaborator.objects.count() == before + 2


@pytest.mark.django_db
def test_import_database_error_rolls_back_everything():
    before = Collaborator.objects.count()

    def save(instances):
        from django.db import IntegrityError

        instances[0].save()
        raise IntegrityError("duplicate")

    result = run_import([(2, {"Tên": "A"})], _build, save=save)
    assert not result.ok and Collaborator.objects.count() == before


@pytest.mark.django_db
def test_stash_round_trip_is_bound_to_user_and_kind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner, other = UserFactory(), UserFactory()
    table = read_table(_xlsx([["Tên"], ["Hộ Đức"]]))
    token = stash_rows(table, user=owner, kind="applicants")
    assert load_stash(token, user=owner, kind="applicants").rows == [(2, {"Tên": "Hộ Đức"})]
    for user, kind, tok in [
        (other, "applicants", token),
        (owner, "projects", token),
        (owner, "applicants", "../x"),
    ]:
        with pytest.raises(ValidationError):
            load_stash(tok, user=user, kind=kind)
    drop_stash(token)
    with pytest.raises(ValidationError):
        load_stash(token, user=owner, kind="applicants")
