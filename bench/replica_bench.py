"""Replica benchmark: how fast a new web node's index catches up with a PostgreSQL store from empty.

    python bench/replica_bench.py                          # the 2,906 real statements, a throw-away server
    python bench/replica_bench.py --synthetic 20000        # and 20,000 recombined from them
    python bench/replica_bench.py --store postgresql+psycopg://user@host/db   # a server of your own (emptied)

The real statements go into the store as a user puts them there: `policy-archive import
/work/shared/corpus/statements/*.jsonl.gz` with POLICY_ARCHIVE_STORE naming the PostgreSQL database.
The synthetic set (bench/search_bench.py's recombination, fixed seed) is saved with Store.save_many.
Then, `--repeat` times, a fresh data folder catches up from nothing with `policy-archive index --follow
--once` (the follower a web node runs in `serve`, here as its own process), timed from start to exit;
statements per second counts the statements it indexed over that wall-clock time, process start included,
and over the CPU time of the process (user + system, PostgreSQL's own not counted), which a loaded machine
changes less.
It also times following: statements saved in batches of --burst while a follower polls every 0.5 s, from the
save's commit until the follower has recorded the store's last change as applied (what /api/health reads). Prints numbers; it is not a test. Nothing is
written to the project: data folders go under a temp folder, removed at the end.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from archive.index.follow import applied  # noqa: E402
from archive.store import Store  # noqa: E402
from search_bench import CORPUS, real_statements, synthetic  # noqa: E402

BATCH = 1000


def cli(data: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "POLICY_ARCHIVE_STORE": url}
    proc = subprocess.run([sys.executable, "-m", "archive", "--data-dir", str(data), *args], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    return proc


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def catch_up(work: Path, url: str, label: str, repeat: int) -> list[dict]:
    runs = []
    for i in range(repeat):
        data = work / f"{label}-{i}"
        t0, c0 = time.perf_counter(), _children_cpu()
        done = json.loads(cli(data, url, "index", "--follow", "--once", "--json").stdout)
        seconds, cpu = time.perf_counter() - t0, _children_cpu() - c0
        runs.append({**done, "seconds": seconds, "cpu": cpu, "load": os.getloadavg()[0]})
        print(f"{label} catch-up {i + 1}: {done['statements']:,} statements ({done['changes']:,} changes) in "
              f"{seconds:.1f} s wall = {done['statements'] / seconds:,.0f} statements/s; {cpu:.1f} s CPU = "
              f"{done['statements'] / cpu:,.0f} statements/s of CPU; lag {done['lag']} "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
        shutil.rmtree(data)
    return runs


def following(work: Path, url: str, store: Store, bursts: int, size: int, start: int) -> list[float]:
    """Seconds from a burst's commit until a following index has applied it."""
    data = work / "follower"
    cli(data, url, "index", "--follow", "--once")
    env = {**os.environ, "POLICY_ARCHIVE_STORE": url}
    proc = subprocess.Popen([sys.executable, "-m", "archive", "--data-dir", str(data), "index", "--follow",
                             "--interval", "0.5"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    real = real_statements()
    delays = []
    try:
        for b in range(bursts):
            store.save_many(list(synthetic(real, size, seed=start + b)))
            t0, head = time.perf_counter(), store.last_change()
            while applied(data / "index").seq < head:
                time.sleep(0.02)
            delays.append(time.perf_counter() - t0)
            print(f"burst {b + 1}: {size} statements applied {delays[-1]:.2f} s after their commit", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return delays


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", help="an empty PostgreSQL database's URL (default: a throw-away server)")
    ap.add_argument("--synthetic", type=int, default=0, help="also catch up over this many synthetic statements")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--bursts", type=int, default=5)
    ap.add_argument("--burst", type=int, default=20)
    args = ap.parse_args()
    server = None
    if args.store is None:
        from pgserver import PostgresServer
        server = PostgresServer()
        url = server.new_database()
    else:
        url = args.store
    work = Path(tempfile.mkdtemp(prefix="pa-replica-bench-"))
    try:
        files = sorted(glob.glob(CORPUS))
        t0 = time.perf_counter()
        cli(work / "importer", url, "import", *files)
        store = Store(url)
        print(f"imported {store.count():,} real statements into PostgreSQL in {time.perf_counter() - t0:.1f} s "
              f"(`policy-archive import`, its own index included); the sequence is at {store.last_change():,}",
              flush=True)
        catch_up(work, url, "real", args.repeat)
        if args.synthetic:
            real = real_statements()
            t0 = time.perf_counter()
            items = list(synthetic(real, args.synthetic))
            for i in range(0, len(items), BATCH):
                store.save_many(items[i:i + BATCH])
            print(f"saved {len(items):,} synthetic statements in {time.perf_counter() - t0:.1f} s; the store holds "
                  f"{store.count():,}, the sequence is at {store.last_change():,}", flush=True)
            catch_up(work, url, f"real+{args.synthetic}", args.repeat)
        delays = following(work, url, store, args.bursts, args.burst, start=1000)
        print(f"following: {args.burst} statements a burst applied in {min(delays):.2f}-{max(delays):.2f} s "
              f"(median {sorted(delays)[len(delays) // 2]:.2f} s) at --interval 0.5", flush=True)
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
