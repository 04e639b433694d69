"""us-state beyond the feed: briefing listing, briefing pages and the WordPress JSON API (hand-written
fixtures from SITE-NOTES; unverified against live pages)."""
from pathlib import Path

import pytest

from archive.sources import get_source, source_for_url
from archive.sources.base import ExtractError, Page

FIX = Path(__file__).parent / "fixtures" / "us-state-pages"
STATE = get_source("us-state")


def page(name, url):
    return Page(url=url, text=(FIX / name).read_text(encoding="utf-8"))


def test_briefing_listing_links_dates_and_next_page():
    listing = STATE.parse_listing(page("briefings.html", "https://www.state.gov/department-press-briefings/"))
    assert [ln.url for ln in listing.links] == [
        "https://www.state.gov/briefings/department-press-briefing-march-5-2024/",
        "https://www.state.gov/briefings/department-press-briefing-march-4-2024/"]
    assert listing.links[0].date.date().isoformat() == "2024-03-05"
    assert listing.next_pages == ["https://www.state.gov/department-press-briefings/page/2/"]
    later = STATE.parse_listing(page("briefings.html", "https://www.state.gov/department-press-briefings/page/2/"))
    assert later.next_pages == ["https://www.state.gov/department-press-briefings/page/3/"]


def test_briefing_page_and_api_post_are_one_statement_with_turns():
    url = "https://www.state.gov/briefings/department-press-briefing-march-5-2024/"
    from_page = STATE.parse_article(page("briefing.html", url))
    api = STATE.parse_listing(page("api.json", "https://www.state.gov/wp-json/wp/v2/state_briefing?per_page=2"))
    from_api = api.statements[0]
    assert from_page.id == from_api.id  # the shortlink gives the API's (and the feed's) guid
    assert from_page.kind == from_api.kind == "press-conference"
    assert from_page.paragraphs == from_api.paragraphs  # byline dropped, script gone
    assert [(t.speaker, t.role) for t in from_page.turns] == [
        ("MR MILLER", "spokesperson"), ("question", "question"), ("MR MILLER", "spokesperson")]
    assert from_api.title == "Department Press Briefing – March 5, 2024"
    assert from_api.date.isoformat() == "2024-03-05T20:01:00+00:00"
    assert api.next_pages == ["https://www.state.gov/wp-json/wp/v2/state_briefing?per_page=2&page=2"]


def test_archive_hosts_belong_to_us_state():
    assert source_for_url("https://2021-2025.state.gov/briefings/department-press-briefing-june-2-2021/") is STATE


def test_changed_templates_fail_loudly():
    with pytest.raises(ExtractError, match="li.collection-result"):
        STATE.parse_listing(Page(url="https://www.state.gov/department-press-briefings/", text="<ul></ul>"))
    with pytest.raises(ExtractError, match="h1.featured-content__headline"):
        STATE.parse_article(Page(url="https://www.state.gov/briefings/x/", text="<h1>x</h1>"))
    with pytest.raises(ExtractError, match="no JSON"):
        STATE.parse_listing(Page(url="https://www.state.gov/wp-json/wp/v2/state_briefing", text="<html>"))
