"""A small ministry site on loopback, written here in the old China MFA template, for crawl tests.

It serves a two-page listing of article pages and records every request, so tests can check what a
crawl fetched, in what order, and with which headers.
"""
from __future__ import annotations

import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTING = "/web/wjdt_674879/fyrbt_674889/"


def article_html(n: int, day: date, extra: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>标题{n}</title></head><body>
<div id="News_Body_Title">外交部发言人就第{n}号问题答记者问</div>
<div class="time"><span id="News_Body_Time">{day.isoformat()}</span></div>
<div id="News_Body_Txt_A" class="content">
<p>\u3000\u3000问：第{n}个问题，关于导弹部署。</p>
<p>\u3000\u3000答：我们反对有关国家以台湾问题为借口加强军事部署。{extra}</p>
</div></body></html>"""


def listing_html(items: list[tuple[int, date]], page: int, pages: int) -> str:
    lis = "\n".join(f'<li><a href="./t{n}.shtml" target="_blank">外交部发言人就第{n}号问题答记者问</a>({d.isoformat()})</li>'
                    for n, d in items)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="rebox_news"><ul>{lis}</ul></div>
<script type="text/javascript">
var currentPage = {page};//所在页从0开始
var countPage = {pages}//共多少页
</script></body></html>"""


class MinistrySite:
    """Articles 1..n, newest first, `per_page` to a listing page, one day apart ending `newest`."""

    def __init__(self, n: int = 20, per_page: int = 15, newest: date | None = None):
        self.n, self.per_page = n, per_page
        self.newest = newest or date.today()
        self.requests: list[tuple[str, dict]] = []
        self.edits: dict[int, str] = {}
        # article number -> the status its page answers instead (404, 410: taken down)
        self.gone: dict[int, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.requests.append((self.path, dict(self.headers)))
                body = site.page(self.path)
                if body is None or site.status(self.path) != 200:
                    self.send_response(404 if body is None else site.status(self.path))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def day(self, k: int) -> date:
        return self.newest - timedelta(days=self.n - k)

    def page(self, path: str) -> str | None:
        if not path.startswith(LISTING):
            return None
        name = path[len(LISTING):]
        pages = (self.n + self.per_page - 1) // self.per_page
        if name in ("", "default.shtml") or name.startswith("default_"):
            p = 0 if name in ("", "default.shtml") else int(name[len("default_"):-len(".shtml")])
            newest_first = list(range(self.n, 0, -1))
            chunk = newest_first[p * self.per_page:(p + 1) * self.per_page]
            return listing_html([(k, self.day(k)) for k in chunk], p, pages) if chunk else None
        if name.startswith("t") and name.endswith(".shtml"):
            k = int(name[1:-len(".shtml")])
            if 1 <= k <= self.n:
                return article_html(k, self.day(k), self.edits.get(k, ""))
        return None

    def status(self, path: str) -> int:
        name = path.rsplit("/", 1)[-1]
        if name.startswith("t") and name.endswith(".shtml"):
            return self.gone.get(int(name[1:-len(".shtml")]), 200)
        return 200

    @property
    def mirror(self) -> str:
        return f"https://www.fmprc.gov.cn={self.url}"

    def fetched(self, suffix: str) -> int:
        return sum(1 for p, _ in self.requests if p.endswith(suffix))

    def close(self):
        self.server.shutdown()
