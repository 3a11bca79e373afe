"""The report's chart: daily spend stacked by project, and tokens by model.

Two renderings of the same ``ChartData``: a PNG through matplotlib (extra ``[charts]``, Agg
backend, imported only here) and a self-contained HTML page with inline SVG (no scripts, no
external files, no dependency), chosen by the file's extension.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from .._core._files import replacing

__all__ = ["ChartData", "write_chart"]

#: Colour-blind-friendly palette (Okabe-Ito), then greys for "other".
PALETTE: Final = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
OTHER_COLOUR: Final = "#999999"


@dataclass
class ChartData:
    """What the chart shows. ``spend[project][i]`` is the spend of ``days[i]``."""

    title: str
    currency: str
    days: list[date]
    spend: dict[str, list[float]] = field(default_factory=dict)
    #: (model, input tokens, output tokens), largest first.
    tokens: list[tuple[str, int, int]] = field(default_factory=list)

    def colour(self, index: int) -> str:
        return PALETTE[index] if index < len(PALETTE) else OTHER_COLOUR


def write_chart(data: ChartData, path: str | os.PathLike[str]) -> None:
    """Write ``path``: ``.png`` (needs matplotlib) or ``.html``/``.svg``; else ``ValueError``."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".html", ".htm", ".svg"):
        raise ValueError(f"chart file must end in .png, .html or .svg, not {suffix or '(none)'}")
    # Whole or not at all: a full disk leaves the previous chart as it was.
    with replacing(path, "chart") as tmp:
        if suffix == ".png":
            _write_png(data, tmp)
        elif suffix in (".html", ".htm"):
            tmp.write_text(_html(data), encoding="utf-8")
        else:
            tmp.write_text(_svg(data), encoding="utf-8")


# --- PNG -------------------------------------------------------------------------------------


