"""The interchange record (README, "import and export") both ways: a record to a Statement, checked field
by field against the documented format before anything is stored; a statement's fields back to a record.

A value the format does not allow is refused with a one-line reason, never passed on: a speaker stored as
a number, a lone surrogate or a year-1 date was stored once and then broke every later command that read it.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from ..model import DATE_SOURCES, KINDS, Statement, Turn
from ..sources import SOURCES, source_for_url
from ..sources.htmltext import paragraphs as html_paragraphs
from ..sources.outlets import outlets_of

REQUIRED = ("url", "title", "date", "country", "ministry", "language")
SPEAKER_SEPARATOR = "; "
# Dates a ministry can have printed: nothing before 1900, and at most a year ahead (an embargoed release).
# A year 1 or 20024 is a typo, and a year before 1 or after 9999 cannot be placed in time at all.
EARLIEST = date(1900, 1, 1)
AHEAD = timedelta(days=366)
# characters each field may hold, well above what real statements hold (the corpus's longest title is
# 477 characters, its longest body 85,000), so that a runaway value is refused rather than indexed
LIMITS = {"url": 4096, "title": 2000, "ministry": 500, "guid": 4096, "source": 64, "kind": 32, "language": 35,
          "speaker": 2000, "tag": 200}
MAX_TAGS = 200
# the crawler's cap on a response body, after decompression
MAX_BODY = 20_000_000

_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# json.loads lets "\ud800" through as a lone surrogate, which no UTF-8 file or database can hold
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_NAMES = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "an object"}


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _text(name: str, value, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {_JSON_NAMES.get(type(value), type(value).__name__)}")
    if _SURROGATE.search(value):
        raise ValueError(f"{name} holds a lone surrogate (\\ud800-\\udfff), which is not text")
    if "\x00" in value:
        # nor a NUL, which PostgreSQL's text cannot hold (SQLite would take it, and the two stores must agree)
        raise ValueError(f"{name} holds a NUL character (\\x00), which is not text")
    if len(value) > limit:
        raise ValueError(f"{name} is too long: {len(value):,} characters (at most {limit:,})")
    return value


def _optional(rec: dict, name: str, limit: int | None = None) -> str | None:
    value = rec.get(name)
    if value is None or value == "":
        return None
    return _text(name, value, limit or LIMITS[name])


def _date(value) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"date is not ISO 8601: {_show(value)}") from None
    latest = date.today() + AHEAD
    if not EARLIEST <= when.date() <= latest:
        raise ValueError(f"date {_show(value)} is out of range (from {EARLIEST} to {latest}, a year from today)")
    return when


def _speakers(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [s for s in (_text("speaker", s, LIMITS["speaker"]) for s in value) if s]
    return [s for s in _text("speaker", value, LIMITS["speaker"]).split(SPEAKER_SEPARATOR) if s]


def _tags(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("tags must be a list of strings")
    if len(value) > MAX_TAGS:
        raise ValueError(f"too many tags: {len(value):,} (at most {MAX_TAGS})")
    return [_text("tag", t, LIMITS["tag"]) for t in value]


def _whole(name: str, value) -> int:
    # bool is an int to Python, and a float or a string is no paragraph number
    if type(value) is not int:
        raise ValueError(f"a turn's {name} must be a whole number, not {_show(value)}")
    return value


def _turns(value) -> list[Turn]:
    if not isinstance(value, list):
        raise ValueError("turns must be a list")
    turns = []
    for t in value:
        if not isinstance(t, dict) or not {"speaker", "role", "start", "end"} <= t.keys():
            raise ValueError("a turn needs speaker, role, start and end")
        role = _text("a turn's role", t["role"], LIMITS["kind"])
        # a question's outlet comes back as its label; its names are the table's, never the file's
        outlet = _text("a turn's outlet", t["outlet"], LIMITS["speaker"]) if t.get("outlet") else None
        keys = tuple(outlets_of(outlet)) if outlet and role == "question" else ()
        turns.append(Turn(_text("a turn's speaker", t["speaker"], LIMITS["speaker"]), role,
                          _whole("start", t["start"]), _whole("end", t["end"]),
                          outlet=outlet if keys else None, outlet_keys=keys))
    return turns


def _paragraphs(rec: dict, source) -> list[str]:
    html = _optional(rec, "html", MAX_BODY)
    if html is not None:
        found = source.paragraphs_from_html(html) if source is not None else html_paragraphs(html)
    else:
        text = _optional(rec, "text", MAX_BODY)
        if text is None:
            raise ValueError("no body: give `html` or `text`")
        found = re.split(r"\n\s*\n", text) if "\n\n" in text else text.split("\n")
    # turns count paragraphs: drop the empty ones first, as the Statement would
    return [p for p in found if p.strip()]


def record_to_statement(rec) -> Statement:
    """One interchange record to a Statement; ValueError with a one-line reason when it is not valid."""
    if not isinstance(rec, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in REQUIRED if rec.get(k) is None or rec.get(k) == ""]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    url = _text("url", rec["url"], LIMITS["url"])
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"url is not an http(s) URL: {_show(url)}")
    title = _text("title", rec["title"], LIMITS["title"])
    ministry = _text("ministry", rec["ministry"], LIMITS["ministry"])
    when = _date(rec["date"])
    country = rec["country"]
    if not (isinstance(country, str) and len(country) == 2 and country.isascii() and country.isalpha()):
        raise ValueError(f"country is not an ISO 3166-1 alpha-2 code: {_show(country)}")
    language = rec["language"]
    if not (isinstance(language, str) and len(language) <= LIMITS["language"] and _LANG.match(language)):
        raise ValueError(f"language is not a BCP 47 tag: {_show(language)}")
    source_id = _optional(rec, "source")
    source = SOURCES.get(source_id or "") or source_for_url(url)
    paragraphs = _paragraphs(rec, source)
    kind = _optional(rec, "kind") or (source.kind_for(title) if source else "other")
    if kind not in KINDS:
        raise ValueError(f"kind {_show(kind)} is not one of {', '.join(KINDS)}")
    date_source = _optional(rec, "date_source", LIMITS["kind"])
    if date_source is not None and date_source not in DATE_SOURCES[:-1]:
        raise ValueError(f"date_source {_show(date_source)} is not one of {', '.join(DATE_SOURCES[:-1])}")
    speakers = _speakers(rec.get("speaker"))
    # no turns given (or an empty list): read from the text, as a crawl would
    turns = _turns(rec["turns"]) if rec.get("turns") is not None and rec["turns"] != [] else (
        source.turns_for(title, paragraphs, speakers) if source else [])
    st = Statement(
        turns=turns, source=source.id if source else (source_id or urlsplit(url).hostname or "import"),
        url=url, title=title, paragraphs=paragraphs, country=country, ministry=ministry, language=language,
        kind=kind, date=when, date_source=date_source, speakers=speakers, guid=_optional(rec, "guid"),
        tags=_tags(rec.get("tags")))
    problems = st.problems()
    if problems:
        raise ValueError(", ".join(problems))
    return st


def statement_to_record(fields: dict) -> dict:
    """A statement's fields (a stored row, or Statement.to_dict()) as one interchange record: the way back."""
    rec = {k: fields[k] for k in ("url", "title", "date", "country", "ministry", "language", "source", "kind")}
    if fields["speakers"]:
        # str(): rows stored before imports checked types may hold numbers, and must still export
        rec["speaker"] = SPEAKER_SEPARATOR.join(map(str, fields["speakers"]))
    for optional in ("date_source", "tags", "guid", "turns"):
        if fields.get(optional):
            rec[optional] = fields[optional]
    rec["text"] = "\n\n".join(fields["paragraphs"])
    return rec
