"""A day's page: every statement published that day, grouped by ministry, and the nearest days with any."""
from __future__ import annotations

import re
from datetime import date, datetime
from itertools import groupby

from flask import url_for

from .backend import backend
from .links import with_query
from .params import BadArgument

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD; BadArgument (a 400) for anything else or a day the calendar lacks."""
    if not _DAY.fullmatch(text):
        raise BadArgument(f"“{text[:40]}” is not a day: write it YYYY-MM-DD, such as 2024-03-05")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadArgument(f"The calendar has no day {text}") from None


def clock(iso: str) -> str | None:
    """The time of day a stored date gives, with its offset; None for a bare date, or midnight, which the
    ministries that publish no time write."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if len(iso) == 10 or (when.hour, when.minute) == (0, 0):
        return None
    return f"{when:%H:%M}" + (f" {when.tzname()}" if when.tzinfo else "")


def _entry(row: dict) -> dict:
    return {"id": row["id"], "title": row["title"], "date": row["date"], "time": clock(row["date"]),
            "kind": row["kind"], "speakers": row["speakers"], "language": row["language"],
            "source": row["source"], "url": row["url"],
            "statement_url": url_for("pages.statement", sid=row["id"])}


def _neighbour(day: str | None) -> dict | None:
    return {"date": day, "url": url_for("pages.day", day=day)} if day else None


def day(text: str) -> dict:
    """The statements of the day `text` names, by ministry (country and name, in that order), with the
    nearest earlier and later days that have any (empty days are skipped), and the search for that day."""
    iso = parse_day(text).isoformat()
    store = backend().store()
    rows = store.statements_of_day(iso)
    before, after = store.days_around(iso)
    groups = [{"country": country, "ministry": ministry, "statements": [_entry(r) for r in found]}
              for (country, ministry), found in groupby(rows, key=lambda r: (r["country"], r["ministry"]))]
    for g in groups:
        g["count"] = len(g["statements"])
    return {"date": iso, "total": len(rows), "ministries": groups,
            "previous": _neighbour(before), "next": _neighbour(after),
            "search_url": with_query(url_for("pages.search_page"), {"from": iso, "to": iso, "sort": "date"})}
