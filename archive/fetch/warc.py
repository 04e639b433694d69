"""WARC capture: every HTTP exchange kept as received, so the archive can be rebuilt and cited without the site.

One file per run, one gzip member per record, each exchange written and flushed at once: a killed crawl leaves
a file that is readable up to its last complete record.
"""
from __future__ import annotations

import itertools
import mmap
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from .decode import MAX_BYTES, decode_body, decompress

SOFTWARE = "policy-archive"
FETCHED_FROM = "X-Fetched-From"
WARC_VERSION = "1.1"
# the names a WARC file goes by
SUFFIXES = (".warc", ".warc.gz")


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


@dataclass(frozen=True)
class WarcLocation:
    """Where one response record is: enough to read it back without scanning its file."""
    path: Path
    offset: int
    length: int
    record_id: str
    url: str
    captured_at: datetime
    status: int
    content_type: str | None


class WarcWriter:
    """Writes captures/<UTC timestamp>-<pid>.warc.gz inside `directory` (the data directory's captures folder),
    or <UTC timestamp>-<writer>.warc.gz for a named writer (a crawler worker: several write into one shared
    folder, each to its own files)."""

    def __init__(self, directory: Path, on_response: Callable[[WarcLocation], None] | None = None,
                 writer: str | None = None):
        """`on_response` learns where each response record landed, once it is on disk (the store's captures
        table is kept that way, so showing a capture never scans files)."""
        self.directory = Path(directory)
        self.on_response = on_response
        # a worker id may hold any character; a file name keeps the safe ones
        self.writer = re.sub(r"[^A-Za-z0-9._-]+", "_", writer) if writer else str(os.getpid())
        self.path: Path | None = None
        self._file = None
        # WARC/1.1 for microsecond dates: two fetches of a page within one second stay distinguishable.
        self._records = RecordBuilder(warc_version=WARC_VERSION)

    def _append(self, *records) -> list[tuple[int, int]]:
        """Each call is one write and one flush: an exchange is on disk whole, or (killed mid-write) cut at its
        end, never with its request separated from its response by a later record. Returns each record's
        (offset, length) in the file: one gzip member each."""
        if self._file is None:
            self._open()
        buffer = BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION)
        start = self._file.tell()
        spans = []
        for record in records:
            before = buffer.tell()
            writer.write_record(record)
            spans.append((start + before, buffer.tell() - before))
        self._file.write(buffer.getvalue())
        self._file.flush()
        return spans

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{self.writer}"
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
        _, (offset, length) = self._append(request, response)
        if self.on_response:
            content_type = next((v for k, v in response_headers if k.lower() == "content-type"), None)
            self.on_response(WarcLocation(path=self.path, offset=offset, length=length, record_id=response_id,
                                          url=url, captured_at=fetched_at, status=status,
                                          content_type=content_type))
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



# ---------------------------------------------------------------- reading, damaged files included

GZIP_MAGIC = b"\x1f\x8b\x08"
# a WARC record's headers are a few hundred bytes; more without a blank line means it is not a record
MAX_HEADER_BYTES = 1 << 16
# one record decompressed: a page under the fetcher's cap with its headers; more is a bomb, not a capture
MAX_MEMBER_BYTES = 2 * MAX_BYTES


class _Damaged(Exception):
    pass


@dataclass
class WarcRecord:
    """One record as framed in its file: `offset` and `length` span its gzip member (or, uncompressed, the
    record itself), so the raw bytes can be read back from those two numbers alone."""
    offset: int
    length: int
    rec_type: str
    response: CapturedResponse | None  # for a response record with an HTTP message


@dataclass
class Damage:
    """Bytes that are no record: from `offset`, up to the next record that reads whole, or the end."""
    offset: int
    reason: str


def _header_fields(block: bytes) -> dict[str, str]:
    fields = {}
    for line in block.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            fields[name.strip().decode("latin-1").lower()] = value.strip().decode("utf-8", "replace")
    return fields


def _split_records(data, pos: int, end: int) -> Iterator[tuple[int, int, str]]:
    """(start, end, WARC-Type) of each record in data[pos:end], uncompressed WARC; _Damaged where framing fails."""
    while pos < end:
        if not data[pos:pos + 5] == b"WARC/":
            raise _Damaged("not a WARC record (no WARC/ version line)")
        head_end = data.find(b"\r\n\r\n", pos, min(end, pos + MAX_HEADER_BYTES))
        if head_end < 0:
            raise _Damaged("record headers cut off")
        fields = _header_fields(bytes(data[pos:head_end]))
        length = fields.get("content-length", "")
        if not length.isdigit():
            raise _Damaged("record without a length")
        block_end = head_end + 4 + int(length)
        if block_end > end:
            raise _Damaged(f"{block_end - end} bytes missing")
        # the blank line that ends a record; tools differ in how faithfully they write it
        stop = block_end
        while stop < min(end, block_end + 4) and data[stop:stop + 1] in (b"\r", b"\n"):
            stop += 1
        yield pos, stop, fields.get("warc-type", "")
        pos = stop


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


