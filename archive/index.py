"""The Whoosh index: schema, and keeping it in step with the store.

The store is the record; the index is derived from it. Each statement row carries `indexed_hash`, set
only after the index commit that holds that text, so an interrupted run leaves work that the next
`sync_index` finishes, and never an index that claims more than the store.
"""
from __future__ import annotations

import math
import shutil
from datetime import datetime
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh.codec import default_codec
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.index import LockError
from whoosh.system import pack_uint

from .analysis import analyse_for_index, spelling_analyzer, text_analyzer
from .store import Store

# statements per commit when adding to an index in use: each commit makes them searchable
BATCH = 500
MERGE_FANOUT = 8
# statements per commit (one segment each, not merged) when filling an index in bulk: Whoosh rewrites every
# posting when it merges segments, which took half of a rebuild when each batch of 500 was merged
SEGMENT = 10_000
# memory for a bulk writer's postings before it sorts them through temporary files: 1,024 holds a whole
# segment (peak RSS about 770 MB); with 256 the spills made a 10,000-statement segment take 20-70 % longer
LIMIT_MB = 1024
# The spelling vocabulary is a second Whoosh index in the same folder, one document per commit holding
# the words of the statements it added with their counts. As a field of each statement it doubled the
# postings to write and took half the indexing time; "did you mean" needs only which words exist and
# how often. Words of replaced texts stay in it until a reindex: a suggestion must find more to be shown.
VOCABULARY = "VOCABULARY"


class IndexBusy(Exception):
    pass


class AnalysedText(TEXT):
    """A TEXT field that also takes its terms already analysed, as term → positions, or term → count
    for a field without positions (from `analysis.analyse_for_index`), so that one pass over a
    statement gives the terms of `title`, `text` and the vocabulary alike. Queries and highlights
    still analyse with the field's analyzer.

    Whoosh pickles the schema into the index: the class must stay importable under this name.
    """

    def index(self, value, **kwargs):
        if not isinstance(value, dict):
            yield from super().index(value, **kwargs)
            return
        fmt = self.format
        boost = fmt.field_boost
        positional = isinstance(fmt, Positions)
        for term, positions in value.items():
            n = positions if isinstance(positions, int) else len(positions)
            # what whoosh's Positions and Frequency formats would encode for these tokens
            yield term.encode("utf-8"), n, n * boost, fmt.encode(positions) if positional else pack_uint(n)


def make_schema() -> Schema:
    analyzer = text_analyzer()
    # One typed word that analyses to several tokens (Chinese text, "U.S.") must match as a phrase,
    # not as scattered characters.
    words = {"analyzer": analyzer, "stored": True, "multitoken_query": "phrase"}
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED,
        title=AnalysedText(field_boost=2.0, **words),
        text=AnalysedText(**words),
        speaker=TEXT(**words),
        # KEYWORD with lowercase: `country:cn` and `country:CN` both match, the stored value keeps its case
        country=KEYWORD(lowercase=True, stored=True),
        source=KEYWORD(lowercase=True, stored=True),
        kind=KEYWORD(lowercase=True, stored=True),
        language=KEYWORD(lowercase=True, stored=True),
        ministry=STORED,
        # wall-clock date as published, for ranges; `date_text` keeps it with its offset
        date=DATETIME(stored=False, sortable=True),
        date_text=STORED,
        year=NUMERIC(stored=False, sortable=True),
        # seconds since 1970 for sorting; 0 for undated statements, so they sort last when newest come first
        sortdate=NUMERIC(bits=64, stored=False, sortable=True, signed=True),
        # one term per speaker as named, for exact filtering and facet counts (`speaker` is for words)
        speaker_exact=ID(stored=False),
        # "YYYY-MM" as published, for facet counts
        month=ID(stored=False),
    )


def vocabulary_schema() -> Schema:
    # title and text unstemmed: stems ("deploy") are no words to propose to a user
    return Schema(words=AnalysedText(analyzer=spelling_analyzer(), phrase=False, stored=False))


def create_index(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(index_dir), vocabulary_schema(), indexname=VOCABULARY)
    return whoosh_index.create_in(str(index_dir), make_schema())


def open_index(index_dir: Path):
    if whoosh_index.exists_in(str(index_dir)):
        return whoosh_index.open_dir(str(index_dir))
    return create_index(index_dir)


def open_vocabulary(index_dir: Path, readonly: bool = False):
    """The vocabulary beside the index, or None for an index built before it (which holds its words
    in its own `words` field, if at all)."""
    if not whoosh_index.exists_in(str(index_dir), indexname=VOCABULARY):
        return None
    return whoosh_index.open_dir(str(index_dir), indexname=VOCABULARY, readonly=readonly)


