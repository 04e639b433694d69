"""The web UI in a real browser (Debian's Chromium driven by Playwright) against the real server:
search with the keyboard, narrow by a filter, open a statement, follow a paragraph anchor, phone width, a day
and a speaker."""
import json
import re
from pathlib import Path

import pytest

from helpers import Server, cli

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")


def records():
    for i in range(30):
        country, ministry = ("US", "U.S. Department of State") if i % 3 else ("CN", "Ministry of Foreign Affairs")
        yield {"url": f"https://example.org/{country.lower()}/{i}", "title": f"Briefing {i} on missile deployments",
               "date": f"2024-03-{i % 28 + 1:02d}T10:00:00+00:00", "country": country, "ministry": ministry,
               "language": "en", "speaker": f"Spokesperson {i % 2}", "kind": "press-conference",
               "text": "\n\n".join([f"Opening remarks {i}.", "On the Nansei islands, missile units were deployed.",
                                    "We oppose <script>alert(1)</script> any escalation."])}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    src = root / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    assert cli(root / "data", "import", str(src)).returncode == 0
    server = Server(root / "data")
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def test_search_filter_open_and_anchor(server, browser, tmp_path):
    page = browser.new_page()
    remote = []
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(server) else None)
    page.goto(server + "/")
    # the search box has focus: a keyboard user types and presses Enter
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q'", timeout=5000)
    page.keyboard.type('"Nansei islands"')
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "30 statements" in page.inner_text("main")

    # narrow by a facet: the sidebar's country link, with its count
    page.locator("a[href*='country=CN']").first.click()
    page.wait_for_load_state()
    assert "country=CN" in page.url
    assert "10 statements" in page.inner_text("main")
    # the same narrowing from the filter form
    page.goto(server + "/?q=%22Nansei+islands%22")
    page.select_option("select#country", "CN")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "country=CN" in page.url and "10 statements" in page.inner_text("main")

    page.locator("main a[href*='/statements/']").first.click()
    page.wait_for_load_state()
    assert re.search(r"/statements/[0-9a-f]{16}", page.url)
    # scraped markup is shown as text, never run
    assert "<script>alert(1)</script>" in page.inner_text("main")
    page.click("a[href='#p2']")
    assert page.url.endswith("#p2")
    assert "Nansei islands" in page.inner_text("#p2")
    page.screenshot(path=str(tmp_path / "statement.png"))
    assert remote == []


