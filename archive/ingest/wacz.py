"""Captures as a WACZ package, the zip other web archives open (ReplayWeb.page, pywb), and WACZ packages in.

The package (WACZ 1.1.1): archive/data.warc.gz holds the chosen response records byte for byte as captured,
one gzip member each, stored uncompressed in the zip so a replayer reads a record by its offset without
unpacking; indexes/index.cdx (CDXJ lines by cdxj-indexer, sorted) points into it; pages/pages.jsonl lists every capture
of a statement's own page with the statement's title and date; datapackage.json gives each file's sha256 and
size, and datapackage-digest.json that file's.

The `wacz` package's writer (`wacz create`) takes whole WARC files and finds pages by itself; here the records
are a selection and the pages are the store's statements, so the zip is written here, in one pass, with the
digests taken as the bytes go by (`wacz create` reads every file back to hash it). The `wacz` package is a
test dependency only (its `wacz validate` checks every package the tests write, and pywb replays one): at
run time it would bring frictionless and its dependencies for a version string.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from cdxj_indexer.main import CDXJIndexer
from sqlalchemy import select
from warcio.recordbuilder import RecordBuilder
from warcio.timeutils import datetime_to_iso_date, datetime_to_timestamp
from warcio.warcwriter import WARCWriter

from .. import __version__
from ..captures import read_capture
from ..fetch.warc import GZIP_MAGIC, SOFTWARE, SUFFIXES, WARC_VERSION
from ..store import Store
from ..store.tables import aware, captures
from .reports import ImportFileError

WARC_NAME = "data.warc.gz"
WARC_PATH = f"archive/{WARC_NAME}"
# CDXJ lines (as the spec asks) under the name both replayers look for: ReplayWeb.page reads indexes/*.cdx
# and *.cdxj, pywb's `wb-manager add --unpack-wacz` (2.10) only *.cdx and *.cdx.gz
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"
PACKAGE_PATH = "datapackage.json"
DIGEST_PATH = "datapackage-digest.json"
SUFFIX = ".wacz"
# the version of the format written (py-wacz's check, `wacz validate`, knows it by this string)
WACZ_VERSION = "1.1.1"
_CHUNK = 1 << 20
# an index bigger than this is sorted and held on disk, not in memory
_SPOOL_BYTES = 16 << 20


@dataclass
class Selection:
    """What goes into a package: capture rows (one per record, in capture order) and the pages list."""
    rows: list[dict]
    pages: list[dict]
    # statements with a capture in the package (of the whole archive: those whose own page was captured;
    # one known only from a feed is not counted, though its feed capture is in)
    statements: int
    uncaptured: int = 0             # statements asked for that have no capture (imported from JSON Lines)
    main_page: dict | None = None   # the page a replayer opens first: one statement's newest capture


@dataclass
class WaczSummary:
    path: str
    records: int
    statements: int
    uncaptured: int
    pages: int
    index_lines: int
    warc_bytes: int
    bytes: int

    def to_json(self) -> dict:
        return asdict(self)


def _iso(dt: datetime) -> str:
    return datetime_to_iso_date(dt.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)


def _page(st: dict, row: dict) -> dict:
    # one line per capture of the statement's page: the id names both, so two statements read from one
    # page (a briefing's questions) each get their line
    stamp = datetime_to_timestamp(row["captured_at"].astimezone(timezone.utc).replace(tzinfo=None))
    return {"id": f"{st['id']}@{stamp}", "url": row["url"], "ts": _iso(row["captured_at"]),
            "title": st.get("title") or row["url"], "date": st.get("date"), "statement": st["id"]}


def _own_page(st: dict, row: dict) -> bool:
    return row["url"] == st["url"] and row["status"] == 200


def _distinct(rows: Iterable[dict]) -> list[dict]:
    """One row per record, oldest first (a gzip member holding several records is copied once)."""
    seen, out = set(), []
    for row in sorted(rows, key=lambda r: (r["captured_at"], r["id"])):
        if (row["warc_file"], row["offset"]) not in seen:
            seen.add((row["warc_file"], row["offset"]))
            out.append(row)
    return out


def select_all(store: Store) -> Selection:
    """Every capture the archive lists (robots.txt and listing pages too), every statement's pages."""
    with store.engine.connect() as conn:
        rows = [{**r, "captured_at": aware(r["captured_at"])}
                for r in conn.execute(select(captures)).mappings()]
    by_url: dict[str, list[dict]] = {}
    for st in store.iter_statements():
        by_url.setdefault(st["url"], []).append({k: st[k] for k in ("id", "url", "title", "date")})
    rows = _distinct(rows)
    pages = [_page(st, row) for row in rows for st in by_url.get(row["url"], ()) if _own_page(st, row)]
    return Selection(rows, pages, len({p["statement"] for p in pages}))


