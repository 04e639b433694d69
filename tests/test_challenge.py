"""The China MFA's anti-bot challenge: a real loopback site answers a client without the WAF cookie with the
challenge page (which sets the cookie), and the crawler keeps the cookie for the crawl, counts the challenge,
stores nothing from it, and owes the page until it gets the article."""
from __future__ import annotations

from datetime import date

from archive.sources import get_source
from archive.sources.base import Page
from helpers import CORPUS, archive_store, cli_json
from sitefixture import CHALLENGE_COOKIE, CHALLENGE_HTML, LISTING, article_html

ZH = "https://www.fmprc.gov.cn" + LISTING


def crawl(data, site):
    return cli_json(data, "crawl", "cn-mfa-zh", "--offline", "--delay", "0", *site.mirror_args)


def test_the_challenge_page_is_recognised_and_an_article_is_not():
    cn = get_source("cn-mfa-zh")
    assert cn.challenged(Page(url=ZH + "t1.shtml", text=CHALLENGE_HTML))
    assert not cn.challenged(Page(url=ZH + "t1.shtml", text=article_html(1, date.today())))
    # a real page of the current template starts <body> with the same script, and is an article
    real = next((CORPUS / "raw/www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202403").glob("*.shtml"), None)
    if real is not None:
        text = real.read_text(encoding="utf-8")
        assert "/_ws_sbu/sbu_hc.js" in text and not cn.challenged(Page(url=ZH + "t1.shtml", text=text))


def test_a_challenge_sets_the_cookie_the_rest_of_the_crawl_sends(site, tmp_path):
    site.challenge = True
    res = crawl(tmp_path / "data", site)
    [rep] = res["sources"]
    # the first answer is the challenge; the listing is tried again, with the cookie, and read
    assert site.answers[1] == (LISTING + "default.shtml", "challenge") and rep["challenged"] == 1
    # (the site has no current-template column: that start page answers 404, the crawl's one error)
    assert rep["new"] == 20 and rep["owed"] == 0 and rep["messages"] == [
        "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/index.shtml: HTTP 404"]
    # every later request to that host carries the cookie; the other host's (www.mfa.gov.cn, mirrored to the
    # same address under /current) never do
    later = [(path.startswith(LISTING), f"{CHALLENGE_COOKIE}=" in h.get("Cookie", ""))
             for path, h in site.requests[2:]]
    assert later and all(fmprc == sent for fmprc, sent in later) and (False, False) in later
    assert not any(r["title"] == "" for r in archive_store(tmp_path / "data").iter_statements())


def test_a_challenged_article_is_not_stored_and_stays_owed(site, tmp_path, store_engine):
    site.challenged = {20}
    data = tmp_path / "data"
    [rep] = crawl(data, site)["sources"]
    assert rep["challenged"] == 1 and rep["new"] == 19 and rep["owed"] == 1 and rep["status"] == "partial"
    assert any("anti-bot challenge" in m for m in rep["messages"])
    store = archive_store(data)
    url = ZH + "t20.shtml"
    assert not any(r["url"] == url for r in store.iter_statements())
    assert store.owed_entry(url)["attempts"] == 1
    # the site lets it through later: the next crawl stores it and owes nothing
    site.challenged = set()
    [rep] = crawl(data, site)["sources"]
    assert rep["new"] == 1 and rep["owed"] == 0 and rep["challenged"] == 0
    [stored] = [r for r in archive_store(data).iter_statements() if r["url"] == url]
    assert stored["date_source"] == "page" and stored["title"] == "外交部发言人就第20号问题答记者问"
