"""What crawler workers share in a PostgreSQL store: the work queue, each host's turn, and robots.txt answers.

Any number of `policy-archive worker` processes, on any machines, take items (a listing page, an article, a
recheck) from one queue. An item is claimed with `FOR UPDATE SKIP LOCKED` under a lease: a worker that dies
holding it stops renewing the lease, and once it expires the next claim takes the item again. An item is
unique per (source, url, kind) while pending or claimed, so scheduling twice enqueues once.

Politeness across workers is a lease row per host (`host_turns`: holder, busy until, next allowed at), not
advisory locks: a request takes the host's turn in one UPDATE and gives it back with the time the next request
may start (the host's delay after this exchange ended, whichever worker sends it), which a lock cannot carry;
and the claim of an item prefers hosts whose turn is free in the same query, so workers do not wait behind one
host while another is idle. A killed worker's turn ends at its expiry (longer than any exchange lasts).

robots.txt is fetched once per origin for all workers: under an advisory transaction lock per origin (released
by the server when a killed worker's connection drops), the first worker fetches and stores it, the others
read the row; it is fetched again after `ROBOTS_TTL` (RFC 9309 asks for no more than a day).

Times are the database server's (clock_timestamp()), so the machines' clocks need not agree.
"""
from __future__ import annotations

import contextlib
import time
from datetime import datetime
from typing import Callable, Iterator
from urllib.parse import urlsplit

from sqlalchemy import (Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text, cast, extract, func,
                        select, text, update)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine

from ..fetch.client import RobotsAnswer

KINDS = ("listing", "article", "recheck")
OPEN = ("pending", "claimed")
ROBOTS_TTL = 24 * 3600.0
# an origin whose robots.txt could not be had is asked again sooner: the site may be back in minutes
ROBOTS_RETRY = 600.0
# the first key of the advisory locks taken here (for robots.txt, the second is the origin's hash), so that
# other users of advisory locks in the same database do not collide with them
ROBOTS_LOCK = 16_0001
SCHEMA_LOCK = 16_0002
# where a worker giving back a host's turn tells the ones waiting for it
TURNS_CHANNEL = "policy_archive_turns"

queue_metadata = MetaData()

work_items = Table(
    "work_items", queue_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(16), nullable=False),          # KINDS
    Column("host", Text, nullable=False),                # whose turn the item waits for
    Column("depth", Integer, nullable=False, default=0),  # a listing page's place in its series
    Column("max_pages", Integer),                        # a listing's: pages of its series to walk (None: all)
    Column("since", String(32)),                         # a listing's window, ISO 8601
    Column("title", Text),                               # an article's, as its listing gave them
    Column("date", String(32)),
    Column("state", String(16), nullable=False, default="pending"),  # pending, claimed, done, failed
    Column("holder", Text),
    Column("lease_until", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    Index("one_open_item", "source", "url", "kind", unique=True,
          postgresql_where=text("state IN ('pending', 'claimed')")),
    Index("open_items", "state", "not_before"),
)

