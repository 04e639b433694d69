"""Captures in the store: the row that says where a response record lies, and reading it back.

The WARC files are the record; the captures table is an index into them, with file names relative to the
data directory so the folder can be moved whole.
"""
from __future__ import annotations

from pathlib import Path

from .fetch.warc import CapturedResponse, WarcLocation, WarcReadError, WarcWriter, read_record, record_from_bytes
from .store import Store


class CaptureMissing(Exception):
    """A capture the store lists cannot be read back (its file moved, shrank or was damaged)."""


def location(path: Path, offset: int, length: int, response: CapturedResponse) -> WarcLocation:
    return WarcLocation(path=Path(path), offset=offset, length=length, record_id=response.record_id,
                        url=response.url, captured_at=response.fetched_at, status=response.status,
                        content_type=response.header("Content-Type"))


def capture_row(root: Path, loc: WarcLocation) -> dict:
    return {"url": loc.url, "warc_file": loc.path.resolve().relative_to(Path(root).resolve()).as_posix(),
            "offset": loc.offset, "length": loc.length, "record_id": loc.record_id,
            "captured_at": loc.captured_at, "status": loc.status, "content_type": loc.content_type}


def capture_writer(store: Store, root: Path, captures_dir: Path, writer: str | None = None) -> WarcWriter:
    """The WARC writer for a crawl (or for the worker `writer`, in files of its own): every response it writes
    is listed in the store's captures table as soon as it is written."""
    return WarcWriter(captures_dir, on_response=lambda loc: store.add_captures([capture_row(root, loc)]),
                      writer=writer)


def raw_record(root: Path, row: dict) -> bytes:
    path = Path(root) / row["warc_file"]
    try:
        return read_record(path, row["offset"], row["length"])
    except (OSError, WarcReadError) as e:
        raise CaptureMissing(f"capture {row['id']} cannot be read from {row['warc_file']}: "
                             f"{getattr(e, 'strerror', None) or e}") from None


def read_capture(root: Path, row: dict) -> tuple[bytes, CapturedResponse]:
    """The record's raw bytes as stored, and the response in them."""
    raw = raw_record(root, row)
    try:
        response = record_from_bytes(raw)
    except Exception as e:  # noqa: BLE001 - a damaged record fails in many ways
        raise CaptureMissing(f"capture {row['id']} in {row['warc_file']} is damaged: {e}") from None
    if response is None:
        raise CaptureMissing(f"capture {row['id']} in {row['warc_file']} holds no HTTP response")
    return raw, response
