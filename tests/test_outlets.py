"""Who asked: the outlet of a press conference question, named alike across languages and spellings, counted by
the search's `outlet` facet, narrowed to by `outlet=`, and an outlet's questions listed (/outlets/<name>), over
real China MFA conferences of ../shared/corpus through the real Flask app."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from html import unescape

import pytest
from helpers import FIXTURES, archive_store, cli, corpus_statement, present

from archive.datadir import open_datadir
from archive.index.writing import sync_index
from archive.model import Turn
from archive.search.query import SearchQuery
from archive.search.searcher import Searcher
from archive.sources.outlets import canonical, outlets_of
from archive.store import Store

_ZH = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/"
_EN = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"
# the conferences of 1 to 5 June 2020 in Chinese and in English: every question names its outlet
WEEK = [*(_ZH + p for p in ("t1784776.shtml", "t1785064.shtml", "t1785499.shtml", "t1785844.shtml",
                            "t1786225.shtml")),
        *(_EN + p for p in ("t1784867.shtml", "t1785090.shtml", "t1785528.shtml", "t1785898.shtml",
                            "t1786290.shtml"))]
JUNE_1_ZH, JUNE_1_EN = WEEK[0], WEEK[5]


@pytest.fixture(scope="module")
def week(corpus):
    return [corpus_statement(url) for url in WEEK]


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory, week):
    dd = open_datadir(tmp_path_factory.mktemp("outlets"), create=True)
    store = Store(dd.db_url)
    present(store, *week)
    sync_index(store, dd.index_dir)
    store.close()
    return dd.root


@pytest.mark.parametrize("labels, name", [
    (("路透社", "Reuters", "Reuters TV", "路透电视台"), "Reuters"),
    (("法新社", "AFP", "Agence France-Presse"), "AFP"),
    (("《环球时报》", "环球时报", "Global Times", "The Global Times"), "Global Times"),
    (("日本共同社", "共同社", "Kyodo", "Kyodo News"), "Kyodo"),
    (("新华社", "Xinhua News Agency"), "Xinhua"),
    (("塔斯社", "俄通—塔斯社", "TASS", "Tass News Agency", "Tass"), "TASS"),
    (("英国《金融时报》", "《金融时报》", "The Financial Times"), "Financial Times"),
    (("土耳其阿纳多卢通讯社", "阿纳多卢通讯社", "土耳其安纳多卢通讯社"), "Anadolu"),
    (("俄罗斯卫星通讯社", "俄罗斯卫星社", "Sputnik", "Sputnik News Agency"), "Sputnik"),
    # the English of the same conferences says RIA Novosti where the Chinese says 今日俄罗斯 (Rossiya Segodnya)
    (("俄新社", "今日俄罗斯", "RIA Novosti"), "RIA Novosti"),
])
def test_an_outlets_names_in_both_languages_and_every_spelling_fold_into_one(labels, name):
    assert {canonical(label) for label in labels} == {name}


def test_labels_naming_no_outlet_give_none_and_outlets_asking_together_give_each():
    assert [canonical(label) for label in ("Journalist", "Foreign Journalist", "Reporter", "外国", "俄罗斯")] == [None] * 5
    assert outlets_of("路透社、彭博社") == ["Reuters", "Bloomberg"]
    assert outlets_of("ITN&BBC") == ["ITN", "BBC"] == outlets_of("英国独立电视台和英国广播公司")
    assert outlets_of("和讯网") == ["和讯网"]  # a "和" in a name the table lacks is no joint label
    assert outlets_of("俄新社记者/法新社") == ["RIA Novosti", "AFP"]
    # an outlet the table lacks keeps its label, cleaned, and its name names it again
    assert canonical("《南德意志报》") == "南德意志报" == canonical("南德意志报")


@pytest.mark.corpus
def test_question_turns_carry_their_outlet_as_published_and_its_name_in_both_languages(week):
    zh, en = week[0], week[5]
    asked = {st.language: [(t.outlet, t.outlet_keys) for t in st.turns if t.role == "question"] for st in (zh, en)}
    # every question of that day names its outlet, in the same order in both languages
    assert len(asked["zh"]) == len(asked["en"]) == 14
    assert [keys for _, keys in asked["zh"]] == [keys for _, keys in asked["en"]]
    assert ("路透社", ("Reuters",)) in asked["zh"] and ("Reuters", ("Reuters",)) in asked["en"]
    assert ("总台国广", ("CRI",)) in asked["zh"] and ("China Radio International", ("CRI",)) in asked["en"]
    reuters = next(t for t in zh.turns if t.outlet == "路透社")
    assert zh.paragraphs[reuters.start].startswith("路透社记者：")
    # answers carry none, and the stored form of a turn keeps both
    assert all(t.outlet is None for t in zh.turns if t.role != "question")
    assert reuters.to_json() == {"speaker": "路透社", "role": "question", "start": reuters.start,
                                 "end": reuters.end, "outlet": "路透社", "outlet_keys": ["Reuters"]}


def test_a_turn_carries_an_outlet_only_as_a_named_question():
    with pytest.raises(ValueError):
        Turn("赵立坚", "spokesperson", 0, 1, outlet="路透社", outlet_keys=("Reuters",))
    with pytest.raises(ValueError):
        Turn("路透社", "question", 0, 1, outlet="路透社")


def _asked(week, ids=None) -> Counter:
    """By hand: in how many of the statements (those of `ids`) each outlet asked."""
    return Counter(key for st in week if ids is None or st.id in ids
                   for key in {k for t in st.turns for k in t.outlet_keys})


@pytest.mark.corpus
def test_the_outlet_facet_counts_the_conferences_each_outlet_asked_at(client, week):
    found = client.get("/api/search?limit=100").get_json()
    assert found["total"] == 10
    assert {f["value"]: f["count"] for f in found["facets"]["outlet"]} == _asked(week)
    assert {"value": "Reuters", "count": 10} in found["facets"]["outlet"]  # five days, two languages
    # with a query: the conferences matching it, counted by who asked in them
    found = client.get("/api/search?q=Hong+Kong&limit=100").get_json()
    ids = {h["id"] for h in found["hits"]}
    assert 0 < len(ids) < 10
    assert {f["value"]: f["count"] for f in found["facets"]["outlet"]} == _asked(week, ids)


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["Reuters", "路透社", "reuters", "路透社记者"])
def test_outlet_narrows_the_search_by_any_of_its_names(client, week, name):
    found = client.get("/api/search", query_string={"outlet": name, "limit": 100}).get_json()
    assert {h["id"] for h in found["hits"]} == {st.id for st in week if "Reuters" in _asked([st])}


@pytest.mark.corpus
def test_the_results_page_shows_the_outlet_facet_and_its_links_narrow(client, week):
    page = unescape(client.get("/").get_data(as_text=True))
    assert 'id="facet-outlet"' in page
    assert re.search(r'href="/\?outlet=Reuters">Reuters</a> <span class="n">10</span>', page)
    narrowed = unescape(client.get("/?outlet=NHK").get_data(as_text=True))
    nhk = [st for st in week if "NHK" in _asked([st])]
    assert f"{len(nhk)} statement" in narrowed and all(st.title in narrowed for st in nhk)


@pytest.mark.corpus
def test_an_outlets_page_lists_its_questions_newest_first_with_links_to_the_paragraph(client, week):
    found = client.get("/api/outlets/路透社").get_json()
    assert found["outlet"] == "Reuters" and found["total"] == 10
    assert found["asked_as"] == [{"label": "Reuters", "language": "en"}, {"label": "路透社", "language": "zh"}]
    dates = [c["date"] for c in found["conferences"]]
    assert dates == sorted(dates, reverse=True)
    by_id = {st.id: st for st in week}
    hand = [(st.id, t.start + 1) for st in week for t in st.turns if "Reuters" in t.outlet_keys]
    listed = [(c["id"], q["paragraph"]) for c in found["conferences"] for q in c["questions"]]
    assert sorted(listed) == sorted(hand) and found["questions"] == len(hand)
    for c in found["conferences"]:
        for q in c["questions"]:
            assert q["text"][0] == by_id[c["id"]].paragraphs[q["paragraph"] - 1]
            assert q["text"][0].startswith(("路透社记者", "Reuters:"))
            assert q["url"].endswith(f"#p{q['paragraph']}")
    page = unescape(client.get("/outlets/Reuters").get_data(as_text=True))
    assert "Questions by Reuters" in page and 'href="/api/outlets/Reuters"' in page
    for c in found["conferences"]:
        assert c["title"] in page
        for q in c["questions"]:
            assert f'href="{q["url"]}"' in page and q["text"][0] in page


@pytest.mark.corpus
def test_an_outlets_questions_filtered_by_a_query_hold_it_in_the_question_or_its_answer(client, week):
    found = client.get("/api/outlets/Reuters?q=Hong+Kong").get_json()
    by_id = {st.id: st for st in week}
    everything = client.get("/api/outlets/Reuters").get_json()
    assert 0 < found["questions"] < everything["questions"]
    for c in found["conferences"]:
        st = by_id[c["id"]]
        for q in c["questions"]:
            i = next(i for i, t in enumerate(st.turns) if t.start == q["paragraph"] - 1)
            exchange = " ".join(st.paragraphs[st.turns[i].start:st.turns[i + 1].end])
            assert "hong kong" in exchange.lower()
    page = unescape(client.get("/outlets/Reuters?q=Hong+Kong").get_data(as_text=True))
    assert f"{found['questions']} question holding “Hong Kong”" in page
    shown = re.sub(r"</?mark>", "", page)
    assert all(q["text"][0] in shown for c in found["conferences"] for q in c["questions"])
    # a conference matching the query elsewhere says that none of the outlet's questions holds it
    assert sum(not c["questions"] for c in found["conferences"]) == page.count("None of their questions here")


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["Journalist", "No Such Outlet"])
def test_a_name_that_is_no_outlet_or_never_asked_is_a_404(client, name):
    assert client.get(f"/outlets/{name}").status_code == 404
    assert client.get(f"/api/outlets/{name}").status_code == 404


@pytest.mark.corpus
def test_compare_counts_who_asked_and_links_their_questions(client, week):
    found = client.get("/api/compare?q=Hong+Kong").get_json()
    search = client.get("/api/search?q=Hong+Kong").get_json()
    assert [(o["outlet"], o["count"]) for o in found["outlets"]] == [
        (f["value"], f["count"]) for f in search["facets"]["outlet"]]
    first = found["outlets"][0]
    assert "outlet=" in first["compare_url"] and first["questions_url"].startswith("/outlets/")
    # following an outlet compares the conferences it asked at alone
    narrowed = client.get(first["compare_url"].replace("/compare", "/api/compare", 1)).get_json()
    assert narrowed["total"] == first["count"]
    assert (first["outlet"], first["count"]) in [(o["outlet"], o["count"]) for o in narrowed["outlets"]]
    page = unescape(client.get("/compare?q=Hong+Kong").get_data(as_text=True))
    assert "Who asked" in page and f'href="{first["questions_url"]}"' in page


def test_an_index_of_an_older_layout_searches_without_the_outlet_facet(tmp_path):
    shutil.copytree(FIXTURES / "old-layout-index", tmp_path / "index")
    searcher = Searcher(tmp_path / "index")
    try:
        results = searcher.search(SearchQuery("islands"), facets=True)
        assert results.total == 1 and "outlet" not in results.facets
    finally:
        searcher.close()


@pytest.mark.corpus
def test_an_export_imported_elsewhere_keeps_who_asked(archive_dir, tmp_path, week):
    exported = tmp_path / "week.jsonl"
    assert cli(archive_dir, "export", str(exported)).returncode == 0
    # the file's outlet names are not trusted: the table names the label again
    lines = exported.read_text(encoding="utf-8").splitlines()
    forged = [json.loads(line) for line in lines]
    for rec in forged:
        for turn in rec["turns"]:
            if turn.get("outlet_keys"):
                turn["outlet_keys"] = ["Forged"]
    exported.write_text("\n".join(json.dumps(rec, ensure_ascii=False) for rec in forged), encoding="utf-8")
    other = tmp_path / "other"
    imported = cli(other, "import", str(exported))
    assert imported.returncode == 0, imported.stderr
    store = archive_store(other)
    try:
        for st in week:
            assert store.get(st.id)["turns"] == [t.to_json() for t in st.turns]
    finally:
        store.close()


@pytest.mark.corpus
def test_a_question_on_the_statement_page_links_its_outlets_questions(client, week):
    zh = week[0]
    page = unescape(client.get(f"/statements/{zh.id}").get_data(as_text=True))
    reuters = next(t for t in zh.turns if t.outlet == "路透社")
    assert re.search(rf'id="p{reuters.start + 1}".*?<a href="/outlets/Reuters" title="Questions by Reuters">路透社</a>',
                     page)
    assert page.count('href="/outlets/') == sum(bool(t.outlet) for t in zh.turns)
