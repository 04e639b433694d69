"""`policy-archive migrate --to`: a real archive (a crawl of the State feed through the corpus server, and Singapore
statements imported from the corpus) copied into PostgreSQL, then searched, cited and served from there with the
same answers as from its SQLite file."""
from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from itertools import islice

import httpx
import pytest
from helpers import Server, archive_store, cli, cli_json

from archive.datadir import STORE_ENV_VAR
from archive.store import Store

pytestmark = pytest.mark.corpus


@pytest.fixture
def archive(corpus, corpus_server, tmp_path, monkeypatch):
    """A data folder with its own SQLite store: a crawl (captures, crawl state) and 80 imported statements."""
    monkeypatch.delenv(STORE_ENV_VAR, raising=False)
    data = tmp_path / "data"
    cli_json(data, "crawl", "us-state", "--offline", "--delay", "0", "--mirror",
             corpus_server.mirror("https://www.state.gov"))
    lines = tmp_path / "sg.jsonl"
    with gzip.open(corpus / "statements" / "sg-mfa-2021-2024.jsonl.gz", "rt", encoding="utf-8") as f:
        lines.write_text("".join(islice(f, 80)), encoding="utf-8")
    cli_json(data, "import", str(lines))
    return data


def served(data, paths: list[str]) -> list:
    server = Server(data)
    try:
        return [httpx.get(server.url + p).json() for p in paths]
    finally:
        server.stop()


@pytest.mark.slow
def test_an_archive_moves_into_postgresql_and_answers_the_same(archive, pg_url, monkeypatch):
    moved = cli(archive, "migrate", "--to", pg_url, "--json")
    assert moved.returncode == 0, moved.stderr
    report = json.loads(moved.stdout)
    tables = report["tables"]
    assert tables["statements"]["source"] == tables["statements"]["target"] == 90
    assert all(t["source"] == t["target"] == t["copied"] for t in tables.values())
    assert tables["captures"]["target"] > 0 and tables["crawl_state"]["target"] > 0
    assert report["matches"] and report["checksum"]["source"] == report["checksum"]["target"]
    assert "postgres@" in report["to"]

    on_pg = ["--store", pg_url]
    for query in ("Yemen", "ASEAN"):
        assert cli_json(archive, "search", query) == cli_json(archive, *on_pg, "search", query)
    # the cite command reads the statements' texts from the store
    quote = "On behalf of the Government of the United States, I offer best wishes"
    cited = cli_json(archive, "cite", quote)
    assert cited["matches"] and cited == cli_json(archive, *on_pg, "cite", quote)

    # served from each store, the JSON API answers alike: a search, a statement, its captures
    sqlite_store = archive_store(archive)
    ids = [r["id"] for r in islice(sqlite_store.iter_statements(), 5)]
    sqlite_store.close()
    paths = ["/api/search?q=Yemen", *(f"/api/statements/{sid}" for sid in ids),
             *(f"/api/statements/{sid}/captures" for sid in ids)]
    from_sqlite = served(archive, paths)
    monkeypatch.setenv(STORE_ENV_VAR, pg_url)
    from_pg = served(archive, paths)
    assert from_pg == from_sqlite and from_sqlite[0]["total"] > 0

    # a new capture recorded in PostgreSQL gets an id of its own after the copied ones
    store = Store(pg_url)
    try:
        at = datetime(2026, 12, 6, tzinfo=timezone.utc)
        assert store.add_captures([{"url": "https://www.state.gov/x", "warc_file": "captures/new.warc.gz",
                                    "offset": 0, "length": 10, "record_id": "<urn:x>", "captured_at": at,
                                    "status": 200, "content_type": None}]) == 1
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT max(id) FROM captures").scalar() == tables["captures"]["source"] + 1
    finally:
        store.close()


def test_a_non_empty_target_is_refused_and_a_difference_fails(archive, pg_url):
    assert cli(archive, "migrate", "--to", pg_url).returncode == 0
    again = cli(archive, "migrate", "--to", pg_url)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.startswith("error: the target store is not empty (") and again.stderr.count("\n") == 1

    # resuming a finished copy copies nothing and agrees
    resumed = cli_json(archive, "migrate", "--to", pg_url, "--resume")
    assert resumed["matches"] and all(t["copied"] == 0 for t in resumed["tables"].values())

    # a text changed on one side only: the counts agree, the checksum does not, and the exit status says so
    store = Store(pg_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE statements SET title = title || '!' WHERE id = (SELECT min(id) FROM statements)")
    store.close()
    differs = cli(archive, "migrate", "--to", pg_url, "--resume")
    assert differs.returncode == 1
    assert "statement texts: DIFFERENT" in differs.stdout and "differs from the data folder's store" in differs.stderr


def test_migrate_refuses_a_store_option_and_an_empty_folder(tmp_path, pg_url):
    (tmp_path / "empty").mkdir()
    proc = cli(tmp_path / "empty", "migrate", "--to", pg_url)
    assert proc.returncode == 1 and proc.stderr == f"error: no store in {tmp_path / 'empty'} to copy\n"
    proc = cli(tmp_path / "empty", "--store", pg_url, "migrate", "--to", pg_url)
    assert proc.returncode == 1 and "leave out --store" in proc.stderr
