"""Plain helpers the test modules share: paths to the fixtures and the real data, the real command line in a
subprocess (as a user would run it), a corpus-server, stores, and a small web archive."""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.datadir import open_datadir, resolve_store
from archive.fetch.decode import decode_body
from archive.index.writing import sync_index
from archive.ingest.pipeline import Pipeline
from archive.ingest.reports import LinesReport
from archive.model import Statement
from archive.sources import source_for_url
from archive.sources.base import Page
from archive.store import Store
from archive.web import create_app
from archive.web.backend import EXTENSION


ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
CORPUS_SERVER = SHARED / "tools" / "corpus-server"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class CorpusServer:
    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, str(CORPUS_SERVER), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.proc.kill()
            raise RuntimeError(f"corpus-server did not start: {line!r}")
        self.url = line.split("listening on ", 1)[1]

    def mirror(self, canonical: str) -> str:
        """--mirror value mapping a canonical origin (https://host) to this server."""
        host = canonical.split("://", 1)[1].rstrip("/")
        return f"{canonical}={self.url}/{host}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@dataclass(frozen=True)
class Exchange:
    """One request through a HostLog: its site host and path, when it came and when its answer was sent (the
    proxy's monotonic clock), the status, and whether the body came whole from upstream."""
    host: str
    path: str
    start: float
    end: float
    status: int
    whole: bool


class HostLog:
    """A loopback proxy in front of a server of /<host>/<path> URLs (a corpus-server) that records every
    exchange per site host, to show what crawlers sent each host and when. Bodies cut short upstream are
    passed on cut short (with the promised Content-Length), redirects unfollowed. `latency` seconds pass
    before each answer, as a distant site's would."""

    def __init__(self, upstream: str, latency: float = 0.0):
        up = urlsplit(upstream)
        self.exchanges: list[Exchange] = []
        lock = threading.Lock()
        log = self.exchanges

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                start, status, whole = time.monotonic(), 0, False
                try:
                    time.sleep(latency)
                    conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
                    conn.request("GET", self.path, headers={k: v for k, v in self.headers.items()
                                                            if k.lower() not in ("host", "connection")})
                    resp = conn.getresponse()
                    status = resp.status
                    try:
                        body, whole = resp.read(), True
                    except http.client.IncompleteRead as e:
                        body = e.partial
                    conn.close()
                    self.send_response(resp.status, resp.reason)
                    for k, v in resp.getheaders():
                        if k.lower() not in ("transfer-encoding", "connection", "content-length", "date",
                                             "server"):
                            self.send_header(k, v)
                    self.send_header("Content-Length", resp.getheader("Content-Length") if not whole
                                     else str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    pass  # the crawler went away (killed) or upstream failed: the exchange still counts
                finally:
                    self.close_connection = True
                    with lock:
                        log.append(Exchange(self.path.lstrip("/").split("/", 1)[0], self.path, start,
                                            time.monotonic(), status, whole))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def mirror(self, canonical: str) -> str:
        """--mirror value mapping a canonical origin (https://host) through this proxy."""
        return f"{canonical}={self.url}/{canonical.split('://', 1)[1].rstrip('/')}"

    def by_host(self) -> dict[str, list[Exchange]]:
        hosts: dict[str, list[Exchange]] = {}
        for ex in sorted(self.exchanges, key=lambda e: e.start):
            hosts.setdefault(ex.host, []).append(ex)
        return hosts

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def start_corpus_server(*args: str) -> CorpusServer:
    if not CORPUS_SERVER.exists():
        pytest.skip(f"corpus-server not found at {CORPUS_SERVER} (needs ../shared beside the checkout)")
    return CorpusServer(*args)


def fixture(name: str) -> str:
    """The text of a hand-made file under tests/fixtures, e.g. fixture("us-state/feed.xml")."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def corpus_statement(url: str) -> Statement:
    """The statement a page of the real corpus gives, parsed by its source as a crawl would."""
    path = CORPUS / "raw" / url.split("://", 1)[1]
    text, _ = decode_body(path.read_bytes(), None)
    return source_for_url(url).parse_article(Page(url=url, text=text))


def present(store: Store, *statements: Statement) -> None:
    """Statements stored through the save step a crawl uses (which links versions in other languages)."""
    Pipeline(store).present(list(statements), LinesReport("test"))


def store_at(path: Path) -> Store:
    """The store in the SQLite file `path` (created when missing)."""
    return Store(f"sqlite:///{path}")


def archive_store(data: Path, store: str | None = None) -> Store:
    """The store of the data folder `data` as the command line opens it: `store` (a database URL), else
    $POLICY_ARCHIVE_STORE (the `store_engine` fixture sets it), else the folder's archive.sqlite."""
    return Store(store or resolve_store(None) or f"sqlite:///{data / 'archive.sqlite'}")


def cli(data_dir: Path | None, *args: str, timeout: float = 300, env: dict | None = None,
        input: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "archive"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("POLICY_ARCHIVE_DATA", None) if env is None or "POLICY_ARCHIVE_DATA" not in env else None
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout, env=full_env,
                          input=input)


def cli_json(data_dir: Path | None, *args: str, **kw):
    proc = cli(data_dir, *args, "--json", **kw)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


class Server:
    """`policy-archive serve` in a subprocess on a free loopback port (the real WSGI server)."""

    def __init__(self, data_dir: Path, *args: str, stderr=subprocess.PIPE, env: dict | None = None):
        # a server that logs much (a load test) needs a file for stderr: a full pipe would stall it
        self.proc = subprocess.Popen([sys.executable, "-m", "archive", "--data-dir", str(data_dir), "serve",
                                      "--port", "0", *args], stdout=subprocess.PIPE, stderr=stderr, text=True,
                                     cwd=data_dir.parent, env={**os.environ, **(env or {})})
        line = self.proc.stdout.readline().strip()
        if not line.startswith("Serving on "):
            self.proc.kill()
            raise RuntimeError(f"server did not start: {line!r} {self.proc.stderr.read() if self.proc.stderr else ''}")
        self.url = line.removeprefix("Serving on ")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        if self.proc.stderr:
            self.proc.stderr.close()


# a small web archive ---------------------------------------------------------------------------------

UTC = timezone.utc
BEIJING = timezone(timedelta(hours=8))
CEASEFIRE_US = 25
CEASEFIRE_FR = 5
XSS = "<script>alert(1)</script>"


def ceasefire(i: int, source: str, country: str) -> Statement:
    return Statement(
        source=source, url=f"https://{source}.example/briefings/{i}", country=country,
        ministry=f"Ministry of Foreign Affairs ({country})", language="en", kind="press-conference",
        title=f"Daily briefing {i} on ceasefire talks", speakers=[f"Spokesperson {i % 3}"],
        paragraphs=[f"Question {i} about the ceasefire negotiations.", "The talks continue this week."],
        date=datetime(2024, 3, 1, 10, 0, tzinfo=UTC) + timedelta(days=i),
        fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))


