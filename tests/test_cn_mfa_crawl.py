"""The real `policy-archive crawl` of both China MFA sources through the corpus server, on a bounded part of
../shared/corpus: the English listing's first page (May 6 .. July 3, 2020), then the Chinese listing's first
twelve pages (reaching back to April 27, 2020; the corpus lacks the pages its first 127 links name, captured
later than the articles). Every conference stored is dated and every conference stored in both languages is
linked both ways. The whole corpus is bench/cn_mfa_crawl.py's."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from helpers import archive_store

pytestmark = pytest.mark.corpus


def _bench():
    spec = importlib.util.spec_from_file_location("cn_mfa_crawl_bench",
                                                  Path(__file__).parent.parent / "bench" / "cn_mfa_crawl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_crawling_both_languages_dates_every_conference_and_links_both_ways(corpus_server, tmp_path):
    bench = _bench()
    # the English first: the Chinese version, stored later, finds it and links both directions
    en, _ = bench.crawl(tmp_path, corpus_server.url, "cn-mfa-en", "--max-pages", "1")
    zh, _ = bench.crawl(tmp_path, corpus_server.url, "cn-mfa-zh", "--max-pages", "12")
    (en,), (zh,) = en["sources"], zh["sources"]
    assert (en["found"], en["new"], en["warnings"], en["challenged"]) == (40, 40, 0, 0), json.dumps(en)
    assert (zh["found"], zh["new"], zh["challenged"]) == (180, 53, 0), json.dumps(zh)
    # the listing links it cannot follow: pages of 2020-07 .. 12 the corpus does not hold, and the current
    # template's listing, which it holds none of
    assert {m.rsplit(": ", 1)[1] for m in zh["messages"]} == {"HTTP 404"} and zh["errors"] == 127 + 1
    store = archive_store(tmp_path)
    result = bench.measure(store)
    store.close()
    assert result["stored"] == {"cn-mfa-en": 40, "cn-mfa-zh": 53}
    assert result["undated"] == {} and result["undated_conferences"] == {}
    assert result["bilingual_conferences"] >= 30, json.dumps(result)
    assert result["linked"] == {way: result["bilingual_conferences"] for way in ("zh→en", "en→zh", "both ways")}
