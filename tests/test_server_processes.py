"""The real `serve` under load while the real `watch` commits, while `reindex` is killed, and with a
forged Host header: it always answers, and never with a 5xx."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from archive.datadir import open_datadir
from archive.index.writing import CURRENT, MERGE_FANOUT, live_index, sync_index
from archive.model import Statement
from archive.store import Store
from helpers import CORPUS, archive_store, start_corpus_server
from helpers import Server, briefing, cli

STATE = "https://www.state.gov"
STATEMENTS = CORPUS / "statements" / "us-state-press-2021-2022.jsonl.gz"
REFRESH_SECONDS = 2.0
WORDS = ["sanctions", "Ukraine", "climate", "Secretary", "human rights", "China", "Russia", "election",
         "humanitarian", "Taiwan", "Iran", "Afghanistan", "trade", "democracy", "refugees", "Israel", "Cuba",
         "terrorism", "embassy", "visa", "national day", "ceasefire", "vaccine", "Venezuela", "Korea"]


class Load:
    """Client threads asking for pages, searches and the feed as fast as the server answers."""

    def __init__(self, url: str, threads: int = 8, seed: int = 11):
        self.url = url
        self.answers: list[tuple[str, int, float]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(random.Random(seed + n),)) for n in range(threads)]

    def _request(self, rng: random.Random) -> tuple[str, dict]:
        kind = rng.random()
        if kind < 0.25:
            return "/", {}
        if kind < 0.35:
            return "/feed.atom", {"q": rng.choice(WORDS)}
        # distinct queries: words, pairs, phrases, filters, sorts and pages, so caches do not answer them all
        q = " ".join(rng.sample(WORDS, rng.randint(1, 2)))
        params = {"q": f'"{q}"' if rng.random() < 0.2 else q, "sort": rng.choice(["relevance", "date", "-date"])}
        if rng.random() < 0.3:
            params["page"] = str(rng.randint(1, 3))
        if rng.random() < 0.2:
            params["year"] = str(rng.choice([2021, 2022]))
        return "/api/search", params

    def _client(self, rng: random.Random):
        with httpx.Client(base_url=self.url, timeout=60) as http:
            while not self._stop.is_set():
                path, params = self._request(rng)
                started = time.monotonic()
                try:
                    status = http.get(path, params=params).status_code
                except httpx.HTTPError as e:
                    status = -1
                    path = f"{path} {e!r}"
                with self._lock:
                    self.answers.append((path, status, time.monotonic() - started))

    def run(self, seconds: float):
        for t in self._threads:
            t.start()
        time.sleep(seconds)
        self._stop.set()
        for t in self._threads:
            t.join()

    def figures(self) -> dict:
        times = sorted(t for _, _, t in self.answers)
        return {"requests": len(times), "failed": sum(1 for _, s, _ in self.answers if s >= 500 or s < 0),
                "not_200": sum(1 for _, s, _ in self.answers if s != 200),
                "p50_ms": round(1000 * times[len(times) // 2]), "p95_ms": round(1000 * times[int(len(times) * 0.95)])}


def served_total(url: str) -> int:
    r = httpx.get(f"{url}/api/search", params={"limit": 1}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def watched_load(tmp_path: Path, seconds: float) -> dict:
    data = tmp_path / "data"
    feed = start_corpus_server("--advance-on-get")
    rounds = tmp_path / "watch.jsonl"
    log = (tmp_path / "serve.log").open("w")
    try:
        with rounds.open("w") as out:
            watch = subprocess.Popen(
                [sys.executable, "-m", "archive", "--data-dir", str(data), "watch", "us-state", "--interval", "0",
                 "--offline", "--delay", "0", "--mirror", feed.mirror(STATE), "--json"],
                stdout=out, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not rounds.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rounds.read_text(), "watch did not finish its first round"
        server = Server(data, stderr=log)
        try:
            load = Load(server.url)
            load.run(seconds)
            watch.send_signal(signal.SIGTERM)
            _, err = watch.communicate(timeout=60)
            assert watch.returncode == 130 and "Traceback" not in err, err
            # the server answers as before, and counts every statement the watch stored once the refresh is due
            store = archive_store(data)
            stored = store.count()
            assert store.unindexed_ids() == []
            store.close()
            ended = time.monotonic()
            while (counted := served_total(server.url)) != stored and time.monotonic() - ended < REFRESH_SECONDS + 1:
                time.sleep(0.1)
            caught_up = time.monotonic() - ended
            assert counted == stored
            for path in ("/", "/feed.atom", "/api/search?q=sanctions"):
                assert httpx.get(server.url + path, timeout=30).status_code == 200
        finally:
            server.stop()
    finally:
        feed.stop()
        log.close()
    figures = load.figures()
    commits = [json.loads(line) for line in rounds.read_text().splitlines() if line.startswith('{"round"')]
    figures.update(statements=stored, watch_rounds=len(commits), caught_up_s=round(caught_up, 2),
                   new=sum(s["new"] for c in commits for s in c["sources"]))
    print(json.dumps(figures))
    failed = [(path, status) for path, status, _ in load.answers if status != 200]
    errors = [line for line in (tmp_path / "serve.log").read_text().splitlines() if "Error" in line or "Exception" in line]
    assert not failed, (figures, failed[:5], errors[:20])
    # the watch went on long enough for the index to merge small segments, where the trial broke
    assert figures["new"] > MERGE_FANOUT + 2, figures
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
    return figures


@pytest.mark.corpus
def test_serve_answers_every_request_while_watch_commits(corpus, tmp_path):
    watched_load(tmp_path, seconds=20)


@pytest.mark.corpus
@pytest.mark.slow
def test_serve_answers_every_request_while_watch_commits_for_a_minute(corpus, tmp_path):
    watched_load(tmp_path, seconds=60)


# reindex ------------------------------------------------------------------------------------------------


class Watcher:
    """Searches a running server over and over; records every total and any answer that is not a 200."""

    QUERIES = ("", "sanctions", "Ukraine humanitarian")

    def __init__(self, url: str):
        self.url = url
        self.totals: dict[str, list[int]] = {q: [] for q in self.QUERIES}
        self.bad: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self):
        with httpx.Client(base_url=self.url, timeout=30) as http:
            while not self._stop.is_set():
                for q in self.QUERIES:
                    r = http.get("/api/search", params={"q": q, "limit": 1})
                    if r.status_code != 200:
                        self.bad.append((q, r.status_code))
                    else:
                        self.totals[q].append(r.json()["total"])

    def stop(self):
        self._stop.set()
        self._thread.join()


def index_folders(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "index").iterdir() if p.is_dir())


@pytest.mark.corpus
def test_reindex_killed_at_any_moment_never_leaves_search_with_less(corpus, tmp_path):
    data = tmp_path / "data"
    imported = cli(data, "import", str(STATEMENTS))
    assert imported.returncode == 0, imported.stderr
    server = Server(data)
    try:
        before = {q: httpx.get(f"{server.url}/api/search", params={"q": q, "limit": 1}).json()["total"]
                  for q in Watcher.QUERIES}
        assert before["sanctions"] > 100 and before[""] == 2031
        watcher = Watcher(server.url)
        try:
            started = time.monotonic()
            first = cli(data, "reindex")
            took = time.monotonic() - started
            assert first.returncode == 0 and "reindexed 2,031 statements" in first.stdout, first.stderr
            rng = random.Random(7)
            for _ in range(5):
                proc = subprocess.Popen([sys.executable, "-m", "archive", "--data-dir", str(data), "reindex"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0.05, 1.0) * took)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                store = archive_store(data)
                # whatever the moment, the live index holds every statement the store says it holds
                assert store.unindexed_ids() == []
                store.close()
            again = cli(data, "reindex")
            assert again.returncode == 0 and "reindexed 2,031 statements" in again.stdout, again.stderr
            time.sleep(REFRESH_SECONDS + 0.5)
        finally:
            watcher.stop()
        assert not watcher.bad, watcher.bad[:5]
        for q, totals in watcher.totals.items():
            assert totals and min(totals) == before[q] == totals[-1], (q, before[q], min(totals))
        # the killed runs' folders are gone: the live index and nothing else
        live = live_index(data / "index")
        assert index_folders(data) == [live.name] and (data / "index" / CURRENT).is_file()
        assert not [p for p in (data / "index").iterdir() if p.is_file() and p.name != CURRENT]

        # the running server reads the index the last reindex made live: a new statement shows up in it
        store = archive_store(data)
        store.save(briefing(1))
        assert sync_index(store, data / "index") == 1
        store.close()
        deadline = time.monotonic() + REFRESH_SECONDS + 1
        while served_total(server.url) != 2032 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert served_total(server.url) == 2032
    finally:
        server.stop()


# the public address -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    dd = open_datadir(tmp_path_factory.mktemp("small") / "data", create=True)
    store = Store(dd.db_url)
    for i in range(3):
        store.save(briefing(i))
    sync_index(store, dd.index_dir)
    store.close()
    return dd.root


def forged_host_pages(url: str, sid: str) -> list[str]:
    headers = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    pages = []
    for path in ("/feed.atom", "/opensearch.xml", f"/api/statements/{sid}/cite?format=apa",
                 f"/api/statements/{sid}/cite?format=csl-json", f"/statements/{sid}/cite"):
        r = httpx.get(url + path, headers=headers, timeout=30)
        assert r.status_code == 200, (path, r.text)
        assert "evil.example" not in r.text, path
        pages.append(r.text)
    return pages


def test_serve_links_to_its_base_url_whatever_host_is_asked(small_archive):
    sid = sorted(archive_store(small_archive).statement_ids())[0]
    server = Server(small_archive, "--base-url", "https://archive.example.org/")
    try:
        feed, opensearch, apa, csl, page = forged_host_pages(server.url, sid)
        assert f"<id>https://archive.example.org/statements/{sid}</id>" in feed
        assert "https://archive.example.org/?q={searchTerms}" in opensearch
        assert f"https://archive.example.org/statements/{sid}" in apa and f"https://archive.example.org/statements/{sid}" in csl
    finally:
        server.stop()
    # by default the address it serves on
    server = Server(small_archive)
    try:
        feed, *_ = forged_host_pages(server.url, sid)
        assert f"<id>{server.url}/statements/{sid}</id>" in feed
    finally:
        server.stop()


@pytest.mark.parametrize("bad", ["archive.example.org", "ftp://archive.example.org", "https://", "https://x.org/?a=1",
                                 "https://user@x.org"])
def test_serve_refuses_a_base_url_that_is_no_address(small_archive, bad):
    proc = cli(small_archive, "serve", "--port", "0", "--base-url", bad, timeout=30)
    assert proc.returncode == 2 and "--base-url" in proc.stderr and "Traceback" not in proc.stderr
