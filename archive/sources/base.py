"""What every source is: a site's knowledge (URLs, selectors, date formats), apart from the fetching engine.

A source turns fetched pages into links and statements. It never fetches anything itself, so the same
code parses a live crawl, a saved file (`policy-archive extract`) and, later, a WARC capture.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from ..model import Statement


class ExtractError(Exception):
    """The page does not look like what this source expects (a template change, or the wrong page)."""


@dataclass
class Page:
    """A fetched page: canonical URL (never the mirror's), decoded text, and when it was fetched."""
    url: str
    text: str
    fetched_at: datetime | None = None
    content_type: str = "text/html"
    # what the parser wants the crawl summary to show (a fallback extractor used, say)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Link:
    url: str
    title: str = ""
    date: datetime | None = None


@dataclass
class Listing:
    """What a listing or feed page gives: links to articles, statements carried whole (feeds), more pages."""
    links: list[Link] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


class Source:
    id: str = ""
    ministry: str = ""
    country: str = ""
    language: str = ""
    hosts: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    timezone: tzinfo | None = None
    description: str = ""
    # which of this source's templates real pages confirm, and which were written from notes
    verified: str = "unverified"
    # how this source's statements pair with their versions in other languages (versions.py); None: they don't
    versions = None

    def owns(self, url: str) -> bool:
        return (urlsplit(url).hostname or "") in self.hosts

    def is_listing(self, url: str) -> bool:
        raise NotImplementedError

    def parse_listing(self, page: Page) -> Listing:
        raise NotImplementedError

    def parse_article(self, page: Page) -> Statement:
        raise NotImplementedError

    def paragraphs_from_html(self, html: str) -> list[str]:
        """Body paragraphs from a fragment of body HTML (used by imports that carry `html`)."""
        from .htmltext import paragraphs
        return paragraphs(html)

    def kind_for(self, title: str) -> str:
        return "other"

    def challenged(self, page: Page) -> bool:
        """Whether the site answered with an anti-bot challenge instead of the page: never parsed or stored,
        the page is tried again later (with the cookies the challenge set)."""
        return False

    def turns_for(self, title: str, paragraphs: list[str], speakers=()) -> list:
        """Transcript turns read from the title, text and named speakers alone (so imports get them too)."""
        return []

    def json_of(self, page: Page, expected: type, what: str):
        """The page's JSON, which must be of `expected` type (an API answering an HTML error page, say,
        is a failure of this source, reported as one)."""
        import json
        try:
            data = json.loads(page.text)
        except json.JSONDecodeError as e:
            raise ExtractError(f"{self.id}: not JSON (got no JSON value: {e.msg}) on {page.url}") from None
        if not isinstance(data, expected):
            raise ExtractError(f"{self.id}: JSON is not {what} on {page.url}")
        return data

    def diagnose(self, page: Page) -> list:
        """Per-selector matches on a page, for `sources --check`; sources without selectors give none."""
        return []

    def statement(self, **fields) -> Statement:
        """A Statement with this source's constant fields filled in."""
        fields.setdefault("kind", self.kind_for(fields.get("title", "")))
        if "turns" not in fields:
            fields["turns"] = self.turns_for(fields.get("title", ""), fields.get("paragraphs", []),
                                             fields.get("speakers", []))
        return Statement(source=self.id, country=self.country, ministry=self.ministry,
                         language=fields.pop("language", self.language), **fields)


def extract_page(source: Source, page: Page) -> dict:
    """What `source` reads in a saved page, as JSON: an article's statement, or a listing's links, whole
    statements and next pages. ExtractError when it cannot read the page."""
    if not source.is_listing(page.url):
        return {"kind": "article", "statement": source.parse_article(page).to_json()}
    listing = source.parse_listing(page)
    return {"kind": "listing",
            "links": [{"url": ln.url, "title": ln.title, "date": ln.date.isoformat() if ln.date else None}
                      for ln in listing.links],
            "statements": [s.to_json() for s in listing.statements],
            "next_pages": listing.next_pages}
