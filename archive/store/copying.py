"""Copying a whole store into another database (the embedded SQLite file into PostgreSQL): every table, rows
and ids as they are, in batches, and a check at the end that both sides hold the same.

A copy stopped midway is taken up again with `resume`: rows already there (by primary key) are left as they
are, the others are copied. Autoincrement counters (PostgreSQL's sequences) are moved past the copied ids, so
the next capture recorded in the target gets a new one.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import DateTime, Table, func, select, tuple_

from .conflicts import copy_missing
from .tables import aware, metadata, revisions, statements

BATCH = 2000

# (table, rows copied so far, rows in that table of the source)
Progress = Callable[[str, int, int], None]


class TargetNotEmpty(Exception):
    pass


@dataclass
class CopyReport:
    # table → (rows in the source, rows in the target) once the copy is done
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    copied: dict[str, int] = field(default_factory=dict)
    source_checksum: str = ""
    target_checksum: str = ""

    @property
    def matches(self) -> bool:
        return (all(a == b for a, b in self.counts.values()) and self.source_checksum == self.target_checksum)

    def to_json(self) -> dict:
        return {"tables": {t: {"source": a, "target": b, "copied": self.copied.get(t, 0)}
                           for t, (a, b) in self.counts.items()},
                "checksum": {"source": self.source_checksum, "target": self.target_checksum},
                "matches": self.matches}


def copy_store(source, target, *, resume: bool = False, progress: Progress | None = None,
               batch: int = BATCH) -> CopyReport:
    """Copy every row of `source` (a Store) into `target` (a Store, set up at the same schema)."""
    # not store_meta: the target's own set-up wrote it, at the versions of this program, as the source's did
    tables = [t for t in metadata.sorted_tables if t.name != "store_meta"]
    if not resume:
        held = {t.name: n for t in tables if (n := _count(target.engine, t))}
        if held:
            rows = ", ".join(f"{t}: {n:,} row{'s' if n != 1 else ''}" for t, n in held.items())
            raise TargetNotEmpty(f"the target store is not empty ({rows}): copy into an empty database, or "
                                 f"--resume a copy that was stopped")
    report = CopyReport()
    for table in tables:
        report.copied[table.name] = _copy_table(source.engine, target.engine, table, progress, batch)
        _advance_sequence(target.engine, table)
    for table in tables:
        report.counts[table.name] = (_count(source.engine, table), _count(target.engine, table))
    report.source_checksum = texts_checksum(source.engine, batch)
    report.target_checksum = texts_checksum(target.engine, batch)
    return report


def _count(engine, table: Table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _batches(engine, columns: list, key: list, batch: int):
    """The rows of `columns` in `key` order, `batch` at a time; each query starts after the last key seen, so
    every batch costs the same at any size."""
    last = None
    while True:
        query = select(*columns).order_by(*key).limit(batch)
        if last is not None:
            query = query.where(tuple_(*key) > tuple_(*last))
        with engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        if not rows:
            return
        yield rows
        last = [rows[-1][c.name] for c in key]


def _copy_table(source, target, table: Table, progress: Progress | None, batch: int) -> int:
    key = list(table.primary_key.columns)
    times = [c.name for c in table.columns if isinstance(c.type, DateTime)]
    total, done, before = _count(source, table), 0, _count(target, table)
    for rows in _batches(source, list(table.columns), key, batch):
        # SQLite hands back naive datetimes, all UTC
        rows = [{**r, **{k: aware(r[k]) for k in times}} for r in rows]
        with target.begin() as conn:
            copy_missing(conn, table, rows)
        done += len(rows)
        if progress:
            progress(table.name, done, total)
    # nothing else writes to the target meanwhile: what it gained is what was copied
    return _count(target, table) - before


def _advance_sequence(engine, table: Table):
    column = table.autoincrement_column
    if engine.dialect.name != "postgresql" or column is None:
        return
    with engine.begin() as conn:
        # is_called false: the next id given is exactly this one (max + 1, or 1 for an empty table)
        conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, column.name),
                                        func.coalesce(func.max(column), 0) + 1, False)))


def texts_checksum(engine, batch: int = BATCH) -> str:
    """SHA-256 over every statement's and every revision's id, title and paragraphs, in id order: equal on
    two stores that hold the same texts, whatever the engine."""
    digest = hashlib.sha256()
    for table, key in ((statements, [statements.c.id]), (revisions, [revisions.c.statement_id, revisions.c.seq])):
        for rows in _batches(engine, [*key, table.c.title, table.c.paragraphs], key, batch):
            for r in rows:
                digest.update(repr(([r[c.name] for c in key], r["title"], r["paragraphs"])).encode("utf-8"))
    return digest.hexdigest()
