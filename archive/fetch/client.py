"""The polite fetcher: robots.txt, one request at a time per host with a delay, retries, redirects within the
source's own hosts, no connections to private addresses, size caps, cookies kept per host for the fetcher's
life (one crawl), and a WARC record of everything received.

Synchronous on purpose: a crawler that waits seconds between requests to a host gains nothing from async.
"""
from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import random
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Callable, Iterator, Protocol
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from .decode import MAX_BYTES, ContentDecodingError, ResponseTooLarge, decode_body, decompress, format_size
from .mirror import Mirrors
from .warc import WarcWriter

MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0
MAX_CRAWL_DELAY = 60.0
REDIRECTS = (301, 302, 303, 307, 308)
# a page that answers these was taken down; any other error may be passing
GONE = (404, 410)


class FetchError(Exception):
    """A fetch that gave no usable response; the message is one line a person can act on."""


class RedirectRefused(FetchError):
    """A redirect the fetcher will not follow: to a host that is not the source's, or one hop too many."""


class _Retryable(Exception):
    """A failure worth another attempt (network trouble, a body cut short)."""


@dataclass
class FetchResult:
    url: str
    fetch_url: str
    status: int
    headers: httpx.Headers
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    warc_record_id: str | None = None

    @cached_property
    def text(self) -> str:
        return decode_body(self.body, self.content_type)[0]


def _refused_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@dataclass(frozen=True)
class RobotsAnswer:
    """What an origin's robots.txt said: its rules ("" allows everything), or why nothing may be fetched
    from there (`unavailable`)."""
    text: str = ""
    unavailable: str | None = None


class HostTurns(Protocol):
    """Who may send the next request to a host, and when."""

    def hold(self, host: str, delay: float) -> contextlib.AbstractContextManager: ...


class RobotsAnswers(Protocol):
    """Where robots.txt answers are kept between requests."""

    def answer(self, origin: str, fetch: Callable[[], RobotsAnswer]) -> RobotsAnswer: ...


class LocalTurns:
    """One request at a time per host within this process, `delay` seconds from the end of one exchange to the
    start of the next (workers sharing a database take their turns there instead: store.queue.HostLeases)."""

    def __init__(self, sleep=time.sleep):
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def hold(self, host: str, delay: float) -> Iterator[None]:
        with self._lock:
            turn = self._locks.setdefault(host, threading.Lock())
        with turn:
            if host in self._last:
                wait = self._last[host] + delay - time.monotonic()
                if wait > 0:
                    self.sleep(wait)
            try:
                yield
            finally:
                # from the end of the exchange: a slow response must not shorten the pause that follows
                self._last[host] = time.monotonic()


class RobotsMemory:
    """robots.txt answers kept for the fetcher's life (one run)."""

    def __init__(self):
        self._answers: dict[str, RobotsAnswer] = {}

    def answer(self, origin: str, fetch: Callable[[], RobotsAnswer]) -> RobotsAnswer:
        if origin not in self._answers:
            self._answers[origin] = fetch()
        return self._answers[origin]


