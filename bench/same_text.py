"""Same texts in the real corpus (../shared/corpus): the statements of its JSON Lines files (the State
Department's press releases and the Singapore MFA's statements) and the gov.uk Content API items, saved through
the one save step into a fresh store, which signs them and links the same texts.

    python bench/same_text.py [--corpus ../shared/corpus] [--near 0.3] [--json]

Prints the groups of statements linked as one text (with their sources and titles), the pairs just below
the threshold (Jaccard or containment at least --near), and the time the save took with signing. It is not a
test (tests/test_same_text.py checks the linking on real text); docs/same-text.md reports what it showed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from archive.ingest.jsonl import read_file  # noqa: E402
from archive.ingest.pipeline import Pipeline  # noqa: E402
from archive.ingest.reports import LinesReport  # noqa: E402
from archive.sources import get_source  # noqa: E402
from archive.sources.base import Page  # noqa: E402
from archive.store import Store  # noqa: E402
from archive.store.tables import same_texts, text_shingles, text_signatures  # noqa: E402

def govuk_items(corpus: Path) -> list:
    source = get_source("uk-fcdo")
    out = []
    for path in sorted((corpus / "raw/www.gov.uk/api/content").rglob("*.json")):
        url = "https://www.gov.uk/" + str(path.relative_to(corpus / "raw/www.gov.uk")).removesuffix(".json")
        out.append(source.parse_article(Page(url=url, text=path.read_text(encoding="utf-8"),
                                             content_type="application/json")))
    return out


def corpus_statements(corpus: Path) -> list:
    """The statements of the JSONL files (as `policy-archive import` reads them), then the gov.uk items."""
    return [st for path in sorted((corpus / "statements").glob("*.jsonl.gz")) for st in read_file(path)] + \
        govuk_items(corpus)


def near_pairs(store: Store, near: float) -> list[tuple[str, str, float, float]]:
    """Pairs of one language sharing sampled shingles whose Jaccard or containment reaches `near`, with both."""
    a, b = text_shingles.alias("a"), text_shingles.alias("b")
    sa, sb = text_signatures.alias("sa"), text_signatures.alias("sb")
    common = func.count().label("common")
    query = (select(a.c.statement_id, b.c.statement_id, common, sa.c.size, sb.c.size)
             .join(b, (a.c.shingle == b.c.shingle) & (a.c.statement_id < b.c.statement_id))
             .join(sa, sa.c.statement_id == a.c.statement_id).join(sb, sb.c.statement_id == b.c.statement_id)
             .where(sa.c.language == sb.c.language)
             .group_by(a.c.statement_id, b.c.statement_id, sa.c.size, sb.c.size))
    out = []
    with store.engine.connect() as conn:
        for x, y, n, size_x, size_y in conn.execute(query):
            jaccard, contained = n / (size_x + size_y - n), n / min(size_x, size_y)
            if max(jaccard, contained) >= near:
                out.append((x, y, round(jaccard, 3), round(contained, 3), min(size_x, size_y)))
    return sorted(out, key=lambda p: -max(p[2], p[3]))


def groups(store: Store) -> list[list[str]]:
    """Linked statements as groups (connected), largest first."""
    with store.engine.connect() as conn:
        edges = conn.execute(select(same_texts.c.statement_id, same_texts.c.other_id)).all()
    parent: dict[str, str] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x
    for x, y in edges:
        parent[root(x)] = root(y)
    out = defaultdict(list)
    for x in parent:
        out[root(x)].append(x)
    return sorted(out.values(), key=len, reverse=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus")
    parser.add_argument("--near", type=float, default=0.3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items = corpus_statements(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/archive.db")
        started = time.perf_counter()
        Pipeline(store).present(items, LinesReport("corpus"))
        seconds = time.perf_counter() - started
        found = groups(store)
        show = {s["id"]: s for s in store.get_many([sid for g in found for sid in g])}
        near = near_pairs(store, args.near)
        named = {s["id"]: s for s in store.get_many([sid for p in near for sid in p[:2]])}
        sizes = store.engine.connect().execute(select(func.count()).select_from(text_shingles)).scalar_one()
        report = {
            "statements": store.count(), "save_seconds": round(seconds, 1), "sampled_shingles": sizes,
            "groups": [[{k: show[sid][k] for k in ("id", "source", "country", "date", "title", "url")}
                        | {"copies": store.copies(sid)} for sid in g] for g in found],
            "near": [{"a": named[x]["title"], "a_source": named[x]["source"], "b": named[y]["title"],
                      "b_source": named[y]["source"], "jaccard": j, "containment": c, "smaller_sample": n,
                      "linked": y in {c["id"] for c in store.copies(x)}}
                     for x, y, j, c, n in near],
        }
        store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
        return
    print(f"{report['statements']:,} statements saved and signed in {report['save_seconds']} s; "
          f"{report['sampled_shingles']:,} sampled shingles; {len(found)} same-text groups")
    for g in report["groups"]:
        print("group:")
        for s in g:
            print(f"  {s['source']:10} {str(s['date'])[:10]} {s['title'][:90]}")
    print(f"pairs with Jaccard or containment >= {args.near}:")
    for p in report["near"]:
        print(f"  {'LINKED' if p['linked'] else 'not   '} J={p['jaccard']:.2f} C={p['containment']:.2f} n={p['smaller_sample']:3} "
              f"{p['a_source']}: {p['a'][:60]} | {p['b_source']}: {p['b'][:60]}")


if __name__ == "__main__":
    main()