def document(st: dict, analysed: bool) -> dict:
    """The index fields of a stored statement; with `analysed`, title, text and words come already
    analysed (for an AnalysedText schema), the texts themselves only stored."""
    text = "\n\n".join(st["paragraphs"])
    doc = {
        "id": st["id"], "url": st["url"], "title": st["title"], "text": text,
        "speaker": "; ".join(map(str, st["speakers"])), "country": st["country"], "source": st["source"],
        "kind": st["kind"], "language": st["language"], "ministry": st["ministry"],
        "date_text": st["date"] or "", "sortdate": 0,
    }
    if analysed:
        words: dict[str, list[int]] = {}
        doc["_stored_title"], doc["_stored_text"] = st["title"], text
        doc["title"] = analyse_for_index(st["title"], words)
        doc["text"] = analyse_for_index(text, words)
        doc["words"] = words
    else:
        doc["words"] = st["title"] + "\n\n" + text
    if st["speakers"]:
        doc["speaker_exact"] = [str(s) for s in st["speakers"]]
    published = _published(st["date"])
    if published:
        # ranges, years and months use the calendar as published: a Tokyo statement of 1 December is in
        # December for `date:2024-12`, the facets and the timeline alike; sorting uses the true instant
        doc["date"] = published.replace(tzinfo=None)
        doc["sortdate"] = int(published.timestamp())
        doc["year"] = published.year
        doc["month"] = f"{published.year:04d}-{published.month:02d}"
    return doc


def _published(text: str | None) -> datetime | None:
    """A stored date, or None for one that cannot be placed in time: rows written before imports checked
    dates may hold a year 1, and one such row must not stop every later sync, so it is indexed undated."""
    if not text:
        return None
    try:
        published = datetime.fromisoformat(text)
        published.timestamp()
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return published


def _writer(ix, **kwargs):
    try:
        # separate segment files, not one compound file: whoosh copies a compound file into memory when a
        # searcher opens it (400 MB at 20k statements), while separate files are read as needed
        return ix.writer(timeout=30.0, compound=False, **kwargs)
    except LockError:
        raise IndexBusy("another process is writing the index; try again when it has finished") from None


def merge_by_tiers(writer, segments):
    """Merge policy: a tier is segments of about the same size (a power of MERGE_FANOUT docs); when one
    holds MERGE_FANOUT segments they become one.

    Whoosh's own policy merges on most commits, rewriting the small segments each time: a watch that
    commits a statement or two every round spent about a second a round merging. Merging by tiers writes
    each statement a few times in all, and a search reads a few dozen segments at most.
    """
    from whoosh.reading import SegmentReader
    tiers: dict[int, list] = {}
    for seg in segments:
        tiers.setdefault(int(math.log(max(seg.doc_count_all(), 1), MERGE_FANOUT)), []).append(seg)
    # a bulk build's large segments are never merged by a small commit: that would stall a watch's round
    # for minutes; `reindex` writes them afresh
    full = next((tiers[t] for t in sorted(tiers) if len(tiers[t]) >= MERGE_FANOUT
                 and sum(seg.doc_count_all() for seg in tiers[t]) <= SEGMENT), None)
    if full is None:
        return segments
    for seg in full:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if all(seg is not f for f in full)]


def _bulk_codec():
    """Whoosh's codec without per-block length statistics: to write them it reads every posting's
    document length back from disk (a sixth of a rebuild). Scoring reads lengths from their own column;
    the statistics only let it skip blocks that cannot reach the top hits, and without them it
    assumes the shortest length, which over-estimates a block's best score and so never skips wrongly."""
    codec = default_codec()
    codec.length_stats = False
    return codec


def sync_index(store: Store, index_dir: Path, progress: Callable[[int, int], None] | None = None,
               rebuilding: bool = False) -> int:
    """Index every stored statement whose current text the index does not hold yet; return how many.

    Many statements at once (`rebuilding`, or SEGMENT and more) are written in large segments that are
    not merged; a few are written in batches that whoosh merges into the index as usual.
    """
    ids = store.unindexed_ids()
    if not ids:
        return 0
    ix = open_index(index_dir)
    vocabulary = open_vocabulary(index_dir)
    # an index built before a field was added keeps taking statements (without it) until a reindex
    known = set(ix.schema.names())
    analysed = isinstance(ix.schema["text"], AnalysedText)
    bulk = rebuilding or len(ids) >= SEGMENT
    step = SEGMENT if bulk else BATCH
    done = 0
    for start in range(0, len(ids), step):
        part = ids[start:start + step]
        writer = _writer(ix, limitmb=LIMIT_MB, codec=_bulk_codec()) if bulk else _writer(ix)
        # an emptied index holds no older version of any statement to replace
        add = writer.add_document if rebuilding else writer.update_document
        words: dict[str, int] = {}
        indexed = []
        try:
            for first in range(0, len(part), BATCH):
                for st in store.get_many(part[first:first + BATCH]):
                    doc = document(st, analysed)
                    if vocabulary is not None:
                        for word, n in doc["words"].items():
                            words[word] = words.get(word, 0) + n
                    add(**{k: v for k, v in doc.items() if k in known or k.startswith("_stored_")})
                    indexed.append((st["id"], st["content_hash"]))
                if progress and first + BATCH < len(part):
                    progress(done + len(indexed), len(ids))
        except BaseException:
            writer.cancel()
            raise
        if bulk:
            writer.commit(merge=False)
        else:
            writer.commit(mergetype=merge_by_tiers)
        if vocabulary is not None and words:
            vw = _writer(vocabulary)
            vw.add_document(words=words)
            vw.commit(mergetype=merge_by_tiers)
        store.mark_indexed(indexed)
        done += len(indexed)
        if progress:
            progress(done, len(ids))
    return done


def rebuild_index(store: Store, index_dir: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Throw the index away and index the whole store again."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    create_index(index_dir)
    store.clear_indexed()
    return sync_index(store, index_dir, progress, rebuilding=True)
