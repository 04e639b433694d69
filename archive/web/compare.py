"""The compare view: what each ministry said about one search, lane by lane, under a shared timeline.

A lane is a country. The index holds the country as a field it counts matches by (a facet), while a
ministry's name is only stored with each statement; and the archive's sources of one country are one
foreign ministry publishing in several languages (the China MFA in Chinese and in English), which
belong in one lane. A lane names the ministry as its statements do.

Everything comes from the search engine: the countries' counts from the country facet, then per lane one
search for its best hits with its matches counted by day and source, and two one-hit searches for its first
and latest statement. No match's stored fields are read beyond those shown.

A text several ministries published (a joint statement) is in each of their lanes, once: the store links a
ministry's own copies at two addresses (store/sametext.py), and a lane counts such copies as one text when
more than one of them matches. Each entry shown names the other ministries that published its text.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timezone

from flask import url_for

from ..search.query import MAX_LIMIT, SearchQuery
from ..search.searcher import Hit
from . import marks, views
from .backend import backend
from .links import with_query
from .params import BadArgument

HITS = 5
MAX_LANES = 20
_CODE = re.compile(r"[A-Za-z]{2}")
# the arguments of a compare view that are no search's: the search it links back to drops them, with the
# paging, which a comparison has none of
OWN_ARGS = ("countries",)
PAGING = ("page", "offset", "limit")


def picked(args: Mapping[str, str]) -> list[str] | None:
    """The countries a reader asked for (`countries=CN,RU`), in their order; None when they asked for none."""
    raw = args.get("countries", "").strip()
    if not raw:
        return None
    codes = [c.strip() for c in raw.split(",")]
    if not all(_CODE.fullmatch(c) for c in codes):
        raise BadArgument(f"“countries” must be two-letter codes separated by commas, such as CN,RU,US, "
                          f"not “{raw[:40]}”")
    codes = list(dict.fromkeys(c.upper() for c in codes))
    if len(codes) > MAX_LANES:
        raise BadArgument(f"“countries” may name at most {MAX_LANES} countries")
    return codes


def _instant(iso: str | None) -> datetime:
    # statements dated without an offset are taken as UTC; undated ones come after every dated one
    if not iso:
        return datetime.max.replace(tzinfo=timezone.utc)
    when = datetime.fromisoformat(iso)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def same_text_mark(country: str, also: list[dict]) -> str | None:
    """What a lane says of an entry whose text others published too: "joint · also GB, US" for other
    ministries, "also at another address" for its own ministry's second copy."""
    others = sorted({c["country"] for c in also} - {country})
    parts = (["joint · also " + ", ".join(others)] if others else []) + (
        ["also at another address"] if any(c["country"] == country for c in also) else [])
    return " · ".join(parts) or None


def _copies_matching(query: SearchQuery, held) -> int:
    """How many of the lane's matches are a second (third …) copy of a text its ministry published at several
    addresses: those to count once. Each copy is looked for among the lane's matches of its own source and
    day, a handful; an undated copy is not, and is counted as a text of its own."""
    pairs = backend().store().copies_within(query.country)
    if not pairs:
        return 0
    days = {(source, date.fromisoformat(published[:10])) for pair in pairs
            for _, source, published in (pair[:3], pair[3:]) if published}
    matched = set()
    for source, day in days:
        # a copy outside the search's own source or period is none of the lane's matches
        if (query.source or source) != source or not (query.date_from or day) <= day <= (query.date_to or day):
            continue
        narrowed = replace(query, source=source, date_from=day, date_to=day, offset=0, limit=MAX_LIMIT)
        matched.update(h.id for h in views.run(narrowed, held=held).hits)
    # copies linked to each other, directly or through a third, are one text
    parent: dict[str, str] = {}

    def root(sid: str) -> str:
        while parent.setdefault(sid, sid) != sid:
            sid = parent[sid]
        return sid
    for a, _, _, b, _, _ in pairs:
        if a in matched and b in matched:
            parent[root(a)] = root(b)
    return len(parent) - len({root(sid) for sid in parent})


