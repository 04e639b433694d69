"""Search: parse a user's query safely, run it against the index, return exact counts and snippets."""
from __future__ import annotations

import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, time as dtime
from html import escape
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.collectors import FilterCollector, TimeLimit, TopCollector, WrappingCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.highlight import Formatter, get_text
from whoosh.query import And, DateRange, Every, Not, NumericRange, Phrase, Term

from ..datadir import DataDir
from ..index.analysis import highlight_tokens
from ..index.schema import VOCABULARY, AnalysedText
from ..index.writing import live_index
from ..sources.outlets import canonical
from . import candidates, expansion
from .engine import Engine, Found, restrict
from .facets import FACETS, FacetColumns
from .lexicon import Lexicon
from .names import PLACES
from .postings import CodecMismatch
from .matches import DateOrder, Only, Until, known_phrases, matching, phrase_docs, positive_terms
from .query import MAX_PHRASE_WORDS, MAX_QUERY_CHARS, MAX_TERMS, BadSearch, SearchQuery, plain_quotes, user_day
from .snippets import snippet

TIME_LIMIT = 3.0
QUERY_FIELDS = ("title", "text", "speaker", "country", "source", "kind", "language")
# fewer hits than this and we look for a spelling that finds more
FEW_HITS = 5
REINDEX = "run 'policy-archive reindex' to rebuild the index"
# `date:` at the start of a word, with the AND or NOT that may join it to the rest
_DATE_TOKEN = re.compile(r"(?<![^\s(])(?:(AND\s+NOT|AND|NOT)\s+)?([-+]?)(?i:date):(\S*)")
_PHRASE = re.compile(r'"[^"]*"')
_DATE_HELP = "write date:YYYY, date:YYYY-MM, date:YYYY-MM-DD or date:FROM..TO"
# letters outside CJK and kana: those are analysed into pieces (jieba words, kana pairs), not spelled
_SPELLABLE = re.compile(r"[^\W\d_\u2e80-\uffff]{4,}")

# how a filter (archive.search.query.FILTERS) narrows its index field to a value
_MATCHES = {
    "word": lambda field, value: Term(field, value.lower()),  # the field is indexed lowercased
    "exact": lambda field, value: Term(field, value),
    # the index holds an outlet's canonical name; a label naming none matches as typed, which finds nothing
    "outlet": lambda field, value: Term(field, canonical(value) or value),
    "year": lambda field, year: NumericRange(field, year, year),
    "since": lambda field, day: DateRange(field, datetime.combine(day, dtime.min), None),
    "until": lambda field, day: DateRange(field, None, datetime.combine(day, dtime.max)),
}

FILTER_CACHE = 256
# opening a searcher while a writer commits may find files gone; it rarely happens three times running
OPEN_TRIES = 3
# a filter that leaves fewer than 1 in this many of a query's matches is walked match by match
SELECTIVE = 4


class NoIndex(FileNotFoundError):
    """The folder holds no index (yet)."""


class QueryError(BadSearch):
    """A query the searcher will not run (its syntax, its size, its time, a filter the index cannot apply):
    a bad search raised while searching, where the rest are found when a SearchQuery is read."""


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
    # the paragraph (from 1) the snippet is from, for a link to it; None for a snippet of the text's start
    paragraph: int | None = None
    # when the official page was found taken down (the store knows; the index does not): ISO time or None
    withdrawn: str | None = None
    # the other statements holding its text (the store knows): [{country, ministry, source, id}]
    also_published_by: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    # facet name → (value, count) over every match; empty unless asked for
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # a respelt query that finds more, when this one finds few
    suggestion: str | None = None
    # each place name or word also searched in the other languages (search.expansion): {"term": as typed,
    # "names": the others, "kind": "place" or "lexicon"}; and the other spellings the reader dropped
    expansions: list[dict] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    # language → how many of the matches are in it, most first; they add up to the total
    languages: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"query": self.query, "total": self.total, "offset": self.offset, "limit": self.limit,
                "hits": [h.to_json() for h in self.hits],
                "facets": {name: [{"value": v, "count": n} for v, n in counts]
                           for name, counts in self.facets.items()},
                "suggestion": self.suggestion, "expansions": self.expansions, "dropped": self.dropped,
                "languages": self.languages}


