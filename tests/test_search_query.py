"""One SearchQuery read once from a query string, the table of filters, and the one place a bad search
becomes a 400 (HTML, or JSON under /api/)."""
from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from helpers import briefing, build_archive

from archive.search.query import FILTERS, BadSearch, SearchQuery, user_day

# a value each checked filter refuses (source takes any text)
BAD = {"country": "China", "from": "2024-13-01", "to": "yesterday", "kind": "Press Conference",
       "language": "english", "speaker": "x" * 201, "outlet": "x" * 201, "year": "24"}
CHECKED = [f for f in FILTERS if f.arg in BAD]


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("query-data"), [briefing(i) for i in range(3)])


def test_every_filter_has_a_bad_value_here_but_source():
    assert {f.arg for f in FILTERS} - set(BAD) == {"source"}


def test_the_table_and_the_query_agree():
    paging = {"text", "exact", "drop", "sort", "limit", "offset"}  # with how the text is read
    assert [f.attr for f in FILTERS if f.attr not in {x.name for x in fields(SearchQuery)}] == []
    assert {x.name for x in fields(SearchQuery)} - paging == {f.attr for f in FILTERS}


@pytest.mark.parametrize("query", [
    SearchQuery(),
    SearchQuery("missile", country="CN", source="cn-mfa", kind="press-conference", language="zh",
                speaker="Mao Ning", year=2024, date_from=date(2024, 1, 1), date_to=date(2024, 2, 29),
                sort="-date", limit=50, offset=100),
    SearchQuery('"Nansei islands" -Taiwan', sort="date", limit=1, offset=7),
    SearchQuery("Taiwan missile", drop=("台湾", "St. Helena, Ascension & Tristan da Cunha")),
])
def test_a_query_reads_back_from_its_arguments(query):
    assert SearchQuery.from_args(query.to_args()) == query


def test_typed_values_are_read_once():
    query = SearchQuery.from_args({"q": "  missile ", "country": "cn", "language": "EN", "year": "2023",
                                   "from": "2023-01-01", "page": "3", "limit": "10"})
    assert query == SearchQuery("missile", country="CN", language="en", year=2023,
                                date_from=date(2023, 1, 1), limit=10, offset=20)
    assert query.page == 3
    assert SearchQuery.from_args({"limit": "5000"}).limit == 100
    assert SearchQuery.from_args({"limit": "5000"}, max_limit=1000).limit == 1000


def test_cite_takes_only_its_filters():
    query = SearchQuery("x", country="CN", kind="remarks", year=2024, speaker="Mao Ning")
    assert query.for_quotes() == SearchQuery("x", country="CN", speaker="Mao Ning")


def test_one_reader_of_user_dates():
    assert user_day("2024") == date(2024, 1, 1) and user_day("2024", last=True) == date(2024, 12, 31)
    assert user_day("2024-02", last=True) == date(2024, 2, 29)
    assert user_day("2024-2-5") == date(2024, 2, 5)
    assert user_day("yesterday") is None
    with pytest.raises(ValueError):
        user_day("2024-02-30")


@pytest.mark.parametrize("f", CHECKED, ids=[f.arg for f in CHECKED])
def test_a_bad_filter_value_is_a_one_line_400(client, f):
    message = f.message.format(raw=BAD[f.arg][:40])
    with pytest.raises(BadSearch, match=re.escape(message)):
        SearchQuery.from_args({f.arg: BAD[f.arg]})
    page = client.get("/", query_string={"q": "harbour", f.arg: BAD[f.arg]})
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert re.search(r'<p class="error" role="alert">[^<]*' + re.escape(message), unescape(page.get_data(True)))
    assert 'id="q"' in page.get_data(True)  # the form is there to fix it
    api = client.get("/api/search", query_string={"q": "harbour", f.arg: BAD[f.arg]})
    assert api.status_code == 400 and api.get_json() == {"error": message}


@pytest.fixture
def raising(app):
    """Routes that raise a bad search, under /api/ and elsewhere."""
    def fail():
        raise BadSearch("no good: fix it")
    app.add_url_rule("/api/raising", "api_raising", fail)
    app.add_url_rule("/raising", "raising", fail)
    return app.test_client()


def test_one_handler_answers_a_bad_search_by_path(raising):
    api = raising.get("/api/raising")
    assert api.status_code == 400 and api.get_json() == {"error": "no good: fix it"}
    page = raising.get("/raising")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert '<p class="message">no good: fix it</p>' in page.get_data(True)


def test_feeds_and_exports_answer_a_bad_search_in_html(client):
    for path in ("/feed.atom", "/export.csv", "/export.jsonl"):
        r = client.get(path, query_string={"country": "China"})
        assert r.status_code == 400 and r.mimetype == "text/html", path
        assert "“country” must be a two-letter code such as CN" in unescape(r.get_data(True))


def test_a_bad_revision_number_is_a_bad_request_of_its_own(client):
    sid = client.get("/api/search?q=harbour").get_json()["hits"][0]["id"]
    api = client.get(f"/api/statements/{sid}/revisions?to=9")
    assert api.status_code == 400 and api.get_json() == {"error": "“to” must be a revision number from 1 to 1"}
    page = client.get(f"/statements/{sid}/revisions?to=9")
    assert page.status_code == 400 and "“to” must be a revision number from 1 to 1" in unescape(page.get_data(True))