class Comparison:
    """A search's lanes and timeline: `found` is the JSON twin, `timeline` the drawing the page shows."""

    def __init__(self, args: Mapping[str, str]):
        self._args = {k: v for k, v in args.items() if k not in PAGING}
        query = SearchQuery.from_args(args)
        # a search narrowed to one country compares that country alone; lanes replace the country filter
        picks = picked(args) or ([query.country] if query.country else None)
        self.query = replace(query, country=None, sort="relevance", offset=0, limit=HITS)
        held = backend().lease()
        try:
            overall = views.run(replace(self.query, limit=0), facets=("country", "outlet"), held=held)
            countries = picks or [c for c, _ in overall.facets.get("country", [])][:MAX_LANES]
            lanes = [self._lane(country, held) for country in countries]
        finally:
            backend().release(held)
        # who spoke first comes first; lanes without matches last, in the order they were asked for
        lanes.sort(key=lambda lane: _instant(lane["first"]["date"] if lane["first"] else None))
        named = {lane["country"]: self._named(lane) for lane in lanes}
        self.timeline = marks.layout([(lane["country"], lane["ministry"] or lane["country"], lane.pop("days"))
                                      for lane in lanes], named)
        self._lanes = ",".join(lane["country"] for lane in lanes)
        period = self.query.date_from or self.query.date_to
        self.found = {
            "query": self.query.text, "total": overall.total, "lanes": lanes,
            "timeline": self.timeline.to_json(self.narrowed),
            "search_url": self.search_url(), "csv_url": self.url("feeds.compare_csv"),
            # who asked: the conferences matching the search in which each outlet asked a question
            "outlets": [{"outlet": name, "count": n, "compare_url": self.url("pages.compare_page", outlet=name),
                         "questions_url": with_query(url_for("pages.outlet", name=name), {"q": self.query.text})}
                        for name, n in overall.facets.get("outlet") or []],
            "period": {"from": self.query.date_from, "to": self.query.date_to,
                       "widen_url": self.url("pages.compare_page", **{"from": None, "to": None}) if period else None},
        }

    def _lane(self, country: str, held) -> dict:
        query = replace(self.query, country=country)
        results = views.run(query, facets=("day", "source"), held=held)
        days = results.facets.get("day") or []
        latest = first = None
        if results.total:
            latest = views.one(query, held, sort="-date")
            # undated statements sort first when the oldest come first: look from the first day with any
            first = views.one(query, held, sort="date", date_from=date.fromisoformat(days[0][0])) if days else latest
        shown = [h for h in (*results.hits, first, latest) if h is not None]
        repeated = _copies_matching(query, held) if results.total else 0
        return {"country": country, "ministry": " / ".join(dict.fromkeys(h.ministry for h in shown if h.ministry)),
                "count": results.total - repeated, "copies_counted_once": repeated,
                "sources": [{"source": s, "count": n} for s, n in results.facets.get("source") or []],
                "first": self._entry(first), "latest": self._entry(latest),
                "hits": [self._entry(h) for h in results.hits], "days": days,
                "search_url": self.search_url(country=country)}

    def _entry(self, hit: Hit | None) -> dict | None:
        if hit is None:
            return None
        anchor = f"p{hit.paragraph}" if hit.paragraph else None
        return {**hit.to_json(), "statement_url": url_for("pages.statement", sid=hit.id, q=self.query.text or None,
                                                          _anchor=anchor),
                "same_text": same_text_mark(hit.country, hit.also_published_by)}

    @staticmethod
    def _named(lane: dict) -> dict[str, list[str]]:
        # the titles the page knows for a day of a lane: its hits, first and latest, as their ministry dated them
        out: dict[str, list[str]] = {}
        for entry in (lane["first"], *lane["hits"], lane["latest"]):
            if entry and entry["date"]:
                out.setdefault(entry["date"][:10], []).append(entry["title"])
        return out

    def search_url(self, **changes) -> str:
        """The search this comparison is of, with `changes`: the way back, or one lane's every match."""
        args = {k: v for k, v in self._args.items() if k not in OWN_ARGS}
        return with_query(url_for("pages.search_page"), {**args, **changes})

    def url(self, endpoint: str, **changes) -> str:
        return with_query(url_for(endpoint), {**self._args, **changes})

    def narrowed(self, period: marks.Period) -> str:
        """This comparison within `period`: its lanes stay as they are, an empty one saying so, rather than
        becoming the period's own few."""
        return self.url("pages.compare_page", **{"from": period.first_day, "to": period.last_day,
                                                 "countries": self._lanes})
