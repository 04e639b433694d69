"""The crawl: walk each source's listings and feeds, fetch what is new, parse it, store it, index it.

Nothing seen is lost. A listing read whole is remembered (its links, its next pages) together with its
validators, and every article it links that is not stored yet becomes *owed*, in one transaction, before
any of them is fetched. An owed article stays owed until it is stored: through failures (tried again with
backoff, see `retry`), a killed process, and listings that answer 304 from then on. A 304 means "the same
links as remembered", so a crawl reaching further back than the last one walks on from the memory. A
listing page that fails is tried again within the run, and owed to later crawls after that. Refetching is
harmless: statements are keyed by id and the store's content hashes tell an unchanged page.

A crawl may also re-read articles it already holds (`recheck`), the longest unchecked first: that is how
an edit of a page becomes a revision and a page taken down (404, 410) marks its statement withdrawn.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from ..fetch.client import GONE, Fetcher, FetchError
from ..index.writing import sync_index
from ..model import utcnow
from ..sources.base import ExtractError, Link, Page, Source
from ..store import Store
from .pipeline import Pipeline
from .reports import SourceReport
from .retry import gives_up, next_try

DEFAULT_WINDOW = timedelta(days=30)
# tries of a listing page within one crawl, the later ones after a pause of 2, then 4 seconds (less with a
# --delay below 1)
LISTING_TRIES = 3


@dataclass
class Miss:
    """A page that could not be read this time: why, and the status when the server answered at all."""
    reason: str
    status: int | None = None
    passing: bool = False   # no usable answer came (network, server errors): a retry soon may succeed
    challenged: bool = False  # counted as such, not as an error


@dataclass
class CrawlOptions:
    since: datetime | None = None   # None: the last 30 days of listings; feed items are always taken
    max_pages: int | None = None    # pages of each listing (a source may have several)
    offline: bool = False           # fetch only through mirrors: a safety net for tests and local mirrors


class Crawler:
    def __init__(self, store: Store, index_dir: Path, fetcher: Fetcher, options: CrawlOptions,
                 on_progress: Callable[[SourceReport], None] | None = None):
        self.store = store
        self.pipeline = Pipeline(store)
        self.index_dir = index_dir
        self.fetcher = fetcher
        self.options = options
        self.on_progress = on_progress or (lambda report: None)
        # pages this crawl has tried: an owed page is tried once a crawl, however it is reached
        self._tried: set[str] = set()
        # the report of the crawl under way, which a stop cuts short before it is returned
        self.current: SourceReport | None = None

    def crawl(self, source: Source, recheck: int = 0) -> SourceReport:
        """Walk the source's listings and what it owes; then fetch up to `recheck` of its known articles again."""
        report = self.current = SourceReport(source.id)
        # to the microsecond, as fetches are recorded: a crawl a second ago is not this one
        started = datetime.now(timezone.utc)
        self._tried = set()
        try:
            self._walk(source, report)
            self._pay(source, report)
            self._recheck(source, report, recheck, before=started)
        except KeyboardInterrupt:
            report.status = "interrupted"
            raise
        finally:
            sync_index(self.store, self.index_dir)
            report.owed, report.given_up = self.store.owed_counts(source.id)
            report.settle()
            self.on_progress(report)
        return report

    def _walk(self, source: Source, report: SourceReport, queue: deque | None = None):
        """Walk listing pages from `queue` (url, place in its series, window), the start pages by default."""
        since = self.options.since or (utcnow() - DEFAULT_WINDOW)
        queue = queue if queue is not None else deque((url, 0, since) for url in source.start_urls)
        tries: dict[str, int] = {}
        while queue:
            url, depth, window = queue.popleft()
            if (url in self._tried and url not in tries) or \
                    (self.options.max_pages is not None and depth >= self.options.max_pages):
                continue
            self._tried.add(url)
            window = self.listing_window(url, window)
            if tries.get(url):
                # a retry comes after the rest of the queue, and after a pause that grows with each try (scaled
                # as the fetcher's own: a host asking for no delay gets none)
                self.fetcher.sleep(self.listing_pause(tries[url]))
            got = self.read_listing(source, url, window, report)
            if isinstance(got, Miss):
                tries[url] = tries.get(url, 0) + 1
                # a network or server error may pass within seconds; a 404 or a page that does not parse won't
                if got.passing and tries[url] < LISTING_TRIES:
                    queue.append((url, depth, window))
                    continue
                self.listing_failed(source, url, depth, window, got, tries[url], report)
                continue
            tries.pop(url, None)
            articles, more = self.follow(source, *got, window, report)
            for link in articles:
                self.read_article(source, link, report)
                self.on_progress(report)
            queue.extend((page, depth + 1, window) for page in more)
            sync_index(self.store, self.index_dir)
            self.on_progress(report)

    # one page at a time, as the walk above takes them and as crawler workers do (ingest/worker.py) ------------

    def listing_window(self, url: str, window: datetime) -> datetime:
        """The window to read a listing page with: wider when an earlier crawl wanted the page further back and
        did not get it."""
        owed = self.store.owed_entry(url)
        if owed and owed["kind"] == "listing":
            return min(window, datetime.fromisoformat(owed["since"]))
        return window

    def listing_pause(self, tries: int) -> float:
        """Seconds before another try of a listing page that failed `tries` times, scaled as the fetcher's own
        pauses."""
        return min(1.0, self.fetcher.delay) * 2 ** tries

    def listing_failed(self, source: Source, url: str, depth: int, window: datetime, miss: Miss, tries: int,
                       report: SourceReport):
        """A listing page that will not be tried again in this run: reported, and owed to later ones."""
        report.error(miss.reason + (f" ({tries} tries)" if tries > 1 else ""))
        if url not in source.start_urls:  # start pages are walked by every crawl anyway
            self.store.owe_listing(url, source.id, depth=depth, since=window.isoformat(), at=utcnow())
            self.failed(url, miss, report)

    def follow(self, source: Source, links: list[Link], next_pages: list[str], window: datetime,
               report: SourceReport) -> tuple[list[Link], list[str]]:
        """Where a listing page read leads: its articles owed and due now (not stored, not tried by this
        crawler), and its next pages when the whole page is within the window (listings run newest first:
        once a page reaches back past the window, older pages cannot help)."""
        fresh = self._wanted(links, window)
        due = {row["url"] for row in self.store.owed_due(source.id, utcnow())}
        articles, picked = [], set()
        for ln in fresh:
            if ln.url in due and ln.url not in self._tried and ln.url not in picked:
                picked.add(ln.url)
                articles.append(ln)
        # stored already, or owed and not due yet
        report.skipped += len(links) - len(articles)
        return articles, (next_pages if links and len(fresh) == len(links) else [])

    def _pay(self, source: Source, report: SourceReport):
        """Try what the source owes and this crawl's walk did not reach: listing pages, then articles."""
        since = self.options.since or (utcnow() - DEFAULT_WINDOW)
        due = [row for row in self.store.owed_due(source.id, utcnow()) if row["url"] not in self._tried]
        listings = deque((row["url"], row["depth"], min(since, datetime.fromisoformat(row["since"])))
                         for row in due if row["kind"] == "listing")
        if listings:
            self._walk(source, report, listings)
        for row in self.store.owed_due(source.id, utcnow()):
            if row["kind"] == "article" and row["url"] not in self._tried:
                date = datetime.fromisoformat(row["date"]) if row["date"] else None
                self.read_article(source, Link(row["url"], row["title"] or "", date), report)
                self.on_progress(report)

    def _recheck(self, source: Source, report: SourceReport, limit: int, before: datetime):
        # what this crawl has just read is not read again; crawl() indexes what changed as it ends
        for url in self.store.recheck_urls(source.id, limit, before) if limit else ():
            report.rechecked += 1
            self.read_article(source, Link(url), report, conditional=True)
            self.on_progress(report)

    def _fetch(self, source: Source, url: str, report: SourceReport, conditional: bool):
        """(response, page) for a 200; None when the answer leaves nothing to read (304, a held page taken
        down); a Miss otherwise."""
        state = self.store.crawl_state(url) if conditional else None
        if self.options.offline and self.fetcher.mirrors.to_fetch(url) == url:
            return Miss(f"{url}: not fetched: no --mirror covers it and --offline is set")
        try:
            res = self.fetcher.get(url, allowed_hosts=set(source.hosts),
                                   etag=state and state["etag"], last_modified=state and state["last_modified"])
        except FetchError as e:
            return Miss(f"{url}: {e}", passing=True)
        if res.status == 304:
            report.not_modified += 1
            self.store.set_crawl_state(url, source.id, status=304, fetched_at=res.fetched_at)
            return None
        if res.status in GONE and state and state["content_hash"]:
            # an article we hold was taken down: it stays in the archive, labelled, and is checked again later
            self.pipeline.withdraw(url, source.id, res.status, res.fetched_at, report)
            return None
        if res.status != 200:
            self.store.set_crawl_state(url, source.id, status=res.status, fetched_at=res.fetched_at)
            return Miss(f"{url}: HTTP {res.status}", res.status)
        report.fetched += 1
        return res, Page(url=url, text=res.text, fetched_at=res.fetched_at, content_type=res.content_type or "")

    def _read(self, source: Source, url: str, report: SourceReport, *, listing: bool, conditional: bool):
        """Fetch and parse one page: (what the source read, the response), None or a Miss as `_fetch` says."""
        got = self._fetch(source, url, report, conditional=conditional)
        if got is None or isinstance(got, Miss):
            return got
        res, page = got
        if source.challenged(page):
            report.challenged += 1
            return Miss(f"{url}: an anti-bot challenge page came instead of the page", res.status, passing=True,
                        challenged=True)
        try:
            parsed = source.parse_listing(page) if listing else source.parse_article(page)
        except ExtractError as e:
            report.extract_errors += 1
            return Miss(f"{url}: {e}", res.status)
        if listing:
            report.parsed_listings += 1
        else:
            report.parsed_articles += 1
        self._warn(page, report)
        return parsed, res

    def read_listing(self, source: Source, url: str, window: datetime, report: SourceReport):
        """(links, next pages) of a listing page, read now or, on a 304, as remembered; or a Miss.

        The links of a page read now are remembered and those in the window not stored become owed, with
        the page's validators, in one transaction: from then on a 304 loses nothing."""
        memory = self.store.listing_memory(url)
        # validators are sent only with a memory to fall back on: a 304 without one would say nothing
        got = self._read(source, url, report, listing=True, conditional=memory is not None)
        if isinstance(got, Miss):
            return got
        if got is None:
            links = [Link(u, t, datetime.fromisoformat(d) if d else None) for u, t, d in memory["links"]]
            self._owe(source, url, links, window)
            return links, memory["next_pages"]
        listing, res = got
        report.found += len(listing.links) + len(listing.statements)
        carried = [st for st in listing.statements
                   if not (self.options.since and st.date and st.date < self.options.since)]
        report.skipped += len(listing.statements) - len(carried)
        self.pipeline.save(carried, report, res.fetched_at)
        # a feed's items left out by --since are not remembered: its validators are not either, so a later
        # crawl with a wider window reads it whole
        whole = len(carried) == len(listing.statements)
        known = self.store.known_urls(source.id)
        self.store.read_listing(
            url, source.id, links=[_remembered(ln) for ln in listing.links], next_pages=listing.next_pages,
            owe=[_remembered(ln) for ln in self._wanted(listing.links, window) if ln.url not in known],
            etag=res.etag if whole else None, last_modified=res.last_modified if whole else None,
            fetched_at=res.fetched_at)
        return listing.links, listing.next_pages

    def _owe(self, source: Source, url: str, links: list[Link], window: datetime):
        known = self.store.known_urls(source.id)
        wanted = [_remembered(ln) for ln in self._wanted(links, window) if ln.url not in known]
        if wanted:
            self.store.owe_articles(source.id, wanted, utcnow())

    @staticmethod
    def _wanted(links: list[Link], window: datetime) -> list[Link]:
        # calendar dates as the site prints them: an item dated on the window's first day is in, in any zone
        return [ln for ln in links if not (ln.date and ln.date.date() < window.date())]

    def read_article(self, source: Source, link: Link, report: SourceReport,
                     conditional: bool = False) -> Miss | None:
        """Fetch, parse and store one article page; the Miss when that failed (a 304 or a page taken down is
        none: there was nothing new to store)."""
        self._tried.add(link.url)
        got = self._read(source, link.url, report, listing=False, conditional=conditional)
        if isinstance(got, Miss):
            if got.challenged:
                report.messages.append(got.reason)
            else:
                report.error(got.reason)
            if not conditional:
                self.failed(link.url, got, report)
            return got
        if got is None:
            return None
        st, res = got
        # some sites date an item only in their listings; a page read again keeps the date it was given
        st.date_from(link.date, "listing")
        if st.date is None and (held := self.store.get(st.id)) and held["date"]:
            st.date_from(datetime.fromisoformat(held["date"]), held["date_source"] or "listing")
        if st.date is None:
            # stored undated, never with a guessed date; a reader should know how many those are
            report.warnings += 1
            report.messages.append(f"warning: {link.url}: undated (no date on the page, in its title or in "
                                   f"its listing)")
        if not self.pipeline.save_article(st, report, url=link.url, source=source.id, seen_at=res.fetched_at,
                                          etag=res.etag, last_modified=res.last_modified):
            miss = Miss(f"{link.url}: not stored")
            if not conditional:
                self.failed(link.url, miss, report)
            return miss
        return None

    def failed(self, url: str, miss: Miss, report: SourceReport):
        """One more failure of an owed page: when to try it again, or whether to stop."""
        entry = self.store.owed_entry(url)
        if entry is None:
            return
        now = utcnow()
        gone = entry["gone"] + (miss.status in GONE)
        give_up = miss.status in GONE and gives_up(gone, entry["first_seen"], now)
        self.store.owed_failed(url, error=miss.reason, gone=miss.status in GONE,
                               next_try=next_try(entry["attempts"] + 1, now), give_up=give_up, at=now)
        if give_up:
            report.messages.append(f"{url}: given up after {gone} answers of 404/410 since "
                                   f"{entry['first_seen']:%Y-%m-%d}; kept in the list of owed pages")

    @staticmethod
    def _warn(page: Page, report: SourceReport):
        report.warnings += len(page.warnings)
        report.messages.extend(f"warning: {w}" for w in page.warnings)


def _remembered(link: Link) -> tuple[str, str, str | None]:
    return link.url, link.title, link.date.isoformat() if link.date else None
