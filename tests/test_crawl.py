"""Crawls through the real command line against loopback servers: the replayed State feed and a small
ministry site in the old China MFA template."""
import json
import signal
import subprocess
import sys
import time

import httpx
import pytest

from helpers import Server, archive_store, cli, cli_json



def crawl_site(data, site, *extra):
    return cli(data, "crawl", "cn-mfa-zh", "--offline", "--delay", "0", *site.mirror_args, "--json", *extra)


@pytest.mark.corpus
def test_state_feed_crawl_then_304(corpus_server, tmp_path, store_engine):
    data = tmp_path / "data"
    mirror = corpus_server.mirror("https://www.state.gov")
    first = cli_json(data, "crawl", "us-state", "--offline", "--delay", "0", "--mirror", mirror)
    [rep] = first["sources"]
    # the corpus holds the feed only: the briefing listing and the JSON API answer 404 there
    assert (rep["found"], rep["fetched"], rep["new"], rep["status"]) == (10, 1, 10, "partial")
    assert rep["errors"] == 2 and all("HTTP 404" in m for m in rep["messages"])

    store = archive_store(data)
    rows = list(store.iter_statements())
    assert len(rows) == 10
    for r in rows:
        assert r["speakers"] and r["kind"] in ("statement", "readout", "remarks", "press-conference", "speech",
                                               "interview", "other")
        assert r["date"].startswith("2021-05") and r["url"].startswith("https://www.state.gov/")
        assert r["paragraphs"]
    assert store.unindexed_ids() == []

    # the same feed version again: a conditional GET answered 304, nothing new
    second = cli_json(data, "crawl", "us-state", "--offline", "--delay", "0", "--mirror", mirror)
    [rep] = second["sources"]
    assert (rep["not_modified"], rep["fetched"], rep["new"], rep["changed"]) == (1, 0, 0, 0)
    feed_state = archive_store(data).crawl_state(
        "https://www.state.gov/rss-feed/press-releases/feed/")
    assert feed_state["status"] == 304 and feed_state["etag"]

    # findable from the CLI by words of a title
    title = rows[0]["title"]
    hits = cli_json(data, "search", f'"{title}"')
    assert rows[0]["id"] in [h["id"] for h in hits["hits"]]
    assert all(set(h) == {"id", "url", "title", "date", "source", "country", "speaker", "score", "snippet"}
               for h in hits["hits"])

    # and from the JSON API and the web page of the real server
    server = Server(data)
    try:
        api = httpx.get(f"{server.url}/api/search", params={"q": f'"{title}"'}).json()
        assert rows[0]["id"] in [h["id"] for h in api["hits"]]
        page = httpx.get(f"{server.url}/statements/{rows[0]['id']}")
        assert page.status_code == 200 and rows[0]["url"] in page.text and 'id="p1"' in page.text
    finally:
        server.stop()

    # every response was captured in WARC before it was parsed: 200, robots.txt 404, then the 304
    from archive.fetch.warc import iter_responses
    captured = [r for f in sorted((data / "captures").glob("*.warc.gz")) for r in iter_responses(f)]
    feed = [r for r in captured if r.url == "https://www.state.gov/rss-feed/press-releases/feed/"]
    assert [r.status for r in feed] == [200, 304]


@pytest.mark.corpus
def test_faulty_server_never_half_stores(tmp_path):
    """corpus-server --faults: 503s, 500s, bodies cut short, stalls, offsite redirects. Crawls either store
    whole statements or report errors; repeated crawls converge on the feed's 10 statements."""
    from helpers import start_corpus_server
    server = start_corpus_server("--faults", "0.4", "--seed", "7")
    data = tmp_path / "data"
    try:
        for _ in range(6):
            proc = cli(data, "crawl", "us-state", "--offline", "--delay", "0", "--timeout", "2", "--json",
                       "--mirror", server.mirror("https://www.state.gov"))
            assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
            [rep] = json.loads(proc.stdout)["sources"]
            # the briefing listing and API are not in the corpus (404): at best the crawl is partial
            assert rep["status"] in ("partial", "failed") and (rep["status"] == "partial") == (proc.returncode == 0)
            if rep["fetched"] + rep["not_modified"] and archive_store(data).count() == 10:
                break
        else:
            pytest.fail("six crawls through a 40% fault rate never succeeded")
    finally:
        server.stop()
    store = archive_store(data)
    assert store.count() == 10 and store.unindexed_ids() == []
    assert all(r["paragraphs"] and r["speakers"] for r in store.iter_statements())


def test_listing_crawl_window_pages_and_incremental(site, tmp_path):
    data = tmp_path / "data"
    # default window: the last 30 days; all 20 articles are within it, on two listing pages
    res = json.loads(crawl_site(data, site).stdout)
    rep = next(r for r in res["sources"] if r["source"] == "cn-mfa-zh")
    assert rep["new"] == 20 and rep["found"] == 20
    # the current-template column is not on this site: one error, the source still counts as read
    assert rep["status"] == "partial" and rep["errors"] == 1
    assert site.fetched("default.shtml") == 1 and site.fetched("default_1.shtml") == 1

    # the next crawl fetches only listings: every article is known
    before = len([p for p, _ in site.requests if "/t" in p])
    res = json.loads(crawl_site(data, site).stdout)
    rep = res["sources"][0]
    assert rep["new"] == 0 and rep["fetched"] == 2
    assert len([p for p, _ in site.requests if "/t" in p]) == before

    # --max-pages 1 stops after the first listing page
    site.n = 25
    res = json.loads(crawl_site(data, site, "--max-pages", "1").stdout)
    assert res["sources"][0]["new"] == 5
    assert cli_json(data, "search", "台湾问题")["total"] == 25


