"""PDF documents on the Vietnamese administrative format (Nghị định 30/2020/NĐ-CP về công tác văn
thư, Phụ lục I: A4, margins, issuing body and national motto, number and symbol, place and date,
title, recipients and signature). Every document extends templates/core/print/base.html and is
turned into bytes here, by WeasyPrint.

WeasyPrint is imported inside `render_pdf`, so the portal still starts (and every other page still
works) on a machine without Pango; only the PDF itself then fails."""

import datetime
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from .text import fold

PDF_CONTENT_TYPE = "application/pdf"
# Where the province's documents are issued ("Hưng Yên, ngày … tháng … năm …").
DEFAULT_PLACE = "Hưng Yên"


def administrative_date(value: datetime.date | None, place: str = "") -> str:
    """'Hưng Yên, ngày 02 tháng 3 năm 2026': NĐ 30/2020/NĐ-CP Phụ lục I, mục II.4 (a day below 10
    and the months 1 and 2 are written with a leading 0). Without a date the blanks are left to fill
    in by hand: 'ngày … tháng … năm …'."""
    if value is None:
        text = "ngày … tháng … năm …"
    else:
        month = f"{value.month:02d}" if value.month < 3 else str(value.month)
        text = f"ngày {value.day:02d} tháng {month} năm {value.year}"
    return f"{place}, {text}" if place else text


def _no_fetch(url, *args, **kwargs):
    """Documents are self-contained (fonts from the system, CSS and charts inline): nothing is
    fetched, so a value that reached a template can never make the server request a URL."""
    if url.startswith("data:"):
        from weasyprint import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"PDF documents fetch nothing: {url[:80]}")


def render_html(template: str, context: dict | None = None, *, request=None) -> str:
    """The HTML of a printed document (render_pdf's first half). `context` may name `date` and
    `place`; the line "Hưng Yên, ngày … tháng … năm …" is made from them. The document is always in
    Vietnamese, whatever the reader's interface language: it is an administrative document
    (NĐ 30/2020/NĐ-CP: văn bản hành chính are written in Vietnamese)."""
    context = dict(context or {})
    context.setdefault(
        "place_date", administrative_date(context.get("date"), context.get("place") or DEFAULT_PLACE)
    )
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context, request=request)


def layout_pdf(html: str):
    """WeasyPrint's laid-out document of `html` (its `.pages`, `.write_pdf()`), fetching nothing."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_fetch).render()


def render_pdf(template: str, context: dict | None = None, *, request=None) -> bytes:
    """The bytes of the PDF of `template` (a template extending core/print/base.html)."""
    return layout_pdf(render_html(template, context, request=request)).write_pdf()


def content_disposition(filename: str, *, inline: bool = True) -> str:
    """A Content-Disposition that keeps a Vietnamese file name (RFC 6266 / RFC 5987 filename*)
    with a plain ASCII fallback for old clients."""
    fallback = fold(filename).replace(" ", "-").encode("ascii", "ignore").decode() or "tai-lieu.pdf"
    fallback = fallback.replace('"', "").replace("\\", "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HttpResponse with the PDF, its file name, and no-store: documents carry figures and names
    that must not stay in a shared cache or a browser's disk cache."""
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Cache-Control"] = "no-store"
    return response
