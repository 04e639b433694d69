"""Captured responses to statements: WARC files through the sources' parsers into the store.

One path for `import` (WARC files from other tools and web archives) and `rebuild` (the archive's own
captures), so that both give what the crawl gave: each response is parsed by the source that owns its URL,
as a listing or an article as `extract --url` decides, and stored with its capture time as seen time.
Responses from several files are taken in capture-time order, so revisions come out in the order the
ministry published them.
"""
from __future__ import annotations

import hashlib
import heapq
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from ..captures import capture_row, location
from ..fetch.client import GONE
from ..fetch.decode import ContentDecodingError, ResponseTooLarge
from ..fetch.warc import Damage, WarcRecord, scan
from ..model import Statement
from ..sources import source_for_url
from ..sources.base import ExtractError, Page
from ..store import Store
from .pipeline import Pipeline
from .reports import FileReport, ImportFileError

# what a source's parser can read; robots.txt, images and scripts are captured but not parsed
_PARSEABLE = re.compile(r"html|xml|rss|atom|json", re.IGNORECASE)
_ROWS_BATCH = 500
_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


def _timed(index: int, path: Path) -> Iterator[tuple[datetime, int, int, WarcRecord | Damage]]:
    """A file's items keyed for merging: a record without a response, or damage, takes its predecessor's time."""
    when = _EPOCH
    for seq, item in enumerate(scan(path)):
        if isinstance(item, WarcRecord) and item.response is not None:
            when = max(when, item.response.fetched_at)
        yield when, index, seq, item


class Ingest:
    """Feeds WARC files to the store; `reports` has one FileReport per file, in the order given."""

    def __init__(self, store: Store, root: Path, on_progress: Callable[[list[FileReport]], None] | None = None):
        self.store = store
        self.pipeline = Pipeline(store)
        self.root = Path(root).resolve()
        self.on_progress = on_progress or (lambda reports: None)
        self.reports: list[FileReport] = []
        self._rows: list[dict] = []
        # some sites date an item only in their listings; an article read later takes the listing's date
        self._link_dates: dict[str, datetime] = {}

    def run(self, files: list[tuple[str, Path | None]], damage: dict[str, list[Damage]] | None = None) -> list[FileReport]:
        """Read `files` ((name to report, path to read, or None for a file with no whole record)) merged by
        capture time. `damage` is what was already found in a file under its reported name (import reads a
        salvaged copy)."""
        self.reports = [FileReport(name) for name, _ in files]
        for report in self.reports:
            for d in (damage or {}).get(report.file, []):
                report.damage(d.offset, d.reason)
        try:
            merged = heapq.merge(*(_timed(i, path) for i, (_, path) in enumerate(files) if path is not None),
                                 key=lambda t: (t[0], t[1], t[2]))
            for n, (_, index, _, item) in enumerate(merged):
                report = self.reports[index]
                if isinstance(item, Damage):
                    report.damage(item.offset, item.reason)
                else:
                    report.records += 1
                    if item.response is not None:
                        self._response(report, files[index][1], item)
                if n % 200 == 0:
                    self.on_progress(self.reports)
        finally:
            self._flush_rows()
        self.on_progress(self.reports)
        return self.reports

    def _flush_rows(self) -> None:
        self.store.add_captures(self._rows)
        self._rows = []

    def _response(self, report: FileReport, path: Path, record: WarcRecord) -> None:
        res = record.response
        report.responses += 1
        self._rows.append(capture_row(self.root, location(path, record.offset, record.length, res)))
        if len(self._rows) >= _ROWS_BATCH:
            self._flush_rows()
        source = source_for_url(res.url or "")
        if source is None:
            report.skipped_unknown_host += 1
            return
        if res.status in GONE and not source.is_listing(res.url):
            # an article page answering 404 or 410 after it was read: its statements were taken down then
            self.pipeline.withdraw(res.url, source.id, res.status, res.fetched_at, report)
            return
        content_type = res.header("Content-Type") or ""
        # a 304, 404 or 5xx carries no statement; robots.txt and images are no page of a source
        if res.status != 200 or (content_type and not _PARSEABLE.search(content_type)) \
                or res.url.endswith("/robots.txt"):
            return
        try:
            text = res.text()
        except (ResponseTooLarge, ContentDecodingError) as e:
            # the record is kept as captured; only its statements cannot be read
            report.skipped_bad_body += 1
            report.messages.append(f"{report.file}: record at byte offset {record.offset} ({res.url}): body not "
                                   f"read: {e}; skipped")
            return
        try:
            page = Page(url=res.url, text=text, fetched_at=res.fetched_at, content_type=content_type)
            if source.is_listing(res.url):
                listing = source.parse_listing(page)
                self._link_dates.update((ln.url, ln.date) for ln in listing.links if ln.date)
                found = listing.statements
            else:
                found = [source.parse_article(page)]
        except (ExtractError, ValueError) as e:
            report.error(f"{res.url} (captured {res.fetched_at:%Y-%m-%d %H:%M:%S}): {e}")
            return
        report.parsed += 1
        for st in found:
            self._save(report, st, source.id, article=not source.is_listing(res.url), res=res)

    def _older(self, st: Statement, captured_at: datetime) -> str | None:
        """For a capture older than what the archive holds of a statement (an older archive's WARC file):
        "unchanged" when its text is one of the known revisions, "out-of-order" when it is none, since
        revisions are appended in time order; None when the capture is not older."""
        current = self.store.get(st.id)
        if current is None or current["fetched_at"] <= captured_at:
            return None
        known = {r["content_hash"] for r in self.store.revisions(st.id)}
        return "unchanged" if st.content_hash in known else "out-of-order"

    def _save(self, report: FileReport, st: Statement, source_id: str, article: bool, res) -> None:
        st.date_from(self._link_dates.get(st.url), "listing")
        if not self.pipeline.whole([st], report):
            return
        older = self._older(st, res.fetched_at)
        if older == "out-of-order":
            report.error(f"{st.url} (captured {res.fetched_at:%Y-%m-%d %H:%M:%S}): not stored: older than "
                         f"the archive's latest version and unlike each of its revisions")
            return
        if older:  # already known: the archive's newer sighting stands
            report.unchanged += 1
            return
        if article:
            # as the crawl leaves it: a later crawl knows this article and does not fetch it again
            self.pipeline.save_article(st, report, url=res.url, source=source_id, seen_at=res.fetched_at,
                                       etag=res.header("ETag"), last_modified=res.header("Last-Modified"))
        else:
            self.pipeline.save([st], report, res.fetched_at)


