"""Exact match sets: the document numbers a query matches, for exact totals, facet counts and date order.

Whoosh counts matches by walking its tree of matchers one document at a time in Python; for
`(ukraine OR russia) AND security` over three fields that walk was most of a 400 ms search at 20,000
statements. Here the boolean structure is evaluated with set operations (which run in C) on the
documents of its leaves; the leaves themselves (terms, phrases, ranges) are still matched by whoosh,
so a leaf means exactly what it means to whoosh.
"""
from __future__ import annotations

import heapq
import time
from bisect import bisect_left
from typing import Callable

from whoosh.collectors import TimeLimit
from whoosh.matching import ListMatcher
from whoosh.query import And, AndMaybe, AndNot, Every, Not, NullQuery, Or, Phrase, Query

# a result set at least this share of the archive is ordered by walking the whole date order
_DENSE = 8


def matching(q, every: Callable[[], set[int]], leaf: Callable, deadline: float) -> set[int]:
    """The live documents `q` matches. `every()` gives all live documents, `leaf(q)` a leaf's; the
    sets they give, and so the result, may be shared: never change them."""
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
    return leaf(q)


def phrase_docs(top, q) -> set[int] | None:
    """The documents holding an exact phrase, or None for a phrase this does not handle (one with slop).

    Whoosh's phrase matcher walks the intersection of its words document by document and builds span
    objects for each candidate: that was four fifths of a phrase search. Here the candidates are the
    intersection of the words' documents (a set operation), and each candidate's positions are
    compared as integers.
    """
    if type(q) is not Phrase or q.slop != 1 or len(q.words) < 2:
        return None
    found: set[int] = set()
    for sub, offset in top.leaf_searchers():
        reader = sub.reader()
        terms = [(q.fieldname, w) for w in q.words]
        if not all(term in reader for term in terms):
            continue
        candidates = set(reader.postings(*terms[0]).all_ids())
        for term in terms[1:]:
            candidates.intersection_update(reader.postings(*term).all_ids())
        if not candidates:
            continue
        matchers = [reader.postings(*term) for term in terms]
        for doc in sorted(candidates):
            positions = []
            for m in matchers:
                m.skip_to(doc)
                positions.append(m.value_as("positions"))
            rest = [set(p) for p in positions[1:]]
            if any(all(p + i in later for i, later in enumerate(rest, 1)) for p in positions[0]):
                found.add(doc + offset)
    return found


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
    """Document numbers in date order, both ways, with undated statements last in each: loaded once per
    index generation, so that sorting any set of matches by date needs no per-document key lookups."""

    def __init__(self, reader, fieldname: str = "sortdate"):
        schema_field = reader.schema[fieldname]
        keys = list(reader.column_reader(fieldname, translate=False))
        undated_key = schema_field.to_column_value(0)
        dated = [d for d, k in enumerate(keys) if k != undated_key]
        undated = [d for d, k in enumerate(keys) if k == undated_key]
        oldest = sorted(dated, key=keys.__getitem__)
        # newest first, statements of the same instant in document order as in the other direction
        newest = sorted(dated, key=lambda d: -keys[d])
        self._orders = {False: oldest + undated, True: newest + undated}
        self._ranks = {}
        for newest_first, order in self._orders.items():
            rank = [0] * len(keys)
            for i, d in enumerate(order):
                rank[d] = i
            self._ranks[newest_first] = rank

    def first(self, docs: set[int], n: int, newest_first: bool) -> list[int]:
        """The first `n` of `docs` in date order."""
        order = self._orders[newest_first]
        if len(docs) * _DENSE >= len(order):
            out = []
            for d in order:
                if d in docs:
                    out.append(d)
                    if len(out) == n:
                        break
            return out
        return heapq.nsmallest(n, docs, key=self._ranks[newest_first].__getitem__)
