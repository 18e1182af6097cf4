"""The compiled report's PDF laid out in parts, side by side (issue 13, the benchmark's finding).

WeasyPrint lays out about 250 table rows a second on this machine and one document uses one core,
so the annexes (hundreds of đề án, thousands of cơ sở) dominate. The body and each annex are
separate documents laid out by spawned worker processes (PDF_WORKERS, the longest first) while the calling
process builds the XLSX; the parts are then merged with pypdf in the outline's order and the merged
file's pages are numbered from page 2 (page 1 carries none, NĐ 30/2020/NĐ-CP Phụ lục I): each
part is laid out without numbers, since where it starts is known only once the parts before it are
laid out. bench/bench_yearly_report.py measures this against one document laid out in one go.

The numbers are drawn where the one-document layout draws them (the top margin box, centred over
the text column, 13 pt serif: the standard Times font, whose digits match Liberation Serif's)."""

import gc
import io
import multiprocessing
import time

# Workers are spawned, never forked: a process that has laid out a PDF before holds Pango's
# fontconfig thread, and a child forked while that thread holds its lock waits forever. So this
# module imports nothing of Django's models at the top: a fresh worker imports it, then sets
# Django up (_worker_init) before the first part arrives.

PDF_WORKERS = 2
MM = 72 / 25.4
# Annexes 1 (one row per đề án) and 2 (one per cơ sở) are laid out in chunks: a worker's memory
# grows with its document, and the workers and the job run at the same time, so the largest part
# sets the whole tree's peak (bench/README.md: 2 workers with chunks of 800 rows, annex 1 whole,
# took 551 MB RSS / 481 MB PSS summed, over the 400 MB goal). A chunk holds CHUNK_ROWS // ROW_WEIGHT
# rows: a đề án row (long title, several amounts) takes about twice a cơ sở row's memory (about
# 0.26 against 0.13 MB laid out) and five times its height, so it also weighs more for the order.
CHUNK_ROWS = 400
ROW_WEIGHT = {1: 2, 2: 1}
# Where the one-document layout draws the page number (core/print/base.html and the "annex" page
# of reports/print/yearly_report.html): the page's margins left, right and top, in mm.
MARGINS = {"portrait": (30, 15, 20), "landscape": (20, 15, 15)}
FONT_SIZE = 13


def _worker_init() -> None:
    import django

    django.setup()


