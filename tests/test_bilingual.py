"""A China MFA press conference in Chinese and in English: the two versions linked both ways whichever is stored
first, shown on the statement page and side by side (turn by turn), from real pages of ../shared/corpus; and the
linked share and alignment over every conference the corpus has in both languages (bench/bilingual.py)."""
from __future__ import annotations

import importlib.util
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import PAIR_EN, PAIR_ZH, cli, corpus_statement, present

from archive.alignment import align, turn_texts
from archive.datadir import open_datadir
from archive.index.writing import sync_index
from archive.ingest.pipeline import Pipeline
from archive.ingest.reports import LinesReport
from archive.model import Statement
from archive.store import Store
from archive.store.versions import VersionLinks

pytestmark = pytest.mark.corpus

ZH, EN = PAIR_ZH, PAIR_EN
# a current-template page whose language switch names the English version (not in the corpus)
CURRENT = "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202404/t20240403_11276141.shtml"
CURRENT_EN = "https://www.mfa.gov.cn/eng/xwfw_665399/s2510_665401/202404/t20240403_11276221.html"
SEEN = datetime(2026, 12, 1, tzinfo=timezone.utc)


def linked(store: Store, sid: str) -> list[tuple[str, str | None, str]]:
    return [(t["language"], t["id"], t["method"]) for t in store.translations(sid)]


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory, pair):
    root = tmp_path_factory.mktemp("bilingual")
    dd = open_datadir(root, create=True)
    store = Store(dd.db_url)
    for st in pair:  # one a day after the other, as two crawls would store them
        present(store, st)
    sync_index(store, dd.index_dir)
    store.close()
    return root


def test_the_version_stored_later_links_both_ways(store, pair):
    zh, en = pair
    present(store, zh)
    assert store.translations(zh.id) == []
    present(store, en)
    assert linked(store, zh.id) == [("en", en.id, "same-day-speaker")]
    assert linked(store, en.id) == [("zh", zh.id, "same-day-speaker")]
    present(store, zh, en)  # the same pages again: nothing new
    assert len(store.translations(zh.id)) == 1


def test_a_failure_while_linking_stores_neither_the_statement_nor_half_a_link(store, pair, monkeypatch):
    # what a kill -9 mid-save leaves: the crawl's save step (Pipeline.save) of the English version fails after
    # its first link is written; nothing of that save may remain, or the page would stay stored unlinked
    zh, en = pair
    pipeline = Pipeline(store)
    pipeline.save([zh], LinesReport("test"), SEEN)
    written = []
    real_add = VersionLinks.add_version

    def failing_after_one(self, *args, **kw):
        if written:
            raise OSError("killed while linking")
        written.append(args)
        return real_add(self, *args, **kw)
    monkeypatch.setattr(VersionLinks, "add_version", failing_after_one)
    with pytest.raises(OSError):
        pipeline.save([en], LinesReport("test"), SEEN)
    assert written and store.get(en.id) is None
    assert store.translations(zh.id) == [] and store.translations(en.id) == []
    monkeypatch.undo()
    # the crawl reads the page again (it stays owed): stored and linked both ways at once
    pipeline.save([en], LinesReport("test"), SEEN)
    assert linked(store, en.id) == [("zh", zh.id, "same-day-speaker")]
    assert linked(store, zh.id) == [("en", en.id, "same-day-speaker")]


def test_a_page_naming_its_english_version_links_it_once_that_is_stored(store, corpus):
    zh = corpus_statement(CURRENT)
    assert ("en", CURRENT_EN) in [(v.language, v.url) for v in zh.versions]
    present(store, zh)
    assert ("en", None, "page-link") in linked(store, zh.id)
    en = Statement(source="cn-mfa-en", url=CURRENT_EN, title="Foreign Ministry Spokesperson Wang Wenbin's Regular "
                   "Press Conference on April 3, 2024", paragraphs=["Wang Wenbin: Good afternoon."], country="CN",
                   ministry=zh.ministry, language="en", kind="press-conference", date=zh.date)
    present(store, en)
    assert ("en", en.id, "page-link") in linked(store, zh.id)
    assert linked(store, en.id) == [("zh", zh.id, "page-link")]


def test_link_versions_links_an_archive_stored_before_the_links(tmp_path, pair):
    dd = open_datadir(tmp_path, create=True)
    store = Store(dd.db_url)
    for st in pair:
        store.save(st)  # as an older version stored them: no links
    assert store.translations(pair[0].id) == []
    store.close()
    first = cli(tmp_path, "link-versions")
    assert first.returncode == 0, first.stderr
    assert "linked: 2 new links" in first.stdout
    assert "linked: 0 new links" in cli(tmp_path, "link-versions").stdout
    store = Store(dd.db_url)
    assert linked(store, pair[1].id) == [("zh", pair[0].id, "same-day-speaker")]
    store.close()


