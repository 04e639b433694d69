"""Search filters over a small multilingual index: Russian and Japanese words, date syntax, exact-value filters,
facets, suggestions, sorting, and indexes built before the filter fields."""
from datetime import datetime, timedelta, timezone

import pytest
from helpers import store_at

from archive.index.schema import make_schema
from archive.index.writing import sync_index
from archive.model import Statement
from archive.search.query import SearchQuery
from archive.search.searcher import QueryError, Searcher
from whoosh import index as whoosh_index

UTC = timezone.utc


def _statements():
    # 2024-10: 3, 2024-11: 4, 2023-05: 2 briefings; all about missiles
    days = [datetime(2024, 10, d, tzinfo=UTC) for d in (3, 10, 17)] + \
           [datetime(2024, 11, d, tzinfo=UTC) for d in (1, 8, 15, 30)] + \
           [datetime(2023, 5, d, tzinfo=UTC) for d in (2, 9)]
    for i, day in enumerate(days):
        yield Statement(
            source="us-state", url=f"https://www.state.gov/b{i}/", title=f"Briefing {i}",
            paragraphs=[f"Missile deployments near the Nansei islands, item {i}."], country="US",
            ministry="State", language="en", kind="press-conference" if i % 3 else "remarks", date=day,
            speakers=["Matthew Miller, Department Spokesperson"] + (["Fukai, TBS"] if i < 2 else []))
    yield Statement(
        source="ru-mid", url="https://mid.ru/1/", title="Заявления министерства иностранных дел",
        paragraphs=["Министерство сделало заявления о ракетах."], country="RU", ministry="МИД России",
        language="ru", kind="statement", date=datetime(2024, 11, 20, tzinfo=timezone(timedelta(hours=3))),
        speakers=["Мария Захарова"])
    yield Statement(
        source="jp-mofa", url="https://www.mofa.go.jp/1/", title="記者会見",
        paragraphs=["インドネシアとのミサイル協議について。"], country="JP", ministry="MOFA Japan",
        language="ja", kind="press-conference",
        # 1 December in Tokyo, still November in UTC: facets and date ranges use the date as published
        date=datetime(2024, 12, 1, 2, tzinfo=timezone(timedelta(hours=9))), speakers=["Fukai, TBS"])
    yield Statement(source="us-state", url="https://www.state.gov/undated/", title="Undated note",
                    paragraphs=["Nothing about islands here."], country="US", ministry="State", language="en")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("search_more")
    store = store_at(root / "a.sqlite")
    for st in _statements():
        store.save(st)
    assert sync_index(store, root / "index") == 12
    searcher = Searcher(root / "index")
    yield store, root, searcher
    searcher.close()


def test_russian_words_are_stemmed(archive):
    _, _, s = archive
    assert s.search(SearchQuery("заявление")).total == 1
    assert s.search(SearchQuery("министерство")).total == 1
    assert s.search(SearchQuery('"заявление министерства"')).total == 1


def test_kana_runs_are_found_by_any_part(archive):
    _, _, s = archive
    for q in ("インドネシア", "ドネシ", "ネシ", "ミサイル", "サイル"):
        assert s.search(SearchQuery(q)).total == 1, q
    assert s.search(SearchQuery("シアネ")).total == 0  # pairs must follow each other, not merely occur


@pytest.mark.parametrize("q, total", [
    # ranges are in UTC, where the Tokyo statement of 1 December falls on 30 November
    # the Tokyo statement of 1 December (30 November in UTC) is in December: dates as published
    ("date:2024-11", 5),
    ("date:2024-12", 1),
    ("date:2024-11-01..2024-11-30", 5),
    ("missile date:2024-11-01..2024-11-30", 4),
    ("date:2024", 9),
    ("missile date:2024", 7),
    ("missile DATE:2023", 2),
    ("missile -date:2024", 2),
    ("missile AND NOT date:2024", 2),
    ("date:2024-10..2024-11", 8),
    ("missile date:..2023-12-31", 2),
    ("date:2024-11-08", 1),
    ('"date:2024"', 0),
])
def test_date_syntax(archive, q, total):
    _, _, s = archive
    assert s.search(SearchQuery(q)).total == total


def test_date_only_query_lists_newest_first(archive):
    _, _, s = archive
    res = s.search(SearchQuery("date:2024-10"))
    assert [h.title for h in res.hits] == ["Briefing 2", "Briefing 1", "Briefing 0"]


