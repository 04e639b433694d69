"""Every real page in ../shared/corpus/raw goes through the source that owns it, as `extract` does."""
import json
import re
from datetime import datetime, timezone

import pytest

from archive.fetch.decode import decode_body
from archive.sources import get_source, source_for_url
from archive.sources.base import Page
from helpers import CORPUS

# pages saved from a browser lost their URLs; the site tells which source reads them
SITE_SOURCES = {"mfa.gov.by": "by-mfa"}
NOT_COLLECTED = {
    "timor-leste.gov.tl": "Timor-Leste is not among the archive's sources",
    # every link on both pages goes to www.kln.gov.my; tests/test_profiles.py shows it
    "www.mofa.gov.ae": "the pages saved as UAE MOFA are Malaysia's foreign ministry (kln.gov.my)",
}
# saved without any date on the page: the listing carries it, and the crawler passes it on
UNDATED_PAGES = {"mfa.gov.by"}
MOJIBAKE = ("\ufffd", "Ã©", "Ð¾", "â€", "Ñ\x81")


def manifest():
    path = CORPUS / "manifest.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def page_for(rec):
    body = (CORPUS / rec["path"]).read_bytes()
    # saved pages are read as a crawler would read them: charset from the bytes themselves, not the manifest
    text, _ = decode_body(body, None)
    url = rec["url"] or f"https://{rec['site']}/_saved/{rec['path'].rsplit('/', 1)[-1]}"
    if rec["url"] is None and rec["kind"] == "listing" and rec["site"] == "mfa.gov.by":
        url = "https://mfa.gov.by/en/press/statements/"
    return Page(url=url, text=text, fetched_at=datetime.now(timezone.utc),
                content_type="application/json" if rec["kind"] == "api-json" else "text/html")


@pytest.mark.corpus
@pytest.mark.parametrize("rec", manifest(), ids=lambda r: r["path"].removeprefix("raw/"))
def test_every_corpus_page_parses(corpus, rec):
    if rec["site"] in NOT_COLLECTED:
        pytest.skip(NOT_COLLECTED[rec["site"]])
    page = page_for(rec)
    source = source_for_url(rec["url"]) if rec["url"] else get_source(SITE_SOURCES[rec["site"]])
    assert source is not None, rec
    assert not any(m in page.text for m in MOJIBAKE), "text decoded wrongly"
    if rec["kind"] == "listing":
        listing = source.parse_listing(page)
        assert listing.links and all(ln.title and ln.url.startswith("http") for ln in listing.links)
        return
    st = source.parse_article(page)
    assert st.title and st.paragraphs and all(p.strip() for p in st.paragraphs)
    assert st.language == rec["language"]
    if st.date is not None:
        assert 2010 <= st.date.year <= 2025
    elif rec["site"] not in UNDATED_PAGES:
        # some old English pages are titled "... Press Conference on September 10" and print no date at all:
        # left undated rather than given a guessed year
        assert not re.search(r"\b(?:19|20)[0-9]{2}\b", st.title), st.title
    assert not any(m in st.text for m in MOJIBAKE)
