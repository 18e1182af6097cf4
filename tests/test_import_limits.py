"""Issue 10, items 1 and 6: an upload cannot make an import build more than it may read, and CSV
is read with the standard dialect whatever lies beyond the first 4 KB.

The bomb files are made here: a workbook written by openpyxl whose sheet XML is then edited to
declare the dimension A1:XFD1048576 (and, for the second kind, to hold many empty rows each with a
styled empty cell in the last column XFD)."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.worksheet import _read_only

from accounts.roles import Role
from core.spreadsheets import MAX_COLUMNS, read_table
from programmes.resources import CSV, XLSX
from tests.factories import UserFactory

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _edit_sheet(data, edit):
    """The workbook `data` with its first sheet's XML passed through `edit`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == SHEET:
                content = edit(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def dimension_bomb(far_row):
    """A header, one data row, and one cell at row `far_row`; the sheet declares A1:XFD1048576."""
    data = _workbook([["Tên", "Mã số thuế"], ["Hộ Đức", "0101234567"]])
    far = f'<row r="{far_row}"><c r="A{far_row}" t="inlineStr"><is><t>x</t></is></c></row>'
    return _edit_sheet(
        data,
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml).replace(
            "</sheetData>", far + "</sheetData>"
        ),
    )


def empty_rows_bomb(count):
    """A header then `count` rows that hold nothing but a styled empty cell in column XFD."""
    data = _workbook([["Tên", "Mã số thuế"]])
    rows = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(2, count + 2))
    return _edit_sheet(
        data,
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml).replace(
            "</sheetData>", rows + "</sheetData>"
        ),
    )


@pytest.fixture
def rows_built(monkeypatch):
    """Counts, independently of the reader, the rows openpyxl builds and the widest of them."""
    seen = {"rows": 0, "widest": 0}
    original = _read_only.ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            seen["rows"] += 1
            seen["widest"] = max(seen["widest"], len(row))
            yield row

    monkeypatch.setattr(_read_only.ReadOnlyWorksheet, "_cells_by_row", counting)
    return seen


# --- Item 1: the dimension bomb ------------------------------------------------------------------


@pytest.mark.parametrize("far_row", [2_000, 1_048_576])
def test_a_dimension_bomb_is_refused_after_reading_no_more_than_the_limit(rows_built, far_row):
    bomb = dimension_bomb(far_row)
    assert len(bomb) < 10_000  # a few KB on the wire
    with pytest.raises(ValidationError, match="quá nhiều dòng") as refused:
        read_table(bomb, max_rows=1_000)
    assert refused.value.code == "too_many_rows"
    # the header and 1,000 rows after it may be read; the row past them is where reading stops
    assert refused.value.params["rows_read"] == 1_002
    assert rows_built["rows"] <= 1_002
    # ...and no row is built wider than the header (here two columns), not 16,384
    assert rows_built["widest"] <= MAX_COLUMNS + 1


def test_the_default_limit_counts_rows_read_not_rows_kept(rows_built):
    """20,000 rows is the limit of every import: a million declared empty rows stop at 20,002."""
    with pytest.raises(ValidationError, match="tối đa 20000 dòng") as refused:
        read_table(dimension_bomb(1_048_576))
    assert refused.value.params["rows_read"] == 20_002
    assert rows_built["rows"] <= 20_002


def test_many_empty_rows_with_a_cell_in_the_last_column_are_refused(rows_built):
    with pytest.raises(ValidationError, match="quá nhiều dòng") as refused:
        read_table(empty_rows_bomb(3_000), max_rows=500)
    assert refused.value.params["rows_read"] == 502
    assert rows_built["rows"] <= 502
    assert rows_built["widest"] <= MAX_COLUMNS + 1  # the XFD cell is never reached


def test_a_declared_dimension_within_the_limit_reads_only_the_header_columns(rows_built):
    table = read_table(dimension_bomb(40), max_rows=100)
    assert table.headers == ["Tên", "Mã số thuế"]
    assert table.rows == [
        (2, {"Tên": "Hộ Đức", "Mã số thuế": "0101234567"}),
        (40, {"Tên": "x", "Mã số thuế": ""}),
    ]
    assert rows_built["widest"] <= MAX_COLUMNS + 1


def test_a_header_wider_than_any_template_is_refused():
    """300 named columns: refused. (A header cell beyond column 257 is never even read.)"""
    data = _workbook([[f"Cột {n}" for n in range(1, 301)], ["Hộ Đức"]])
    with pytest.raises(ValidationError, match="quá nhiều cột") as refused:
        read_table(data)
    assert refused.value.code == "too_many_columns"


