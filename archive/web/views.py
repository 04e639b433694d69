"""What each page shows, gathered once: the HTML pages render it and their /api twins serialize it."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from flask import abort, url_for

from ..alignment import aligned_turns
from ..cite import formats as citation
from ..cite.lookup import with_citations
from ..cite.versions import linked
from ..model import FIELDS, SEEN_FIELDS
from ..revisions import revision_diff as diff_revisions
from ..search.query import MAX_LIMIT, WHOLE, SearchQuery
from ..search.searcher import Hit, Results
from ..sources import SOURCES
from . import timeline
from .backend import backend
from .params import BadArgument, number

# the statement as the API publishes it; anything else in the row (indexed_hash) is bookkeeping
STATEMENT_FIELDS = FIELDS + SEEN_FIELDS
EXPORT_PAGE = 500
EXPORT_MAX = 100_000
# what a search hit says of each other statement holding its text
COPY_FIELDS = ("country", "ministry", "source", "id")


def results_for(args: Mapping[str, str], facets: bool | tuple[str, ...] = False) -> tuple[SearchQuery, Results]:
    """The search a query string asks for and its results; BadSearch for a bad one."""
    query = SearchQuery.from_args(args)
    return query, run(query, facets)


def run(query: SearchQuery, facets: bool | tuple[str, ...] = False, held=None) -> Results:
    """The results of a search, each hit marked when the official page was found taken down, and with the
    other statements holding its text."""
    results = backend().results(query, facets, held)
    ids = [h.id for h in results.hits]
    gone = backend().store().withdrawn_among(ids)
    copies = backend().store().copies_among(ids)
    for hit in results.hits:
        hit.withdrawn = gone[hit.id].isoformat() if hit.id in gone else None
        hit.also_published_by = [{k: c[k] for k in COPY_FIELDS} for c in copies.get(hit.id, [])]
    return results


def one(query: SearchQuery, held=None, **changes) -> Hit | None:
    """The first hit of the search `query` with `changes` (a sort, a date_from): a lane's or a speaker's
    first or latest statement."""
    hits = run(replace(query, limit=1, offset=0, **changes), held=held).hits
    return hits[0] if hits else None


def results_json(results: Results) -> dict:
    """The results page's twin: the hits, the total, the facets with their counts and, from the "month"
    facet, the timeline the page draws (every month from the first to the last with matches)."""
    out = results.to_json()
    if results.facets:
        out["timeline"] = [{"month": b.month, "label": b.label, "count": b.count, "from": b.first_day,
                            "to": b.last_day} for b in timeline.bars(results.facets.get("month") or [])]
    return out


class HitPages:
    """The matches from `query.offset`, up to `query.limit` and EXPORT_MAX of them, a page at a time so
    that memory stays flat, all from the searcher the first page came from: a newer one could shift the
    matches between pages, losing or repeating hits. `first` is the first page's Results (the total, the
    suggestion).

    The first page runs at once, so a bad search fails while the response can still be a 400; the later
    pages run as the client reads, so the caller streams them with the request context, and closes this
    when done (or it is closed when collected), which lets the searcher go.
    """

    def __init__(self, query: SearchQuery):
        self._backend = backend()
        self._held = None
        self._held = self._backend.lease()
        self._query = query
        self._stop = query.offset + min(query.limit, EXPORT_MAX)
        try:
            self.first = run(replace(query, limit=min(EXPORT_PAGE, self._stop - query.offset)), held=self._held)
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
            results = run(replace(self._query, offset=offset, limit=min(EXPORT_PAGE, end - offset)), held=self._held)

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
    return HitPages(replace(SearchQuery.from_args(args), limit=EXPORT_MAX, offset=0))


def statement(sid: str) -> dict:
    """One statement with every public field, plus its versions in other languages, the statements holding
    the same text (store/sametext.py), the other statements published the same day and the page of that day."""
    store = backend().store()
    row = store.get(sid)
    if row is None:
        abort(404, description=f"There is no statement with id “{sid[:64]}” in the archive.")
    st = {k: row[k] for k in STATEMENT_FIELDS}
    st["translations"] = [{**t, "aligned_url": url_for("pages.aligned", sid=sid, other=t["id"])
                           if t["id"] and row["turns"] else None} for t in store.translations(sid)]
    st["also_published_by"] = [{**c, "statement_url": url_for("pages.statement", sid=c["id"])}
                               for c in store.copies(sid)]
    st["same_day"] = store.same_day(st["date"][:10], exclude=sid) if st["date"] else []
    st["day"] = url_for("pages.day", day=st["date"][:10]) if st["date"] else None
    return st


VERSION_FIELDS = ("id", "language", "title", "url", "date", "source")


def aligned(sid: str, args: Mapping[str, str]) -> dict:
    """A transcript beside its version in another language (`other`, by default the first stored), turn by
    turn; 404 when it has no stored version to align with."""
    store = backend().store()
    row = store.get(sid)
    if row is None:
        abort(404, description=f"There is no statement with id “{sid[:64]}” in the archive.")
    stored = [t["id"] for t in store.translations(sid) if t["id"]]
    other = args.get("other") or (stored[0] if stored else None)
    if other not in stored:
        abort(404, description=f"The archive holds no version of “{row['title']}” in another language"
                               + (f" with id “{other[:64]}”." if other else "."))
    version = store.get(other)
    rule = SOURCES[row["source"]].versions if row["source"] in SOURCES else None
    rows = aligned_turns(row, version, rule.names if rule else {})
    return {"left": {k: row[k] for k in VERSION_FIELDS}, "right": {k: version[k] for k in VERSION_FIELDS},
            "rows": rows, "paired": sum(1 for r in rows if r["left"] and r["right"]),
            "unpaired": sum(1 for r in rows if not (r["left"] and r["right"]))}


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
        n = number(args, name, default, 1)
        if n > len(revs):
            raise BadArgument(f"“{name}” must be a revision number from 1 to {len(revs)}")
        picked.append(n)
    old, new = (revs[n - 1] for n in picked)
    return {**found, "from": picked[0], "to": picked[1],
            "diff": diff_revisions(old, new)}


def recent_changes(args: Mapping[str, str]) -> dict:
    """The newest edits across the archive, each with the page comparing it to the revision before, and the
    statements most recently found taken down."""
    limit = min(number(args, "limit", CHANGES_SIZE, 1), MAX_LIMIT)
    store = backend().store()
    return {"changes": [{**c, "diff_url": url_for("pages.revisions", sid=c["id"],
                                                  **{"from": c["seq"] - 1, "to": c["seq"]})}
                        for c in store.recent_changes(limit)],
            "withdrawn": store.recent_withdrawals(limit)}


def lookup(args: Mapping[str, str], fmt: str, base_url: str) -> dict:
    """A citation lookup with the search filters, each match cited in `fmt`; BadSearch for a bad filter or
    an empty text."""
    query = SearchQuery.from_args({k: v for k, v in args.items() if k != "q"})
    return with_citations(backend().cite(args.get("q", ""), query), backend().store(), fmt, base_url)


def citation_of(sid: str, args: Mapping[str, str], base_url: str) -> tuple[dict, int | None]:
    """The statement and the paragraph a cite request names; BadArgument for a paragraph it does not have."""
    st = statement(sid)
    raw = args.get("paragraph", "").strip()
    paragraph = None
    if raw:
        if not WHOLE.fullmatch(raw):
            raise BadArgument("“paragraph” must be a paragraph number")
        paragraph = int(raw)
    try:
        citation.work(st, base_url, paragraph)
    except citation.CitationError as e:
        raise BadArgument(str(e)) from None
    return st, paragraph


def cited_versions(st: dict) -> dict:
    """The statement's stored version in the other role (original or translation), which its citations name."""
    return linked(backend().store(), st)


def turn_starts(st: dict) -> dict[int, dict]:
    """Paragraph index → the transcript turn that opens there, for labelling who speaks."""
    return {t["start"]: t for t in st.get("turns") or []}
