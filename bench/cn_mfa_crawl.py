"""The crawl of both China MFA sources through the corpus server, end to end: the real `policy-archive crawl`
of cn-mfa-en and cn-mfa-zh against ../shared/corpus served on loopback at the original paths, then what it
stored, counted from the archive.

    python bench/cn_mfa_crawl.py [--corpus ../shared/corpus] [--keep DIR] [--json]

Printed: the wall time, pages fetched, statements stored and undated (by source), the conferences in both
languages (a Chinese and an English press conference of the same Beijing day) and how many are linked each
way and both ways (translations rows), and the corpus pages no listing reaches. Fixed: the whole corpus, no
delay (the server is ours), robots.txt obeyed as on the real sites, `--since 2016-01-01` (older than any page).
Not a test: tests/test_cn_mfa_crawl.py crawls a bounded part and checks the same counts with `measure`.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.sources.sites.cn_mfa_names import VERSIONS  # noqa: E402
from archive.store import Store  # noqa: E402

SOURCES = ("cn-mfa-en", "cn-mfa-zh")
HOSTS = ("https://www.fmprc.gov.cn", "https://www.mfa.gov.cn")


def crawl(data_dir: Path, server_url: str, *extra: str) -> tuple[dict, float]:
    """Run `policy-archive crawl` of `extra` (sources and options) through the corpus server at `server_url`;
    its JSON summary and the wall time in seconds."""
    mirrors = [arg for host in HOSTS for arg in ("--mirror", f"{host}={server_url}/{host.split('://')[1]}")]
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "archive", "--data-dir", str(data_dir), "crawl", *extra,
                           "--since", "2016-01-01", "--delay", "0", "--offline", *mirrors, "--json", "-q"],
                          capture_output=True, text=True, cwd=ROOT)
    took = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"crawl exited {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout), took


def measure(store: Store) -> dict:
    """What the archive holds of the two sources: statements and undated ones by source, conferences in
    both languages and how many are linked each way."""
    stored, undated, conferences, undated_conferences = Counter(), Counter(), Counter(), Counter()
    days: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for st in store.iter_statements():
        if st["source"] not in SOURCES:
            continue
        source, conference = st["source"], st["kind"] == "press-conference"
        stored[source] += 1
        conferences[source] += conference
        if st["date"] is None:
            undated[source] += 1
            undated_conferences[source] += conference
        elif conference:
            days[VERSIONS.day(st)][st["language"]].add(st["id"])
    both = {day: langs for day, langs in days.items() if {"zh", "en"} <= set(langs)}
    linked = Counter()
    for langs in both.values():
        ways = {way for mine, theirs, way in ((langs["zh"], langs["en"], "zh→en"), (langs["en"], langs["zh"], "en→zh"))
                if any(t["id"] in theirs for sid in mine for t in store.translations(sid))}
        linked.update(ways)
        linked["both ways"] += len(ways) == 2
    return {"stored": dict(stored), "undated": dict(undated), "conferences": dict(conferences),
            "undated_conferences": dict(undated_conferences), "bilingual_conferences": len(both),
            "linked": {way: linked[way] for way in ("zh→en", "en→zh", "both ways")}}


def unreached(corpus: Path, store: Store) -> dict[str, int]:
    """China MFA article pages of the corpus the crawl did not store, by where they live."""
    held = {st["url"] for st in store.iter_statements()}
    out = Counter()
    for line in (corpus / "manifest.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        if rec["site"] in ("www.fmprc.gov.cn", "www.mfa.gov.cn") and rec["kind"] == "article" \
                and rec["url"] not in held:
            folder = rec["url"].split("://", 1)[1].rsplit("/", 1)[0]
            out[re.sub(r"/\d{6}$", "/YYYYMM", folder)] += 1
    return dict(out.most_common())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--keep", type=Path, help="crawl into this data folder and keep it")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    server = subprocess.Popen([sys.executable, str(args.corpus.parent / "tools" / "corpus-server"), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().strip().split("listening on ", 1)[1]
        with tempfile.TemporaryDirectory() as tmp:
            data = args.keep or Path(tmp)
            summary, took = crawl(data, url, *SOURCES)
            store = Store(f"sqlite:///{data}/archive.sqlite")
            result = {"seconds": round(took, 1),
                      "sources": {s["source"]: {k: s[k] for k in ("found", "fetched", "new", "errors", "warnings",
                                                                  "challenged", "owed", "status")}
                                  for s in summary["sources"]},
                      **measure(store), "unreached": unreached(args.corpus, store)}
            store.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    print(f"crawl of {' and '.join(SOURCES)} through the corpus server: {result['seconds']} s")
    for source, s in result["sources"].items():
        print(f"{source}: {s['found']} links found, {s['fetched']} pages fetched, {s['new']} stored, "
              f"{s['errors']} errors, {s['warnings']} warnings, {s['challenged']} challenged, {s['owed']} still owed "
              f"({s['status']}); undated {result['undated'].get(source, 0)} "
              f"(press conferences {result['undated_conferences'].get(source, 0)} of "
              f"{result['conferences'].get(source, 0)})")
    n = result["bilingual_conferences"]
    print(f"conferences in both languages: {n}")
    for way, k in result["linked"].items():
        print(f"  linked {way}: {k} ({k / max(n, 1):.1%})")
    print(f"corpus article pages not reached: {sum(result['unreached'].values())}")
    for where, k in result["unreached"].items():
        print(f"  {k:5}  {where}")


if __name__ == "__main__":
    main()
