"""The portal's charts as server-side SVG (pygal): readable without JavaScript, each beside a table
that holds the same figures (the table is the accessible alternative; the chart's <img> says so).

Pure: figures in, SVG bytes out. No script is embedded (pygal's tooltips would load one from a CDN)
and the fonts are the page's own family, so the chart needs nothing from outside the service.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

import pygal
from pygal.style import Style

# Bootstrap Italia's primary blue, a teal and an orange with enough contrast on white.
STYLE = Style(background="white", plot_background="white", foreground="#1a1a1a", foreground_strong="#1a1a1a",
              foreground_subtle="#5c6f82", colors=("#0066cc", "#008055", "#cc7a00", "#5c2f91"),
              font_family="'Titillium Web', Geneva, Tahoma, sans-serif", label_font_size=13,
              major_label_font_size=13, legend_font_size=14, title_font_size=16, value_font_size=12)
SCRIPT = re.compile(rb"<script[^>]*>.*?</script>", re.S)
SERIES = (("allocated", "Programmato"), ("committed", "Impegnato"), ("paid", "Liquidato"))


def _config(title: str, **options) -> dict:
    return {"title": title, "style": STYLE, "js": [], "disable_xml_declaration": False, "width": 860,
            "height": 420, "legend_at_bottom": True, "legend_at_bottom_columns": 3, "print_values": False,
            "value_formatter": _euro, "x_label_rotation": 0, "truncate_label": -1, "truncate_legend": -1, **options}


def _euro(value) -> str:
    """'1.234,56 €' for the axis and values (pygal passes floats: only drawing, never a figure shown as text)."""
    if value is None:
        return ""
    whole, _, cents = f"{value:,.2f}".partition(".")
    return f"{whole.replace(',', '.')},{cents} €"


def _svg(chart) -> bytes:
    # pygal always embeds its config as an inline script: dropped, the chart is a picture only.
    return SCRIPT.sub(b"", chart.render())


def ticks(top, most: int = 6) -> list[float]:
    """At most `most` round axis values (steps of 1, 2 or 5 x 10^n) from 0 past `top`: euro labels stay legible."""
    top = float(top or 0) or 1.0
    step = 10 ** math.floor(math.log10(top / most))
    while top / step > most - 1:
        step = _next(step)
    return [round(i * step, 10) for i in range(int(math.ceil(top / step)) + 1)]


def _next(step: float) -> float:
    """1 -> 2 -> 5 -> 10 (times a power of ten)."""
    digits = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return step * (2.5 if round(digits) == 2 else 2)


def _float(value: Decimal) -> float:
    # Floats only for drawing the bars; the figures people read are the table's Decimals.
    return float(value)


def money_bars(*, title: str, rows: list[dict], label: str, horizontal: bool = False) -> bytes:
    """Grouped bars of allocated, committed and paid, one group per row (fund, area, Ambito)."""
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(**_config(title))
    chart.x_labels = [str(r[label]) for r in rows]
    chart.y_labels = ticks(max((r[k] for r in rows for k, _ in SERIES), default=0))
    for key, name in SERIES:
        chart.add(name, [_float(r[key]) for r in rows])
    return _svg(chart)


def per_inhabitant_bars(*, title: str, rows: list[dict], label: str, keys: tuple[tuple[str, str], ...]) -> bytes:
    """Horizontal bars of amounts per inhabitant, one group per Ambito (None: no bar)."""
    # Two legend entries with long names: one column each, so they never overlap.
    chart = pygal.HorizontalBar(**_config(title, height=max(320, 130 + 60 * len(rows)), legend_at_bottom_columns=2))
    chart.x_labels = [str(r[label]) for r in rows]
    chart.y_labels = ticks(max((r[k] for r in rows for k, _ in keys if r[k] is not None), default=0))
    for key, name in keys:
        chart.add(name, [None if r[key] is None else _float(r[key]) for r in rows])
    return _svg(chart)