def select_statements(store: Store, ids: Iterable[str]) -> Selection:
    """The captures each statement was read from (its page, and the listings and feeds that carried it).
    KeyError for an id the archive does not hold."""
    rows, pages, count, uncaptured = [], [], 0, 0
    for sid in dict.fromkeys(ids):
        st = store.get(sid)
        if st is None:
            raise KeyError(sid)
        found = store.statement_captures(sid)
        count += bool(found)
        uncaptured += not found
        rows += found
        pages += [_page(st, row) for row in sorted(found, key=lambda r: r["captured_at"]) if _own_page(st, row)]
    main_page = pages[-1] if count == 1 and pages else None
    return Selection(_distinct(rows), pages, count, uncaptured, main_page)


class _Digesting(io.RawIOBase):
    """A zip entry being written, hashed and counted on the way."""

    def __init__(self, out):
        self.out, self.sha256, self.size = out, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.out.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def resource(self, path: str) -> dict:
        return {"name": PurePosixPath(path).name.lower(), "path": path,
                "hash": f"sha256:{self.sha256.hexdigest()}", "bytes": self.size}


def _entry(zf: zipfile.ZipFile, path: str, source, most: int, stored: bool = False) -> dict:
    """Copy the binary stream `source`, of at most `most` bytes, into the zip as `path`; its datapackage
    resource."""
    info = zipfile.ZipInfo(path, datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    # ZIP64 fields only where the size needs them: ReplayWeb.page (wabac.js 2.x) finds an entry's data by
    # the central directory's extra-field length, so a local header with a ZIP64 extra the central
    # directory lacks (what force_zip64 writes for a small entry) sends it 20 bytes off (seen: "not valid JSON")
    with zf.open(info, "w", force_zip64=most >= zipfile.ZIP64_LIMIT) as out:
        digesting = _Digesting(out)
        shutil.copyfileobj(source, digesting, _CHUNK)
    return digesting.resource(path)


def _warcinfo(description: str) -> bytes:
    buffer = io.BytesIO()
    builder = RecordBuilder(warc_version=WARC_VERSION)
    WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION).write_record(builder.create_warcinfo_record(
        WARC_NAME, {"software": f"{SOFTWARE} {__version__}", "format": "WARC File Format 1.1",
                    "description": description}))
    return buffer.getvalue()


def _records(root: Path, rows: list[dict], description: str,
             on_progress: Callable[[int, int], None]) -> Iterable[bytes]:
    yield _warcinfo(description)
    for n, row in enumerate(rows, 1):
        # read and parsed, so that a capture file damaged since it was listed fails the export (CaptureMissing)
        # rather than put a broken record in the package
        raw, _ = read_capture(root, row)
        # a record imported from an uncompressed WARC file: compressed alone, as the package's file is gzip
        yield raw if raw[:2] == GZIP_MAGIC[:2] else gzip.compress(raw)
        on_progress(n, len(rows))