def _response(raw: bytes) -> CapturedResponse | None:
    record = next(iter(ArchiveIterator(BytesIO(raw))), None)
    if record is None or record.http_headers is None:
        return None
    return _captured(record, record.raw_stream.read())


def _inflate(data, pos: int) -> tuple[bytes, int]:
    """The gzip member at `pos`, decompressed, and where it ends in the file."""
    member = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    read = pos
    while not member.eof:
        if read >= len(data):
            raise _Damaged("gzip member cut short")
        chunk = data[read:read + (1 << 20)]
        try:
            out += member.decompress(chunk, MAX_MEMBER_BYTES + 1 - len(out))
        except zlib.error as e:
            raise _Damaged(f"not gzip data ({e})") from None
        if len(out) > MAX_MEMBER_BYTES or member.unconsumed_tail:
            raise _Damaged("gzip member larger than a capture can be")
        read += len(chunk)
    return bytes(out), read - len(member.unused_data)


def _records_at(data, pos: int, gzipped: bool) -> tuple[list[WarcRecord], int]:
    """The whole records that start at `pos` (a gzip member may hold several) and where they end."""
    if gzipped:
        block, end = _inflate(data, pos)
        if not block:
            raise _Damaged("empty gzip member")
        spans = list(_split_records(block, 0, len(block)))
        return [WarcRecord(pos, end - pos, kind, _response(block[a:b]) if kind == "response" else None)
                for a, b, kind in spans], end
    a, b, kind = next(_split_records(data, pos, len(data)))
    return [WarcRecord(a, b - a, kind, _response(bytes(data[a:b])) if kind == "response" else None)], b


def _next_start(data, pos: int, gzipped: bool) -> int:
    """Where the next record may begin after damage at `pos`: the next gzip header, or the next WARC/ line."""
    if gzipped:
        return data.find(GZIP_MAGIC, pos + 1)
    at = pos
    while (at := data.find(b"WARC/1.", at + 1)) >= 0:
        if data[at - 1:at] == b"\n":
            return at
    return -1


def scan(path: Path) -> Iterator[WarcRecord | Damage]:
    """Every record of a .warc or .warc.gz file in order, with a Damage for each stretch of bytes that is none.

    After damage the reader resyncs at the next gzip member or WARC/ version line that reads as a whole
    record, so a garbled stretch or a cut-off record costs only itself: the records before and after it
    are still read. A stretch of garbage is reported once, at the offset where it begins.
    """
    path = Path(path)
    with open(path, "rb") as f:
        if path.stat().st_size == 0:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            gzipped = data[:2] == GZIP_MAGIC[:2]
            pos, damaged = 0, False
            while pos < len(data):
                try:
                    records, end = _records_at(data, pos, gzipped)
                except Exception as e:  # noqa: BLE001 - damaged input fails in many ways, all meaning "damaged"
                    if not damaged:
                        yield Damage(pos, str(e) or type(e).__name__)
                        damaged = True
                    pos = _next_start(data, pos, gzipped)
                    if pos < 0:
                        return
                    continue
                damaged = False
                yield from records
                pos = end


def iter_responses(path: Path) -> Iterator[CapturedResponse]:
    """Response records of a .warc or .warc.gz file, in order, up to the first damage: WarcReadError there."""
    for item in scan(path):
        if isinstance(item, Damage):
            raise WarcReadError(Path(path), item.offset, item.reason)
        if item.response is not None:
            yield item.response


def read_record(path: Path, offset: int, length: int) -> bytes:
    """One record's raw bytes (its gzip member, or the record) from where scan() or the writer found it."""
    with open(path, "rb") as f:
        f.seek(offset)
        raw = f.read(length)
    if len(raw) < length:
        raise WarcReadError(Path(path), offset, "file shorter than the record")
    return raw


def record_from_bytes(raw: bytes) -> CapturedResponse | None:
    """The response in one record's raw bytes (gzipped or not), as scan() reads it."""
    records, _ = _records_at(raw, 0, raw[:2] == GZIP_MAGIC[:2])
    return next((r.response for r in records if r.response is not None), None)
