"""The day pages (/days/YYYY-MM-DD) and the speaker pages (/speakers/<name>) with their JSON twins, through the
real Flask app over a small archive built through the store and the index, and over a week of real China MFA
conferences from ../shared/corpus."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest
from helpers import (AFTER, BUSY_DAY, CHINA_WEEK_EN, DAY_CN, DAY_US, MAO_NING, MAO_NING_STATEMENTS,
                     NEAR_NAMESAKE, PRC_MFA, SLASHED, ZAKHAROVA, corpus_statement, web_client)


def sections(html: str) -> dict[str, list[str]]:
    """A day page's ministries (their heading's text) → the ids of the statements listed under each."""
    out = {}
    for chunk in html.split('<section class="ministry"')[1:]:
        heading = re.sub(r"<[^>]+>", "", re.search(r"<h2[^>]*>(.*?)</h2>", chunk, re.S).group(1))
        out[" ".join(unescape(heading).split())] = re.findall(r'<h3 lang="[^"]*"><a href="/statements/([0-9a-f]+)"',
                                                              chunk)
    return out


def listed(html: str) -> list[str]:
    return re.findall(r'<h2 lang="[^"]*"><a href="/statements/([0-9a-f]+)', html)


def speaker_url(name: str, api: bool = False) -> str:
    return ("/api" if api else "") + "/speakers/" + quote(name)


# day pages -------------------------------------------------------------------------------------------


def test_a_day_lists_every_ministry_that_spoke_with_its_statements(days_archive):
    with web_client(days_archive) as client:
        r = client.get(f"/days/{BUSY_DAY}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Statements of 6 May 2024</h1>" in html
    assert "4 statements from 2 ministries" in html
    # the late statement is 7 May in UTC and still listed: the day is the one the ministry published;
    # statements of one time come by language
    assert sections(html) == {
        f"{PRC_MFA} (CN) · 2 statements": [DAY_CN[1].id, DAY_CN[0].id],
        "Department of State (US) · 2 statements": [st.id for st in DAY_US]}
    assert '<h3 lang="zh"><a href="/statements/' in html and '<h3 lang="en">' in html
    assert '<time datetime="2024-05-06T14:05:00-04:00">14:05 UTC-04:00</time>' in html
    assert "00:00" not in html  # a ministry that gives no time gets none made up
    assert f'<a href="{speaker_url(MAO_NING)}">{MAO_NING}</a>' in html
    assert '<a href="/speakers/Matthew%20Miller">Matthew Miller</a>' in html
    assert ">press conference<" in html and ">statement<" in html
    assert '<a href="/?from=2024-05-06&amp;to=2024-05-06&amp;sort=date">Search within this day</a>' in html
    assert '<link rel="alternate" type="application/json" href="/api/days/2024-05-06">' in html
    assert "<script" not in html


def test_the_days_before_and_after_skip_days_without_statements(days_archive):
    with web_client(days_archive) as client:
        busy = client.get(f"/days/{BUSY_DAY}").text
        # 4 and 5 May have nothing: the page still answers, and leads to the days around it that have some
        empty = client.get("/days/2024-05-04")
        first = client.get("/days/2024-02-01").text
        undated_before = client.get("/days/1999-01-01").text
    assert '<a rel="prev" href="/days/2024-05-03">← <time datetime="2024-05-03">3 May 2024</time></a>' in busy
    assert '<a rel="next" href="/days/2024-05-09"><time datetime="2024-05-09">9 May 2024</time> →</a>' in busy
    assert "Days without statements are skipped." in busy
    assert empty.status_code == 200
    assert "No statements published on 4 May 2024." in empty.text
    assert 'rel="prev" href="/days/2024-05-03"' in empty.text and 'rel="next" href="/days/2024-05-06"' in empty.text
    assert sections(empty.text) == {}
    assert "No earlier statements" in first and 'rel="next" href="/days/2024-03-15"' in first
    assert "No earlier statements" in undated_before and 'rel="next" href="/days/2024-02-01"' in undated_before


def test_the_day_json_twin_carries_what_the_page_shows(days_archive):
    with web_client(days_archive) as client:
        html = client.get(f"/days/{BUSY_DAY}").text
        data = client.get(f"/api/days/{BUSY_DAY}").get_json()
        last = client.get("/api/days/2024-05-09").get_json()
    assert data["date"] == BUSY_DAY and data["total"] == 4
    assert [(g["country"], g["ministry"], g["count"]) for g in data["ministries"]] == [
        ("CN", PRC_MFA, 2), ("US", "Department of State", 2)]
    assert [[s["id"] for s in g["statements"]] for g in data["ministries"]] == list(sections(html).values())
    us = data["ministries"][1]["statements"]
    assert us[0] == {"id": DAY_US[0].id, "title": "Department Press Briefing", "date": "2024-05-06T14:05:00-04:00",
                     "time": "14:05 UTC-04:00", "kind": "press-conference", "speakers": ["Matthew Miller"],
                     "language": "en", "source": "us-state", "url": DAY_US[0].url,
                     "statement_url": f"/statements/{DAY_US[0].id}"}
    assert data["ministries"][0]["statements"][0]["time"] is None
    assert data["previous"] == {"date": "2024-05-03", "url": "/days/2024-05-03"}
    assert data["next"] == {"date": "2024-05-09", "url": "/days/2024-05-09"}
    assert data["search_url"] == "/?from=2024-05-06&to=2024-05-06&sort=date"
    # the last day with statements: one from Moscow and the near-namesake's from Beijing, and no later day
    assert last["next"] is None and last["total"] == 2
    assert {s["id"] for g in last["ministries"] for s in g["statements"]} == {AFTER.id, NEAR_NAMESAKE.id}


@pytest.mark.parametrize("day", ["2024-13-01", "2024-02-30", "today", "2024-5-6", "20240506"])
def test_a_bad_day_is_a_400_with_a_one_line_message(days_archive, day):
    with web_client(days_archive) as client:
        page = client.get(f"/days/{day}")
        data = client.get(f"/api/days/{day}")
    assert page.status_code == 400 and data.status_code == 400
    message = data.get_json()["error"]
    assert "\n" not in message and ("YYYY-MM-DD" in message or "calendar has no day" in message)
    assert f'<p class="message">{message}</p>' in unescape(page.text)


def test_the_statement_page_links_the_day_it_was_published(days_archive):
    late = DAY_US[1]  # 7 May in UTC, 6 May where it was published
    with web_client(days_archive) as client:
        html = client.get(f"/statements/{late.id}").text
        data = client.get(f"/api/statements/{late.id}").get_json()
        day = client.get(data["day"])
    assert data["day"] == f"/days/{BUSY_DAY}"
    assert f'<a href="/days/{BUSY_DAY}">Everything published that day</a>' in html
    assert f'<a href="/days/{BUSY_DAY}">All statements of 6 May 2024</a>' in html
    assert day.status_code == 200 and late.id in day.text


# speaker pages ---------------------------------------------------------------------------------------


def test_a_speaker_page_lists_exactly_their_statements_newest_first(days_archive):
    with web_client(days_archive) as client:
        r = client.get(speaker_url(MAO_NING))
    assert r.status_code == 200
    html = r.text
    assert f"<h1>{MAO_NING}</h1>" in html
    # a statement she gave with a colleague is hers too; her near-namesake's is not; the undated one comes last
    assert listed(html) == [st.id for st in MAO_NING_STATEMENTS]
    assert NEAR_NAMESAKE.id not in html
    assert "<dt>Statements</dt><dd>5</dd>" in html
    assert '<dt>First</dt><dd><a href="/days/2024-02-01"><time datetime="2024-02-01T00:00:00+08:00">1 February 2024' in html
    assert '<dt>Latest</dt><dd><a href="/days/2024-05-06"><time datetime="2024-05-06T00:00:00+08:00">6 May 2024' in html
    assert f"<li>{PRC_MFA} <span class=\"meta\">(CN) · 5</span></li>" in html.replace("&#39;", "'")
    # the timeline: a bar for each month with statements, each leading to the search of that month
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "Statements by month, February 2024 to May 2024" in svg
    months = re.findall(r"<title>(\w+) 2024: (\d+)</title>", svg)
    assert months == [("February", "1"), ("March", "1"), ("April", "1"), ("May", "1")]
    assert (f'href="/?speaker={quote(MAO_NING)}&amp;sort=-date&amp;from=2024-03-01&amp;to=2024-03-31"') in svg
    assert f'<a href="/speakers/{quote("汪文斌")}">汪文斌</a>' in html
    assert "<script" not in html


def test_a_speaker_page_pages_like_the_search(days_archive):
    with web_client(days_archive) as client:
        pages = [client.get(f"{speaker_url(MAO_NING)}?limit=2&page={n}").text for n in (1, 2, 3)]
        beyond = client.get(f"{speaker_url(MAO_NING)}?limit=2&page=9")
        bad = client.get(f"{speaker_url(MAO_NING)}?page=0")
        twin = client.get(f"{speaker_url(MAO_NING, api=True)}?limit=2&page=2").get_json()
    assert [listed(p) for p in pages] == [[st.id for st in MAO_NING_STATEMENTS[i:i + 2]] for i in (0, 2, 4)]
    assert 'rel="next" href="/speakers/%E6%AF%9B%E5%AE%81?limit=2&amp;page=2"' in pages[0]
    assert 'rel="prev"' in pages[1] and 'rel="next"' in pages[1] and 'rel="next"' not in pages[2]
    assert '<ol class="results" start="3">' in pages[1]
    assert beyond.status_code == 200 and "There are no statements on page 9" in beyond.text
    assert bad.status_code == 400
    assert [h["id"] for h in twin["hits"]] == listed(pages[1]) and twin["offset"] == 2 and twin["total"] == 5


def test_the_speaker_json_twin_carries_what_the_page_shows(days_archive):
    with web_client(days_archive) as client:
        data = client.get(speaker_url(MAO_NING, api=True)).get_json()
        russian = client.get(speaker_url(ZAKHAROVA, api=True)).get_json()
        russian_page = client.get(speaker_url(ZAKHAROVA))
    assert data["speaker"] == MAO_NING and data["total"] == 5
    assert [h["id"] for h in data["hits"]] == [st.id for st in MAO_NING_STATEMENTS]
    assert data["first"] == "2024-02-01T00:00:00+08:00" and data["latest"] == "2024-05-06T00:00:00+08:00"
    assert data["ministries"] == [{"country": "CN", "ministry": PRC_MFA, "count": 5}]
    assert [(m["month"], m["count"]) for m in data["timeline"]] == [
        ("2024-02", 1), ("2024-03", 1), ("2024-04", 1), ("2024-05", 1)]
    assert russian["speaker"] == ZAKHAROVA and [h["id"] for h in russian["hits"]] == [AFTER.id]
    assert russian["ministries"][0]["country"] == "RU"
    assert russian_page.status_code == 200 and f"<h1>{ZAKHAROVA}</h1>" in russian_page.text


def test_a_speaker_name_with_a_slash_has_its_page(days_archive):
    name = SLASHED.speakers[0]
    with web_client(days_archive) as client:
        day = client.get("/days/2024-05-03").text
        data = client.get(speaker_url(name, api=True)).get_json()
    assert '<a href="/speakers/Spokesperson%20/%20Deputy%20Spokesperson">' in day
    assert data["speaker"] == name and [h["id"] for h in data["hits"]] == [SLASHED.id]


@pytest.mark.parametrize("name", ["Nobody at all", "毛", "Matthew"])
def test_an_unknown_speaker_is_a_404_with_a_one_line_message(days_archive, name):
    with web_client(days_archive) as client:
        page = client.get(speaker_url(name))
        data = client.get(speaker_url(name, api=True))
    assert page.status_code == 404 and data.status_code == 404
    assert data.get_json()["error"] == f"The archive holds no statement by “{name}”."
    assert '<p class="message">The archive holds no statement by' in page.text


def test_search_results_link_each_speaker(days_archive):
    with web_client(days_archive) as client:
        html = client.get("/?q=statement&sort=-date&limit=100").text
    assert (f'<a href="{speaker_url(MAO_NING)}">{MAO_NING}</a>; <a href="{speaker_url("汪文斌")}">汪文斌</a>'
            in html)
    assert f'<a href="{speaker_url(ZAKHAROVA)}">{ZAKHAROVA}</a>' in html


# on real pages ---------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_a_real_day_and_a_real_spokesperson(china_week):
    english = corpus_statement(CHINA_WEEK_EN)
    with web_client(china_week) as client:
        day = client.get("/api/days/2020-01-21").get_json()
        page = client.get("/days/2020-01-21").text
        weekend = client.get("/api/days/2020-01-18").get_json()
        geng = client.get(speaker_url("耿爽", api=True)).get_json()
        geng_page = client.get(speaker_url("耿爽")).text
    # the Chinese and the English conference of the day, under the one ministry that held it
    assert [(g["country"], g["ministry"]) for g in day["ministries"]] == [("CN", PRC_MFA)]
    held = day["ministries"][0]["statements"]
    assert sorted(s["language"] for s in held) == ["en", "zh"]
    assert {s["kind"] for s in held} == {"press-conference"}
    assert english.id in [s["id"] for s in held]
    assert "2020年1月21日外交部发言人耿爽主持例行记者会" in page and "Geng Shuang" in page
    assert day["previous"]["date"] == "2020-01-20" and day["next"]["date"] == "2020-01-22"
    assert weekend["total"] == 0 and weekend["previous"]["date"] == "2020-01-17"
    assert weekend["next"]["date"] == "2020-01-20"
    # 耿爽's five conferences in Chinese, newest first; not 华春莹's answer, not the English version's
    assert geng["total"] == 5
    assert [h["date"][:10] for h in geng["hits"]] == ["2020-01-23", "2020-01-22", "2020-01-21", "2020-01-20",
                                                      "2020-01-17"]
    assert all("耿爽主持例行记者会" in h["title"] for h in geng["hits"])
    assert geng["first"][:10] == "2020-01-17" and geng["latest"][:10] == "2020-01-23"
    assert geng["ministries"] == [{"country": "CN", "ministry": PRC_MFA, "count": 5}]
    assert "Statements by month, January 2020 to January 2020" in geng_page
