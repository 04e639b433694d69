"""Sources on the real corpus (../shared/corpus): China MFA pages of 2019–20 and the State Department feed."""
from __future__ import annotations

import gzip
import html
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from archive.model import normalize_text
from archive.sources import get_source
from archive.sources.base import Page
from archive.sources.sites.cn_mfa_zh import spokespeople

FEED_DIR = Path("feeds/www.state.gov/rss-feed/press-releases")
STATE_ITEMS = 2031
FIRST_HUNT = r"/web/zyxw/|/fnhd_673048/|/web/wjdt_674879/fyrbt_674889/default"
# What a script or widget leaves in text; "window." alone is not it ("she went to the window.").
SCRIPT_JUNK = re.compile(r"<script|function\s*\(|\bwindow\.[A-Za-z]|\bdocument\.[A-Za-z]|jQuery|addEventListener")


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def fmprc_pages(corpus) -> dict[str, list[dict]]:
    pages = {"listing": [], "article": []}
    for entry in read_jsonl(corpus / "manifest.jsonl"):
        # the first hunt's pages: 50 browser-saved articles and the Chinese column's 67 listing pages (the
        # later hunts' conferences are read by tests/test_corpus_pages.py)
        if entry["site"] == "www.fmprc.gov.cn" and re.search(FIRST_HUNT, entry["path"]):
            entry["text"] = (corpus / entry["path"]).read_text(encoding=entry["encoding"])
            pages[entry["kind"]].append(entry)
    return pages


# --- China MFA, old template ----------------------------------------------------------------------------

def test_every_fmprc_article_parses(fmprc_pages):
    cn = get_source("cn-mfa-zh")
    articles = fmprc_pages["article"]
    assert len(articles) == 50
    for entry in articles:
        st = cn.parse_article(Page(url=entry["url"], text=entry["text"]))
        printed = re.search(r'id="News_Body_Time">\s*(\d{4}-\d{2}-\d{2})', entry["text"])[1]
        assert st.title and not st.problems(), entry["url"]
        assert date(2019, 1, 1) <= st.date.date() <= date(2020, 12, 31), entry["url"]
        assert st.date.date().isoformat() == printed, entry["url"]
        assert st.url == entry["url"] and st.kind in {"readout", "speech", "interview", "other"}
        for p in st.paragraphs:
            assert p.strip() == p and not p.startswith("\u3000"), (entry["url"], p)
            assert re.search(r"\w", p), (entry["url"], p)


def test_fmprc_paragraphs_are_the_text_paragraphs_of_the_body(fmprc_pages):
    """Each <p> of the body with words and no image, split at <br>: read here with plain regexes."""
    cn = get_source("cn-mfa-zh")
    for entry in fmprc_pages["article"]:
        body = entry["text"].split('id="News_Body_Txt_A"', 1)[1].split('id="relnews_list"', 1)[0]
        expected = [text for p in re.findall(r"<p[^>]*>(.*?)</p>", body, re.S) if "<img" not in p
                    for part in re.split(r"<br\s*/?>", p)
                    if re.search(r"\w", text := normalize_text(html.unescape(re.sub(r"<[^>]+>", "", part))))]
        assert cn.parse_article(Page(url=entry["url"], text=entry["text"])).paragraphs == expected, entry["url"]


def test_fmprc_speech_heading_is_kept(fmprc_pages):
    cn = get_source("cn-mfa-zh")
    [speech] = [e for e in fmprc_pages["article"] if e["url"].endswith("/t1638506.shtml")]
    st = cn.parse_article(Page(url=speech["url"], text=speech["text"]))
    assert st.kind == "speech"
    assert st.paragraphs[:6] == ["倡导国际合作，维护多边主义，", "推动构建人类命运共同体", "——在第55届慕尼黑安全会议上的主旨演讲",
                                 "（2019年2月16日，慕尼黑）", "中共中央政治局委员、中央外事工作委员会办公室主任", "杨洁篪"]


@pytest.fixture(scope="module")
def fmprc_listings(fmprc_pages):
    """(page, parsed listing) from page 0 to the last."""
    cn = get_source("cn-mfa-zh")
    entries = sorted(fmprc_pages["listing"], key=lambda e: int(re.search(r"default(?:_(\d+))?", e["url"])[1] or 0))
    return [(e, cn.parse_listing(Page(url=e["url"], text=e["text"]))) for e in entries]


def test_every_fmprc_listing_page(fmprc_listings):
    assert len(fmprc_listings) == 67
    base = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/"
    seen = set()
    for n, (entry, listing) in enumerate(fmprc_listings):
        last = n == len(fmprc_listings) - 1
        assert len(listing.links) == (10 if last else 15), entry["url"]
        for link in listing.links:
            assert re.fullmatch(re.escape(base) + r"t\d+\.shtml", link.url), link.url
            assert link.title and link.date is not None
            printed = f'<a href="./{link.url.rsplit("/", 1)[1]}" target="_blank">{link.title}</a>'
            assert f"{printed}({link.date.date().isoformat()})" in entry["text"]
        seen.update(link.url for link in listing.links)
        assert listing.next_pages == ([] if last else [f"{base}default_{n + 1}.shtml"]), entry["url"]
    assert len(seen) == 1000


