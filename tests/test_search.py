"""Search over a small index built from statements written here: counts, syntax, filters, bounds."""
from datetime import date, datetime, timedelta, timezone

import pytest
from helpers import store_at

from archive.index.writing import rebuild_index, sync_index
from archive.model import Statement
from archive.search.query import SearchQuery
from archive.search.searcher import QueryError, Searcher


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    store = store_at(root / "a.sqlite")
    day = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for i in range(60):
        store.save(Statement(
            source="us-state", url=f"https://www.state.gov/s{i}/", title=f"Briefing {i}",
            paragraphs=[f"Deployment of missile units to the Nansei islands, item {i}.",
                        "The Secretary met partners." if i % 2 else "Trade talks continued."],
            country="US", ministry="U.S. Department of State", language="en", kind="press-conference",
            date=day + timedelta(days=i), speakers=["Matthew Miller, Department Spokesperson"]))
    store.save(Statement(
        source="cn-mfa-zh", url="https://www.mfa.gov.cn/web/t1.html", title="2024年1月5日外交部发言人毛宁主持例行记者会",
        paragraphs=["我们坚决反对有关国家以台湾问题为借口加强军事部署。", "中方反对单边制裁。",
                    "<script>alert(1)</script>"],
        country="CN", ministry="Ministry of Foreign Affairs of the People's Republic of China", language="zh",
        kind="press-conference", date=datetime(2024, 1, 5, tzinfo=timezone(timedelta(hours=8))), speakers=["毛宁"]))
    store.save(Statement(source="us-state", url="https://www.state.gov/undated/", title="Undated note",
                         paragraphs=["Nothing about islands here."], country="US", ministry="State",
                         language="en"))
    assert sync_index(store, root / "index") == 62
    searcher = Searcher(root / "index")
    yield store, root, searcher
    searcher.close()


def test_totals_are_exact_beyond_the_page(archive):
    _, _, s = archive
    res = s.search(SearchQuery("missile", limit=5))
    assert res.total == 60 and len(res.hits) == 5
    assert s.search(SearchQuery("missile", limit=5, offset=58)).total == 60
    assert len(s.search(SearchQuery("missile", limit=5, offset=58)).hits) == 2
    # boolean with a filter: the case where an estimated count goes wrong
    res = s.search(SearchQuery("missile AND (partners OR trade) NOT item", limit=1))
    assert res.total == 0
    res = s.search(SearchQuery("missile AND partners", limit=3, date_from=date(2024, 1, 11), date_to=date(2024, 1, 30)))
    assert res.total == 10


def test_phrases_stemming_and_fields(archive):
    _, _, s = archive
    assert s.search(SearchQuery('"Nansei islands"')).total == 60
    assert s.search(SearchQuery('"islands Nansei"')).total == 0
    assert s.search(SearchQuery("\u201cNansei islands\u201d")).total == 60  # curly quotes make a phrase too
    assert s.search(SearchQuery("deployments")).total == 60  # English stemming
    assert s.search(SearchQuery("missile -partners")).total == 30
    assert s.search(SearchQuery("speaker:miller")).total == 60
    assert s.search(SearchQuery("country:cn")).total == 1
    assert s.search(SearchQuery("kind:press-conference source:cn-mfa-zh")).total == 1


def test_chinese_words_are_segmented(archive):
    _, _, s = archive
    res = s.search(SearchQuery("台湾问题"))
    assert res.total == 1 and "<mark>台湾</mark>" in res.hits[0].snippet or "<mark>台湾问题</mark>" in res.hits[0].snippet
    assert s.search(SearchQuery('"军事部署"')).total == 1
    assert s.search(SearchQuery("毛宁")).total == 1
    # 单边制裁 is one dictionary word; its parts are indexed too, so a search for 制裁 finds it
    assert s.search(SearchQuery("制裁")).total == 1
    assert s.search(SearchQuery('"反对单边制裁"')).total == 1


def test_snippets_escape_scraped_html(archive):
    _, _, s = archive
    res = s.search(SearchQuery("alert"))
    assert res.total == 1
    # a fragment starts at a word, so the opening bracket may fall outside it; the closing tag may not
    snippet = res.hits[0].snippet
    assert "<script" not in snippet and "</script" not in snippet and "&lt;/script" in snippet
    assert "<mark>alert</mark>" in snippet


def test_filters_and_sorting(archive):
    _, _, s = archive
    assert s.search(SearchQuery("", country="CN")).total == 1
    assert s.search(SearchQuery("", source="us-state")).total == 61
    newest = s.search(SearchQuery("", limit=3, sort="-date")).hits
    assert [h.title for h in newest] == ["Briefing 59", "Briefing 58", "Briefing 57"]
    oldest = s.search(SearchQuery("missile", limit=2, sort="date")).hits
    assert [h.title for h in oldest] == ["Briefing 0", "Briefing 1"]
    jan = s.search(SearchQuery("missile", date_from=date(2024, 1, 1), date_to=date(2024, 1, 31)))
    assert jan.total == 31


@pytest.mark.parametrize("q, message", [
    ('"open phrase', "unbalanced quotation mark"),
    ("(missile", "unbalanced parenthesis"),
    ("colour:red", "unknown field 'colour'"),
    ("x" * 600, "query too long"),
    (" OR ".join(f"w{i}" for i in range(60)), "query too complex"),
])
def test_bad_queries_get_one_line_messages(archive, q, message):
    _, _, s = archive
    with pytest.raises(QueryError, match=message):
        s.search(SearchQuery(q))


def test_wildcards_do_not_expand(archive):
    _, _, s = archive
    assert s.search(SearchQuery("b*")).total == 0
    assert s.search(SearchQuery("*:*")).total == 0


def test_reindex_gives_the_same_answers(archive, tmp_path):
    store, _, s = archive
    assert rebuild_index(store, tmp_path / "ix2") == 62
    again = Searcher(tmp_path / "ix2")
    assert again.search(SearchQuery("missile AND partners")).total == s.search(SearchQuery("missile AND partners")).total == 30
    assert store.unindexed_ids() == []
