"""U.S. Department of State: the press-release RSS feed, the briefing pages and the WordPress JSON API.

The feed (verified against its full 2021–22 history) carries every statement whole (`content:encoded`), so
it never needs an article page. Identity is the WordPress guid (`https://www.state.gov/?page_id=N`,
`...?post_type=state_briefing&p=N`): the same URL is sometimes reused by a different statement, and an
edited statement keeps its guid.

Unverified against live pages (written from SITE-NOTES): the briefing listing
(`li.collection-result`, paging `/department-press-briefings/page/N/`), briefing pages (headline
`h1.featured-content__headline`, date `p.article-meta__publish-date`, body `div.entry-content` in 2021–22,
`div.classic-block-wrapper` from 2025), the JSON API `/wp-json/wp/v2/state_briefing`, and the archive
hosts of past administrations (`2021-2025.state.gov`, ...). A briefing page's guid is rebuilt from its
WordPress shortlink (`?p=N`), so a briefing read from a page, the API and the feed is one statement.
"""
from __future__ import annotations

import logging
import re
from typing import Sequence
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from lxml import etree

from ...model import Statement, Turn, normalize_text
from ..base import ExtractError, Link, Listing, Page, Source
from ..dates import parse_date
from ..htmltext import paragraphs
from ..turns import Labeller, split_turns

log = logging.getLogger(__name__)

FEED_URL = "https://www.state.gov/rss-feed/press-releases/feed/"
BRIEFINGS_URL = "https://www.state.gov/department-press-briefings/"
BRIEFINGS_API = "https://www.state.gov/wp-json/wp/v2/state_briefing?state_briefing_type=393&per_page=20"
# each administration's pages move to an archive host when it ends
ARCHIVE_HOSTS = ("2021-2025.state.gov", "2017-2021.state.gov", "2009-2017.state.gov")
_BRIEFINGS_PAGE = re.compile(r"^/department-press-briefings(?:/page/(\d+))?/?$")
_SHORTLINK = re.compile(r"[?&]p=(\d+)")
_NS = {"content": "http://purl.org/rss/1.0/modules/content/", "dc": "http://purl.org/dc/elements/1.1/"}

# Titles, checked in order, first match wins; anything else is a press release, i.e. a statement (which is
# also what "Statement", "on the Occasion of", "National Day" titles are). Tuned on all 2,031 titles of
# 2021-05..2022-08. Transcripts are titled with the official's full name ("Secretary Antony J. Blinken At ...",
# "... With <journalist> of <outlet>"), readouts with a possessive ("Secretary Blinken's Call with ...").
_TRANSCRIPT = r"^(?:Deputy )?Secretary (?:of State )?[A-Z]\w+ [A-Z]\. [A-Z]\w+"
_OUTLETS = (r"CNN|NBC|CBS|ABC|Fox|MSNBC|NPR|PBS|BBC|Axios|Al Jazeera|Sky News|France 24|TF1|TVN|ICTV|TV|Television"
            r"|Channel|YouTube|Spiegel|Zeitung|Times of India|Univision")
_NAME_WORD = r"(?:[A-Z][\w.’'()+-]*[,;]?|and|for|of|the|to|at|a)"
KIND_RULES: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(rx)) for kind, rx in (
    # announcements of an event or a trip, whatever event they name ("... to Deliver Keynote Remarks")
    ("statement", r"(?i:\bto (?:Deliver|Participate|Host|Co-Host|Release|Tour|Travel|Lead|Highlight)\b"
                  r"|\bTravels to\b)"),
    ("press-conference", r"(?i:\bPress (?:Briefing|Availability|Conference)\b|^(?:[\w-]+ )?Briefing\b)"),
    ("interview", rf"(?i:\bInterview\b|\bRoundtable with Journalists\b)"
                  rf"|{_TRANSCRIPT}\b.*\b(?:[Ww]ith|On)\b.*\b(?:{_OUTLETS})\b"
                  rf"|{_TRANSCRIPT} [Ww]ith [A-Z]\w+ [A-Z]\w+$"),
    ("speech", r"(?i:\bKeynote\b|\bSpeech (?:at|on|to|by|before)\b|\bAddress (?:at|to|on|by|before)\b)"),
    ("remarks", rf"(?i:\bRemarks\b|\bStatements? to the Press\b|\bPress Statements\b|\bMeet and Greet\b"
                rf"|^Transcript\b|\b(?:Before|After) (?:Their|His|Her) Meeting\b)"
                rf"|{_TRANSCRIPT}|\b[A-Z]\. [A-Z]\w+ [Aa]t (?:a|the)\b"),
    ("readout", r"(?i:[’']s (?:\w+ )?(?:Calls?|Meetings?|Engagements|Participation|Roundtable) (?:with|in)\b"
                r"|\bMeets? with\b|\bReadout\b|(?<!At a )\bMeetings? (?:with|in)\b)"),
    # officials "On" a topic with no verb between: a telephone briefing ("Special Envoy ... Zuniga On Release")
    ("press-conference", rf"^(?:{_NAME_WORD} )*?(?:Secretary|Envoy|Representative|Officials?)[,;]? "
                         rf"(?:{_NAME_WORD} )*?[Oo]n (?:the )?[A-Z]"),
))

