"""United Kingdom, Foreign, Commonwealth & Development Office, through the gov.uk APIs (JSON, no HTML pages).

- articles: the Content API (`https://www.gov.uk/api/content<base_path>`), VERIFIED on two real items (an FCO
  speech in Arabic, a British High Commission news story; `../shared/corpus/raw/www.gov.uk/api/content/`).
  Statements are kept under their public URL (`https://www.gov.uk<base_path>`), not the API's.
- listing: the Search API (`/api/search.json`), UNVERIFIED: no real response is in the corpus. It is written
  from the search-api documentation ("Using the search API": `filter_*` repeated for several values, `start`
  0-based, `count`, `order=-public_timestamp`, `fields`) and from memory of its answer shape (`results` with
  `link`, `title`, `public_timestamp`, `content_store_document_type`; `total`; `start`), and tested only on
  a hand-made fixture. The search covers the FCO too, so that statements from before the 2020 merger are found.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from ...model import Statement, normalize_text
from ..base import ExtractError, Link, Listing, Page, Source
from ..dates import parse_date

SITE = "https://www.gov.uk"
SEARCH_PATH = "/api/search.json"
CONTENT_PREFIX = "/api/content"

# Content API document types of the news-and-speeches formats (schemas `speech` and `news_article`). An oral
# statement is read out by a minister in Parliament; an authored article is a minister's op-ed.
DOCUMENT_KINDS = {
    "speech": "speech",
    "oral_statement": "speech",
    "written_statement": "statement",
    "authored_article": "statement",
    "press_release": "statement",
    "news_story": "statement",
    "world_news_story": "statement",
    "government_response": "statement",
}
ORGANISATIONS = ("foreign-commonwealth-development-office", "foreign-commonwealth-office")
SEARCH_URL = SITE + SEARCH_PATH + "?" + urlencode(
    [("filter_organisations", org) for org in ORGANISATIONS]
    + [("filter_content_store_document_type", t) for t in DOCUMENT_KINDS]
    + [("order", "-public_timestamp"), ("count", "50"),
       ("fields", "title,link,public_timestamp,content_store_document_type")], safe=",")

# Calls and meetings are published as press releases or news stories: only the title tells them apart.
_READOUT = re.compile(r"(?i)\breadout\b|\b(?:calls?|meetings?|meets|met|talks) with\b")
# "The Rt Hon Boris Johnson MP", "Lord Ahmad of Wimbledon", "Dame Karen Pierce DCMG": the name is what a
# reader searches for, so the courtesy prefix and the post-nominal letters go.
_HONORIFIC = re.compile(r"^(?:The\s+)?(?:Rt\.?|Right)\s+Hon(?:ourable)?\.?\s+")
_POST_NOMINALS = re.compile(r"(?:,?\s+[A-Z]{2,5})+$")
# link groups whose titles say where and by whom: ministries, embassies, countries
_TAG_LINKS = ("organisations", "worldwide_organisations", "world_locations")


def person_name(title: str) -> str:
    return normalize_text(_POST_NOMINALS.sub("", _HONORIFIC.sub("", normalize_text(title))))


class UkFcdo(Source):
    id = "uk-fcdo"
    ministry = "Foreign, Commonwealth & Development Office"
    country = "GB"
    language = "en"
    hosts = ("www.gov.uk",)
    start_urls = (SEARCH_URL,)
    timezone = ZoneInfo("Europe/London")
    description = "Speeches, statements and press releases of the FCDO (and the FCO before it) on gov.uk"
    verified = "Content API: real items in the corpus (2); search API unverified"

    def is_listing(self, url: str) -> bool:
        return self.owns(url) and urlsplit(url).path == SEARCH_PATH

    def parse_listing(self, page: Page) -> Listing:
        data = self.json_of(page, dict, "an object")
        results = data.get("results")
        if not isinstance(results, list):
            raise ExtractError(f"{self.id}: no `results` list in the search answer on {page.url}")
        links = [Link(url=SITE + CONTENT_PREFIX + r["link"], title=normalize_text(r.get("title") or ""),
                      date=parse_date(r.get("public_timestamp") or "", self.timezone))
                 for r in results if self._wanted(r)]
        return Listing(links=links, next_pages=self._next_page(page.url, data, len(results)))

    @staticmethod
    def _wanted(result: dict) -> bool:
        # The document-type filter of the start URL is unverified: a result of another type (travel advice,
        # guidance) is left out here too, and so is a link off gov.uk, which has no Content API item.
        link = result.get("link") or ""
        doc_type = result.get("content_store_document_type")
        return link.startswith("/") and (doc_type is None or doc_type in DOCUMENT_KINDS)

    @staticmethod
    def _next_page(url: str, data: dict, returned: int) -> list[str]:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        start = int(dict(query).get("start") or 0)
        total = data.get("total")
        # the server may return fewer than `count` (it caps it), so the next page starts after what came
        if not returned or not isinstance(total, int) or start + returned >= total:
            return []
        query = [(k, v) for k, v in query if k != "start"] + [("start", str(start + returned))]
        return [parts._replace(query=urlencode(query, safe=",")).geturl()]

    def parse_article(self, page: Page) -> Statement:
        data = self.json_of(page, dict, "an object")
        title = normalize_text(data.get("title") or "")
        if not title:
            raise ExtractError(f"{self.id}: no `title` in the Content API item on {page.url}")
        details = data.get("details") or {}
        body = details.get("body")
        if not isinstance(body, str) or not body.strip():
            raise ExtractError(f"{self.id}: no `details.body` in the Content API item "
                               f"(document_type {data.get('document_type')!r}) on {page.url}")
        text = self.paragraphs_from_html(body)
        if not text:
            raise ExtractError(f"{self.id}: no text paragraphs in `details.body` on {page.url}")
        base_path = data.get("base_path") or urlsplit(page.url).path.removeprefix(CONTENT_PREFIX)
        links = data.get("links") or {}
        speakers = [person_name(p.get("title") or "") for p in links.get("speaker") or []]
        if details.get("speaker_without_profile"):
            speakers.append(normalize_text(details["speaker_without_profile"]))
        tags = [normalize_text(item.get("title") or "") for group in _TAG_LINKS for item in links.get(group) or []]
        return self.statement(url=SITE + base_path, title=title, paragraphs=text,
                              date=self._date(data, details), language=data.get("locale") or self.language,
                              kind=self.kind_of(data.get("document_type") or "", title),
                              speakers=_unique(speakers), tags=_unique(tags), fetched_at=page.fetched_at)

    def kind_for(self, title: str) -> str:
        # an import without the document type has only the title to go by
        return "readout" if _READOUT.search(title) else "other"

    def kind_of(self, document_type: str, title: str) -> str:
        kind = DOCUMENT_KINDS.get(document_type, "other")
        return "readout" if kind == "statement" and self.kind_for(title) == "readout" else kind

    def _date(self, data: dict, details: dict) -> datetime | None:
        for text in (data.get("first_published_at"), details.get("first_public_at"), data.get("public_updated_at")):
            if date := parse_date(text or "", self.timezone):
                return date
        return None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


SOURCES = [UkFcdo()]
