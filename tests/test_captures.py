"""Captures: the WARC files a real crawl writes, listed in the store; WARC import (also from another tool and
from damaged files); rebuild from the captures alone; the capture replay page under the real server."""
from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from helpers import CORPUS, CORPUS_SERVER, start_corpus_server
from helpers import Server, cli, cli_json

FEED = "https://www.state.gov/rss-feed/press-releases/feed/"
CHINA = "https://www.fmprc.gov.cn/web/zyxw/"
CHINA_PAGES = ("t1638430", "t1638467", "t1638504", "t1638506")
# feed versions 0..11 of the replay hold edits made after publication (versions 9 and 11 change items)
ROUNDS = 12

pytestmark = pytest.mark.corpus


def snapshot(data: Path) -> dict:
    """Everything a reader sees of the statements and their revisions, as rows."""
    # closing(): sqlite3's own context manager only commits, and a connection closed later by the garbage
    # collector removes -shm while another test copies the folder
    with closing(sqlite3.connect(data / "archive.sqlite")) as db:
        return {
            "statements": db.execute(
                "SELECT id, source, guid, url, title, date, kind, speakers, paragraphs, content_hash, first_seen, "
                "fetched_at, revision_count FROM statements ORDER BY id").fetchall(),
            "revisions": db.execute("SELECT * FROM revisions ORDER BY statement_id, seq").fetchall(),
            "captures": db.execute("SELECT url, warc_file, offset, length, record_id, captured_at, status, "
                                   "content_type FROM captures ORDER BY warc_file, offset").fetchall(),
        }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Twelve crawls of the replayed State feed, each seeing the next hourly version."""
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS}")
    server = start_corpus_server("--advance-on-get")
    data = tmp_path_factory.mktemp("crawled") / "data"
    try:
        for _ in range(ROUNDS):
            proc = cli(data, "crawl", "us-state", "--offline", "--delay", "0", "-q",
                       "--mirror", server.mirror("https://www.state.gov"))
            assert proc.returncode == 0, proc.stderr
    finally:
        server.stop()
    return data


def copy_of(data: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data, target)
    return target


def test_crawl_lists_every_response_record_in_the_store(crawled):
    from archive.fetch.warc import scan
    files = sorted((crawled / "captures").glob("*.warc.gz"))
    assert len(files) == ROUNDS
    in_files = [(f"captures/{f.name}", r.offset, r.length, r.response.url, r.response.status)
                for f in files for r in scan(f) if r.response is not None]
    rows = [(w, o, n, u, s) for u, w, o, n, _, _, s, _ in snapshot(crawled)["captures"]]
    assert sorted(rows) == sorted(in_files)
    # each crawl: robots.txt, the feed, and the two start pages the corpus lacks
    assert sum(1 for r in rows if r[3] == FEED and r[4] == 200) == ROUNDS


def test_rebuild_gives_the_crawls_statements_and_revisions(crawled, tmp_path):
    data = copy_of(crawled, tmp_path)
    before = snapshot(data)
    assert any(row[-1] > 1 for row in before["statements"]), "the replayed window should hold an edit"
    out = cli_json(data, "rebuild")
    after = snapshot(data)
    assert after["statements"] == before["statements"]
    assert after["revisions"] == before["revisions"]
    assert after["captures"] == before["captures"]
    assert out["statements"] == len(before["statements"]) and out["revisions"] == len(before["revisions"])
    assert [f["file"] for f in out["files"]] == [f"captures/{p.name}" for p in
                                                 sorted((data / "captures").glob("*.warc.gz"))]
    assert sum(f["parsed"] for f in out["files"]) == ROUNDS and not any(f["damaged"] for f in out["files"])
    # nothing left beside the archive, and the new index answers
    assert sorted(p.name for p in data.iterdir()) == ["archive.sqlite", "captures", "index"]
    title = before["statements"][0][4]
    assert before["statements"][0][0] in [h["id"] for h in cli_json(data, "search", f'"{title}"')["hits"]]

    proc = cli(data, "rebuild")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"rebuilt from {ROUNDS} capture files: {len(before['statements'])} statements")
    assert f"{ROUNDS} capture files: {ROUNDS * 9} records, {ROUNDS * 4} responses, {ROUNDS} parsed" in proc.stderr


def test_rebuild_stopped_midway_leaves_the_old_archive(crawled, tmp_path):
    from archive.datadir import open_datadir
    from archive.ingest.rebuild import rebuild
    data = copy_of(crawled, tmp_path)
    before = snapshot(data)
    names = sorted(p.name for p in data.iterdir())

    def ctrl_c(*_):
        raise KeyboardInterrupt

    for where in ("on_progress", "on_indexing"):
        with pytest.raises(KeyboardInterrupt):
            rebuild(open_datadir(data, create=False), **{where: ctrl_c})
        assert snapshot(data) == before
        assert sorted(p.name for p in data.iterdir()) == names


def test_rebuild_refuses_to_drop_statements_no_capture_holds(crawled, tmp_path):
    data = copy_of(crawled, tmp_path)
    record = {"url": "https://www.state.gov/imported-only/", "title": "Imported only", "date": "2021-05-01",
              "country": "US", "ministry": "U.S. Department of State", "language": "en", "source": "us-state",
              "text": "A statement that came from a JSON Lines file."}
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_text(json.dumps(record) + "\n")
    assert cli(data, "import", str(jsonl)).returncode == 0
    before = snapshot(data)
    proc = cli(data, "rebuild")
    assert proc.returncode == 1
    # a slow rebuild may have printed its progress first: the error is the last line
    error = proc.stderr.strip().splitlines()[-1]
    assert error.startswith("error: 1 statement of the archive is in no capture") and "--force" in error
    assert snapshot(data) == before
    out = cli_json(data, "rebuild", "--force")
    assert out["dropped"] == 1 and out["statements"] == len(before["statements"]) - 1


# ---------------------------------------------------------------- WARC files from another tool

def feed_version(n: int) -> bytes:
    if not CORPUS_SERVER.exists():
        pytest.skip(f"corpus-server not found at {CORPUS_SERVER}")
    return subprocess.run([sys.executable, str(CORPUS_SERVER), "export", str(n)], capture_output=True,
                          check=True).stdout


def china_page(name: str) -> bytes:
    return (CORPUS / "raw" / "www.fmprc.gov.cn" / "web" / "zyxw" / f"{name}.shtml").read_bytes()


def write_warc(path: Path, responses: list[tuple[str, str, str, bytes]], gzipped: bool = True) -> list[int]:
    """A WARC file as warcio writes it for any tool: a warcinfo, then a request and a response for each
    (url, WARC-Date, content type, body). Returns the offset of each response record."""
    offsets = []
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "another-tool/1.0"}))
        for url, date, content_type, body in responses:
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                 warc_headers_dict={"WARC-Date": date})
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True),
                warc_headers_dict={"WARC-Date": date})
            writer.write_record(request)
            offsets.append(f.tell())
            writer.write_record(response)
    return offsets


def china_records():
    return [(CHINA + name + ".shtml", f"2019-02-1{i + 6}T08:00:00Z", "text/html; charset=utf-8", china_page(name))
            for i, name in enumerate(CHINA_PAGES)]


def test_import_warc_written_by_another_tool(corpus, tmp_path):
    data = tmp_path / "data"
    other = tmp_path / "other.warc.gz"
    write_warc(other, [
        (FEED, "2021-05-23T15:10:29Z", "application/rss+xml; charset=UTF-8", feed_version(0)),
        *china_records(),
        ("https://www.example.org/", "2021-05-24T00:00:00Z", "text/html", b"<html><body>elsewhere</body></html>"),
        ("https://www.state.gov/robots.txt", "2021-05-24T00:00:01Z", "text/plain", b"User-agent: *\n"),
    ])
    out = cli_json(data, "import", str(other))
    [rep] = out["warc_files"]
    assert {k: rep[k] for k in ("records", "responses", "parsed", "new", "changed", "unchanged",
                                "skipped_unknown_host", "errors")} == {
        "records": 15, "responses": 7, "parsed": 5, "new": 10 + 4, "changed": 0, "unchanged": 0,
        "skipped_unknown_host": 1, "errors": 0}
    assert rep["damaged"] == [] and out["indexed"] == 14

    rows = {r[3]: r for r in snapshot(data)["statements"]}
    china = rows[CHINA + "t1638430.shtml"]
    assert china[4] == "杨洁篪会见卢森堡外交大臣阿瑟伯恩"
    # the capture time is the time the statement was seen
    assert china[10].startswith("2019-02-16 08:00:00") and china[11].startswith("2019-02-16 08:00:00")
    assert sum(1 for r in rows.values() if r[1] == "us-state") == 10
    # kept in the archive's captures, so the capture page and a rebuild have it
    [copy] = (data / "captures").glob("*-import-*.warc.gz")
    assert copy.name.startswith("20190216T080000Z-import-")

    again = cli_json(data, "import", str(other))["warc_files"][0]
    assert (again["new"], again["unchanged"]) == (0, 14)
    assert len(list((data / "captures").iterdir())) == 1


def test_import_of_a_later_version_records_the_edit(corpus, tmp_path):
    """Versions 2 and 9 of the feed from two files: the edit in between is a revision, seen at its capture."""
    data = tmp_path / "data"
    first, later = tmp_path / "a.warc", tmp_path / "b.warc.gz"
    write_warc(first, [(FEED, "2021-05-23T15:10:29Z", "application/rss+xml", feed_version(2))], gzipped=False)
    write_warc(later, [(FEED, "2021-05-24T02:10:29Z", "application/rss+xml", feed_version(9))])
    # given newest first: they are read in capture-time order all the same
    out = cli_json(data, "import", str(later), str(first))
    assert [f["file"] for f in out["warc_files"]] == [str(later), str(first)]
    assert sum(f["changed"] for f in out["warc_files"]) >= 1
    revised = [r for r in snapshot(data)["revisions"] if r[1] == 2]
    assert revised and all(r[5].startswith("2021-05-24 02:10:29") for r in revised)


# ---------------------------------------------------------------- damaged files

def test_garbage_in_the_middle_and_a_cut_end_cost_only_themselves(corpus, tmp_path):
    data = tmp_path / "data"
    good = tmp_path / "good.warc.gz"
    offsets = write_warc(good, china_records())
    raw = good.read_bytes()
    # garbage (with a false gzip header in it) between the second and third exchange, and the last record cut
    garbage = b"\x00junk" * 40 + b"\x1f\x8b\x08\x00broken" + b"more junk" * 10
    at = _member_end(raw, offsets[1])
    cut = offsets[3] + len(garbage) + 100
    damaged = raw[:at] + garbage + raw[at:]
    damaged = damaged[:cut]
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(damaged)

    proc = cli(data, "import", str(bad))
    assert proc.returncode == 1
    assert f"{bad}: damaged record at byte offset {at} " in proc.stderr
    assert f"{bad}: damaged record at byte offset {offsets[3] + len(garbage)} " in proc.stderr
    urls = {r[3] for r in snapshot(data)["statements"]}
    assert urls == {CHINA + n + ".shtml" for n in CHINA_PAGES[:3]}  # before and after the garbage

    out = json.loads(cli(data, "import", str(bad), "--json").stdout)
    assert [d["offset"] for d in out["warc_files"][0]["damaged"]] == [at, offsets[3] + len(garbage)]


def _member_end(raw: bytes, offset: int) -> int:
    import zlib
    d = zlib.decompressobj(31)
    d.decompress(raw[offset:])
    return len(raw) - len(d.unused_data)


def test_uncompressed_file_with_garbage_and_a_cut_record(corpus, tmp_path):
    data = tmp_path / "data"
    good = tmp_path / "good.warc"
    offsets = write_warc(good, china_records(), gzipped=False)
    raw = good.read_bytes()
    garbage = b"this is not a record\r\n" * 20
    damaged = raw[:offsets[1]] + garbage + raw[offsets[1]:-200]
    bad = tmp_path / "bad.warc"
    bad.write_bytes(damaged)
    out = json.loads(cli(data, "import", str(bad), "--json").stdout)
    [rep] = out["warc_files"]
    assert [d["offset"] for d in rep["damaged"]] == [offsets[1], offsets[3] + len(garbage)]
    assert "bytes missing" in rep["damaged"][1]["reason"]
    assert rep["new"] == 3
    assert {r[3] for r in snapshot(data)["statements"]} == {CHINA + n + ".shtml" for n in CHINA_PAGES[:3]}


def test_rebuild_reports_a_damaged_capture_and_keeps_its_whole_records(crawled, tmp_path):
    data = copy_of(crawled, tmp_path)
    files = sorted((data / "captures").glob("*.warc.gz"))
    last = files[-1]
    raw = last.read_bytes()
    last.write_bytes(raw[:len(raw) - 50])  # a crawl killed while writing its last record
    before = snapshot(data)
    proc = cli(data, "rebuild")
    assert proc.returncode == 1
    assert re.search(rf"captures/{last.name}: damaged record at byte offset \d+ ", proc.stderr)
    assert snapshot(data)["statements"] == before["statements"]


# ---------------------------------------------------------------- the capture page

@pytest.fixture
def served(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS}")
    data = tmp_path / "data"
    other = tmp_path / "other.warc.gz"
    write_warc(other, [(FEED, "2021-05-23T15:10:29Z", "application/rss+xml; charset=UTF-8", feed_version(0)),
                       *china_records()])
    assert cli(data, "import", str(other)).returncode == 0
    server = Server(data)
    yield server, data
    server.stop()


def statement_id(data: Path, url: str) -> str:
    with closing(sqlite3.connect(data / "archive.sqlite")) as db:
        return db.execute("SELECT id FROM statements WHERE url = ?", (url,)).fetchone()[0]


def test_capture_page_shows_the_page_safely_under_a_banner(served):
    server, data = served
    url = CHINA + "t1638430.shtml"
    sid = statement_id(data, url)
    statement = httpx.get(f"{server.url}/statements/{sid}").text
    assert f'href="/statements/{sid}/capture"' in statement

    page = httpx.get(f"{server.url}/statements/{sid}/capture")
    assert page.status_code == 200
    html = page.text
    assert "<script" in china_page("t1638430").decode() and "<img" in china_page("t1638430").decode()
    for forbidden in ("<script", "<form", "<iframe", "<img", "<link rel=\"stylesheet\" href=\"..", "<object",
                      "<embed", "style=", "onclick", "onload", "javascript:"):
        assert forbidden not in html, forbidden
    # nothing that loads: the only src or link elements left are our own
    assert re.findall(r'\ssrc=', html) == []
    for href in re.findall(r'<link[^>]*href="([^"]+)"', html):
        assert href.startswith("/")
    # links stay links, to the official site, never relative to the archive
    for href in re.findall(r'<a[^>]*href="([^"]+)"', html):
        assert href.startswith(("/", "#", "https://", "http://")), href
    assert 'href="https://www.fmprc.gov.cn/' in html
    # the banner: capture time and official URL, and the text as captured
    assert "Archived capture" in html and "2019-02-16 08:00:00 UTC" in html and url in html
    assert "杨洁篪会见卢森堡外交大臣阿瑟伯恩" in html
    assert "script-src" not in page.headers["Content-Security-Policy"]  # no script allowed at all

    api = httpx.get(f"{server.url}/api/statements/{sid}/captures").json()
    [cap] = api["captures"]
    assert cap["url"] == url and cap["status"] == 200 and cap["content_type"].startswith("text/html")
    assert cap["captured_at"] == "2019-02-16T08:00:00+00:00" and cap["warc_file"].startswith("captures/")

    warc = httpx.get(f"{server.url}{cap['warc']}")
    assert warc.headers["content-type"] == "application/warc"
    records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
               for r in ArchiveIterator(io.BytesIO(warc.content))]
    assert records == [("response", url, china_page("t1638430"))]


def test_capture_of_a_feed_statement_shows_its_item(served):
    server, data = served
    with closing(sqlite3.connect(data / "archive.sqlite")) as db:
        sid, title, url = db.execute("SELECT id, title, url FROM statements WHERE source = 'us-state' "
                                     "ORDER BY id LIMIT 1").fetchone()
    html = httpx.get(f"{server.url}/statements/{sid}/capture").text
    assert "through the feed" in html and FEED in html and "<script" not in html
    assert html.count("<h2>") >= 1 and url in html
    [cap] = httpx.get(f"{server.url}/api/statements/{sid}/captures").json()["captures"]
    assert cap["url"] == FEED


def test_capture_errors_are_404(served):
    server, data = served
    sid = statement_id(data, CHINA + "t1638430.shtml")
    assert httpx.get(f"{server.url}/statements/nope/capture").status_code == 404
    assert httpx.get(f"{server.url}/statements/{sid}/capture", params={"capture": "999"}).status_code == 404
    assert httpx.get(f"{server.url}/api/statements/nope/captures").status_code == 404


def test_an_edited_statement_lists_the_captures_of_each_revision(crawled):
    with closing(sqlite3.connect(crawled / "archive.sqlite")) as db:
        sid, url = db.execute("SELECT id, url FROM statements WHERE revision_count > 1 ORDER BY id").fetchone()
        seen = db.execute("SELECT first_seen, last_seen FROM revisions WHERE statement_id = ? ORDER BY seq",
                          (sid,)).fetchall()
    server = Server(crawled)
    try:
        caps = httpx.get(f"{server.url}/api/statements/{sid}/captures").json()["captures"]
        times = {c["captured_at"] for c in caps}
        for first, last in seen:
            for t in (first, last):
                assert datetime.fromisoformat(t).replace(tzinfo=timezone.utc).isoformat() in times
        assert all(c["url"] == FEED and c["status"] == 200 for c in caps)
        assert [c["captured_at"] for c in caps] == sorted(times, reverse=True)
        page = httpx.get(f"{server.url}/statements/{sid}/capture").text
        assert f"{len(caps)} captures" in page and "through the feed" in page and url in page
        oldest = httpx.get(f"{server.url}{caps[-1]['page']}").text
        assert "through the feed" in oldest and "<script" not in oldest
    finally:
        server.stop()


def test_sanitizer_keeps_text_and_links_and_drops_everything_that_loads_or_runs():
    from archive.web.replay import sanitize
    hostile = """<html><head><title>T</title><link rel=stylesheet href="/a.css"><style>p{}</style></head>
    <body onload="x()"><p style="background:url(https://evil/)">Text <b>bold</b></p>
    <a href="/news/1.html" onclick="x()">relative</a> <a href="javascript:alert(1)">js</a>
    <img src="https://cdn.example/i.png" onerror="x()"><iframe src="https://evil/"></iframe>
    <form action="/s"><input name="q"><button>Go</button></form><svg><script>x()</script></svg>
    <object data="x.swf"></object><video src="v.mp4"></video><table><tr><td colspan="2">cell</td></tr></table>
    </body></html>"""
    out = str(sanitize(hostile, "https://www.mfa.gov.example/en/page.html"))
    assert "Text <b>bold</b>" in out and '<td colspan="2">cell</td>' in out
    assert 'href="https://www.mfa.gov.example/news/1.html"' in out and "relative" in out
    for gone in ("<title", "<link", "<style", "style=", "onload", "onclick", "onerror", "javascript:", "<img",
                 "<iframe", "<form", "<input", "<button", "Go<", "<svg", "<script", "x()", "<object", "<video",
                 "src="):
        assert gone not in out, gone


def test_importing_the_archives_own_capture_reads_it_in_place(crawled, tmp_path):
    data = copy_of(crawled, tmp_path)
    before = snapshot(data)
    first = sorted((data / "captures").glob("*.warc.gz"))[0]
    [rep] = cli_json(data, "import", str(first))["warc_files"]
    assert (rep["parsed"], rep["new"], rep["changed"]) == (1, 0, 0)
    assert snapshot(data) == before  # no copy, no second listing of its records
    assert len(list((data / "captures").iterdir())) == ROUNDS


def test_an_older_archives_capture_neither_rewinds_nor_reorders(corpus, tmp_path):
    """Feed version 9 imported first, then version 2 from an older archive: statements already held keep their
    text and times; the two transcripts edited between 2 and 9 are not appended as if their old text were
    the newest revision, and say why."""
    data = tmp_path / "data"
    newer, older = tmp_path / "new.warc.gz", tmp_path / "old.warc.gz"
    write_warc(newer, [(FEED, "2021-05-24T02:10:29Z", "application/rss+xml", feed_version(9))])
    assert cli(data, "import", str(newer)).returncode == 0
    before = snapshot(data)["statements"]
    write_warc(older, [(FEED, "2021-05-23T17:10:29Z", "application/rss+xml", feed_version(2))])
    [rep] = cli_json(data, "import", str(older))["warc_files"]
    after = {r[0]: r for r in snapshot(data)["statements"]}
    assert all(after[row[0]] == row for row in before)
    assert (rep["new"], rep["unchanged"], rep["errors"]) == (len(after) - len(before), 10 - rep["new"] - 2, 2)
    assert all("not stored: older than the archive's latest version" in m for m in rep["messages"])
