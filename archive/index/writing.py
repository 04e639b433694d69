"""Writing the Whoosh index: keeping it in step with the store, and rebuilding it.

The store is the record; the index is derived from it. Each statement row carries `indexed_hash`, set
only after the index commit that holds that text, so an interrupted run leaves work that the next
`sync_index` finishes, and never an index that claims more than the store.
"""
from __future__ import annotations

import fcntl
import math
import os
import shutil
import signal
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from sqlalchemy import bindparam, select
from whoosh import index as whoosh_index
from whoosh.codec import default_codec
from whoosh.writing import SegmentWriter

from ..store import Store
from ..store.tables import statements
from .schema import VOCABULARY, document, make_schema, vocabulary_schema

# statements per commit when adding to an index in use: each commit makes them searchable
BATCH = 500
MERGE_FANOUT = 8
# statements per commit (one segment each, not merged) when filling an index in bulk: Whoosh rewrites every
# posting when it merges segments, which took half of a rebuild when each batch of 500 was merged
SEGMENT = 10_000
# memory for a bulk writer's postings before it sorts them through temporary files: 1,024 holds a whole
# segment (peak RSS about 770 MB); with 256 the spills made a 10,000-statement segment take 20-70 % longer
LIMIT_MB = 1024
# processes writing a reindex's segments side by side: each writes whole segments from the store on its
# own (analysis and Whoosh's posting pool alike), so two use both cores of the machine it was built for;
# each holds up to LIMIT_MB of postings
WORKERS = 2
# how long a writer waits for another process's writer to finish
LOCK_SECONDS = 30.0
# A reindex builds the new index in a folder of its own (gen-*) inside the index folder and makes it live
# by replacing CURRENT, which names it, in one rename: searches never see a half-built index. The reindex
# holds BUILDING locked in its folder while it runs, so a folder other than the live one whose BUILDING
# nobody holds is a killed reindex's leftover, or the index a reindex replaced.
CURRENT = "CURRENT"
GENERATION_PREFIX = "gen-"
BUILDING = "BUILDING"


class IndexBusy(Exception):
    pass


def create_index(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(folder), vocabulary_schema(), indexname=VOCABULARY)
    return whoosh_index.create_in(str(folder), make_schema())


def live_index(index_dir: Path) -> Path:
    """The folder that holds the index searches read: the one CURRENT names, or `index_dir` itself for
    an index that was never reindexed beside it."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return index_dir
    return index_dir / name


def open_index(index_dir: Path):
    folder = live_index(index_dir)
    if whoosh_index.exists_in(str(folder)):
        return whoosh_index.open_dir(str(folder))
    return create_index(folder)


def open_vocabulary(folder: Path, readonly: bool = False):
    """The vocabulary beside the index in `folder`, or None for an index built before it (which holds its
    words in its own `words` field, if at all)."""
    if not whoosh_index.exists_in(str(folder), indexname=VOCABULARY):
        return None
    return whoosh_index.open_dir(str(folder), indexname=VOCABULARY, readonly=readonly)


@contextmanager
def _stops_held():
    """SIGINT and SIGTERM wait until the block ends (then they are raised as usual)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _writer(ix, **kwargs):
    """A writer holding the index's lock, which it gives back on commit or cancel.

    The lock is taken here rather than by whoosh, with stops held back until the writer owns it: a stop
    (watch's SIGTERM is raised as KeyboardInterrupt) between whoosh taking the lock and the caller holding
    the writer left the lock held by nobody, and the final sync in the same process waited 30 s for it and
    failed with IndexBusy, leaving statements unindexed."""
    lock = ix.lock("WRITELOCK")
    give_up = time.monotonic() + LOCK_SECONDS
    while True:
        writer = None
        try:
            with _stops_held():
                if lock.acquire():
                    try:
                        # separate segment files, not one compound file: whoosh copies a compound file into
                        # memory when a searcher opens it (400 MB at 20k statements), while separate files are
                        # read as needed
                        writer = ix.writer(_lk=False, compound=False, **kwargs)
                    except BaseException:
                        lock.release()
                        raise
                    writer.writelock = lock
        except BaseException:
            # a stop held back during the block is raised as the block ends
            if writer is not None:
                writer.cancel()
            raise
        if writer is not None:
            return writer
        if time.monotonic() >= give_up:
            raise IndexBusy("another process is writing the index; try again when it has finished")
        time.sleep(0.1)


