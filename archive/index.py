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
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError

from .analysis import spelling_analyzer, text_analyzer
from .store import Store

BATCH = 500
MERGE_FANOUT = 8


class IndexBusy(Exception):
    pass


def make_schema() -> Schema:
    analyzer = text_analyzer()
    # One typed word that analyses to several tokens (Chinese text, "U.S.") must match as a phrase,
    # not as scattered characters.
    words = {"analyzer": analyzer, "stored": True, "multitoken_query": "phrase"}
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED,
        title=TEXT(field_boost=2.0, **words),
        text=TEXT(**words),
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
        # title and text unstemmed: stems ("deploy") are no words to propose to a user
        words=TEXT(analyzer=spelling_analyzer(), phrase=False, stored=False),
    )


def open_index(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(index_dir)):
        return whoosh_index.open_dir(str(index_dir))
    return whoosh_index.create_in(str(index_dir), make_schema())


def document(st: dict) -> dict:
    doc = {
        "id": st["id"], "url": st["url"], "title": st["title"], "text": "\n\n".join(st["paragraphs"]),
        "speaker": "; ".join(st["speakers"]), "country": st["country"], "source": st["source"],
        "kind": st["kind"], "language": st["language"], "ministry": st["ministry"],
        "date_text": st["date"] or "", "sortdate": 0,
        "words": st["title"] + "\n\n" + "\n\n".join(st["paragraphs"]),
    }
    if st["speakers"]:
        doc["speaker_exact"] = list(st["speakers"])
    if st["date"]:
        published = datetime.fromisoformat(st["date"])
        # ranges, years and months use the calendar as published: a Tokyo statement of 1 December is in
        # December for `date:2024-12`, the facets and the timeline alike; sorting uses the true instant
        doc["date"] = published.replace(tzinfo=None)
        doc["sortdate"] = int(published.timestamp())
        doc["year"] = published.year
        doc["month"] = f"{published.year:04d}-{published.month:02d}"
    return doc


def _writer(ix):
    try:
        # separate segment files, not one compound file: whoosh copies a compound file into memory when a
        # searcher opens it (400 MB at 20k statements), while separate files are read as needed
        return ix.writer(timeout=30.0, compound=False)
    except LockError:
        raise IndexBusy("another process is writing the index; try again when it has finished") from None


def merge_by_tiers(writer, segments):
    """Merge policy: a tier is segments of about the same size (a power of MERGE_FANOUT docs); when one
    holds MERGE_FANOUT segments they become one.

    Whoosh's own policy merges on most commits, rewriting the small segments each time: a watch that
    commits a statement or two every round spent about a second a round merging. Merging by tiers writes
    each statement about log8(n) times in all, and a search reads a few dozen segments at most.
    """
    from whoosh.reading import SegmentReader
    tiers: dict[int, list] = {}
    for seg in segments:
        tiers.setdefault(int(math.log(max(seg.doc_count_all(), 1), MERGE_FANOUT)), []).append(seg)
    full = next((tiers[t] for t in sorted(tiers) if len(tiers[t]) >= MERGE_FANOUT), None)
    if full is None:
        return segments
    for seg in full:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if all(seg is not f for f in full)]


def sync_index(store: Store, index_dir: Path, progress: Callable[[int, int], None] | None = None,
               rebuilding: bool = False) -> int:
    """Index every stored statement whose current text the index does not hold yet; return how many.

    `rebuilding` skips Whoosh's segment merge after each batch (about half the time of a full rebuild)
    and merges once at the end.
    """
    ids = store.unindexed_ids()
    if not ids:
        return 0
    ix = open_index(index_dir)
    # an index built before a field was added keeps taking statements (without it) until a reindex
    known = set(ix.schema.names())
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = store.get_many(ids[start:start + BATCH])
        writer = _writer(ix)
        try:
            for st in chunk:
                writer.update_document(**{k: v for k, v in document(st).items() if k in known})
        except BaseException:
            writer.cancel()
            raise
        last = start + BATCH >= len(ids)
        if rebuilding:
            writer.commit(merge=False, optimize=last)
        else:
            writer.commit(mergetype=merge_by_tiers)
        store.mark_indexed([(s["id"], s["content_hash"]) for s in chunk])
        done += len(chunk)
        if progress:
            progress(done, len(ids))
    return done


def rebuild_index(store: Store, index_dir: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Throw the index away and index the whole store again."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    whoosh_index.create_in(str(index_dir), make_schema())
    store.clear_indexed()
    return sync_index(store, index_dir, progress, rebuilding=True)
