"""Exact match sets: the document numbers a query matches, for exact totals, facet counts and date order.

Whoosh counts matches by walking its tree of matchers one document at a time in Python; for
`(ukraine OR russia) AND security` over three fields that walk was most of a 400 ms search at 20,000
statements. Here the boolean structure is evaluated with set operations (which run in C) on the
documents of its leaves; the leaves themselves (terms, phrases, ranges) are still matched by whoosh,
so a leaf means exactly what it means to whoosh.
"""
from __future__ import annotations

import time
from bisect import bisect_left
from typing import Callable

import numpy as np

from whoosh.collectors import TimeLimit
from whoosh.matching import ListMatcher
from whoosh.query import And, AndMaybe, AndNot, Every, Not, NullQuery, Or, Phrase, Query, Term

def matching(q, every: Callable[[], set[int]], leaf: Callable, deadline: float) -> set[int]:
    """The live documents `q` matches. `every()` gives all live documents, `leaf(q, deadline)` a leaf's;
    the sets they give, and so the result, may be shared: never change them."""
    if time.monotonic() > deadline:
        raise TimeLimit
    kind = type(q)
    if kind is And:
        # `a AND NOT b` takes b's documents away rather than intersecting with everything but them
        parts = [matching(s, every, leaf, deadline) for s in q.subqueries if type(s) is not Not]
        without = [matching(s.query, every, leaf, deadline) for s in q.subqueries if type(s) is Not]
        # smallest first: each intersection can only shrink the set
        parts.sort(key=len)
        docs = parts[0].intersection(*parts[1:]) if parts else every()
        return docs.difference(*without) if without else docs
    if kind is Or and not q.minmatch:
        return set().union(*(matching(s, every, leaf, deadline) for s in q.subqueries))
    if kind is Not:
        return every() - matching(q.query, every, leaf, deadline)
    if kind is AndNot:
        return matching(q.a, every, leaf, deadline) - matching(q.b, every, leaf, deadline)
    if kind is AndMaybe:
        return matching(q.a, every, leaf, deadline)
    if kind is Every and not q.fieldname:
        return every()
    if q is NullQuery:
        return set()
    return leaf(q, deadline)


def phrase_docs(top, q, deadline: float = float("inf")) -> set[int] | None:
    """The documents holding an exact phrase, or None for a phrase this does not handle (one with slop).

    Whoosh's phrase matcher walks the intersection of its words document by document and builds span
    objects for each candidate: that was four fifths of a phrase search. Here the candidates are the
    intersection of the words' documents (a set operation), and each candidate's positions are compared
    as integers: each distinct word's positions read once (`"the the the …"` is one word read once, not
    123), and the phrase anchored on its word with the fewest positions there. TimeLimit past `deadline`.
    """
    if type(q) is not Phrase or q.slop != 1 or len(q.words) < 2:
        return None
    distinct = list(dict.fromkeys(q.words))
    # word → its offsets in the phrase: `a b a` holds a at 0 and 2
    offsets = {w: [i for i, x in enumerate(q.words) if x == w] for w in distinct}
    found: set[int] = set()
    for sub, base in top.leaf_searchers():
        reader = sub.reader()
        if not all((q.fieldname, w) in reader for w in distinct):
            continue
        by_size = sorted(distinct, key=lambda w: reader.doc_frequency(q.fieldname, w))
        candidates = set(reader.postings(q.fieldname, by_size[0]).all_ids())
        for w in by_size[1:]:
            if not candidates or time.monotonic() > deadline:
                break
            candidates.intersection_update(reader.postings(q.fieldname, w).all_ids())
        matchers = {w: reader.postings(q.fieldname, w) for w in distinct}
        for n, doc in enumerate(sorted(candidates)):
            if n % 64 == 0 and time.monotonic() > deadline:
                raise TimeLimit
            positions = {}
            for w, m in matchers.items():
                m.skip_to(doc)
                positions[w] = set(m.value_as("positions"))
            if _holds(positions, offsets):
                found.add(doc + base)
    return found


def _holds(positions: dict[str, set[int]], offsets: dict[str, list[int]]) -> bool:
    """Whether the phrase's words stand at consecutive positions somewhere: each start the rarest word
    allows (at its first place in the phrase, which any match must fill) is checked against every word."""
    anchor = min(positions, key=lambda w: len(positions[w]))
    first = offsets[anchor][0]
    checks = sorted((i, positions[w]) for w, at in offsets.items() for i in at)
    return any(all(p - first + i in where for i, where in checks) for p in positions[anchor])


