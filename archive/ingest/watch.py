"""Watching: one crawl of every chosen source per round, round after round, until stopped or N rounds; or,
with a shared PostgreSQL store, a round scheduled into the crawler workers' queue (`watch_queue`).

A round adds nothing of its own to the crawl's safety: each crawl stores what it read as it goes, and a
stopped watch is one stopped crawl, which the next round (or the next watch) resumes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from ..model import utcnow
from ..sources.base import Source
from ..store import Store
from ..store.queue import WorkQueue
from .crawl import Crawler
from .reports import COLUMNS, SourceReport
from .worker import Scheduled, schedule


@dataclass
class Round:
    number: int
    started: datetime
    seconds: float
    reports: list[SourceReport]
    interrupted: bool = False

    def count(self, column: str) -> int:
        return sum(getattr(r, column) for r in self.reports)

    def to_json(self) -> dict:
        return {"round": self.number, "started": self.started.isoformat(), "seconds": round(self.seconds, 3),
                "interrupted": self.interrupted, "sources": [r.to_json() for r in self.reports]}

    def line(self) -> str:
        counts = " ".join(f"{c.replace('_', '-')}={self.count(c)}" for c in COLUMNS)
        bad = [f"{r.source}: {r.status}" for r in self.reports if r.status != "ok"]
        return (f"round {self.number} {self.started:%Y-%m-%d %H:%M:%S}Z {self.seconds:.1f}s {counts}"
                + (f" ({'; '.join(bad)})" if bad else "") + (" interrupted" if self.interrupted else ""))


@dataclass
class Totals:
    """Counts summed over rounds, per source, for the summary at the end."""
    rounds: int = 0
    seconds: float = 0.0
    by_source: dict[str, SourceReport] = field(default_factory=dict)
    last_reports: list[SourceReport] = field(default_factory=list)

    def add(self, done: Round):
        self.rounds += not done.interrupted
        self.seconds += done.seconds
        for r in done.reports:
            total = self.by_source.setdefault(r.source, SourceReport(r.source))
            for c in COLUMNS:
                setattr(total, c, getattr(total, c) + getattr(r, c))
            # the summary's status, messages and what is owed are the latest round's: how the source is now
            total.status, total.messages = r.status, r.messages
            total.owed, total.given_up = r.owed, r.given_up
        self.last_reports = done.reports

    def reports(self) -> list[SourceReport]:
        return list(self.by_source.values())

    def to_json(self) -> dict:
        return {"rounds": self.rounds, "seconds": round(self.seconds, 3),
                "sources": [r.to_json() for r in self.by_source.values()]}


def watch(crawler: Crawler, sources: Sequence[Source], *, interval: float, rounds: int | None, recheck: int,
          on_round: Callable[[Round], None]) -> int:
    """Run rounds `interval` seconds apart (start to start); the number of rounds completed."""
    number = 0
    while rounds is None or number < rounds:
        number += 1
        started, clock = utcnow(), time.monotonic()
        reports = []
        try:
            for src in sources:
                reports.append(crawler.crawl(src, recheck=recheck))
        except KeyboardInterrupt:
            # the cut-short round is reported too: what it stored is in the archive
            cut = [crawler.current] if crawler.current and all(crawler.current is not r for r in reports) else []
            on_round(Round(number, started, time.monotonic() - clock, reports + cut, interrupted=True))
            raise
        elapsed = time.monotonic() - clock
        on_round(Round(number, started, elapsed, reports))
        if rounds is None or number < rounds:
            time.sleep(max(0.0, interval - elapsed))
    return number


@dataclass
class ScheduledRound:
    """A round of a watch over a shared store: what it put into the workers' queue, and the queue after."""
    number: int
    started: datetime
    scheduled: Scheduled
    queue: dict[str, int]

    def to_json(self) -> dict:
        return {"round": self.number, "started": self.started.isoformat(), "scheduled": self.scheduled.to_json(),
                "queue": self.queue}

    def line(self) -> str:
        added = " ".join(f"{k}={v}" for k, v in self.scheduled.to_json().items())
        held = " ".join(f"{k}={v}" for k, v in sorted(self.queue.items()))
        return f"round {self.number} {self.started:%Y-%m-%d %H:%M:%S}Z scheduled {added}; queue {held or 'empty'}"


def watch_queue(store: Store, queue: WorkQueue, sources: Sequence[Source], *, since: datetime | None,
                max_pages: int | None, interval: float, rounds: int | None, recheck: int,
                on_round: Callable[[ScheduledRound], None]) -> int:
    """With a shared (PostgreSQL) store the workers crawl: each round only schedules the sources into their
    queue (worker.schedule), `interval` seconds apart; the number of rounds scheduled."""
    number = 0
    while rounds is None or number < rounds:
        number += 1
        started, clock = utcnow(), time.monotonic()
        added = schedule(store, queue, sources, since=since, max_pages=max_pages, recheck=recheck)
        on_round(ScheduledRound(number, started, added, queue.counts()))
        if rounds is None or number < rounds:
            time.sleep(max(0.0, interval - (time.monotonic() - clock)))
    return number
