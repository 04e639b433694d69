"""What each page shows, gathered once: the HTML pages render it and their /api twins serialize it."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from flask import abort, current_app, url_for

from .. import cite, citation, textdiff
from ..datadir import DataDir
from ..search import MAX_QUERY_CHARS, MAX_TERMS, SORTS, TIME_LIMIT, Hit, NoIndex, QueryError, Results, Searcher
from ..store import Store

EXTENSION = "policy_archive"
PAGE_SIZE = 20
MAX_LIMIT = 100
# the filter dropdowns scan every stored document; a new source or country is rare, so a minute's lag is fine
FACETS_SECONDS = 60.0
EMPTY_ARCHIVE = "The archive is empty: run 'policy-archive crawl' or 'policy-archive import' to fill it."
NO_INDEX = ("The archive has no search index yet: run 'policy-archive crawl' or 'policy-archive import' "
            "(statements become searchable as they are indexed).")
# the statement as the API publishes it; anything else in the row (indexed_hash) is bookkeeping
STATEMENT_FIELDS = ("id", "source", "guid", "url", "country", "ministry", "language", "kind", "title", "date",
                    "speakers", "tags", "paragraphs", "turns", "content_hash", "first_seen", "fetched_at",
                    "revision_count", "withdrawn_at")

# filters the search layer gained later; an older Searcher is told only about the ones it knows
EXPORT_PAGE = 500
EXPORT_MAX = 100_000

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_KIND = re.compile(r"[a-z][a-z-]{0,39}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
_YEAR = re.compile(r"[0-9]{4}")
MAX_SPEAKER_CHARS = 200
# nine digits keep absurd pages out of the collector while allowing any real archive's last page
_WHOLE = re.compile(r"[0-9]{1,9}")


class ArchiveUnavailable(Exception):
    """No store or no index to read: the message tells the reader which command fills the archive."""


class BadSearch(ValueError):
    """A search the user has to fix (a filter value or the query itself); the message is one line."""


class _Generation:
    """A Searcher and how many requests are using it."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.users = 0
        self.retired = False
        # Whoosh reads through file objects that its searcher shares: one search at a time on each
        # searcher; it searches in pure Python under the GIL, so serializing them costs little
        self.lock = threading.Lock()