XSS_ST = Statement(
    source="us-state", url="https://us-state.example/remarks/markup", country="US",
    ministry="Department of State", language="en", kind="remarks", title="Remarks on sanctions & <b>markup</b>",
    paragraphs=["First paragraph on sanctions policy.", f"A quoted page fragment {XSS} about sanctions.",
                "Third paragraph."],
    speakers=["Secretary A", "Deputy B"], date=datetime(2024, 6, 3, 9, 30, tzinfo=UTC),
    fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))

CHINESE = Statement(
    source="cn-mfa", url="https://cn-mfa.example/fyrbt/1.html", country="CN", ministry="外交部",
    language="zh", kind="press-conference", title="外交部发言人就单边制裁问题答记者问",
    paragraphs=["中方坚决反对任何形式的单边制裁。", "我们敦促有关方面停止错误做法。"],
    speakers=["发言人"], date=datetime(2024, 6, 3, 15, 0, tzinfo=BEIJING),
    fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))

# a quote of common words (test_cite_runs): the statements holding it, its opening words alone, its words
# reordered around one run of six, and many sharing its words but no run of six
RUNS_QUOTE = "And like there were in other parts of the world, the pandemic did, in fact, affect us all."


def _remarks(i: int, paragraph: str, country: str = "US") -> Statement:
    return Statement(
        source="us-state", url=f"https://us-state.example/remarks/{i}", country=country,
        ministry="Department of State", language="en", kind="remarks", title=f"Remarks {i}",
        paragraphs=["Good afternoon.", paragraph], speakers=["Spokesperson"],
        date=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i), fetched_at=datetime(2024, 7, 1, tzinfo=UTC))


