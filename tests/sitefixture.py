"""A small ministry site on loopback, written here in the old China MFA template, for crawl tests.

It serves a listing of article pages and records every request, so tests can check what a crawl fetched,
in what order, and with which headers. Optionally it answers as real servers do: validators (ETag,
Last-Modified) and 304s, and a seeded share of failures (503 with Retry-After, 500, bodies cut short,
stalls, redirects to another host).
"""
from __future__ import annotations

import email.utils
import hashlib
import random
import threading
import time
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTING = "/web/wjdt_674879/fyrbt_674889/"


def article_html(n: int, day: date | None, extra: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>标题{n}</title></head><body>
<div id="News_Body_Title">外交部发言人就第{n}号问题答记者问</div>
<div class="time"><span id="News_Body_Time">{day.isoformat() if day else ""}</span></div>
<div id="News_Body_Txt_A" class="content">
<p>\u3000\u3000问：第{n}个问题，关于导弹部署。</p>
<p>\u3000\u3000答：我们反对有关国家以台湾问题为借口加强军事部署。{extra}</p>
</div></body></html>"""


def listing_html(items: list[tuple[int, date | None]], page: int, pages: int) -> str:
    lis = "\n".join(f'<li><a href="./t{n}.shtml" target="_blank">外交部发言人就第{n}号问题答记者问</a>'
                    f'{f"({d.isoformat()})" if d else ""}</li>' for n, d in items)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="rebox_news"><ul>{lis}</ul></div>
<script type="text/javascript">
var currentPage = {page};//所在页从0开始
var countPage = {pages}//共多少页
</script></body></html>"""


# What the China MFA's WAF serves a client without its cookies, modelled on the script every real page of
# www.mfa.gov.cn starts <body> with (SITE-NOTES): cookies set, the WAF's script loaded, and no article.
CHALLENGE_COOKIE = "HBB_HC"
CHALLENGE_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<script>(function () { document.cookie = "HOY_TR=KIUCTXPFYLGENWBM,65843C79DABEF012,ypvfkldxmqzsgbth; \
max-age=31536000; path=/";document.cookie = "HBB_HC=3a1edde6feea7d3b37301b7f893b56d7; max-age=600; path=/"; })()\
</script><script src="/_ws_sbu/sbu_hc.js"></script></body></html>"""

FAULTS = ("503", "500", "cut", "stall", "offsite")


class MinistrySite:
    """Articles 1..n, newest first, `per_page` to a listing page, one day apart ending `newest`.

    `validators`: pages carry an ETag and Last-Modified and answer conditional requests with 304.
    `faults`: that share of requests (robots.txt included) fail, the kind chosen by `seed`; a stall lasts
    `stall` seconds and then answers (a crawl with a shorter --timeout gives up on it)."""

    def __init__(self, n: int = 20, per_page: int = 15, newest: date | None = None, *, validators: bool = False,
                 faults: float = 0.0, seed: int = 0, stall: float = 1.5):
        self.n, self.per_page = n, per_page
        self.newest = newest or date.today()
        self.validators, self.faults, self.stall = validators, faults, stall
        self.rng = random.Random(seed)
        self.requests: list[tuple[str, dict]] = []
        # (path, status or fault) of every answer, in order
        self.answers: list[tuple[str, int | str]] = []
        self.edits: dict[int, str] = {}
        # article number -> the status its page answers instead (404, 410: taken down)
        self.gone: dict[int, int] = {}
        # listing page number -> the status it answers instead
        self.refused: dict[int, int] = {}
        # listing page number -> how many more requests for it answer 503 before it is served
        self.flaky: dict[int, int] = {}
        # `challenge`: a request without the WAF cookie gets the challenge page, which sets the cookie;
        # article numbers in `challenged` get it whatever their cookies
        self.challenge = False
        self.challenged: set[int] = set()
        # article numbers whose page, and whose listing entry, print no date
        self.undated_pages: set[int] = set()
        self.undated_links: set[int] = set()
        site = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with lock:
                    site.requests.append((self.path, dict(self.headers)))
                    fault = site.rng.choice(FAULTS) if site.rng.random() < site.faults else None
                if fault == "stall":
                    time.sleep(site.stall)
                elif fault in ("503", "500"):
                    return self.answer(int(fault), b"", {"Retry-After": "1"} if fault == "503" else {}, fault)
                elif fault == "offsite":  # as a hijacked or misconfigured server might: a crawl must refuse it
                    return self.answer(302, b"", {"Location": "http://127.0.0.2:9/latest/meta-data/"}, fault)
                if site.challenges(self.path, self.headers.get("Cookie") or ""):
                    return self.answer(200, CHALLENGE_HTML.encode(), {
                        "Content-Type": "text/html; charset=utf-8",
                        "Set-Cookie": f"{CHALLENGE_COOKIE}=3a1edde6feea7d3b; Max-Age=600; Path=/"}, "challenge")
                body = site.page(self.path)
                status = 404 if body is None else site.status(self.path)
                if status != 200:
                    return self.answer(status, b"", {}, fault or status)
                data = body.encode("utf-8")
                headers = {"Content-Type": "text/html; charset=utf-8"}
                if site.validators:
                    headers |= site.validators_of(self.path, data)
                    if self.headers.get("If-None-Match") == headers["ETag"] and fault != "cut":
                        return self.answer(304, b"", headers, 304)
                self.answer(200, data, headers, fault or 200, cut=fault == "cut")

            def answer(self, status: int, data: bytes, headers: dict, outcome, cut: bool = False):
                site.answers.append((self.path, outcome))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data[:len(data) // 2] if cut else data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on a stall: as it should
                if cut:
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def validators_of(self, path: str, data: bytes) -> dict[str, str]:
        # a page changes when its bytes do; its Last-Modified is the newest day it shows
        name = path.rsplit("/", 1)[-1]
        k = int(name[1:-len(".shtml")]) if name.startswith("t") else self.n
        day = datetime.combine(self.day(k), datetime.min.time(), timezone.utc)
        return {"ETag": f'"{hashlib.sha1(data).hexdigest()[:16]}"',
                "Last-Modified": email.utils.format_datetime(day, usegmt=True)}

    def challenges(self, path: str, cookies: str) -> bool:
        if not path.startswith(LISTING):
            return False  # robots.txt
        name = path.rsplit("/", 1)[-1]
        if name.startswith("t") and name.endswith(".shtml") and int(name[1:-len(".shtml")]) in self.challenged:
            return True
        return self.challenge and f"{CHALLENGE_COOKIE}=" not in cookies

    def date_shown(self, k: int, undated: set[int]) -> date | None:
        return None if k in undated else self.day(k)

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
            return listing_html([(k, self.date_shown(k, self.undated_links)) for k in chunk], p, pages) if chunk else None
        if name.startswith("t") and name.endswith(".shtml"):
            k = int(name[1:-len(".shtml")])
            if 1 <= k <= self.n:
                return article_html(k, self.date_shown(k, self.undated_pages), self.edits.get(k, ""))
        return None

    def status(self, path: str) -> int:
        name = path.rsplit("/", 1)[-1]
        if name.startswith("t") and name.endswith(".shtml"):
            return self.gone.get(int(name[1:-len(".shtml")]), 200)
        if name.startswith("default_"):
            page = int(name[len("default_"):-len(".shtml")])
            if self.flaky.get(page):
                self.flaky[page] -= 1
                return 503
            return self.refused.get(page, 200)
        return 200

    @property
    def mirror(self) -> str:
        return f"https://www.fmprc.gov.cn={self.url}"

    @property
    def mirror_args(self) -> list[str]:
        """The command line's --mirror options sending both China MFA hosts (the old and the current template)
        to this site."""
        return ["--mirror", self.mirror, "--mirror", f"https://www.mfa.gov.cn={self.url}/current"]

    def fetched(self, suffix: str) -> int:
        return sum(1 for p, _ in self.requests if p.endswith(suffix))

    def answered(self, suffix: str) -> list[int | str]:
        return [outcome for p, outcome in self.answers if p.endswith(suffix)]

    def close(self):
        self.server.shutdown()
