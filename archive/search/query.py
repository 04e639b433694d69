"""A search as a reader asks for it: the text of the query, the filters, the order and the page.

The pages, the API and the feeds read one from a query string (`SearchQuery.from_args`), checked once;
the command line and cite build one directly; the searcher takes it. Each filter is a row of FILTERS:
adding one is a row there, its attribute on SearchQuery and its field in the index schema.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

MAX_QUERY_CHARS = 500
MAX_TERMS = 40
MAX_PHRASE_WORDS = 100
SORTS = ("relevance", "date", "-date")
PAGE_SIZE = 20
MAX_LIMIT = 100
MAX_SPEAKER_CHARS = 200
DROP_SEP = "|"
# nine digits keep absurd pages out of the collector while allowing any real archive's last page
WHOLE = re.compile(r"[0-9]{1,9}")
# each opening quotation mark and the marks that close it
_CLOSERS = {'"': '"', "\u201c": "\u201d", "\u201d": "\u201d", "\u201e": "\u201c\u201d", "\u00ab": "\u00bb",
            "\u00bb": "\u00ab", "\u300c": "\u300d", "\uff02": "\uff02"}
_MARKS = set(_CLOSERS) | set("".join(_CLOSERS.values()))
_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
# \d, not [0-9]: a Chinese or Japanese input method may type full-width digits in `date:`
_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class BadSearch(ValueError):
    """A search the reader has to fix (a filter value, the paging or the query itself); the message is one
    line. The web answers it with a 400, the command line with an error."""


def plain_quotes(q: str) -> str:
    """The query with its phrases in ASCII quotes, the syntax's own. A phrase ends only at a mark that closes
    the one that opened it, and other marks inside it are punctuation: a quoted title that itself quotes
    “Central and South Asia: Regional Connectivity” stays one phrase."""
    out, closer = [], None
    for ch in q:
        if closer is None and ch in _CLOSERS:
            closer = _CLOSERS[ch]
            out.append('"')
        elif closer is not None and ch in closer:
            closer = None
            out.append('"')
        else:
            out.append(" " if closer is not None and ch in _MARKS else ch)
    return "".join(out)


def query_terms(q: str) -> list[str]:
    """The words and "phrases" a reader searched for, without operators, field names or excluded -words."""
    terms = []
    for m in _TOKEN.finditer(plain_quotes(q)):
        phrase, word = m.groups()
        if phrase is not None:
            terms.append(" ".join(phrase.split()))
        elif not word.startswith("-") and word not in _OPERATORS:
            word = word.lstrip("+(").rstrip(")")
            name, sep, value = word.partition(":")
            if not sep or not name.isidentifier():
                terms.append(word)
            elif name.lower() != "date":  # date:2024-11 narrows the search; its digits are not in the text
                terms.append(value)
    return [t for t in terms if t.strip()][:MAX_TERMS]


def split_drops(raw: str) -> tuple[str, ...]:
    """The other spellings a query string's `drop` leaves out of a search: DROP_SEP between them, as no
    spelling holds it (CLDR's names hold commas)."""
    return tuple(dict.fromkeys(d.strip() for d in raw.split(DROP_SEP) if d.strip()))


def join_drops(drops) -> str:
    return DROP_SEP.join(drops)


def user_day(text: str, last: bool = False) -> date | None:
    """A date as a user types it, the same for the web's filters, `date:` in a query and the command line:
    YYYY, YYYY-MM or YYYY-MM-DD. A year or a month means its first day, or with `last` its last one.
    None for text of another form; ValueError for a date the calendar lacks (2024-02-30): each caller
    words its own message."""
    m = _DAY.fullmatch(text.strip())
    if not m:
        return None
    year = int(m[1])
    if m[3] is not None:
        return date(year, int(m[2]), int(m[3]))
    if m[2] is not None:
        first = date(year, int(m[2]), 1)
        return first.replace(day=calendar.monthrange(year, first.month)[1]) if last else first
    return date(year, 12, 31) if last else date(year, 1, 1)


def _typed_day(raw: str) -> date | None:
    try:
        return user_day(raw)
    except ValueError:
        return None


@dataclass(frozen=True)
class Filter:
    """One way to narrow a search. `arg` names it in query strings and forms, `attr` on SearchQuery; a
    typed value must match `pattern` and `read` must take it (else `message`, where {raw} is the value as
    typed). The searcher narrows the index field `field` to the value as `match` says: "word" (the field is
    lowercased), "exact", "outlet" (any name of an outlet, as its canonical one), "year", "since" or "until"
    (a date). Kept free of Whoosh, which is slow to import, so that the command line starts fast."""
    arg: str
    attr: str
    label: str
    field: str
    pattern: re.Pattern
    message: str
    match: str
    read: Callable[[str], object] = str
    # whether a quote lookup (cite) narrows by it too
    cites: bool = False

    def parse(self, args: Mapping[str, str]):
        raw = args.get(self.arg, "").strip()
        if not raw:
            return None
        value = self.read(raw) if self.pattern.fullmatch(raw) else None
        if value is None:
            raise BadSearch(self.message.format(raw=raw[:40]))
        return value


# in the order the pages list a search's active filters
FILTERS = (
    Filter("country", "country", "Country", "country", re.compile(r"[A-Za-z]{2}"),
           "“country” must be a two-letter code such as CN", "word", read=str.upper, cites=True),
    # any text is a source id: one the archive lacks matches nothing
    Filter("source", "source", "Source", "source", re.compile(r".+", re.S), "", "word", cites=True),
    Filter("from", "date_from", "From", "date", re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
           "“from” must be a date written YYYY-MM-DD, not “{raw}”", "since", read=_typed_day, cites=True),
    Filter("to", "date_to", "To", "date", re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
           "“to” must be a date written YYYY-MM-DD, not “{raw}”", "until", read=_typed_day, cites=True),
    Filter("kind", "kind", "Kind", "kind", re.compile(r"[a-z][a-z-]{0,39}"),
           "“kind” must be a kind such as press-conference, not “{raw}”", "word"),
    Filter("language", "language", "Language", "language", re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?"),
           "“language” must be a language code such as en or zh, not “{raw}”", "word", read=str.lower),
    Filter("speaker", "speaker", "Speaker", "speaker_exact", re.compile(rf".{{1,{MAX_SPEAKER_CHARS}}}", re.S),
           f"“speaker” must be at most {MAX_SPEAKER_CHARS} characters", "exact", cites=True),
    # an outlet that asked questions, by any of its names ("Reuters", "路透社"): the searcher folds it
    Filter("outlet", "outlet", "Outlet", "outlet", re.compile(rf".{{1,{MAX_SPEAKER_CHARS}}}", re.S),
           f"“outlet” must be at most {MAX_SPEAKER_CHARS} characters", "outlet"),
    Filter("year", "year", "Year", "year", re.compile(r"[0-9]{4}"),
           "“year” must be a four-digit year, not “{raw}”", "year", read=int),
)


def whole(args: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    """A whole number from a query string (a page, a limit, a revision), `default` when it is absent."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not WHOLE.fullmatch(raw) or int(raw) < minimum:
        raise BadSearch(f"“{name}” must be a whole number of at least {minimum}")
    return int(raw)


@dataclass(frozen=True)
class SearchQuery:
    """One search: the text as typed (query syntax and all), a value for each filter of FILTERS or None,
    the order (SORTS) and the page (limit, offset). Built by the command line and cite, read from a query
    string by `from_args`; the searcher takes it whole."""
    text: str = ""
    country: str | None = None
    source: str | None = None
    kind: str | None = None
    language: str | None = None
    speaker: str | None = None
    outlet: str | None = None
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    # True searches the words as typed; else a place's name and the lexicon's words are searched in every
    # language (search.expansion), less the other spellings in `drop`
    exact: bool = False
    drop: tuple[str, ...] = ()
    limit: int = PAGE_SIZE
    offset: int = 0

    def __post_init__(self):
        if self.sort not in SORTS:
            raise BadSearch(f"“sort” must be one of {', '.join(SORTS)}")
        if self.limit < 0 or self.offset < 0:
            raise BadSearch("limit and offset must not be negative")

    @classmethod
    def from_args(cls, args: Mapping[str, str], max_limit: int = MAX_LIMIT) -> SearchQuery:
        """The search a query string asks for, the same for the pages, the API and the feeds (page, or limit
        and offset); BadSearch for the first value that is wrong."""
        limit = min(whole(args, "limit", PAGE_SIZE, 1), max_limit)
        if args.get("offset", "").strip():
            offset = whole(args, "offset", 0, 0)
        else:
            offset = (whole(args, "page", 1, 1) - 1) * limit
        values = {f.attr: f.parse(args) for f in FILTERS}
        if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
            raise BadSearch("“from” is after “to”: swap the dates")
        exact = args.get("exact", "").strip()
        if exact not in ("", "0", "1"):
            raise BadSearch(f"“exact” must be 1 or 0, not “{exact[:40]}”")
        return cls(text=args.get("q", "").strip(), sort=args.get("sort", "").strip() or "relevance",
                   exact=exact == "1", drop=split_drops(args.get("drop", "")), limit=limit, offset=offset,
                   **values)

    def to_args(self) -> dict[str, str]:
        """The query string that asks for this search: `from_args` reads it back to an equal SearchQuery."""
        args = {"q": self.text, "sort": self.sort, "limit": str(self.limit), "offset": str(self.offset)}
        if self.exact:
            args["exact"] = "1"
        if self.drop:
            args["drop"] = join_drops(self.drop)
        args.update((f.arg, str(value)) for f, value in self.filters())
        return args

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    def filters(self) -> list[tuple[Filter, object]]:
        """The filters this search sets, with their values; an empty text sets none (`--country ''`)."""
        return [(f, getattr(self, f.attr)) for f in FILTERS if getattr(self, f.attr) not in (None, "")]

    def for_quotes(self) -> SearchQuery:
        """This search with only the filters a quote lookup takes."""
        return replace(self, **{f.attr: None for f in FILTERS if not f.cites})

