"""The crawl loses nothing: through server faults, 304s, kill -9, narrower and then wider crawls, every
article seen is stored, once, and indexed. Real servers and real `policy-archive` processes throughout."""
from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from archive.fetch.client import FetchError, Fetcher
from archive.fetch.mirror import Mirrors
from helpers import archive_store as open_store
from helpers import start_corpus_server
from helpers import cli, cli_json
from sitefixture import MinistrySite

FAR_BACK = "2000-01-01"
CN_LISTING = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/"


def crawl_args(site: MinistrySite, *extra: str) -> list[str]:
    return ["crawl", "cn-mfa-zh", "--offline", "--delay", "0", "--timeout", "1", "--json", *site.mirror_args, *extra]


def crawl(data, site, *extra) -> dict:
    proc = cli(data, *crawl_args(site, *extra))
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    [rep] = json.loads(proc.stdout)["sources"]
    return rep


def assert_whole(data, n: int):
    """n articles stored, each once and in one version, and the index holds exactly those."""
    store = open_store(data)
    rows = list(store.iter_statements())
    assert len(rows) == n and len({r["url"] for r in rows}) == n
    assert all(r["revision_count"] == 1 and len(store.revisions(r["id"])) == 1 for r in rows)
    assert store.unindexed_ids() == []
    hits = cli_json(data, "search", "台湾问题", "--limit", str(n + 10))
    assert hits["total"] == n and {h["id"] for h in hits["hits"]} == {r["id"] for r in rows}
    assert store.owed_counts("cn-mfa-zh") == (0, 0)
    store.close()