def test_fmprc_listing_kinds_and_spokespeople(fmprc_listings):
    cn = get_source("cn-mfa-zh")
    titles = [link.title for _, listing in fmprc_listings for link in listing.links]
    briefings = [t for t in titles if "例行记者会" in t]
    assert len(briefings) > 800 and {cn.kind_for(t) for t in briefings} == {"press-conference"}
    assert {name for t in titles for name in spokespeople(t)} == {"华春莹", "耿爽", "陆慷", "赵立坚", "汪文斌"}


# --- U.S. Department of State feed ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def state_feed(corpus):
    """Every distinct item text of the feed's history, in one feed with the real channel head."""
    items = read_jsonl(corpus / FEED_DIR / "items.jsonl.gz")
    versions = read_jsonl(corpus / FEED_DIR / "versions.jsonl.gz")
    text = versions[0]["head"] + versions[0]["sep"].join(item["raw"] for item in items) + versions[0]["tail"]
    source = get_source("us-state")
    listing = source.parse_listing(Page(url=source.start_urls[0], text=text))
    assert len(listing.statements) == len(items), "some items did not parse"
    return items, versions, listing.statements


@pytest.fixture(scope="module")
def state_first_versions(state_feed) -> dict:
    """guid → the statement as the feed first carried it (what the JSONL records hold)."""
    items, versions, statements = state_feed
    by_key = {item["key"]: st for item, st in zip(items, statements)}
    first = {}
    for version in versions:
        for key in version["items"]:
            first.setdefault(by_key[key].guid, by_key[key])
    return first


def test_every_state_item_parses(state_feed):
    _, _, statements = state_feed
    assert len({s.guid for s in statements}) == STATE_ITEMS
    for s in statements:
        assert s.kind and s.speakers and s.speakers[0], s.guid
        assert s.paragraphs and not s.problems(), s.guid
        assert not any(SCRIPT_JUNK.search(p) for p in s.paragraphs), s.guid
        assert date(2021, 5, 1) <= s.date.date() <= date(2022, 8, 31), s.guid
        assert s.paragraphs[0] != s.speakers[0], s.guid


def test_state_press_briefings_are_press_conferences(state_feed, state_first_versions):
    briefings = [s for s in state_first_versions.values() if s.title.startswith("Department Press Briefing")]
    assert len(briefings) == 67
    _, _, statements = state_feed
    assert {s.kind for s in statements if s.title.lower().startswith("department press briefing")} \
        == {"press-conference"}


def test_state_kinds_are_spread(state_first_versions):
    kinds = Counter(s.kind for s in state_first_versions.values())
    assert kinds["statement"] > 1000 and kinds["readout"] > 400 and kinds["remarks"] > 100
    assert kinds["press-conference"] > 100 and kinds["interview"] > 40


def test_state_import_html_matches_first_feed_version(corpus, state_first_versions):
    records = read_jsonl(corpus / "statements/us-state-press-2021-2022.jsonl.gz")
    assert len(records) == STATE_ITEMS == len(state_first_versions)
    source = get_source("us-state")
    for record in records:
        fed = state_first_versions[record["guid"]]
        paragraphs = source.paragraphs_from_html(record["html"])
        assert paragraphs == fed.paragraphs, record["guid"]
        assert fed.url == record["url"] and fed.speakers == [" ".join(record["speaker"].split())]
        # an import that carries no <dc:creator> still finds the same spokespeople
        assert source.turns_for(record["title"], paragraphs) == fed.turns, record["guid"]


def test_state_briefings_are_split_into_turns(state_first_versions):
    briefings = [s for s in state_first_versions.values() if s.title.startswith("Department Press Briefing")]
    for s in briefings:
        roles = Counter(t.role for t in s.turns)
        assert roles["spokesperson"] >= 1 and roles["question"] >= 1, s.guid
        assert {t.speaker for t in s.turns if t.role == "spokesperson"} <= {"MR PRICE", "MS PORTER"}, s.guid
    assert sum(len(s.turns) for s in briefings) > 5000


def test_state_turns_tile_transcripts_only(state_first_versions):
    with_turns = [s for s in state_first_versions.values() if s.turns]
    assert Counter(s.kind for s in with_turns) == {"press-conference": 143, "remarks": 151, "interview": 53}
    for s in with_turns:
        assert all(a.end == b.start for a, b in zip(s.turns, s.turns[1:])), s.guid
        assert s.turns[-1].end == len(s.paragraphs), s.guid
        # labels stay in the text, as published
        assert all(":" in s.paragraphs[t.start] for t in s.turns), s.guid
    roles = Counter(t.role for s in with_turns for t in s.turns)
    assert roles["moderator"] > 400 and roles["official"] > 2000
