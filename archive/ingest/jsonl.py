"""The interchange format: JSON Lines, one statement a line (see README, "`import` and `export`: JSON Lines")."""
from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import IO, Iterator

from ..model import Statement
from ..store import Store
from .pipeline import Pipeline
from .record import record_to_statement, statement_to_record
from .reports import ImportFileError, LinesReport


def _open_bytes(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_file(path: Path) -> list[Statement]:
    """Every statement of one file, or ImportFileError at the first bad line (then nothing is imported)."""
    out = []
    try:
        with _open_bytes(path) as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                out.append(_statement(path, n, raw))
    except (OSError, EOFError, zlib.error) as e:
        raise ImportFileError(f"{path}: cannot read: {e}") from None
    return out


def import_file(store: Store, path: Path) -> LinesReport:
    """Import one file into the store: how many statements it held, were new, changed and unchanged.
    ImportFileError (nothing imported) for a bad line."""
    report = LinesReport(str(path))
    Pipeline(store).present(read_file(path), report)
    return report


def _statement(path: Path, n: int, raw: bytes) -> Statement:
    # each line decoded on its own, so that bytes that are not UTF-8 are reported with their line
    try:
        rec = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ImportFileError(f"{path}:{n}: not UTF-8 ({e.reason} at byte {e.start + 1} of the line)") from None
    except json.JSONDecodeError as e:
        raise ImportFileError(f"{path}:{n}: not valid JSON ({e.msg})") from None
    except ValueError as e:  # a number of more than 4,300 digits
        raise ImportFileError(f"{path}:{n}: not valid JSON ({str(e).split(';')[0]})") from None
    except RecursionError:
        raise ImportFileError(f"{path}:{n}: not valid JSON (nested too deeply)") from None
    try:
        return record_to_statement(rec)
    except ValueError as e:
        raise ImportFileError(f"{path}:{n}: {e}") from None


def export_lines(statements: Iterator[dict]) -> Iterator[str]:
    for st in statements:
        yield json.dumps(statement_to_record(st), ensure_ascii=False) + "\n"


def export_file(statements: Iterator[dict], path: Path) -> int:
    """Write the statements to `path` (gzipped for a .gz name) and return how many; an interrupted export
    leaves the file as it was, never half of one, as it is written beside the target and renamed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as raw:
            out = gzip.open(raw, "wt", encoding="utf-8") if path.suffix == ".gz" else open(
                raw.fileno(), "w", encoding="utf-8", closefd=False)
            with out:
                n = 0
                for line in export_lines(statements):
                    out.write(line)
                    n += 1
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return n