def parts_of(snapshot: dict) -> list[tuple]:
    """The parts in the document's order: ("body", 0, None), then ("annex", n, (start, stop)) with
    annexes 1 and 2 cut into chunks of CHUNK_ROWS // ROW_WEIGHT[n] rows."""
    from .yearly_documents import ANNEXES

    parts = [("body", 0, None)]
    for number in ANNEXES:
        key = {1: "projects", 2: "facilities"}.get(number)
        count = len(snapshot["annexes"][key]) if key else 0
        size = max(1, CHUNK_ROWS // ROW_WEIGHT.get(number, 1))
        if count <= size:
            parts.append(("annex", number, None))
        else:
            parts += [("annex", number, (s, min(s + size, count))) for s in range(0, count, size)]
    return parts


def _weight(snapshot: dict, part) -> int:
    """About how long a part takes (its rows), to lay out the longest first."""
    kind, number, rows = part
    if rows:
        return (rows[1] - rows[0]) * ROW_WEIGHT.get(number, 1)
    annexes = snapshot["annexes"]
    return {
        1: len(annexes["projects"]) * ROW_WEIGHT[1],
        2: len(annexes["facilities"]) * ROW_WEIGHT[2],
        3: 3 * len(annexes["indicators_by_unit"]),
        4: len(annexes["difficulties"]),
    }.get(number if kind == "annex" else 0, 100)


def _part_context(snapshot: dict, part) -> dict:
    from .yearly_documents import document_context

    kind, number, rows = part
    if kind == "body":
        return document_context(snapshot, body=True, annexes=(), stamped=True)
    return document_context(snapshot, body=False, annexes=(number,), stamped=True, rows=rows)


def render_part(args) -> tuple:
    """One part's PDF (in a worker process): (part, bytes, pages, {html, layout, write, collect}
    seconds)."""
    from core.pdf import layout_pdf, render_html

    from .yearly_documents import TEMPLATE

    snapshot, part = args
    started = time.perf_counter()
    html = render_html(TEMPLATE, _part_context(snapshot, part))
    rendered = time.perf_counter()
    document = layout_pdf(html)
    laid_out = time.perf_counter()
    pages = len(document.pages)
    data = document.write_pdf()
    written = time.perf_counter()
    # A laid-out document is held in reference cycles: only the cyclic collector frees it, and
    # without this the worker would carry it into its next part (a 600-row table: 105 MB resident
    # after the part, 88 MB once collected, for 0.15 s).
    del document, html
    gc.collect()
    times = {
        "html": rendered - started,
        "layout": laid_out - rendered,
        "write": written - laid_out,
        "collect": time.perf_counter() - written,
    }
    return part, data, pages, times


def _number_stream(writer, page, number: int, font_name):
    from pypdf.generic import DecodedStreamObject

    width, height = float(page.mediabox.width), float(page.mediabox.height)
    left, right, top = MARGINS["landscape" if width > height else "portrait"]
    text = str(number)
    text_width = 0.5 * FONT_SIZE * len(text)  # a Times digit is half an em wide
    x = (left * MM + width - right * MM) / 2 - text_width / 2
    y = height - top * MM / 2 - 0.35 * FONT_SIZE  # the baseline of a line centred in the margin
    stream = DecodedStreamObject()
    stream.set_data(f"Q q BT {font_name} {FONT_SIZE} Tf {x:.2f} {y:.2f} Td ({text}) Tj ET Q".encode())
    return writer._add_object(stream)


def number_pages(writer, first: int = 2) -> None:
    """Draw the page number on each page of `writer` from `first` on, at the top, centred over the
    text column. The page's own content is wrapped in q … Q so its graphics state cannot move the
    number."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Times-Roman"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    font_name = NameObject("/KCPageNumber")
    opening = DecodedStreamObject()
    opening.set_data(b"q")
    opening_ref = writer._add_object(opening)
    for index, page in enumerate(writer.pages):
        if index + 1 < first:
            continue
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[font_name] = font
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), list) else [contents]
        page[NameObject("/Contents")] = ArrayObject(
            [opening_ref, *existing, _number_stream(writer, page, index + 1, font_name)]
        )


def merge(parts: list[bytes]) -> bytes:
    """The parts' PDFs, the body first, in one file whose pages are numbered from page 2."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in parts:
        writer.append(PdfReader(io.BytesIO(data)))
    body = PdfReader(io.BytesIO(parts[0]))
    if body.metadata and body.metadata.title:
        writer.add_metadata({"/Title": body.metadata.title})
    number_pages(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_report_pdf(snapshot: dict, *, meanwhile=None, progress=None, times: dict | None = None):
    """(the PDF, what `meanwhile()` returned): the parts laid out by PDF_WORKERS processes while
    this one runs `meanwhile` (the XLSX). `progress(fraction)` is told as parts finish; `times`, if
    given, receives the seconds spent per stage (summed over the parts) and the parts' page counts."""
    context = multiprocessing.get_context("spawn")
    results = {}
    parts = parts_of(snapshot)
    longest_first = sorted(parts, key=lambda part: -_weight(snapshot, part))
    with context.Pool(PDF_WORKERS, initializer=_worker_init) as pool:
        pending = pool.imap_unordered(render_part, [(snapshot, part) for part in longest_first])
        extra = meanwhile() if meanwhile else None
        for part, data, pages, spent in pending:
            results[part] = data
            if times is not None:
                for key, seconds in spent.items():
                    times[key] = times.get(key, 0) + seconds
                name = f"{part[0]}{part[1] or ''}" + (f"[{part[2][0]}:{part[2][1]}]" if part[2] else "")
                times.setdefault("pages", {})[name] = pages
                times.setdefault("parts", {})[name] = round(sum(spent.values()), 2)
            if progress:
                progress(len(results) / len(parts))
    started = time.perf_counter()
    pdf = merge([results[part] for part in parts])
    if times is not None:
        times["merge"] = time.perf_counter() - started
    return pdf, extra
