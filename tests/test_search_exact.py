"""Exact totals, date order and snippets over an index of several segments with replaced statements."""
from datetime import date, datetime, timedelta, timezone

import pytest
from helpers import store_at

from archive.index import writing as index_module
from whoosh.query import And, AndNot, DateRange, Every, Not, Or, Phrase, Term

from archive.index.analysis import text_analyzer
from archive.index.writing import sync_index
from archive.model import Statement
from archive.search.query import SearchQuery
from archive.search.searcher import Searcher, parse_query

UTC = timezone.utc
WORDS = ["sanctions", "ceasefire", "security", "trade", "climate", "finance", "taiwan", "ukraine"]


def _statement(i: int, revision: int = 0) -> Statement:
    # every statement has a different mix of words, some are undated, some share an instant
    words = [w for k, w in enumerate(WORDS) if (i >> k) & 1 or (i + k) % 5 == 0]
    paragraphs = [f"Remarks {i} on {' and '.join(words)}.", "Human rights were raised." if i % 3 else
                  "The rights of humans were raised.", f"Revision {revision}."]
    return Statement(
        source="us-state" if i % 2 else "sg-mfa", url=f"https://example.org/{i}", title=f"Statement {i} {words[0]}",
        paragraphs=paragraphs, country="US" if i % 2 else "SG", ministry="M", language="en",
        kind="remarks" if i % 4 else "press-conference",
        date=None if i % 11 == 0 else datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=(i * 37) % 900, hours=i % 2),
        speakers=[f"Speaker {i % 4}"])


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("exact")
    store = store_at(root / "a.sqlite")
    # three commits of 40 (three segments), then a fourth that replaces some of them (deletions)
    old_batch = index_module.BATCH
    index_module.BATCH = 40
    try:
        for start in range(0, 120, 40):
            for i in range(start, start + 40):
                store.save(_statement(i))
            sync_index(store, root / "index")
        for i in range(0, 120, 7):
            store.save(_statement(i, revision=1))
        sync_index(store, root / "index")
    finally:
        index_module.BATCH = old_batch
    s = Searcher(root / "index")
    assert len(s._searcher.reader().leaf_readers()) > 1 and s._searcher.reader().has_deletions()
    yield s
    s.close()


QUERIES = ["sanctions", "sanctions security", "sanctions OR ceasefire", "(ukraine OR taiwan) AND security",
           "trade NOT climate", "trade -climate -finance", '"human rights"', '"rights were"',
           "NOT sanctions", "climate OR (finance AND NOT trade)", "title:statement", "speaker:speaker",
           "revision", "ceasefire date:2020", "security -date:2021", "date:2020-03..2021-06", "xqzvvk",
           "country:sg trade", "kind:press-conference OR taiwan"]


def _matches(q, fields: dict) -> bool:
    """Whether one document's stored fields match `q`, decided from the texts alone: the ground truth."""
    kind = type(q)
    if kind is And:
        return all(_matches(sub, fields) for sub in q.subqueries)
    if kind is Or:
        return any(_matches(sub, fields) for sub in q.subqueries)
    if kind is Not:
        return not _matches(q.query, fields)
    if kind is AndNot:
        return _matches(q.a, fields) and not _matches(q.b, fields)
    if kind is Every:
        return True
    if kind is DateRange:
        if not fields.get("date_text"):
            return False
        when = datetime.fromisoformat(fields["date_text"]).replace(tzinfo=None)
        return (q.startdate is None or when >= q.startdate) and (q.enddate is None or when <= q.enddate)
    value = fields.get(q.fieldname) or ""
    if q.fieldname in ("country", "source", "kind", "language"):
        return kind is Term and q.text == value.lower()
    positions: dict[str, set[int]] = {}
    for t in text_analyzer()(value, positions=True, mode="index"):
        positions.setdefault(t.text, set()).add(t.pos)
    if kind is Term:
        return q.text in positions
    assert kind is Phrase, q
    return any(all(p + i in positions.get(w, ()) for i, w in enumerate(q.words)) for p in positions.get(q.words[0], ()))


def _truth(searcher, query) -> set[int]:
    reader = searcher._searcher.reader()
    return {d for d in reader.all_doc_ids() if _matches(query, reader.stored_fields(d))}


