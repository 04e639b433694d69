"""Writes that two processes may race to make (two crawlers reading the same page, a crawl and an import):
the database's unique keys decide, with INSERT … ON CONFLICT in the dialect's own spelling, instead of a
look-then-insert that both would pass."""
from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection


def _insert(conn: Connection, table: Table):
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


def insert_new(conn: Connection, table: Table, values: dict) -> bool:
    """Insert one row unless its key is taken (by a row committed meanwhile, too); whether it was inserted."""
    # RETURNING, not rowcount: drivers need not report how many rows an INSERT wrote
    stmt = _insert(conn, table).values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return conn.execute(stmt).first() is not None


def insert_missing(conn: Connection, table: Table, rows: list[dict], key) -> int:
    """Insert the rows whose key is not taken; how many were. `key` is the column returned to count them."""
    if not rows:
        return 0
    stmt = _insert(conn, table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        # sqlite3 counts an executemany's inserted rows; with RETURNING the statement would go on stepping,
        # holding the write lock, until its rows are read, and a SIGTERM between the two left the database
        # locked for the crawl's last index sync
        return conn.execute(stmt, rows).rowcount
    return len(conn.execute(stmt.returning(key), rows).all())


def copy_missing(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert the rows whose key is not taken, uncounted: without RETURNING the driver sends them as one
    pipelined batch, where counting builds one long statement per thousand rows (4 times slower, measured)."""
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(), rows)


def upsert(conn: Connection, table: Table, key: dict, values: dict) -> None:
    """Insert the row with `key`, or update `values` of the row that has it."""
    stmt = _insert(conn, table).values(**key, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=values))
