"""The statements a quote may come from (for archive.cite): those holding runs of its words as they stand,
then those holding the most of its rarer words.

Counting the words a statement shares with the quote, rather than BM25 over the whole statement, keeps a
long transcript with the quote in one paragraph from losing to short statements that repeat one of its
words. But a quote of common words shares them with thousands of statements, and the bounded reading of
their postings can miss its source: at 100,000 statements 11 of 200 verbatim quotes were not found. A run
of the quote's words found as a phrase (exactly, on the posting arrays) names its source whatever its words.
"""
from __future__ import annotations

import heapq
import math
import re
import time
from collections import Counter, defaultdict
from itertools import islice

import numpy as np
from whoosh.collectors import TimeLimit
from whoosh.query import Phrase

# retrieval reads the posting lists of the quote's rarer words, taken in turn from each QUOTE_STRETCH
# words of the quote, rarest first, within this many postings (and CANDIDATE_TERMS words; the first word's
# list up to FIRST_TERM_CAP): the cost is bounded at any archive size, and the words it leaves out are the
# common ones, which say least about where a quote comes from
POSTING_BUDGET = 40_000
CANDIDATE_TERMS = 16
FIRST_TERM_CAP = 4 * POSTING_BUDGET
QUOTE_STRETCH = 8
# the share of a statement's weight from words outside its best-matched stretch of the quote
SCATTERED = 0.2
# runs of the quote looked up as phrases: RUNS of RUN terms spread over it, within RUN_SECONDS in all
RUN = 6
RUNS = 4
RUN_SECONDS = 0.5
_CJK_GAP = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff\u3040-\u30ff]) (?=[\u2e80-\u9fff\uf900-\ufaff\u3040-\u30ff])")


def candidates(searcher, analyzer, allowed: frozenset[int] | None, qw: list[str], limit: int) -> list[str]:
    """Ids of the statements (among `allowed`, None for all) holding the most of the quote's words `qw`,
    weighted by rarity, those of one stretch of the quote found together counting most; equal weights
    oldest first. The postings read are bounded (POSTING_BUDGET, FIRST_TERM_CAP), so the cost does not
    grow with the archive."""
    reader = searcher.reader()
    total = max(1, reader.doc_count_all())
    # per statement, the weight of the quote's words it holds from each stretch of the quote: the words
    # of one stretch found together point to its source; the same number scattered over the quote, less
    along: dict[tuple[int, int], float] = defaultdict(float)
    spent = 0
    for n, (df, term, segment) in enumerate(_spread(qw, analyzer, lambda t: reader.doc_frequency("text", t))):
        if n >= CANDIDATE_TERMS:
            break
        if n and spent + df > POSTING_BUDGET:
            continue
        spent += df
        idf = math.log(1 + total / df)
        # a quote of common words only: its rarest word's list is read up to a cap, not to the end
        for doc in islice(reader.postings("text", term).all_ids(), FIRST_TERM_CAP):
            if allowed is None or doc in allowed:
                along[doc, segment] += idf
    weight: Counter = Counter()
    best: Counter = Counter()
    for (doc, _), w in along.items():
        weight[doc] += SCATTERED * w
        best[doc] = max(best[doc], w)
    for doc, w in best.items():
        weight[doc] += (1 - SCATTERED) * w
    if not weight:
        return []
    # equal weights (a formula repeated week after week) are ordered oldest first, so that the earliest
    # statements are the ones retrieved when there are more than `limit`
    cutoff = heapq.nlargest(limit, weight.values())[-1]
    when = _dates(reader, searcher.schema)
    top = sorted((doc for doc, w in weight.items() if w >= cutoff), key=lambda doc: (-weight[doc], when(doc)))
    return [searcher.stored_fields(doc)["id"] for doc in top[:limit]]


def in_runs(searcher, engine, analyzer, allowed, qw: list[str], limit: int) -> list[str]:
    """Ids of the statements (among the sorted document numbers `allowed`, None for all) holding runs of the
    quote's words as phrases, most runs first, equal ones oldest first."""
    terms = _terms(qw, analyzer)
    if len(terms) < 3:
        return []
    starts = sorted({round(i * (len(terms) - RUN) / (RUNS - 1)) for i in range(RUNS)}) if len(terms) > RUN else [0]
    deadline = time.monotonic() + RUN_SECONDS
    held: Counter = Counter()
    for start in starts:
        try:
            found = engine.evaluate(Phrase("text", terms[start:start + RUN]), deadline, False)
        except TimeLimit:
            break
        if found is None:
            return []
        docs = found.docs if allowed is None else np.intersect1d(found.docs, allowed, assume_unique=True)
        held.update(docs.tolist())
    when = _dates(searcher.reader(), searcher.schema)
    top = sorted(held, key=lambda doc: (-held[doc], when(doc)))[:limit]
    return [searcher.stored_fields(doc)["id"] for doc in top]


def _terms(qw: list[str], analyzer) -> list[str]:
    """The quote's index terms in order, analysed whole, joined as the index saw the text (Chinese and
    Japanese without spaces): the segmenter finds a Chinese word only in the run that holds all of it."""
    return [t.text for t in analyzer(_CJK_GAP.sub("", " ".join(qw)))]


def _spread(qw: list[str], analyzer, frequency) -> list[tuple[int, str, int]]:
    """The quote's index terms with their document frequencies and segments, taken in turn from each
    QUOTE_STRETCH terms of it, rarest first within each: when only part of a quote is in the archive (the rest
    paraphrased), the rarest words of the whole may all be in the other part."""
    segments, seen = [], set()
    # analysed whole before it is cut into stretches (a Chinese quote's words are its characters, one term a
    # word elsewhere, so the stretches are the same)
    found = _terms(qw, analyzer)
    for i in range(0, len(found), QUOTE_STRETCH):
        terms = set(found[i:i + QUOTE_STRETCH]) - seen
        seen |= terms
        segments.append(sorted((df, t, len(segments)) for t in terms if (df := frequency(t))))
    spread = [seg[r] for r in range(max(map(len, segments), default=0)) for seg in segments if r < len(seg)]
    # the rarest of all goes first: the first term is read even beyond the budget, and a common one
    # there would leave no budget for the rest
    if spread:
        spread.insert(0, spread.pop(spread.index(min(spread))))
    return spread


def _dates(reader, schema):
    """A document's publication time as the index sorts it; undated documents last."""
    if not reader.has_column("sortdate"):
        return lambda doc: 0
    column = reader.column_reader("sortdate")
    undated = schema["sortdate"].to_column_value(0)
    return lambda doc: math.inf if (v := column[doc]) == undated else v