def import_warcs(store: Store, root: Path, captures_dir: Path, paths: list[Path],
                 on_progress: Callable[[list[FileReport]], None] | None = None,
                 names: list[str] | None = None) -> list[FileReport]:
    """`import` of WARC files: each is salvaged into the captures folder, then all are read merged by
    capture time; one FileReport per file, named as given (or by `names`: a WARC file unpacked from a WACZ
    package is reported by the package's name). ImportFileError, before anything is stored, for a file
    that cannot be read."""
    copies, damage = [], {}
    for path, name in zip(paths, names or [str(p) for p in paths]):
        try:
            copy, damage[name] = salvage(path, captures_dir)
        except OSError as e:
            raise ImportFileError(f"{name}: cannot read: {e.strerror or e}") from None
        copies.append((name, copy))
    return Ingest(store, root, on_progress).run(copies, damage)


def salvage(path: Path, captures_dir: Path) -> tuple[Path | None, list[Damage]]:
    """Copy a WARC file's whole records, byte for byte, into the captures folder, leaving out damage.

    The copy is named after its earliest capture time and its content, so importing a file twice keeps one
    copy, and `rebuild` finds imported captures with the crawl's. Returns the copy (None when the file
    holds no whole record) and the damage found, with offsets in the original file.
    """
    if Path(path).resolve().parent == captures_dir.resolve():
        # already one of this archive's captures: read where it is, a copy would list every record twice
        return Path(path), [d for d in scan(path) if isinstance(d, Damage)]
    damage: list[Damage] = []
    digest = hashlib.sha256()
    first: datetime | None = None
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    captures_dir.mkdir(parents=True, exist_ok=True)
    tmp = captures_dir / f".import-{os.getpid()}.tmp"
    copied = last_offset = None
    try:
        with open(path, "rb") as src, open(tmp, "wb") as out:
            for item in scan(path):
                if isinstance(item, Damage):
                    damage.append(item)
                    continue
                if item.response is not None and (first is None or item.response.fetched_at < first):
                    first = item.response.fetched_at
                if item.offset == last_offset:  # one gzip member holding several records: copied once
                    continue
                last_offset = item.offset
                src.seek(item.offset)
                chunk = src.read(item.length)
                digest.update(chunk)
                out.write(chunk)
                copied = True
        if not copied:
            tmp.unlink()
            return None, damage
        stamp = f"{(first or datetime.now(timezone.utc)).astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"
        dest = captures_dir / f"{stamp}-import-{digest.hexdigest()[:16]}.warc{'.gz' if gzipped else ''}"
        if dest.exists():
            tmp.unlink()
        else:
            os.replace(tmp, dest)
        return dest, damage
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