class Fetcher:
    def __init__(self, *, user_agent: str, delay: float = 2.0, timeout: float = 30.0, max_bytes: int = MAX_BYTES,
                 retries: int = 3, mirrors: Mirrors | None = None, warc: WarcWriter | None = None,
                 obey_robots: bool = True, sleep=time.sleep, turns: HostTurns | None = None,
                 robots: RobotsAnswers | None = None):
        """`turns` and `robots` are this process's own unless given: workers share theirs through the
        database."""
        self.user_agent = user_agent
        self.delay = delay
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.mirrors = mirrors or Mirrors()
        self.warc = warc
        self.obey_robots = obey_robots
        self.sleep = sleep
        # trust_env=False: a proxy from the environment would make the address check below meaningless. The
        # client's own jar refuses every cookie: cookies are kept per site host instead (`_cookies`).
        self.client = httpx.Client(
            follow_redirects=False, timeout=timeout, trust_env=False,
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})
        # A WAF (China MFA's) answers a client without its cookies with a challenge page that sets them: the
        # cookies a host sets are sent back to that host, and to no other, even when mirrors share an address.
        self._cookies: dict[str, httpx.Cookies] = {}
        self.turns = turns or LocalTurns(sleep)
        self.robots = robots or RobotsMemory()
        self._rules: dict[str, tuple[RobotsAnswer, Protego]] = {}  # origin -> the answer and its parsed rules
        self._host_delay: dict[str, float] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Closes the HTTP client; the WARC writer belongs to whoever made it."""
        self.client.close()

    def get(self, url: str, *, allowed_hosts: set[str], etag: str | None = None,
            last_modified: str | None = None) -> FetchResult:
        """GET a canonical URL. 304, 404 and other 4xx are results; FetchError when no usable answer came."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        allowed = {h.lower() for h in allowed_hosts}
        if _host(url) not in allowed:
            raise FetchError(f"{_host(url) or url} is not a host of this source")
        # before robots.txt, so that a refused address is reported as such and not as a missing robots.txt
        self._check_address(self.mirrors.to_fetch(url))
        if self.obey_robots:
            self._check_robots(url, allowed)
        return self._follow(url, allowed, headers, check_robots=self.obey_robots)

    def _follow(self, url: str, allowed: set[str], headers: dict[str, str], check_robots: bool) -> FetchResult:
        for _ in range(MAX_REDIRECTS + 1):
            result = self._get_with_retries(url, headers)
            location = result.headers.get("Location")
            if result.status not in REDIRECTS or not location:
                return result
            # The mirror's Location is mapped back, so the target is judged (and recorded) as the site's own URL.
            target = self.mirrors.to_canonical(urljoin(result.fetch_url, location))
            if urlsplit(target).scheme not in ("http", "https") or _host(target) not in allowed:
                raise RedirectRefused(f"redirect to {_host(target) or target} refused: not a host of this source")
            if check_robots:
                self._check_robots(target, allowed)
            url = target
        raise RedirectRefused(f"more than {MAX_REDIRECTS} redirects")

    def _check_robots(self, url: str, allowed: set[str]) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        answer = self.robots.answer(origin, lambda: self._load_robots(origin, allowed))
        if answer.unavailable:
            raise FetchError(answer.unavailable)
        if origin not in self._rules or self._rules[origin][0] != answer:
            self._rules[origin] = answer, self._parse_robots(origin, answer)
        if not self._rules[origin][1].can_fetch(url, self.user_agent):
            raise FetchError(f"robots.txt disallows {parts.path or '/'}{'?' + parts.query if parts.query else ''}")

    def _load_robots(self, origin: str, allowed: set[str]) -> RobotsAnswer:
        """Rules for one origin, fetched once per run (or, for workers, once per host for all of them).

        Following RFC 9309: a robots.txt that is missing or forbidden (4xx), or behind redirects that cannot be
        followed, allows everything; one that cannot be had because of server or network errors (after the
        usual retries) means nothing may be fetched from that origin in this run: the site may be failing under
        load, and its rules are unknown.
        """
        try:
            result = self._follow(f"{origin}/robots.txt", allowed, {}, check_robots=False)
        except RedirectRefused:
            return RobotsAnswer()
        except FetchError as e:  # 5xx and 429 arrive here too, once the retries are spent
            return RobotsAnswer(unavailable=f"robots.txt of {origin} unavailable ({e}): nothing fetched from "
                                            f"there this run")
        return RobotsAnswer(result.text if result.status == 200 else "")

    def _parse_robots(self, origin: str, answer: RobotsAnswer) -> Protego:
        rules = Protego.parse(answer.text)
        if crawl_delay := rules.crawl_delay(self.user_agent):
            self._host_delay[_host(origin)] = max(self.delay, min(crawl_delay, MAX_CRAWL_DELAY))
        return rules

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> FetchResult:
        for attempt in range(self.retries + 1):
            try:
                result = self._attempt(url, headers)
            except _Retryable as e:
                failure, wait = str(e), None
            else:
                if result.status < 500 and result.status != 429:
                    return result
                failure = f"HTTP {result.status}"
                wait = _retry_after(result.headers.get("Retry-After")) if result.status in (429, 503) else None
            if attempt == self.retries:
                break
            # exponential, jittered, in seconds; a host with no delay (a local mirror) asks for no pause
            scale = min(1.0, self.delay)
            self.sleep(wait if wait is not None else scale * (2 ** attempt + random.uniform(0, 1)))
        raise FetchError(f"{failure} after {self.retries + 1} attempts" if self.retries else failure)

    def _check_address(self, fetch_url: str) -> None:
        """Refuse private, loopback and other non-public addresses, unless the user named that host as a mirror.

        Only a guard against a source (or a redirect) pointing the crawler at the local network; the address
        is resolved again when connecting.
        """
        parts = urlsplit(fetch_url)
        host = parts.hostname or ""
        if host in self.mirrors.mirror_hosts():
            return
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except socket.gaierror as e:
            raise FetchError(f"cannot resolve {host}: {e.strerror}") from None
        for *_, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
            if kind := _refused_kind(ip):
                raise FetchError(f"refused to connect to {host} ({ip}, a {kind} address; "
                                 f"only hosts named as mirrors may be local)")

    def _attempt(self, url: str, headers: dict[str, str]) -> FetchResult:
        fetch_url = self.mirrors.to_fetch(url)
        self._check_address(fetch_url)
        host = _host(url)  # politeness is owed to the site; a mirror stands in for it
        with self.turns.hold(host, self._host_delay.get(host, self.delay)):
            response, raw = self._exchange(fetch_url, headers, self._cookies.setdefault(host, httpx.Cookies()))
        fetched_at = datetime.now(timezone.utc)
        record_id = None
        if self.warc:
            record_id = self.warc.write_exchange(
                url=url, fetch_url=fetch_url, method="GET",
                request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.request.headers.raw],
                http_version=response.http_version, status=response.status_code, reason=response.reason_phrase,
                response_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
                raw_body=raw, fetched_at=fetched_at)
        try:
            body = decompress(raw, response.headers.get("Content-Encoding"), self.max_bytes)
        except ResponseTooLarge as e:
            raise FetchError(str(e)) from None
        except ContentDecodingError as e:
            raise _Retryable(str(e)) from None
        return FetchResult(
            url=url, fetch_url=fetch_url, status=response.status_code, headers=response.headers, body=body,
            content_type=response.headers.get("Content-Type"), etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"), fetched_at=fetched_at, warc_record_id=record_id)

    def _exchange(self, fetch_url: str, headers: dict[str, str], cookies: httpx.Cookies
                  ) -> tuple[httpx.Response, bytes]:
        """One request, with the host's `cookies` (and those it sets kept there); the body as it came over the
        wire (still content-encoded), within the size cap and within `timeout` in total (httpx's timeout is per
        read: a server could trickle a byte a second)."""
        started = time.monotonic()
        request = self.client.build_request("GET", fetch_url, headers=headers)
        cookies.set_cookie_header(request)
        try:
            with contextlib.closing(self.client.send(request, stream=True)) as response:
                cookies.extract_cookies(response)
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > self.max_bytes:
                    raise FetchError(f"response larger than {format_size(self.max_bytes)}")
                raw = bytearray()
                for chunk in response.iter_raw():
                    raw += chunk
                    if len(raw) > self.max_bytes:
                        raise FetchError(f"response larger than {format_size(self.max_bytes)}")
                    if time.monotonic() - started > self.timeout:
                        raise _Retryable(f"timed out after {self.timeout:g} s")
                return response, bytes(raw)
        except httpx.TimeoutException:
            raise _Retryable(f"timed out after {self.timeout:g} s") from None
        except httpx.ConnectError as e:
            refused = isinstance(e.__cause__, ConnectionRefusedError) or "refused" in str(e).lower()
            raise _Retryable("connection refused" if refused else f"cannot connect: {e}") from None
        except httpx.RemoteProtocolError as e:
            # also what a body cut short of its Content-Length raises (h11 checks): never accepted as whole
            raise _Retryable(f"incomplete response: {e}") from None
        except httpx.TransportError as e:
            raise _Retryable(f"network error: {e or type(e).__name__}") from None
