"""The statement: what the archive keeps of one published text, independent of where it came from."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

# where a statement's date was read: its page, its title, the listing that linked it; "none": undated, and
# never given a guessed date
DATE_SOURCES = ("page", "title", "listing", "none")
KINDS = ("press-conference", "remarks", "statement", "readout", "speech", "interview", "other")
# who holds the floor in a transcript turn
ROLES = ("spokesperson", "official", "question", "moderator")

# A statement's own fields, as the store keeps them and the API and the export name them (Statement.to_dict)
FIELDS = ("id", "source", "guid", "url", "country", "ministry", "language", "kind", "title", "date", "date_source",
          "speakers", "tags", "paragraphs", "turns", "content_hash")
# what the store adds to a statement: when it was seen, how often its text changed, when it was taken down
SEEN_FIELDS = ("first_seen", "fetched_at", "revision_count", "withdrawn_at")
# what `extract` shows of a parse
PARSED_FIELDS = ("id", "source", "url", "guid", "title", "date", "date_source", "country", "ministry", "language", "kind",
                 "speakers", "paragraphs")

_SPACE = re.compile(r"\s+")


def statement_id(key: str) -> str:
    """Stable id from the identity key (feed guid, else canonical URL): same key, same id, forever."""
    return hashlib.sha1(key.strip().encode("utf-8")).hexdigest()[:16]


def normalize_text(text: str) -> str:
    """One line of text as readers see it: NFC, whitespace runs (ideographic spaces too) made one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).replace("\u3000", " ")).strip()


# bumped whenever content_hash changes, so that a store can hash its revisions again (store._rehash)
CONTENT_HASH_VERSION = "2"


def _visible(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def content_hash(title: str, paragraphs: list[str]) -> str:
    """Hash of the visible characters of title and text, so that a change of markup alone is not a new
    text revision: tags, whitespace, and where paragraphs break (the State feed re-wraps "United States"
    and "Institutions" into one paragraph or two from one hour to the next)."""
    h = hashlib.sha256()
    h.update(_visible(title).encode("utf-8"))
    h.update(b"\x1f")
    for p in paragraphs:
        h.update(_visible(p).encode("utf-8"))
    return h.hexdigest()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass
class Turn:
    """A stretch of a transcript held by one speaker: paragraphs[start:end] of its statement.

    `speaker` is as the page names them ("Wang Wenbin", "MR PRICE", "Reuters", "Fukai, TBS", "问"); `role`
    says what they are there (ROLES). The paragraphs keep their labels: the text stays as published.

    A question asked by a named outlet carries it: `outlet` as the label gives it ("法新社", "Agence
    France-Presse"), `outlet_keys` its canonical names ("AFP"; several when outlets asked together), which
    `archive.sources.outlets` gives and the index counts.
    """
    speaker: str
    role: str
    start: int
    end: int
    outlet: str | None = None
    outlet_keys: tuple[str, ...] = ()

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; one of {', '.join(ROLES)}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"empty or reversed turn {self.start}..{self.end}")
        self.outlet_keys = tuple(self.outlet_keys)
        if (self.outlet or self.outlet_keys) and not (self.role == "question" and self.outlet and self.outlet_keys):
            raise ValueError("only a question carries an outlet, with its label and its canonical names")

    def to_json(self) -> dict:
        out = {"speaker": self.speaker, "role": self.role, "start": self.start, "end": self.end}
        if self.outlet:
            out.update(outlet=self.outlet, outlet_keys=list(self.outlet_keys))
        return out


@dataclass(frozen=True)
class VersionLink:
    """Another language's version of a statement, as its page names it (a language switch, say)."""
    language: str
    url: str


@dataclass
class Statement:
    source: str
    url: str
    title: str
    paragraphs: list[str]
    country: str
    ministry: str
    language: str
    kind: str = "other"
    date: datetime | None = None
    # DATE_SOURCES; left out, a date is the page's own and no date is "none"
    date_source: str | None = None
    speakers: list[str] = field(default_factory=list)
    guid: str | None = None
    tags: list[str] = field(default_factory=list)
    fetched_at: datetime | None = None
    turns: list[Turn] = field(default_factory=list)
    # what the page says of its versions in other languages; the store keeps them as translations, not here
    versions: list[VersionLink] = field(default_factory=list)

    def __post_init__(self):
        self.title = normalize_text(self.title)
        self.paragraphs = [q for q in (normalize_text(p) for p in self.paragraphs) if q]
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; one of {', '.join(KINDS)}")
        self.date_source = self.date_source or ("page" if self.date else "none")
        if self.date_source not in DATE_SOURCES or (self.date is None) != (self.date_source == "none"):
            raise ValueError(f"date source {self.date_source!r} does not fit date {self.date}")
        self.country = self.country.upper()
        if self.turns and self.turns[-1].end > len(self.paragraphs):
            raise ValueError("a turn reaches past the last paragraph")

    @property
    def id(self) -> str:
        return statement_id(self.guid or self.url)

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.paragraphs)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict:
        """The one serialization of a statement: its FIELDS, valued as a stored statement's (an ISO date,
        turns as objects), so that what reads a store row (export, the API) reads this the same way."""
        return {"id": self.id, "source": self.source, "guid": self.guid, "url": self.url, "country": self.country,
                "ministry": self.ministry, "language": self.language, "kind": self.kind, "title": self.title,
                "date": self.date.isoformat() if self.date else None, "date_source": self.date_source,
                "speakers": self.speakers, "tags": self.tags,
                "paragraphs": self.paragraphs, "turns": [t.to_json() for t in self.turns],
                "content_hash": self.content_hash}

    def to_json(self) -> dict:
        """The statement as `extract` shows a parse: what the page gave, before the store adds its dates."""
        fields = self.to_dict()
        return {k: fields[k] for k in PARSED_FIELDS}

    def date_from(self, date: datetime | None, source: str) -> None:
        """Date an undated statement from elsewhere (a listing), recording where the date came from."""
        if self.date is None and date is not None:
            self.date, self.date_source = date, source

    def problems(self) -> list[str]:
        """Why this statement must not be stored (empty list: it may)."""
        out = []
        if not self.title:
            out.append("empty title")
        if not self.paragraphs:
            out.append("empty text")
        if not self.url:
            out.append("no URL")
        return out