class Backend:
    """The app's one Store and the Searcher of the index's latest state, opened on first use so the server
    can start before a crawl.

    A crawl in another process commits to the index, and a reindex makes a new index live: every
    `refresh_seconds` a request looks whether the index changed, and if so opens a new Searcher beside the
    one in use and publishes it whole (searcher and caches). A request keeps the searcher it started with
    to its end; a replaced one is closed when its last request is done. If the new one cannot be opened,
    requests go on with the old one and the next check tries again. The store has its own lock, so
    statement pages never wait behind a slow search.
    """

    def __init__(self, root: Path, refresh_seconds: float):
        self.datadir = DataDir(Path(root))
        self.refresh_seconds = refresh_seconds
        self._store_lock = threading.Lock()
        self._store: Store | None = None
        # guards which generation is current and the counts of users
        self._lock = threading.Lock()
        # one request at a time opens a new searcher; the others search the current one meanwhile
        self._opening = threading.Lock()
        self._current: _Generation | None = None
        self._checked = 0.0
        self._facets: dict[str, list[str]] | None = None
        self._facets_at = 0.0

    def _require_db(self):
        if not self.datadir.db_path.is_file():
            current_app.logger.warning("no archive database at %s", self.datadir.db_path)
            raise ArchiveUnavailable(EMPTY_ARCHIVE)

    def store(self) -> Store:
        with self._store_lock:
            if self._store is None:
                self._require_db()
                self._store = Store(self.datadir.db_url)
            return self._store

    def _open_first(self):
        with self._opening:
            if self._current is not None:
                return
            self._require_db()
            try:
                searcher = Searcher(self.datadir.index_dir)
            except NoIndex:
                current_app.logger.warning("no search index in %s", self.datadir.index_dir)
                raise ArchiveUnavailable(NO_INDEX) from None
            self._checked = time.monotonic()
            self._publish(searcher)

    def _refresh(self):
        if not self._opening.acquire(blocking=False):
            return
        try:
            if time.monotonic() - self._checked < self.refresh_seconds:
                return
            try:
                fresh = Searcher(self.datadir.index_dir) if self._current.searcher.stale() else None
            except Exception as e:
                # the searcher in use still answers; the next check tries again
                current_app.logger.warning("could not open the changed search index, searching the one before: %r", e)
                fresh = None
            self._checked = time.monotonic()
            if fresh is not None:
                self._publish(fresh)
        finally:
            self._opening.release()

    def _publish(self, searcher: Searcher | None):
        with self._lock:
            old, self._current = self._current, searcher and _Generation(searcher)
            if old is not None:
                old.retired = True
            done = old is not None and old.users == 0
        if done:
            old.searcher.close()

    def lease(self) -> _Generation:
        """The current searcher, kept open for the caller until `release`: for a response that runs several
        searches (a streamed export), which must all read the same state of the index."""
        if self._current is None:
            self._open_first()
        elif time.monotonic() - self._checked >= self.refresh_seconds:
            self._refresh()
        with self._lock:
            gen = self._current
            gen.users += 1
            return gen

    def release(self, gen: _Generation):
        with self._lock:
            gen.users -= 1
            done = gen.retired and gen.users == 0
        if done:
            gen.searcher.close()

    @contextmanager
    def searching(self, held: _Generation | None = None) -> Iterator[Searcher]:
        """The current searcher (or the one `held`), for one search: it stays open until the search is done."""
        gen = held or self.lease()
        try:
            with gen.lock:
                yield gen.searcher
        finally:
            if held is None:
                self.release(gen)

    def search(self, params: SearchParams, facets: bool = False, held: _Generation | None = None) -> Results:
        with self.searching(held) as searcher:
            return searcher.search(
                params.q, country=params.country, source=params.source, kind=params.kind,
                language=params.language, speaker=params.speaker, year=params.year,
                date_from=params.date_from, date_to=params.date_to, limit=params.limit, offset=params.offset,
                sort=params.sort, facets=facets)

    def cite(self, text: str, params: SearchParams) -> dict:
        with self.searching() as searcher:
            return cite.lookup(text, searcher, self.store(), country=params.country, source=params.source,
                               speaker=params.speaker, date_from=params.date_from, date_to=params.date_to)

    def facets(self) -> dict[str, list[str]]:
        with self.searching() as searcher:
            now = time.monotonic()
            if self._facets is None or now - self._facets_at >= FACETS_SECONDS:
                self._facets = {"countries": searcher.countries(), "sources": searcher.sources()}
                self._facets_at = now
            return self._facets

    def close(self):
        self._publish(None)
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def backend() -> Backend:
    return current_app.extensions[EXTENSION]


@dataclass(frozen=True)
class SearchParams:
    q: str
    country: str | None
    source: str | None
    date_from: date | None
    date_to: date | None
    sort: str
    limit: int
    offset: int
    kind: str | None = None
    language: str | None = None
    speaker: str | None = None
    year: int | None = None

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