def check_chart(path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, a ``.png`` chart without matplotlib (``MissingExtraError``,
    with the install line)."""
    if Path(path).suffix.lower() == ".png":
        _matplotlib()


def _matplotlib() -> tuple[Any, Any]:
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        from .._core._exceptions import MissingExtraError

        raise MissingExtraError(
            "matplotlib", "charts", " (or write the chart as .html, which needs nothing)"
        ) from None
    return Figure, FuncFormatter


def _write_png(data: ChartData, path: str | os.PathLike[str]) -> None:
    Figure, FuncFormatter = _matplotlib()

    symbol = "$" if data.currency.lower() == "usd" else ""
    # A bare Figure renders with Agg and touches no pyplot state: no display, no global
    # figure registry, safe in servers and repeated in-process calls.
    fig = Figure(figsize=(11, 9), layout="constrained")
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    x = list(range(len(data.days)))
    base = [0.0] * len(data.days)
    for i, (project, values) in enumerate(data.spend.items()):
        label = f"{project}  {symbol}{sum(values):,.2f}"
        top.bar(x, values, bottom=base, color=data.colour(i), label=label, width=0.8)
        base = [b + v for b, v in zip(base, values, strict=True)]
    step = max(1, -(-len(data.days) // 10))
    top.set_xticks(x[::step], [d.strftime("%b %d") for d in data.days[::step]])
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{symbol}{v:,.0f}"))
    top.set_title(
        f"{data.title}\nDaily spend by project ({data.currency.upper()}); legend: period totals"
    )
    # Below the tick labels (constrained layout makes room), so it never hides a bar.
    top.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncols=2,
        fontsize="small",
        frameon=False,
    )
    top.grid(axis="y", alpha=0.3)
    top.spines[["top", "right"]].set_visible(False)

    models = [m for m, _, _ in data.tokens][::-1]
    inputs = [i / 1e6 for _, i, _ in data.tokens][::-1]
    outputs = [o / 1e6 for _, _, o in data.tokens][::-1]
    bottom.barh(models, inputs, color=PALETTE[0], label="input")
    bottom.barh(models, outputs, left=inputs, color=PALETTE[1], label="output")
    bottom.set_xlabel("million tokens")
    bottom.set_title("Completions tokens by model")
    bottom.legend(fontsize="small", frameon=False, loc="lower right")
    bottom.grid(axis="x", alpha=0.3)
    bottom.spines[["top", "right"]].set_visible(False)
    fig.savefig(path, dpi=100, format="png")


# --- SVG / HTML ------------------------------------------------------------------------------

_W: Final = 900
_BAR_H: Final = 320
_PAD: Final = 60


def _svg(data: ChartData) -> str:
    """Both charts as one SVG document (no script, no external reference)."""
    symbol = "$" if data.currency.lower() == "usd" else ""
    e = html.escape
    parts: list[str] = []
    n = max(1, len(data.days))
    totals = [sum(v[i] for v in data.spend.values()) for i in range(len(data.days))]
    peak = max(totals, default=0.0) or 1.0
    plot_w = _W - 2 * _PAD
    slot = plot_w / n
    y0 = _PAD + _BAR_H
    parts.append(
        f'<text x="{_PAD}" y="30" class="title">{e(data.title)}: daily spend by project '
        f"({e(data.currency.upper())})</text>"
    )
    for k in range(5):
        value = peak * k / 4
        y = y0 - _BAR_H * k / 4
        parts.append(f'<line x1="{_PAD}" x2="{_W - _PAD}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{_PAD - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{symbol}{value:,.0f}</text>"
        )
    for i, day in enumerate(data.days):
        base = float(y0)
        for j, values in enumerate(data.spend.values()):
            h = _BAR_H * values[i] / peak
            if h > 0:
                parts.append(
                    f'<rect x="{_PAD + i * slot + slot * 0.1:.1f}" y="{base - h:.1f}" '
                    f'width="{slot * 0.8:.1f}" height="{h:.1f}" fill="{data.colour(j)}">'
                    f"<title>{e(day.isoformat())}: {symbol}{values[i]:,.2f}</title></rect>"
                )
            base -= h
        if i % max(1, n // 10) == 0:
            parts.append(
                f'<text x="{_PAD + (i + 0.5) * slot:.1f}" y="{y0 + 16}" class="axis" '
                f'text-anchor="middle">{e(day.strftime("%b %d"))}</text>'
            )
    y = y0 + 40
    for j, project in enumerate(data.spend):
        x = _PAD + (j % 3) * 270
        row_y = y + (j // 3) * 18
        parts.append(
            f'<rect x="{x}" y="{row_y - 10}" width="12" height="12" fill="{data.colour(j)}"/>'
        )
        parts.append(f'<text x="{x + 18}" y="{row_y}" class="axis">{e(project)}</text>')
    y += ((len(data.spend) + 2) // 3) * 18 + 40
    parts.append(f'<text x="{_PAD}" y="{y}" class="title">Completions tokens by model</text>')
    y += 20
    biggest = max((i + o for _, i, o in data.tokens), default=0) or 1
    label_w = 250
    width = _W - _PAD - label_w - 100
    for model, inp, out in data.tokens:
        wi, wo = width * inp / biggest, width * out / biggest
        x = _PAD + label_w
        parts.append(
            f'<text x="{x - 8}" y="{y + 13}" class="axis" text-anchor="end">{e(model)}</text>'
        )
        parts.append(f'<rect x="{x}" y="{y}" width="{wi:.1f}" height="16" fill="{PALETTE[0]}"/>')
        parts.append(
            f'<rect x="{x + wi:.1f}" y="{y}" width="{wo:.1f}" height="16" fill="{PALETTE[1]}"/>'
        )
        parts.append(
            f'<text x="{x + wi + wo + 6:.1f}" y="{y + 13}" class="axis">'
            f"{inp:,} in / {out:,} out</text>"
        )
        y += 22
    height = y + 20
    style = (
        "<style>.title{font:bold 15px sans-serif}.axis{font:11px sans-serif;fill:#333}"
        ".grid{stroke:#ddd;stroke-width:1}</style>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{height}" '
        f'viewBox="0 0 {_W} {height}" role="img">{style}{"".join(parts)}</svg>\n'
    )


def _html(data: ChartData) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(data.title)}</title></head>"
        f'<body style="margin:20px;background:#fff">\n{_svg(data)}</body></html>\n'
    )
