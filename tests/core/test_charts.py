import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from core.charts import ProgressItem, bar_chart, number, percent_of, progress_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg):
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    return root, [t.text for t in root.iter(f"{SVG}text") if t.text]


def test_bar_chart_is_static_svg_with_labels_values_and_table():
    chart = bar_chart(
        "Kinh phí hỗ trợ theo năm",
        ["Năm 2026", "Năm 2027"],
        [("KCQG", [1_500_000_000, 2_250_000]), ("KCĐP", [300_000_000, 0])],
        label_title="Năm",
    )
    root, texts = _texts(chart.svg)
    assert "Kinh phí hỗ trợ theo năm" in texts
    assert {"Năm 2026", "Năm 2027", "KCQG", "KCĐP"} <= set(texts)
    assert "1.500.000.000" in texts and "2.250.000" in texts
    assert not list(root.iter(f"{SVG}script")) and "<script" not in chart.svg
    assert not chart.svg.startswith("<?xml")
    assert [c.label for c in chart.columns] == ["Năm", "KCQG", "KCĐP"]
    assert chart.table[0][1][1][1] == "1.500.000.000"


def test_stacked_bar_chart_totals_its_series_in_the_table():
    chart = stacked_bar_chart(
        "Nguồn kinh phí", ["Đề án A"], [("KCQG", [300_000_000]), ("Đối ứng", [200_000_000])]
    )
    _root, texts = _texts(chart.svg)
    assert "300.000.000" in texts and "Đối ứng" in texts
    cells = dict((column.key, text) for column, text in chart.table[0][1])
    assert cells == {"label": "Đề án A", "s0": "300.000.000", "s1": "200.000.000", "total": "500.000.000"}


def test_progress_chart_caps_at_100_and_labels_in_percent():
    chart = progress_chart(
        "Tiến độ",
        [
            ProgressItem("models", "Mô hình trình diễn", 12, 50, "mô hình"),
            ProgressItem("machines", "Cơ sở ứng dụng máy móc", 1_300, 1_000, "cơ sở"),
            ProgressItem("none", "Chưa có mục tiêu", 3, 0, ""),
        ],
    )
    _root, texts = _texts(chart.svg)
    assert {"24%", "100%", "0%"} <= set(texts)
    assert "76%" not in texts  # what remains is drawn, not labelled
    rows = {key: {c.key: t for c, t in cells} for key, cells in chart.table}
    assert rows["machines"] == {
        "label": "Cơ sở ứng dụng máy móc",
        "achieved": "1.300",
        "goal": "1.000",
        "unit": "cơ sở",
        "percent": "100%",
    }
    assert rows["none"]["percent"] == "0%"


def test_long_labels_are_cut_in_the_chart_but_whole_in_the_table():
    label = "Cơ sở công nghiệp nông thôn được hỗ trợ ứng dụng máy móc thiết bị tiên tiến"
    chart = progress_chart("Tiến độ", [ProgressItem("m", label, 1, 2)])
    _root, texts = _texts(chart.svg)
    assert label not in texts and any(t.endswith("…") and label.startswith(t[:-1]) for t in texts)
    assert chart.table[0][1][0][1] == label


def test_labels_are_escaped():
    chart = bar_chart("<b>x</b>", ["<script>alert(1)</script>"], [("a&b", [1])])
    _root, texts = _texts(chart.svg)
    assert "<script>" not in chart.svg and "<script>alert(1)</script>" in texts


@pytest.mark.parametrize(
    ("value", "expected"), [(1234567, "1.234.567"), (0, "0"), (2.5, "2,5"), (3.0, "3"), (None, "—")]
)
def test_numbers_are_written_the_vietnamese_way(value, expected):
    assert number(value) == expected


@pytest.mark.parametrize(
    ("achieved", "goal", "expected"), [(1, 104, 1), (12, 50, 24), (5, 4, 100), (3, 0, 0)]
)
def test_percent_of(achieved, goal, expected):
    assert percent_of(achieved, goal) == expected


def test_the_include_shows_the_chart_and_its_table():
    chart = progress_chart("Tiến độ", [ProgressItem("collaborators", "Cộng tác viên", 1, 104, "xã")])
    html = render_to_string("core/chart.html", {"chart": chart})
    assert html.count("<svg") == 1
    assert "<caption>Số liệu của biểu đồ “Tiến độ”</caption>" in html
    assert '<tr data-row="collaborators"><th scope="row" data-column="label">Cộng tác viên</th>' in html
    assert '<td data-column="goal" class="text-end text-nowrap kc-num">104</td>' in html
