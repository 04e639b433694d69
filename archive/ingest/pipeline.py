"""The one save step: parsed statements into the store, the same way for the crawl, the WARC import, the
JSON Lines import and the rebuild, so that one page stores one identical statement whichever way it came.

What is particular to a way in stays in its module: how a statement gets its date when its page has none,
whether a capture is older than what the archive holds, which transaction owes a crawl's pages. Here is what
they share: a statement that is not whole is counted as an error and not stored; one that is is stored by
id (once, its text appended as a revision only when it changed) and its outcome counted, and linked to its
versions in other languages already stored (ingest/versions.py) in the same transaction, so a crash never
leaves a statement without the links its page named; an article stored
is recorded as read, which ends what a crawl owed of it; a page taken down marks its statements withdrawn.
"""
from __future__ import annotations

from datetime import datetime

from ..model import Statement, utcnow
from ..store import Store
from .reports import LinesReport, Tally
from .versions import link_saved


class Pipeline:
    def __init__(self, store: Store):
        self.store = store

    def whole(self, items: list[Statement], report: Tally) -> list[Statement]:
        """The statements that may be stored; each other one is an error in `report`."""
        out = []
        for st in items:
            problems = st.problems()
            if problems:
                report.error(f"{st.url}: not stored: {', '.join(problems)}")
            else:
                out.append(st)
        return out

    def save(self, items: list[Statement], report: Tally, seen_at: datetime) -> list[Statement]:
        """Store the whole statements of `items` in one transaction (a feed's items land together), seen at
        `seen_at` (the response's time); the ones stored."""
        whole = self.whole(items, report)
        for saved in self.store.save_many(whole, seen_at, link=lambda links: link_saved(links, whole, seen_at)):
            report.count(saved.outcome)
        return whole

    def save_article(self, st: Statement, report: Tally, *, url: str, source: str, seen_at: datetime,
                     etag: str | None, last_modified: str | None) -> bool:
        """Store the statement an article page gave; then, in a transaction of its own, record the page as
        read (its validators and text hash), which ends what a crawl owed of it: a crash between the two
        leaves the page owed, and reading it again changes nothing. Whether it was stored."""
        if not self.save([st], report, seen_at):
            return False
        self.store.set_crawl_state(url, source, status=200, etag=etag, last_modified=last_modified,
                                   content_hash=st.content_hash, fetched_at=seen_at)
        return True

    def withdraw(self, url: str, source: str, status: int, at: datetime, report: Tally) -> None:
        """The article page at `url` answered 404 or 410 at `at`: its statements were taken down then."""
        report.withdrawn += len(self.store.withdraw(url, source, status, at))

    def present(self, items: list[Statement], report: LinesReport) -> None:
        """Statements from a file, which says which texts a statement had but not when: all in one
        transaction, and a text already held changes nothing (Store.import_many)."""
        report.statements += len(items)
        at = utcnow()
        for saved in self.store.import_many(items, at, link=lambda links: link_saved(links, items, at)):
            report.count(saved.outcome)
