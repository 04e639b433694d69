"""One text published by several ministries (store/sametext.py), through the real store, the real save step,
the real command line and the real Flask app.

The corpus holds no text two ministries both published (docs/same-text.md), so the joint statement here is a
real one, the Singapore MFA's "Joint Statement on the 6th United States-Singapore Strategic Partnership
Dialogue" as ../shared/corpus holds it, published again the way the State Department publishes a joint
statement: its own introduction, the numbered points as paragraphs, straight quotes for the typographic
ones, and the Singapore ministry's closing line left out; and once more at a second State Department address."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers import archive_store, cli, corpus_statement, present

from archive.datadir import open_datadir
from archive.index.writing import sync_index
from archive.ingest.jsonl import read_file
from archive.model import Statement, VersionLink
from archive.sources import get_source
from archive.sources.base import Page
from archive.store import Store
from archive.store.sametext import signature, similarity
from archive.store.tables import same_texts, text_shingles, text_signatures

pytestmark = pytest.mark.corpus

JOINT_TITLE = "Joint Statement on the 6th United States-Singapore Strategic Partnership Dialogue"
ARABIC_ITEM = ("raw/www.gov.uk/api/content/government/speeches/"
               "this-resolution-marks-the-beginning-of-the-end-of-the-libyan-chemical-weapons-programme.ar.json")
# what the State Department's and the G7's releases end with: shared by texts that are not one
BOILERPLATE = [
    "The G7 comprises Canada, France, Germany, Italy, Japan, the United Kingdom and the United States of "
    "America, and the High Representative of the European Union.",
    "For further information, please contact the Office of the Spokesperson. Media inquiries may be sent to "
    "the press office, which answers questions from journalists on working days between nine and six.",
    "This statement is issued on behalf of the Government and is available in other languages on request.",
]
FETCHED = datetime(2024, 6, 1, tzinfo=timezone.utc)


def straight(text: str) -> str:
    """Typographic quotes made straight, as some publishers' templates set them."""
    return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))


def state_copy(joint: Statement, url: str) -> Statement:
    """The joint statement as the State Department would publish it."""
    first, body = joint.paragraphs[0], joint.paragraphs[1]
    points = re.split(r" (?=\d{1,2}\. [A-Z])", first.split("Begin Text: ", 1)[1] + " " + body)
    return Statement(
        source="us-state", url=url, country="US", ministry="U.S. Department of State", language="en",
        kind="statement", title="Joint Statement on the Sixth U.S.-Singapore Strategic Partnership Dialogue",
        date=joint.date, speakers=["Office of the Spokesperson"], fetched_at=FETCHED,
        paragraphs=["The text of the following statement was released by the Governments of the United States "
                    "of America and the Republic of Singapore on the occasion of the Sixth U.S.-Singapore "
                    "Strategic Partnership Dialogue.", *[straight(p) for p in points], "End text."])


def regional(record: Statement, source: str, country: str, ministry: str) -> Statement:
    """A real statement under another ministry's name, ending with the common closing paragraphs."""
    return Statement(source=source, url=record.url.replace("www.mfa.gov.sg", f"{source}.example"),
                     country=country, ministry=ministry, language="en", kind="statement", title=record.title,
                     date=record.date, paragraphs=[*record.paragraphs, *BOILERPLATE], fetched_at=FETCHED)


@pytest.fixture(scope="module")
def texts(corpus) -> dict[str, Statement]:
    records = read_file(corpus / "statements/sg-mfa-2021-2024.jsonl.gz")
    joint = next(r for r in records if r.title.startswith(JOINT_TITLE))
    # two different statements of about 200 words, each ending with the same closing paragraphs
    first, second = [r for r in records if r.url.endswith(("20240507-Written-PQ-Eregister",
                                                           "Agong-Pre-Visit-Statement_240505"))]
    arabic = get_source("uk-fcdo").parse_article(Page(
        url="https://www.gov.uk/government/speeches/libya-chemical-weapons.ar",
        text=(corpus / ARABIC_ITEM).read_text(encoding="utf-8"), content_type="application/json"))
    us = state_copy(joint, "https://www.state.gov/joint-statement-on-the-sixth-u-s-singapore-spd/")
    # gov.uk's English page of the joint statement names a bilingual Arabic page (the Arabic speech with the
    # English text after it) as its version in Arabic: versions, not copies
    gb = Statement(source="uk-fcdo", url="https://www.gov.uk/government/news/us-singapore-spd", country="GB",
                   ministry="Foreign, Commonwealth & Development Office", language="en", kind="statement",
                   title=us.title, date=joint.date, paragraphs=us.paragraphs[1:-1], fetched_at=FETCHED,
                   versions=[VersionLink("ar", arabic.url)])
    return {
        # republished the next day under a "-2" address, as the State Department did 15 times in the corpus
        "sg": joint, "us": us, "us_again": replace(state_copy(joint, us.url.rstrip("/") + "-2/"),
                                                   date=joint.date + timedelta(days=1)), "gb": gb,
        "gb_ar": Statement(source="uk-fcdo", url=arabic.url, country="GB", ministry=arabic.ministry, language="ar",
                           kind="statement", title=arabic.title, date=joint.date, fetched_at=FETCHED,
                           paragraphs=[*arabic.paragraphs, *gb.paragraphs],
                           versions=[VersionLink("en", gb.url)]),
        "other_sg": regional(first, "sg-mfa", "SG", joint.ministry),
        "other_jp": regional(second, "jp-mofa-en", "JP", "Ministry of Foreign Affairs of Japan"),
    }


