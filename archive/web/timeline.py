"""Matches by month as bars for an inline SVG chart, each bar narrowing the search to its month."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 120
# twenty years of months keeps each bar wide enough to point at; a longer span shows its newest months
MAX_MONTHS = 240
# the share of its month a bar fills, so neighbours stay apart; and a month with any match stays visible
BAR_FILL = 0.85
MIN_HEIGHT = 2.0
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class Bar:
    month: str  # YYYY-MM
    label: str  # "March 2024"
    count: int
    x: float
    y: float
    width: float
    height: float
    first_day: str
    last_day: str


def month_span(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    year, month = first
    while (year, month) <= last:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def bars(month_counts: list[tuple[str, int]]) -> list[Bar]:
    """One bar per month from the first to the last with matches, empty months included so gaps show."""
    counts = {}
    for key, n in month_counts:
        m = _MONTH.fullmatch(key)
        if m and 1 <= int(m.group(2)) <= 12:
            counts[(int(m.group(1)), int(m.group(2)))] = n
    if not counts:
        return []
    months = month_span(min(counts), max(counts))[-MAX_MONTHS:]
    top = max(counts.get(m, 0) for m in months) or 1
    width = WIDTH / len(months)
    out = []
    for i, (year, month) in enumerate(months):
        n = counts.get((year, month), 0)
        height = max(HEIGHT * n / top, MIN_HEIGHT) if n else 0.0
        out.append(Bar(month=f"{year:04d}-{month:02d}", label=f"{calendar.month_name[month]} {year}", count=n,
                       x=round(i * width, 2), y=round(HEIGHT - height, 2), width=round(width * BAR_FILL, 2),
                       height=round(height, 2), first_day=f"{year:04d}-{month:02d}-01",
                       last_day=f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"))
    return out
