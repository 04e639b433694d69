"""`sources --check`: fetch one listing page and one article of a source and say what each selector found."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..fetch.client import Fetcher, FetchError
from ..model import Statement
from ..sources.base import ExtractError, Page, Source


@dataclass
class PageCheck:
    url: str
    role: str                      # "listing" or "article"
    ok: bool = False
    status: int | None = None
    error: str = ""
    matches: list[dict] = field(default_factory=list)
    found: dict = field(default_factory=dict)


def _fetch(fetcher: Fetcher, source: Source, url: str, check: PageCheck) -> Page | None:
    try:
        res = fetcher.get(url, allowed_hosts=set(source.hosts))
    except FetchError as e:
        check.error = str(e)
        return None
    check.status = res.status
    if res.status != 200:
        check.error = f"HTTP {res.status}"
        return None
    return Page(url=url, text=res.text, fetched_at=res.fetched_at, content_type=res.content_type or "")


def _check(fetcher: Fetcher, source: Source, check: PageCheck, parse):
    """Fetch a page, record what each selector matched and what `parse` made of it (None on failure)."""
    page = _fetch(fetcher, source, check.url, check)
    if page is None:
        return None
    check.matches = [asdict(m) for m in source.diagnose(page)]
    try:
        parsed = parse(page)
    except ExtractError as e:
        check.error = str(e)
        return None
    check.ok = True
    if page.warnings:
        check.error = "; ".join(page.warnings)
    return parsed


def check_source(source: Source, fetcher: Fetcher) -> list[PageCheck]:
    listing_check = PageCheck(source.start_urls[0], "listing")
    checks = [listing_check]
    listing = _check(fetcher, source, listing_check, source.parse_listing)
    if listing is None:
        return checks
    listing_check.found = {"links": len(listing.links), "statements": len(listing.statements),
                           "next_pages": listing.next_pages[:1]}
    if listing.statements:
        st = listing.statements[0]
        checks.append(PageCheck(st.url, "feed item", ok=True, found=_summary(st)))
        return checks
    if not listing.links:
        return checks
    article_check = PageCheck(listing.links[0].url, "article")
    checks.append(article_check)
    st = _check(fetcher, source, article_check, source.parse_article)
    if st is not None:
        article_check.found = _summary(st)
    return checks


def _summary(st: Statement) -> dict:
    fields = st.to_dict()
    return {**{k: fields[k] for k in ("title", "date", "kind", "speakers")},
            "paragraphs": len(fields["paragraphs"]), "turns": len(fields["turns"]),
            "first_paragraph": fields["paragraphs"][0][:120]}