@pytest.mark.parametrize("q, message", [
    ("missile date:2024-13", "malformed date '2024-13'"),
    ("missile date:yesterday", "malformed date 'yesterday'"),
    ("date:2024-02-30", "no such date"),
    ("date:2024..2023", "ends before it starts"),
    ("missile OR date:2024", "outside parentheses and OR"),
    ("(missile date:2024)", "outside parentheses and OR"),
])
def test_bad_dates_get_one_line_messages(archive, q, message):
    _, _, s = archive
    with pytest.raises(QueryError, match=message):
        s.search(SearchQuery(q))


def test_exact_value_filters(archive):
    _, _, s = archive
    assert s.search(SearchQuery("", kind="remarks")).total == 3
    assert s.search(SearchQuery("missile", kind="PRESS-CONFERENCE")).total == 6
    assert s.search(SearchQuery("", language="ru")).total == 1
    assert s.search(SearchQuery("", speaker="Fukai, TBS")).total == 3
    assert s.search(SearchQuery("", speaker="fukai, tbs")).total == 0
    assert s.search(SearchQuery("", speaker="Fukai")).total == 0
    assert s.search(SearchQuery("", year=2023)).total == 2
    assert s.search(SearchQuery("missile", year=2024, kind="remarks")).total == 3
    assert s.search(SearchQuery("missile", year=2023, kind="remarks")).total == 0


def test_facets_count_every_match(archive):
    _, _, s = archive
    res = s.search(SearchQuery("", limit=2), facets=True)
    assert res.total == 12 and len(res.hits) == 2
    f = res.facets
    assert set(f) == {"country", "source", "speaker", "outlet", "kind", "language", "year", "month"}
    assert f["outlet"] == []  # no transcript here names who asked
    assert f["country"] == [("US", 10), ("JP", 1), ("RU", 1)]
    assert f["source"] == [("us-state", 10), ("jp-mofa", 1), ("ru-mid", 1)]
    assert f["speaker"] == [("Matthew Miller, Department Spokesperson", 9), ("Fukai, TBS", 3),
                            ("Мария Захарова", 1)]
    assert f["kind"] == [("press-conference", 7), ("remarks", 3), ("other", 1), ("statement", 1)]
    assert f["language"] == [("en", 10), ("ja", 1), ("ru", 1)]
    # year and month as published: the Tokyo statement of 1 December counts in December
    assert f["year"] == [("2023", 2), ("2024", 9)]
    assert f["month"] == [("2023-05", 2), ("2024-10", 3), ("2024-11", 5), ("2024-12", 1)]
    res = s.search(SearchQuery("missile", limit=1), facets=True)
    assert res.total == 9 and res.facets["country"] == [("US", 9)]


def test_facets_follow_filters_and_are_off_by_default(archive):
    _, _, s = archive
    assert s.search(SearchQuery("missile")).facets == {}
    res = s.search(SearchQuery("", country="US"), facets=True)
    assert res.total == 10
    assert res.facets["year"] == [("2023", 2), ("2024", 7)]  # the undated note has no year
    res = s.search(SearchQuery("missile date:2024-11"), facets=True)
    assert res.facets["month"] == [("2024-11", 4)]
    assert s.search(SearchQuery("nosuchword"), facets=True).facets["country"] == []


def test_json_has_facets_and_suggestion(archive):
    _, _, s = archive
    js = s.search(SearchQuery("", country="JP"), facets=True).to_json()
    assert js["facets"]["country"] == [{"value": "JP", "count": 1}]
    assert js["facets"]["speaker"] == [{"value": "Fukai, TBS", "count": 1}]
    assert js["suggestion"] is None
    js = s.search(SearchQuery("missile")).to_json()
    assert js["facets"] == {}
    assert js["suggestion"] is None
    assert s.search(SearchQuery("missle")).to_json()["suggestion"] == "missile"


def test_did_you_mean(archive):
    _, _, s = archive
    res = s.search(SearchQuery("missle"))
    assert res.total == 0 and res.suggestion == "missile"
    assert s.search(SearchQuery('"Nansei islnds"')).suggestion == '"Nansei islands"'
    assert s.search(SearchQuery("Misile country:us")).suggestion == "Missile country:us"
    assert s.search(SearchQuery("заевления")).suggestion == "заявления"
    assert s.search(SearchQuery("missile")).suggestion is None
    assert s.search(SearchQuery("xqzvvk")).suggestion is None


