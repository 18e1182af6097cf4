"""Issue 13: the compiled report's PDF laid out in parts by worker processes and merged
(reports.yearly_pdf). The merged file has the parts in the outline's order, body portrait and
annexes landscape, and its pages are numbered across the parts from page 2, page 1 carrying none."""

import datetime
import io
import json
import subprocess
import unicodedata
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.serializers.json import DjangoJSONEncoder
from pypdf import PdfReader

from reports import services, yearly_jobs, yearly_pdf
from reports.yearly_models import Audience, ReportKind
from reports.yearly_snapshot import build_snapshot

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 10, 9, 30, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def snapshot(staff):
    """The 2026 report's snapshot with annexes long enough to run over several pages each."""
    period = services.period_open(user=staff, year=2026)
    request = yearly_jobs.report_request_open(
        user=staff, kind=ReportKind.YEARLY, audience=Audience.PROVINCE, period=period
    )
    data = json.loads(json.dumps(build_snapshot(request), cls=DjangoJSONEncoder))
    data["annexes"]["projects"] = [
        {
            "code": f"DA-2026-KCDP-{n:03d}",
            "title": f"Hỗ trợ máy sấy nông sản cho cơ sở số {n}",
            "activity": "2b",
            "beneficiaries": "Hợp tác xã Dệt Kim Bình Minh",
            "communes": "Phố Hiến",
            "source": "KCĐP",
            "support": 120_000_000,
            "counterpart": 80_000_000,
            "status": "Đã nghiệm thu",
        }
        for n in range(1, 41)
    ]
    data["annexes"]["facilities"] = [
        {
            "name": f"Cơ sở mây tre đan số {n}",
            "kind": "Hộ kinh doanh",
            "commune": "Phố Hiến",
            "projects": 1,
            "support": 5_000_000,
        }
        for n in range(1, 61)
    ]
    return data


def _pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [
        unicodedata.normalize(
            "NFC",
            subprocess.run(
                ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout,
        )
        for n in range(1, count + 1)
    ]


def test_the_parts_are_merged_in_order_and_numbered_from_page_2_across_them(snapshot, tmp_path):
    times = {}
    pdf, extra = yearly_pdf.render_report_pdf(snapshot, meanwhile=lambda: "xlsx", times=times)
    assert extra == "xlsx"
    pages = _pages(pdf, tmp_path)
    assert set(times["pages"]) == {"body", "annex1", "annex2", "annex3", "annex4"}
    assert len(pages) == sum(times["pages"].values())
    assert times["pages"]["annex1"] >= 2 and times["pages"]["annex2"] >= 2  # each runs over pages
    assert pages[0].split()[:3] == ["UBND", "TỈNH", "HƯNG"]  # page 1: no number
    assert [page.split()[0] for page in pages[1:]] == [str(n) for n in range(2, len(pages) + 1)]
    firsts = [next(n for n, page in enumerate(pages) if f"PHỤ LỤC {k}" in page) for k in (1, 2, 3, 4)]
    assert firsts == sorted(firsts) and firsts[0] == times["pages"]["body"]
    assert "Nơi nhận" in "".join(pages[: firsts[0]]) and "DA-2026-KCDP-040" in "".join(
        pages[firsts[0] : firsts[1]]
    )
    sizes = [(round(p.mediabox.width), round(p.mediabox.height)) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert set(sizes[: firsts[0]]) == {(595, 842)} and set(sizes[firsts[0] :]) == {(842, 595)}
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith("Báo cáo")


def test_annex_1_rows_weigh_more_in_a_chunk_and_in_the_order(snapshot, monkeypatch):
    monkeypatch.setattr(yearly_pdf, "CHUNK_ROWS", 50)
    monkeypatch.setattr(yearly_pdf, "ROW_WEIGHT", {1: 2, 2: 1})
    parts = yearly_pdf.parts_of(snapshot)
    assert [p[2] for p in parts if p[1] == 1] == [(0, 25), (25, 40)]
    assert [p[2] for p in parts if p[1] == 2] == [(0, 50), (50, 60)]
    assert yearly_pdf._weight(snapshot, ("annex", 1, (0, 25))) == yearly_pdf._weight(
        snapshot, ("annex", 2, (0, 50))
    )


def test_long_annexes_are_cut_into_chunks_that_read_as_one_table(snapshot, tmp_path, monkeypatch):
    monkeypatch.setattr(yearly_pdf, "CHUNK_ROWS", 25)
    monkeypatch.setattr(yearly_pdf, "ROW_WEIGHT", {1: 1, 2: 1})
    parts = yearly_pdf.parts_of(snapshot)
    assert [p[2] for p in parts if p[1] == 1] == [(0, 25), (25, 40)]
    assert [p[2] for p in parts if p[1] == 2] == [(0, 25), (25, 50), (50, 60)]
    times = {}
    pdf, _extra = yearly_pdf.render_report_pdf(snapshot, times=times)
    pages = _pages(pdf, tmp_path)
    assert [page.split()[0] for page in pages[1:]] == [str(n) for n in range(2, len(pages) + 1)]
    text = " ".join(pages)
    assert text.count("PHỤ LỤC 1") == 1 and text.count("PHỤ LỤC 2") == 1  # the title once
    assert text.count("Tổng cộng") == 1  # annex 1's total after its last row only
    rows = [line.split() for page in pages for line in page.splitlines() if "DA-2026-KCDP-" in line]
    assert [int(r[0]) for r in rows] == list(range(1, 41))  # numbered on across the chunks
    assert [
        int(line.split()[0]) for page in pages for line in page.splitlines() if "mây tre đan số" in line
    ] == list(range(1, 61))


def test_a_part_that_fails_fails_the_whole_pdf(snapshot, monkeypatch):
    snapshot["annexes"]["projects"] = None  # the annex's template cannot iterate it
    with pytest.raises(Exception):  # noqa: B017 (whatever the worker raised reaches the job)
        yearly_pdf.render_report_pdf(snapshot)