def merge_by_tiers(writer, segments):
    """Merge policy: a tier is segments of about the same size (a power of MERGE_FANOUT docs); when one
    holds MERGE_FANOUT segments they become one.

    Whoosh's own policy merges on most commits, rewriting the small segments each time: a watch that
    commits a statement or two every round spent about a second a round merging. Merging by tiers writes
    each statement a few times in all, and a search reads a few dozen segments at most.
    """
    from whoosh.reading import SegmentReader
    tiers: dict[int, list] = {}
    for seg in segments:
        tiers.setdefault(int(math.log(max(seg.doc_count_all(), 1), MERGE_FANOUT)), []).append(seg)
    # a bulk build's large segments are never merged by a small commit: that would stall a watch's round
    # for minutes; `reindex` writes them afresh
    full = next((tiers[t] for t in sorted(tiers) if len(tiers[t]) >= MERGE_FANOUT
                 and sum(seg.doc_count_all() for seg in tiers[t]) <= SEGMENT), None)
    if full is None:
        return segments
    for seg in full:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        # add_reader copies the segment's documents and postings before it returns, deletions left out
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if all(seg is not f for f in full)]


def _bulk_codec():
    """Whoosh's codec without per-block length statistics: to write them it reads every posting's
    document length back from disk (a sixth of a rebuild). Scoring reads lengths from their own column;
    the statistics only let it skip blocks that cannot reach the top hits, and without them it
    assumes the shortest length, which over-estimates a block's best score and so never skips wrongly."""
    codec = default_codec()
    codec.length_stats = False
    return codec


def _live_writer(index_dir: Path, **kwargs):
    """The live index, its folder and a writer holding its lock. A reindex may make another folder live while
    we wait for the lock: then the writer we got is for an index no search reads any more, so look again."""
    while True:
        folder = live_index(index_dir)
        try:
            ix = open_index(index_dir) if folder == index_dir else whoosh_index.open_dir(str(folder))
            writer = _writer(ix, **kwargs)
        except (OSError, whoosh_index.EmptyIndexError):
            # the folder CURRENT named was removed after a reindex replaced it
            if live_index(index_dir) == folder:
                raise
            continue
        try:
            if live_index(index_dir) == folder:
                return ix, folder, writer
        except BaseException:
            writer.cancel()
            raise
        writer.cancel()


def _add(writer, vocabulary: dict[str, int] | None, schema, rows: list[dict], replace: bool) -> list[tuple[str, str]]:
    """Add stored statements to a writer (replacing older versions with `replace`); their words are counted
    into `vocabulary`. Returns the (id, content hash) pairs added."""
    known = set(schema.names())
    add = writer.update_document if replace else writer.add_document
    pairs = []
    for st in rows:
        doc = document(st, schema)
        if vocabulary is not None:
            for word, n in doc["words"].items():
                vocabulary[word] = vocabulary.get(word, 0) + n
        # an index built before a field was added keeps taking statements (without it) until a reindex
        add(**{k: v for k, v in doc.items() if k in known or k.startswith("_stored_")})
        pairs.append((st["id"], st["content_hash"]))
    return pairs


@contextmanager
def _writing(writer):
    """The block that fills and commits a writer; if it fails before the commit is done, the writer is
    cancelled: whoosh holds an abandoned writer's lock until it is collected, and a Ctrl-C is followed by
    a final sync in the same process, which would wait for that lock in vain."""
    try:
        yield writer
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise


def _commit_vocabulary(folder: Path, words: dict[str, int] | None) -> None:
    vocabulary = open_vocabulary(folder)
    if vocabulary is not None and words:
        with _writing(_writer(vocabulary)) as vw:
            vw.add_document(words=words)
            vw.commit(mergetype=merge_by_tiers)


