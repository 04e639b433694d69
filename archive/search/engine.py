"""Queries evaluated on posting arrays: exact match sets and BM25F scores, without Whoosh's matchers.

A parsed Whoosh query tree is walked once. Each node gives its matching live documents as a sorted
array of global document numbers and, when the page is ranked, each one's score. And, Or and Not are
array intersections, unions and differences; a phrase over common words is found and scored from its
word pairs' posting lists (positions checked only on a longer phrase's candidates), any other phrase by
positions on the documents holding all its words (and the pairs the index has); date and number ranges are filters computed once per index
state. Scores follow Whoosh's BM25F exactly (the same per-term formula on the same float32 weights and
byte-quantised lengths, the same idf and average length, summed as its matchers sum them), so the page
is Whoosh's full ranking: highest score first, equal scores in document order. `tests/test_engine.py`
and `tests/test_pairs.py` compare totals, order and scores with Whoosh's own searcher.

A query this does not read (a phrase with slop, Or with a minimum, wildcards) gives None, and the caller
falls back to Whoosh.
"""
from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from whoosh.collectors import TimeLimit
from whoosh.formats import Positions
from whoosh.query import (And, AndMaybe, AndNot, DateRange, Every, Not, NullQuery, NumericRange, Or, Phrase,
                          Require, Term)
from whoosh.scoring import BM25F

from ..index.analysis import pair_term
from ..index.schema import pairs_of
from .postings import Postings

_EMPTY = np.zeros(0, np.int64)
# a phrase's (document, start) pairs packed in one int64: positions stay far below 2**32
_SHIFT = np.int64(32)


class Unsupported(Exception):
    """A query node evaluated only by Whoosh itself."""


class Found(NamedTuple):
    docs: np.ndarray  # sorted global document numbers
    scores: np.ndarray | None  # float64, aligned with docs; None when not ranking


