"""The crawl: walk each source's listings and feeds, fetch what is new, parse it, store it, index it.

Resumability comes from ordering, not from checkpoints: a listing's validators (ETag, Last-Modified)
are recorded only after all of its items are stored, and an article's crawl state only after its
statement is stored. A crawl stopped at any point refetches what it had not finished, and the store's
content hashes make refetching harmless.

A crawl may also re-read articles it already holds (`recheck`), the longest unchecked first: that is how
an edit of a page becomes a revision and a page taken down (404, 410) marks its statement withdrawn.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from .fetch.client import Fetcher, FetchError
from .fetch.decode import decode_body
from .index import sync_index
from .model import Statement, utcnow
from .sources.base import ExtractError, Link, Page, Source
from .store import Store

DEFAULT_WINDOW = timedelta(days=30)
# a page that answers these was taken down; any other error may be passing
GONE = (404, 410)


@dataclass
class SourceReport:
    source: str
    found: int = 0          # links and feed items seen on listing pages
    fetched: int = 0        # pages fetched with a full response (200)
    not_modified: int = 0   # conditional requests answered 304
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0        # links older than the window, or already in the archive
    errors: int = 0
    rechecked: int = 0      # known articles fetched again for edits and take-downs
    withdrawn: int = 0      # statements whose page now answers 404 or 410
    warnings: int = 0       # pages read by a fallback: the template may be changing
    # ok; partial (some errors); failed (nothing could be fetched); broken (pages came, but the source's
    # selectors fit none of them: the site's template changed); interrupted
    status: str = "ok"
    messages: list[str] = field(default_factory=list)
    parsed_listings: int = field(default=0, repr=False)
    parsed_articles: int = field(default=0, repr=False)
    extract_errors: int = field(default=0, repr=False)

    def count(self, outcome: str):
        setattr(self, outcome, getattr(self, outcome) + 1)

    def error(self, message: str):
        self.errors += 1
        self.messages.append(message)

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items()
                if k not in ("parsed_listings", "parsed_articles", "extract_errors")}

    def settle(self):
        if self.status == "interrupted":
            return
        articles_failed = self.extract_errors and not self.parsed_articles
        if self.extract_errors and (not self.parsed_listings or articles_failed):
            self.status = "broken"
        elif self.fetched + self.not_modified == 0:
            self.status = "failed"
        elif self.errors:
            self.status = "partial"


@dataclass
class CrawlOptions:
    since: datetime | None = None   # None: the last 30 days of listings; feed items are always taken
    max_pages: int | None = None    # listing pages per source
    offline: bool = False           # fetch only through mirrors: a safety net for tests and local mirrors


class Crawler:
    def __init__(self, store: Store, index_dir: Path, fetcher: Fetcher, options: CrawlOptions,
                 on_progress: Callable[[SourceReport], None] | None = None):
        self.store = store
        self.index_dir = index_dir
        self.fetcher = fetcher
        self.options = options
        self.on_progress = on_progress or (lambda report: None)
        # the report of the crawl under way, which a stop cuts short before it is returned
        self.current: SourceReport | None = None

    def crawl(self, source: Source, recheck: int = 0) -> SourceReport:
        """Walk the source's listings; then fetch up to `recheck` of its known articles again."""
        report = self.current = SourceReport(source.id)
        started = utcnow()
        try:
            self._walk(source, report)
            self._recheck(source, report, recheck, before=started)
        except KeyboardInterrupt:
            report.status = "interrupted"
            raise
        finally:
            sync_index(self.store, self.index_dir)
            report.settle()
            self.on_progress(report)
        return report

    def _walk(self, source: Source, report: SourceReport):
        since = self.options.since or (utcnow() - DEFAULT_WINDOW)
        queue = list(source.start_urls)
        seen: set[str] = set()
        pages = 0
        while queue:
            url = queue.pop(0)
            if url in seen or (self.options.max_pages is not None and pages >= self.options.max_pages):
                continue
            seen.add(url)
            pages += 1
            got = self._read_listing(source, url, report)
            if got is None:
                continue
            listing, res = got
            report.found += len(listing.links) + len(listing.statements)
            carried = [st for st in listing.statements
                       if not (self.options.since and st.date and st.date < self.options.since)]
            report.skipped += len(listing.statements) - len(carried)
            self._store_many(carried, report, res.fetched_at)
            # calendar dates as the site prints them: an item dated on the --since day is in, in any zone
            fresh = [ln for ln in listing.links if not (ln.date and ln.date.date() < since.date())]
            report.skipped += len(listing.links) - len(fresh)
            known = self.store.known_urls(source.id)
            for link in fresh:
                if link.url in known:
                    report.skipped += 1
                    continue
                self._read_article(source, link, report)
                self.on_progress(report)
            # listings run newest first: once a page reaches back past the window, older pages cannot help
            if listing.links and len(fresh) == len(listing.links):
                queue.extend(listing.next_pages)
            # only now, with its items stored, may a later crawl skip this listing on a 304
            self.store.set_crawl_state(url, source.id, status=200, etag=res.etag, last_modified=res.last_modified)
            sync_index(self.store, self.index_dir)
            self.on_progress(report)

    def _recheck(self, source: Source, report: SourceReport, limit: int, before: datetime):
        # what this crawl has just read is not read again; crawl() indexes what changed as it ends
        for url in self.store.recheck_urls(source.id, limit, before) if limit else ():
            report.rechecked += 1
            self._read_article(source, Link(url), report, conditional=True)
            self.on_progress(report)

    def _fetch(self, source: Source, url: str, report: SourceReport, conditional: bool):
        state = self.store.crawl_state(url) if conditional else None
        if self.options.offline and self.fetcher.mirrors.to_fetch(url) == url:
            report.error(f"{url}: not fetched: no --mirror covers it and --offline is set")
            return None
        try:
            res = self.fetcher.get(url, allowed_hosts=set(source.hosts),
                                   etag=state and state["etag"], last_modified=state and state["last_modified"])
        except FetchError as e:
            report.error(f"{url}: {e}")
            return None
        if res.status == 304:
            report.not_modified += 1
            self.store.set_crawl_state(url, source.id, status=304, fetched_at=res.fetched_at)
            return None
        if res.status in GONE and state and state["content_hash"]:
            # an article we hold was taken down: it stays in the archive, labelled, and is checked again later
            report.withdrawn += len(self.store.withdraw(url, source.id, res.status, res.fetched_at))
            return None
        if res.status != 200:
            report.error(f"{url}: HTTP {res.status}")
            self.store.set_crawl_state(url, source.id, status=res.status, fetched_at=res.fetched_at)
            return None
        report.fetched += 1
        text, _ = decode_body(res.body, res.content_type)
        return res, Page(url=url, text=text, fetched_at=res.fetched_at, content_type=res.content_type or "")

    def _read(self, source: Source, url: str, report: SourceReport, *, listing: bool, conditional: bool):
        """Fetch and parse one page: (what the source read, the response), or None, counted in `report`."""
        got = self._fetch(source, url, report, conditional=conditional)
        if got is None:
            return None
        res, page = got
        try:
            parsed = source.parse_listing(page) if listing else source.parse_article(page)
        except ExtractError as e:
            report.extract_errors += 1
            report.error(f"{url}: {e}")
            return None
        if listing:
            report.parsed_listings += 1
        else:
            report.parsed_articles += 1
        self._warn(page, report)
        return parsed, res

    def _read_listing(self, source: Source, url: str, report: SourceReport):
        return self._read(source, url, report, listing=True, conditional=True)

    def _read_article(self, source: Source, link: Link, report: SourceReport, conditional: bool = False):
        got = self._read(source, link.url, report, listing=False, conditional=conditional)
        if got is None:
            return
        st, res = got
        if st.date is None:
            # some sites date an item only in their listings; a page read again keeps the date it was given
            held = link.date or (self.store.get(st.id) or {}).get("date")
            st.date = datetime.fromisoformat(held) if isinstance(held, str) else held
        if self._store(st, report, fetched_at=res.fetched_at):
            self.store.set_crawl_state(link.url, source.id, status=200, etag=res.etag,
                                       last_modified=res.last_modified, content_hash=st.content_hash)

    @staticmethod
    def _warn(page: Page, report: SourceReport):
        report.warnings += len(page.warnings)
        report.messages.extend(f"warning: {w}" for w in page.warnings)

    def _store(self, st: Statement, report: SourceReport, fetched_at: datetime | None = None) -> bool:
        return bool(self._store_many([st], report, fetched_at))

    def _store_many(self, items: list[Statement], report: SourceReport, fetched_at: datetime | None) -> int:
        """Store the statements that are whole, in one transaction (a feed's items, say); how many."""
        whole = []
        for st in items:
            problems = st.problems()
            if problems:
                report.error(f"{st.url}: not stored: {', '.join(problems)}")
                continue
            if st.fetched_at is None:
                st.fetched_at = fetched_at or utcnow()
            whole.append(st)
        for saved in self.store.save_many(whole):
            report.count(saved.outcome)
        return len(whole)