@pytest.mark.slow
@pytest.mark.parametrize("rate, seed", [(0.2, 1), (0.4, 2)])
def test_faults_and_304s_converge_on_every_article(tmp_path, rate, seed):
    """The user trial: 50 articles behind ETags at a 40% fault rate stayed at 19 of 50 for good."""
    site = MinistrySite(n=50, per_page=15, validators=True, faults=rate, seed=seed)
    data = tmp_path / "data"
    try:
        owed = []
        for _ in range(6):
            rep = crawl(data, site, "--since", FAR_BACK)
            owed.append(rep["owed"])
            if rep["owed"] == 0 and open_store(data).count() == 50:
                break
        else:
            pytest.fail(f"six crawls at fault rate {rate} left pages owed: {owed}")
        # the listings were walked on 304s too, and owed articles were fetched all the same
        assert 304 in site.answered("default.shtml")
        assert owed[0] > 0, "the faults never cost an article: the test proves nothing"
    finally:
        site.close()
    assert_whole(data, 50)
    print(f"fault rate {rate}: owed after each crawl {owed}")


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_and_duplicates_nothing(tmp_path, store_engine):
    site = MinistrySite(n=50, per_page=15, validators=True)
    data = tmp_path / "data"
    rng = random.Random(5)
    stored_at_kill = []
    try:
        for _ in range(4):
            proc = subprocess.Popen([sys.executable, "-m", "archive", "--data-dir", str(data),
                                     *crawl_args(site, "--since", FAR_BACK, "--delay", "0.05")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # from the first article asked for on: the moments that matter are within the walk (a crawl
            # with nothing left to fetch asks for none, and ends by itself)
            deadline = time.monotonic() + 30
            while not any("/t" in path for path, _ in site.requests) and proc.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 1.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            stored_at_kill.append(open_store(data).count())
            site.requests.clear()
        assert any(0 < n < 50 for n in stored_at_kill), stored_at_kill
        for _ in range(2):
            rep = crawl(data, site, "--since", FAR_BACK)
            if rep["owed"] == 0:
                break
        assert rep["owed"] == 0 and rep["status"] == "partial"  # partial: the current-template column 404s
        # the listings answered 304 after the first kill: the owed articles were fetched regardless
        assert 304 in site.answered("default.shtml")
    finally:
        site.close()
    assert_whole(data, 50)
    print(f"stored when killed: {stored_at_kill}")


def test_deeper_and_older_crawls_walk_on_past_a_304(tmp_path):
    """A 304 on the first listing page is "the same links": a crawl wanting more pages or older items walks
    on from what that page gave last time."""
    site = MinistrySite(n=50, per_page=15, validators=True)
    try:
        data = tmp_path / "pages"
        assert crawl(data, site, "--since", FAR_BACK, "--max-pages", "1")["new"] == 15
        rep = crawl(data, site, "--since", FAR_BACK)
        assert site.answered("default.shtml") == [200, 304]
        assert rep["new"] == 35 and rep["owed"] == 0 and open_store(data).count() == 50

        # the default window (30 days) reaches article 20; a wider --since, the 19 older ones
        site.answers.clear()
        data = tmp_path / "window"
        assert crawl(data, site)["new"] == 31
        wider = (date.today() - timedelta(days=60)).isoformat()
        rep = crawl(data, site, "--since", wider)
        assert site.answered("default.shtml") == [200, 304] and site.answered("default_2.shtml") == [200, 304]
        assert rep["new"] == 19 and rep["owed"] == 0
        assert_whole(data, 50)
    finally:
        site.close()


def test_a_listing_page_failing_for_a_while_is_read_in_the_same_crawl(site, tmp_path):
    # the fetcher gives up after 4 attempts; the crawl asks again once the rest of the walk is done
    site.flaky = {1: 5}
    rep = crawl(tmp_path / "data", site)
    assert site.answered("default_1.shtml") == [503] * 5 + [200]
    assert (rep["new"], rep["owed"]) == (20, 0)


def test_a_failed_listing_page_is_owed_with_the_window_that_wanted_it(tmp_path):
    site = MinistrySite(n=50, per_page=15, validators=True)
    site.refused = {2: 403}  # the third listing page, for a while
    data = tmp_path / "data"
    try:
        rep = crawl(data, site, "--since", FAR_BACK)
        assert (rep["new"], rep["owed"]) == (30, 1)
        assert any("default_2.shtml: HTTP 403" in m for m in rep["messages"])
        # the next crawl wants only the last 30 days (articles 20..50), but the page is owed for all of time
        site.refused = {}
        rep = crawl(data, site)
        assert site.answered("default_2.shtml") == [403, 200] and site.answered("default_3.shtml") == [200]
        assert (rep["new"], rep["owed"]) == (20, 0)
    finally:
        site.close()
    assert_whole(data, 50)


def test_a_page_that_keeps_answering_404_is_given_up_and_reported(tmp_path):
    site = MinistrySite(n=20, per_page=15, validators=True)
    site.gone = {7: 404}  # linked from the listing, never published
    data = tmp_path / "data"
    try:
        for attempt in range(1, 4):
            rep = crawl(data, site)
            assert (rep["new"], rep["owed"], rep["given_up"]) == (19 if attempt == 1 else 0, 1, 0)
        assert site.fetched("/t7.shtml") == 3
        # two days go by, a failure at a time: the page is tried less and less often
        with sqlite3.connect(data / "archive.sqlite") as db:
            db.execute("update owed set first_seen = datetime(first_seen, '-3 days'), next_try = first_seen")
        crawl(data, site)
        with sqlite3.connect(data / "archive.sqlite") as db:
            [(attempts, next_try)] = db.execute("select attempts, next_try > datetime('now') from owed").fetchall()
        assert (attempts, next_try) == (4, 1)
        assert crawl(data, site)["owed"] == 1 and site.fetched("/t7.shtml") == 4  # not due yet: not fetched
        with sqlite3.connect(data / "archive.sqlite") as db:
            db.execute("update owed set next_try = first_seen")
        proc = cli(data, *[a for a in crawl_args(site) if a != "--json"])
        assert site.fetched("/t7.shtml") == 5
        assert "1 page never stored and answering 404/410 for days: no longer tried" in proc.stdout
        assert "t7.shtml: given up after 5 answers of 404/410" in proc.stdout
        rep = crawl(data, site)
        assert (rep["owed"], rep["given_up"]) == (0, 1) and site.fetched("/t7.shtml") == 5
    finally:
        site.close()


# the embedded store only: with PostgreSQL a watch schedules its rounds into the workers' queue instead of
# crawling (tests/test_workers.py)
def test_an_owed_article_is_reported_until_stored(tmp_path):
    site = MinistrySite(n=20, per_page=15, validators=True)
    site.gone = {3: 403, 4: 403}  # the server refuses two pages for a while
    data = tmp_path / "data"
    try:
        proc = cli(data, *[a for a in crawl_args(site) if a != "--json"], "--quiet")
        assert "cn-mfa-zh: 2 pages seen and not stored yet; the next crawl tries again" in proc.stdout
        args = [a for a in crawl_args(site) if a != "crawl"]

        def watch(rounds: int):
            proc = cli(data, "watch", *args, "--interval", "0", "--rounds", str(rounds))
            assert proc.returncode == 0, proc.stderr
            *each, end = [json.loads(line) for line in proc.stdout.splitlines()]
            return [r["sources"][0] for r in each], end["summary"]["sources"][0]

        # a watch's summary tells what is owed as its last round left it
        rounds, total = watch(1)
        assert (rounds[0]["owed"], total["owed"]) == (2, 2)
        # the server well again: the listing is unchanged (304), the two owed pages are fetched anyway
        site.gone = {}
        rounds, total = watch(2)
        assert [r["owed"] for r in rounds] == [0, 0] and (total["new"], total["owed"]) == (2, 0)
        assert site.answered("default_1.shtml")[-2:] == [304, 304]
    finally:
        site.close()
    assert_whole(data, 20)


@pytest.mark.corpus
def test_cn_listing_pages_read_through_faults(corpus, tmp_path):
    """cn-mfa-zh through corpus-server at a 20% fault rate: both listing pages asked for are read within
    three crawls, though the source's second column is not in the corpus."""
    server = start_corpus_server("--faults", "0.2", "--seed", "11")
    pages = [CN_LISTING + "default.shtml", CN_LISTING + "default_1.shtml"]
    data = tmp_path / "data"
    try:
        for rounds in range(1, 4):
            proc = cli(data, "crawl", "cn-mfa-zh", "--offline", "--delay", "0", "--timeout", "2", "--json",
                       "--max-pages", "2", "--since", "2017-01-01",
                       "--mirror", server.mirror("https://www.fmprc.gov.cn"),
                       "--mirror", server.mirror("https://www.mfa.gov.cn"))
            assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
            store = open_store(data)
            if all(store.listing_memory(p) for p in pages):
                break
        else:
            pytest.fail("three crawls did not read both listing pages")
    finally:
        server.stop()
    # never the third page: --max-pages holds for each listing of the source
    assert store.listing_memory(CN_LISTING + "default_2.shtml") is None
    print(f"both listing pages read after {rounds} crawl(s)")


@pytest.mark.parametrize("delay, pauses", [(2.0, [(1, 2), (2, 3), (4, 5)]), (0.5, [(0.5, 1), (1, 1.5), (2, 2.5)]),
                                           (0, [(0, 0), (0, 0), (0, 0)])])
def test_retry_pauses_scale_with_the_delay(delay, pauses):
    """The pauses before retries are politeness too: a host asking for no delay (a local mirror) gets none."""
    site = MinistrySite(n=1)
    site.gone = {1: 500}
    sleeps = []
    try:
        with Fetcher(user_agent="test", delay=delay, obey_robots=False, sleep=sleeps.append,
                     mirrors=Mirrors([site.mirror])) as fetcher:
            with pytest.raises(FetchError, match="HTTP 500 after 4 attempts"):
                fetcher.get("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1.shtml",
                            allowed_hosts={"www.fmprc.gov.cn"})
    finally:
        site.close()
    # sleeps are recorded, not slept: after each backoff the politeness pause follows, in full
    backoffs = sleeps[::2] if delay else sleeps
    assert len(backoffs) == 3 and all(lo <= s <= hi for s, (lo, hi) in zip(backoffs, pauses)), sleeps
