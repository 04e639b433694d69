"""The fetch layer against real HTTP servers on loopback: a programmable one here, and the corpus-server."""
from __future__ import annotations

import email.utils
import gzip
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.robotparser import RobotFileParser

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.fetch.client import FetchError, Fetcher, RedirectRefused
from archive.fetch.decode import ResponseTooLarge, decode_body, decompress
from archive.fetch.mirror import Mirrors, parse_mirror
from archive.fetch.warc import WarcReadError, WarcWriter, iter_responses
from helpers import CORPUS, start_corpus_server

UA = "policy-archive/0.1 (+https://example.org/contact)"
SITE = "https://www.example.gov"
HOSTS = {"www.example.gov"}

BELARUS = ("Министерство иностранных дел Республики Беларусь сообщает о визите министра. Встреча состоялась "
           "в Минске, стороны обсудили вопросы двустороннего сотрудничества и подписали соглашение.")


# ---------------------------------------------------------------- a programmable loopback site

@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False
    stall: float = 0.0
    cut: bool = False  # announce the whole length, send half, close
    length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass
class Request:
    at: float
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        site = self.server.site
        with site.lock:
            site.requests.append(Request(time.monotonic(), self.path, dict(self.headers)))
            replies = site.routes.get(self.path)
            reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else Reply(404, b"not found")
        if callable(reply):
            reply = reply(self.headers)
        time.sleep(reply.stall)
        body = gzip.compress(reply.body, mtime=0) if reply.gzip else reply.body
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        if reply.length:
            self.send_header("Content-Length", str(len(body)))
        if reply.cut or not reply.length:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            self.wfile.write(body[: len(body) // 2] if reply.cut else body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap): what it is meant to do


class Site:
    """Per path, one reply, replies served in turn (the last one repeats), or a function of the request headers."""

    def __init__(self):
        self.routes: dict[str, list] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.site = self
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def route(self, path: str, *replies) -> None:
        self.routes[path] = list(replies)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def fetcher(site, sleeps):
    """Fetches https://www.example.gov from the loopback site; sleeps are recorded, not slept."""
    with Fetcher(user_agent=UA, delay=2.0, mirrors=Mirrors([f"{SITE}={site.origin}"]), sleep=sleeps.append) as f:
        yield f


# ---------------------------------------------------------------- mirrors

def test_parse_mirror():
    assert parse_mirror("https://www.state.gov=http://127.0.0.1:8765/www.state.gov/") == \
        ("https://www.state.gov", "http://127.0.0.1:8765/www.state.gov")


@pytest.mark.parametrize("spec", [
    "https://www.state.gov",  # no "="
    "www.state.gov=http://127.0.0.1:8765",  # canonical side not absolute
    "https://www.state.gov=127.0.0.1:8765/x",  # fetch side without scheme
    "ftp://www.state.gov=http://127.0.0.1:8765",
    "https://www.state.gov=http://",
    "",
])
def test_parse_mirror_refuses_bad_specs(spec):
    with pytest.raises(ValueError) as e:
        parse_mirror(spec)
    assert "\n" not in str(e.value)


def test_mirrors_map_both_ways_at_path_boundaries():
    m = Mirrors(["https://www.state.gov=http://127.0.0.1:8765/www.state.gov",
                 "https://mfa.gov.by=http://localhost:9/by"])
    assert m.to_fetch("https://www.state.gov/rss-feed/?a=1") == "http://127.0.0.1:8765/www.state.gov/rss-feed/?a=1"
    assert m.to_fetch("https://www.state.gov") == "http://127.0.0.1:8765/www.state.gov"
    assert m.to_fetch("https://www.state.gov.evil.net/x") == "https://www.state.gov.evil.net/x"
    assert m.to_fetch("https://example.org/x") == "https://example.org/x"
    assert m.to_canonical("http://127.0.0.1:8765/www.state.gov/a/b") == "https://www.state.gov/a/b"
    assert m.to_canonical("http://127.0.0.1:8765/other/a") == "http://127.0.0.1:8765/other/a"
    assert m.mirror_hosts() == {"127.0.0.1", "localhost"}


# ---------------------------------------------------------------- decoding

def test_decode_windows_1251_from_http_charset():
    text, enc = decode_body(BELARUS.encode("cp1251"), "text/html; charset=windows-1251")
    assert (text, enc) == (BELARUS, "cp1251")


def test_decode_meta_charset_when_http_says_nothing():
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">' \
           f'</head><body>{BELARUS}</body></html>'
    text, enc = decode_body(html.encode("cp1251"), "text/html")
    assert enc == "cp1251" and BELARUS in text
    text, enc = decode_body(f'<meta charset="windows-1251"><p>{BELARUS}'.encode("cp1251"), None)
    assert enc == "cp1251" and BELARUS in text


def test_gb2312_is_read_as_gb18030():
    # 𠀀 and 䶵 are outside GB 2312 and GBK: a strict gb2312 decoder would fail or mangle them
    text = "外交部发言人𠀀答记者问䶵"
    for label in ("gb2312", "GB_2312-80", "GBK"):
        assert decode_body(text.encode("gb18030"), f"text/html; charset={label}") == (text, "gb18030")


def test_decode_detects_undeclared_charset_and_skips_bogus_labels():
    text, enc = decode_body(BELARUS.encode("cp1251"), "text/html")
    assert (text, enc) == (BELARUS, "cp1251")
    text, enc = decode_body(f'<meta charset="x-nonsense">{BELARUS}'.encode("cp1251"), "text/html; charset=bogus")
    assert enc == "cp1251" and BELARUS in text
    assert decode_body("Zoë".encode(), "text/plain; charset=utf-8") == ("Zoë", "utf-8")


def test_gzip_bomb_refused_while_decompressing():
    bomb = gzip.compress(b"\0" * 50_000_000)
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge, match="larger than 1 MB"):
        decompress(bomb, "gzip", 1024 * 1024)
    assert time.monotonic() - started < 1.0
    assert decompress(gzip.compress(b"x" * 1000), "gzip", 1000) == b"x" * 1000


def test_gzip_bomb_over_http_is_a_fetch_error(site, sleeps):
    site.route("/bomb", Reply(body=gzip.compress(b"\0" * 50_000_000), headers={"Content-Encoding": "gzip"}))
    with Fetcher(user_agent=UA, max_bytes=1024 * 1024, mirrors=Mirrors([f"{SITE}={site.origin}"]),
                 sleep=sleeps.append) as f:
        with pytest.raises(FetchError, match="larger than 1 MB once decompressed"):
            f.get(f"{SITE}/bomb", allowed_hosts=HOSTS)


@pytest.mark.parametrize("length", [True, False])
def test_raw_size_cap(site, sleeps, length):
    site.route("/big", Reply(body=b"x" * 3_000_000, length=length))
    with Fetcher(user_agent=UA, max_bytes=1024 * 1024, mirrors=Mirrors([f"{SITE}={site.origin}"]),
                 sleep=sleeps.append) as f:
        with pytest.raises(FetchError, match="^response larger than 1 MB$"):
            f.get(f"{SITE}/big", allowed_hosts=HOSTS)


# ---------------------------------------------------------------- robots.txt

def test_robots_rules_with_wildcards(site, fetcher):
    robots = "User-agent: *\nDisallow: /private/\nDisallow: /*.pdf$\n"
    site.route("/robots.txt", Reply(body=robots.encode(), headers={"Content-Type": "text/plain"}))
    for path in ("/a.html", "/a.pdf?page=2", "/doc.pdf"):
        site.route(path, Reply(body=b"ok"))
    assert fetcher.get(f"{SITE}/a.html", allowed_hosts=HOSTS).status == 200
    assert fetcher.get(f"{SITE}/a.pdf?page=2", allowed_hosts=HOSTS).status == 200
    with pytest.raises(FetchError, match="^robots.txt disallows /doc.pdf$"):
        fetcher.get(f"{SITE}/doc.pdf", allowed_hosts=HOSTS)
    with pytest.raises(FetchError, match="disallows /private/x"):
        fetcher.get(f"{SITE}/private/x", allowed_hosts=HOSTS)
    assert not site.hits("/doc.pdf") and len(site.hits("/robots.txt")) == 1
    # why Protego: the standard library reads the wildcard literally and would fetch the PDF
    stdlib = RobotFileParser()
    stdlib.parse(robots.splitlines())
    assert stdlib.can_fetch(UA, f"{SITE}/doc.pdf")


def test_robots_for_our_user_agent_and_crawl_delay(site, fetcher, sleeps):
    site.route("/robots.txt", Reply(body=b"User-agent: policy-archive\nDisallow: /\n\nUser-agent: *\nAllow: /\n"))
    with pytest.raises(FetchError, match="robots.txt disallows /x"):
        fetcher.get(f"{SITE}/x", allowed_hosts=HOSTS)

    site.route("/robots.txt", Reply(body=b"User-agent: *\nCrawl-delay: 5\n"))
    site.route("/y", Reply(body=b"ok"))
    sleeps.clear()
    with Fetcher(user_agent=UA, delay=1.0, mirrors=fetcher.mirrors, sleep=sleeps.append) as other:
        other.get(f"{SITE}/y", allowed_hosts=HOSTS)
        other.get(f"{SITE}/y", allowed_hosts=HOSTS)
    assert len(sleeps) == 2 and all(4.5 < s <= 5 for s in sleeps)  # from robots.txt on, its delay, not ours


def test_robots_server_error_means_nothing_fetched_this_run(site, sleeps):
    site.route("/robots.txt", Reply(500, b"oops"))
    site.route("/page", Reply(body=b"ok"))
    with Fetcher(user_agent=UA, retries=1, mirrors=Mirrors([f"{SITE}={site.origin}"]), sleep=sleeps.append) as f:
        for _ in range(2):
            with pytest.raises(FetchError, match="robots.txt of https://www.example.gov unavailable"):
                f.get(f"{SITE}/page", allowed_hosts=HOSTS)
    assert len(site.hits("/robots.txt")) == 2 and not site.hits("/page")  # two attempts, then remembered


def test_missing_robots_allows_everything(site, fetcher):
    site.route("/page", Reply(body=b"ok"))
    assert fetcher.get(f"{SITE}/page", allowed_hosts=HOSTS).body == b"ok"
    assert len(site.hits("/robots.txt")) == 1


def test_robots_behind_a_refused_redirect_counts_as_missing(site, fetcher):
    site.route("/robots.txt", Reply(302, headers={"Location": "http://127.0.0.2:9/robots.txt"}))
    site.route("/page", Reply(body=b"ok"))
    assert fetcher.get(f"{SITE}/page", allowed_hosts=HOSTS).body == b"ok"


# ---------------------------------------------------------------- politeness, retries

def test_real_delay_between_requests_to_one_host(site):
    site.route("/a", Reply(body=b"a"))
    site.route("/b", Reply(body=b"b"))
    with Fetcher(user_agent=UA, delay=0.3, mirrors=Mirrors([f"{SITE}={site.origin}"])) as f:
        f.get(f"{SITE}/a", allowed_hosts=HOSTS)
        f.get(f"{SITE}/b", allowed_hosts=HOSTS)
    times = [r.at for r in site.requests]
    assert [r.path for r in site.requests] == ["/robots.txt", "/a", "/b"]
    assert all(b - a >= 0.3 for a, b in zip(times, times[1:]))


def test_delay_is_per_host(site, sleeps):
    site.route("/x", Reply(body=b"x"))
    mirrors = Mirrors([f"https://a.example={site.origin}", f"https://b.example={site.origin}"])
    with Fetcher(user_agent=UA, delay=2.0, mirrors=mirrors, obey_robots=False, sleep=sleeps.append) as f:
        f.get("https://a.example/x", allowed_hosts={"a.example"})
        f.get("https://b.example/x", allowed_hosts={"b.example"})
        assert sleeps == []
        f.get("https://a.example/x", allowed_hosts={"a.example"})
    assert len(sleeps) == 1 and 1.5 < sleeps[0] <= 2.0


def test_user_agent_and_accept_encoding_sent(site, fetcher):
    site.route("/p", Reply(body=b"hello", gzip=True))
    result = fetcher.get(f"{SITE}/p", allowed_hosts=HOSTS)
    assert result.body == b"hello" and result.text == "hello"
    sent = site.hits("/p")[0].headers
    assert sent["User-Agent"] == UA and sent["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("retry_after", ["7", "date"])
def test_503_retry_after_is_honoured(site, fetcher, sleeps, retry_after):
    if retry_after == "date":
        retry_after = email.utils.format_datetime(datetime.now(timezone.utc) + timedelta(seconds=8), usegmt=True)
    site.route("/busy", Reply(503, b"busy", {"Retry-After": retry_after}), Reply(body=b"done"))
    result = fetcher.get(f"{SITE}/busy", allowed_hosts=HOSTS)
    assert (result.status, result.body) == (200, b"done")
    assert len(site.hits("/busy")) == 2
    pause, retry_after_wait, pause_again = sleeps  # the politeness pauses follow robots.txt and the Retry-After
    assert 6 <= retry_after_wait <= 8 and pause == pytest.approx(2, abs=0.2)


def test_retry_after_is_capped(site, fetcher, sleeps):
    site.route("/busy", Reply(429, b"slow down", {"Retry-After": "86400"}), Reply(body=b"done"))
    assert fetcher.get(f"{SITE}/busy", allowed_hosts=HOSTS).status == 200
    assert sleeps[1] == 120


def test_persistent_500_gives_up_after_retries(site, fetcher, sleeps):
    site.route("/broken", Reply(500, b"error"))
    with pytest.raises(FetchError, match="^HTTP 500 after 4 attempts$"):
        fetcher.get(f"{SITE}/broken", allowed_hosts=HOSTS)
    assert len(site.hits("/broken")) == 4
    pauses, backoffs = sleeps[::2], sleeps[1::2]  # a politeness pause before each request (robots.txt first)
    assert len(pauses) == 4 and all(1.5 < p <= 2 for p in pauses)
    assert [int(s) for s in backoffs] == [1, 2, 4]  # exponential, plus up to 1 s of jitter


def test_404_and_other_4xx_are_results(site, fetcher):
    site.route("/gone", Reply(410, b"gone"))
    assert fetcher.get(f"{SITE}/missing", allowed_hosts=HOSTS).status == 404
    assert fetcher.get(f"{SITE}/gone", allowed_hosts=HOSTS).status == 410


def test_cut_body_is_retried_never_accepted(site, fetcher, sleeps):
    whole = b"<p>" + b"statement " * 1000
    site.route("/cut", Reply(body=whole, cut=True), Reply(body=whole))
    assert fetcher.get(f"{SITE}/cut", allowed_hosts=HOSTS).body == whole
    site.route("/cut", Reply(body=whole, cut=True))
    with pytest.raises(FetchError, match="incomplete response: peer closed connection without sending complete"):
        fetcher.get(f"{SITE}/cut", allowed_hosts=HOSTS)


def test_timeout(site, sleeps):
    site.route("/slow", Reply(body=b"late", stall=1.0))
    with Fetcher(user_agent=UA, timeout=0.3, retries=0, obey_robots=False,
                 mirrors=Mirrors([f"{SITE}={site.origin}"]), sleep=sleeps.append) as f:
        with pytest.raises(FetchError, match="^timed out after 0.3 s$"):
            f.get(f"{SITE}/slow", allowed_hosts=HOSTS)


def test_connection_refused(sleeps):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Fetcher(user_agent=UA, retries=1, mirrors=Mirrors([f"{SITE}=http://127.0.0.1:{port}"]),
                 obey_robots=False, sleep=sleeps.append) as f:
        with pytest.raises(FetchError, match="^connection refused after 2 attempts$"):
            f.get(f"{SITE}/", allowed_hosts=HOSTS)


# ---------------------------------------------------------------- redirects, addresses

def test_redirect_to_another_host_refused(site, fetcher):
    site.route("/moved", Reply(302, headers={"Location": "http://127.0.0.2:9/latest/meta-data/"}))
    with pytest.raises(RedirectRefused, match="^redirect to 127.0.0.2 refused: not a host of this source$"):
        fetcher.get(f"{SITE}/moved", allowed_hosts=HOSTS)


def test_redirect_within_allowed_hosts_followed(site, sleeps):
    site.route("/a/start", Reply(301, headers={"Location": "/b/end"}))  # relative, on the mirror
    site.route("/b/end", Reply(body=b"arrived"))
    mirrors = Mirrors([f"https://a.example={site.origin}/a", f"https://b.example={site.origin}/b"])
    with Fetcher(user_agent=UA, mirrors=mirrors, obey_robots=False, sleep=sleeps.append) as f:
        result = f.get("https://a.example/start", allowed_hosts={"a.example", "b.example"})
        assert (result.url, result.fetch_url, result.body) == ("https://b.example/end", f"{site.origin}/b/end",
                                                              b"arrived")
        with pytest.raises(FetchError, match="redirect to b.example refused"):
            f.get("https://a.example/start", allowed_hosts={"a.example"})


def test_redirect_loop_ends(site, fetcher):
    site.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.get(f"{SITE}/loop", allowed_hosts=HOSTS)
    assert len(site.hits("/loop")) == 6


def test_loopback_refused_unless_named_as_mirror(site, sleeps):
    with Fetcher(user_agent=UA, sleep=sleeps.append) as f:
        with pytest.raises(FetchError, match="loopback") as e:
            f.get(f"{site.origin}/", allowed_hosts={"127.0.0.1"})
        assert "\n" not in str(e.value)
        with pytest.raises(FetchError, match="not a host of this source"):
            f.get(f"{site.origin}/", allowed_hosts={"www.example.gov"})
    assert site.requests == []


def test_conditional_get_304(site, fetcher):
    def page(headers):
        if headers.get("If-None-Match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(body=b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Aug 2022 10:00:00 GMT"})
    site.route("/feed", page)
    first = fetcher.get(f"{SITE}/feed", allowed_hosts=HOSTS)
    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "Mon, 01 Aug 2022 10:00:00 GMT")
    again = fetcher.get(f"{SITE}/feed", allowed_hosts=HOSTS, etag=first.etag, last_modified=first.last_modified)
    assert (again.status, again.body) == (304, b"")
    sent = site.hits("/feed")[1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == first.last_modified


# ---------------------------------------------------------------- WARC

def test_warc_keeps_raw_exchanges(site, tmp_path, sleeps):
    page = f"<html><body>{BELARUS}</body></html>".encode("cp1251")
    site.route("/news", Reply(body=page, gzip=True, headers={"Content-Type": "text/html; charset=windows-1251"}))
    with WarcWriter(tmp_path / "captures") as warc, \
            Fetcher(user_agent=UA, mirrors=Mirrors([f"{SITE}={site.origin}"]), warc=warc, sleep=sleeps.append) as f:
        result = f.get(f"{SITE}/news", allowed_hosts=HOSTS)
        path = warc.path
    assert path.parent == tmp_path / "captures" and path.name.endswith(f"-{os.getpid()}.warc.gz")
    assert BELARUS in result.text

    captured = list(iter_responses(path))
    assert [(c.url, c.status) for c in captured] == [(f"{SITE}/robots.txt", 404), (f"{SITE}/news", 200)]
    news = captured[1]
    assert news.raw_body == gzip.compress(page, mtime=0)  # as on the wire: still gzip
    assert news.header("Content-Encoding") == "gzip"
    assert news.body() == page and BELARUS in news.text()
    assert news.fetch_url == f"{site.origin}/news" and news.record_id == result.warc_record_id
    assert abs(news.fetched_at - result.fetched_at) < timedelta(milliseconds=1)

    with open(path, "rb") as fh:
        records = [(r.rec_type, r.rec_headers) for r in ArchiveIterator(fh)]
    assert [t for t, _ in records] == ["warcinfo", "request", "response", "request", "response"]
    request, response = records[3][1], records[4][1]
    assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")
    assert request.get_header("WARC-Target-URI") == response.get_header("WARC-Target-URI") == f"{SITE}/news"
    assert response.get_header("X-Fetched-From") == f"{site.origin}/news"


def test_warc_records_failures_too(site, tmp_path, sleeps):
    site.route("/broken", Reply(500, b"error"))
    with WarcWriter(tmp_path) as warc, Fetcher(user_agent=UA, retries=1, obey_robots=False, warc=warc,
                                               mirrors=Mirrors([f"{SITE}={site.origin}"]), sleep=sleeps.append) as f:
        with pytest.raises(FetchError):
            f.get(f"{SITE}/broken", allowed_hosts=HOSTS)
        assert [(c.status, c.raw_body) for c in iter_responses(warc.path)] == [(500, b"error")] * 2


def _write_captures(directory, n):
    with WarcWriter(directory) as warc:
        for i in range(n):
            warc.write_exchange(
                url=f"{SITE}/{i}", fetch_url=f"{SITE}/{i}", method="GET", request_headers=[("Host", "www.example.gov")],
                http_version="HTTP/1.1", status=200, reason="OK", response_headers=[("Content-Type", "text/plain")],
                raw_body=f"page {i} ".encode() * 500, fetched_at=datetime.now(timezone.utc))
        return warc.path


def test_truncated_warc_yields_complete_records_then_names_the_offset(tmp_path):
    path = _write_captures(tmp_path, 3)
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        starts = [records.get_record_offset() for _ in records]
    last = starts[-1]
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: (last + len(data)) // 2])  # a crawl killed while writing the last response

    seen = []
    with pytest.raises(WarcReadError) as e:
        for c in iter_responses(cut):
            seen.append(c.url)
    assert seen == [f"{SITE}/0", f"{SITE}/1"]
    assert e.value.offset == last and f"offset {last}" in str(e.value)

    cut.write_bytes(data[:last])  # killed between records: nothing is damaged
    assert [c.url for c in iter_responses(cut)] == [f"{SITE}/0", f"{SITE}/1"]


def test_uncompressed_warc_cut_short(tmp_path):
    data = gzip.decompress(_write_captures(tmp_path, 2).read_bytes())
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:-300])
    seen = []
    with pytest.raises(WarcReadError, match="bytes missing"):
        for c in iter_responses(cut):
            seen.append(c.url)
    assert seen == [f"{SITE}/0"]