def test_statement_page_and_api_name_the_other_version(client, pair):
    zh, en = pair
    api = client.get(f"/api/statements/{zh.id}").get_json()
    [t] = api["translations"]
    assert (t["language"], t["id"], t["url"], t["method"]) == ("en", en.id, EN, "same-day-speaker")
    assert t["aligned_url"] == f"/statements/{zh.id}/aligned?other={en.id}"
    html = client.get(f"/statements/{en.id}").text
    assert "Other languages" in html and f'href="/statements/{zh.id}" lang="zh"' in html
    assert f'href="/statements/{en.id}/aligned?other={zh.id}"' in html


def test_aligned_view_pairs_turns_and_shows_a_turn_in_one_language_only(client, pair):
    zh, en = pair
    data = client.get(f"/api/statements/{zh.id}/aligned").get_json()
    assert (data["left"]["id"], data["right"]["id"]) == (zh.id, en.id)
    rows = data["rows"]
    # every turn of each version once, in its order, with its paragraphs numbered as on its statement page
    for side, st in (("left", zh), ("right", en)):
        assert [r[side]["paragraphs"][0]["n"] for r in rows if r[side]] == [t.start + 1 for t in st.turns]
    assert len(rows) == data["paired"] + data["unpaired"]
    assert all(r["left"]["role"] == r["right"]["role"] for r in rows if r["left"] and r["right"])
    first = rows[0]
    assert first["left"]["paragraphs"][0]["text"].startswith("问：") and "WHO" in first["left"]["paragraphs"][0]["text"]
    assert first["right"]["paragraphs"][0]["text"].startswith("Q: The WHO")
    imf = next(r for r in rows if r["right"] and "IMF" in r["right"]["paragraphs"][0]["text"])
    assert "国际货币基金组织" in imf["left"]["paragraphs"][0]["text"]

    html = client.get(f"/statements/{zh.id}/aligned").text
    # server-rendered, no script, nothing loaded from elsewhere
    assert "<script" not in html and " src=" not in html
    assert 'lang="zh"' in html and 'lang="en"' in html
    n = first["left"]["paragraphs"][0]["n"]
    assert f'id="zh-p{n}"' in html and f'href="/statements/{zh.id}#p{n}"' in html
    assert html.count('<p class="missing"') == data["unpaired"]
    assert 'rel="alternate" type="application/json"' in html


def _turns(*spec: tuple[str, str, str]) -> dict:
    """A transcript from (speaker, role, text) turns of one paragraph each."""
    return {"paragraphs": [text for _, _, text in spec],
            "turns": [{"speaker": who, "role": role, "start": i, "end": i + 1} for i, (who, role, _) in enumerate(spec)]}


def test_alignment_leaves_a_question_the_translation_dropped_unpaired():
    zh = _turns(("路透社", "question", "路透社记者：关于G20暂停偿债的报道，中方是否支持？"),
                ("赵立坚", "spokesperson", "赵立坚：中方支持G20的倡议，已同77个国家达成安排。"),
                ("问", "question", "问：日本《读卖新闻》4月12日发表评论说，疫情蔓延是人为的结果，你有何评论？"),
                ("赵立坚", "spokesperson", "赵立坚：这篇文章毫无根据，充满对中国政府和中国人民的恶意攻击，我们对此表示强烈不满和坚决反对，"
                 "希望有关媒体客观公正地报道。"),
                ("彭博社", "question", "彭博社记者：53个非洲国家驻华使节说了什么？"),
                ("赵立坚", "spokesperson", "赵立坚：中非友谊牢不可破，53个非洲国家都是中国的好朋友。"))
    en = _turns(("Reuters", "question", "Reuters: The G20 plans to suspend debt payments. Does China support it?"),
                ("Zhao Lijian", "spokesperson", "Zhao Lijian: China supports the G20 initiative and has reached "
                 "arrangements with 77 countries."),
                ("Bloomberg", "question", "Bloomberg: What did the envoys of 53 African countries to China say?"),
                ("Zhao Lijian", "spokesperson", "Zhao Lijian: China-Africa friendship is unbreakable; all 53 African "
                 "countries are good friends of China."))
    assert align(turn_texts(zh), turn_texts(en), {"赵立坚": "Zhao Lijian"}) == \
        [(0, 0), (1, 1), (2, None), (3, None), (4, 2), (5, 3)]


def test_aligned_view_of_a_statement_with_no_stored_version_is_404(client, pair):
    assert client.get("/statements/0000000000000000/aligned").status_code == 404
    r = client.get(f"/api/statements/{pair[0].id}/aligned?other=ffffffffffffffff")
    assert r.status_code == 404


def _bench():
    spec = importlib.util.spec_from_file_location("bilingual_bench", Path(__file__).parent.parent / "bench" / "bilingual.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_corpus_conferences_in_both_languages_are_linked_and_aligned(corpus, tmp_path):
    store = Store(f"sqlite:///{tmp_path}/corpus.db")
    result = _bench().measure(corpus, store)
    store.close()
    n = result["bilingual_conferences"]
    assert n >= 450, json.dumps(result)
    assert min(result["linked_share"].values()) >= 0.97, json.dumps(result)
    # most conferences align turn for turn, and few turns are left in one language only
    assert result["turn_for_turn"] >= 0.85 * n
    assert result["unaligned_turns"] <= 0.02 * result["turns"]