def known_phrases(top, q, docs_of: Callable):
    """`q` for scoring, each phrase replaced by the And of its words over the documents `docs_of(phrase)`
    found it in (None: kept as it is).

    Whoosh scores a phrase as the sum of its words' scores, so every score stays the same (tested), while
    its span matcher, which no deadline can interrupt, walked every document holding the words: 1.9 s
    for five common two-word phrases at 2,906 statements.
    """
    if type(q) is Phrase and q.slop == 1 and len(q.words) > 1:
        docs = docs_of(q)
        if docs is None:
            return q
        return And([Term(q.fieldname, w, boost=q.boost) for w in q.words] + [Only(top, docs)])
    if q.is_leaf():
        return q
    return q.apply(lambda sub: known_phrases(top, sub, docs_of))


class Until(set):
    """The allowed documents of a whoosh filter, which looks at the clock as whoosh asks about each
    document its matchers reach: a walk over many documents the filter refuses is stopped too."""

    def __init__(self, docs, deadline: float):
        super().__init__(docs)
        self.deadline = deadline
        self._asked = 0

    def __contains__(self, doc) -> bool:
        self._asked += 1
        if self._asked % 256 == 0 and time.monotonic() > self.deadline:
            raise TimeLimit
        return super().__contains__(doc)


def positive_terms(q, fieldname: str) -> set[str]:
    """The words of `q` in one field that a matching document contains: not those it must lack."""
    kind = type(q)
    if kind is Not:
        return set()
    if kind is AndNot:
        return positive_terms(q.a, fieldname)
    if q.is_leaf():
        return {text if isinstance(text, str) else text.decode("utf-8")
                for name, text in q.iter_all_terms(phrases=True) if name == fieldname}
    found: set[str] = set()
    for child in q.children():
        found |= positive_terms(child, fieldname)
    return found


class _ScoringNothing(ListMatcher):
    def score(self):
        return 0.0

    def max_quality(self):
        return 0.0

    def block_quality(self):
        return 0.0

    def supports_block_quality(self):
        return False


class Only(Query):
    """Exactly these documents (global numbers) of `top`, adding nothing to a score: `And([q, Only(...)])`
    walks whoosh's scoring of `q` over the known matches alone, skipping straight from one to the next,
    where `q` alone would walk every document any of its parts matches."""

    def __init__(self, top, docs):
        self.docs = sorted(docs)
        self._offsets = {id(sub): offset for sub, offset in top.leaf_searchers()}

    def __repr__(self):
        return f"Only({len(self.docs)} documents)"

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.docs == self.docs

    def __hash__(self):
        return hash(len(self.docs))

    def estimate_size(self, ixreader):
        return len(self.docs)

    def matcher(self, searcher, context=None):
        offset = self._offsets[id(searcher)]
        docs = self.docs
        lo, hi = bisect_left(docs, offset), bisect_left(docs, offset + searcher.doc_count_all())
        return _ScoringNothing([d - offset for d in docs[lo:hi]])


class DateOrder:
    """Each document's rank in date order, both ways, with undated statements last in each: loaded once
    per index generation, so that sorting any set of matches by date needs no per-document key lookups."""

    def __init__(self, reader, fieldname: str = "sortdate"):
        # untranslated sort keys are unsigned (a signed number is stored shifted by 2**63)
        keys = np.array(list(reader.column_reader(fieldname, translate=False)), np.uint64)
        undated = keys == reader.schema[fieldname].to_column_value(0)
        self._ranks = {}
        # statements of the same instant stay in document order, both ways
        for newest_first, key in ((False, keys), (True, ~keys)):
            order = np.lexsort((key, undated))
            rank = np.empty(len(keys), np.int64)
            rank[order] = np.arange(len(keys))
            self._ranks[newest_first] = rank

    def first(self, docs, n: int, newest_first: bool) -> list[int]:
        """The first `n` of `docs` (a set or an array of document numbers) in date order."""
        docs = docs if isinstance(docs, np.ndarray) else np.fromiter(docs, np.int64, len(docs))
        rank = self._ranks[newest_first][docs]
        if n < len(docs):
            pick = np.argpartition(rank, n - 1)[:n]
            docs, rank = docs[pick], rank[pick]
        return docs[np.argsort(rank)].tolist()
