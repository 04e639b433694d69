"""The results page's extras against a small real archive: exports, Atom feed, OpenSearch, timeline, facets,
did-you-mean, the help page, and query highlighting on statement pages."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from html import unescape
from urllib.parse import unquote_plus
from xml.etree import ElementTree as ET

import httpx
import pytest

from archive.model import Statement
from archive.web import views
from archive.web.feeds import CSV_COLUMNS
from archive.web.timeline import bars
from helpers import UTC, XSS, XSS_ST, build_archive, ceasefire

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
CEASEFIRE = 30

QUOTED = Statement(
    source="us-state", url="https://us-state.example/remarks/quoted", country="US", ministry="Department of State",
    language="en", kind="remarks", title='Ceasefire, "phase two", and what comes next',
    paragraphs=['AT&T and amp; and the word "ceasefire" again.', "Ceasefires are not the ceasefire."],
    date=datetime(2024, 4, 15, 12, 0, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    statements = [ceasefire(i, "us-state", "US") for i in range(CEASEFIRE - 1)] + [QUOTED, XSS_ST]
    return build_archive(tmp_path_factory.mktemp("more-data"), statements)


def all_ids(client, query: str) -> set[str]:
    api = client.get(f"/api/search?{query}&limit=100").get_json()
    assert api["total"] <= 100
    return {h["id"] for h in api["hits"]}


# exports ----------------------------------------------------------------------------------------------


def test_csv_export_has_every_match_across_pages(client, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_PAGE", 7)  # five search pages for thirty matches
    r = client.get("/export.csv?q=ceasefire&page=2")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == CEASEFIRE
    assert {row[0] for row in rows[1:]} == all_ids(client, "q=ceasefire")
    quoted = next(dict(zip(CSV_COLUMNS, row)) for row in rows if row[0] == QUOTED.id)
    assert quoted["title"] == QUOTED.title and quoted["url"] == QUOTED.url and quoted["kind"] == "remarks"
    assert '"Ceasefire, ""phase two"", and what comes next"' in r.text


def test_csv_export_cells_never_run_as_spreadsheet_formulas(tmp_path):
    # scraped text may start like a formula; through the real server, every such cell comes out as text
    from helpers import Server
    risky = Statement(
        source="us-state", url="https://us-state.example/remarks/formula", country="US",
        ministry="+1 Ministry", language="en", kind="remarks", title="=HYPERLINK(\"http://x.invalid\") ceasefire",
        paragraphs=["The ceasefire holds."], speakers=["@SUM(1,1)", "-2+3"],
        date=datetime(2024, 4, 16, 12, 0, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))
    tabbed = Statement(
        source="us-state", url="https://us-state.example/remarks/tab", country="US", ministry="\tTab",
        language="en", kind="remarks", title="A ceasefire - with a dash inside", paragraphs=["Ceasefire."],
        speakers=[" =1+1", "＠SUM(A1)"], date=datetime(2024, 4, 17, 12, 0, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))
    server = Server(build_archive(tmp_path / "data", [risky, tabbed]))
    try:
        r = httpx.get(f"{server.url}/export.csv", params={"q": "ceasefire"})
    finally:
        server.stop()
    assert r.status_code == 200
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.text))}
    assert rows[risky.id]["title"] == "'" + risky.title
    assert rows[risky.id]["ministry"] == "'+1 Ministry"
    assert rows[risky.id]["speaker"] == "'@SUM(1,1); -2+3"
    assert rows[tabbed.id]["ministry"] == "'\tTab"
    assert rows[tabbed.id]["speaker"] == "' =1+1; ＠SUM(A1)"
    # text that only contains the characters stays as it is, and so do ids, dates and URLs
    assert rows[tabbed.id]["title"] == tabbed.title and rows[tabbed.id]["url"] == tabbed.url
    assert rows[risky.id]["date"] == "2024-04-16T12:00:00+00:00"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows.values() for cell in row.values())


@pytest.mark.parametrize("risky", [" =1+1", "\u3000@SUM(A1)", "\t=1", "\r+1", "\n -1", "＝1+1", "＋1", "－1",
                                   "＠SUM(A1)", " ＝1", "\u00a0=1"])
def test_csv_cells_starting_a_formula_after_blanks_or_in_full_width_become_text(risky):
    from archive.web.spreadsheet import cell
    assert cell(risky) == "'" + risky


@pytest.mark.parametrize("plain", ["", "Ceasefire - now", "a=b", "1+1", "mail@example.org", " plain", "－"[1:]])
def test_csv_cells_that_cannot_start_a_formula_stay_as_they_are(plain):
    from archive.web.spreadsheet import cell
    assert cell(plain) == plain


def test_api_limit_reaches_the_whole_result_set(client, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_PAGE", 7)  # the answer is put together from five search pages
    whole = client.get("/api/search?q=ceasefire&limit=100000").get_json()
    assert whole["total"] == CEASEFIRE and whole["limit"] == 100000
    ids = [h["id"] for h in whole["hits"]]
    assert len(ids) == len(set(ids)) == CEASEFIRE and set(ids) == all_ids(client, "q=ceasefire")
    # the same order as page after page of the HTML results
    paged = [h["id"] for p in range(1, 4) for h in client.get(f"/api/search?q=ceasefire&page={p}").get_json()["hits"]]
    assert ids == paged
    tail = client.get("/api/search?q=ceasefire&limit=500&offset=25").get_json()
    assert [h["id"] for h in tail["hits"]] == ids[25:]
    assert client.get("/api/search?q=ceasefire&limit=0").status_code == 400


def test_export_stops_at_the_cap(client, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_PAGE", 4)
    monkeypatch.setattr(views, "EXPORT_MAX", 10)
    assert len(client.get("/export.jsonl?q=ceasefire").text.splitlines()) == 10


def test_jsonl_export_lines_parse(client):
    r = client.get("/export.jsonl?q=ceasefire&country=US")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    hits = [json.loads(line) for line in r.text.splitlines()]
    assert len(hits) == CEASEFIRE and {h["id"] for h in hits} == all_ids(client, "q=ceasefire&country=US")
    assert all(h["country"] == "US" and "snippet" in h for h in hits)


def test_results_page_links_exports_with_the_same_search(client):
    html = client.get("/?q=ceasefire&country=US&page=2").text
    for path in ("/export.csv", "/export.jsonl", "/feed.atom"):
        assert f'href="{path}?q=ceasefire&amp;country=US"' in html
    assert '<link rel="alternate" type="application/atom+xml" title="Newest matches" ' \
           'href="/feed.atom?q=ceasefire&amp;country=US">' in html
    assert "export.csv" not in client.get("/?q=zzyzx").text


# Atom and OpenSearch -----------------------------------------------------------------------------------


def test_atom_feed_lists_newest_matches(client):
    r = client.get("/feed.atom?q=ceasefire&sort=date")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = ET.fromstring(r.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "http://localhost/feed.atom?q=ceasefire"
    assert "ceasefire" in feed.findtext(f"{ATOM}title")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": "http://localhost/feed.atom?q=ceasefire",
                     "alternate": "http://localhost/?q=ceasefire&sort=-date"}
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == CEASEFIRE
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and feed.findtext(f"{ATOM}updated") == updated[0]
    first = entries[0]
    assert first.findtext(f"{ATOM}id") == f"http://localhost/statements/{QUOTED.id}"
    assert first.findtext(f"{ATOM}title") == QUOTED.title
    assert first.findtext(f"{ATOM}updated") == "2024-04-15T12:00:00+00:00"
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "Department of State"
    entry_links = {link.get("rel"): link.get("href") for link in first.findall(f"{ATOM}link")}
    assert entry_links == {"alternate": f"http://localhost/statements/{QUOTED.id}", "related": QUOTED.url}
    summary = first.find(f"{ATOM}summary")
    assert summary.get("type") == "text" and "<mark>" not in summary.text and "AT&T" in summary.text


def test_atom_feed_keeps_markup_as_text(client):
    feed = ET.fromstring(client.get("/feed.atom?q=sanctions").data)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == XSS_ST.title
    assert XSS in entry.findtext(f"{ATOM}summary")


def test_opensearch_description(client):
    r = client.get("/opensearch.xml")
    assert r.status_code == 200 and r.mimetype == "application/opensearchdescription+xml"
    desc = ET.fromstring(r.data)
    assert desc.findtext(f"{OPENSEARCH}ShortName") == "Policy Archive"
    urls = {u.get("type"): u.get("template") for u in desc.findall(f"{OPENSEARCH}Url")}
    assert urls["text/html"] == "http://localhost/?q={searchTerms}"
    assert urls["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"


@pytest.mark.parametrize("path", ["/", "/?q=ceasefire", f"/statements/{QUOTED.id}", "/statements/0123456789abcdef"])
def test_every_page_offers_the_search_engine(client, path):
    assert ('<link rel="search" type="application/opensearchdescription+xml" title="Policy Archive" '
            'href="/opensearch.xml">') in client.get(path).text


# timeline and facets -----------------------------------------------------------------------------------


def test_timeline_bars_fill_empty_months():
    got = bars([("2024-04", 2), ("2024-01", 4), ("nonsense", 9)])
    assert [b.month for b in got] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert [b.count for b in got] == [4, 0, 0, 2]
    assert (got[1].first_day, got[1].last_day) == ("2024-02-01", "2024-02-29")
    assert got[0].height == 120 and got[3].height == 60 and got[3].y == 60
    assert bars([]) == []


def _check_facets_page(html: str):
    chart = re.search(r'<svg role="img" aria-labelledby="timeline-title".*?</svg>', html, re.S).group(0)
    assert '<title id="timeline-title">Matches by month, March 2024 to April 2024</title>' in chart
    assert 'href="/?q=ceasefire&amp;from=2024-03-01&amp;to=2024-03-31"' in chart
    assert 'href="/?q=ceasefire&amp;from=2024-04-01&amp;to=2024-04-30"' in chart
    assert 'href="/?q=ceasefire&amp;country=US"' in html and 'href="/?q=ceasefire&amp;kind=remarks"' in html


def test_timeline_and_facets_from_the_real_search(client):
    _check_facets_page(client.get("/?q=ceasefire").text)
    html = client.get("/?q=ceasefire&kind=remarks").text
    assert 'aria-label="Remove filter Kind remarks"' in html and '<input type="hidden" name="kind" value="remarks">' in html


def test_api_twin_carries_the_facets_and_timeline_the_page_shows(client):
    html = client.get("/?q=ceasefire").text
    got = client.get("/api/search?q=ceasefire").get_json()
    # every facet value the page links, with the count the page prints beside it
    shown = re.findall(r'<li><a href="/\?q=ceasefire&amp;(\w+)=([^"]+)">[^<]*</a> <span class="n">([0-9,]+)</span>', html)
    assert shown
    for key, value, n in shown:
        assert {"value": unquote_plus(value), "count": int(n.replace(",", ""))} in got["facets"][key], (key, value)
    months = [(m["month"], m["count"], m["from"], m["to"]) for m in got["timeline"]]
    drawn = bars([(f["value"], f["count"]) for f in got["facets"]["month"]])
    assert months == [(b.month, b.count, b.first_day, b.last_day) for b in drawn] and months[0][0] == "2024-03" and months[-1][2:] == ("2024-04-01", "2024-04-30")
    assert sum(m[1] for m in months) == got["total"]


def test_api_leaves_facets_out_when_asked_and_rejects_a_bad_switch(client):
    bare = client.get("/api/search?q=ceasefire&facets=0").get_json()
    assert bare["facets"] == {} and "timeline" not in bare and bare["total"] > 0
    r = client.get("/api/search?q=ceasefire&facets=maybe")
    assert r.status_code == 400 and r.get_json()["error"] == "“facets” must be 1 or 0, not “maybe”"


def test_did_you_mean_comes_from_the_index_vocabulary(client):
    html = client.get("/?q=ceasfire").text
    assert 'Did you mean <a href="/?q=ceasefire">ceasefire</a>?' in html


# statement highlighting --------------------------------------------------------------------------------


def paragraphs(html: str) -> list[str]:
    return re.findall(r'<div>(?:<p class="turn[^>]*>.*?</p>)?<p>(.*?)</p></div>', html)


def test_statement_marks_whole_query_words_after_escaping(client):
    html = client.get(f"/statements/{XSS_ST.id}?q=script+sanctions").text
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in html and XSS not in html
    assert paragraphs(html)[0] == "First paragraph on <mark>sanctions</mark> policy."


def test_statement_marks_phrases_but_not_parts_of_words_entities_or_excluded_words(client):
    got = paragraphs(client.get(f"/statements/{QUOTED.id}", query_string={"q": '"the word" amp -not Ceasefire'}).text)
    assert got == ["AT&amp;T and <mark>amp</mark>; and <mark>the word</mark> &#34;<mark>ceasefire</mark>&#34; again.",
                   "Ceasefires are not the <mark>ceasefire</mark>."]
    assert paragraphs(client.get(f"/statements/{QUOTED.id}").text)[0] == "AT&amp;T and amp; and the word &#34;ceasefire&#34; again."


# bad parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, message", [
    ("kind=Press%20Conference", "“kind” must be a kind such as press-conference"),
    ("language=english", "“language” must be a language code"),
    ("year=24", "“year” must be a four-digit year"),
    ("speaker=" + "x" * 201, "“speaker” must be at most 200 characters"),
    ("from=2024-13-01", "“from” must be a date written YYYY-MM-DD"),
])
@pytest.mark.parametrize("path", ["/", "/api/search", "/export.csv", "/export.jsonl", "/feed.atom"])
def test_bad_values_are_one_line_400s(client, path, query, message):
    r = client.get(f"{path}?q=ceasefire&{query}")
    assert r.status_code == 400
    assert message in (r.get_json()["error"] if r.is_json else unescape(r.text))
    assert "Traceback" not in r.text


def test_help_page_documents_the_syntax_with_runnable_examples(client):
    html = client.get("/help").text
    api = client.get("/api/help").get_json()
    assert [r["syntax"] for r in api["syntax"]][:2] == ["missile deployment", '"Nansei islands"']
    for row in api["syntax"]:
        assert row["syntax"] in unescape(html)
        # every example is a query the search accepts
        assert client.get("/api/search", query_string={"q": row["syntax"]}).status_code == 200
    assert 'href="/api/help"' in html and 'href="/help"' in client.get("/").text
