"""Setting up the database when a store opens: a new one is created at the current schema; one written by
an older version is brought up to date in place, step by step, in one transaction.

The schema version is recorded in `store_meta` ("schema"). A store without it was written before it was
recorded (SQLite archives up to December 2026), and gets every step. A store of a newer schema than this
program knows is refused rather than written with the wrong shape.
"""
from __future__ import annotations

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from ..model import CONTENT_HASH_VERSION, content_hash
from .conflicts import upsert
from .changes import seed
from .engines import StoreUnavailable
from .tables import aware, metadata, revisions, statements, store_meta

# any constant will do, as long as no other code of the archive takes the same advisory lock
_SET_UP_LOCK = 7_160_016


def set_up(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # processes opening a new database at once (a crawl, the web server): one sets it up, the others
            # wait for it and find it done (PostgreSQL's DDL commits with the transaction)
            conn.execute(select(func.pg_advisory_xact_lock(_SET_UP_LOCK)))
        fresh = not inspect(conn).has_table(statements.name)
        metadata.create_all(conn)
        version = SCHEMA_VERSION if fresh else schema_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(f"the store has schema version {version}, newer than this program's "
                                   f"{SCHEMA_VERSION}: upgrade policy-archive")
        for step in STEPS[version:]:
            step(conn)
        _set_meta(conn, "schema", str(SCHEMA_VERSION))
        _rehash(conn)


def schema_version(conn: Connection) -> int:
    value = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "schema")).scalar()
    return int(value) if value is not None else 0


def _set_meta(conn: Connection, key: str, value: str):
    upsert(conn, store_meta, {"key": key}, {"value": value})


def _columns_added_before_versions(conn: Connection):
    """Columns added to statements before the schema had a version: added in place, with their defaults."""
    have = {c["name"] for c in inspect(conn).get_columns("statements")}
    if "turns" not in have:
        conn.execute(text(f"ALTER TABLE statements ADD COLUMN turns {_type(conn, 'turns')} NOT NULL DEFAULT '[]'"))
    if "withdrawn_at" not in have:
        conn.execute(text(f"ALTER TABLE statements ADD COLUMN withdrawn_at {_type(conn, 'withdrawn_at')}"))
    if "date_source" not in have:
        # where an older row's date came from is not known; that an undated row has none is
        conn.execute(text(f"ALTER TABLE statements ADD COLUMN date_source {_type(conn, 'date_source')}"))
        conn.execute(text("UPDATE statements SET date_source = 'none' WHERE date IS NULL"))


def _type(conn: Connection, column: str) -> str:
    return statements.c[column].type.compile(dialect=conn.dialect)


def _seed_changes(conn: Connection):
    """A store from before the change sequence gets one change per statement (changes.seed), so that an
    index following the sequence from nothing holds them all; a store that has any change is left alone."""
    seed(conn)


# step i brings a store of schema version i to version i + 1
STEPS = [_columns_added_before_versions, _seed_changes]
SCHEMA_VERSION = len(STEPS)


def _rehash(conn: Connection, batch: int = 500):
    """A store written with an older content-hash formula is hashed again (in the set-up's transaction);
    revisions that now hash alike were markup changes, and are merged into one (first seen of the earlier,
    last seen of the later)."""
    version = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "content_hash")).scalar()
    if version == CONTENT_HASH_VERSION:
        return
    last = ""
    while True:
        rows = conn.execute(select(statements).where(statements.c.id > last).order_by(statements.c.id)
                            .limit(batch)).mappings().all()
        if not rows:
            break
        last = rows[-1]["id"]
        for row in rows:
            _rehash_statement(conn, row)
    _set_meta(conn, "content_hash", CONTENT_HASH_VERSION)


def _rehash_statement(conn, row):
    sid = row["id"]
    kept: list[dict] = []
    for rev in conn.execute(select(revisions).where(revisions.c.statement_id == sid)
                            .order_by(revisions.c.seq)).mappings():
        chash = content_hash(rev["title"], rev["paragraphs"])
        if kept and kept[-1]["content_hash"] == chash:
            kept[-1]["last_seen"] = max(aware(kept[-1]["last_seen"]), aware(rev["last_seen"]))
        else:
            kept.append({**rev, "content_hash": chash, "seq": len(kept) + 1})
    conn.execute(revisions.delete().where(revisions.c.statement_id == sid))
    if kept:
        conn.execute(revisions.insert(), kept)
    chash = content_hash(row["title"], row["paragraphs"])
    # the index holds the same words as before: only its bookkeeping follows the new hash
    indexed = chash if row["indexed_hash"] == row["content_hash"] else None
    conn.execute(statements.update().where(statements.c.id == sid).values(
        content_hash=chash, indexed_hash=indexed, revision_count=max(len(kept), 1)))
