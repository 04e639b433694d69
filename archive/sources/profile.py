"""Declarative sources: a ministry whose site is "listing pages → article pages" is one TOML file.

A profile names the site's constants (id, ministry, country, language, time zone, hosts, start URLs)
and its selectors (CSS) for listing items, links, titles, dates, bodies and speakers. See
`profiles/README.md` for the keys. A page that the body selector does not fit is read by a generic
extractor (readability) and flagged with a warning, so a template change shows in the crawl summary
instead of silently emptying the archive.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from ..model import KINDS, ROLES, Statement
from .base import ExtractError, Link, Listing, Page, Source
from .dates import parse_date
from .htmltext import paragraphs, soup, text_of
from .turns import split_turns

PROFILE_DIR = Path(__file__).parent / "profiles"
# the kinds whose texts are transcripts that may be split into turns
SPOKEN = ("press-conference", "interview", "remarks")


class ProfileError(Exception):
    """A profile file that cannot be used; the message names the file and key."""


@dataclass
class Match:
    """What one selector found on a page, for `policy-archive sources --check`."""
    name: str
    selector: str
    count: int
    sample: str = ""


@dataclass
class ListingRules:
    match: str
    item: str
    link: str = "a"
    title: str = ""
    date: str = ""
    next: str = ""
    # for lists that link by script (onclick="f_view('123')"): a regex searched in the link's `href_from`
    # attribute, and the URL its groups make ("view.do?seq={1}"); the href is used where it does not match
    href_from: str = "onclick"
    href_pattern: str = ""
    href_template: str = ""


@dataclass
class TurnRule:
    """A paragraph matching `pattern` opens a turn of `role`; the speaker is the pattern's `speaker`
    group when it has one, else `speaker`."""
    pattern: str
    role: str
    speaker: str = ""

    def __post_init__(self):
        self.regex = re.compile(self.pattern)
        if self.role not in ROLES:
            raise ValueError(f"turn role {self.role!r} is not one of {', '.join(ROLES)}")

    def label(self, paragraph: str) -> tuple[str, str] | None:
        m = self.regex.match(paragraph)
        if not m:
            return None
        named = m.groupdict().get("speaker")
        return ((named or self.speaker or self.role).strip(), self.role)


@dataclass
class ArticleRules:
    title: str
    body: str
    date: str = ""
    speaker: str = ""
    drop: list[str] = field(default_factory=list)


def _first(node: Tag, selector: str) -> Tag | None:
    return node.select_one(selector) if selector else None


class ProfileSource(Source):
    def __init__(self, data: dict, origin: str):
        try:
            self.id = data["id"]
            self.ministry = data["ministry"]
            self.country = data["country"]
            self.language = data["language"]
            self.hosts = tuple(data["hosts"])
            self.start_urls = tuple(data["start_urls"])
            self.timezone = ZoneInfo(data["timezone"])
            self.verified = data.get("verified", "not verified against a live page")
            self.description = data.get("description") or f"{self.ministry} (profile {origin}; {self.verified})"
            self.listing_rules = ListingRules(**data["listing"])
            self.article_rules = ArticleRules(**data["article"])
            self.kinds = [(re.compile(pattern), kind) for pattern, kind in data.get("kinds", {}).items()]
            self.turn_rules = [TurnRule(**rule) for rule in data.get("turns", [])]
            self.default_kind = data.get("default_kind", "statement")
            self.date_format = data.get("date_format")
            self._listing_url = re.compile(self.listing_rules.match)
        except KeyError as e:
            raise ProfileError(f"{origin}: missing key {e.args[0]!r}") from None
        except (TypeError, ValueError, re.error) as e:
            raise ProfileError(f"{origin}: {e}") from None
        bad = [k for _, k in self.kinds if k not in KINDS] + (
            [self.default_kind] if self.default_kind not in KINDS else [])
        if bad:
            raise ProfileError(f"{origin}: unknown kind {bad[0]!r}; one of {', '.join(KINDS)}")

    # listing -----------------------------------------------------------------------------------------

    def is_listing(self, url: str) -> bool:
        return bool(self._listing_url.search(url))

    def _items(self, doc: BeautifulSoup) -> list[Tag]:
        return doc.select(self.listing_rules.item)

    def parse_listing(self, page: Page) -> Listing:
        rules = self.listing_rules
        doc = soup(page.text)
        items = self._items(doc)
        if not items:
            raise ExtractError(f"{self.id}: no listing items ({rules.item}) on {page.url}")
        links = []
        for item in items:
            a = self._link_of(item)
            href = self._href(a) if a is not None else None
            if not href:
                continue
            url = urljoin(page.url, href)
            if urlsplit(url).scheme not in ("http", "https"):  # javascript:void(0), mailto:
                continue
            title = text_of(_first(item, rules.title)) if rules.title else text_of(a)
            date = self._date(_first(item, rules.date)) if rules.date else None
            links.append(Link(url=url, title=title, date=date))
        if not links:
            raise ExtractError(f"{self.id}: listing items ({rules.item}) hold no links ({rules.link}) on {page.url}")
        nxt = _first(doc, rules.next)
        return Listing(links=links, next_pages=[urljoin(page.url, nxt["href"])] if nxt and nxt.get("href") else [])

    def _link_of(self, item: Tag) -> Tag | None:
        rules = self.listing_rules
        if not rules.link or (item.name == "a" and item.select_one(rules.link) is None):
            return item
        return item.select_one(rules.link)

    def _href(self, a: Tag) -> str | None:
        rules = self.listing_rules
        if rules.href_pattern and (m := re.search(rules.href_pattern, a.get(rules.href_from) or "")):
            return rules.href_template.format(m.group(0), *m.groups())
        return a.get("href")

    # article -----------------------------------------------------------------------------------------

    def parse_article(self, page: Page) -> Statement:
        rules = self.article_rules
        doc = soup(page.text)
        for selector in rules.drop:
            for el in doc.select(selector):
                el.decompose()
        title_el = _first(doc, rules.title)
        title = text_of(title_el)
        if not title:
            raise ExtractError(f"{self.id}: no title ({rules.title}) on {page.url}")
        date_el = _first(doc, rules.date) if rules.date else None
        date = self._date(date_el) if date_el is not None else None
        speakers = [text_of(el) for el in doc.select(rules.speaker)] if rules.speaker else []
        # the title and date are the page's furniture, not paragraphs, even where the body holds them
        for el in (title_el, date_el):
            if el is not None:
                el.extract()
        body = _first(doc, rules.body)
        paras = paragraphs(body) if body is not None else []
        if not paras:
            paras = _generic_paragraphs(page.text)
            if not paras:
                raise ExtractError(f"{self.id}: no body ({rules.body}) on {page.url}, and the generic "
                                   f"extractor found no text either")
            page.warnings.append(f"{page.url}: body selector {rules.body!r} matched nothing; "
                                 f"read with the generic extractor")
        if rules.date and date is None:
            raise ExtractError(f"{self.id}: no date ({rules.date}) on {page.url}")
        return self.statement(url=page.url, title=title, paragraphs=paras, date=date,
                              speakers=[s for s in speakers if s], fetched_at=page.fetched_at)

    def kind_for(self, title: str) -> str:
        return next((kind for pattern, kind in self.kinds if pattern.search(title)), self.default_kind)

    def turns_for(self, title: str, paragraphs: list[str], speakers=()) -> list:
        if not self.turn_rules or self.kind_for(title) not in SPOKEN:
            return []
        return split_turns(paragraphs, lambda p: next(
            (found for rule in self.turn_rules if (found := rule.label(p))), None))

    def _date(self, el: Tag | None):
        if el is None:
            return None
        # <time datetime="..."> and <meta content="..."> carry the date unambiguously; the text is for readers
        text = next((el[a] for a in ("datetime", "content") if el.get(a)), None) or text_of(el)
        if not text:
            return None
        if self.date_format:
            from datetime import datetime
            m = re.search(r"\S.*\S|\S", text)
            try:
                return datetime.strptime(m.group(), self.date_format).replace(tzinfo=self.timezone)
            except ValueError:
                pass
        return parse_date(text, self.timezone)

    # diagnosis ---------------------------------------------------------------------------------------

    def diagnose(self, page: Page) -> list[Match]:
        """What each selector of this profile matches on a page: the listing's or the article's."""
        doc = soup(page.text)
        if self.is_listing(page.url):
            rules = self.listing_rules
            items = self._items(doc)
            first = items[0] if items else doc
            link = self._link_of(first) if items else None
            return [Match("listing.item", rules.item, len(items), text_of(first)[:80] if items else ""),
                    Match("listing.link", rules.link, int(link is not None), text_of(link)[:80] if link else ""),
                    *(_match(f"listing.{k}", getattr(rules, k), first) for k in ("title", "date")),
                    _match("listing.next", rules.next, doc)]
        rules = self.article_rules
        return [_match(f"article.{k}", getattr(rules, k), doc) for k in ("title", "date", "body", "speaker")]


def _match(name: str, selector: str, node: Tag) -> Match:
    if not selector:
        return Match(name, "", 0, "(not set)")
    found = node.select(selector)
    return Match(name, selector, len(found), text_of(found[0])[:80] if found else "")


def _generic_paragraphs(html: str) -> list[str]:
    from readability import Document
    try:
        return paragraphs(Document(html).summary(html_partial=True))
    except Exception:  # readability raises bare errors on pages with no usable content
        return []


def load_profiles(directory: Path = PROFILE_DIR) -> list[ProfileSource]:
    out = []
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ProfileError(f"{path.name}: {e}") from None
        out.append(ProfileSource(data, path.name))
    return out