# ---------------------------------------------------------------- the real corpus-server

@pytest.mark.corpus
def test_state_feed_through_mirror_then_304(corpus_server, sleeps):
    mirrors = Mirrors([corpus_server.mirror("https://www.state.gov")])
    url = "https://www.state.gov/rss-feed/press-releases/feed/"
    with Fetcher(user_agent=UA, mirrors=mirrors, sleep=sleeps.append) as f:
        first = f.get(url, allowed_hosts={"www.state.gov"})
        assert first.status == 200 and first.etag and first.url == url
        assert first.text.lstrip().startswith("<?xml") and "<rss" in first.text
        again = f.get(url, allowed_hosts={"www.state.gov"}, etag=first.etag)
        assert (again.status, again.body) == (304, b"")


@pytest.mark.corpus
@pytest.mark.slow
def test_faulty_server_gives_whole_pages_or_clear_errors(corpus):
    page = CORPUS / "raw" / "mfa.gov.by" / "en" / "press" / "statements" / "index.html"
    server = start_corpus_server("--faults", "0.5", "--seed", "3")
    try:
        with Fetcher(user_agent=UA, delay=0.01, timeout=1.0, retries=3,
                     mirrors=Mirrors([server.mirror("https://mfa.gov.by")]),
                     sleep=lambda s: time.sleep(min(s, 0.05))) as f:
            outcomes = []
            for _ in range(10):
                try:
                    outcomes.append(f.get("https://mfa.gov.by/en/press/statements/", allowed_hosts={"mfa.gov.by"}))
                except FetchError as e:
                    outcomes.append(str(e))
    finally:
        server.stop()
    good = [o for o in outcomes if not isinstance(o, str)]
    errors = [o for o in outcomes if isinstance(o, str)]
    assert good and all(r.status == 200 and r.body == page.read_bytes() for r in good)
    assert "redirect to 127.0.0.2 refused: not a host of this source" in errors
    assert all("\n" not in e for e in errors)


def test_cookies_are_kept_per_host(site, sleeps):
    # a WAF's challenge sets a cookie; the next request to that host sends it back, another host's does not
    site.route("/x", Reply(body=b"x", headers={"Set-Cookie": "HBB_HC=3a1e; Max-Age=600; Path=/"}))
    mirrors = Mirrors([f"https://a.example={site.origin}", f"https://b.example={site.origin}"])
    with Fetcher(user_agent=UA, delay=0, mirrors=mirrors, obey_robots=False, sleep=sleeps.append) as f:
        f.get("https://a.example/x", allowed_hosts={"a.example"})
        f.get("https://a.example/x", allowed_hosts={"a.example"})
        f.get("https://b.example/x", allowed_hosts={"b.example"})
    assert [r.headers.get("Cookie") for r in site.hits("/x")] == [None, "HBB_HC=3a1e", None]
    # a new fetcher (the next crawl) starts without cookies
    with Fetcher(user_agent=UA, delay=0, mirrors=mirrors, obey_robots=False, sleep=sleeps.append) as f:
        f.get("https://a.example/x", allowed_hosts={"a.example"})
    assert site.hits("/x")[-1].headers.get("Cookie") is None