class MarkFormatter(Formatter):
    """Snippet HTML: every piece of scraped text escaped, matches wrapped in <mark>."""
    between = " … "

    def _text(self, text):
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % escape(get_text(text, token, replace), quote=False)


def _parser(schema) -> qparser.QueryParser:
    # words are looked for in the title and the text; in speakers only with `speaker:`, as every field a
    # word is looked for in adds a leaf to match for each word of each query
    parser = qparser.MultifieldParser(["title", "text"], schema, fieldboosts={"title": 2.0, "text": 1.0},
                                      group=qparser.AndGroup)
    # Wildcards and `*:*` are off: one `a*` expanded to 1,425 terms and took 7 s on 20k statements.
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.remove_plugin_class(qparser.EveryPlugin)
    parser.remove_plugin_class(qparser.BoostPlugin)
    # so are word ranges: `[&é … }` across a query expanded to 3,900 words and took 8 s; dates have `date:`
    parser.remove_plugin_class(qparser.RangePlugin)
    # + and - only at the start of a word: "press-conference" is one value, not "press NOT conference"
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


def _day(text: str, last: bool) -> datetime:
    try:
        day = user_day(text, last)
    except ValueError:
        raise QueryError(f"malformed date {text!r}: no such date") from None
    if day is None:
        raise QueryError(f"malformed date {text!r}: {_DATE_HELP}")
    return datetime.combine(day, dtime.max if last else dtime.min)


def _date_range(value: str):
    start, dots, end = value.partition("..")
    if not dots:
        end = start
    if not start and not end:
        raise QueryError(f"date: needs a date: {_DATE_HELP}")
    first = _day(start, last=False) if start else None
    last = _day(end, last=True) if end else None
    if first and last and first > last:
        raise QueryError(f"date range {value!r} ends before it starts")
    return DateRange("date", first, last)


def _extract_dates(q: str) -> tuple[str, list]:
    """The query without its `date:` words, and the date ranges they ask for (negated after NOT or -).

    A date always narrows the whole query: the rest may use OR and parentheses freely, the date may not.
    """
    ranges = []
    rest = []
    end = 0
    for m in _DATE_TOKEN.finditer(q):
        before = q[:m.start()]
        if before.count('"') % 2:
            continue  # inside a phrase: words, not a range
        if before.count("(") > before.count(")") or before.split()[-1:] == ["OR"] or \
                q[m.end():].split()[:1] == ["OR"]:
            raise QueryError("date: applies to the whole query: put it outside parentheses and OR")
        rng = _date_range(m[3])
        ranges.append(Not(rng) if m[2] == "-" or (m[1] or "").endswith("NOT") else rng)
        rest.append(q[end:m.start()])
        end = m.end()
    rest.append(q[end:])
    return " ".join(rest).strip(), ranges


def parse_query(parser, q: str):
    q = plain_quotes(q).strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(q)} characters (at most {MAX_QUERY_CHARS})")
    if q.count('"') % 2:
        raise QueryError('unbalanced quotation mark: close the "phrase"')
    if _PHRASE.sub(" ", q).count("(") != _PHRASE.sub(" ", q).count(")"):
        raise QueryError("unbalanced parenthesis in the query")
    q, ranges = _extract_dates(q)
    if not q:
        return And([Every(), *ranges]) if ranges else Every()
    # inside quotes a colon is text: "Chair’s Statement: Roadmap" is a phrase, not a field `Statement`
    for word in _PHRASE.sub(" ", q).replace("(", " ").split():
        name, sep, _ = word.lstrip("-+").partition(":")
        if sep and name.isidentifier() and name.lower() not in QUERY_FIELDS and name.upper() not in (
                "AND", "OR", "NOT"):
            raise QueryError(f"unknown field {name!r}; fields are {', '.join(QUERY_FIELDS)}")
    try:
        query = parser.parse(q)
    except Exception:  # whoosh raises assorted internal errors for odd syntax; the user needs one line
        raise QueryError("could not read the query: check its quotation marks, parentheses and AND, OR, NOT "
                         "(each NOT needs a word after it)") from None
    # count words, not (field, word) pairs: every word is searched in two fields. A phrase is matched as
    # one unit (its words' documents intersected once), so it counts as one: a quoted 42-word title runs
    words = set()
    for leaf in query.leaves():
        if isinstance(leaf, Phrase):
            if len(leaf.words) > MAX_PHRASE_WORDS:
                raise QueryError(f"phrase too long: {len(leaf.words)} words (at most {MAX_PHRASE_WORDS})")
            words.add(tuple(leaf.words))
        else:
            words.update(text for _, text in leaf.iter_all_terms())
    if len(words) > MAX_TERMS:
        raise QueryError(f"query too complex: {len(words)} words (at most {MAX_TERMS}, a phrase counts as one)")
    return And([query, *ranges]) if ranges else query


