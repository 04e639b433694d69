"""Citation lookup quality on the real corpus: quotes changed the way news copy changes them, and made-up ones.

    python bench/citation_eval.py --data-dir DIR [--n 40] [--seed 7]

DIR is an archive imported from ../shared/corpus/statements/*.jsonl.gz (`python -m archive --data-dir DIR
import FILE...`). Prints top-1 accuracy per kind, made-up quotes given any match or labelled verbatim, and
latency.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from pathlib import Path

from archive.cite import lookup
from archive.datadir import open_datadir
from archive.search import Searcher
from archive.store import Store

SENTENCE = re.compile(r"[^.!?]{80,300}[.!?]")
SWAPS = {"the": "this", "will": "would", "and": "as well as", "is": "remains", "we": "they", "to": "towards"}


def sentences(store: Store) -> list[tuple[str, str]]:
    out = []
    for st in store.iter_statements():
        for p in st["paragraphs"]:
            out += [(st["id"], m.group().strip()) for m in SENTENCE.finditer(p)
                    if 14 <= len(m.group().split()) <= 40 and not m.group().strip().startswith(("QUESTION", "MR"))]
    return out


def changed(rng, words: list[str], n: int) -> list[str]:
    spots = [i for i, w in enumerate(words) if w.lower() in SWAPS]
    for i in rng.sample(spots, min(n, len(spots))):
        words[i] = SWAPS[words[i].lower()]
    return words


def variants(rng, sentence: str, pool: list[tuple[str, str]]) -> dict[str, str]:
    w = sentence.split()
    cut = rng.randrange(3, len(w) - 6)
    other = rng.choice(pool)[1].split()
    return {
        "verbatim": f"“{sentence}”",
        "cut-ellipsis": " ".join(w[:cut] + ["…"] + w[cut + 3:]),
        "cut-silent": " ".join(w[:cut] + w[cut + 3:]),
        "punctuation": '"' + re.sub(r"[,;:’']", "", sentence).upper() + '"',
        "bracketed": " ".join(w[:cut] + ["[the government]"] + w[cut:]),
        "changed-words": " ".join(changed(rng, list(w), 2)),
        "partial": " ".join(w[:len(w) // 2] + other[len(other) // 2:len(other) // 2 + len(w) // 2]),
    }


def made_up(rng, pool: list[tuple[str, str]]) -> list[str]:
    words = [rng.choice(pool)[1].split() for _ in range(6)]
    chunks = [ws[i:i + 3] for ws in words for i in (rng.randrange(0, len(ws) - 3),)]
    shuffled = rng.choice(pool)[1].split()
    rng.shuffle(shuffled)
    return [" ".join(w for c in chunks for w in c), " ".join(shuffled)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--n", type=int, default=40, help="source sentences (each gives one quote of every kind)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    dd = open_datadir(args.data_dir, create=False)
    searcher, store = Searcher(dd.index_dir), Store(dd.db_url)
    pool = sentences(store)
    picks = rng.sample(pool, args.n)
    right: dict[str, list[bool]] = {}
    times = []
    for sid, sentence in picks:
        for kind, quote in variants(rng, sentence, pool).items():
            t0 = time.perf_counter()
            answer = lookup(quote, searcher, store)
            times.append(time.perf_counter() - t0)
            top = answer["matches"][0] if answer["matches"] else None
            # a repeated formula is right when its statement is among the equal matches
            ok = top is not None and any(m["id"] == sid and m["score"] == top["score"] for m in answer["matches"])
            right.setdefault(kind, []).append(ok)
    matched = verbatim = total = 0
    for _ in range(args.n):
        for quote in made_up(rng, pool):
            t0 = time.perf_counter()
            answer = lookup(quote, searcher, store)
            times.append(time.perf_counter() - t0)
            total += 1
            matched += bool(answer["matches"])
            verbatim += any(m["match"] == "verbatim" for m in answer["matches"])
    print(f"statements {store.count():,}  sentences {len(pool):,}  n {args.n}  seed {args.seed}")
    for kind, oks in right.items():
        print(f"{kind:15} top-1 {sum(oks) / len(oks):.3f}  ({sum(oks)}/{len(oks)})")
    print(f"made-up        given any match {matched}/{total} ({matched / total:.1%}), not-found precision "
          f"{1 - matched / total:.3f}, labelled verbatim {verbatim}")
    times.sort()
    print(f"latency        p50 {statistics.median(times) * 1000:.0f} ms  p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms"
          f"  ({len(times)} lookups)")


if __name__ == "__main__":
    main()
