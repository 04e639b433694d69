"""Web nodes and `index --follow` keeping their own index as a replica of one store, by its change sequence:
catching up from nothing, following new writes, surviving a SIGKILL, and reporting their lag at /api/health."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from helpers import Server, briefing, ceasefire, cli, present, store_at

from archive.index.follow import APPLIED, applied
from archive.index.writing import open_index
from archive.store import Store
from archive.store.changes import changes
from archive.store.tables import statements, store_meta

TESTS = Path(__file__).resolve().parent
# statements saved by another process through the real Store: `python -c SAVE URL i:revision ...`
SAVE = ("import sys; sys.path.insert(0, sys.argv[1]); from helpers import briefing; from archive.store import Store; "
        "s = Store(sys.argv[2]); [s.save(briefing(int(i), int(r))) for i, r in (a.split(':') for a in sys.argv[3:])]; "
        "s.close()")
BRIEFINGS = 40
FR = 12
# queries whose totals a reader would compare between two nodes, and what the store holds for each
QUERIES = {("maritime", None): BRIEFINGS, ("ceasefire", None): FR, ("ceasefire", "FR"): FR,
           ("harbour 7", None): 1, ('"Revision 0"', None): BRIEFINGS}


def _fill(store: Store) -> None:
    store.save_many([briefing(i) for i in range(BRIEFINGS)])
    for i in range(FR):
        store.save(ceasefire(i, "fr-diplo", "FR"))


def _total(url: str, q: str, country: str | None = None) -> int:
    params = {"q": q, "limit": 1, **({"country": country} if country else {})}
    r = httpx.get(f"{url}/api/search", params=params, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def _eventually(check, timeout: float = 60, what: str = "condition"):
    give_up = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > give_up:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(0.2)


def _health(url: str) -> dict:
    return httpx.get(f"{url}/api/health", timeout=30).json()


def _save_elsewhere(url: str, *items: str) -> None:
    subprocess.run([sys.executable, "-c", SAVE, str(TESTS), url, *items], check=True, timeout=120)


def _indexed_ids(index_dir: Path) -> list[str]:
    with open_index(index_dir).searcher() as s:
        return sorted(f["id"] for f in s.all_stored_fields())


# the sequence --------------------------------------------------------------------------------------

def test_every_change_to_what_search_or_cite_answers_gets_the_next_number(store):
    a, b = briefing(1), briefing(2)
    store.save(a)
    store.save(a)                     # the same text seen again: nothing to apply
    store.save(briefing(1, 1))        # a new text
    corrected = briefing(2)
    store.save(b)
    corrected.speakers = ["Deputy Spokesperson"]
    store.save(corrected)             # a corrected speaker, same text
    with store.linking() as links:
        links.add_version(a.id, "fr", "https://us-state.example/fr/1", "test", a.fetched_at)
    store.withdraw(b.url, b.source, 404, b.fetched_at)
    log = store.changes_after(0, 100)
    assert [(c["statement_id"], c["kind"]) for c in log] == [
        (a.id, "new"), (a.id, "changed"), (b.id, "new"), (b.id, "metadata"), (a.id, "linked"), (b.id, "withdrawn")]
    assert [c["seq"] for c in log] == sorted({c["seq"] for c in log})
    assert store.last_change() == log[-1]["seq"]


def test_a_store_from_before_the_sequence_gets_one_change_per_statement(tmp_path):
    path = tmp_path / "old.sqlite"
    store = store_at(path)
    present(store, *(briefing(i) for i in range(5)))
    with store.engine.begin() as conn:
        # as an archive written before the table existed: schema version 1
        changes.drop(conn)
        conn.execute(store_meta.update().where(store_meta.c.key == "schema").values(value="1"))
    store.close()
    reopened = store_at(path)
    with reopened.engine.connect() as conn:
        ids = sorted(conn.execute(statements.select().with_only_columns(statements.c.id)).scalars())
    log = reopened.changes_after(0, 100)
    assert sorted(c["statement_id"] for c in log) == ids and {c["kind"] for c in log} == {"seeded"}
    reopened.close()
    assert store_at(path).last_change() == 5   # seeded once, not on every open


def test_a_follower_polling_concurrent_writers_on_postgresql_misses_no_change(pg_url):
    """Writers commit out of the order they drew numbers in unless the sequence prevents it; a reader taking
    `seq > last` as it goes must still see every change."""
    Store(pg_url).close()
    writers, each = 4, 40
    seen: list[int] = []
    done = threading.Event()

    def write(w: int):
        store = Store(pg_url)
        for i in range(each):
            store.save(briefing(1000 * w + i))
        store.close()

    def read():
        store, last = Store(pg_url), 0
        while True:
            finished = done.is_set()
            for c in store.changes_after(last, 1000):
                seen.append(c["seq"])
                last = c["seq"]
            if finished:
                break
        store.close()
    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()
    assert len(seen) == writers * each == len(set(seen))
    assert seen == sorted(seen)


# web nodes over one PostgreSQL store ----------------------------------------------------------------

@pytest.mark.slow
def test_two_web_nodes_build_their_index_from_the_store_and_follow_it(pg_url, tmp_path):
    store = Store(pg_url)
    _fill(store)
    env = {"POLICY_ARCHIVE_STORE": pg_url}
    nodes = [Server(tmp_path / name, "--interval", "0.5", env=env) for name in ("node-a", "node-b")]
    try:
        for node in nodes:
            _eventually(lambda: _health(node.url)["index"]["lag"] == 0, what="catching up from empty")
        for (q, country), expected in QUERIES.items():
            # each node searches its own index, whose new commits it opens every 2 s
            for node in nodes:
                _eventually(lambda: _total(node.url, q, country) == expected, what=f"{q}: {expected} on {node.url}")

        # written by another process: a new statement, and a new text of an old one
        _save_elsewhere(pg_url, f"{BRIEFINGS}:0", "7:1")
        for node in nodes:
            _eventually(lambda: _total(node.url, "maritime") == BRIEFINGS + 1, what="the new statement")
            _eventually(lambda: _total(node.url, '"Revision 1"') == 1, what="the new text")
            # the old text's document was replaced, not joined by a second one
            assert _total(node.url, "harbour 7") == 1
            assert _total(node.url, '"Revision 0"') == BRIEFINGS
            health = _eventually(lambda: (h := _health(node.url))["index"]["lag"] == 0 and h)
            assert health["status"] == "ok" and health["store"]["reachable"] is True
            assert health["index"]["applied"] == health["store"]["sequence"] == store.last_change()
            assert health["index"]["follower_running"] is True and health["index"]["applied_at"]
        page = httpx.get(f"{nodes[0].url}/health", timeout=30)
        assert page.status_code == 200 and f"up to {store.last_change()}" in page.text and "<script" not in page.text
    finally:
        for node in nodes:
            node.stop()
        store.close()


def test_a_node_whose_store_is_unreachable_says_so_with_503(tmp_path):
    dead = "postgresql+psycopg://postgres@127.0.0.1:9/none"
    node = Server(tmp_path / "node", "--interval", "0.5", env={"POLICY_ARCHIVE_STORE": dead})
    try:
        r = httpx.get(f"{node.url}/api/health", timeout=30)
        assert r.status_code == 503
        found = r.json()
        assert found["status"] == "failing" and found["store"]["reachable"] is False
        assert "\n" not in found["store"]["error"] and "refused" in found["store"]["error"].lower()
        assert found["index"]["lag"] is None
        page = httpx.get(f"{node.url}/health", timeout=30)
        assert page.status_code == 503 and "unreachable" in page.text
    finally:
        node.stop()


# the follower as a process of its own -----------------------------------------------------------------

@pytest.mark.slow
def test_a_follower_killed_mid_apply_ends_with_the_index_a_fresh_build_makes(pg_url, tmp_path):
    store = Store(pg_url)
    store.save_many([briefing(i) for i in range(3000)])
    head = store.last_change()
    env = {"POLICY_ARCHIVE_STORE": pg_url}
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "archive", "--data-dir", str(killed), "index", "--follow"],
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        at = _eventually(lambda: (killed / "index" / APPLIED).exists() and applied(killed / "index").seq,
                         what="a first commit")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert 0 < at < head, "killed after the follower had finished: not mid-apply"
    # more written while it was down
    store.save_many([briefing(i, 1) for i in range(10)] + [briefing(3000 + i) for i in range(5)])
    again = cli(killed, "index", "--follow", "--once", "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["lag"] == 0
    fresh = tmp_path / "fresh"
    built = cli(fresh, "index", "--follow", "--once", "--json", env=env)
    assert built.returncode == 0, built.stderr
    ids = _indexed_ids(killed / "index")
    assert ids == _indexed_ids(fresh / "index")
    assert len(ids) == len(set(ids)) == 3005
    assert applied(killed / "index").seq == applied(fresh / "index").seq == store.last_change()
    store.close()


def test_index_follow_on_an_embedded_archive(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    store = store_at(data / "archive.sqlite")
    _fill(store)
    first = cli(data, "index", "--follow", "--once", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"changes": BRIEFINGS + FR, "statements": BRIEFINGS + FR,
                                        "applied": BRIEFINGS + FR, "store": BRIEFINGS + FR, "lag": 0}
    store.save(briefing(3, 1))
    health = json.loads(cli(data, "health", "--json").stdout)
    assert (health["index"]["applied"], health["index"]["lag"]) == (BRIEFINGS + FR, 1)
    second = json.loads(cli(data, "index", "--follow", "--once", "--json").stdout)
    assert (second["changes"], second["lag"]) == (1, 0)
    found = json.loads(cli(data, "search", '"Revision 1"', "--json").stdout)
    assert found["total"] == 1
    assert len(_indexed_ids(data / "index")) == BRIEFINGS + FR
    store.close()


def test_index_and_health_on_the_command_line_fail_in_one_line_when_the_store_is_down(tmp_path):
    env = {"POLICY_ARCHIVE_STORE": "postgresql+psycopg://postgres@127.0.0.1:9/none"}
    for args in (("index", "--follow", "--once"), ("health",)):
        proc = cli(tmp_path, *args, env=env)
        assert proc.returncode == 1
        assert proc.stderr.startswith(("error: cannot open the store ", "error: cannot reach the store: ")), proc.stderr
        assert proc.stderr.count("\n") == 1 and "Connection refused" in proc.stderr, proc.stderr
    out = cli(tmp_path, "health", "--json", env=env)
    assert out.returncode == 1 and json.loads(out.stdout)["store"]["reachable"] is False