@pytest.fixture(scope="module")
def archive_dir(texts, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("same-text")
    dd = open_datadir(root, create=True)
    store = Store(dd.db_url)
    present(store, *texts.values())
    sync_index(store, dd.index_dir)
    store.close()
    return root


@pytest.fixture(scope="module")
def ids(texts) -> dict[str, str]:
    return {name: st.id for name, st in texts.items()}


@pytest.fixture(scope="module")
def stored(archive_dir):
    store = archive_store(archive_dir)
    yield store
    store.close()


def copies_of(store: Store, sid: str) -> dict[str, float]:
    return {c["id"]: c["similarity"] for c in store.copies(sid)}


def test_two_ministries_copies_are_linked_both_ways(stored, ids, texts):
    # the State Department's copy differs in its introduction, its paragraphs and its quotes
    assert texts["us"].paragraphs[0] not in texts["sg"].paragraphs[0]
    assert "\u2019" in " ".join(texts["sg"].paragraphs) and "\u2019" not in " ".join(texts["us"].paragraphs)
    us, sg = copies_of(stored, ids["us"]), copies_of(stored, ids["sg"])
    assert set(us) == {ids["sg"], ids["us_again"], ids["gb"]}
    assert set(sg) == {ids["us"], ids["us_again"], ids["gb"]}
    assert us[ids["sg"]] == sg[ids["us"]] >= 0.9
    # the same ministry's two addresses hold the same words
    assert us[ids["us_again"]] == 1.0


def test_shared_closing_paragraphs_do_not_make_one_text(stored, ids, texts):
    a, b = (signature(texts[k].paragraphs, "en") for k in ("other_sg", "other_jp"))
    shared = len(a & b)
    assert shared >= 5, "the two statements should share the closing paragraphs' shingles"
    assert similarity(len(a), len(b), shared) is None
    assert copies_of(stored, ids["other_sg"]) == {} and copies_of(stored, ids["other_jp"]) == {}


def test_a_translation_is_a_version_not_a_copy(stored, ids, texts):
    # the bilingual Arabic page holds every shingle of the English one: only the language keeps them apart
    english, bilingual = (signature(texts[k].paragraphs, texts[k].language) for k in ("gb", "gb_ar"))
    assert english <= bilingual
    assert [t["id"] for t in stored.translations(ids["gb"])] == [ids["gb_ar"]]
    assert copies_of(stored, ids["gb_ar"]) == {}
    assert ids["gb_ar"] not in copies_of(stored, ids["gb"])


def test_statement_page_says_also_published_by_with_working_links(client, ids, texts):
    page = client.get(f"/statements/{ids['sg']}").get_data(as_text=True)
    also = re.search(r"<dt>Also published by</dt><dd>(.*?)</dd>", page, re.S)
    assert also, "no “Also published by” on the page"
    assert "U.S. Department of State (US)" in also[1] and "Foreign, Commonwealth &amp; Development Office (GB)" in also[1]
    links = re.findall(r'<a href="(/statements/[0-9a-f]+)"', also[1])
    assert sorted(links) == sorted(f"/statements/{ids[k]}" for k in ("us", "us_again", "gb"))
    for link in links:
        other = client.get(link)
        assert other.status_code == 200 and f"/statements/{ids['sg']}" in other.get_data(as_text=True)
    assert f'href="{texts["us"].url}"' in also[1]
    twin = client.get(f"/api/statements/{ids['sg']}").get_json()
    by_id = {c["id"]: c for c in twin["also_published_by"]}
    assert set(by_id) == {ids["us"], ids["us_again"], ids["gb"]}
    us = by_id[ids["us"]]
    assert (us["source"], us["country"], us["url"], us["title"]) == ("us-state", "US", texts["us"].url,
                                                                      texts["us"].title)
    assert us["date"].startswith("2024-02-28") and 0.9 <= us["similarity"] <= 1
    assert client.get(f"/api/statements/{ids['other_sg']}").get_json()["also_published_by"] == []


def test_search_results_name_the_other_ministries_copies(client, ids):
    hits = {h["id"]: h for h in client.get("/api/search?q=%22Strategic+Partnership+Dialogue%22").get_json()["hits"]}
    assert len(hits) == 5
    also = hits[ids["sg"]]["also_published_by"]
    assert sorted((c["country"], c["source"], c["id"]) for c in also) == sorted(
        [("US", "us-state", ids["us"]), ("US", "us-state", ids["us_again"]), ("GB", "uk-fcdo", ids["gb"])])
    assert hits[ids["gb_ar"]]["also_published_by"] == []
    page = client.get("/?q=%22Strategic+Partnership+Dialogue%22").get_data(as_text=True)
    assert page.count('<span class="joint">') == 4
    assert '<span class="joint">joint · also GB, SG · also at another address</span>' in page


def test_compare_counts_a_text_once_per_ministry_and_marks_it(client, ids, texts):
    data = client.get("/api/compare?q=%22Strategic+Partnership+Dialogue%22").get_json()
    lanes = {lane["country"]: lane for lane in data["lanes"]}
    assert set(lanes) == {"US", "SG", "GB"}
    # the State Department published it at two addresses: one text in its lane
    assert (lanes["US"]["count"], lanes["US"]["copies_counted_once"]) == (1, 1)
    assert (lanes["SG"]["count"], lanes["SG"]["copies_counted_once"]) == (1, 0)
    # gov.uk's English page and its bilingual Arabic version are two statements, as translations always are
    assert (lanes["GB"]["count"], lanes["GB"]["copies_counted_once"]) == (2, 0)
    marks = {h["id"]: h["same_text"] for lane in lanes.values() for h in lane["hits"]}
    assert marks[ids["sg"]] == "joint · also GB, US"
    assert marks[ids["gb"]] == "joint · also SG, US" and marks[ids["gb_ar"]] is None
    assert marks[ids["us"]] == marks[ids["us_again"]] == "joint · also GB, SG · also at another address"
    html = client.get("/compare?q=%22Strategic+Partnership+Dialogue%22").get_data(as_text=True)
    assert '<span class="joint">joint · also GB, US</span>' in html
    assert "1 statement (a text it published at several addresses counted once: 1 copy left out)" in html
    # up to the day before the second copy, the lane holds one copy and nothing to count once
    before = client.get(f"/api/compare?q=%22Strategic+Partnership+Dialogue%22&to={texts['sg'].date.date()}").get_json()
    us = next(lane for lane in before["lanes"] if lane["country"] == "US")
    assert (us["count"], us["copies_counted_once"]) == (1, 0)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/compare.csv?q=%22Strategic+Partnership+Dialogue%22").get_data(as_text=True))))
    assert {r["id"]: r["same_text"] for r in rows}[ids["sg"]] == "joint · also GB, US"
    assert {r["lane_count"] for r in rows if r["country"] == "US"} == {"1"}


def test_a_new_text_drops_the_link_and_reindex_signs_an_older_archive(texts, tmp_path):
    root = tmp_path / "archive"
    dd = open_datadir(root, create=True)
    store = Store(dd.db_url)
    present(store, texts["sg"], texts["us"])
    assert set(copies_of(store, texts["us"].id)) == {texts["sg"].id}
    # the State Department replaces its page with another text: no longer the same, in the same save
    changed = replace(texts["us"], paragraphs=texts["other_sg"].paragraphs)
    assert store.save(changed).outcome == "changed"
    assert copies_of(store, texts["sg"].id) == {}
    store.save(texts["us"])
    assert set(copies_of(store, texts["sg"].id)) == {texts["us"].id}
    # an archive written before signatures: `reindex` signs its statements and links them
    with store.engine.begin() as conn:
        conn.execute(same_texts.delete())
        conn.execute(text_signatures.delete())
        conn.execute(text_shingles.delete())
    store.close()
    proc = cli(root, "reindex")
    assert proc.returncode == 0, proc.stderr
    assert "signed 2 statements" in proc.stderr
    store = Store(dd.db_url)
    assert set(copies_of(store, texts["us"].id)) == {texts["sg"].id}
    store.close()


def test_signatures_and_links_on_postgresql(texts, pg_url):
    store = Store(pg_url)
    try:
        present(store, texts["sg"], texts["us"], texts["us_again"], texts["other_sg"])
        assert set(copies_of(store, texts["sg"].id)) == {texts["us"].id, texts["us_again"].id}
        assert copies_of(store, texts["other_sg"].id) == {}
        assert [(a, b) for a, _, _, b, _, _ in store.copies_within("US")] == [
            tuple(sorted((texts["us"].id, texts["us_again"].id)))]
    finally:
        store.close()


def test_chinese_copies_are_compared_by_characters(corpus, tmp_path):
    speech, luxembourg, merkel = (corpus_statement(f"https://www.fmprc.gov.cn/web/zyxw/t{n}.shtml")
                                  for n in (1638504, 1638430, 1638467))
    # an embassy republishing the speech: its own opening line, half-width punctuation, no paragraph breaks
    copy = replace(speech, source="cn-embassy-de", url="https://de.china-embassy.example/chn/zgyw/t1638504.htm",
                   paragraphs=["中国驻德国大使馆转载：", "".join(speech.paragraphs).replace("，", ",").replace("：", ":")])
    store = Store(f"sqlite:///{tmp_path / 'archive.sqlite'}")
    try:
        present(store, speech, luxembourg, merkel, copy)
        assert set(copies_of(store, speech.id)) == {copy.id}
        # two readouts of one day's meetings, sharing their titles of office and the conference's name
        assert len(signature(luxembourg.paragraphs, "zh") & signature(merkel.paragraphs, "zh")) >= 5
        assert copies_of(store, luxembourg.id) == {} and copies_of(store, merkel.id) == {}
    finally:
        store.close()