def test_an_xlsx_that_inflates_beyond_the_limit_is_refused_before_it_is_parsed(rows_built):
    data = _edit_sheet(
        _workbook([["Tên"]]), lambda xml: xml.replace("</worksheet>", " " * (101 << 20) + "</worksheet>")
    )
    assert len(data) < 1 << 20  # a megabyte of spaces compresses to almost nothing
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        read_table(data)
    assert rows_built["rows"] == 0


# --- Item 1: the size limit, checked before anything is read -------------------------------------


class Unreadable:
    """An uploaded file that is 60 MB and fails the test if anything reads it."""

    name = "ca-tinh.csv"
    size = 60 * 1024 * 1024

    def seek(self, *args):
        raise AssertionError("the upload was touched")

    def read(self, *args):
        raise AssertionError("the upload was read")


def test_a_60_mb_csv_is_refused_before_it_is_read():
    with pytest.raises(ValidationError, match="Tệp quá lớn") as refused:
        read_table(Unreadable())
    assert refused.value.code == "too_large"
    assert "tối đa 10 MB" in refused.value.messages[0]


def test_a_file_object_without_a_size_is_read_no_further_than_the_limit(settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 1024
    stream = io.BytesIO(b"Ten\n" + b"x" * 5000)
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        read_table(stream, filename="a.csv")
    assert stream.tell() == 1025


@pytest.mark.django_db
def test_the_applicant_import_page_refuses_a_file_above_the_limit(client, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 1024
    client.force_login(UserFactory(roles=[Role.STAFF]))
    upload = SimpleUploadedFile("lon.csv", b"Ten\n" + b"Ho Duc\n" * 400, content_type="text/csv")
    response = client.post(reverse("applicants:import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Tệp quá lớn (tối đa 1 KB mỗi lần nhập)."]
    assert "token" not in response.context


def test_a_csv_longer_than_the_limit_is_refused_counting_blank_lines():
    data = ("Tên\n" + "\n" * 30 + "Hộ Đức\n").encode()
    with pytest.raises(ValidationError, match="quá nhiều dòng") as refused:
        read_table(data, filename="a.csv", max_rows=20)
    assert refused.value.params["rows_read"] == 22


# --- Item 1: the admin's import-export reads with the same limits --------------------------------


def test_the_admins_xlsx_reader_refuses_a_bomb(rows_built):
    with pytest.raises(ValidationError, match="quá nhiều dòng"):
        XLSX().create_dataset(dimension_bomb(1_048_576))
    assert rows_built["rows"] <= 20_002


def test_the_admins_xlsx_reader_keeps_typed_values_and_the_header_columns():
    dataset = XLSX().create_dataset(dimension_bomb(5))
    assert dataset.headers == ["Tên", "Mã số thuế"]
    assert [list(row) for row in dataset] == [
        ["Hộ Đức", "0101234567"],
        [None, None],
        [None, None],
        ["x", None],
    ]


def test_the_admins_csv_reader_refuses_a_file_above_the_limits(settings):
    with pytest.raises(ValidationError, match="quá nhiều dòng"):
        CSV().create_dataset("code,name\n" + "1,a\n" * 20_001)
    settings.IMPORT_MAX_UPLOAD_SIZE = 100
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        CSV().create_dataset("code,name\n" + "1,a\n" * 50)


# --- Item 6: CSV quoted fields beyond the first 4 KB ----------------------------------------------

HOA_SEN = 'Công ty TNHH "Hoa Sen", chi nhánh 2'


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_quoted_field_on_line_40_reads_back_exactly(delimiter):
    address = "Thôn Đông, xã Tiên Lữ, tỉnh Hưng Yên; " * 3
    lines = [delimiter.join(["Tên", "Địa chỉ", "Mã số thuế"])]
    for n in range(2, 40):
        lines.append(delimiter.join([f"Hộ kinh doanh số {n}", f'"{address}"', f"01012345{n:02d}"]))
    quoted = '"' + HOA_SEN.replace('"', '""') + '"'
    lines.append(delimiter.join([quoted, f'"{address}"', "0109999999"]))
    data = ("\n".join(lines) + "\n").encode()
    assert data.index(quoted.encode()) > 4096
    table = read_table(data, filename="co-so.csv")
    assert table.headers == ["Tên", "Địa chỉ", "Mã số thuế"]
    line, row = table.rows[-1]
    assert line == 40
    assert row == {"Tên": HOA_SEN, "Địa chỉ": address.strip(), "Mã số thuế": "0109999999"}


def test_the_delimiter_comes_from_the_header_line_alone():
    """Data full of semicolons does not turn a comma file into a semicolon one."""
    data = "Tên,Ghi chú\n" + "".join(f"Hộ {n},a;b;c;d;e\n" for n in range(50))
    table = read_table(data.encode(), filename="a.csv")
    assert table.headers == ["Tên", "Ghi chú"]
    assert table.rows[0] == (2, {"Tên": "Hộ 0", "Ghi chú": "a;b;c;d;e"})
