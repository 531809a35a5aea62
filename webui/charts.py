"""Chart geometry for the dashboard: numbers in, shapes out. The templates draw them as SVG
(no script, so the strict Content-Security-Policy holds), with a title on every shape for the
exact figure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # a CSS class suffix: the category, team or band
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: float
    plot_bottom: float


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 times a power of ten that is at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def stacked_columns(
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    width: int = 760,
    height: int = 240,
    every: int = 1,
    kinds: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> Chart:
    """One column per label, stacked by series (in the order given); every `every`-th label is
    written under the axis. `kinds` names each series' CSS class, if not the series name; `names`
    what people read for a series in the bars' titles, if not the series name."""
    left, bottom, top = 40.0, height - 24.0, 8.0
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    ceiling = nice_ceiling(max(totals, default=0))
    scale = (bottom - top) / ceiling
    slot = (width - left) / max(len(labels), 1)
    column = slot * 0.7
    shown = names or {}
    bars = []
    for i, label in enumerate(labels):
        x, y = left + i * slot + (slot - column) / 2, bottom
        for name, values in series.items():
            if values[i] <= 0:
                continue
            h = values[i] * scale
            y -= h
            kind = (kinds or {}).get(name, name)
            bars.append(Bar(x, y, column, h, kind, f"{label}: {values[i]} {shown.get(name, name)}"))
    # Gridlines at whole, round numbers: 0-5-10-15-20, 0-10-...-50, 0-1-2.
    steps = next((n for n in (4, 5, 2) if ceiling % n == 0), 1)
    y_ticks = [
        Tick(bottom - n * (bottom - top) / steps, str(ceiling * n // steps))
        for n in range(steps + 1)
    ]
    x_ticks = [
        Tick(left + i * slot + slot / 2, label)
        for i, label in enumerate(labels)
        if i % every == 0 or i == len(labels) - 1
    ]
    return Chart(width, height, bars, y_ticks, x_ticks, left, bottom)


def horizontal_bars(
    rows: Sequence[tuple[str, int]], *, width: int = 360, row_height: int = 22, kind: str = "bar"
) -> Chart:
    """One bar per (label, value), longest first as given; titles carry value and share."""
    total = sum(value for _, value in rows) or 1
    longest = max((value for _, value in rows), default=0) or 1
    left = 130.0
    bars = [
        Bar(left, i * row_height + 3, (width - left - 48) * value / longest, row_height - 6,
            kind, f"{label}: {value} ({value / total:.0%})")
        for i, (label, value) in enumerate(rows)
    ]  # fmt: skip
    labels = [Tick(i * row_height + row_height / 2, label) for i, (label, _) in enumerate(rows)]
    return Chart(width, max(len(rows), 1) * row_height, bars, labels, [], left, 0)
