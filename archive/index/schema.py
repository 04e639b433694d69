"""The index schema: the fields of a statement and of the spelling vocabulary, and a statement's values for them.

Whoosh pickles the schema, with its field and analyzer classes, into every index it writes: renaming or
moving a class here leaves existing indexes unreadable (see `archive/index/__init__.py`).
"""
from __future__ import annotations

import struct
from datetime import datetime

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence, Positions
from whoosh.system import pack_uint

from .analysis import analyse_for_index, spelling_analyzer, text_analyzer, word_pairs
from .common import COMMON_TERMS

# The spelling vocabulary is a second Whoosh index in the same folder, one document per commit holding
# the words of the statements it added with their counts. As a field of each statement it doubled the
# postings to write and took half the indexing time; "did you mean" needs only which words exist and
# how often. Words of replaced texts stay in it until a reindex: a suggestion must find more to be shown.
VOCABULARY = "VOCABULARY"


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


# A phrase's adjacent words as one term each, per field with phrases: which documents hold a pair, and
# how often its two words occur there, is one short posting list, where matching by positions decoded
# both words' whole posting lists and unpickled every candidate's positions (most of a phrase search at
# 100k statements). An index built without these fields (older layouts) matches phrases by positions.
PAIR_FIELDS = {"title": "title_pairs", "text": "text_pairs"}
PAIR_COUNTS = struct.Struct("<II")


def pairs_of(schema: Schema, fieldname: str) -> str | None:
    """The field holding `fieldname`'s word pairs, if the index writes them: `document` gives pairs only
    for an AnalysedText field."""
    pairs = PAIR_FIELDS.get(fieldname)
    if pairs in schema and isinstance(schema[fieldname], AnalysedText):
        return pairs
    return None


class PairCounts(Existence):
    """A word pair's posting value: how often each of its two words occurs in the document's field, as
    two little-endian uint32 (`PAIR_COUNTS`). Fixed-size, so Whoosh keeps a block's values as one byte
    string that reads back as one array.

    Whoosh pickles the schema into the index: the class must stay importable under this name.
    """
    posting_size = PAIR_COUNTS.size


class WordPairs(FieldType):
    """Adjacent pairs of `common` words of an AnalysedText field (`analysis.word_pairs`), given as pair →
    the two words' counts: which documents hold a pair and what their words weigh there, so that a phrase
    over two common words is found and scored from this one posting list. Never scored itself.

    Only common words are paired: a phrase is slow to match by positions only when both its words have
    long position lists, and pairing every word doubled the index and took 3.9 times the indexing CPU
    (docs/benchmarks.md). The set is pickled with the schema, so an index keeps pairing by the set it was
    built with whatever `common.COMMON_TERMS` later holds, and its searches know which pairs it has.

    Whoosh pickles the schema into the index: the class must stay importable under this name.
    """

    def __init__(self, common: frozenset[str]):
        self.common = common
        self.format = PairCounts()
        self.analyzer = None
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None

    def index(self, value, **kwargs):
        for term, counts in value.items():
            yield term.encode("utf-8"), 1, 1.0, PAIR_COUNTS.pack(*counts)


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
        title_pairs=WordPairs(COMMON_TERMS),
        text_pairs=WordPairs(COMMON_TERMS),
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
        # the canonical name of each outlet that asked a question in the statement (a transcript's turns),
        # for exact filtering and facet counts; an index built before it has none until a reindex
        outlet=ID(stored=False),
    )


def vocabulary_schema() -> Schema:
    # title and text unstemmed: stems ("deploy") are no words to propose to a user
    return Schema(words=AnalysedText(analyzer=spelling_analyzer(), phrase=False, stored=False))


def document(st: dict, schema: Schema) -> dict:
    """The index fields of a stored statement for an index of `schema`: in an AnalysedText schema, title,
    text and words come already analysed, with their word pairs, the texts themselves only stored."""
    text = "\n\n".join(st["paragraphs"])
    doc = {
        "id": st["id"], "url": st["url"], "title": st["title"], "text": text,
        "speaker": "; ".join(map(str, st["speakers"])), "country": st["country"], "source": st["source"],
        "kind": st["kind"], "language": st["language"], "ministry": st["ministry"],
        "date_text": st["date"] or "", "sortdate": 0,
    }
    if isinstance(schema["text"], AnalysedText):
        words: dict[str, list[int]] = {}
        doc["_stored_title"], doc["_stored_text"] = st["title"], text
        doc["title"] = analyse_for_index(st["title"], words)
        doc["text"] = analyse_for_index(text, words)
        doc["words"] = words
        for field in PAIR_FIELDS:
            pairs = pairs_of(schema, field)
            if pairs is not None:
                doc[pairs] = word_pairs(doc[field], schema[pairs].common)
    else:
        doc["words"] = st["title"] + "\n\n" + text
    if st["speakers"]:
        doc["speaker_exact"] = [str(s) for s in st["speakers"]]
    outlets = sorted({key for turn in st.get("turns") or () for key in turn.get("outlet_keys") or ()})
    if outlets:
        doc["outlet"] = outlets
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
