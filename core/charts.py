"""Server-side SVG charts, the same markup on a page and in a PDF (WeasyPrint draws inline SVG).

Drawn by pygal (pure Python, SVG out, no browser or JavaScript needed; WeasyPrint renders its
output as is): no script is attached (`js=[]`), so a chart is a picture, and every chart carries
the table of its figures, shown beside it by templates/core/chart.html, for readers of screen
readers, for print and for anyone who wants the exact numbers. Numbers are written the Vietnamese
way (core.money.group: 1.234.567)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .money import group

FONT = "'Liberation Serif', 'Noto Serif', 'DejaVu Serif', serif"
# The portal's red for what is done, a grey for what remains, then distinct colours for series.
COLOURS = ("#b02a37", "#adb5bd", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    cells: dict  # column key → the text shown


@dataclass(frozen=True)
class Chart:
    """An SVG chart with the table of its figures (`columns` × `rows`)."""

    title: str
    svg: SafeString
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def table(self):
        """[(row key, [(column, text)…])…]: the rows with their cells in column order."""
        return [(row.key, [(c, row.cells.get(c.key, "")) for c in self.columns]) for row in self.rows]


@dataclass(frozen=True)
class ProgressItem:
    key: str
    label: str
    achieved: int
    goal: int
    unit: str = ""


def percent_of(achieved, goal) -> int:
    """Progress towards a goal in whole percent, capped at 100 (no goal: 0)."""
    if not goal:
        return 0
    return min(100, round(100 * achieved / goal))


def number(value) -> str:
    """A figure in a label or a table cell: whole numbers grouped (1.234), decimals with a comma."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        whole, _sep, fraction = f"{value:.2f}".rstrip("0").partition(".")
        return f"{group(int(whole))},{fraction}" if fraction else group(int(whole))
    return group(value)


def _style():
    from pygal.style import Style

    return Style(
        font_family=FONT,
        background="white",
        plot_background="white",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        colors=COLOURS,
        title_font_size=19,
        label_font_size=15,
        major_label_font_size=15,
        legend_font_size=15,
        value_font_size=15,
        tooltip_font_size=15,
    )


def _without_scripts(root):
    """pygal writes its configuration as a <script> even with js=[]: a static chart has none (and
    a page's Content-Security-Policy need not allow it)."""
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _short(label, length=32):
    """A label cut to fit beside the bars; the table beside the chart gives it in full."""
    label = str(label)
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


def _render(chart_class, *, title, labels, series, formatter, height, **options) -> SafeString:
    """`series`: (name, values) or (name, values, pygal options of that series)."""
    labels, series = list(labels), [(s[0], list(s[1]), s[2] if len(s) > 2 else {}) for s in series]
    if chart_class.__name__.startswith("Horizontal"):
        # pygal draws the first label at the bottom: reversed, the chart reads top-down like its table
        labels.reverse()
        series = [(name, values[::-1], opts) for name, values, opts in series]
    chart = chart_class(
        js=[],
        disable_xml_declaration=True,
        style=_style(),
        width=760,
        height=height,
        title=title,
        print_values=True,
        value_formatter=formatter,
        truncate_legend=-1,
        legend_at_bottom=True,
        **options,
    )
    chart.add_xml_filter(_without_scripts)
    chart.x_labels = [_short(label) for label in labels]
    for name, values, series_options in series:
        chart.add(name, values, **series_options)
    # etree escapes every label and value: the markup is safe to put in a page as is.
    return mark_safe(chart.render(is_unicode=True))  # noqa: S308


def _series_table(labels, series, *, label_title, total=False):
    columns = [Column("label", label_title)] + [
        Column(f"s{i}", s[0], numeric=True) for i, s in enumerate(series)
    ]
    if total:
        columns.append(Column("total", _("Tổng"), numeric=True))
    rows = []
    for index, label in enumerate(labels):
        values = [s[1][index] for s in series]
        cells = {"label": label} | {f"s{i}": number(v) for i, v in enumerate(values)}
        if total:
            cells["total"] = number(sum(v or 0 for v in values))
        rows.append(Row(key=str(index), cells=cells))
    return columns, rows


def _height(labels, per_label=44, minimum=240):
    return max(minimum, 120 + per_label * len(labels))


def _bars(title, labels, series, *, label_title, horizontal, formatter, stacked) -> Chart:
    import pygal

    if stacked:
        chart_class = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
        height = _height(labels)
    else:
        chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
        height = _height(labels, per_label=30 * max(1, len(series)) + 14)
    svg = _render(
        chart_class,
        title=title,
        labels=labels,
        series=series,
        formatter=formatter,
        height=height,
        show_legend=stacked or len(series) > 1,
    )
    columns, rows = _series_table(labels, series, label_title=label_title or _("Nội dung"), total=stacked)
    return Chart(title=title, svg=svg, columns=columns, rows=rows)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence]],
    *,
    label_title: str = "",
    horizontal: bool = True,
    formatter: Callable = number,
) -> Chart:
    """Bars of one or several series (`[(name, values per label)]`), side by side."""
    return _bars(
        title,
        labels,
        series,
        label_title=label_title,
        horizontal=horizontal,
        formatter=formatter,
        stacked=False,
    )


def stacked_bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence]],
    *,
    label_title: str = "",
    horizontal: bool = True,
    formatter: Callable = number,
) -> Chart:
    """Bars whose series add up (for example support by funding source, per year); the table
    has a total column."""
    return _bars(
        title,
        labels,
        series,
        label_title=label_title,
        horizontal=horizontal,
        formatter=formatter,
        stacked=True,
    )


def progress_chart(title: str, items: Sequence[ProgressItem]) -> Chart:
    """How far each item is towards its goal, in percent (a bar filled up to 100%); the table
    gives what was achieved, the goal, the unit and the percent."""
    import pygal

    percents = [percent_of(item.achieved, item.goal) for item in items]
    labels = [item.label for item in items]
    svg = _render(
        pygal.HorizontalStackedBar,
        title=title,
        labels=labels,
        series=[
            (_("Đã đạt"), percents),
            (_("Còn lại"), [100 - p for p in percents], {"formatter": lambda _value: ""}),
        ],
        formatter=lambda value: f"{number(value)}%",
        height=_height(labels),
        range=(0, 100),
        y_labels=[0, 25, 50, 75, 100],
        show_legend=True,
    )
    columns = [
        Column("label", _("Chỉ tiêu")),
        Column("achieved", _("Đã đạt"), numeric=True),
        Column("goal", _("Mục tiêu"), numeric=True),
        Column("unit", _("Đơn vị tính")),
        Column("percent", _("Tỷ lệ"), numeric=True),
    ]
    rows = [
        Row(
            key=item.key,
            cells={
                "label": item.label,
                "achieved": number(item.achieved),
                "goal": number(item.goal),
                "unit": item.unit,
                "percent": f"{percent}%",
            },
        )
        for item, percent in zip(items, percents, strict=True)
    ]
    return Chart(title=title, svg=svg, columns=columns, rows=rows)
