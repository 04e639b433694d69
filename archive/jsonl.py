"""The interchange format: JSON Lines, one statement a line (see README, "Interchange format")."""
from __future__ import annotations

import gzip
import json
import re
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator
from urllib.parse import urlsplit

from .model import KINDS, Statement, Turn
from .sources import SOURCES, source_for_url
from .sources.htmltext import paragraphs as html_paragraphs

REQUIRED = ("url", "title", "date", "country", "ministry", "language")
SPEAKER_SEPARATOR = "; "
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class ImportFileError(Exception):
    """A file that cannot be imported; the message names the file and line."""


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def record_to_statement(rec: dict) -> Statement:
    """One interchange record to a Statement; ValueError with a short reason when it is not valid."""
    if not isinstance(rec, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in REQUIRED if not rec.get(k)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    url = rec["url"]
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"url is not an http(s) URL: {url!r}")
    try:
        when = datetime.fromisoformat(rec["date"])
    except (TypeError, ValueError):
        raise ValueError(f"date is not ISO 8601: {rec['date']!r}") from None
    country = rec["country"]
    if not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
        raise ValueError(f"country is not an ISO 3166-1 alpha-2 code: {country!r}")
    if not _LANG.match(str(rec["language"])):
        raise ValueError(f"language is not a BCP 47 tag: {rec['language']!r}")
    source = SOURCES.get(rec.get("source") or "") or source_for_url(url)
    if source is not None:
        paragraphs = source.paragraphs_from_html(rec["html"]) if rec.get("html") else None
    else:
        paragraphs = html_paragraphs(rec["html"]) if rec.get("html") else None
    if paragraphs is None:
        text = rec.get("text")
        if not isinstance(text, str):
            raise ValueError("no body: give `html` or `text`")
        paragraphs = re.split(r"\n\s*\n", text) if "\n\n" in text else text.split("\n")
    # turns count paragraphs: drop the empty ones first, as the Statement would
    paragraphs = [p for p in paragraphs if p.strip()]
    kind = rec.get("kind") or (source.kind_for(rec["title"]) if source else "other")
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    speaker = rec.get("speaker") or []
    speakers = [s for s in (speaker if isinstance(speaker, list) else speaker.split(SPEAKER_SEPARATOR)) if s]
    turns = _turns(rec.get("turns")) if rec.get("turns") else (
        source.turns_for(rec["title"], paragraphs, speakers) if source else [])
    tags = rec.get("tags") or []
    if not isinstance(tags, list):
        raise ValueError("tags must be a list")
    st = Statement(
        turns=turns,
        source=source.id if source else (rec.get("source") or urlsplit(url).hostname or "import"),
        url=url, title=rec["title"], paragraphs=paragraphs, country=country, ministry=rec["ministry"],
        language=rec["language"], kind=kind, date=when, speakers=speakers,
        guid=rec.get("guid") or None, tags=[str(t) for t in tags])
    problems = st.problems()
    if problems:
        raise ValueError(", ".join(problems))
    return st


def _turns(value) -> list[Turn]:
    if not isinstance(value, list):
        raise ValueError("turns must be a list")
    try:
        return [Turn(t["speaker"], t["role"], int(t["start"]), int(t["end"])) for t in value]
    except (KeyError, TypeError) as e:
        raise ValueError(f"a turn needs speaker, role, start and end ({e})") from None


def read_file(path: Path) -> list[Statement]:
    """Every statement of one file, or ImportFileError at the first bad line (then nothing is imported)."""
    out = []
    try:
        with _open_text(path) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    out.append(record_to_statement(json.loads(line)))
                except json.JSONDecodeError as e:
                    raise ImportFileError(f"{path}:{n}: not valid JSON ({e.msg})") from None
                except ValueError as e:
                    raise ImportFileError(f"{path}:{n}: {e}") from None
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as e:
        raise ImportFileError(f"{path}: cannot read: {e}") from None
    return out


def statement_to_record(st: dict) -> dict:
    rec = {"url": st["url"], "title": st["title"], "date": st["date"], "country": st["country"],
           "ministry": st["ministry"], "language": st["language"], "source": st["source"], "kind": st["kind"]}
    if st["speakers"]:
        rec["speaker"] = SPEAKER_SEPARATOR.join(st["speakers"])
    if st["tags"]:
        rec["tags"] = st["tags"]
    if st["guid"]:
        rec["guid"] = st["guid"]
    if st.get("turns"):
        rec["turns"] = st["turns"]
    rec["text"] = "\n\n".join(st["paragraphs"])
    return rec


def export_lines(statements: Iterator[dict]) -> Iterator[str]:
    for st in statements:
        yield json.dumps(statement_to_record(st), ensure_ascii=False) + "\n"
