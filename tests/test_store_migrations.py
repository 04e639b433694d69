"""The store's schema on both engines: a new database is created at the current version, an archive written
before versions were recorded is brought up to date when opened (and then moves into PostgreSQL whole), and a
store of a newer schema is refused in one line."""
import sqlite3
from contextlib import closing
from datetime import datetime, timezone

import pytest
from helpers import FIXTURES, cli
from sqlalchemy import inspect

from archive.model import Statement
from archive.store import Store
from archive.store.copying import copy_store
from archive.store.engines import StoreUnavailable
from archive.store.migrations import SCHEMA_VERSION, schema_version
from archive.store.tables import metadata

T0 = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
URL = "https://www.state.gov/a-statement/"


def version(store: Store) -> int:
    with store.engine.connect() as conn:
        return schema_version(conn)


def old_archive(path) -> str:
    """A SQLite store as the code of 6 December 2026 left it (tests/fixtures/store)."""
    with closing(sqlite3.connect(path)) as db:
        db.executescript((FIXTURES / "store" / "main-2026-12-06.sql").read_text(encoding="utf-8"))
    return f"sqlite:///{path}"


def test_a_new_database_is_created_at_the_current_schema(store_url):
    store = Store(store_url)
    try:
        assert version(store) == SCHEMA_VERSION >= 1
        assert set(inspect(store.engine).get_table_names()) >= set(metadata.tables)
        # a WARC file past 4 GiB: its offsets fit
        big = 5 * 2 ** 30
        assert store.add_captures([{"url": URL, "warc_file": "captures/big.warc.gz", "offset": big,
                                    "length": 2 ** 31 + 1, "record_id": "<urn:big>", "captured_at": T0,
                                    "status": 200, "content_type": None}]) == 1
        row = store.capture(1)
        assert (row["offset"], row["length"], row["captured_at"]) == (big, 2 ** 31 + 1, T0)
    finally:
        store.close()


def test_an_archive_from_before_schema_versions_upgrades_in_place(tmp_path):
    url = old_archive(tmp_path / "archive.sqlite")
    store = Store(url)
    try:
        assert version(store) == SCHEMA_VERSION
        [row] = list(store.iter_statements())
        assert row["url"] == URL and row["revision_count"] == 2 and row["first_seen"] == T0
        assert [r["paragraphs"] for r in store.revisions(row["id"])] == [["The first text."], ["The second text."]]
        assert [t["language"] for t in store.translations(row["id"])] == ["fr"]
        assert store.crawl_state(URL)["etag"] == '"e1"' and store.owed_counts("us-state") == (1, 0)
        assert store.capture(1)["length"] == 1234
        # and it is written to as any other: a third text is a third revision
        st = Statement(source="us-state", url=URL, country="US", ministry="U.S. Department of State",
                       language="en", kind="statement", title="A statement", paragraphs=["The third text."],
                       speakers=["Ned Price"], date=datetime(2026, 12, 1, 8, tzinfo=timezone.utc))
        assert store.save(st, datetime(2026, 12, 3, tzinfo=timezone.utc)).outcome == "changed"
        assert store.get(row["id"])["revision_count"] == 3
    finally:
        store.close()
    # opening it again changes nothing more
    again = Store(url)
    assert version(again) == SCHEMA_VERSION and again.revision_total() == 3
    again.close()


def test_an_upgraded_archive_moves_into_postgresql_whole(tmp_path, pg_url):
    source, target = Store(old_archive(tmp_path / "archive.sqlite")), Store(pg_url)
    try:
        report = copy_store(source, target)
        assert report.matches and report.counts["statements"] == (1, 1) and report.counts["revisions"] == (2, 2)
        assert {t: n for t, (n, _) in report.counts.items() if n} == {
            "statements": 1, "revisions": 2, "translations": 1, "crawl_state": 1, "owed": 1, "captures": 1,
            "changes": 1}  # the upgrade seeded the change sequence with the one statement
        [row] = list(target.iter_statements())
        assert row == next(source.iter_statements())
        assert target.revisions(row["id"]) == source.revisions(row["id"])
    finally:
        source.close()
        target.close()


def test_a_store_of_a_newer_schema_is_refused(store_url, tmp_path):
    store = Store(store_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE store_meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema'")
    store.close()
    with pytest.raises(StoreUnavailable, match="newer than this program's"):
        Store(store_url)
    proc = cli(tmp_path, "--store", store_url, "link-versions")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (f"error: the store has schema version {SCHEMA_VERSION + 1}, newer than this program's "
                           f"{SCHEMA_VERSION}: upgrade policy-archive\n")


def test_an_unreachable_store_is_one_line(tmp_path):
    proc = cli(tmp_path, "--store", "postgresql://nobody@127.0.0.1:1/none", "link-versions")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("error: cannot open the store postgresql://nobody@127.0.0.1:1/none: ")
    # a mistyped URL (which may hold a password) is not echoed back
    proc = cli(tmp_path, "--store", "secret-password", "link-versions")
    assert proc.returncode == 1
    assert proc.stderr == "error: the store is not a database URL: use postgresql://user@host/database\n"
    proc = cli(tmp_path, "--store", "mysql://root@db/archive", "link-versions")
    assert proc.returncode == 1 and proc.stderr.startswith("error: unsupported store 'mysql'")
