"""WARC capture: every HTTP exchange kept as received, so the archive can be rebuilt and cited without the site.

One file per run, one gzip member per record, each exchange written and flushed at once: a killed crawl leaves
a file that is readable up to its last complete record.
"""
from __future__ import annotations

import itertools
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from .decode import MAX_BYTES, decode_body, decompress

SOFTWARE = "policy-archive"
FETCHED_FROM = "X-Fetched-From"
WARC_VERSION = "1.1"


class WarcReadError(Exception):
    """A capture file is damaged (typically cut short by a killed crawl) from `offset` on."""

    def __init__(self, path: Path, offset: int, reason: str):
        super().__init__(f"{path}: damaged record at byte offset {offset} ({reason}); earlier records are intact")
        self.path, self.offset = path, offset


def _warc_date(dt: datetime) -> str:
    return datetime_to_iso_date(dt.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)


def _stored_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # httpx hands over the body with chunked framing already removed; a Transfer-Encoding header would
    # misdescribe the stored bytes, so it is kept under another name.
    return [("X-Archive-Orig-" + k if k.lower() == "transfer-encoding" else k, v) for k, v in headers]


class WarcWriter:
    """Writes captures/<UTC timestamp>-<pid>.warc.gz inside `directory` (the data directory's captures folder)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.path: Path | None = None
        self._file = None
        # WARC/1.1 for microsecond dates: two fetches of a page within one second stay distinguishable.
        self._records = RecordBuilder(warc_version=WARC_VERSION)

    def _append(self, *records) -> None:
        """Each call is one write and one flush: an exchange is on disk whole, or (killed mid-write) cut at its
        end, never with its request separated from its response by a later record."""
        if self._file is None:
            self._open()
        buffer = BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION)
        for record in records:
            writer.write_record(record)
        self._file.write(buffer.getvalue())
        self._file.flush()

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{os.getpid()}"
        for n in itertools.count():
            self.path = self.directory / (f"{stem}.warc.gz" if n == 0 else f"{stem}-{n}.warc.gz")
            try:
                self._file = open(self.path, "xb")
                break
            except FileExistsError:
                continue
        self._append(self._records.create_warcinfo_record(
            self.path.name, {"software": SOFTWARE, "format": "WARC File Format 1.1"}))

    def write_exchange(self, *, url: str, fetch_url: str, method: str, request_headers: list[tuple[str, str]],
                       http_version: str, status: int, reason: str, response_headers: list[tuple[str, str]],
                       raw_body: bytes, fetched_at: datetime) -> str:
        """Write the request and its response (body still content-encoded); returns the response record id."""
        common = {"WARC-Date": _warc_date(fetched_at)}
        if fetch_url != url:
            common[FETCHED_FROM] = fetch_url
        target = urlsplit(fetch_url)
        request_line = f"{method} {target.path or '/'}{'?' + target.query if target.query else ''} {http_version}"
        response = self._records.create_warc_record(
            url, "response", payload=BytesIO(raw_body), length=len(raw_body), warc_headers_dict=dict(common),
            http_headers=StatusAndHeaders(f"{status} {reason}".strip(), _stored_headers(response_headers),
                                          protocol=http_version))
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request = self._records.create_warc_record(
            url, "request", payload=BytesIO(b""), length=0,
            warc_headers_dict={**common, "WARC-Concurrent-To": response_id},
            http_headers=StatusAndHeaders(request_line, list(request_headers), is_http_request=True))
        self._append(request, response)
        return response_id

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class CapturedResponse:
    url: str
    fetch_url: str
    status: int
    headers: list[tuple[str, str]]
    raw_body: bytes
    fetched_at: datetime
    record_id: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def body(self, limit: int = MAX_BYTES) -> bytes:
        return decompress(self.raw_body, self.header("Content-Encoding"), limit)

    def text(self, limit: int = MAX_BYTES) -> str:
        return decode_body(self.body(limit), self.header("Content-Type"))[0]


def _complete_gzip_length(f) -> int:
    """How many leading bytes of `f` are whole gzip members: a member cut off by a killed crawl is left out.

    warcio reads a cut member as if it were whole, so the check is done here, on the compressed stream.
    """
    complete = read = 0
    member = zlib.decompressobj(16 + zlib.MAX_WBITS)
    while chunk := f.read(1 << 20):
        read += len(chunk)
        while chunk:
            try:
                member.decompress(chunk)
            except zlib.error:
                return complete
            if not member.eof:
                break
            chunk = member.unused_data
            complete = read - len(chunk)
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
    return complete


def _read_whole(record) -> bytes:
    if record.rec_type is None:
        raise EOFError("record headers cut off")
    block = record.raw_stream.read()
    missing = getattr(record.raw_stream, "limit", None)  # a LimitReader only when the record has a length
    if missing is None:
        raise EOFError("record without a length")
    if missing:
        raise EOFError(f"{missing} bytes missing")
    return block


def _captured(record, raw_body: bytes) -> CapturedResponse:
    headers = record.rec_headers
    return CapturedResponse(
        url=headers.get_header("WARC-Target-URI"),
        fetch_url=headers.get_header(FETCHED_FROM) or headers.get_header("WARC-Target-URI"),
        status=int(record.http_headers.get_statuscode()),
        headers=list(record.http_headers.headers),
        raw_body=raw_body,
        fetched_at=iso_date_to_datetime(headers.get_header("WARC-Date"), tz_aware=True),
        record_id=headers.get_header("WARC-Record-ID"))


def iter_responses(path: Path) -> Iterator[CapturedResponse]:
    """Response records of a .warc or .warc.gz file, in order.

    A damaged or cut-short record ends the iteration with WarcReadError naming its offset, after every
    complete record before it has been yielded: a rebuild can keep those and report the rest.
    """
    path = Path(path)
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
        f.seek(0)
        end = _complete_gzip_length(f) if gzipped else path.stat().st_size
        f.seek(0)
        records = ArchiveIterator(LimitReader(f, end))
        while True:
            try:
                record = next(records, None)
                if record is None:
                    break
                # every record is read whole: in an uncompressed file a cut one is only noticed that way
                block = _read_whole(record)
                if record.rec_type == "response":
                    captured = _captured(record, block)
            except Exception as e:  # noqa: BLE001 - warcio fails on damaged input in many ways, all meaning "damaged"
                # the iterator's offset is where the record being read began
                raise WarcReadError(path, records.offset, str(e) or type(e).__name__) from None
            if record.rec_type == "response":
                yield captured
        # warcio stops quietly at a record whose headers are cut off; what is left over tells.
        if records.offset < path.stat().st_size:
            raise WarcReadError(path, records.offset, "no complete record from here on")
