"""The compare view's shared timeline: one row per lane and a mark per day or month with matches, laid out
for an SVG the server draws (the page has no script), and the same marks as data for the JSON twin."""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from .timeline import month_span

WIDTH = 420
# the column of the row labels (country codes), the height of a row, and the band of the axis labels
LABEL = 34
ROW = 30
AXIS = 22
# matches spanning this many days or fewer are marked day by day; a longer span month by month
MAX_DAYS = 92
MIN_RADIUS = 2.5
# neighbours may overlap a little (marks are translucent) rather than shrink out of sight over many months
MIN_WIDEST = 5.0
MAX_RADIUS = ROW * 0.42
# the faintest mark still reads against the row's line
MIN_OPACITY = 0.35
# the first, middle and last period: more labels would collide at a phone's width
TICKS = 3
# titles named in a mark's tooltip: enough to tell who answered whom, not a list to read
NAMED = 3


@dataclass(frozen=True)
class Period:
    key: str  # YYYY-MM-DD or YYYY-MM
    label: str  # "3 March 2024" or "March 2024"
    short: str  # the axis's "3 Mar 2024" or "Mar 2024"
    first_day: str
    last_day: str


@dataclass(frozen=True)
class Mark:
    period: Period
    count: int
    # the titles of matches of this period the page already knows (its lane's hits, first and latest)
    named: tuple[str, ...]
    x: float
    r: float
    opacity: float


@dataclass(frozen=True)
class Row:
    country: str
    label: str  # who the row is, for the tooltips
    y: float
    marks: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str  # SVG text-anchor: the first and last labels stay inside the drawing


@dataclass(frozen=True)
class Timeline:
    scale: str  # "day" or "month"
    periods: list[Period]
    rows: list[Row]
    ticks: list[Tick]
    width: int
    height: int
    left: int = LABEL  # where the rows' lines start, right of their labels

    def to_json(self, url) -> dict:
        """The marks as data: `url(period)` is the link that narrows every lane to a period."""
        return {"scale": self.scale, "from": self.periods[0].first_day if self.periods else None,
                "to": self.periods[-1].last_day if self.periods else None,
                "rows": [{"country": row.country, "marks": [
                    {"period": m.period.key, "label": m.period.label, "from": m.period.first_day,
                     "to": m.period.last_day, "count": m.count, "statements": list(m.named),
                     "url": url(m.period)} for m in row.marks]} for row in self.rows]}


def _day_period(day: date) -> Period:
    iso = day.isoformat()
    return Period(iso, f"{day.day} {calendar.month_name[day.month]} {day.year}",
                  f"{day.day} {calendar.month_abbr[day.month]} {day.year}", iso, iso)


def _month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year:04d}-{month:02d}", f"{calendar.month_name[month]} {year}",
                  f"{calendar.month_abbr[month]} {year}", f"{year:04d}-{month:02d}-01",
                  f"{year:04d}-{month:02d}-{last:02d}")


def periods(first: date, last: date) -> list[Period]:
    """Every day from `first` to `last` when they are at most MAX_DAYS apart, else every month."""
    if (last - first).days < MAX_DAYS:
        return [_day_period(first + timedelta(days=i)) for i in range((last - first).days + 1)]
    return [_month_period(y, m) for y, m in month_span((first.year, first.month), (last.year, last.month))]


def layout(lanes: list[tuple[str, str, list[tuple[str, int]]]], named: dict[str, dict[str, list[str]]]) -> Timeline:
    """The timeline of `lanes` — (country, who it is, its matches by day as (YYYY-MM-DD, count)) — with
    `named[country][day]` the titles known for a day of a lane."""
    days = [date.fromisoformat(d) for _, _, counts in lanes for d, _ in counts]
    found = periods(min(days), max(days)) if days else []
    scale = "day" if found and len(found[0].key) == 10 else "month"
    index = {p.key: i for i, p in enumerate(found)}
    cell = (WIDTH - LABEL) / max(len(found), 1)
    per_lane = []
    for country, label, counts in lanes:
        by_period: dict[str, int] = {}
        titles: dict[str, list[str]] = {}
        for day, n in counts:
            key = day if scale == "day" else day[:7]
            by_period[key] = by_period.get(key, 0) + n
            titles.setdefault(key, []).extend(named.get(country, {}).get(day, []))
        per_lane.append((country, label, by_period, titles))
    top = max((n for *_, by_period, _ in per_lane for n in by_period.values()), default=1)
    # area, not radius, grows with the count, so a day of four statements does not look sixteen times one
    widest = min(MAX_RADIUS, max(MIN_WIDEST, cell / 2))
    rows = []
    for i, (country, label, by_period, titles) in enumerate(per_lane):
        y = ROW * i + ROW / 2
        marks = [Mark(found[index[key]], n, tuple(dict.fromkeys(titles[key]))[:NAMED],
                      x=round(LABEL + cell * (index[key] + 0.5), 2),
                      r=round(max(MIN_RADIUS, widest * math.sqrt(n / top)), 2),
                      opacity=round(MIN_OPACITY + (1 - MIN_OPACITY) * n / top, 2))
                 for key, n in sorted(by_period.items())]
        rows.append(Row(country, label, y, marks))
    return Timeline(scale, found, rows, _ticks(found, cell), WIDTH, ROW * len(rows) + AXIS)


def _ticks(found: list[Period], cell: float) -> list[Tick]:
    if not found:
        return []
    picks = sorted({round(i * (len(found) - 1) / (TICKS - 1)) for i in range(TICKS)})
    ticks = []
    for n, i in enumerate(picks):
        anchor = "start" if n == 0 else "end" if n == len(picks) - 1 else "middle"
        x = LABEL if anchor == "start" else WIDTH if anchor == "end" else LABEL + cell * (i + 0.5)
        ticks.append(Tick(round(x, 2), found[i].short, anchor))
    return ticks