RUNS_ARCHIVE = [
    _remarks(1, "In fact, the pandemic did affect us all, like there were in other parts of the world."),
    _remarks(2, "And like there were in other parts of the city, officials met again."),
    _remarks(3, RUNS_QUOTE), _remarks(4, RUNS_QUOTE, "GB"),
    *(_remarks(10 + i, "There were other parts of the world where the pandemic did affect us, in fact.")
      for i in range(30))]

# a scraped URL is data too: it must never become a javascript: link
ODD_URL = Statement(
    source="us-state", url="javascript:alert(2)", guid="odd-url", country="US", ministry="Department of State",
    language="en", kind="statement", title="Statement with an odd address", paragraphs=["Nothing else."],
    date=datetime(2024, 1, 2, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))


def build_archive(root: Path, statements: list[Statement], store_url: str | None = None) -> Path:
    """A data folder holding `statements`, indexed; its store in the database `store_url` when given."""
    dd = open_datadir(root, create=True, store=store_url)
    store = Store(dd.db_url)
    for st in statements:
        store.save(st)
    sync_index(store, dd.index_dir)
    store.close()
    return root


@contextmanager
def web_client(root: Path, **config):
    """A test client of the web app over the data folder `root`, its backend closed on leaving."""
    app = create_app(root, {"TESTING": True, **config})
    try:
        yield app.test_client()
    finally:
        app.extensions[EXTENSION].close()


def briefing(i: int, revision: int = 0) -> Statement:
    return Statement(
        source="us-state", url=f"https://us-state.example/briefings/{i}", country="US",
        ministry="Department of State", language="en", kind="press-conference",
        title=f"Briefing {i} on maritime security", speakers=["Spokesperson"],
        paragraphs=[f"Paragraph about harbour {i}.", f"Revision {revision} of the answer on shipping lanes."],
        date=datetime(2024, 3, 1, tzinfo=UTC) + timedelta(days=i),
        fetched_at=datetime(2024, 7, 1, tzinfo=UTC) + timedelta(minutes=revision))


# days and speakers ----------------------------------------------------------------------------------

EASTERN = timezone(timedelta(hours=-4))
PRC_MFA = "Ministry of Foreign Affairs of the People's Republic of China"
MAO_NING = "毛宁"
ZAKHAROVA = "Мария Захарова"


def said(n: int, *, when: datetime | None, country: str = "CN", language: str = "zh",
         kind: str = "press-conference", speakers: tuple[str, ...] = (MAO_NING,), title: str = "") -> Statement:
    """A statement of the day-and-speaker archive; `n` keeps its address (and so its id) apart."""
    source, ministry = {"CN": (f"cn-mfa-{language}", PRC_MFA), "US": ("us-state", "Department of State"),
                        "RU": ("ru-mid", "Ministry of Foreign Affairs of the Russian Federation")}[country]
    return Statement(source=source, url=f"https://{source}.example/{n}", country=country, ministry=ministry,
                     language=language, kind=kind, title=title or f"Statement {n}", speakers=list(speakers),
                     paragraphs=[f"Text of statement {n}."], date=when,
                     fetched_at=datetime(2024, 6, 1, tzinfo=UTC))


# 6 May 2024 has two ministries' statements, two each; the days around it with any are 3 May and 9 May
BUSY_DAY = "2024-05-06"
DAY_US = [said(1, when=datetime(2024, 5, 6, 14, 5, tzinfo=EASTERN), country="US", language="en",
               speakers=("Matthew Miller",), title="Department Press Briefing"),
          # late at night in Washington, already 7 May in UTC: still 6 May, as the ministry published it
          said(2, when=datetime(2024, 5, 6, 23, 30, tzinfo=EASTERN), country="US", language="en", kind="statement",
               speakers=(), title="Statement on the evening vote")]
DAY_CN = [said(3, when=datetime(2024, 5, 6, tzinfo=BEIJING), title="2024年5月6日外交部发言人毛宁主持例行记者会"),
          said(4, when=datetime(2024, 5, 6, tzinfo=BEIJING), language="en", speakers=("Mao Ning",),
               title="Foreign Ministry Spokesperson Mao Ning's Regular Press Conference on May 6, 2024")]
BEFORE = said(5, when=datetime(2024, 5, 3, 10, 0, tzinfo=EASTERN), country="US", language="en",
              speakers=("Matthew Miller",), title="Briefing of 3 May")
