"""Crawl throughput with 1, 2 and 4 crawler workers sharing a PostgreSQL store, against the corpus server on
loopback with a per-host delay: the real `policy-archive watch` (one round into the queue) and `policy-archive
worker --until-idle` processes, timed from the first worker's start to the last one's end.

    python bench/workers_bench.py [--corpus ../shared/corpus] [--workers 1 2 4] [--delay 0.2] [--json]

A throw-away PostgreSQL cluster is started for the run (tests/pgserver.py: Debian's server binaries). Each count of workers crawls the same bounded set into a fresh database: cn-mfa-en's first listing
page and cn-mfa-zh's first four (www.fmprc.gov.cn, their articles on www.fmprc.gov.cn and www.mfa.gov.cn) and
the State Department feed with its briefings (www.state.gov). Printed: pages fetched (the captures table's
responses, robots.txt included), statements stored, seconds, pages/s, and requests per host. Politeness bounds
it: one request at a time per host and --delay between them, so no number of workers exceeds about
hosts / (delay + response time) pages/s.
"""
from __future__ import annotations

import argparse
import json
import os
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

from sqlalchemy import create_engine, text  # noqa: E402

HOSTS = ("https://www.fmprc.gov.cn", "https://www.mfa.gov.cn", "https://www.state.gov")
ROUND = [("cn-mfa-en", "1"), ("cn-mfa-zh", "4"), ("us-state", "1")]


def policy_archive(data: Path, store: str, *args: str, wait: bool = True):
    cmd = [sys.executable, "-m", "archive", "--data-dir", str(data), *args]
    env = {**os.environ, "POLICY_ARCHIVE_STORE": store}
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def run(n: int, store: str, server_url: str, delay: float, data: Path) -> dict:
    """Schedule one round and crawl it with `n` workers; what was fetched and stored, and how fast."""
    for source, pages in ROUND:
        policy_archive(data, store, "watch", source, "--interval", "0", "--rounds", "1", "--max-pages", pages,
                       "--since", "2016-01-01")
    mirrors = [arg for host in HOSTS for arg in ("--mirror", f"{host}={server_url}/{host.split('://')[1]}")]
    started = time.monotonic()
    workers = [policy_archive(data, store, "worker", "--id", f"bench{i}", "--delay", str(delay), "--offline",
                              "--until-idle", "--json", "-q", *mirrors, wait=False) for i in range(n)]
    outs = [w.communicate() for w in workers]
    took = time.monotonic() - started
    for w, (_, err) in zip(workers, outs):
        if w.returncode != 0:
            raise RuntimeError(f"worker exited {w.returncode}: {err.strip()}")
    engine = create_engine(store)
    with engine.connect() as conn:
        urls = conn.execute(text("select url from captures")).scalars().all()
        stored = conn.execute(text("select count(*) from statements")).scalar_one()
        items = dict(conn.execute(text("select state, count(*) from work_items group by state")).all())
    engine.dispose()
    per_host = Counter(urlsplit(u).hostname for u in urls)
    return {"workers": n, "delay": delay, "seconds": round(took, 2), "pages": len(urls), "statements": stored,
            "pages_per_second": round(len(urls) / took, 2), "items": items, "per_host": dict(per_host)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from pgserver import PostgresServer
    pg = PostgresServer()
    server = subprocess.Popen([sys.executable, str(args.corpus.parent / "tools" / "corpus-server"), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    results = []
    try:
        url = server.stdout.readline().strip().split("listening on ", 1)[1]
        for n in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                results.append(run(n, pg.new_database(), url, args.delay, Path(tmp)))
            if not args.json:
                r = results[-1]
                print(f"{n} worker{'s' if n > 1 else ''}: {r['pages']} pages in {r['seconds']} s = "
                      f"{r['pages_per_second']} pages/s; {r['statements']} statements; items {r['items']}; "
                      f"per host {r['per_host']}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
        pg.stop()
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
