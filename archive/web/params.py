"""The query string of a search, a cite or a list, checked once: a bad value is a BadSearch with a one-line
message for the reader, the same for the pages, the API and the feeds."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..search.searcher import SORTS

PAGE_SIZE = 20
MAX_LIMIT = 100

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_KIND = re.compile(r"[a-z][a-z-]{0,39}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
_YEAR = re.compile(r"[0-9]{4}")
MAX_SPEAKER_CHARS = 200
# nine digits keep absurd pages out of the collector while allowing any real archive's last page
WHOLE = re.compile(r"[0-9]{1,9}")


class BadSearch(ValueError):
    """A search the user has to fix (a filter value or the query itself); the message is one line."""


@dataclass(frozen=True)
class SearchParams:
    q: str
    country: str | None
    source: str | None
    date_from: date | None
    date_to: date | None
    sort: str
    limit: int
    offset: int
    kind: str | None = None
    language: str | None = None
    speaker: str | None = None
    year: int | None = None

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


def whole(args: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not WHOLE.fullmatch(raw) or int(raw) < minimum:
        raise BadSearch(f"“{name}” must be a whole number of at least {minimum}")
    return int(raw)


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        if _DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise BadSearch(f"“{name}” must be a date written YYYY-MM-DD, not “{raw[:40]}”")


def parse_search(args: Mapping[str, str], max_limit: int = MAX_LIMIT) -> SearchParams:
    """The search a query string asks for, the same for the page and the API (page, or limit and offset)."""
    limit = min(whole(args, "limit", PAGE_SIZE, 1), max_limit)
    if args.get("offset", "").strip():
        offset = whole(args, "offset", 0, 0)
    else:
        offset = (whole(args, "page", 1, 1) - 1) * limit
    country = args.get("country", "").strip()
    if country and not _COUNTRY.fullmatch(country):
        raise BadSearch("“country” must be a two-letter code such as CN")
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadSearch("“from” is after “to”: swap the dates")
    sort = args.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise BadSearch(f"“sort” must be one of {', '.join(SORTS)}")
    kind = _matching(args, "kind", _KIND, "a kind such as press-conference")
    language = _matching(args, "language", _LANGUAGE, "a language code such as en or zh")
    year = _matching(args, "year", _YEAR, "a four-digit year")
    speaker = args.get("speaker", "").strip()
    if len(speaker) > MAX_SPEAKER_CHARS:
        raise BadSearch(f"“speaker” must be at most {MAX_SPEAKER_CHARS} characters")
    return SearchParams(q=args.get("q", "").strip(), country=country.upper() or None,
                        source=args.get("source", "").strip() or None, date_from=date_from, date_to=date_to,
                        sort=sort, limit=limit, offset=offset, kind=kind, language=language and language.lower(),
                        speaker=speaker or None, year=int(year) if year else None)


def _matching(args: Mapping[str, str], name: str, pattern: re.Pattern, what: str) -> str | None:
    raw = args.get(name, "").strip()
    if raw and not pattern.fullmatch(raw):
        raise BadSearch(f"“{name}” must be {what}, not “{raw[:40]}”")
    return raw or None
