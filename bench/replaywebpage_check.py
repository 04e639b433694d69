"""Open a WACZ package in ReplayWeb.page, in headless Chromium, all on loopback: does it replay the pages?

    npm pack replaywebpage@2.5.3 && tar xzf replaywebpage-2.5.3.tgz     # index.html, ui.js, sw.js in package/
    python bench/replaywebpage_check.py --app package/ --wacz export.wacz [--pages 5] [--json]

ReplayWeb.page is a static site whose service worker reads the package by HTTP range requests; here it is
served by waitress (Flask's send_from_directory answers ranges as a static host does) together with the
package, and Chromium (/usr/bin/chromium) opens each of the first `--pages` lines of the package's
pages/pages.jsonl. A page counts as replayed when the replay frame shows that capture of its URL with the
page's title in its text. Printed: per page, replayed or not and the seconds it took. Exit status 0 when
every page replayed. Not a test: the npm package is not among the project's dependencies.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import zipfile
from pathlib import Path

from flask import Flask, abort, send_file, send_from_directory
from playwright.sync_api import sync_playwright
from waitress.server import create_server

CHROMIUM = "/usr/bin/chromium"


def serve(app_dir: Path, wacz: Path):
    app = Flask(__name__)

    @app.get("/", defaults={"name": "index.html"})
    @app.get("/<path:name>")
    def files(name):
        if name == "archive.wacz":
            return send_file(wacz, conditional=True)
        if not (app_dir / name).is_file():
            abort(404)
        return send_from_directory(app_dir, name, conditional=True)

    server = create_server(app, host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def replays(browser, base: str, page_line: dict, timeout: float) -> tuple[bool, float]:
    """Open one page of the package; whether its capture showed with its title, and after how long."""
    tab = browser.new_page()
    started = time.monotonic()
    tab.goto(f"{base}/?source={base}/archive.wacz#view=replay&url={page_line['url']}")
    try:
        while time.monotonic() - started < timeout:
            for frame in tab.frames:
                try:
                    text = frame.evaluate("document.body ? document.body.innerText : ''")
                except Exception:  # noqa: BLE001 - a frame navigating away mid-read; the next round reads it
                    continue
                # the replay frame's address carries the capture's URL after the replayer's own prefix
                if frame.url.endswith(page_line["url"]) and page_line["title"] in " ".join(text.split()):
                    return True, time.monotonic() - started
            time.sleep(0.5)
        return False, time.monotonic() - started
    finally:
        tab.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", type=Path, required=True, help="the unpacked npm package (index.html, ui.js, sw.js)")
    parser.add_argument("--wacz", type=Path, required=True)
    parser.add_argument("--pages", type=int, default=5, help="how many of the package's pages to open")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with zipfile.ZipFile(args.wacz) as zf:
        lines = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
    server, base = serve(args.app.resolve(), args.wacz.resolve())
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for line in lines[:args.pages]:
                ok, seconds = replays(browser, base, line, args.timeout)
                results.append({"url": line["url"], "title": line["title"], "replayed": ok,
                                "seconds": round(seconds, 1)})
                if not args.json:
                    print(f"{'replayed' if ok else 'NOT replayed'} in {seconds:.1f} s: {line['title']}")
            browser.close()
    finally:
        server.close()
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if results and all(r["replayed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