def _whole(args: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not _WHOLE.fullmatch(raw) or int(raw) < minimum:
        raise BadSearch(f"“{name}” must be a whole number of at least {minimum}")
    return int(raw)


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        if _DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise BadSearch(f"“{name}” must be a date written YYYY-MM-DD, not “{raw[:40]}”")


def parse_search(args: Mapping[str, str], max_limit: int = MAX_LIMIT) -> SearchParams:
    """The search a query string asks for, the same for the page and the API (page, or limit and offset)."""
    limit = min(_whole(args, "limit", PAGE_SIZE, 1), max_limit)
    if args.get("offset", "").strip():
        offset = _whole(args, "offset", 0, 0)
    else:
        offset = (_whole(args, "page", 1, 1) - 1) * limit
    country = args.get("country", "").strip()
    if country and not _COUNTRY.fullmatch(country):
        raise BadSearch("“country” must be a two-letter code such as CN")
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadSearch("“from” is after “to”: swap the dates")
    sort = args.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise BadSearch(f"“sort” must be one of {', '.join(SORTS)}")
    kind = _matching(args, "kind", _KIND, "a kind such as press-conference")
    language = _matching(args, "language", _LANGUAGE, "a language code such as en or zh")
    year = _matching(args, "year", _YEAR, "a four-digit year")
    speaker = args.get("speaker", "").strip()
    if len(speaker) > MAX_SPEAKER_CHARS:
        raise BadSearch(f"“speaker” must be at most {MAX_SPEAKER_CHARS} characters")
    return SearchParams(q=args.get("q", "").strip(), country=country.upper() or None,
                        source=args.get("source", "").strip() or None, date_from=date_from, date_to=date_to,
                        sort=sort, limit=limit, offset=offset, kind=kind, language=language and language.lower(),
                        speaker=speaker or None, year=int(year) if year else None)


def _matching(args: Mapping[str, str], name: str, pattern: re.Pattern, what: str) -> str | None:
    raw = args.get(name, "").strip()
    if raw and not pattern.fullmatch(raw):
        raise BadSearch(f"“{name}” must be {what}, not “{raw[:40]}”")
    return raw or None


def search(args: Mapping[str, str], facets: bool = False) -> tuple[SearchParams, Results]:
    params = parse_search(args)
    return params, run(params, facets)


def run(params: SearchParams, facets: bool = False, held=None) -> Results:
    try:
        results = backend().search(params, facets, held)
    except QueryError as e:
        raise BadSearch(str(e)) from None
    gone = backend().store().withdrawn_among([h.id for h in results.hits])
    for hit in results.hits:
        hit.withdrawn = gone[hit.id].isoformat() if hit.id in gone else None
    return results


class HitPages:
    """The matches from `params.offset`, up to `params.limit` and EXPORT_MAX of them, a page at a time so
    that memory stays flat, all from the searcher the first page came from: a newer one could shift the
    matches between pages, losing or repeating hits. `first` is the first page's Results (the total, the
    suggestion).

    The first page runs at once, so a bad search fails while the response can still be a 400; the later
    pages run as the client reads, so the caller streams them with the request context, and closes this
    when done (or it is closed when collected), which lets the searcher go.
    """

    def __init__(self, params: SearchParams):
        self._backend = backend()
        self._held = None
        self._held = self._backend.lease()
        self._params = params
        self._stop = params.offset + min(params.limit, EXPORT_MAX)
        try:
            self.first = run(replace(params, limit=min(EXPORT_PAGE, self._stop - params.offset)), held=self._held)
        except BaseException:
            self.close()
            raise
        self._pages = self._walk()

    def _walk(self) -> Iterator[list[Hit]]:
        results = self.first
        while True:
            yield results.hits
            offset = results.offset + len(results.hits)
            end = min(self._stop, results.total)
            if not results.hits or offset >= end:
                return
            results = run(replace(self._params, offset=offset, limit=min(EXPORT_PAGE, end - offset)), held=self._held)

    def __iter__(self) -> Iterator[list[Hit]]:
        return self

    def __next__(self) -> list[Hit]:
        try:
            return next(self._pages)
        except StopIteration:
            self.close()
            raise

    def close(self):
        held, self._held = self._held, None
        if held is not None:
            self._backend.release(held)

    def __del__(self):
        self.close()


def all_hits(args: Mapping[str, str]) -> HitPages:
    """Every match of a search (up to EXPORT_MAX), a page at a time, for the exports."""
    return HitPages(replace(parse_search(args), limit=EXPORT_MAX, offset=0))


def statement(sid: str) -> dict:
    """One statement with every public field, plus the other statements published the same day."""
    store = backend().store()
    row = store.get(sid)
    if row is None:
        abort(404, description=f"There is no statement with id “{sid[:64]}” in the archive.")
    st = {k: row[k] for k in STATEMENT_FIELDS}
    st["same_day"] = store.same_day(st["date"][:10], exclude=sid) if st["date"] else []
    return st


REVISION_FIELDS = ("seq", "title", "paragraphs", "content_hash", "first_seen", "last_seen")
CHANGES_SIZE = 50


def revisions(sid: str) -> dict:
    """A statement's text revisions, oldest first; 404 when the archive has no such statement."""
    store = backend().store()
    row = store.get(sid)
    if row is None:
        abort(404, description=f"There is no statement with id “{sid[:64]}” in the archive.")
    return {"id": sid, "title": row["title"],
            "revisions": [{k: r[k] for k in REVISION_FIELDS} for r in store.revisions(sid)]}


def revision_diff(sid: str, args: Mapping[str, str]) -> dict:
    """Two revisions a query string names (from, to: by default the first and the latest) and their diff."""
    found = revisions(sid)
    revs = found["revisions"]
    picked = []
    for name, default in (("from", 1), ("to", len(revs))):
        n = _whole(args, name, default, 1)
        if n > len(revs):
            raise BadSearch(f"“{name}” must be a revision number from 1 to {len(revs)}")
        picked.append(n)
    old, new = (revs[n - 1] for n in picked)
    return {**found, "from": picked[0], "to": picked[1],
            "diff": textdiff.revision_diff(old, new)}


def recent_changes(args: Mapping[str, str]) -> dict:
    """The newest edits across the archive, each with the page comparing it to the revision before, and the
    statements most recently found taken down."""
    limit = min(_whole(args, "limit", CHANGES_SIZE, 1), MAX_LIMIT)
    store = backend().store()
    return {"changes": [{**c, "diff_url": url_for("pages.revisions", sid=c["id"],
                                                  **{"from": c["seq"] - 1, "to": c["seq"]})}
                        for c in store.recent_changes(limit)],
            "withdrawn": store.recent_withdrawals(limit)}


def lookup(args: Mapping[str, str]) -> dict:
    """A citation lookup with the search filters; BadSearch for a bad filter or an empty text."""
    params = parse_search({k: v for k, v in args.items() if k != "q"})
    try:
        return backend().cite(args.get("q", ""), params)
    except cite.CiteError as e:
        raise BadSearch(str(e)) from None


def citation_of(sid: str, args: Mapping[str, str], base_url: str) -> tuple[dict, int | None]:
    """The statement and the paragraph a cite request names; BadSearch for a paragraph it does not have."""
    st = statement(sid)
    raw = args.get("paragraph", "").strip()
    paragraph = None
    if raw:
        if not _WHOLE.fullmatch(raw):
            raise BadSearch("“paragraph” must be a paragraph number")
        paragraph = int(raw)
    try:
        citation.work(st, base_url, paragraph)
    except citation.CitationError as e:
        raise BadSearch(str(e)) from None
    return st, paragraph


def turn_starts(st: dict) -> dict[int, dict]:
    """Paragraph index → the transcript turn that opens there, for labelling who speaks."""
    return {t["start"]: t for t in st.get("turns") or []}


# the query syntax, for the help page and its JSON twin; each example is a query a reader can run
SYNTAX = [
    {"syntax": "missile deployment", "means": "statements with all of these words (English words are stemmed: "
                                              "deployments finds deployment)"},
    {"syntax": '"Nansei islands"', "means": "the exact phrase; straight or curly quotes"},
    {"syntax": "Taiwan OR Taipei", "means": "either word"},
    {"syntax": "sanctions -Russia", "means": "without a word (also NOT Russia)"},
    {"syntax": "(Japan OR Philippines) AND missile", "means": "grouping"},
    {"syntax": "title:briefing", "means": "a word in one field: title, text, speaker, country, source, kind, "
                                          "language"},
    {"syntax": "kind:press-conference country:CN", "means": "exact values of a statement's fields"},
    {"syntax": "date:2024-11-01..2024-11-30", "means": "a date range, as the ministry dated it; also "
                                                       "date:2024-11, date:2024, date:..2023-12-31"},
    {"syntax": "台湾问题", "means": "Chinese is split into words; parts of long words are found too "
                                   "(制裁 finds 单边制裁)"},
]
LIMITS = {"max_query_characters": MAX_QUERY_CHARS, "max_words": MAX_TERMS, "time_limit_seconds": TIME_LIMIT,
          "wildcards": "not supported: one a* can expand to thousands of words"}