class Engine:
    """Query evaluation over one Whoosh searcher (one state of the index)."""

    def __init__(self, searcher):
        self._searcher = searcher
        self._schema = searcher.schema
        self.postings = Postings(searcher.reader())
        weighting = searcher.weighting
        # another weighting model would rank differently: evaluate sets, leave ranking to Whoosh
        self.ranks = type(weighting) is BM25F
        self._weighting = weighting
        self._every = np.flatnonzero(self.postings.live)

    # sets ---------------------------------------------------------------------------------------

    def filter_docs(self, q) -> np.ndarray:
        """The live documents of a filter query (country, source, ranges…), kept for this index state:
        the same few recur across searches."""
        return self.postings.cached(("filter", repr(q)), lambda: self._eval(q, False, float("inf")).docs)

    def evaluate(self, q, deadline: float, scored: bool) -> Found | None:
        """Every live document `q` matches, with scores if `scored`; None if `q` holds a node this does
        not read. TimeLimit past `deadline`."""
        try:
            return self._eval(q, scored, deadline)
        except Unsupported:
            return None

    def _eval(self, q, scored: bool, deadline: float) -> Found:
        if time.monotonic() > deadline:
            raise TimeLimit
        kind = type(q)
        if kind is Term:
            found = self._term(q.fieldname, q.text, scored)
        elif kind is Phrase:
            found = self._phrase(q, scored, deadline)
        elif kind is And:
            found = self._and(q.subqueries, scored, deadline)
        elif kind is Or and not q.minmatch:
            found = _union([self._eval(s, scored, deadline) for s in q.subqueries], scored)
        elif kind is Not:
            # Whoosh gives every document its inverse matcher finds a score of 1, whatever the boost
            docs = np.setdiff1d(self._every, self._eval(q.query, False, deadline).docs, assume_unique=True)
            return Found(docs, np.ones(len(docs)) if scored else None)
        elif kind is AndNot:
            found = minus(self._eval(q.a, scored, deadline), self._eval(q.b, False, deadline).docs)
        elif kind is AndMaybe:
            found = self._eval(q.a, scored, deadline)
            if scored:
                found = _add_where(found, self._eval(q.b, True, deadline))
        elif kind is Require:
            found = restrict(self._eval(q.a, scored, deadline), self._eval(q.b, False, deadline).docs)
        elif kind is Every and not q.fieldname:
            found = Found(self._every, np.ones(len(self._every)) if scored else None)
        elif q is NullQuery:
            found = Found(_EMPTY, np.zeros(0) if scored else None)
        elif kind in (DateRange, NumericRange):
            # a range scores as a constant: Whoosh wraps it in a ConstantScoreQuery of its boost
            docs = self.postings.cached(("range", repr(q)), lambda: self._range(q))
            return Found(docs, np.full(len(docs), float(q.boost)) if scored else None)
        else:
            raise Unsupported(kind.__name__)
        if scored and q.boost != 1.0:
            found = Found(found.docs, found.scores * q.boost)
        return found

    def _range(self, q) -> np.ndarray:
        """A date or number range from the field's sort column: one comparison over an array, where
        Whoosh walks a term per tier of the range. Whoosh's walk for a field without a column."""
        field = self._schema[q.fieldname] if q.fieldname in self._schema else None
        values = self.postings.column(q.fieldname) if field is not None and field.column_type else None
        if values is None:
            docs = np.fromiter(self._searcher.docs_for_query(q), np.int64)
            docs.sort()
            return docs[self.postings.live[docs]]
        # a DateRange holds its bounds as the longs a DATETIME column stores; a NUMERIC column stores
        # numbers in their sortable form
        bound = (lambda x: x) if isinstance(q, DateRange) else field.to_column_value
        keep = self.postings.live & (values != np.uint64(field.column_type._default))
        if q.start is not None:
            lo = np.uint64(bound(q.start))
            keep &= values > lo if q.startexcl else values >= lo
        if q.end is not None:
            hi = np.uint64(bound(q.end))
            keep &= values < hi if q.endexcl else values <= hi
        return np.flatnonzero(keep)

    def _term(self, fieldname: str, text, scored: bool) -> Found:
        if fieldname not in self._schema:
            return Found(_EMPTY, np.zeros(0) if scored else None)
        text = self._schema[fieldname].to_bytes(text) if not isinstance(text, bytes) else text
        tp = self.postings.term(fieldname, text)
        return Found(tp.docs, self._bm25f(fieldname, text, tp.docs, tp.weights) if scored else None)

    def _bm25f(self, fieldname: str, text: bytes, docs: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Whoosh's BM25FScorer for each posting, as an array (scoring.bm25, same order of operations)."""
        weights = weights.astype(np.float64)  # Whoosh scores a float32 weight as a Python float
        if not self._schema[fieldname].scorable:
            return weights  # Whoosh's WeightScorer
        searcher, w = self._searcher, self._weighting
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        B = w._field_B.get(fieldname, w.B)
        K1 = w.K1
        fl = self.postings.field_lengths(fieldname)[docs]
        return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))

    def _and(self, subqueries, scored: bool, deadline: float) -> Found:
        positive = [s for s in subqueries if type(s) is not Not]
        excluded = [self._eval(s.query, False, deadline).docs for s in subqueries if type(s) is Not]
        if positive:
            parts = [self._eval(s, scored, deadline) for s in positive]
            found = _intersection(parts, scored)
        else:
            found = Found(self._every, np.ones(len(self._every)) if scored else None)
        for docs in excluded:
            found = minus(found, docs)
        if scored and excluded:
            # Whoosh intersects with each Not's inverse matcher, which scores every document it passes 1
            found = Found(found.docs, found.scores + len(excluded))
        return found

    def _phrase(self, q, scored: bool, deadline: float) -> Found:
        if q.slop != 1:
            raise Unsupported("phrase with slop")
        words = [self._schema[q.fieldname].to_bytes(w) for w in q.words] if q.fieldname in self._schema else []
        if not words:
            return Found(_EMPTY, np.zeros(0) if scored else None)
        if len(words) == 1:
            return self._term(q.fieldname, words[0], scored)
        if type(self._schema[q.fieldname].format) is not Positions:
            raise Unsupported("phrase over a field without positions")
        pairs_field = pairs_of(self._schema, q.fieldname)
        common = self._schema[pairs_field].common if pairs_field else frozenset()
        indexed = [(a, b) for a, b in zip(words, words[1:])
                   if a.decode("utf-8") in common and b.decode("utf-8") in common]
        if len(indexed) == len(words) - 1:
            found = self._by_pairs(q.fieldname, pairs_field, words, scored)
            if len(words) == 2:
                return found
        else:
            for w in dict.fromkeys(words):
                self.postings.prepare_positions(q.fieldname, w)
            # Whoosh scores a phrase as the sum of its words' scores in each document
            found = _intersection([self._term(q.fieldname, w, scored) for w in words], scored)
            if indexed and len(found.docs):
                # the pairs the index holds leave fewer documents to check positions in
                found = restrict(found, _docs_holding(self._pairs(pairs_field, indexed)))
        if not len(found.docs):
            return found
        terms = {w: self.postings.term(q.fieldname, w) for w in dict.fromkeys(words)}
        # document × start of the phrase, for each word at each of its places in the phrase
        starts = None
        for w, tp in sorted(terms.items(), key=lambda item: len(item[1].docs)):
            if time.monotonic() > deadline:
                raise TimeLimit
            counts, positions = self.postings.positions(q.fieldname, w, np.searchsorted(tp.docs, found.docs))
            doc_index = np.repeat(np.arange(len(found.docs), dtype=np.int64), counts)
            for place in (i for i, x in enumerate(words) if x == w):
                ok = positions >= place
                keys = (doc_index[ok] << _SHIFT) | (positions[ok] - place)
                starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
            if not len(starts):
                break
        hit = np.unique(starts >> _SHIFT)
        return Found(found.docs[hit], found.scores[hit] if scored else None)

    def _pairs(self, pairs_field: str, pairs: list[tuple[bytes, bytes]]):
        return [self.postings.pair(pairs_field, pair_term(a.decode("utf-8"), b.decode("utf-8")).encode("utf-8"))
                for a, b in pairs]

    def _by_pairs(self, fieldname: str, pairs_field: str, words: list[bytes], scored: bool) -> Found:
        """The documents holding every adjacent pair of `words` (all of a two-word phrase's matches, a
        longer one's candidates), scored as Whoosh scores the phrase, the sum of its words' scores, from
        the words' counts the pairs carry: the words' own posting lists are not read."""
        pairs = self._pairs(pairs_field, list(zip(words, words[1:])))
        docs = _docs_holding(pairs)
        if not scored:
            return Found(docs, None)
        boost = np.float32(self._schema[fieldname].format.field_boost)
        scores = np.zeros(len(docs))
        for i, w in enumerate(words):
            # each word's count from its pair with the next word, the last word's from its pair with the one before
            pair, side = (pairs[i], 0) if i < len(pairs) else (pairs[i - 1], 1)
            weights = pair.counts[np.searchsorted(pair.docs, docs), side] * boost
            scores += self._bm25f(fieldname, w, docs, weights)
        return Found(docs, scores)

    # ranking ------------------------------------------------------------------------------------

    @staticmethod
    def top(found: Found, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The `n` best (documents, scores): highest score first, equal scores in document order, as
        Whoosh's collector orders them."""
        docs, scores = found.docs, found.scores
        if n < len(docs):
            # everything scoring above the n-th score, and every document tied with it
            cut = -np.partition(-scores, n - 1)[n - 1]
            keep = scores >= cut
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:n]
        return docs[order], scores[order]


