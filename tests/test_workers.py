"""Crawler workers sharing a PostgreSQL store: the queue, the host turns and robots.txt in the database, and
real `policy-archive worker` processes crawling the corpus server through faults while one is killed."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import HostLog, cli, start_corpus_server
from sqlalchemy import create_engine, text

from archive.fetch.client import RobotsAnswer
from archive.fetch.warc import scan
from archive.store.queue import HostLeases, QueueUnavailable, SharedRobots, WorkQueue

HOSTS = ("https://www.fmprc.gov.cn", "https://www.mfa.gov.cn", "https://www.state.gov")
DELAY = 0.2
CN_EN_LISTING = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"


def test_scheduling_twice_enqueues_once_and_a_dead_workers_item_comes_back(pg_url):
    queue = WorkQueue(create_engine(pg_url))
    item = {"source": "cn-mfa-en", "url": "https://www.fmprc.gov.cn/eng/a.html", "kind": "article"}
    assert queue.enqueue([item]) == 1 and queue.enqueue([item]) == 0
    held = queue.claim("a", lease=0.5)
    assert held["url"] == item["url"] and held["attempts"] == 0
    assert queue.claim("b", lease=5) is None  # held: nobody else gets it, nor is it enqueued again
    assert queue.enqueue([item]) == 0
    time.sleep(0.7)
    again = queue.claim("b", lease=5)  # a's lease ran out, as a killed worker's does
    assert again["id"] == held["id"] and again["attempts"] == 1
    assert not queue.done(held["id"], "a")  # a came back too late: the item is b's
    assert queue.done(again["id"], "b") and queue.counts() == {"done": 1}
    assert queue.enqueue([item]) == 1  # a later round may schedule it again


def test_a_failure_is_due_again_after_its_backoff(pg_url):
    queue = WorkQueue(create_engine(pg_url))
    queue.enqueue([{"source": "us-state", "url": "https://www.state.gov/x/", "kind": "listing"}])
    held = queue.claim("a", lease=5)
    assert queue.retry(held["id"], "a", "HTTP 503", wait=0.5)
    assert queue.claim("a", lease=5) is None and 0 < queue.next_due_in() <= 0.5
    time.sleep(0.6)
    again = queue.claim("a", lease=5)
    assert again["attempts"] == 1 and again["last_error"] == "HTTP 503"
    assert queue.fail(again["id"], "a", "HTTP 503") and queue.counts() == {"failed": 1}
    assert queue.open_count() == 0


def test_the_queue_needs_postgresql(tmp_path):
    with pytest.raises(QueueUnavailable, match="PostgreSQL"):
        WorkQueue(create_engine(f"sqlite:///{tmp_path / 'a.sqlite'}"))


def test_robots_txt_is_fetched_once_for_all_workers(pg_url):
    fetched = []

    def fetch():
        fetched.append(1)
        time.sleep(0.3)  # the others arrive while the first is still fetching
        return RobotsAnswer("User-agent: *\nDisallow: /private/\n")

    answers = []
    workers = [threading.Thread(target=lambda: answers.append(
        SharedRobots(create_engine(pg_url)).answer("https://www.state.gov", fetch))) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(fetched) == 1 and len(answers) == 4 and len(set(answers)) == 1
    # after its time to live it is fetched again
    assert SharedRobots(create_engine(pg_url), ttl=0).answer("https://www.state.gov", fetch) == answers[0]
    assert len(fetched) == 2


def test_host_turns_are_one_at_a_time_and_keep_the_delay_across_workers(pg_url):
    spans, lock = [], threading.Lock()

    def work(name):
        turns = HostLeases(create_engine(pg_url), name, lease=10)
        for _ in range(3):
            with turns.hold("www.state.gov", 0.1):
                start = time.monotonic()
                time.sleep(0.02)
                with lock:
                    spans.append((start, time.monotonic()))

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    spans.sort()
    assert len(spans) == 9
    gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:])]
    assert min(gaps) >= 0.1, gaps


def _worker(data: Path, wid: str, store: str, mirrors: list[str], delay: float = DELAY) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "archive", "--data-dir", str(data), "--store", store, "worker", "--id", wid,
         "--delay", str(delay), "--timeout", "5", "--lease", "5", "--offline", "--until-idle", "--json", "-q",
         *mirrors], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_watch_schedules_each_round_once_and_two_workers_store_each_article_once(pg_url, site, tmp_path):
    """watch with a PostgreSQL store crawls nothing itself: it fills the queue, and a round scheduled while
    the last one's items are still pending adds nothing."""
    data = tmp_path / "shared"
    proc = cli(data, "watch", "cn-mfa-zh", "--interval", "0", "--rounds", "2", "--since", "2000-01-01",
               "--json", env={"POLICY_ARCHIVE_STORE": pg_url})
    assert proc.returncode == 0, proc.stderr
    *rounds, summary = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["scheduled"] for r in rounds] == [{"listings": 2, "articles": 0, "rechecks": 0},
                                                 {"listings": 0, "articles": 0, "rechecks": 0}]
    assert summary == {"summary": {"rounds": 2, "scheduled": {"listings": 2, "articles": 0, "rechecks": 0}},
                       "interrupted": False}
    assert rounds[1]["queue"] == {"pending": 2} and site.requests == []
    workers = [_worker(data, wid, pg_url, site.mirror_args, delay=0) for wid in ("a", "b")]
    summaries = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert [w.returncode for w in workers] == [0, 0]
    engine = create_engine(pg_url)
    assert _rows(engine, "select count(*), count(distinct url) from statements") == [(20, 20)]
    done = dict(_rows(engine, "select kind, count(*) from work_items where state = 'done' group by kind"))
    # the old template's two listing pages and the 20 articles they link; the current template's 404s
    assert done == {"listing": 2, "article": 20}
    assert sum(s["items"]["done"] for s in summaries) == 22
    assert sum(r["new"] for s in summaries for r in s["sources"]) == 20


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