class _Deadline(WrappingCollector):
    """Checks the clock on every collected document: whoosh's TimeLimitCollector starts a timer thread
    for every search."""

    def __init__(self, child, deadline: float):
        super().__init__(child)
        self.deadline = deadline

    def collect(self, sub_docnum):
        if time.monotonic() > self.deadline:
            raise TimeLimit
        return self.child.collect(sub_docnum)


class _PinnedStorage(FileStorage):
    """A folder's files as a searcher opened them. A writer deletes the files of the segments it merged,
    and a reindex the whole old index; a file already open stays readable, but whoosh asks whether a
    segment has a column file (sort keys) each time it reads one, and would leave out a segment whose file
    is gone. Here a file once opened goes on existing."""

    def __init__(self, path: Path):
        super().__init__(str(path), readonly=True)
        self._opened: set[str] = set()

    def open_file(self, name, **kwargs):
        f = super().open_file(name, **kwargs)
        self._opened.add(name)
        return f

    def file_exists(self, name):
        return name in self._opened or super().file_exists(name)


def _pin(reader) -> None:
    """Open every file of every segment now: whoosh opens the column files (stored fields, lengths, sort
    keys) on first use, and by then a writer may have deleted them."""
    for leaf, _ in reader.leaf_readers():
        if not leaf.doc_count_all():
            continue
        leaf.stored_fields(0)
        for name, fieldobj in leaf.schema.items():
            if fieldobj.scorable:
                leaf.doc_field_length(0, name)
            if fieldobj.column_type and leaf.has_column(name):
                leaf.column_reader(name)


class IndexChanged(Exception):
    """A commit came while a searcher was opening and merged away one of its segments, whose files may
    have gone before they were opened."""


def _merged_away(ix, reader) -> bool:
    """Whether the latest commit lacks one of the reader's segments. A writer deletes only the files of
    segments its commit no longer holds, and a segment once merged away never comes back."""
    current = {seg.segment_id() for seg in whoosh_index.TOC.read(ix.storage, ix.indexname).segments}
    return any(leaf.segment() is not None and leaf.segment().segment_id() not in current
               for leaf, _ in reader.leaf_readers())


