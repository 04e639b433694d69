"""A quote check shows its source in the official wording as published: the paragraph in its own capitals and
punctuation, the matched span and the news version's changes marked inside it, the paragraphs around it a
click away; the /cite page puts the answer first and escapes what it shows. Through the real web app and CLI."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import build_archive, cli

from archive.cite.wording import wording
from archive.model import Statement

UTC = timezone.utc
BEFORE = "Q: What is China's response to the new U.S. measures?"
OFFICIAL = ("A: China firmly opposes any form of unilateral sanctions and long-arm jurisdiction that have no basis "
            "in international law, and we urge the U.S. side to stop its wrong practices at once.")
AFTER = "Q: Next question, please."
# the matched words of OFFICIAL, in its own case and punctuation
MATCHED = ("China firmly opposes any form of unilateral sanctions and long-arm jurisdiction that have no basis in "
           "international law")
ZH = "答：中方坚决反对任何形式的单边制裁和长臂管辖，敦促美方立即停止错误做法。"
SCRIPT = 'The minister said <script>alert("x")</script> the talks on fisheries quotas were frank, candid and useful.'


def _st(i: int, paragraphs: list[str], language: str = "en") -> Statement:
    return Statement(source="cn-mfa", url=f"https://cn-mfa.example/{i}", country="CN", ministry="Ministry of Foreign "
                     "Affairs of the People's Republic of China", language=language, kind="press-conference",
                     title=f"Regular press conference {i}", speakers=["Lin Jian"], paragraphs=paragraphs,
                     date=datetime(2024, 3, i, 15, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("cite-wording"),
                         [_st(1, [BEFORE, OFFICIAL, AFTER]), _st(2, ["问：请介绍情况。", ZH], "zh"), _st(3, [SCRIPT])])


def _top(client, q: str) -> dict:
    r = client.get("/api/cite", query_string={"q": q})
    assert r.status_code == 200
    return r.get_json()["matches"][0]


def _wording_html(page: str) -> str:
    found = re.findall(r'<blockquote class="wording"[^>]*>(.*?)</blockquote>', page, re.S)
    assert found, "the official wording is on the page"
    return found[0]


@pytest.mark.parametrize("quote, marks", [
    # two words changed
    ('"China strongly opposes any form of unilateral sanctions and long-arm jurisdiction that has no basis in '
     'international law"',
     ['<del title="the official text says">firmly</del> <span class="op">→</span> <ins title="the news says">'
      'strongly</ins>', '<del title="the official text says">have</del>']),
    # a word changed and words cut
    ('"china strongly opposes ... unilateral sanctions and long-arm jurisdiction that have no basis in '
     'international law"',
     ['<ins title="the news says">strongly</ins>',
      '<del title="in the official text, cut by the news">any form of</del>']),
])
def test_the_page_shows_the_official_paragraph_with_the_changes_inside_it(client, quote, marks):
    top = _top(client, quote)
    assert top["match"] == "near"
    html = client.get("/cite", query_string={"q": quote}).get_data(True)
    shown = _wording_html(html)
    # capitals and punctuation as published, the whole paragraph, the span highlighted within it
    assert shown.startswith("A: <mark class=\"span\"") and "long-arm jurisdiction" in shown
    assert shown.endswith("international law</mark>, and we urge the U.S. side to stop its wrong practices at once.")
    for mark in marks:
        assert mark in shown
    # the changes say what they are in words, not by colour alone
    assert "[changed:" in shown or "[cut by the news:" in shown


def test_the_span_offsets_slice_the_paragraph_to_the_matched_words(client):
    top = _top(client, '"China strongly opposes ... unilateral sanctions and long-arm jurisdiction that have no '
                       'basis in international law"')
    assert top["passage"][top["span_start"]:top["span_end"]] == MATCHED
    # the segments are the paragraph, in order; the news' words are the quote's as printed
    assert "".join(s["text"] for s in top["wording"]) == OFFICIAL
    assert {"op": "changed", "text": "firmly", "news": "strongly"} in top["wording"]
    assert {"op": "cut", "text": "any form of"} in top["wording"]
    # the normalised diff is kept beside it
    assert {"op": "changed", "text": "firmly", "quote": "strongly"} in top["diff"]
    assert top["before"] == BEFORE and top["after"] == AFTER


def test_words_added_by_the_news_are_marked_where_they_stand(client):
    top = _top(client, '"China firmly opposes any form of unilateral and illegal sanctions and long-arm jurisdiction '
                       'that have no basis in international law"')
    assert {"op": "added", "text": "", "news": "and illegal"} in top["wording"]
    assert "".join(s["text"] for s in top["wording"]) == OFFICIAL


def test_a_chinese_quote_with_a_changed_character(client):
    top = _top(client, "“中方坚决反对任何形式的单边制裁和长臂管辖，敦促美方立刻停止错误做法”")
    assert top["match"] == "near"
    assert {"op": "changed", "text": "即", "news": "刻"} in top["wording"]
    assert top["passage"][top["span_start"]:top["span_end"]] == "中方坚决反对任何形式的单边制裁和长臂管辖，敦促美方立即停止错误做法"
    shown = _wording_html(client.get("/cite", query_string={"q": "中方坚决反对任何形式的单边制裁和长臂管辖，敦促美方立刻停止错误做法"})
                          .get_data(True))
    assert shown.startswith('答：<mark class="span"') and shown.endswith("</mark>。")


def test_the_surrounding_paragraphs_are_a_click_away(client):
    html = client.get("/cite", query_string={"q": MATCHED}).get_data(True)
    top = _top(client, MATCHED)
    assert f'href="/statements/{top["id"]}#p2"' in html
    around = html[html.index('<details class="around">'):]
    around = around[:around.index("</details>")]
    assert "What is China&#39;s response" in around and "Next question, please." in around


def test_the_answer_comes_first_and_the_filters_are_folded(client):
    empty = client.get("/cite").get_data(True)
    # the first screen: one box and a button; the filters inside <details>
    assert empty.index('<textarea id="q"') < empty.index("<details class=\"filters\"") < empty.index('name="country"')
    assert "<details class=\"filters\" open" not in empty
    answered = client.get("/cite", query_string={"q": MATCHED}).get_data(True)
    assert answered.index('id="answer"') < answered.index('<textarea id="q"') < answered.index('name="country"')
    # the pasted text stays editable, and a set filter unfolds its details
    assert f">{MATCHED}</textarea>" in answered
    assert '<details class="filters" open' in client.get("/cite", query_string={"q": MATCHED, "country": "CN"}
                                                          ).get_data(True)
    assert "<script" not in answered


def test_a_scraped_script_is_shown_escaped(client):
    html = client.get("/cite", query_string={"q": "the talks on fisheries quotas were frank, candid and useful"}
                      ).get_data(True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in _wording_html(html)


def test_the_cli_prints_the_official_wording_with_the_changes(archive_dir):
    out = cli(archive_dir, "cite", '"China strongly opposes ... unilateral sanctions and long-arm jurisdiction that '
                                   'have no basis in international law"').stdout
    assert ("… China [-firmly-]{+strongly+} opposes [-any form of-] unilateral sanctions and long-arm jurisdiction "
            "that have no basis in international law …") in out


def test_a_paragraph_whose_characters_cannot_be_matched_to_its_words_keeps_the_normalised_diff():
    # Hangul as separate jamo: normalised whole, two jamo are one syllable; one by one, two letters
    assert wording("\u1100\u1161 \u1102\u1161", "가 나", [("equal", 0, 2, 0, 2)]) == {
        "wording": None, "span_start": None, "span_end": None}
