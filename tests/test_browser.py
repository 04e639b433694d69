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