class Searcher:
    """One Whoosh searcher over one state of the index, with caches that hold for that state.

    It never changes: when the index has moved on (`stale`), open a new Searcher and close this one when no
    search uses it any more. Opening one costs hundreds of ms on a large index.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        for attempt in range(OPEN_TRIES):
            try:
                self._open()
                break
            except NoIndex:
                raise
            except Exception:
                # a writer committed and removed merged segments meanwhile; the next try opens its result
                if attempt == OPEN_TRIES - 1:
                    raise
        # the schema the searcher was opened with: `self._ix.schema` reads the table of contents from disk
        # again, and a writer's commit may just have deleted the one it found
        self._schema = self._searcher.schema
        self._parser = _parser(self._schema)
        self._lock = threading.Lock()
        self._columns: FacetColumns | None = None
        self._language_columns: FacetColumns | None = None
        self._filters: dict[str, frozenset[int]] = {}
        self._live: frozenset[int] | None = None
        text_field = self._schema["text"]
        # an index analysed by the one-pass code is highlighted by it too; older ones by their own analyzer
        self._highlight_analyzer = highlight_tokens if isinstance(text_field, AnalysedText) else text_field.analyzer
        self._date_order: DateOrder | None = None
        # built on first search: None not yet, False for an index whose postings it cannot read
        self._engine_state: Engine | bool | None = None

    def _open(self):
        self._searcher = self._words = None
        # the index and the lexicon lie side by side in the data folder
        self._lexicon_path = DataDir(self.index_dir.parent).lexicon_path
        self.location = live_index(self.index_dir)
        if not whoosh_index.exists_in(str(self.location)):
            raise NoIndex(f"no index in {self.index_dir}")
        self._ix = whoosh_index.FileIndex(_PinnedStorage(self.location))
        # an index built before the vocabulary kept its words in a `words` field of its own
        self._vocabulary = (whoosh_index.FileIndex(_PinnedStorage(self.location), indexname=VOCABULARY)
                            if whoosh_index.exists_in(str(self.location), indexname=VOCABULARY) else None)
        # read before the searchers open: a commit in between makes this searcher look stale, never fresh
        self._generations = self._latest()
        self._lexicon = Lexicon.load(self._lexicon_path)
        try:
            # a new reader, never whoosh's refresh(): it reuses the old reader's segment readers, which keep
            # the deletions they were opened with, and it also keeps the segments a merge replaced, so every
            # merged statement was counted twice
            self._searcher = self._ix.searcher()
            self._words = self._vocabulary.searcher() if self._vocabulary is not None else None
            _pin(self._searcher.reader())
            if self._words is not None:
                _pin(self._words.reader())
            if _merged_away(self._ix, self._searcher.reader()) or (
                    self._words is not None and _merged_away(self._vocabulary, self._words.reader())):
                raise IndexChanged
        except BaseException:
            self.close()
            raise

    def _latest(self) -> tuple[int, int | None, int | None]:
        try:
            lexicon = self._lexicon_path.stat().st_mtime_ns
        except FileNotFoundError:
            lexicon = None
        return (self._ix.latest_generation(),
                self._vocabulary.latest_generation() if self._vocabulary is not None else None, lexicon)

    def stale(self) -> bool:
        """Whether the index has changed since this searcher opened: a commit, or another index made live;
        or the lexicon has been rebuilt."""
        return live_index(self.index_dir) != self.location or self._latest() != self._generations

    def _filter_docs(self, filt) -> frozenset[int] | None:
        """The documents a filter allows, kept until the index changes: the same few filters (a country,
        a source, a year, a date range) recur across searches, and whoosh recomputes them every time."""
        if filt is None:
            return None
        key = repr(filt)
        with self._lock:
            docs = self._filters.get(key)
        if docs is None:
            docs = frozenset(self._searcher.docs_for_query(filt))
            with self._lock:
                if len(self._filters) >= FILTER_CACHE:
                    self._filters.clear()
                self._filters[key] = docs
        return docs

    def close(self):
        if self._searcher is not None:
            self._searcher.close()
        if self._words is not None:
            self._words.close()

    def _facet_columns(self) -> FacetColumns:
        # loaded on the first faceted search of each index generation, not at open, so that searches
        # that never ask for facets (the CLI) do not pay for reading every term
        with self._lock:
            if self._columns is None:
                self._columns = FacetColumns(self._searcher.reader())
            return self._columns

    def _counts(self, docs, facets: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
        """The counts of `facets` among `docs`, and always the languages': every search says how many of its
        matches are in each language, which the language column alone tells (a few terms to read)."""
        if facets:
            return self._facet_columns().count(docs, tuple(dict.fromkeys((*facets, "language"))))
        with self._lock:
            if self._language_columns is None:
                self._language_columns = FacetColumns(self._searcher.reader(), only=("language",))
        return self._language_columns.count(docs, ("language",))

    def _values(self, fieldname: str) -> list[str]:
        return sorted({(f.get(fieldname) or "") for f in self._searcher.all_stored_fields()} - {""})

    def sources(self) -> list[str]:
        return self._values("source")

    def countries(self) -> list[str]:
        return self._values("country")

    def _filter(self, query: SearchQuery):
        filters = []
        for f, value in query.filters():
            if f.field not in self._schema:
                raise QueryError(f"this index was built before {f.arg} filters: {REINDEX}")
            filters.append(_MATCHES[f.match](f.field, value))
        return And(filters) if filters else None

    def search(self, query: SearchQuery, facets: bool | tuple[str, ...] = False) -> Results:
        """A page of the matches, their exact total, and with `facets` their counts by facet (True for
        FACETS, or the names of those wanted, such as facets.WITH_DAYS)."""
        sort, limit, offset = query.sort, query.limit, query.offset
        facets = FACETS if facets is True else tuple(facets or ())
        q = query.text.strip()
        parsed, expansions = self._parse(q, query)
        words = q and _extract_dates(plain_quotes(q))[0]
        filt_query = self._filter(query)
        if not words and sort == "relevance":
            sort = "-date"  # a query without words lists the newest statements
        deadline = time.monotonic() + TIME_LIMIT
        counts = {}
        try:
            found = self._found(parsed, filt_query, deadline, scored=sort == "relevance")
            if found is None:
                filt = self._filter_docs(filt_query)
                total, counts, page = self._whoosh_page(parsed, filt, facets, offset + limit, sort, deadline)
            else:
                total = len(found.docs)
                counts = self._counts(found.docs, facets)
                if sort == "relevance":
                    docs, scores = Engine.top(found, offset + limit)
                    page = list(zip(scores.tolist(), docs.tolist()))
                else:
                    page = [(0.0, d) for d in self._dates().first(found.docs, offset + limit, sort == "-date")]
            page = page[offset:]
        except TimeLimit:
            raise QueryError(f"the query took longer than {TIME_LIMIT:.0f} s; make it more specific") from None
        searcher = self._searcher
        terms = positive_terms(parsed, "text") if words else set()
        analyzer = self._highlight_analyzer
        hits = []
        for score, docnum in page:
            r = searcher.stored_fields(docnum)
            text = r.get("text", "")
            # past the deadline the page is still shown, with the text's opening lines for snippets
            marked, paragraph = (snippet(text, terms, analyzer, MarkFormatter()) if time.monotonic() < deadline
                                 else ("", None))
            found = marked or escape(text[:240], quote=False)
            hits.append(Hit(
                id=r["id"], url=r["url"], title=r["title"], date=r.get("date_text") or None,
                source=r["source"], country=r["country"], ministry=r.get("ministry", ""),
                language=r["language"], kind=r["kind"], speaker=r.get("speaker", ""),
                # sorted by date there is no relevance to show
                score=round(float(score or 0.0), 4) if sort == "relevance" else 0.0, snippet=found,
                paragraph=paragraph))
        suggestion = self._suggest(q, total, filt_query, deadline) if words and total < FEW_HITS else None
        languages = dict(counts["language"] if "language" in facets else counts.pop("language", []))
        return Results(query=q, total=total, hits=hits, offset=offset, limit=limit, facets=counts,
                       suggestion=suggestion, expansions=expansions, dropped=list(query.drop), languages=languages)

    def _parse(self, q: str, query: SearchQuery) -> tuple:
        """The parsed query, with place names and the lexicon's words searched in every language unless
        `query.exact`, less the spellings `query.drop` drops, and the expansions used. They can push a query
        past the limit of words: it is then searched as typed, and a query the searcher refuses as typed is
        refused with its own message."""
        if not q:
            return Every(), []
        if not query.exact:
            expanded, expansions = expansion.expand(q, (PLACES, self._lexicon.finder()), query.drop)
            if expansions:
                try:
                    return parse_query(self._parser, expanded), expansions
                except QueryError:
                    pass
        return parse_query(self._parser, q), []

    def candidates(self, words: list[str], query: SearchQuery, limit: int) -> list[str]:
        """Ids of the statements a quote's `words` (archive.cite) most likely come from, among those the
        query's filters allow (its text and paging are not used): those holding runs of its words, then
        those holding the most of its rarer words (archive.search.candidates)."""
        filt_query = self._filter(query)
        analyzer = self._schema["text"].analyzer
        engine = self._engine()
        found = []
        if engine is not None:
            allowed = engine.filter_docs(filt_query) if filt_query is not None else None
            found = candidates.in_runs(self._searcher, engine, analyzer, allowed, words, limit)
        found += candidates.candidates(self._searcher, analyzer, self._filter_docs(filt_query), words, limit)
        return list(dict.fromkeys(found))[:limit]

    def _found(self, query, filt_query, deadline: float, scored: bool) -> Found | None:
        """The query's matches within the filter, scored if asked, from the posting arrays; None for a
        query or an index the engine does not read (then Whoosh's own path, `_whoosh_page`, runs)."""
        engine = self._engine()
        if engine is None or (scored and not engine.ranks):
            return None
        found = engine.evaluate(query, deadline, scored)
        if found is None or filt_query is None:
            return found
        return restrict(found, engine.filter_docs(filt_query))

    def _engine(self) -> Engine | None:
        with self._lock:
            if self._engine_state is None:
                try:
                    self._engine_state = Engine(self._searcher)
                except CodecMismatch:
                    self._engine_state = False
            return self._engine_state or None

    def _whoosh_page(self, query, filt, facets: tuple[str, ...], wanted: int, sort: str, deadline: float):
        """(total, facet counts, page from its start) by Whoosh's matchers: the matches as sets of document
        numbers, the page by Whoosh's collectors."""
        searcher = self._searcher
        # one exact set of matches gives the total, the facet counts and, sorted by date, the page;
        # the phrases' documents found on the way score the page too
        leaves = {}

        def leaf(q, deadline):
            if q not in leaves:
                leaves[q] = self._leaf(q, deadline)
            return leaves[q]
        found = matching(query, self._every, leaf, deadline)
        matches = found & filt if filt is not None else found
        total = len(matches)
        counts = self._counts(matches, facets)
        if not matches or not wanted:
            page = []
        elif sort == "relevance":
            scoring = known_phrases(searcher, query, lambda p: leaf(p, deadline) if p in leaves else None)
            if len(matches) * SELECTIVE >= len(found):
                # whoosh skips blocks that cannot reach the page; only the matches may enter it
                timed = _Deadline(searcher.collector(limit=wanted), deadline)
                searcher.search_with_collector(scoring, FilterCollector(timed, Until(matches, deadline)))
            else:
                # the filter leaves few of the query's documents: walk whoosh's scoring over those only.
                # Without replacing matchers as the page fills: whoosh's pruning of the query's side
                # of this intersection lost better hits (tested)
                timed = _Deadline(TopCollector(limit=wanted, usequality=False, replace=0), deadline)
                searcher.search_with_collector(And([scoring, Only(searcher, matches)]), timed)
            page = timed.results().top_n
        else:
            page = [(0.0, d) for d in self._dates().first(matches, wanted, sort == "-date")]
        return total, counts, page

    def _every(self) -> set[int]:
        with self._lock:
            if self._live is None:
                self._live = frozenset(self._searcher.reader().all_doc_ids())
            return self._live

    def _dates(self) -> DateOrder:
        with self._lock:
            if self._date_order is None:
                self._date_order = DateOrder(self._searcher.reader())
            return self._date_order

    def _leaf(self, q, deadline: float) -> set[int]:
        # a date range written in the query recurs like a filter
        if isinstance(q, (DateRange, NumericRange)):
            return self._filter_docs(q)
        found = phrase_docs(self._searcher, q, deadline)
        return found if found is not None else set(self._searcher.docs_for_query(q))

    def _count(self, query, filt_query, deadline) -> int:
        """How many documents the query and the filter allow: exact, unlike whoosh's count of a limited
        search."""
        found = self._found(query, filt_query, deadline, scored=False)
        if found is not None:
            return len(found.docs)
        docs = matching(query, self._every, self._leaf, deadline)
        filt = self._filter_docs(filt_query)
        return len(docs & filt if filt is not None else docs)

    def _suggest(self, q: str, total: int, filt_query, deadline) -> str | None:
        """The query with words the index never saw respelt as the closest words it holds, if that
        finds more; None otherwise (and on an index built before the word list existed)."""
        words = self._words if self._words is not None else self._searcher
        if "words" not in words.schema:
            return None
        reader = words.reader()
        corrector = words.corrector("words")

        def respell(m):
            word = m.group()
            if time.monotonic() > deadline or reader.doc_frequency("words", word.lower()):
                return word
            found = corrector.suggest(word.lower(), limit=1, maxdist=2, prefix=1)
            if not found:
                return word
            return found[0].capitalize() if word[0].isupper() else found[0]

        def respell_chunk(m):
            chunk = m.group()
            # field names and values, operators and dates stay as typed
            if ":" in chunk or chunk in ("AND", "OR", "NOT"):
                return chunk
            return _SPELLABLE.sub(respell, chunk)

        corrected = re.sub(r"\S+", respell_chunk, q)
        if corrected == q or time.monotonic() > deadline:
            return None
        try:
            query = parse_query(self._parser, corrected)
            found = self._count(query, filt_query, deadline)
        except (QueryError, TimeLimit):
            return None
        return corrected if found > total else None
