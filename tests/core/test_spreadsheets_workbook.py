import datetime
import io

from openpyxl import load_workbook

from core.spreadsheets import Sheet, build_workbook, workbook_response


def _report():
    return [
        Sheet(
            name="Đề án",
            title="Danh mục đề án khuyến công năm 2026",
            header_rows=[
                [("STT", 1, 2), ("Tên đề án", 1, 2), ("Kinh phí (đồng)", 3), ("Ngày phê duyệt", 1, 2)],
                [None, None, "KCQG", "KCĐP", "Đối ứng", None],
            ],
            rows=[
                [1, '=HYPERLINK("http://x")', 300_000_000, 0, 250_000_000, datetime.date(2026, 3, 2)],
                [2, "Hỗ trợ máy dệt", 1_500_000, 2_000, 0, None],
            ],
            money=(2, 3, 4),
        ),
        Sheet(
            name="Chỉ tiêu",
            header_rows=[["Mã", "Chỉ tiêu", "Đã đạt"]],
            rows=[["demo_models", "Mô hình", 2026]],
        ),
    ]


def _load(sheets):
    return load_workbook(io.BytesIO(build_workbook(sheets)))


def test_a_sheet_per_table_with_merged_grouped_headers():
    wb = _load(_report())
    assert wb.sheetnames == ["Đề án", "Chỉ tiêu"]
    ws = wb["Đề án"]
    assert ws["A1"].value == "Danh mục đề án khuyến công năm 2026" and ws["A1"].font.b
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {"A1:F1", "A3:A4", "B3:B4", "C3:E3", "F3:F4"}
    assert [ws.cell(row=3, column=c).value for c in range(1, 7)] == [
        "STT",
        "Tên đề án",
        "Kinh phí (đồng)",
        None,
        None,
        "Ngày phê duyệt",
    ]
    assert [ws.cell(row=4, column=c).value for c in (3, 4, 5)] == ["KCQG", "KCĐP", "Đối ứng"]
    assert ws["C3"].font.b and ws["C4"].font.b


def test_money_is_grouped_and_stays_numbers_and_text_is_neutralised():
    ws = _load(_report())["Đề án"]
    assert ws["C5"].value == 300_000_000 and ws["C5"].data_type == "n" and ws["C5"].number_format == "#,##0"
    assert ws["D6"].value == 2_000 and ws["D6"].number_format == "#,##0"
    assert ws["A5"].value == 1 and ws["A5"].number_format == "General"  # not a money column
    assert ws["B5"].value == '\'=HYPERLINK("http://x")' and ws["B5"].data_type == "s"
    assert ws["F5"].value == datetime.datetime(2026, 3, 2) and ws["F5"].number_format == "DD/MM/YYYY"
    # a year in a column that is not money is written as typed
    assert _load(_report())["Chỉ tiêu"]["C2"].number_format == "General"


def test_landscape_a4_fitted_to_width_with_the_header_frozen_and_repeated():
    wb = _load(_report())
    ws = wb["Đề án"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$3:$4"
    assert wb["Chỉ tiêu"].freeze_panes == "A2"


def test_sheet_names_are_made_valid_and_unique():
    wb = _load([Sheet(name="Báo cáo: 2026/2027 [tỉnh]" * 2), Sheet(name="Báo cáo: 2026/2027 [tỉnh]" * 2)])
    first, second = wb.sheetnames
    assert len(first) <= 31 and not set(first) & set("[]:*?/\\")
    assert second.endswith("(2)") and len(second) <= 31


def test_workbook_response():
    response = workbook_response("bao-cao.xlsx", _report())
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Đề án", "Chỉ tiêu"]
