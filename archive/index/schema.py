"""The index schema: the fields of a statement and of the spelling vocabulary.

Whoosh pickles the schema, with its field and analyzer classes, into every index it writes: renaming or
moving a class here leaves existing indexes unreadable (see `archive/index/__init__.py`).
"""
from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from .analysis import spelling_analyzer, text_analyzer

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
