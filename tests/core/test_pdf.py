import datetime
import io
import unicodedata

import pytest
from django.conf import settings as django_settings

from core.charts import ProgressItem, progress_chart
from core.pdf import administrative_date, content_disposition, pdf_response, render_pdf


@pytest.fixture
def test_templates(settings):
    """The sample document of tests/core/templates, which extends the print base."""
    engine = dict(django_settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], django_settings.BASE_DIR / "tests" / "core" / "templates"]
    settings.TEMPLATES = [engine]


def _text(pdf):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]


def _context(**extra):
    return {
        "title": "Báo cáo",
        "subtitle": "Kết quả thực hiện chương trình khuyến công năm 2026",
        "date": datetime.date(2026, 2, 5),
        "symbol": "BC-SCT",
        "recipients": ["Bộ Công Thương (để b/c);", "Lưu: VT, KC."],
        "signature": {"authority": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Thị Hương"},
        "rows": [(f"Hỗ trợ ứng dụng máy móc số {i}", f"{i}.000.000") for i in range(1, 70)],
        **extra,
    }


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 2, 5), "Hưng Yên, ngày 05 tháng 02 năm 2026"),
        (datetime.date(2026, 1, 31), "Hưng Yên, ngày 31 tháng 01 năm 2026"),
        (datetime.date(2026, 3, 2), "Hưng Yên, ngày 02 tháng 3 năm 2026"),
        (datetime.date(2026, 12, 22), "Hưng Yên, ngày 22 tháng 12 năm 2026"),
        (None, "Hưng Yên, ngày … tháng … năm …"),
    ],
)
def test_administrative_date_pads_days_below_ten_and_january_february(day, expected):
    assert administrative_date(day, "Hưng Yên") == expected


def test_the_print_base_lays_out_the_decree_blocks_with_diacritics(test_templates):
    pdf = render_pdf("tests/sample_document.html", _context())
    assert pdf.startswith(b"%PDF")
    pages = _text(pdf)
    assert len(pages) >= 2
    first = pages[0]
    for text in (
        "UBND TỈNH HƯNG YÊN",
        "SỞ CÔNG THƯƠNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/BC-SCT",
        "Hưng Yên, ngày 05 tháng 02 năm 2026",
        "BÁO CÁO",
        "Kết quả thực hiện chương trình khuyến công năm 2026",
    ):
        assert text in first, text
    last = pages[-1]
    for text in ("Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Thị Hương", "Lưu: VT, KC."):
        assert text in last, text


def test_page_numbers_start_on_page_two_and_table_headers_repeat(test_templates):
    pages = _text(render_pdf("tests/sample_document.html", _context()))
    lines = [[line.strip() for line in page.splitlines()] for page in pages]
    assert "1" not in lines[0]  # the first page carries no number
    assert "2" in lines[1] and "3" in lines[2]
    # the table's header row is printed again at the top of the next page
    assert "Số tiền (đồng)" in pages[0] and "Số tiền (đồng)" in pages[1]


def test_the_page_is_a4_with_the_decree_margins(test_templates):
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(render_pdf("tests/sample_document.html", _context()))).pages[0]
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in (page.mediabox.width, page.mediabox.height))
    assert round(width_mm) == 210 and round(height_mm) == 297


def test_a_document_renders_a_chart_with_its_table(test_templates):
    chart = progress_chart(
        "Tiến độ thực hiện chỉ tiêu",
        [ProgressItem("models", "Mô hình trình diễn kỹ thuật", 12, 50, "mô hình")],
    )
    first = _text(render_pdf("tests/sample_document.html", _context(chart=chart)))[0]
    assert "Số liệu của biểu đồ “Tiến độ thực hiện chỉ tiêu”" in first
    assert "Mô hình trình diễn kỹ thuật" in first and "24%" in first


def test_a_document_fetches_no_url(test_templates):
    from core.pdf import _no_fetch

    with pytest.raises(ValueError, match="fetch nothing"):
        _no_fetch("http://169.254.169.254/latest/meta-data/")


def test_the_document_stays_vietnamese_in_an_english_session(test_templates):
    from django.utils import translation

    with translation.override("en"):
        first = _text(render_pdf("tests/sample_document.html", _context()))
    assert "Nơi nhận:" in first[-1] and "Số: …/BC-SCT" in first[0]


def test_pdf_response_keeps_the_vietnamese_file_name_and_is_not_stored():
    response = pdf_response(b"%PDF-1.7", "Tóm tắt đề án DA-2026.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == (
        'inline; filename="tom-tat-de-an-da-2026.pdf"; '
        "filename*=UTF-8''T%C3%B3m%20t%E1%BA%AFt%20%C4%91%E1%BB%81%20%C3%A1n%20DA-2026.pdf"
    )
    assert (
        content_disposition('a"b.pdf', inline=False)
        == "attachment; filename=\"ab.pdf\"; filename*=UTF-8''a%22b.pdf"
    )
