"""The quote check across languages, on real China MFA pages of ../shared/corpus saved through the save step: a
Chinese quote finds the Chinese transcript and is offered the English version as published, an English quote is
traced to the Chinese original, and the citation names both, on /cite, /api/cite and `policy-archive cite`.

A match carries both keys, `original` and `translation`, always: at most one is an object, the other null, and
both are null for a statement with no stored version in the other role."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest
from helpers import PAIR_EN, PAIR_ZH, cli, corpus_statement, present, web_client
from markupsafe import escape

from archive.datadir import STORE_ENV_VAR, open_datadir
from archive.index.writing import sync_index
from archive.model import Statement, Turn
from archive.store import Store

pytestmark = pytest.mark.corpus

# 21 January 2020, Geng Shuang: linked by the pairing rule (same day, same spokesperson)
ZH, EN = PAIR_ZH, PAIR_EN
# a current-template conference naming its English version, which the corpus does not hold
CURRENT = "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202404/t20240403_11276141.shtml"
# a news release in Chinese only: no version in another language
LONE = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1768525.shtml"
# the IMF answer's third paragraph as a Chinese story would quote it: its opening clause cut ("我要强调，"), "但"
# and "发展" dropped
ZH_NEWS = "外交部发言人耿爽21日表示，“尽管国内外风险挑战增多，中国经济长期向好的基本面没有变，中国经济的内生动力、强大韧性和巨大潜力也没有变。”"
# shaped like a spokesperson's answer, said by none in the archive
ZH_INVENTED = "外交部发言人表示，“中方坚决反对有关国家在北极航道问题上搞排他性小圈子，敦促其停止炒作所谓冰上丝绸之路威胁论。”"


def _imf_answer(st: Statement) -> tuple[int, int]:
    """The paragraphs (1-based, first and last) of the answer to the question on the IMF's report."""
    for question, answer in zip(st.turns, st.turns[1:]):
        if answer.role == "spokesperson" and re.search("IMF|国际货币基金组织", st.paragraphs[question.start]):
            return answer.start + 1, answer.end
    raise AssertionError("no IMF question")


def _archive(root, statements, store_url: str | None) -> None:
    dd = open_datadir(root, create=True, store=store_url)
    store = Store(dd.db_url)
    for st in statements:  # one at a time, as crawls a day apart would store them
        present(store, st)
    sync_index(store, dd.index_dir)
    store.close()


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory, pair, archive_engine):
    root = tmp_path_factory.mktemp("cite-versions")
    _archive(root, [*pair, corpus_statement(CURRENT), corpus_statement(LONE)], archive_engine)
    return root


def test_a_chinese_quote_finds_the_chinese_paragraph_and_the_english_version(client, pair):
    zh, en = pair
    first, last = _imf_answer(zh)
    n_en, _ = _imf_answer(en)
    data = client.post("/api/cite", json={"q": ZH_NEWS}).get_json()
    top = data["matches"][0]
    assert (top["id"], top["language"], top["paragraph"]) == (zh.id, "zh", first + 2)
    assert top["match"] in ("near", "partial") and top["original"] is None
    t = top["translation"]
    assert {k: t[k] for k in ("id", "url", "language", "title", "paragraph")} == \
        {"id": en.id, "url": EN, "language": "en", "title": en.title, "paragraph": n_en + 2}
    # the English paragraph given is the English statement's own text, and says what the Chinese one says
    assert t["passage"] == en.paragraphs[n_en + 1] and t["passage"].startswith("Despite mounting risks")
    assert t["archived_url"] == f"http://localhost/statements/{en.id}#p{n_en + 2}"
    assert top["archived_url"] == f"http://localhost/statements/{zh.id}#p{first + 2}"
    # the citation names the Chinese original cited and the English translation as published, with both URLs
    assert ZH in top["citation"] and EN in top["citation"]
    assert f"Chinese original; English translation as published: “{en.title},” January 21, 2020, {EN}" \
        in top["citation"]

    # copied word for word (the answer's first paragraph, without its "答：" label): verbatim, same translation
    verbatim = client.post("/api/cite", json={"q": zh.paragraphs[first - 1][2:60]}).get_json()["matches"][0]
    assert (verbatim["id"], verbatim["paragraph"], verbatim["match"]) == (zh.id, first, "verbatim")
    assert verbatim["translation"]["passage"] == en.paragraphs[n_en - 1] and "IMF" in verbatim["translation"]["passage"]


def test_an_english_quote_is_traced_to_the_chinese_original(client, pair):
    zh, en = pair
    n_en, _ = _imf_answer(en)
    n_zh, _ = _imf_answer(zh)
    quote = " ".join(en.paragraphs[n_en - 1].split()[2:22])  # twenty words of the answer, without its "A:" label
    top = client.post("/api/cite", json={"q": f'The spokesman said "{quote}"'}).get_json()["matches"][0]
    assert (top["id"], top["paragraph"], top["match"]) == (en.id, n_en, "verbatim")
    assert top["translation"] is None
    assert {k: top["original"][k] for k in ("id", "url", "language", "paragraph", "passage")} == \
        {"id": zh.id, "url": ZH, "language": "zh", "paragraph": n_zh, "passage": zh.paragraphs[n_zh - 1]}
    assert f"English translation as published; Chinese original: “{zh.title},” {ZH}" in top["citation"]

    html = client.get("/cite", query_string={"q": quote}).text
    assert "Chinese original (authoritative)" in html and zh.paragraphs[n_zh - 1] in html
    assert f'href="/statements/{zh.id}#p{n_zh}"' in html