host_turns = Table(
    "host_turns", queue_metadata,
    Column("host", Text, primary_key=True),
    Column("holder", Text),
    Column("busy_until", DateTime(timezone=True)),
    Column("next_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

robots_files = Table(
    "robots_files", queue_metadata,
    Column("origin", Text, primary_key=True),
    Column("body", Text, nullable=False),     # the rules ("" allows everything)
    Column("unavailable", Text),              # why nothing may be fetched from the origin for now
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)


class QueueUnavailable(Exception):
    """The store is not one the workers can share."""


def shared(engine: Engine) -> None:
    """Create the workers' tables in `engine`'s database if missing; QueueUnavailable unless it is PostgreSQL."""
    if engine.dialect.name != "postgresql":
        raise QueueUnavailable("crawler workers share a PostgreSQL store (--store postgresql://…), "
                               f"not {engine.dialect.name}")
    with engine.begin() as conn:
        # workers starting together on a new database would otherwise race to create the same tables
        conn.execute(select(func.pg_advisory_xact_lock(cast(SCHEMA_LOCK, Integer), 0)))
        queue_metadata.create_all(conn)


def _seconds(value: float):
    return func.make_interval(0, 0, 0, 0, 0, 0, value)


NOW = func.clock_timestamp()


def _epoch(interval):
    return cast(extract("epoch", interval), Float)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class WorkQueue:
    def __init__(self, engine: Engine):
        shared(engine)
        self.engine = engine

    def enqueue(self, items: list[dict]) -> int:
        """Add items (source, url, kind and, as the kind needs, depth, max_pages, since, title, date); one
        already pending or claimed is left as it is. How many were added."""
        if not items:
            return 0
        rows = [{"depth": 0, "max_pages": None, "since": None, "title": None, "date": None, **item,
                 "host": host_of(item["url"]), "state": "pending", "attempts": 0} for item in items]
        with self.engine.begin() as conn:
            added = conn.execute(insert(work_items).values(rows).on_conflict_do_nothing(
                index_elements=["source", "url", "kind"], index_where=work_items.c.state.in_(OPEN))
                .returning(work_items.c.id)).all()
        return len(added)

    def claim(self, holder: str, lease: float) -> dict | None:
        """The next item due, claimed by `holder` for `lease` seconds: one whose host's turn is free first,
        then the oldest. An item whose holder's lease ran out is due again (the holder died), counted as an
        attempt."""
        free = (host_turns.c.host.is_(None)
                | ((host_turns.c.next_at <= NOW)
                   & (host_turns.c.holder.is_(None) | (host_turns.c.busy_until < NOW))))
        due = (((work_items.c.state == "pending") & (work_items.c.not_before <= NOW))
               | ((work_items.c.state == "claimed") & (work_items.c.lease_until < NOW)))
        pick = (select(work_items.c.id)
                .select_from(work_items.outerjoin(host_turns, host_turns.c.host == work_items.c.host))
                .where(due).order_by(free.desc(), work_items.c.not_before, work_items.c.id)
                .limit(1).with_for_update(of=work_items, skip_locked=True).scalar_subquery())
        with self.engine.begin() as conn:
            row = conn.execute(update(work_items).where(work_items.c.id == pick).values(
                state="claimed", holder=holder, lease_until=NOW + _seconds(lease),
                attempts=work_items.c.attempts + (work_items.c.state == "claimed").cast(Integer))
                .returning(*work_items.c)).mappings().first()
        return dict(row) if row else None

    def renew(self, item_id: int, holder: str, lease: float) -> bool:
        """Extend a claim still held; False when the lease was lost (it expired and another worker took it)."""
        return self._finish(item_id, holder, lease_until=NOW + _seconds(lease))

    def done(self, item_id: int, holder: str) -> bool:
        return self._finish(item_id, holder, state="done", lease_until=None, finished_at=NOW)

    def retry(self, item_id: int, holder: str, error: str, wait: float) -> bool:
        """A failure that may pass: the item is due again in `wait` seconds."""
        return self._finish(item_id, holder, state="pending", holder=None, lease_until=None, last_error=error,
                            attempts=work_items.c.attempts + 1, not_before=NOW + _seconds(wait))

    def release(self, item_id: int, holder: str) -> bool:
        """Give an item back untried (its worker was stopped): due again at once."""
        return self._finish(item_id, holder, state="pending", holder=None, lease_until=None, not_before=NOW)

    def fail(self, item_id: int, holder: str, error: str) -> bool:
        """Tried enough for now: the item stays, failed, with its error (what is owed stays owed in the store,
        and the next round schedules it again)."""
        return self._finish(item_id, holder, state="failed", lease_until=None, last_error=error,
                            attempts=work_items.c.attempts + 1, finished_at=NOW)

    def _finish(self, item_id: int, by: str, **values) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(update(work_items).where(
                work_items.c.id == item_id, work_items.c.holder == by, work_items.c.state == "claimed")
                .values(**values)).rowcount == 1

    def counts(self) -> dict[str, int]:
        """Items by state."""
        with self.engine.connect() as conn:
            return dict(conn.execute(select(work_items.c.state, func.count()).group_by(work_items.c.state)).all())

    def open_count(self) -> int:
        """Items pending or claimed: work not finished by anyone yet."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(work_items)
                                .where(work_items.c.state.in_(OPEN))).scalar_one()

    def next_due_in(self) -> float | None:
        """Seconds until the next pending item is due or a claim's lease runs out; None when nothing is open."""
        due = func.min(func.coalesce(work_items.c.lease_until, work_items.c.not_before))
        with self.engine.connect() as conn:
            return conn.execute(select(_epoch(due - NOW))
                                .where(work_items.c.state.in_(OPEN))).scalar()


class HostLeases:
    """The fetcher's host turns (fetch.client.HostTurns) taken in the database: one request at a time per host
    across every worker, and the host's delay from the end of one exchange to the start of the next.

    A worker waiting for a turn another holds sleeps until that one is given back (LISTEN/NOTIFY on
    `TURNS_CHANNEL`), not polling: with more workers than free hosts, the waiting ones cost nothing. It looks
    again every `poll` seconds all the same, for a turn whose holder died."""

    def __init__(self, engine: Engine, holder: str, lease: float, poll: float = 1.0):
        shared(engine)
        self.engine, self.holder, self.lease, self.poll = engine, holder, lease, poll
        self._listener = None

    @contextlib.contextmanager
    def hold(self, host: str, delay: float) -> Iterator[None]:
        while (wait := self._take(host)) is not None:
            self._wait(wait)
        try:
            yield
        finally:
            with self.engine.begin() as conn:
                conn.execute(update(host_turns).where(host_turns.c.host == host,
                                                      host_turns.c.holder == self.holder)
                             .values(holder=None, busy_until=None, next_at=NOW + _seconds(delay)))
                conn.execute(select(func.pg_notify(TURNS_CHANNEL, host)))

    def _wait(self, wait: float | None):
        """Until the turn's known next time (`wait` seconds), or, when another holds it, until some turn is
        given back."""
        if wait is not None and wait > 0:
            time.sleep(wait)
            return
        if self._listener is None:
            import psycopg  # the driver of a postgresql+psycopg store
            self._listener = psycopg.connect(
                self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                autocommit=True)
            self._listener.execute(f"LISTEN {TURNS_CHANNEL}")
            return  # a turn given back before the LISTEN would be missed: look again first
        for _ in self._listener.notifies(timeout=self.poll, stop_after=1):
            pass

    def close(self):
        if self._listener is not None:
            self._listener.close()

    def _take(self, host: str) -> float | None:
        """None when the turn is ours now; else the seconds until its next time, or 0 while another holds it."""
        with self.engine.begin() as conn:
            conn.execute(insert(host_turns).values(host=host, next_at=NOW).on_conflict_do_nothing())
            took = conn.execute(update(host_turns).where(
                host_turns.c.host == host, host_turns.c.next_at <= NOW,
                host_turns.c.holder.is_(None) | (host_turns.c.busy_until < NOW))
                .values(holder=self.holder, busy_until=NOW + _seconds(self.lease))).rowcount
            if took:
                return None
            held = conn.execute(select(host_turns.c.holder.is_not(None) & (host_turns.c.busy_until >= NOW),
                                       _epoch(host_turns.c.next_at - NOW)).where(host_turns.c.host == host)).first()
            return 0.0 if held[0] else max(held[1], 0.001)


class SharedRobots:
    """The fetcher's robots.txt answers (fetch.client.RobotsAnswers) kept in the database for every worker."""

    def __init__(self, engine: Engine, ttl: float = ROBOTS_TTL, retry: float = ROBOTS_RETRY):
        shared(engine)
        self.engine, self.ttl, self.retry = engine, ttl, retry

    def answer(self, origin: str, fetch: Callable[[], RobotsAnswer]) -> RobotsAnswer:
        with self.engine.begin() as conn:
            if (known := self._fresh(conn, origin)) is not None:
                return known
            # whoever holds the lock fetches; the others wait here and then read what it stored
            conn.execute(select(func.pg_advisory_xact_lock(cast(ROBOTS_LOCK, Integer), func.hashtext(origin))))
            if (known := self._fresh(conn, origin)) is not None:
                return known
            got = fetch()
            conn.execute(insert(robots_files).values(origin=origin, body=got.text, unavailable=got.unavailable,
                                                     fetched_at=NOW)
                         .on_conflict_do_update(index_elements=["origin"], set_={
                             "body": got.text, "unavailable": got.unavailable, "fetched_at": NOW}))
            return got

    def _fresh(self, conn, origin: str) -> RobotsAnswer | None:
        row = conn.execute(select(robots_files.c.body, robots_files.c.unavailable,
                                  _epoch(NOW - robots_files.c.fetched_at).label("age"))
                           .where(robots_files.c.origin == origin)).first()
        if row is None or row.age > (self.retry if row.unavailable else self.ttl):
            return None
        return RobotsAnswer(row.body, row.unavailable)

    def fetched(self) -> dict[str, datetime]:
        """Origin → when its robots.txt was last fetched."""
        with self.engine.connect() as conn:
            return dict(conn.execute(select(robots_files.c.origin, robots_files.c.fetched_at)).all())
