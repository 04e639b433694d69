"""Indexes written by older code still open and search: one written before the code moved into packages, and
analyzers pickled before their newer options.

Whoosh pickles the schema's field and analyzer classes, by module path, into each index it writes; the
fixture was written by the flat layout (`archive.index.AnalysedText`, `archive.analysis.*`).
"""
import shutil

from helpers import FIXTURES

from archive.index.analysis import LatinStemFilter, MultilingualTokenizer
from archive.search.query import SearchQuery
from archive.search.searcher import Searcher
from whoosh.analysis import LowercaseFilter


def test_an_index_of_the_flat_layout_opens_and_searches(tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(FIXTURES / "old-layout-index", folder)
    searcher = Searcher(folder)
    try:
        hits = searcher.search(SearchQuery("islands")).hits
        assert [h.title for h in hits] == ["Briefing on the islands"]
        assert searcher.search(SearchQuery("军事部署")).total == 1
        assert searcher.search(SearchQuery("missiles", country="US")).total == 1  # stemmed: the pickled filter works
    finally:
        searcher.close()


def test_old_analyzers_keep_analysing_as_their_indexes_were_built():
    # an index pickled before these options holds no attribute for them: the class defaults apply
    old_tokenizer, old_stem = MultilingualTokenizer(), LatinStemFilter()
    del old_tokenizer.__dict__["kana_bigrams"], old_stem.__dict__["russian"]
    analyzer = old_tokenizer | LowercaseFilter() | old_stem
    assert [t.text for t in analyzer("Заявления カタカナ deployments")] == ["заявления", "カタカナ", "deployment"]
