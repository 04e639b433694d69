"""Opening the database behind a store: the embedded SQLite file or a shared PostgreSQL server.

The rest of the store is SQLAlchemy Core and does not know which; what differs is settled here when the
engine is made, and in `conflicts.py` for the writes that two processes may race to make.
"""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

# what a user types (postgresql://…) names no driver; psycopg 3 is the one the `postgresql` extra installs
_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


class StoreUnavailable(Exception):
    """The store URL names an engine or driver that is not there."""


def engine_url(url: str) -> str:
    """`url` with the driver the store uses: postgresql:// becomes postgresql+psycopg://."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # not echoed: it may hold a password
        raise StoreUnavailable("the store is not a database URL: use postgresql://user@host/database") from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreUnavailable(f"unsupported store {parsed.get_backend_name()!r}: use a SQLite file or "
                               f"postgresql://user@host/database")
    return parsed.render_as_string(hide_password=False)


def open_engine(url: str) -> Engine:
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        # every timestamp is written in UTC; a session in UTC reads them back so, whatever the server's zone
        return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c TimeZone=UTC"})
    except ImportError:
        raise StoreUnavailable("the PostgreSQL driver is not installed: pip install 'policy-archive[postgresql]'") \
            from None


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # WAL lets the web server read while a crawl writes; busy_timeout rides out the writer's commits
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
