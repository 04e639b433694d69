"""Fifteen months of the State Department press-release feed, watched hour by hour as it was published.

corpus-server --advance-on-get serves the next of the feed's 2,343 hourly versions after each GET; one
`watch` round reads one version. What the archive should hold is worked out here from the corpus files
alone, without the archive's parser: every guid, and for each the runs of distinct wording (the visible
characters of title and text, whatever the markup and whitespace) across the versions that carried it.
"""
from __future__ import annotations

import gzip
import html
import json
import re
import time
from collections import Counter

import httpx
import pytest
from bs4 import BeautifulSoup

from archive.model import statement_id
from archive.sources.sites.us_state import USState
from archive.sources.base import Page
from helpers import CORPUS, archive_store, start_corpus_server
from helpers import cli

HISTORY = CORPUS / "feeds" / "www.state.gov" / "rss-feed" / "press-releases"
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_LINK = re.compile(r"<link>(.*?)</link>", re.S)
_CREATOR = re.compile(r"<dc:creator><!\[CDATA\[(.*?)\]\]></dc:creator>", re.S)
_BODY = re.compile(r"<content:encoded><!\[CDATA\[(.*?)\]\]></content:encoded>", re.S)


def visible(text: str) -> str:
    """The characters a reader sees, without whitespace: a tag boundary or a line break is no edit."""
    return "".join(text.split())


def wording(raw_item: str) -> tuple[str, str]:
    """Title and text of a feed item as a reader sees them; markup does not count. The body opens with
    the byline, the names and titles <dc:creator> holds, a paragraph each: that is who speaks, not text."""
    body = BeautifulSoup(_BODY.search(raw_item)[1], "html.parser")
    byline = visible(html.unescape(_CREATOR.search(raw_item)[1]))
    for p in body.find_all("p"):
        if not visible(p.get_text()) or visible(p.get_text()) not in byline:
            break
        p.decompose()
    return visible(html.unescape(_TITLE.search(raw_item)[1])), visible(body.get_text())


def assert_paragraphs_of(paragraphs: list[str], text: str):
    """Each paragraph is in the published text, in order, and together they are nearly all of it: the
    source leaves out only what is no statement text (a repeated title, a "###" closing a briefing)."""
    at = 0
    for p in map(visible, paragraphs):
        found = text.find(p, at)
        assert found >= 0, (p[:80], text[at:at + 80])
        at = found + len(p)
    assert sum(len(visible(p)) for p in paragraphs) >= 0.9 * len(text)


def published_history():
    """guid -> the raw item texts it was published with, in order, consecutive repeats dropped; and the
    feed versions' head and tail, to rebuild a feed of one item."""
    with gzip.open(HISTORY / "items.jsonl.gz", "rt") as f:
        items = {d["key"]: d for d in map(json.loads, f)}
    history: dict[str, list[str]] = {}
    with gzip.open(HISTORY / "versions.jsonl.gz", "rt") as f:
        for version in map(json.loads, f):
            for key in version["items"]:
                # the guid as XML reads it: briefings' guids carry "&#038;"
                seq = history.setdefault(html.unescape(items[key]["guid"]), [])
                if not seq or seq[-1] != items[key]["raw"]:
                    seq.append(items[key]["raw"])
            frame = (version["head"], version["tail"])
    return history, frame


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_fifteen_months_of_the_state_feed(corpus, tmp_path):
    data = tmp_path / "data"
    feed = start_corpus_server("--advance-on-get")
    try:
        total = httpx.get(f"{feed.url}/_replay").json()["total"]
        clock = time.monotonic()
        proc = cli(data, "watch", "us-state", "--interval", "0", "--rounds", str(total), "--offline", "--delay", "0",
                   "--mirror", feed.mirror("https://www.state.gov"), "--json", "-q", timeout=3600)
        seconds = time.monotonic() - clock
        assert proc.returncode == 0, proc.stderr[-2000:]
    finally:
        feed.stop()
    *rounds, end = [json.loads(line) for line in proc.stdout.splitlines()]
    assert total == 2343 and len(rounds) == total and end["summary"]["rounds"] == total
    # every round read a new version: one full response each, no errors but the two start pages the
    # corpus does not hold (the briefing listing and the JSON API answer 404)
    assert all(r["sources"][0]["fetched"] == 1 for r in rounds)
    assert all(r["sources"][0]["errors"] == 2 for r in rounds)

    history, (head, tail) = published_history()
    store = archive_store(data)
    rows = {r["guid"]: r for r in store.iter_statements()}
    # identity is the guid: 2,031 statements, each once, though ten URLs were first published for two
    # statements each; a statement keeps the URL it was last published at (some moved)
    assert len(rows) == len(history) == 2031 == store.count()
    assert set(rows) == set(history)
    first_urls = Counter(_LINK.search(raws[0])[1] for raws in history.values())
    assert sum(1 for n in first_urls.values() if n > 1) == 10
    assert all(rows[guid]["url"] == _LINK.search(raws[-1])[1] for guid, raws in history.items())
    assert store.unindexed_ids() == []

    source = USState()
    expected_revisions = found_revisions = edited = markup_only = 0
    for guid, raws in history.items():
        runs = []
        for raw in raws:
            if not runs or wording(raw) != runs[-1]:
                runs.append(wording(raw))
        revs = store.revisions(rows[guid]["id"])
        # each edit of the title or the text is a revision; a change of markup alone is not
        assert len(revs) == len(runs), (guid, len(revs), len(runs))
        expected_revisions += len(runs)
        found_revisions += len(revs)
        edited += len(runs) > 1
        markup_only += len(raws) > len(runs)
        # the last revision is the text as last published: the same words in the same order, and what the
        # source reads from that last item on its own
        last = revs[-1]
        assert visible(last["title"]) == runs[-1][0]
        assert_paragraphs_of(last["paragraphs"], runs[-1][1])
        # a revision keeps the paragraphs it was first seen with; the statement follows the latest markup
        [final] = source.parse_listing(Page(url=source.start_urls[0], text=head + raws[-1] + tail)).statements
        assert (final.title, final.paragraphs) == (rows[guid]["title"], rows[guid]["paragraphs"])
        assert final.content_hash == last["content_hash"] == rows[guid]["content_hash"]
        assert statement_id(guid) == rows[guid]["id"]

    figures = {"rounds": len(rounds), "seconds": round(seconds, 1), "statements": len(rows),
               "text_revisions": found_revisions, "statements_edited": edited,
               "statements_with_markup_only_changes": markup_only, "expected_revisions": expected_revisions}
    print("replay figures:", json.dumps(figures))
    # the corpus README: 2,242 distinct item texts over 2,031 items
    assert sum(len(raws) for raws in history.values()) >= 2242
