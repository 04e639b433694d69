"""A quote's source found by runs of its words as phrases, before the rarer-word retrieval: a quote of common
words whose source the bounded reading of postings may miss among thousands of statements sharing them."""
from __future__ import annotations

import numpy as np
from helpers import RUNS_QUOTE

from archive.cite.lookup import words
from archive.search import candidates
from archive.search.query import SearchQuery


def _remarks(numbers):
    return [f"https://us-state.example/remarks/{n}" for n in numbers]


def _urls(searcher, ids):
    reader = searcher._searcher
    url = {f["id"]: f["url"] for f in (reader.stored_fields(d) for d in range(reader.doc_count_all()))}
    return [url[i] for i in ids]


def _in_runs(searcher, allowed=None):
    return candidates.in_runs(searcher._searcher, searcher._engine(), searcher._schema["text"].analyzer, allowed,
                              words(RUNS_QUOTE), 10)


def test_the_statements_holding_the_quote_come_first_oldest_first(runs_searcher):
    # both holding every run, the older first; then the two holding one run each (its words reordered around
    # "in other parts of the world", its opening words), older first; the thirty sharing its words but no run
    # of six not at all
    assert _urls(runs_searcher, _in_runs(runs_searcher)) == _remarks([3, 4, 1, 2])


def test_runs_keep_to_the_documents_allowed(runs_searcher):
    allowed = runs_searcher._engine().filter_docs(runs_searcher._filter(SearchQuery("", country="GB")))
    assert _urls(runs_searcher, _in_runs(runs_searcher, np.asarray(allowed))) == _remarks([4])


def test_the_searchers_candidates_put_runs_first_without_repeats(runs_searcher):
    urls = _urls(runs_searcher, runs_searcher.candidates(words(RUNS_QUOTE), SearchQuery(""), 50))
    assert urls[:4] == _remarks([3, 4, 1, 2]) and len(urls) == len(set(urls))
    # the rarer-word retrieval still adds the statements sharing the words
    assert _remarks([10])[0] in urls
