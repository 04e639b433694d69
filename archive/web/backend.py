"""The app's one Store and the Searcher of the index's latest state, shared by every request."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from ..cite import lookup as cite
from ..datadir import DataDir
from ..index.follow import follow
from ..search.query import SearchQuery
from ..search.searcher import NoIndex, Results, Searcher
from ..store import Store

EXTENSION = "policy_archive"
# a child of the app's logger (archive.web), usable from the follower's thread, outside any request
log = logging.getLogger(__name__)
# the filter dropdowns scan every stored document; a new source or country is rare, so a minute's lag is fine
FACETS_SECONDS = 60.0
EMPTY_ARCHIVE = "The archive is empty: run 'policy-archive crawl' or 'policy-archive import' to fill it."
NO_INDEX = ("The archive has no search index yet: run 'policy-archive crawl' or 'policy-archive import' "
            "(statements become searchable as they are indexed).")

class ArchiveUnavailable(Exception):
    """No store or no index to read: the message tells the reader which command fills the archive."""



class _Generation:
    """A Searcher and how many requests are using it."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.users = 0
        self.retired = False
        # Whoosh reads through file objects that its searcher shares: one search at a time on each
        # searcher; it searches in pure Python under the GIL, so serializing them costs little
        self.lock = threading.Lock()


class Backend:
    """The app's one Store and the Searcher of the index's latest state, opened on first use so the server
    can start before a crawl.

    A crawl in another process commits to the index, and a reindex makes a new index live: every
    `refresh_seconds` a request looks whether the index changed, and if so opens a new Searcher beside the
    one in use and publishes it whole (searcher and caches). A request keeps the searcher it started with
    to its end; a replaced one is closed when its last request is done. If the new one cannot be opened,
    requests go on with the old one and the next check tries again. The store has its own lock, so
    statement pages never wait behind a slow search.
    """

    def __init__(self, root: Path, refresh_seconds: float, store: str | None = None):
        self.datadir = DataDir(Path(root), store)
        self.refresh_seconds = refresh_seconds
        self._store_lock = threading.Lock()
        self._store: Store | None = None
        self.follower: Follower | None = None
        # guards which generation is current and the counts of users
        self._lock = threading.Lock()
        # one request at a time opens a new searcher; the others search the current one meanwhile
        self._opening = threading.Lock()
        self._current: _Generation | None = None
        self._checked = 0.0
        self._facets: dict[str, list[str]] | None = None
        self._facets_at = 0.0

    def _require_db(self):
        if self.datadir.embedded and not self.datadir.db_path.is_file():
            log.warning("no archive database at %s", self.datadir.db_path)
            raise ArchiveUnavailable(EMPTY_ARCHIVE)

    def store(self) -> Store:
        with self._store_lock:
            if self._store is None:
                self._require_db()
                # a store that cannot be reached raises OperationalError: the app answers it with a 503
                self._store = Store(self.datadir.db_url)
            return self._store

    def _open_first(self):
        with self._opening:
            if self._current is not None:
                return
            self._require_db()
            try:
                searcher = Searcher(self.datadir.index_dir)
            except NoIndex:
                current_app.logger.warning("no search index in %s", self.datadir.index_dir)
                raise ArchiveUnavailable(NO_INDEX) from None
            self._checked = time.monotonic()
            self._publish(searcher)

    def _refresh(self):
        if not self._opening.acquire(blocking=False):
            return
        try:
            if time.monotonic() - self._checked < self.refresh_seconds:
                return
            try:
                fresh = Searcher(self.datadir.index_dir) if self._current.searcher.stale() else None
            except Exception as e:
                # the searcher in use still answers; the next check tries again
                current_app.logger.warning("could not open the changed search index, searching the one before: %r", e)
                fresh = None
            self._checked = time.monotonic()
            if fresh is not None:
                self._publish(fresh)
        finally:
            self._opening.release()

    def _publish(self, searcher: Searcher | None):
        with self._lock:
            old, self._current = self._current, searcher and _Generation(searcher)
            if old is not None:
                old.retired = True
            done = old is not None and old.users == 0
        if done:
            old.searcher.close()

    def lease(self) -> _Generation:
        """The current searcher, kept open for the caller until `release`: for a response that runs several
        searches (a streamed export), which must all read the same state of the index."""
        if self._current is None:
            self._open_first()
        elif time.monotonic() - self._checked >= self.refresh_seconds:
            self._refresh()
        with self._lock:
            gen = self._current
            gen.users += 1
            return gen

    def release(self, gen: _Generation):
        with self._lock:
            gen.users -= 1
            done = gen.retired and gen.users == 0
        if done:
            gen.searcher.close()

    @contextmanager
    def searching(self, held: _Generation | None = None) -> Iterator[Searcher]:
        """The current searcher (or the one `held`), for one search: it stays open until the search is done."""
        gen = held or self.lease()
        try:
            with gen.lock:
                yield gen.searcher
        finally:
            if held is None:
                self.release(gen)

    def results(self, query: SearchQuery, facets: bool | tuple[str, ...] = False,
                held: _Generation | None = None) -> Results:
        """A search run on the current searcher (or the one `held`)."""
        with self.searching(held) as searcher:
            return searcher.search(query, facets)

    def cite(self, text: str, query: SearchQuery) -> dict:
        with self.searching() as searcher:
            return cite.lookup(text, searcher, self.store(), query)

    def facets(self) -> dict[str, list[str]]:
        with self.searching() as searcher:
            now = time.monotonic()
            if self._facets is None or now - self._facets_at >= FACETS_SECONDS:
                self._facets = {"countries": searcher.countries(), "sources": searcher.sources()}
                self._facets_at = now
            return self._facets

    def start_following(self, interval: float) -> None:
        """Keep this node's index following the store's change sequence, in a thread of this process (the
        index's one writer here); searches go on reading the last commit meanwhile."""
        self.follower = Follower(self, interval)
        self.follower.start()

    def close(self):
        if self.follower is not None:
            self.follower.stop()
        self._publish(None)
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None


class Follower:
    """The thread that keeps a web node's index following the store (index/follow.py), and what it last did
    or met, for /api/health."""

    def __init__(self, backend: Backend, interval: float):
        self.backend = backend
        self.interval = interval
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="follower", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self):
        while not self._stop.is_set():
            try:
                follow(self.backend.store(), self.backend.datadir.index_dir, self.interval, self._stop,
                       on_round=self._applied, on_error=self._failed)
            except Exception as e:
                # a store unreachable as the node starts, or whatever follow() does not ride out itself: the
                # node serves what its index holds, /health says why it is behind, and it tries again
                log.warning("the index stopped following the store: %s", one_line(e),
                            exc_info=not isinstance(e, (ArchiveUnavailable, SQLAlchemyError)))
                self._failed(e)
                self._stop.wait(self.interval)

    def _applied(self, _round):
        # a round that went through: whatever failed before has passed
        self.error = None

    def _failed(self, e: Exception):
        self.error = one_line(e)


def one_line(e: Exception) -> str:
    """An error's first line, without SQLAlchemy's appended background links and SQL."""
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def backend() -> Backend:
    return current_app.extensions[EXTENSION]