# The body opens with the speakers' names and titles, the same words as <dc:creator>; they are dropped
# because they are the speaker field, not statement text. This is decided from the HTML alone, so that an
# import of a record's `html` (which has no dc:creator) gives the same paragraphs as the feed.
_ROLE = re.compile(r"\b(?:Secretary|Spokesperson|Minister|Director|Ambassador|Envoy|Coordinator|Administrator"
                   r"|Advis[eo]r|President|Chairperson|Chancellor|Premier|Counselor|Representative|Prince"
                   r"|Department of State)(?![a-z])")
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_NAME_GLUE = {"of", "for", "and", "the", "at", "to", "in", "on", "de", "bin", "al", "a"}
_BYLINE_MAX = 250


def _is_byline(p: str) -> bool:
    """'Antony J. Blinken, Secretary of State', 'Office of the Spokesperson': names and titles, no sentence."""
    return (len(p) <= _BYLINE_MAX and not re.search(r"[.!?:;”\"]$", p) and bool(_ROLE.search(p))
            and all(w in _NAME_GLUE for w in _WORD.findall(p) if w[0].islower()))


# Transcripts label each turn "MR PRICE: …", "QUESTION: …", "SECRETARY BLINKEN: …" (in <strong> in the HTML, but
# read from the text so that imports agree). Only upper-case labels of a few words count: sanctions lists
# ("VESSEL FLAG: …") are statements, and the two mixed-case transcripts of 2021–22 ("Moderator:") are left
# whole rather than half split. Every label of 2021–22 fits in six words ("SENIOR ADMINISTRATION OFFICIAL
# NUMBER ONE").
_DIALOGUE_KINDS = ("press-conference", "remarks", "interview")
_LABEL = re.compile(r"([^\W\d_]+(?:[ .’'-]+[^\W\d_]+)*\.?):")
_LABEL_WORDS = 6
_QUESTION_LABELS = {"QUESTION": "question", "PARTICIPANT": "PARTICIPANT", "AUDIENCE": "AUDIENCE"}
_MODERATOR_LABELS = {"MODERATOR", "OPERATOR"}
# The department's spokespeople as the transcripts of 2021–22 and later name them; others are found through
# <dc:creator> ("Jalina Porter, Principal Deputy Spokesperson").
_SPOKESPEOPLE = {"MR PRICE", "MS PORTER", "MR MILLER"}
_CREATOR_SPOKESPERSON = re.compile(r"([^,]*?)\s*,[^,]*\bSpokesperson\b")


def _labeller(spokespeople: set[str]) -> Labeller:
    def label(p: str) -> tuple[str, str] | None:
        m = _LABEL.match(p)
        if not m or not m[1].isupper() or len(m[1].split()) > _LABEL_WORDS:
            return None
        # "MR. PRICE" and "MR PRICE" are one speaker
        who = re.sub(r"^(MRS?|MS|DR)\.", r"\1", m[1])
        if who in _QUESTION_LABELS:
            return _QUESTION_LABELS[who], "question"
        if who in _MODERATOR_LABELS:
            return who, "moderator"
        if who in _SPOKESPEOPLE or who.split()[-1] in spokespeople:
            return who, "spokesperson"
        return who, "official"
    return label