def test_undated_statements_sort_last_both_ways(archive):
    _, _, s = archive
    oldest = [h.title for h in s.search(SearchQuery("islands", sort="date", limit=20)).hits]
    newest = [h.title for h in s.search(SearchQuery("islands", sort="-date", limit=20)).hits]
    assert oldest[0] == "Briefing 7" and oldest[-1] == "Undated note"
    assert newest[0] == "Briefing 6" and newest[-1] == "Undated note"
    assert s.search(SearchQuery("", sort="-date", limit=1)).hits[0].title == "記者会見"


def test_refresh_reloads_facet_values(tmp_path):
    store = store_at(tmp_path / "a.sqlite")
    first, second, *_ = _statements()
    store.save(first)
    sync_index(store, tmp_path / "index")
    s = Searcher(tmp_path / "index")
    assert s.search(SearchQuery(""), facets=True).facets["kind"] == [("remarks", 1)]
    store.save(second)
    sync_index(store, tmp_path / "index")
    assert s.stale()
    s.close()
    s = Searcher(tmp_path / "index")
    assert not s.stale()
    assert s.search(SearchQuery(""), facets=True).facets["kind"] == [("press-conference", 1), ("remarks", 1)]
    s.close()


def test_index_built_before_the_new_fields(tmp_path):
    store = store_at(tmp_path / "a.sqlite")
    for st in _statements():
        store.save(st)
    (tmp_path / "index").mkdir()
    schema = make_schema()
    for name in ("speaker_exact", "month", "outlet"):
        schema.remove(name)
    whoosh_index.create_in(str(tmp_path / "index"), schema)
    assert sync_index(store, tmp_path / "index") == 12  # it still takes statements, without those fields
    s = Searcher(tmp_path / "index")
    assert s.search(SearchQuery("missile")).total == 9
    with pytest.raises(QueryError, match="policy-archive reindex"):
        s.search(SearchQuery("", speaker="Fukai, TBS"))
    with pytest.raises(QueryError, match="policy-archive reindex"):
        s.search(SearchQuery("", outlet="Reuters"))
    res = s.search(SearchQuery("missle"), facets=True)
    assert res.suggestion is None
    assert set(res.facets) == {"country", "source", "kind", "language"}
    s.close()


@pytest.mark.parametrize("text", [
    "Missile deployments near the Nansei islands, item 7. DON’T stop; U.S.-Japan talks on 2024-11-05",
    "2024年1月5日外交部发言人毛宁主持例行记者会。中方反对单边制裁。",
    "インドネシアとのミサイル協議について。カタカナ・ひらがな ア",
    "Министерство сделало Заявления о ракетах; Лавров",
    "",
])
def test_one_pass_index_analysis_equals_the_analyzers(text):
    # indexing analyses each text once, by its own code, for the terms and the vocabulary: it must give
    # exactly the terms (with positions) and words that the analyzers give queries and highlights
    from archive.index.analysis import analyse_for_index, highlight_tokens, spelling_analyzer, text_analyzer
    expected: dict[str, list[int]] = {}
    for t in text_analyzer()(text, positions=True, mode="index"):
        expected.setdefault(t.text, []).append(t.pos)
    spelt: dict[str, int] = {}
    for t in spelling_analyzer()(text, mode="index"):
        spelt[t.text] = spelt.get(t.text, 0) + 1
    words: dict[str, int] = {}
    assert analyse_for_index(text, words) == expected
    assert words == spelt
    # and the highlighter's tokens, with their offsets in the text
    chained = [(t.text, t.startchar, t.endchar) for t in text_analyzer()(text, chars=True, mode="query")]
    assert [(t.text, t.startchar, t.endchar) for t in highlight_tokens(text)] == chained


def test_index_built_before_the_vocabulary_moved_out(tmp_path):
    # the previous schema: title and text analysed by whoosh from strings, spelling words in a field
    from whoosh.fields import TEXT

    from archive.index.analysis import spelling_analyzer
    store = store_at(tmp_path / "a.sqlite")
    for st in _statements():
        store.save(st)
    schema = make_schema()
    for name in ("title", "text"):
        schema.remove(name)
    schema.add("title", TEXT(analyzer=schema["speaker"].analyzer, stored=True, field_boost=2.0))
    schema.add("text", TEXT(analyzer=schema["speaker"].analyzer, stored=True))
    schema.add("words", TEXT(analyzer=spelling_analyzer(), phrase=False))
    (tmp_path / "index").mkdir()
    whoosh_index.create_in(str(tmp_path / "index"), schema)
    assert sync_index(store, tmp_path / "index") == 12
    s = Searcher(tmp_path / "index")
    assert s.search(SearchQuery('"Nansei islands"')).total == 9
    assert s.search(SearchQuery("missle")).suggestion == "missile"
    s.close()