@pytest.mark.corpus
@pytest.mark.slow
def test_three_workers_through_faults_one_killed_store_each_item_once_and_take_turns(corpus, pg_url, tmp_path):
    server = start_corpus_server("--faults", "0.2", "--seed", "11", "--advance-on-get")
    proxy = HostLog(server.url)
    data = tmp_path / "shared"
    env = {"POLICY_ARCHIVE_STORE": pg_url}
    mirrors = [arg for host in HOSTS for arg in ("--mirror", proxy.mirror(host))]
    engine = create_engine(pg_url)
    try:
        round1 = cli(data, "watch", "cn-mfa-en", "us-state", "--interval", "0", "--rounds", "1",
                     "--max-pages", "1", "--since", "2016-01-01", "--json", env=env)
        assert round1.returncode == 0, round1.stderr
        workers = {wid: _worker(data, wid, pg_url, mirrors) for wid in ("w1", "w2", "w3")}
        deadline = time.monotonic() + 30
        while not _rows(engine, "select 1 from work_items where holder = 'w2'") and time.monotonic() < deadline:
            time.sleep(0.02)
        # at a random moment after its first claim, once it is in the middle of an item
        time.sleep(after := random.uniform(0, 1.5))
        claimed = "select id from work_items where holder = 'w2' and state = 'claimed'"
        while not _rows(engine, claimed) and time.monotonic() < deadline + 30:
            time.sleep(0.005)
        workers["w2"].send_signal(signal.SIGKILL)
        killed_at = time.monotonic()  # the proxy's clock
        held = {r.id for r in _rows(engine, claimed)}
        assert held, "w2 held no item when killed: the test proves nothing"
        # a second round while they work: the replayed feed has moved on to its next version
        round2 = cli(data, "watch", "us-state", "--interval", "0", "--rounds", "1", "--json", env=env)
        assert round2.returncode == 0, round2.stderr
        outs = {wid: proc.communicate(timeout=150) for wid, proc in workers.items()}
        assert workers["w2"].returncode == -signal.SIGKILL
        summaries = {}
        for wid in ("w1", "w3"):
            assert workers[wid].returncode == 0, outs[wid][1]
            summaries[wid] = json.loads(outs[wid][0])
        # an article that failed three times in a row stays owed, and the next round schedules it again
        rounds = 1
        while _rows(engine, "select count(*) from owed where source = 'cn-mfa-en'") != [(0,)] and rounds < 4:
            rounds += 1
            again = cli(data, "watch", "cn-mfa-en", "--interval", "0", "--rounds", "1", "--max-pages", "1",
                        "--since", "2016-01-01", env=env)
            assert again.returncode == 0, again.stderr
            drain = _worker(data, f"w{rounds + 2}", pg_url, mirrors)
            assert drain.wait(timeout=100) == 0, drain.stderr.read()
    finally:
        for proc in locals().get("workers", {}).values():
            if proc.poll() is None:
                proc.kill()
        proxy.close()
        server.stop()
    failed = _rows(engine, "select kind, attempts, last_error from work_items where state = 'failed'")
    print({wid: s["items"] for wid, s in summaries.items()}, f"w2 killed {after:.2f} s after its first claim, holding {held}; {rounds} rounds;",
          f"failed items: {failed}")

    # every item finished; what the killed worker held was taken over by another
    states = dict(_rows(engine, "select kind || ' ' || state, count(*) from work_items group by 1"))
    assert not any(k.endswith((" pending", " claimed")) for k in states), states
    assert _rows(engine, "select url from work_items where kind = 'article' group by url "
                         "having not bool_or(state = 'done')") == []
    for item in held:
        assert _rows(engine, "select state, holder from work_items where id = :i", i=item)[0].holder != "w2"

    # every article the listing names is stored, once and in one version; the feed's items once each
    [(links,)] = _rows(engine, "select links from listing_memory where url = :u", u=CN_EN_LISTING)
    assert len(links) == 40
    stored = _rows(engine, "select url, count(*) n, max(revision_count) r from statements "
                           "where source = 'cn-mfa-en' group by url")
    assert {r.url for r in stored} == {u for u, _, _ in links}
    assert all(r.n == 1 and r.r == 1 for r in stored)
    assert _rows(engine, "select count(*) from revisions join statements on id = statement_id "
                         "where source = 'cn-mfa-en'") == [(40,)]
    feed = _rows(engine, "select url, count(*) n from statements where source = 'us-state' group by url")
    assert len(feed) >= 10 and all(r.n == 1 for r in feed)
    print(f"{len(stored)} articles and {len(feed)} feed items stored")
    assert _rows(engine, "select count(*) from owed where source = 'cn-mfa-en'") == [(0,)]

    # no host ever had two requests in flight, and each waited the delay after the one before
    hosts = proxy.by_host()
    assert "www.fmprc.gov.cn" in hosts and "www.state.gov" in hosts
    for host, exchanges in hosts.items():
        gaps = [b.start - a.end for a, b in zip(exchanges, exchanges[1:])]
        assert min(gaps) >= DELAY - 0.01, (host, sorted(gaps)[:5])
    # robots.txt was fetched for all the workers once per host: asked again only after an answer that told
    # nothing (a server error, a body cut short), or when the killed worker died fetching it
    for host, exchanges in hosts.items():
        answered = [e for e in exchanges if e.path.endswith("/robots.txt") and e.whole and e.status < 500]
        died_with = any(e.start <= killed_at <= e.end + 0.5 for e in answered)
        assert 1 <= len(answered) <= 1 + died_with, (host, [(e.status, e.whole) for e in exchanges
                                                            if "robots" in e.path])
    assert len(_rows(engine, "select origin from robots_files")) == len(hosts)

    # the captures table matches the WARC files, each file a worker's own
    files = sorted((data / "captures").glob("*.warc.gz"))
    assert {f.name.split("-")[1].removesuffix(".warc.gz") for f in files} >= {"w1", "w3"}
    in_files = {(f"captures/{f.name}", r.offset, r.response.record_id)
                for f in files for r in scan(f) if getattr(r, "response", None)}
    listed = set(_rows(engine, "select warc_file, \"offset\", record_id from captures"))
    assert listed <= in_files
    unlisted = in_files - listed
    # only the killed worker may have written a record and died before listing it
    assert all("-w2" in name for name, _, _ in unlisted) and len(unlisted) <= 1, unlisted
    assert len(listed) >= 40 + 2


def test_a_worker_refuses_a_store_it_cannot_share(tmp_path):
    proc = cli(tmp_path / "data", "--store", f"sqlite:///{tmp_path / 'a.sqlite'}", "worker", "--once")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["error: crawler workers share a PostgreSQL store "
                                                "(--store postgresql://…), not sqlite"]
    assert not (tmp_path / "a.sqlite").exists()  # refused before anything was written
