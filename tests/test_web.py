"""The web UI against a small real archive: store, Whoosh index, Flask app, and waitress over loopback."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from html import unescape
from pathlib import Path

import httpx
import pytest
from helpers import (CEASEFIRE_FR, CEASEFIRE_US, CHINESE, ODD_URL, UTC, XSS, XSS_ST, build_archive,
                     archive_store, ceasefire)

from archive.datadir import open_datadir
from archive.index.writing import sync_index
from archive.model import Statement
from archive.store import Store
from archive.web import create_app
from archive.web.backend import EMPTY_ARCHIVE, EXTENSION, NO_INDEX


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive-data")
    statements = ([ceasefire(i, "us-state", "US") for i in range(CEASEFIRE_US)]
                  + [ceasefire(40 + i, "fr-diplo", "FR") for i in range(CEASEFIRE_FR)]
                  + [XSS_ST, CHINESE, ODD_URL])
    build_archive(root, statements)
    # a second capture with a corrected text: two revisions
    store = archive_store(root)
    store.save(Statement(**{**XSS_ST.__dict__, "paragraphs": XSS_ST.paragraphs + ["A correction."],
                            "fetched_at": datetime(2024, 7, 2, 12, 0, tzinfo=UTC)}))
    sync_index(store, root / "index")
    store.close()
    return root


def html_ids(html: str) -> list[str]:
    return re.findall(r'<h2 lang="[^"]*"><a href="/statements/([0-9a-f]+)', html)


def html_total(html: str) -> int:
    return int(re.search(r'id="count"[^>]*>([\d,]+) statements?<', html).group(1).replace(",", ""))


# search page -----------------------------------------------------------------------------------------


def test_home_lists_newest_statements_with_accessible_form(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html
    assert '<label class="big" for="q">' in html and 'id="q" name="q"' in html and "autofocus" in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert html_total(html) == CEASEFIRE_US + CEASEFIRE_FR + 3
    ids = html_ids(html)
    assert len(ids) == 20
    assert ids[0] == XSS_ST.id  # 2024-06-03 09:30 UTC, the newest instant
    assert '<option>CN</option>' in html and '<option>fr-diplo</option>' in html
    assert '<link rel="alternate" type="application/json" href="/api/search">' in html
    assert "<script" not in html.replace("&lt;script", "")


def test_search_page_and_json_twin_agree(client):
    html = client.get("/?q=ceasefire").text
    data = client.get("/api/search?q=ceasefire").get_json()
    assert html_total(html) == data["total"] == CEASEFIRE_US + CEASEFIRE_FR
    assert html_ids(html) == [h["id"] for h in data["hits"]]
    assert "<mark>" in html
    assert f'href="/statements/{data["hits"][0]["id"]}?q=ceasefire"' in html
    assert 'href="/api/search?q=ceasefire"' in html
    assert data["query"] == "ceasefire" and data["limit"] == 20 and data["offset"] == 0


def test_result_shows_date_ministry_speaker_kind(client):
    html = client.get("/?q=sanctions&country=US").text
    assert html_ids(html) == [XSS_ST.id]
    assert '<time datetime="2024-06-03T09:30:00+00:00">3 June 2024, 09:30 UTC</time>' in html
    assert "Department of State" in html and ">remarks<" in html
    assert ('<a href="/speakers/Secretary%20A">Secretary A</a>; <a href="/speakers/Deputy%20B">Deputy B</a>'
            in html)


def test_filters_narrow_results(client):
    assert html_total(client.get("/?q=ceasefire&country=FR").text) == CEASEFIRE_FR
    assert html_total(client.get("/?q=ceasefire&country=fr").text) == CEASEFIRE_FR
    assert html_total(client.get("/?q=ceasefire&source=us-state").text) == CEASEFIRE_US
    # statement i is dated 1 March 2024 + i days
    html = client.get("/?q=ceasefire&source=us-state&from=2024-03-11&to=2024-03-15").text
    assert html_total(html) == 5
    assert "From: <strong>2024-03-11</strong>" in html
    remove_from = re.search(r'<a href="([^"]+)" aria-label="Remove filter From', html).group(1)
    assert "from=" not in remove_from and "to=2024-03-15" in remove_from
    api = client.get("/api/search?q=ceasefire&source=us-state&from=2024-03-11&to=2024-03-15").get_json()
    assert api["total"] == 5
    assert all("2024-03-11" <= h["date"][:10] <= "2024-03-15" for h in api["hits"])


def test_pagination(client):
    first = client.get("/?q=ceasefire&sort=-date").text
    second = client.get("/?q=ceasefire&sort=-date&page=2").text
    assert len(html_ids(first)) == 20 and len(html_ids(second)) == CEASEFIRE_US + CEASEFIRE_FR - 20
    assert not set(html_ids(first)) & set(html_ids(second))
    assert 'rel="next" href="/?q=ceasefire&amp;sort=-date&amp;page=2"' in first
    assert 'rel="prev"' not in first
    assert 'aria-current="page">2<' in second and 'rel="prev" href="/?q=ceasefire&amp;sort=-date"' in second
    assert 'rel="next"' not in second
    assert '<ol class="results" start="21">' in second
    api = client.get("/api/search?q=ceasefire&sort=-date&page=2").get_json()
    assert [h["id"] for h in api["hits"]] == html_ids(second)
    assert client.get("/api/search?q=ceasefire&sort=-date&offset=20&limit=5").get_json()["hits"] == api["hits"][:5]
    # the HTML page shows at most 100 a page; the API's limit reaches the whole result set
    whole = client.get("/api/search?q=ceasefire&limit=500").get_json()
    assert whole["limit"] == 500 and len(whole["hits"]) == whole["total"] == CEASEFIRE_US + CEASEFIRE_FR


def test_page_past_the_end_links_back(client):
    r = client.get("/?q=ceasefire&page=9")
    assert r.status_code == 200
    assert html_ids(r.text) == [] and "go to the first page" in r.text


def test_no_match(client):
    r = client.get("/?q=zzyzx")
    assert r.status_code == 200 and html_total(r.text) == 0 and "No statement matches" in r.text


@pytest.mark.parametrize("query, message", [
    ("from=2024-13-01", "“from” must be a date written YYYY-MM-DD"),
    ("to=yesterday", "“to” must be a date written YYYY-MM-DD"),
    ("from=2024-05-01&to=2024-04-01", "“from” is after “to”"),
    ("page=abc", "“page” must be a whole number"),
    ("page=0", "“page” must be a whole number of at least 1"),
    ("sort=size", "“sort” must be one of"),
    ("country=China", "“country” must be a two-letter code"),
    ("q=%22unclosed", "unbalanced quotation mark"),
])
def test_bad_values_are_one_line_400s(client, query, message):
    r = client.get("/?" + query)
    assert r.status_code == 400
    assert re.search(r'<p class="error" role="alert">[^<]*' + re.escape(message), r.text)
    assert "Traceback" not in r.text and 'id="q"' in r.text  # the form is still there to fix it
    api = client.get("/api/search?" + query)
    assert api.status_code == 400
    assert message in api.get_json()["error"]


def test_script_in_text_is_escaped_in_snippets(client):
    html = client.get("/?q=sanctions&source=us-state").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS not in html
    assert "sanctions &amp; &lt;b&gt;markup&lt;/b&gt;" in html


def test_chinese_search(client):
    html = client.get("/?q=反对").text
    assert html_ids(html) == [CHINESE.id]
    assert '<h2 lang="zh">' in html and '<p class="snippet" lang="zh">' in html


# statement page -------------------------------------------------------------------------------------


def test_statement_page(client):
    r = client.get(f"/statements/{XSS_ST.id}?q=sanctions")
    assert r.status_code == 200
    html = r.text
    for n in (1, 2, 3, 4):
        assert f'<li id="p{n}"><span class="pcol"><a class="pnum" href="#p{n}"' in html
    assert 'id="p5"' not in html
    assert '<ol class="text" lang="en">' in html
    assert '<a href="https://us-state.example/remarks/markup" rel="noopener noreferrer">' in html
    assert "2 text revisions" in html
    assert "2024-07-02 12:00 UTC" in html and "2024-07-01 12:00 UTC" in html  # captured, first seen
    assert ('<a href="/speakers/Secretary%20A">Secretary A</a>; <a href="/speakers/Deputy%20B">Deputy B</a>'
            in html)
    assert 'href="/?q=sanctions"' in html
    assert '<a href="/days/2024-06-03">Everything published that day</a>' in html
    assert f'<link rel="alternate" type="application/json" href="/api/statements/{XSS_ST.id}">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and XSS not in html
    # same day (3 June), in another ministry
    assert f'href="/statements/{CHINESE.id}"' in html


def test_statement_json_twin(client):
    html = client.get(f"/statements/{CHINESE.id}").text
    st = client.get(f"/api/statements/{CHINESE.id}").get_json()
    assert st["id"] == CHINESE.id and st["paragraphs"] == CHINESE.paragraphs
    assert st["date"] == "2024-06-03T15:00:00+08:00"
    assert st["fetched_at"] == "2024-07-01T12:00:00+00:00" and st["first_seen"] == "2024-07-01T12:00:00+00:00"
    assert st["speakers"] == ["发言人"] and st["revision_count"] == 1
    assert "indexed_hash" not in st
    assert [o["id"] for o in st["same_day"]] == [XSS_ST.id]
    assert st["day"] == "/days/2024-06-03"  # the day as published in Beijing
    for i, p in enumerate(st["paragraphs"], 1):
        assert (f'<li id="p{i}"><span class="pcol"><a class="pnum" href="#p{i}" aria-label="Paragraph {i}">{i}</a>'
                f'<a class="cite" href="/statements/{st["id"]}/cite?paragraph={i}" aria-label="Cite paragraph {i}">'
                f'cite</a></span><div><p>{p}</p></div></li>') in html
    assert '<h1 lang="zh">' in html and '<ol class="text" lang="zh">' in html
    assert "3 June 2024, 15:00 UTC+08:00" in html
    assert "text revisions" not in html


def test_scraped_url_never_becomes_a_script_link(client):
    html = client.get(f"/statements/{ODD_URL.id}").text
    assert 'href="javascript:' not in html and "javascript:alert(2)" in html


# errors ---------------------------------------------------------------------------------------------


def test_not_found(client):
    r = client.get("/statements/0123456789abcdef")
    assert r.status_code == 404
    assert "There is no statement with id “0123456789abcdef”" in r.text and "<h1>Not Found</h1>" in r.text
    r = client.get("/api/statements/0123456789abcdef")
    assert r.status_code == 404 and "no statement" in r.get_json()["error"]
    assert client.get("/no/such/page").status_code == 404
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.is_json


def test_method_not_allowed_keeps_allow_header(client):
    r = client.post("/api/search")
    assert r.status_code == 405 and r.is_json and "GET" in r.headers["Allow"]


def test_server_error_page_hides_the_exception(archive_dir):
    app = create_app(archive_dir, {"TESTING": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    r = app.test_client().get("/boom")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text and "Internal Server Error" in r.text


def test_missing_archive_says_how_to_fill_it(tmp_path):
    client = create_app(tmp_path / "nowhere", {"TESTING": True}).test_client()
    r = client.get("/")
    assert r.status_code == 503 and EMPTY_ARCHIVE in unescape(r.text)
    r = client.get("/api/search?q=x")
    assert r.status_code == 503 and r.get_json() == {"error": EMPTY_ARCHIVE}
    assert client.get("/statements/0123456789abcdef").status_code == 503


def test_store_without_index_says_so(tmp_path):
    dd = open_datadir(tmp_path, create=True)
    Store(dd.db_url).close()
    r = create_app(tmp_path, {"TESTING": True}).test_client().get("/api/search")
    assert r.status_code == 503 and r.get_json() == {"error": NO_INDEX}


# behaviour of the running app --------------------------------------------------------------------------


def test_new_commits_show_up_without_restart(tmp_path):
    build_archive(tmp_path, [ceasefire(1, "us-state", "US")])
    app = create_app(tmp_path, {"TESTING": True, "SEARCH_REFRESH_SECONDS": 0})
    client = app.test_client()
    assert client.get("/api/search").get_json()["total"] == 1
    build_archive(tmp_path, [ceasefire(2, "us-state", "US")])
    assert client.get("/api/search").get_json()["total"] == 2
    app.extensions[EXTENSION].close()


def test_stylesheet_is_local_and_no_script_may_run(client):
    r = client.get("/style.css")
    assert r.status_code == 200 and r.mimetype == "text/css" and "max-width: 46rem" in r.text
    r = client.get("/")
    assert "script-src" not in r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert all(link.startswith(("/", "#")) for link in re.findall(r'(?:href|src|action)="([^"]*)"', r.text))


def test_url_options_in_the_query_string_are_plain_arguments(client):
    r = client.get("/?q=ceasefire&_scheme=javascript&_anchor=x&_external=1")
    assert r.status_code == 200
    assert 'href="/api/search?q=ceasefire&amp;_scheme=javascript&amp;_anchor=x&amp;_external=1"' in r.text


def test_real_server_over_http(archive_dir):
    code = ("import sys; from pathlib import Path; from archive.web import create_app; "
            "from archive.web.server import serve; serve(create_app(Path(sys.argv[1])), port=0, threads=2)")
    # run from outside the checkout, so the server uses the installed package and its templates
    proc = subprocess.Popen([sys.executable, "-c", code, str(archive_dir)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=archive_dir)
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"Serving on http://127\.0\.0\.1:\d+", line), (line, proc.stderr.read() if
                                                                           proc.poll() is not None else "")
        base = line.removeprefix("Serving on ")
        with httpx.Client(base_url=base, timeout=10) as http:
            page = http.get("/", params={"q": "ceasefire"})
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assert page.headers["server"] == "policy-archive"
            api = http.get("/api/search", params={"q": "ceasefire"}).json()
            assert api["total"] == html_total(page.text) == CEASEFIRE_US + CEASEFIRE_FR
            assert [h["id"] for h in api["hits"]] == html_ids(page.text)
            st = http.get(f"/statements/{CHINESE.id}")
            assert st.status_code == 200 and "中方坚决反对任何形式的单边制裁。" in st.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_transcript_turns_show_who_speaks(tmp_path):
    from archive.model import Turn
    briefing = Statement(
        source="us-state", url="https://us-state.example/briefing/1", country="US", ministry="Department of State",
        language="en", kind="press-conference", title="Department Press Briefing",
        paragraphs=["Washington, D.C.", "MR PRICE: Good afternoon.", "QUESTION: Thank you, Ned.",
                    "A follow-up on that.", "MR PRICE: Sure."],
        turns=[Turn("MR PRICE", "spokesperson", 1, 2), Turn("Reuters", "question", 2, 4),
               Turn("MR PRICE", "spokesperson", 4, 5)],
        date=datetime(2024, 6, 3, 9, 30, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))
    app = create_app(build_archive(tmp_path / "data", [briefing]), {"TESTING": True})
    try:
        client = app.test_client()
        html = client.get(f"/statements/{briefing.id}").get_data(as_text=True)
        assert html.count('class="turn turn-spokesperson"') == 2
        assert 'class="turn turn-question">Reuters <span class="role">(question)</span>' in html
        api = client.get(f"/api/statements/{briefing.id}").get_json()
        assert api["turns"][1] == {"speaker": "Reuters", "role": "question", "start": 2, "end": 4}
    finally:
        app.extensions[EXTENSION].close()
