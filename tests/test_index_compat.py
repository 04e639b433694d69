"""An index written before the code moved into packages still opens and searches.

Whoosh pickles the schema's field and analyzer classes, by module path, into each index it writes; the
fixture was written by the flat layout (`archive.index.AnalysedText`, `archive.analysis.*`).
"""
import shutil

from conftest import FIXTURES

from archive.search.query import SearchQuery
from archive.search.searcher import Searcher


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