AFTER = said(6, when=datetime(2024, 5, 9, 12, 0, tzinfo=timezone(timedelta(hours=3))), country="RU",
             language="ru", speakers=(ZAKHAROVA,), title="Брифинг официального представителя")
# 毛宁's other statements: one shared with a colleague, and one undated, which is neither her first nor latest
MAO_EARLIER = [said(7, when=datetime(2024, 4, 10, tzinfo=BEIJING)),
               said(8, when=datetime(2024, 3, 15, tzinfo=BEIJING)),
               said(9, when=datetime(2024, 2, 1, tzinfo=BEIJING), speakers=(MAO_NING, "汪文斌")),
               said(10, when=None, kind="remarks")]
NEAR_NAMESAKE = said(11, when=datetime(2024, 5, 9, tzinfo=BEIJING), kind="remarks", speakers=("毛宁宁",))
# a name with a slash in it, as scraped bylines have, is one path segment of its page all the same
SLASHED = said(12, when=datetime(2024, 5, 3, 16, 0, tzinfo=EASTERN), country="US", language="en",
               speakers=("Spokesperson / Deputy Spokesperson",), title="Statement of 3 May")
DAYS_ARCHIVE = [*DAY_US, *DAY_CN, BEFORE, AFTER, *MAO_EARLIER, NEAR_NAMESAKE, SLASHED]
MAO_NING_STATEMENTS = [DAY_CN[0], *MAO_EARLIER]

# the China MFA's conferences of 17 to 24 January 2020 in Chinese (none on the weekend of the 18th and 19th;
# 耿爽 held those of the 17th to the 23rd, 华春莹 answered a question on the 24th), and the English version of
# the 21st's
_ZH_CONFERENCES = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/"
CHINA_WEEK = [_ZH_CONFERENCES + page for page in (
    "t1733439.shtml", "t1734210.shtml", "t1734605.shtml", "t1735079.shtml", "t1735570.shtml", "t1736005.shtml")]
CHINA_WEEK_EN = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1734624.shtml"
# the 21st's conference in both languages: the pair the bilingual and cross-language tests start from
PAIR_ZH, PAIR_EN = CHINA_WEEK[2], CHINA_WEEK_EN
# every China MFA conference of August 2019 in both languages (twelve days; the month the United States left the
# INF Treaty, so missiles come up): the bilingual transcripts the lexicon test mines
_EN_CONFERENCES = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"
AUGUST_2019 = [_ZH_CONFERENCES + page for page in (
    "t1685306.shtml", "t1685719.shtml", "t1689910.shtml", "t1690222.shtml", "t1690593.shtml", "t1691020.shtml",
    "t1691418.shtml", "t1691978.shtml", "t1692290.shtml", "t1692572.shtml", "t1692919.shtml", "t1693273.shtml",
)] + [_EN_CONFERENCES + page for page in (
    "t1685342.shtml", "t1685765.shtml", "t1689960.shtml", "t1690301.shtml", "t1690680.shtml", "t1691074.shtml",
    "t1691457.shtml", "t1692042.shtml", "t1692308.shtml", "t1692602.shtml", "t1692933.shtml", "t1693289.shtml",
)]


# place names across languages -------------------------------------------------------------------------

def _on_taiwan(n: int, language: str, country: str, title: str, text: str) -> Statement:
    return Statement(
        source=f"names-{language}", url=f"https://names.example/{language}/{n}", country=country,
        ministry=f"Ministry of Foreign Affairs ({country})", language=language, kind="statement", title=title,
        paragraphs=[text], date=datetime(2024, 5, n, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, tzinfo=UTC))


# one statement on Taiwan in each of three languages, and two that name no place the others name
NAMES_ARCHIVE = [
    _on_taiwan(1, "en", "US", "Statement on Taiwan", "We call for peace and stability across Taiwan's waters and in Taiwan."),
    _on_taiwan(2, "zh", "CN", "外交部发言人答记者问", "台湾是中国领土不可分割的一部分。"),
    _on_taiwan(3, "ru", "RU", "Комментарий официального представителя", "Мы внимательно следим за ситуацией вокруг Тайвань."),
    _on_taiwan(4, "en", "JP", "Statement on sanctions", "Japan announced sanctions on exports."),
    _on_taiwan(5, "en", "GB", "Statement on trade", "New sanctions were discussed with partners."),
]
