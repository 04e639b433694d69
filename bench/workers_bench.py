"""Crawl throughput with 1, 2 and 4 crawler workers sharing a PostgreSQL store, against the corpus server on
loopback with a per-host delay: the real `policy-archive worker --until-idle` processes, timed from the first
worker's start to the last one's end.

    python bench/workers_bench.py [--corpus ../shared/corpus] [--workers 1 2 4] [--delay 0.2] [--per-host 60]
                                  [--latency 0.3] [--json]

A throw-away PostgreSQL cluster is started for the run (tests/pgserver.py: Debian's server binaries). Each count
of workers reads the same pages into a fresh database: --per-host article pages of each of the corpus's two
large hosts (www.fmprc.gov.cn, Chinese and English conferences; www.mfa.gov.cn, Chinese), taken evenly from the
manifest and put in the queue as a listing would, plus a `watch` round of the State Department feed
(www.state.gov). The corpus holds no listing that links the www.mfa.gov.cn pages, and the State feed carries
its statements itself: enqueuing the articles is what spreads the work over hosts. Printed: pages fetched (the
captures table's responses, robots.txt included), statements stored, seconds, pages/s, requests per host, the
workers' CPU seconds, and the machine's load average (other processes share the cores).
A loopback proxy (tests/helpers.py HostLog) in front of the corpus server answers after --latency seconds, as
a distant site does: a worker waiting on one host's answer is what other workers overlap. Politeness bounds
it: one request at a time per host and --delay between them, so no number of workers exceeds
hosts / (delay + latency) pages/s, here about 2 / (0.2 + 0.3) = 4 pages/s (the State feed is four requests).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import HostLog  # noqa: E402
from pgserver import PostgresServer  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from archive.ingest.worker import article_item  # noqa: E402
from archive.sources import source_for_url  # noqa: E402
from archive.sources.base import Link  # noqa: E402
from archive.store import Store  # noqa: E402
from archive.store.queue import WorkQueue  # noqa: E402

HOSTS = ("https://www.fmprc.gov.cn", "https://www.mfa.gov.cn", "https://www.state.gov")
ARTICLE_HOSTS = ("www.fmprc.gov.cn", "www.mfa.gov.cn")


def articles(corpus: Path, per_host: int) -> list[str]:
    """`per_host` article URLs of each of ARTICLE_HOSTS, spread evenly over the manifest's."""
    by_host: dict[str, list[str]] = {h: [] for h in ARTICLE_HOSTS}
    for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["kind"] == "article" and rec["site"] in by_host:
            by_host[rec["site"]].append(rec["url"])
    return [u for urls in by_host.values() for u in sorted(urls)[::max(1, len(urls) // per_host)][:per_host]]


def policy_archive(data: Path, store: str, *args: str, wait: bool = True):
    cmd = [sys.executable, "-m", "archive", "--data-dir", str(data), *args]
    env = {**os.environ, "POLICY_ARCHIVE_STORE": store}
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def run(n: int, store: str, server_url: str, delay: float, latency: float, data: Path, urls: list[str]) -> dict:
    """Queue the pages and crawl them with `n` workers; what was fetched and stored, and how fast."""
    opened = Store(store)
    WorkQueue(opened.engine).enqueue([article_item(source_for_url(u).id, Link(u)) for u in urls])
    opened.close()
    policy_archive(data, store, "watch", "us-state", "--interval", "0", "--rounds", "1")
    mirrors = [arg for host in HOSTS for arg in ("--mirror", f"{host}={server_url}/{host.split('://')[1]}")]
    started, cpu = time.monotonic(), _children_cpu()
    workers = [policy_archive(data, store, "worker", "--id", f"bench{i}", "--delay", str(delay), "--offline",
                              "--until-idle", "--json", "-q", *mirrors, wait=False) for i in range(n)]
    outs = [w.communicate() for w in workers]
    took, cpu = time.monotonic() - started, _children_cpu() - cpu
    for w, (_, err) in zip(workers, outs):
        if w.returncode != 0:
            raise RuntimeError(f"worker exited {w.returncode}: {err.strip()}")
    engine = create_engine(store)
    with engine.connect() as conn:
        fetched = conn.execute(text("select url from captures")).scalars().all()
        stored = conn.execute(text("select count(*) from statements")).scalar_one()
        items = dict(conn.execute(text("select state, count(*) from work_items group by state")).all())
    engine.dispose()
    per_host = Counter(urlsplit(u).hostname for u in fetched)
    return {"workers": n, "delay": delay, "seconds": round(took, 2), "pages": len(fetched), "statements": stored,
            "pages_per_second": round(len(fetched) / took, 2), "items": items, "per_host": dict(per_host),
            "latency": latency, "worker_cpu_seconds": round(cpu, 1), "load": round(os.getloadavg()[0], 1)}


def _children_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes: the workers' own cost."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--per-host", type=int, default=60)
    ap.add_argument("--latency", type=float, default=0.3,
                    help="seconds each answer takes, as a distant site's would (a loopback proxy adds them)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    pg = PostgresServer()
    server = subprocess.Popen([sys.executable, str(args.corpus.parent / "tools" / "corpus-server"), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    results = []
    urls = articles(args.corpus, args.per_host)
    proxy = None
    try:
        proxy = HostLog(server.stdout.readline().strip().split("listening on ", 1)[1], latency=args.latency)
        url = proxy.url
        for n in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                results.append(run(n, pg.new_database(), url, args.delay, args.latency, Path(tmp), urls))
            if not args.json:
                r = results[-1]
                print(f"{n} worker{'s' if n > 1 else ''}: {r['pages']} pages in {r['seconds']} s = "
                      f"{r['pages_per_second']} pages/s; {r['statements']} statements; items {r['items']}; "
                      f"per host {r['per_host']}; workers' CPU {r['worker_cpu_seconds']} s; load {r['load']}", flush=True)
    finally:
        if proxy:
            proxy.close()
        server.terminate()
        server.wait(timeout=10)
        pg.stop()
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
