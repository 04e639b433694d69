"""Search: parse a user's query safely, run it against the index, return exact counts and snippets."""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time as dtime
from html import escape
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
from whoosh.highlight import ContextFragmenter, Formatter, get_text
from whoosh.query import And, DateRange, Every, Term

MAX_QUERY_CHARS = 500
MAX_TERMS = 40
TIME_LIMIT = 3.0
QUERY_FIELDS = ("title", "text", "speaker", "country", "source", "kind", "language")
SORTS = ("relevance", "date", "-date")
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u300c": '"', "\u300d": '"', "\uff02": '"'})


class QueryError(Exception):
    """A query we will not run; the message is for the user, one line."""


@dataclass
class Hit:
    id: str
    url: str
    title: str
    date: str | None
    source: str
    country: str
    ministry: str
    language: str
    kind: str
    speaker: str
    score: float
    snippet: str  # HTML, built escaped by MarkFormatter; the only scraped text that may be marked safe

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    offset: int = 0
    limit: int = 20

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "offset": self.offset, "limit": self.limit,
                "hits": [h.to_json() for h in self.hits]}


class MarkFormatter(Formatter):
    """Snippet HTML: every piece of scraped text escaped, matches wrapped in <mark>."""
    between = " … "

    def _text(self, text):
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % escape(get_text(text, token, replace), quote=False)


def _parser(schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(["title", "text", "speaker"], schema,
                                      fieldboosts={"title": 2.0, "text": 1.0, "speaker": 1.0},
                                      group=qparser.AndGroup)
    # Wildcards and `*:*` are off: one `a*` expanded to 1,425 terms and took 7 s on 20k statements.
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.remove_plugin_class(qparser.EveryPlugin)
    parser.remove_plugin_class(qparser.BoostPlugin)
    # + and - only at the start of a word: "press-conference" is one value, not "press NOT conference"
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


def parse_query(parser, q: str):
    q = q.translate(_QUOTES).strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(q)} characters (at most {MAX_QUERY_CHARS})")
    if q.count('"') % 2:
        raise QueryError('unbalanced quotation mark: close the "phrase"')
    if q.count("(") != q.count(")"):
        raise QueryError("unbalanced parenthesis in the query")
    for word in q.replace("(", " ").split():
        name, sep, _ = word.lstrip("-+").partition(":")
        if sep and name.isidentifier() and name.lower() not in QUERY_FIELDS and name.upper() not in (
                "AND", "OR", "NOT"):
            raise QueryError(f"unknown field {name!r}; fields are {', '.join(QUERY_FIELDS)}")
    try:
        query = parser.parse(q)
    except Exception as e:  # whoosh raises assorted errors for odd syntax; the user needs one line
        raise QueryError(f"could not read the query: {e}") from None
    # count words, not (field, word) pairs: every word is searched in three fields
    words = {text for _, text in query.iter_all_terms(phrases=True)}
    if len(words) > MAX_TERMS:
        raise QueryError(f"query too complex: {len(words)} words (at most {MAX_TERMS})")
    return query


class _Deadline(TimeLimitCollector):
    """Checks the clock on every collected document, so it still works under a FilterCollector
    (which drives `collect` itself and would bypass TimeLimitCollector's own loop)."""

    def collect(self, sub_docnum):
        if self.timedout:
            raise TimeLimit
        return self.child.collect(sub_docnum)


def _bounded(collector, filt, seconds: float):
    # the filter must wrap the time limit: whoosh applies filters only in the outermost collect loop
    timed = _Deadline(collector, timelimit=seconds, use_alarm=False)
    return FilterCollector(timed, filt) if filt is not None else timed


class Searcher:
    """One long-lived Whoosh searcher: opening one costs hundreds of ms on a large index."""

    def __init__(self, index_dir: Path):
        if not whoosh_index.exists_in(str(index_dir)):
            raise FileNotFoundError(f"no index in {index_dir}")
        self._ix = whoosh_index.open_dir(str(index_dir), readonly=True)
        self._searcher = self._ix.searcher()
        self._parser = _parser(self._ix.schema)
        self._lock = threading.Lock()

    def refresh(self):
        with self._lock:
            self._searcher = self._searcher.refresh()

    def close(self):
        self._searcher.close()

    def _values(self, fieldname: str) -> list[str]:
        return sorted({(f.get(fieldname) or "") for f in self._searcher.all_stored_fields()} - {""})

    def sources(self) -> list[str]:
        return self._values("source")

    def countries(self) -> list[str]:
        return self._values("country")

    def search(self, q: str, *, country: str | None = None, source: str | None = None,
               date_from: date | None = None, date_to: date | None = None, limit: int = 20,
               offset: int = 0, sort: str = "relevance") -> Results:
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        if limit < 0 or offset < 0:
            raise QueryError("limit and offset must not be negative")
        q = (q or "").strip()
        query = parse_query(self._parser, q) if q else Every()
        filters = []
        if country:
            filters.append(Term("country", country.lower()))
        if source:
            filters.append(Term("source", source.lower()))
        if date_from or date_to:
            start = datetime.combine(date_from, dtime.min) if date_from else None
            end = datetime.combine(date_to, dtime.max) if date_to else None
            filters.append(DateRange("date", start, end))
        filt = And(filters) if filters else None
        if not q and sort == "relevance":
            sort = "-date"  # an empty query lists the newest statements
        searcher = self._searcher
        deadline = time.monotonic() + TIME_LIMIT
        try:
            kwargs = {"terms": True}
            if sort != "relevance":
                kwargs.update(sortedby="sortdate", reverse=sort == "-date")
            timed = _bounded(searcher.collector(limit=max(1, offset + limit), **kwargs), filt, TIME_LIMIT)
            searcher.search_with_collector(query, timed)
            results = timed.results()
            total = self._exact_total(query, filt, results, offset + limit, deadline)
        except TimeLimit:
            raise QueryError(f"the query took longer than {TIME_LIMIT:.0f} s; make it more specific") from None
        page = results[offset:offset + limit]
        results.fragmenter = ContextFragmenter(maxchars=300, surround=80)
        results.formatter = MarkFormatter()
        hits = []
        for r in page:
            snippet = r.highlights("text", top=2) if q else ""
            if not snippet:
                snippet = escape(r.get("text", "")[:240], quote=False)
            hits.append(Hit(
                id=r["id"], url=r["url"], title=r["title"], date=r.get("date_text") or None,
                source=r["source"], country=r["country"], ministry=r.get("ministry", ""),
                language=r["language"], kind=r["kind"], speaker=r.get("speaker", ""),
                score=round(float(r.score or 0.0), 4), snippet=snippet))
        return Results(query=q, total=total, hits=hits, offset=offset, limit=limit)

    def _exact_total(self, query, filt, results, wanted: int, deadline) -> int:
        # `len(results)` on a limited search is an estimate, wrong for some boolean and filtered queries:
        # unless the page already holds every match, count them all, unscored
        if results.scored_length() < max(1, wanted):
            return results.scored_length()
        counter = _bounded(self._searcher.collector(limit=None, scored=False), filt,
                           max(0.1, deadline - time.monotonic()))
        self._searcher.search_with_collector(query, counter)
        return counter.results().scored_length()
