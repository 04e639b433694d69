"""Conformance of cn-mfa-en and cn-mfa-zh on every real China MFA article in ../shared/corpus: 2,050 Chinese
pages (old template, old template at the 2021+ URLs, current template) and 500 English press conferences.
Parse only, each page once."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from archive.fetch.decode import decode_body
from archive.sources import source_for_url
from archive.sources.base import Page
from archive.sources.sites.cn_mfa_zh import SPOKESPEOPLE

KNOWN = {"cn-mfa-zh": set(SPOKESPEOPLE), "cn-mfa-en": set(SPOKESPEOPLE.values())}
# the date each template prints ("YYYY-MM-DD", "YYYY-MM-DD HH:MM"); the old English one prints none
PRINTED = (re.compile(r'id="News_Body_Time"[^>]*>\s*(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)'),
           re.compile(r'<p class="time">\s*<span>\s*(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)'))
# conferences whose published page holds no question at all
NO_QUESTIONS = {
    # only the opening announcement (Medvedev's visit) was published; the raw page has four paragraphs
    "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1504209.shtml",
}
SEPARATOR = re.compile(r"[*＊]{3,}")
AFTER = re.compile(r"会后有[^，。：]*问及[^，。：]*：")


@pytest.fixture(scope="module")
def parsed(corpus):
    out = []
    for line in (corpus / "manifest.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        if rec["site"] in ("www.fmprc.gov.cn", "www.mfa.gov.cn") and rec["kind"] == "article":
            text = decode_body((corpus / rec["path"]).read_bytes(), None)[0]
            source = source_for_url(rec["url"])
            out.append((rec, text, source.parse_article(Page(url=rec["url"], text=text))))
    return out


def conference(st) -> bool:
    return bool(re.search(r"例行记者会|Press Conference|Daily Briefing", st.title))


def test_every_china_page_is_read_by_its_language(parsed):
    assert Counter(st.source for _, _, st in parsed) == {"cn-mfa-zh": 2050, "cn-mfa-en": 500}
    for rec, _, st in parsed:
        assert st.language == rec["language"] and st.url == rec["url"]
        assert st.title and "<br" not in st.title and not st.title.endswith("中华人民共和国外交部"), rec["url"]
        assert st.paragraphs and all(p.strip() for p in st.paragraphs), rec["url"]
        assert not any(p.startswith("相关链接") for p in st.paragraphs), rec["url"]


def test_every_page_is_dated_from_the_page_or_the_title_or_explicitly_undated(parsed):
    sources = Counter()
    for rec, text, st in parsed:
        sources[st.source, st.date_source] += 1
        printed = next((m[1] for rx in PRINTED if (m := rx.search(text))), None)
        if printed:
            shown = st.date.strftime("%Y-%m-%d %H:%M" if " " in printed else "%Y-%m-%d")
            assert (shown, st.date_source) == (printed, "page"), rec["url"]
        elif st.date_source == "title":
            # "June12, 2018" is printed too
            title = re.sub(r"([a-z])(\d)", r"\1 \2", st.title)
            if not re.search(r"\b(?:19|20)\d\d\b", title):
                # "... on September 10": the year is the one the page's photos were uploaded in
                assert st.date.strftime("%B %-d") in title and f"W0{st.date:%Y}" in text, rec["url"]
            else:
                assert st.date.strftime("%B %-d, %Y") in title, rec["url"]
        else:
            # the reason: no date on the page and none in the title
            assert (st.date, st.date_source) == (None, "none"), rec["url"]
            assert not re.search(r"\b(?:January|February|March|April|May|June|July|August|September|October|"
                                 r"November|December) ?\d", st.title), rec["url"]
    assert sources == {("cn-mfa-zh", "page"): 2050, ("cn-mfa-en", "title"): 498, ("cn-mfa-en", "none"): 2}


def test_every_conference_is_dated_even_when_its_title_prints_no_year(parsed):
    undated = {st.url.rsplit("/", 1)[1]: st for _, _, st in parsed if st.date is None}
    assert not [st.url for st in undated.values() if conference(st)]
    # two remarks of August 2019 whose page and title give no date; the English listing prints none either
    assert sorted(undated) == ["t1686638.shtml", "t1687014.shtml"]
    assert {st.kind for st in undated.values()} == {"remarks"}
    yearless = {st.url.rsplit("/", 1)[1]: st.date.date().isoformat() for _, _, st in parsed
                if st.source == "cn-mfa-en" and conference(st) and not re.search(r"\d{4}", st.title)}
    assert len(yearless) == 14 and set(yearless.values()) == {f"2018-09-{d}" for d in (
        "10", "11", "12", "13", "14", "17", "18", "19", "20", "21", "25", "26", "27", "28")}
    # its photos were uploaded the day after the conference
    assert yearless["t1597725.shtml"] == "2018-09-21"


def test_speakers_are_known_spokespeople(parsed):
    for rec, _, st in parsed:
        assert set(st.speakers) <= KNOWN[st.source], (rec["url"], st.speakers)
        if conference(st):
            assert len(st.speakers) == 1, rec["url"]


def test_press_conferences_are_turns_of_questions_and_answers(parsed):
    conferences = [(rec, st) for rec, _, st in parsed if conference(st)]
    assert Counter(st.source for _, st in conferences) == {"cn-mfa-zh": 1661, "cn-mfa-en": 487}
    for rec, st in conferences:
        assert st.kind == "press-conference", rec["url"]
        roles = Counter(t.role for t in st.turns)
        if rec["url"] in NO_QUESTIONS:
            assert not roles
            continue
        assert roles["question"] and roles["spokesperson"], rec["url"]
        assert all(t.speaker in st.speakers or t.speaker in KNOWN[st.source]
                   for t in st.turns if t.role == "spokesperson"), rec["url"]
        # the line of asterisks before the questions taken after the conference is no paragraph, and those
        # questions ("会后有记者问及…：") are questions
        assert not any(SEPARATOR.fullmatch(p) for p in st.paragraphs), rec["url"]
        asking = {i for t in st.turns if t.role == "question" for i in range(t.start, t.end)}
        assert all(i in asking for i, p in enumerate(st.paragraphs) if AFTER.match(p)), rec["url"]