def test_cite_page_shows_both_passages_and_a_citation_naming_both(client, pair):
    zh, en = pair
    first, _ = _imf_answer(zh)
    n_en, _ = _imf_answer(en)
    html = client.get("/cite", query_string={"q": ZH_NEWS, "format": "chicago"}).text
    # the Chinese match in the official wording (its punctuation kept), the English paragraph whole
    assert "中国经济的内生动力、强大韧性和巨大潜力也没有变" in html and str(escape(en.paragraphs[n_en + 1])) in html
    assert "English translation as published" in html
    assert f'href="/statements/{zh.id}#p{first + 2}"' in html and f'href="/statements/{en.id}#p{n_en + 2}"' in html
    assert f'href="/statements/{zh.id}/aligned?other={en.id}"' in html
    citation = html[html.index("<textarea readonly"):]
    citation = citation[:citation.index("</textarea>")]
    assert ZH in citation and EN in citation
    assert "<script" not in html
    # the page's JSON twin carries the same
    twin = client.get("/api/cite", query_string={"q": ZH_NEWS, "format": "chicago"}).get_json()["matches"][0]
    assert ZH in twin["citation"] and EN in twin["citation"]
    assert twin["translation"]["passage"] == en.paragraphs[n_en + 1]


def test_cli_gives_the_other_version(archive_dir, pair, archive_engine):
    zh, en = pair
    n_en, _ = _imf_answer(en)
    env = {STORE_ENV_VAR: archive_engine} if archive_engine else None
    out = cli(archive_dir, "cite", ZH_NEWS, "--json", "--format", "ris", env=env)
    assert out.returncode == 0, out.stderr
    top = json.loads(out.stdout)["matches"][0]
    assert top["id"] == zh.id and top["original"] is None
    assert (top["translation"]["id"], top["translation"]["passage"]) == (en.id, en.paragraphs[n_en + 1])
    assert f"N1  - Chinese original; English translation as published: “{en.title},” January 21, 2020, {EN}" \
        in top["citation"]
    text = cli(archive_dir, "cite", ZH_NEWS, env=env).stdout
    assert f"translation (en): {EN}  (paragraph {n_en + 2}, id {en.id})" in text
    assert en.paragraphs[n_en + 1] in text and EN in text


def test_an_invented_chinese_quote_is_not_in_the_archive(client):
    data = client.post("/api/cite", json={"q": ZH_INVENTED}).get_json()
    assert data["quotes"][0]["match"] == "not-found" and data["matches"] == []
    html = client.get("/cite", query_string={"q": ZH_INVENTED}).text
    assert "not found in the archive" in html and "translation as published" not in html


@pytest.mark.parametrize("url", [LONE, CURRENT], ids=["no-other-language", "english-version-not-stored"])
def test_a_statement_without_a_stored_other_version_has_neither(client, url):
    st = corpus_statement(url)
    para = max(st.paragraphs, key=len)
    top = client.post("/api/cite", json={"q": para[:40]}).get_json()["matches"][0]
    assert top["id"] == st.id
    assert (top["original"], top["translation"]) == (None, None)
    assert "original" not in top["citation"] and "translation" not in top["citation"]


def _without_turns(st: Statement, first: int, last: int) -> Statement:
    """`st` as a version that left out the paragraphs first..last (1-based), whole turns: translations drop
    questions."""
    cut = last - first + 1
    turns = [t if t.end < first else Turn(t.speaker, t.role, t.start - cut, t.end - cut)
             for t in st.turns if not first - 1 <= t.start < last]
    return dataclasses.replace(st, paragraphs=st.paragraphs[:first - 1] + st.paragraphs[last:], turns=turns)


def test_a_turn_the_other_version_lacks_is_said_to_be_missing(tmp_path, pair):
    zh, en = pair
    first, last = _imf_answer(zh)
    q_en, a_en = _imf_answer(en)
    _archive(tmp_path, [zh, _without_turns(en, q_en - 1, a_en)], None)  # the English without the IMF exchange
    with web_client(tmp_path) as client:
        top = client.post("/api/cite", json={"q": ZH_NEWS}).get_json()["matches"][0]
        html = client.get("/cite", query_string={"q": ZH_NEWS}).text
    assert top["id"] == zh.id
    t = top["translation"]
    assert (t["id"], t["paragraph"], t["passage"]) == (en.id, None, None)
    assert t["archived_url"] == f"http://localhost/statements/{en.id}"
    assert "Not in the English version" in html
    # the conference still has both versions: the citation names them
    assert EN in top["citation"] and ZH in top["citation"]


def test_a_statements_citations_name_its_other_version(client, pair):
    zh, en = pair
    text = client.get(f"/api/statements/{en.id}/cite", query_string={"format": "mla", "paragraph": "2"}).text
    assert f"English translation as published; Chinese original: “{zh.title},” {ZH}." in text
    page = client.get(f"/statements/{zh.id}/cite").text
    citations = re.findall(r"<textarea readonly[^>]*>(.*?)</textarea>", page, re.S)
    assert len(citations) == 6 and all("English translation as published" in c and EN in c for c in citations)
    lone = corpus_statement(LONE)
    assert "original" not in client.get(f"/api/statements/{lone.id}/cite").text
