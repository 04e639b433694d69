"""A crawler worker: takes items from the shared queue (store/queue.py) one at a time, fetches each through the
polite fetcher, reads it with its source and stores it as a crawl does, page by page (crawl.Crawler's steps).

A listing page read whole is remembered and makes its articles owed in one transaction (as in a crawl), and
then its owed articles and its next pages are enqueued; only then is the item done. A worker killed anywhere
in between loses nothing: the item's lease runs out, another worker takes it, and reading the page again
changes nothing (a 304 gives the remembered links, and enqueueing an item already pending adds nothing). A
statement is stored once: statements are keyed by id and a page read again only confirms it.

`schedule` puts a round of the sources into the queue: their start pages, what they owe, and known articles
to recheck. That is what `watch` does with a PostgreSQL store instead of crawling itself.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from ..fetch.client import Fetcher
from ..model import utcnow
from ..sources import SOURCES
from ..sources.base import Link, Source
from ..store import Store
from ..store.queue import WorkQueue
from .crawl import DEFAULT_WINDOW, LISTING_TRIES, CrawlOptions, Crawler, Miss
from .reports import SourceReport

# a worker tries an item as often as a crawl tries a listing page within one run; after that the item is left
# failed, and what the store owes of it is scheduled again by the next round
TRIES = LISTING_TRIES


@dataclass
class WorkerOptions:
    worker_id: str
    lease: float = 60.0      # seconds an item stays claimed without a renewal (renewed every third of that)
    offline: bool = False    # fetch only through mirrors
    idle_poll: float = 1.0   # seconds between looks at an empty queue


@dataclass
class WorkerTotals:
    """What one worker did: items by outcome, and counts per source as a crawl reports them."""
    done: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0            # items whose lease ran out while this worker held them (another may take them)
    started: float = field(default_factory=time.monotonic)
    reports: dict[str, SourceReport] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def report(self, source: str) -> SourceReport:
        return self.reports.setdefault(source, SourceReport(source))

    def settle(self) -> None:
        """Each source's status from its counts, as a crawl's is at its end."""
        for r in self.reports.values():
            r.settle()

    def to_json(self) -> dict:
        return {"items": {"done": self.done, "retried": self.retried, "failed": self.failed, "lost": self.lost},
                "seconds": round(self.seconds, 3), "sources": [r.to_json() for r in self.reports.values()]}


class Worker:
    def __init__(self, store: Store, queue: WorkQueue, fetcher: Fetcher, options: WorkerOptions,
                 on_item: Callable[[dict, WorkerTotals], None] | None = None, sleep=time.sleep):
        self.store, self.queue, self.fetcher, self.options = store, queue, fetcher, options
        self.on_item = on_item or (lambda item, totals: None)
        self.sleep = sleep
        self.totals = WorkerTotals()

    def run(self, *, until: str = "stopped") -> WorkerTotals:
        """Take items until stopped (KeyboardInterrupt), or with `until="due"` until none is due now, or with
        `until="idle"` until no item is open anywhere (other workers' claims may still add items)."""
        while True:
            item = self.queue.claim(self.options.worker_id, self.options.lease)
            if item is not None:
                self.work(item)
                continue
            if until == "due" or (until == "idle" and self.queue.open_count() == 0):
                return self.totals
            wait = self.queue.next_due_in()
            self.sleep(min(self.options.idle_poll, max(wait if wait is not None else self.options.idle_poll, 0.01)))

    def work(self, item: dict) -> None:
        """Read one claimed item, keeping its lease alive meanwhile, and mark it done, due again or failed."""
        holder = self.options.worker_id
        source = SOURCES.get(item["source"])
        report = self.totals.report(item["source"])
        stop = threading.Event()
        keeper = threading.Thread(target=self._keep, args=(item["id"], stop), daemon=True)
        keeper.start()
        try:
            if source is None:
                outcome = Miss(f"unknown source {item['source']!r}")
            else:
                outcome = self._read(source, item, report)
        except KeyboardInterrupt:
            self.queue.release(item["id"], holder)
            raise
        except Exception as e:  # noqa: BLE001 - one item's failure (a database hiccup, a race) is the item's
            outcome = Miss(f"{item['url']}: {type(e).__name__}: {(str(e).splitlines() or [''])[0]}", passing=True)
        finally:
            stop.set()
            keeper.join()
        tries = item["attempts"] + 1
        if outcome is None:
            kept = self.queue.done(item["id"], holder)
            self.totals.done += kept
        elif outcome.passing and tries < TRIES:
            kept = self.queue.retry(item["id"], holder, outcome.reason, min(1.0, self.fetcher.delay) * 2 ** tries)
            self.totals.retried += kept
        else:
            kept = self.queue.fail(item["id"], holder, outcome.reason)
            self.totals.failed += kept
        self.totals.lost += not kept
        self.on_item(item, self.totals)

    def _keep(self, item_id: int, stop: threading.Event):
        while not stop.wait(self.options.lease / 3):
            if not self.queue.renew(item_id, self.options.worker_id, self.options.lease):
                return

    def _read(self, source: Source, item: dict, report: SourceReport) -> Miss | None:
        since = datetime.fromisoformat(item["since"]) if item["since"] else None
        crawler = Crawler(self.store, None, self.fetcher,
                          CrawlOptions(since=since, max_pages=item["max_pages"], offline=self.options.offline))
        if item["kind"] == "listing":
            return self._listing(crawler, source, item, since or utcnow() - DEFAULT_WINDOW, report)
        date = datetime.fromisoformat(item["date"]) if item["date"] else None
        if item["kind"] == "recheck":
            report.rechecked += 1
        return crawler.read_article(source, Link(item["url"], item["title"] or "", date), report,
                                    conditional=item["kind"] == "recheck")

    def _listing(self, crawler: Crawler, source: Source, item: dict, window: datetime,
                 report: SourceReport) -> Miss | None:
        url, depth, tries = item["url"], item["depth"], item["attempts"] + 1
        window = crawler.listing_window(url, window)
        got = crawler.read_listing(source, url, window, report)
        if isinstance(got, Miss):
            if not (got.passing and tries < TRIES):
                crawler.listing_failed(source, url, depth, window, got, tries, report)
            return got
        articles, more = crawler.follow(source, *got, window, report)
        if item["max_pages"] is not None and depth + 1 >= item["max_pages"]:
            more = []
        self.queue.enqueue(
            [article_item(source.id, ln) for ln in articles]
            + [listing_item(source.id, page, depth + 1, item["since"], item["max_pages"]) for page in more])
        return None


def listing_item(source: str, url: str, depth: int, since: str | None, max_pages: int | None) -> dict:
    return {"source": source, "url": url, "kind": "listing", "depth": depth, "since": since,
            "max_pages": max_pages}


def article_item(source: str, link: Link, kind: str = "article") -> dict:
    return {"source": source, "url": link.url, "kind": kind, "title": link.title or None,
            "date": link.date.isoformat() if link.date else None}


@dataclass
class Scheduled:
    """What one round put into the queue, by kind (items already pending are not counted again)."""
    listings: int = 0
    articles: int = 0
    rechecks: int = 0

    def to_json(self) -> dict:
        return {"listings": self.listings, "articles": self.articles, "rechecks": self.rechecks}


def schedule(store: Store, queue: WorkQueue, sources: Sequence[Source], *, since: datetime | None,
             max_pages: int | None, recheck: int) -> Scheduled:
    """One round of `sources` into the queue: each source's start pages, what it owes and is due (listing
    pages with the window and depth that wanted them, articles), and up to `recheck` of its known articles
    read longest ago."""
    out = Scheduled()
    now = utcnow()
    since_text = since.isoformat() if since else None
    for src in sources:
        owed = store.owed_due(src.id, now)
        out.listings += queue.enqueue(
            [listing_item(src.id, url, 0, since_text, max_pages) for url in src.start_urls]
            # an owed listing page keeps the wider window that wanted it: the worker reads it from the store
            + [listing_item(src.id, row["url"], row["depth"], since_text, max_pages)
               for row in owed if row["kind"] == "listing"])
        out.articles += queue.enqueue(
            [article_item(src.id, Link(row["url"], row["title"] or "",
                                       datetime.fromisoformat(row["date"]) if row["date"] else None))
             for row in owed if row["kind"] == "article"])
        out.rechecks += queue.enqueue([article_item(src.id, Link(url), "recheck")
                                       for url in (store.recheck_urls(src.id, recheck, now) if recheck else ())])
    return out
