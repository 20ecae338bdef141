"""Charts for the reports, drawn by matplotlib and returned as inline SVG text.

matplotlib renders offline (no browser, no network) and its SVG is reproducible when the
date stamp is left out and the id salt is fixed, so the same data gives byte-identical
reports. Text stays text in the SVG (``svg.fonttype = none``): searchable, and sharp in print.
Danish number formats on the axes (``1.234.567``). Imported only by the report command.
"""

from __future__ import annotations

import datetime as dt
import io
import re

MONTHS_DA = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
COLOURS = ["#1f5f8b", "#d9822b", "#3a8f5c", "#8e4585", "#b23a3a", "#6b6b6b", "#c9a227", "#2b9bb3"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.hashsalt": "tariffkit",
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#dddddd",
            "grid.linewidth": 0.6,
            "axes.axisbelow": True,
        }
    )
    return plt


def danish_number(x: float, decimals: int = 0) -> str:
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "§").replace(".", ",").replace("§", ".")


def _formatter(decimals: int = 0, scale: float = 1.0, suffix: str = ""):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: danish_number(v / scale, decimals) + suffix)


def _svg(fig, title: str) -> str:
    plt = _plt()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML declaration and doctype: inline in HTML
    text = re.sub(r"<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    return text.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)


def month_lines(
    series: dict[str, tuple[list[dt.date], list[float | None], list[bool]]],
    title: str,
    ylabel: str,
    *,
    decimals: int = 0,
    scale: float = 1.0,
    unit_suffix: str = "",
) -> str:
    """One line per series over the months; solid where the month is actual, dashed after
    (open commitments)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    for i, (name, (months, values, actual)) in enumerate(series.items()):
        c = COLOURS[i % len(COLOURS)]
        xs = [m.month for m in months]
        act = [(x, v) for x, v, a in zip(xs, values, actual) if a and v is not None]
        fut = [(x, v) for x, v, a in zip(xs, values, actual) if v is not None and (not a or (act and x == act[-1][0]))]
        if act:
            ax.plot([x for x, _ in act], [v for _, v in act], color=c, marker="o", markersize=3, linewidth=1.8, label=name)
        if len(fut) > 1:
            ax.plot([x for x, _ in fut], [v for _, v in fut], color=c, linestyle="--", linewidth=1.2, label=None if act else name)
    ax.set_xticks(range(1, 13), MONTHS_DA)
    ax.set_xlim(0.5, 12.5)
    ax.yaxis.set_major_formatter(_formatter(decimals, scale, unit_suffix))
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.legend(frameon=False, ncols=min(4, max(1, len(series))), loc="upper left", bbox_to_anchor=(0, -0.12))
    return _svg(fig, title)


def grouped_bars(
    categories: list[str], series: dict[str, list[float | None]], title: str, ylabel: str, *, scale: float = 1.0, decimals: int = 0, unit_suffix: str = ""
) -> str:
    """Bars per category, one bar per series side by side (e.g. budget against forecast)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    n = max(1, len(series))
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        xs = [j + (i - (n - 1) / 2) * width for j in range(len(categories))]
        ax.bar(xs, [0 if v is None else v for v in values], width=width * 0.95, color=COLOURS[i % len(COLOURS)], label=name)
    ax.set_xticks(range(len(categories)), categories)
    ax.yaxis.set_major_formatter(_formatter(decimals, scale, unit_suffix))
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.legend(frameon=False, ncols=n, loc="upper left", bbox_to_anchor=(0, -0.12))
    return _svg(fig, title)


def flows(months: list[dt.date], inflow: list[int], outflow: list[int], title: str) -> str:
    """Inflow above and outflow below the axis, per month."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    xs = [m.month for m in months]
    ax.bar(xs, inflow, color=COLOURS[2], label="Tilgang")
    ax.bar(xs, [-v for v in outflow], color=COLOURS[4], label="Afgang")
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.set_xticks(range(1, 13), MONTHS_DA)
    ax.set_xlim(0.5, 12.5)
    ax.yaxis.set_major_formatter(_formatter(0))
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Borgere")
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.legend(frameon=False, ncols=2, loc="upper left", bbox_to_anchor=(0, -0.12))
    return _svg(fig, title)