def _intersection(parts: list[Found], scored: bool) -> Found:
    docs = min((p.docs for p in parts), key=len)
    for p in parts:
        if p.docs is not docs:
            docs = np.intersect1d(docs, p.docs, assume_unique=True)
    if not scored:
        return Found(docs, None)
    scores = np.zeros(len(docs))
    for p in parts:
        scores += p.scores[np.searchsorted(p.docs, docs)]
    return Found(docs, scores)


def _union(parts: list[Found], scored: bool) -> Found:
    if not parts:
        return Found(_EMPTY, np.zeros(0) if scored else None)
    every = np.concatenate([p.docs for p in parts])
    docs, inverse = np.unique(every, return_inverse=True)
    if not scored:
        return Found(docs, None)
    # (bincount gives integers for no input at all)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(docs))
    return Found(docs, scores.astype(np.float64, copy=False))


def _docs_holding(pairs) -> np.ndarray:
    """The documents in every one of these pairs' posting lists."""
    docs = min((p.docs for p in pairs), key=len)
    for p in pairs:
        if p.docs is not docs:
            docs = np.intersect1d(docs, p.docs, assume_unique=True)
    return docs


def minus(found: Found, docs: np.ndarray) -> Found:
    keep = ~np.isin(found.docs, docs, assume_unique=True)
    return Found(found.docs[keep], found.scores[keep] if found.scores is not None else None)


def restrict(found: Found, docs: np.ndarray) -> Found:
    keep = np.isin(found.docs, docs, assume_unique=True)
    return Found(found.docs[keep], found.scores[keep] if found.scores is not None else None)


def _add_where(found: Found, extra: Found) -> Found:
    """`found`'s scores plus `extra`'s in the documents both hold (AndMaybe)."""
    at = np.searchsorted(found.docs, extra.docs)
    inside = at < len(found.docs)
    inside[inside] = found.docs[at[inside]] == extra.docs[inside]
    scores = found.scores.copy()
    scores[at[inside]] += extra.scores[inside]
    return Found(found.docs, scores)