def _most(rows: list[dict]) -> int:
    """An upper bound of the package's WARC file size: the records as stored, a gzip member's overhead for
    each (a record from an uncompressed file is compressed alone, and might not shrink), the warcinfo."""
    return sum(row["length"] + row["length"] // 1000 + 64 for row in rows) + 4096


class _Chunks(io.RawIOBase):
    """An iterable of byte strings as a readable stream, for shutil.copyfileobj."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks, self._left = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._left:
            self._left = next(self._chunks, None)
            if self._left is None:
                self._left = b""
                return 0
        n = min(len(buffer), len(self._left))
        buffer[:n], self._left = self._left[:n], self._left[n:]
        return n


def _index(zf: zipfile.ZipFile, out) -> int:
    """Write the CDXJ index of the package's WARC file (read back from the zip) to the text stream `out`."""
    lines = _Counting(out)
    with zf.open(WARC_PATH) as warc:
        CDXJIndexer(lines, [warc], sort=True, filename=WARC_NAME, records="response,revisit").process_all()
    return lines.count


class _Counting:
    def __init__(self, out):
        self.out, self.count = out, 0

    def write(self, text: str) -> None:
        self.count += text.count("\n")
        self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def write_wacz(dest: Path, root: Path, sel: Selection, *, title: str, description: str,
               on_progress: Callable[[int, int], None] | None = None) -> WaczSummary:
    """Write the package to `dest`, whole or not at all: it is built under a temporary name beside `dest` and
    renamed when complete. `on_progress(records written, records)`. CaptureMissing when a capture cannot be
    read back."""
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    resources = []
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            records = _Chunks(_records(root, sel.rows, description, on_progress or (lambda n, total: None)))
            resources.append(_entry(zf, WARC_PATH, records, _most(sel.rows), stored=True))
            with tempfile.SpooledTemporaryFile(_SPOOL_BYTES, "w+b") as spool:
                text = io.TextIOWrapper(spool, "utf-8", newline="\n", write_through=True)
                index_lines = _index(zf, text)
                size = spool.tell()
                spool.seek(0)
                resources.append(_entry(zf, INDEX_PATH, spool, size))
                text.detach()
            header = {"format": "json-pages-1.0", "id": "pages", "title": title}
            pages = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [header, *sel.pages])
            pages_bytes = pages.encode()
            resources.append(_entry(zf, PAGES_PATH, io.BytesIO(pages_bytes), len(pages_bytes)))
            package = {"profile": "data-package", "resources": resources, "title": title,
                       "description": description, "created": f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ}",
                       "wacz_version": WACZ_VERSION, "software": f"{SOFTWARE} {__version__}"}
            if sel.main_page:
                package.update(mainPageURL=sel.main_page["url"], mainPageDate=sel.main_page["ts"])
            package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode()
            zf.writestr(zipfile.ZipInfo(PACKAGE_PATH, datetime.now(timezone.utc).timetuple()[:6]), package_bytes,
                        zipfile.ZIP_DEFLATED)
            zf.writestr(zipfile.ZipInfo(DIGEST_PATH, datetime.now(timezone.utc).timetuple()[:6]), json.dumps(
                {"path": PACKAGE_PATH, "hash": f"sha256:{hashlib.sha256(package_bytes).hexdigest()}"}, indent=2),
                zipfile.ZIP_DEFLATED)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return WaczSummary(path=str(dest), records=len(sel.rows), statements=sel.statements,
                       uncaptured=sel.uncaptured, pages=len(sel.pages),
                       index_lines=index_lines, warc_bytes=resources[0]["bytes"], bytes=dest.stat().st_size)


def _expected_hashes(zf: zipfile.ZipFile) -> dict[str, str]:
    try:
        package = json.loads(zf.read(PACKAGE_PATH))
    except KeyError:  # a package without datapackage.json (WACZ 1.0 drafts): nothing to check against
        return {}
    return {r["path"]: r["hash"] for r in package.get("resources", []) if "path" in r and "hash" in r}


def warcs_in(package: Path, into: Path) -> list[tuple[str, Path]]:
    """The WARC files of a WACZ package, extracted into the folder `into` and checked against the hashes its
    datapackage.json gives: (name to report, extracted file) each. ImportFileError for a file that is no
    readable package, holds no WARC file, or whose WARC files are not what its datapackage.json says."""
    out = []
    try:
        with zipfile.ZipFile(package) as zf:
            expected = _expected_hashes(zf)
            names = [n for n in zf.namelist() if n.startswith("archive/") and n.endswith(SUFFIXES)]
            if not names:
                raise ImportFileError(f"{package}: no WARC file under archive/ (is it a WACZ package?)")
            for n, name in enumerate(names):
                target = into / f"{n}-{PurePosixPath(name).name}"
                kind, _, want = expected.get(name, "sha256:").partition(":")
                digest = hashlib.new(kind or "sha256")
                with zf.open(name) as src, open(target, "wb") as dst:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                if want and digest.hexdigest() != want:
                    raise ImportFileError(f"{package}: {name} does not match the {kind} hash datapackage.json "
                                          f"gives for it; the package was altered or damaged")
                out.append((f"{package}:{name}", target))
    except (zipfile.BadZipFile, ValueError) as e:
        raise ImportFileError(f"{package}: not a readable WACZ package ({e})") from None
    except OSError as e:
        raise ImportFileError(f"{package}: cannot read: {e.strerror or e}") from None
    return out