class USState(Source):
    id = "us-state"
    ministry = "U.S. Department of State"
    country = "US"
    language = "en"
    hosts = ("www.state.gov", "state.gov", *ARCHIVE_HOSTS)
    start_urls = (FEED_URL, BRIEFINGS_API, BRIEFINGS_URL)
    timezone = ZoneInfo("America/New_York")
    description = ("Press releases, readouts and briefing transcripts: the RSS feed, the briefing pages and "
                   "the WordPress JSON API")
    verified = ("feed: real, all 2,343 hourly versions (2,031 items) in the corpus; briefing pages, JSON API "
                "and archive hosts: unverified")

    def is_listing(self, url: str) -> bool:
        path = urlsplit(url).path
        return self.owns(url) and (path.rstrip("/") == urlsplit(FEED_URL).path.rstrip("/")
                                   or path.startswith("/wp-json/") or bool(_BRIEFINGS_PAGE.match(path)))

    def kind_for(self, title: str) -> str:
        title = normalize_text(title)
        return next((kind for kind, rx in KIND_RULES if rx.search(title)), "statement")

    def turns_for(self, title: str, paragraphs: list[str], speakers: Sequence[str] = ()) -> list[Turn]:
        """Turns of a transcript; `speakers` (the feed's <dc:creator>) may name a spokesperson not known here."""
        if self.kind_for(title) not in _DIALOGUE_KINDS:
            return []
        surnames = {m[1].split()[-1].upper()
                    for s in speakers for m in _CREATOR_SPOKESPERSON.finditer(s) if m[1].split()}
        turns = split_turns(paragraphs, _labeller(surnames))
        # one labelled paragraph is a stray "ERT: …" in an unlabelled text, not a dialogue
        return turns if len({t.speaker for t in turns}) > 1 else []

    def paragraphs_from_html(self, html: str) -> list[str]:
        ps = paragraphs(html)
        lead = 0
        while lead < len(ps) and _is_byline(ps[lead]):
            lead += 1
        return ps[lead:]

    def parse_listing(self, page: Page) -> Listing:
        path = urlsplit(page.url).path
        if path.startswith("/wp-json/"):
            return self._api_listing(page)
        if _BRIEFINGS_PAGE.match(path):
            return self._briefings_listing(page)
        return self._feed_listing(page)

    def _api_listing(self, page: Page) -> Listing:
        posts = self.json_of(page, list, "a list of posts")
        statements = []
        for post in posts:
            try:
                title = BeautifulSoup(post["title"]["rendered"], "lxml").get_text()
                body = self.paragraphs_from_html(post["content"]["rendered"])
                statements.append(self.statement(
                    title=title, url=post["link"], guid=post.get("guid", {}).get("rendered") or None,
                    date=parse_date(post.get("date_gmt", "") + "+00:00") if post.get("date_gmt") else
                    parse_date(post.get("date", ""), self.timezone),
                    speakers=[], paragraphs=body, fetched_at=page.fetched_at))
            except (KeyError, TypeError) as e:
                log.warning("%s: API post without %s on %s", self.id, e, page.url)
        if posts and not statements:
            raise ExtractError(f"{self.id}: no API post had a title, link and content on {page.url}")
        query = parse_qs(urlsplit(page.url).query)
        per_page = int(query.get("per_page", ["10"])[0])
        next_pages = []
        if len(posts) >= per_page:
            query["page"] = [str(int(query.get("page", ["1"])[0]) + 1)]
            next_pages.append(urlunsplit(urlsplit(page.url)._replace(query=urlencode(query, doseq=True))))
        return Listing(statements=[s for s in statements if not s.problems()], next_pages=next_pages)

    def _briefings_listing(self, page: Page) -> Listing:
        doc = BeautifulSoup(page.text, "lxml")
        items = doc.select("li.collection-result")
        if not items:
            raise ExtractError(f"{self.id}: no briefings (li.collection-result) on {page.url}")
        links = []
        for item in items:
            a = item.select_one("a.collection-result__link")
            if a is None or not a.get("href"):
                continue
            date = item.select_one("div.collection-result-meta span:last-child")
            links.append(Link(url=urljoin(page.url, a["href"]), title=normalize_text(a.get_text(" ")),
                              date=parse_date(date.get_text(" "), self.timezone) if date else None))
        if not links:
            raise ExtractError(f"{self.id}: briefings hold no links (a.collection-result__link) on {page.url}")
        n = int(_BRIEFINGS_PAGE.match(urlsplit(page.url).path)[1] or 1)
        return Listing(links=links, next_pages=[urljoin(page.url, f"/department-press-briefings/page/{n + 1}/")])

    def parse_article(self, page: Page) -> Statement:
        doc = BeautifulSoup(page.text, "lxml")
        headline = doc.select_one("h1.featured-content__headline")
        if headline is None:
            raise ExtractError(f"{self.id}: no headline (h1.featured-content__headline) on {page.url}")
        body = doc.select_one("div.entry-content") or doc.select_one("div.classic-block-wrapper")
        if body is None:
            raise ExtractError(f"{self.id}: no body (div.entry-content, div.classic-block-wrapper) on {page.url}")
        date = doc.select_one("p.article-meta__publish-date")
        paras = self.paragraphs_from_html(str(body))
        title = normalize_text(headline.get_text(" "))
        return self.statement(title=title, url=page.url, guid=self._guid(doc, page.url),
                              date=parse_date(date.get_text(" "), self.timezone) if date else None,
                              paragraphs=paras, fetched_at=page.fetched_at)

    @staticmethod
    def _guid(doc: BeautifulSoup, url: str) -> str | None:
        """The feed's guid for this page, from WordPress's shortlink; None leaves the URL as identity."""
        link = doc.select_one("link[rel=shortlink]")
        m = _SHORTLINK.search(link.get("href", "")) if link else None
        if not m:
            return None
        if "/briefings/" in urlsplit(url).path:
            return f"https://www.state.gov/?post_type=state_briefing&p={m[1]}"
        return f"https://www.state.gov/?page_id={m[1]}"

    def _feed_listing(self, page: Page) -> Listing:
        channel = self._channel(page)
        items = channel.findall("item")
        if not items:
            raise ExtractError(f"{self.id}: feed has no <item> on {page.url}")
        statements, problems = [], []
        for n, item in enumerate(items, 1):
            try:
                statements.append(self._item(item, page))
            except ExtractError as e:
                problems.append(f"item {n}: {e}")
        for p in problems:
            log.warning("%s: %s on %s", self.id, p, page.url)
        if not statements:
            raise ExtractError(f"{self.id}: none of the {len(items)} feed items parsed on {page.url} "
                               f"({'; '.join(problems[:3])})")
        return Listing(statements=statements)

    def _channel(self, page: Page) -> etree._Element:
        # Entities stay unexpanded and nothing is fetched: the feed is data from the network.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, encoding="utf-8")
        # WordPress feeds are known to start with stray blank lines, which XML forbids before <?xml.
        try:
            root = etree.fromstring(page.text.lstrip("\ufeff \t\r\n").encode("utf-8"), parser)
        except etree.XMLSyntaxError as e:
            raise ExtractError(f"{self.id}: not XML ({e}) on {page.url}") from None
        channel = root.find("channel") if root.tag == "rss" else None
        if channel is None:
            raise ExtractError(f"{self.id}: not an RSS 2.0 feed (root <{root.tag}>) on {page.url}")
        return channel

    def _item(self, item: etree._Element, page: Page) -> Statement:
        def text(path: str) -> str:
            return (item.findtext(path, namespaces=_NS) or "").strip()

        title, url = text("title"), text("link")
        if not title or not url:
            raise ExtractError("no <title> or <link>")
        body = text("content:encoded") or text("description")
        creator = normalize_text(text("dc:creator"))
        speakers = [creator] if creator else []
        body_paragraphs = self.paragraphs_from_html(body)
        st = self.statement(title=title, url=url, guid=text("guid") or None,
                            date=parse_date(text("pubDate"), self.timezone), speakers=speakers,
                            paragraphs=body_paragraphs, turns=self.turns_for(title, body_paragraphs, speakers),
                            fetched_at=page.fetched_at)
        if problems := st.problems():
            raise ExtractError(f"{', '.join(problems)} ({url})")
        return st


SOURCES = [USState()]