def test_whoosh_alone_miscounts_negations_over_deleted_documents(searcher):
    # why totals come from set operations: whoosh's own walk (scored or not) lets a document through
    # that holds an excluded word, once the index has segments with replaced statements
    query = parse_query(searcher._parser, "trade -climate -finance")
    whoosh = set(searcher._searcher.docs_for_query(query))
    assert whoosh != _truth(searcher, query)
    assert searcher.search(SearchQuery("trade -climate -finance")).total == len(_truth(searcher, query))


@pytest.mark.parametrize("q", QUERIES)
def test_totals_are_the_ground_truth(searcher, q):
    query = parse_query(searcher._parser, q)
    expected = _truth(searcher, query)
    res = searcher.search(SearchQuery(q, limit=5))
    assert res.total == len(expected)
    # filtered, the count is the intersection with the filter
    allowed = _truth(searcher, parse_query(searcher._parser, "country:us date:2020"))
    res = searcher.search(SearchQuery(q, country="US", date_from=date(2020, 1, 1), date_to=date(2020, 12, 31), limit=3),
                          facets=True)
    assert res.total == len(expected & allowed)
    assert sum(n for _, n in res.facets.get("country", [])) == res.total
    # and the page holds what the total promises
    assert len(searcher.search(SearchQuery(q, limit=200)).hits) == min(200, len(expected))


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_date_order_with_undated_last_and_pages_that_fit_together(searcher, sort):
    everything = searcher.search(SearchQuery("", sort=sort, limit=500)).hits
    assert len(everything) == searcher.search(SearchQuery("")).total == 120
    dated = [h.date for h in everything if h.date]
    assert [h.date for h in everything[:len(dated)]] == dated  # undated last, whichever way
    instants = [datetime.fromisoformat(d) for d in dated]
    assert instants == sorted(instants, reverse=sort == "-date")
    pages = [h.id for off in range(0, 120, 25) for h in searcher.search(SearchQuery("", sort=sort, limit=25, offset=off)).hits]
    assert pages == [h.id for h in everything]
    # with words, the same order among the matches
    some = searcher.search(SearchQuery("security", sort=sort, limit=500)).hits
    assert [h.id for h in some] == [h.id for h in everything if h.id in {x.id for x in some}]


def test_snippet_comes_from_the_paragraph_with_the_words(tmp_path):
    store = store_at(tmp_path / "a.sqlite")
    filler = " ".join(f"word{k}" for k in range(600))
    long_paragraph = f"{filler} the ceasefire monitors arrived {filler}"
    store.save(Statement(source="us-state", url="https://example.org/long", title="Long remarks",
                         paragraphs=["Opening words.", filler, long_paragraph, "Closing."], country="US",
                         ministry="M", language="en", date=datetime(2024, 1, 1, tzinfo=UTC)))
    sync_index(store, tmp_path / "index")
    s = Searcher(tmp_path / "index")
    hit = s.search(SearchQuery("ceasefire monitors")).hits[0]
    s.close()
    assert "<mark>ceasefire</mark> <mark>monitors</mark>" in hit.snippet
    assert len(hit.snippet) < 700


@pytest.mark.parametrize("q", ["sanctions", "sanctions security", "sanctions OR ceasefire", '"human rights"',
                               "(ukraine OR taiwan) AND security", '"rights were" OR trade',
                               '"human rights" sanctions', '"human rights" "rights were"'])
def test_relevance_order_is_whooshs_exhaustive_ranking(searcher, q):
    # the page is scored by whoosh itself, over the exact matches only: same scores, same order
    query = parse_query(searcher._parser, q)
    whoosh = searcher._searcher.search(query, limit=10, optimize=False)
    assert [(h.id, h.score) for h in searcher.search(SearchQuery(q, limit=10)).hits] == \
        [(r["id"], round(r.score, 4)) for r in whoosh]
    # a filter that leaves many of the matches, and one that leaves few (walked match by match)
    for filters, truth in (({"country": "US"}, "country:us"),
                           ({"country": "US", "date_from": date(2020, 3, 1), "date_to": date(2020, 6, 30)},
                            "country:us date:2020-03..2020-06")):
        allowed = _truth(searcher, parse_query(searcher._parser, truth))
        whoosh = searcher._searcher.search(query, limit=10, optimize=False, filter=allowed)
        assert [(h.id, h.score) for h in searcher.search(SearchQuery(q, limit=10, **filters)).hits] == \
            [(r["id"], round(r.score, 4)) for r in whoosh]