def sync_index(store: Store, index_dir: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Index every stored statement whose current text the live index does not hold yet; return how many.

    Many statements at once (SEGMENT and more) are written in large segments that are not merged; a few
    are written in batches merged into the index by tiers.
    """
    clear_leftovers(index_dir)
    ids = store.unindexed_ids()
    if not ids:
        return 0
    bulk = len(ids) >= SEGMENT
    step = SEGMENT if bulk else BATCH
    done = 0
    for start in range(0, len(ids), step):
        _, indexed = write_statements(store, index_dir, ids[start:start + step], bulk=bulk,
                                      progress=progress and (lambda n: progress(done + n, len(ids))))
        store.mark_indexed(indexed)
        done += len(indexed)
        if progress:
            progress(done, len(ids))
    return done


def write_statements(store: Store, index_dir: Path, ids: list[str], bulk: bool = False,
                     progress: Callable[[int], None] | None = None) -> tuple[Path, list[tuple[str, str]]]:
    """Index the statements `ids` as the store holds them now, replacing their documents, and take out the
    documents of those it no longer holds, in one commit to the live index.

    `bulk` writes one large segment, not merged (for SEGMENT statements or so); otherwise the commit merges
    by tiers. `progress(n)` hears how many are written after each batch of BATCH but the last. Returns the
    folder committed to and the (id, content hash) pairs written.
    """
    ix, folder, writer = (_live_writer(index_dir, limitmb=LIMIT_MB, codec=_bulk_codec()) if bulk
                          else _live_writer(index_dir))
    indexed: list[tuple[str, str]] = []
    with _writing(writer):
        # an index built before the vocabulary holds its words itself
        words = {} if open_vocabulary(folder) is not None else None
        for first in range(0, len(ids), BATCH):
            part = ids[first:first + BATCH]
            rows = store.get_many(part)
            held = {st["id"] for st in rows}
            for sid in part:
                if sid not in held:
                    writer.delete_by_term("id", sid)
            indexed += _add(writer, words, ix.schema, rows, replace=True)
            if progress and first + BATCH < len(ids):
                progress(len(indexed))
        # under the index's lock, so that a reindex never makes another folder live in between
        _commit_vocabulary(folder, words)
        if bulk:
            writer.commit(merge=False)
        else:
            writer.commit(mergetype=merge_by_tiers)
    return folder, indexed


def _fingerprints(store: Store) -> dict[str, tuple]:
    """Each statement's id → its text hash and when it was last saved (a save may change what is indexed
    without changing the text: a corrected speaker or date)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(statements.c.id, statements.c.content_hash, statements.c.fetched_at))
        return {sid: (chash, fetched) for sid, chash, fetched in rows}


