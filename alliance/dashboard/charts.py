"""Server-rendered SVG charts (pygal) for the dashboard, each with its numbers and a sentence.

A chart is drawn 400 units wide with 16-unit text, so at a phone's 360 px it stays legible; it
is sent as an `<img>` (a data: URL) so the page's Content-Security-Policy needs no inline style,
and the same numbers go in a table beside it and in the image's text alternative.
"""

import base64
from dataclasses import dataclass

import pygal
from pygal.style import Style

WIDTH = 400
HEIGHT = 300
PALETTE = ("#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#495057",
    colors=PALETTE,
    font_family="sans-serif",
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    title_font_size=18,
    value_font_size=14,
    tooltip_font_size=14,
)


@dataclass
class Chart:
    title: str
    alt: str  # the text alternative: every number, in words
    svg_data_url: str
    columns: list[str]  # the table beside it: header…
    rows: list[list[str]]  # …and one row per x label


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _render(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def series_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    kind: str = "bar",
    unit: str = "",
    max_value: float | None = None,
) -> Chart:
    """A bar or line chart of one or more series over `labels` (months or communities)."""
    cls = pygal.Line if kind == "line" else pygal.Bar
    legend_rows = (len(series) + 2) // 3 if len(series) > 1 else 0
    chart = cls(
        style=STYLE,
        width=WIDTH,
        height=HEIGHT + 28 * legend_rows,
        explicit_size=False,
        disable_xml_declaration=True,
        js=(),
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(3, len(series)),
        margin_bottom=8 + 24 * legend_rows,
        x_label_rotation=45 if len(labels) > 3 else 0,
        truncate_label=-1,
        truncate_legend=-1,
        print_values=False,
        dots_size=4,
        range=(0, max_value) if max_value is not None else None,
        margin=8,
    )
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    sentences = []
    for name, values in series:
        parts = [
            f"{label} {_number(v)}{unit if v is not None else ''}"
            for label, v in zip(labels, values, strict=True)
        ]
        sentences.append(f"{name}：" + "，".join(parts))
    alt = f"{title}。" + "；".join(sentences) + "。"
    rows = [
        [label, *(_number(values[i]) for _, values in series)] for i, label in enumerate(labels)
    ]
    return Chart(
        title=title,
        alt=alt,
        svg_data_url=_render(chart),
        columns=["", *(name for name, _ in series)],
        rows=rows,
    )