def test_dates_come_from_the_page_else_the_listing_else_none_with_a_warning(site, tmp_path):
    data = tmp_path / "data"
    # article 3 prints no date, its listing entry does; article 2 prints none anywhere
    site.n, site.undated_pages, site.undated_links = 3, {2, 3}, {2}
    rep = json.loads(crawl_site(data, site).stdout)["sources"][0]
    assert rep["new"] == 3 and rep["warnings"] == 1
    assert [m for m in rep["messages"] if m.startswith("warning")] == [
        "warning: https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t2.shtml: undated (no date on the page, "
        "in its title or in its listing)"]
    rows = {r["url"].rsplit("/", 1)[-1]: r for r in archive_store(data).iter_statements()}
    assert (rows["t2.shtml"]["date"], rows["t2.shtml"]["date_source"]) == (None, "none")
    assert rows["t1.shtml"]["date_source"] == "page" and rows["t1.shtml"]["date"].startswith(str(site.day(1)))
    assert rows["t3.shtml"]["date_source"] == "listing" and rows["t3.shtml"]["date"].startswith(str(site.day(3)))
    # an export says where a date came from
    [exported] = [json.loads(line) for line in cli(data, "export").stdout.splitlines()
                  if "t1.shtml" in line]
    assert exported["date_source"] == "page"


def test_since_limits_what_a_first_crawl_fetches(site, tmp_path):
    cutoff = site.day(16).isoformat()
    res = json.loads(crawl_site(tmp_path / "data", site, "--since", cutoff).stdout)
    rep = res["sources"][0]
    assert rep["new"] == 5 and rep["skipped"] == 10
    # page 2 is older than --since entirely and is never requested
    assert site.fetched("default_1.shtml") == 0


def test_unreachable_host_fails_its_source_only(site, tmp_path):
    data = tmp_path / "data"
    proc = cli(data, "crawl", "us-state", "cn-mfa-zh", "--offline", "--delay", "0",
               "--mirror", "https://www.state.gov=http://127.0.0.1:9/www.state.gov",
               "--mirror", site.mirror, "--mirror", f"https://www.mfa.gov.cn={site.url}/current", "--json")
    assert proc.returncode == 1
    res = json.loads(proc.stdout)
    state, cn = res["sources"]
    assert state["status"] == "failed" and "refused" in " ".join(state["messages"]).lower()
    assert cn["new"] == 20
    assert "source failed: us-state" in proc.stderr


def test_sigterm_mid_crawl_then_resume(site, tmp_path):
    data = tmp_path / "data"
    cmd = [sys.executable, "-m", "archive", "--data-dir", str(data), "crawl", "cn-mfa-zh", "--offline", "--quiet",
           "--delay", "0.25", "--mirror", site.mirror, "--mirror", f"https://www.mfa.gov.cn={site.url}/current"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while site.fetched(".shtml") < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err

    store = archive_store(data)
    stored = store.count()
    assert 0 < stored < 20
    assert store.unindexed_ids() == []  # the index holds exactly what the store holds
    assert cli_json(data, "search", "台湾问题")["total"] == stored

    res = json.loads(crawl_site(data, site).stdout)
    assert res["sources"][0]["new"] == 20 - stored
    assert store.count() == 20
    assert cli_json(data, "search", "台湾问题")["total"] == 20
    # every capture file is readable to its end, the interrupted one included
    from archive.fetch.warc import iter_responses
    for f in (data / "captures").glob("*.warc.gz"):
        list(iter_responses(f))


@pytest.mark.parametrize("args, message", [
    (["crawl", "nope"], "unknown source 'nope'"),
    (["crawl", "us-state", "--mirror", "https://www.state.gov"], "--mirror"),
    (["crawl", "us-state", "--since", "2024-13-01"], "invalid date"),
    (["search", "x", "--from", "yesterday"], "invalid date"),
    (["extract", "--source", "nope", "--url", "https://x/", "pyproject.toml"], "unknown source"),
])
def test_bad_arguments_get_one_line_errors(tmp_path, args, message):
    proc = cli(tmp_path / "data", *args)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_missing_data_dir_for_reading_commands(tmp_path):
    proc = cli(tmp_path / "nowhere", "search", "missile")
    assert proc.returncode == 1
    assert "does not exist" in proc.stderr and proc.stderr.count("\n") == 1


def test_data_dir_from_environment(site, tmp_path):
    env_dir = tmp_path / "from-env"
    proc = subprocess.run([sys.executable, "-m", "archive", "crawl", "cn-mfa-zh", "--offline", "--quiet",
                           "--delay", "0", "--mirror", site.mirror,
                           "--mirror", f"https://www.mfa.gov.cn={site.url}/current"],
                          env={**__import__("os").environ, "POLICY_ARCHIVE_DATA": str(env_dir)},
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (env_dir / "archive.sqlite").exists() and not (tmp_path / "archive-data").exists()


@pytest.mark.corpus
def test_sources_check_reports_each_selector(corpus_server):
    ok = cli(None, "sources", "--check", "us-state", "--delay", "0", "--offline", "--json",
             "--mirror", corpus_server.mirror("https://www.state.gov"))
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["ok"] and report["pages"][1]["role"] == "feed item"
    assert report["pages"][1]["found"]["paragraphs"] > 0
    # the saved Belarus listing links to localhost: the listing checks out, the article is refused
    proc = cli(None, "sources", "--check", "by-mfa", "--delay", "0", "--offline",
               "--mirror", corpus_server.mirror("https://mfa.gov.by"))
    assert proc.returncode == 1
    assert "listing.item     a.tabs-content__item" in proc.stdout and "links: 5" in proc.stdout
    assert "article: http://localhost/" in proc.stdout and "FAILED" in proc.stdout