def test_readable_on_a_phone(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(server + "/?q=missile")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "30 statements" in page.inner_text("main")
    # keyboard focus is visible: the focused link gets an outline
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_csv_export_link_downloads_every_match(server, browser):
    page = browser.new_page(accept_downloads=True)
    page.goto(server + "/?q=missile&country=CN")
    with page.expect_download() as info:
        page.click("text=CSV")
    download = info.value
    assert download.suggested_filename == "policy-archive-search.csv"
    rows = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "id,date,title,ministry,country,source,kind,language,speaker,url"
    assert len(rows) == 1 + 10 and all(",CN," in row for row in rows[1:])


def test_a_day_and_a_speaker_on_a_phone_by_keyboard(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    remote = []
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(server) else None)
    page.goto(server + "/days/2024-03-01")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    main = page.inner_text("main")
    assert "2 statements from 2 ministries" in main and "No earlier statements" in main
    # the next day is a keypress away from its link
    page.focus("a[rel=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/days/2024-03-02")
    page.locator("main a[href*='/speakers/']").first.click()
    page.wait_for_load_state()
    assert re.search(r"/speakers/Spokesperson%20[01]$", page.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert re.search(r"Statements\s+15\b", page.inner_text("main"))
    assert page.locator("figure.timeline svg a").count() == 1  # every statement is of March 2024
    assert remote == []


@pytest.mark.parametrize("width,height", [(375, 740), (1280, 900)])
def test_the_compare_timeline_is_visible_and_its_marks_reached_by_keyboard(server, browser, width, height, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": height})
    remote = []
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(server) else None)
    page.goto(server + "/?q=missile")
    page.click("text=Compare the ministries")
    page.wait_for_load_state()
    assert "/compare?q=missile" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    svg = page.locator("figure.lanes svg")
    assert svg.is_visible() and svg.bounding_box()["height"] > 40
    # the row labels stay legible on a phone
    assert page.evaluate("document.querySelector('figure.lanes text.label').getBoundingClientRect().height") >= 8
    marks = page.locator("figure.lanes svg a")
    # a mark per day with a match in each lane: the records are of March 2024 alone
    assert marks.count() == len({(r["country"], r["date"][:10]) for r in records()})
    # tabbing from the form reaches the first mark; Enter follows it, narrowing every lane to its day
    page.focus("#to")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('figure.lanes')"):
            break
    assert page.evaluate("document.activeElement.closest('figure.lanes svg a') !== null")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "from=2024-03-01&to=2024-03-01" in page.url
    # both ministries spoke on 1 March, at the same hour
    assert sorted(page.locator("section.lane > h2").all_inner_texts()) == [
        "Ministry of Foreign Affairs (CN) · 1 statement", "U.S. Department of State (US) · 1 statement"]
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    assert remote == []


# /cite on real statements of the Singapore MFA (newest first): GAZA is in the archive, HELD_OUT is not
GAZA = "9bd9e5701fae5878"
HELD_OUT = "638b2d7632285457"
# GAZA's paragraph 12 as a news story printed it: "this" for "the", "duties" for "obligations"
CHANGED = ("Singapore also supports the call made in this resolution for all parties to comply with their duties "
           "under international law")
# a sentence of HELD_OUT: the archive's boilerplate, but no 8 words of it in a row in any loaded statement
UNSEEN = ("They expressed a common desire to make progress in areas of common interest such as in innovation, "
          "climate change, renewable energy and the green economy.")


@pytest.mark.corpus
def test_cite_a_real_quote_by_keyboard_and_a_quote_the_archive_does_not_hold(corpus, browser, tmp_path):
    # imported here: the tests above need neither the corpus nor the lookup
    from urllib.parse import urlencode

    from helpers import build_archive

    from archive.cite.lookup import words
    from archive.ingest.jsonl import read_file

    statements = read_file(corpus / "statements" / "sg-mfa-2021-2024.jsonl.gz")
    ids = [st.id for st in statements]
    # the statements before HELD_OUT that hold GAZA or the boilerplate of UNSEEN (what makes it look familiar)
    loaded = [st for st in statements[:ids.index(HELD_OUT)] if st.id == GAZA or "areas of common interest" in st.text]
    assert GAZA in [st.id for st in loaded] and len(loaded) > 1
    text, w = [" ".join(words(p)) for st in loaded for p in st.paragraphs], words(UNSEEN)
    assert not any(" ".join(w[i:i + 8]) in t for i in range(len(w) - 7) for t in text)
    server = Server(build_archive(tmp_path / "data", loaded))
    try:
        page = browser.new_page(viewport={"width": 375, "height": 740})
        remote = []
        page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(server.url) else None)
        page.goto(server.url + "/cite")
        # one text box, reached and submitted with the keyboard: Tab to it, type, Tab to the button, Enter
        for _ in range(10):
            if page.evaluate("document.activeElement.id") == "q":
                break
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        page.keyboard.type(f"“{CHANGED}”")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Look up"
        page.keyboard.press("Enter")
        page.wait_for_url("**/cite?*")
        page.wait_for_load_state()

        # first on the screen: the label, then the official wording with the changes marked inline
        assert page.inner_text("main h2").endswith(": near")
        wording = page.locator("article.match blockquote.wording").first
        assert wording.is_visible() and wording.bounding_box()["y"] < 740
        shown = wording.inner_text()
        assert "[changed: the → this]" in shown and "[changed: obligations → duties]" in shown
        assert page.locator("article.match").first.locator("mark").count() == 1
        assert "Singapore also supports the call made in" in wording.locator("mark").inner_text()
        assert "near" in page.inner_text("article.match p.meta")
        citation = page.locator("article.match textarea").first.input_value()
        assert "Archived copy, para. 12" in citation and "In text:" in citation
        # the pasted quote is still in the box, after the answer
        assert page.locator("textarea#q").input_value() == f"“{CHANGED}”"

        page.goto(server.url + "/cite?" + urlencode({"q": f"“{UNSEEN}”"}))
        assert page.inner_text("main h2").endswith(": not-found")
        assert "not found in the archive" in page.inner_text("main")
        assert page.locator("article.match").count() == 0
        similar = page.locator("section.similar")
        assert similar.locator("h2").inner_text() == "Similar wording (not a source)"
        assert similar.locator("article").count() >= 1
        # no source, so nothing in it is highlighted or marked as the news' changes
        assert similar.locator("mark, del, ins").count() == 0
        assert remote == []
        page.close()
    finally:
        server.stop()