def _lock_building(folder: Path):
    """Hold BUILDING in `folder` locked until the returned file is closed (or the process dies)."""
    f = open(folder / BUILDING, "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def _abandoned(folder: Path) -> bool:
    try:
        with open(folder / BUILDING, "r+") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except FileNotFoundError:
        # a replaced index, or a reindex killed before it took the lock; or one starting this very moment
        return time.time() - folder.stat().st_mtime > 60
    except BlockingIOError:
        return False


def clear_leftovers(index_dir: Path) -> None:
    """Remove what a killed reindex left behind, and the index a reindex replaced, in case its files
    outlived it (a reader elsewhere still had them open when it tried)."""
    if not index_dir.is_dir():
        return
    live = live_index(index_dir)
    for child in index_dir.iterdir():
        if child == live or child.name.startswith(CURRENT):
            continue
        if child.is_dir():
            if child.name.startswith(GENERATION_PREFIX) and _abandoned(child):
                shutil.rmtree(child, ignore_errors=True)
        elif live != index_dir:
            # the files of an index that lived in the index folder itself, before a reindex replaced it
            child.unlink(missing_ok=True)


def rebuild_index(store: Store, index_dir: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Index the whole store again, beside the live index, and make the new index live when it is complete.

    Searches read the old index until then, and a reindex stopped at any moment leaves it live and the store
    as it was. Statements saved while the reindex runs are indexed into the new index before it goes live.
    Returns how many statements the new index holds.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    clear_leftovers(index_dir)
    # not mkdtemp: its folder is private to this user, and `serve` may run as another
    folder = index_dir / f"{GENERATION_PREFIX}{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    building = _lock_building(folder)
    try:
        ix = create_index(folder)
        snapshot = _fingerprints(store)
        ids = sorted(snapshot)
        parts = [ids[start:start + SEGMENT] for start in range(0, len(ids), SEGMENT)]
        words: dict[str, int] = {}
        segments = []
        for segment, counted in _segments(ix, store, parts):
            segments.append(segment)
            for word, n in counted.items():
                words[word] = words.get(word, 0) + n
            if progress:
                progress(sum(seg.doc_count_all() for seg in segments), len(ids))
        with _writing(_writer(ix)) as writer:
            writer.commit(mergetype=lambda _, existing: existing + segments)
        _commit_vocabulary(folder, words)
        return _go_live(store, index_dir, folder, ix, snapshot)
    finally:
        building.close()


def _segments(ix, store: Store, parts: list[list[str]]):
    """(segment, words counted) of each part in order, written by up to WORKERS processes; a single part
    is written here, where starting a process would cost more than it saves."""
    if len(parts) < 2:
        for part in parts:
            yield _write_segment(ix, store, part)
        return
    url = store.engine.url.render_as_string(hide_password=False)
    # spawned, not forked: a fork would share the parent's open database connections
    with ProcessPoolExecutor(min(WORKERS, len(parts)), mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_segment_in_worker, ix.storage.folder, url, part) for part in parts]
        try:
            for future in futures:
                yield future.result()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _segment_in_worker(folder: str, url: str, ids: list[str]):
    store = Store(url)
    try:
        return _write_segment(whoosh_index.open_dir(folder), store, ids)
    finally:
        store.close()


def _write_segment(ix, store: Store, ids: list[str]):
    """One segment of these statements written into `ix`'s folder but not into its table of contents
    (the caller commits it), and the words counted in them."""
    writer = SegmentWriter(ix, _lk=False, limitmb=LIMIT_MB, codec=_bulk_codec(), compound=False)
    words: dict[str, int] = {}
    for first in range(0, len(ids), BATCH):
        _add(writer, words, ix.schema, store.get_many(ids[first:first + BATCH]), replace=False)
    return writer._finalize_segment(), words


def _go_live(store: Store, index_dir: Path, folder: Path, ix, snapshot: dict[str, tuple]) -> int:
    """Catch the new index up with the store, point CURRENT at it and record in the store what it holds.

    The old index's lock is held throughout, so that no crawl commits to it (and marks statements indexed)
    while the live index changes under it.
    """
    old = live_index(index_dir)
    old_writer = _writer(whoosh_index.open_dir(str(old))) if whoosh_index.exists_in(str(old)) else None
    try:
        now = _fingerprints(store)
        stale = [sid for sid, mark in now.items() if snapshot.get(sid) != mark]
        gone = [sid for sid in snapshot if sid not in now]
        if stale or gone:
            words: dict[str, int] = {}
            with _writing(_writer(ix)) as writer:
                for sid in gone:
                    writer.delete_by_term("id", sid)
                for first in range(0, len(stale), BATCH):
                    _add(writer, words, ix.schema, store.get_many(stale[first:first + BATCH]), replace=True)
                _commit_vocabulary(folder, words)
                writer.commit(mergetype=merge_by_tiers)
        (folder / BUILDING).unlink()
        pointer = index_dir / f"{CURRENT}.{os.getpid()}"
        with open(pointer, "w", encoding="utf-8") as f:
            f.write(folder.name + "\n")
            f.flush()
            # on disk before the rename, so that a crash cannot leave CURRENT empty
            os.fsync(f.fileno())
        os.replace(pointer, index_dir / CURRENT)
        # a stop from here on leaves the store saying less than the new index holds, which the next sync
        # finishes harmlessly; one transaction makes it exact
        with store.engine.begin() as conn:
            conn.execute(statements.update().values(indexed_hash=None))
            if now:
                conn.execute(statements.update().where(statements.c.id == bindparam("sid"))
                             .values(indexed_hash=bindparam("chash")),
                             [{"sid": sid, "chash": chash} for sid, (chash, _) in now.items()])
    finally:
        if old_writer is not None:
            old_writer.cancel()
    if old != index_dir:
        shutil.rmtree(old, ignore_errors=True)
    clear_leftovers(index_dir)
    return len(now)
