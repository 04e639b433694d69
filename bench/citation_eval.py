"""Citation lookup quality and latency on an archive: quotes changed the way news copy changes them, made-up ones,
and real ones from statements held out of the archive.

    python bench/citation_eval.py --data-dir DIR [--corpus FILE... [--hold-out 100]] [--n 200] [--seed 7]
                                  [--kinds KIND...] [--failures FILE] [--json]

DIR is any archive data directory: one imported from ../shared/corpus/statements/*.jsonl.gz
(`policy-archive --data-dir DIR import FILE...`), or the 100,000-statement one bench/search_bench.py builds
in its --out folder. The quotes are cut from DIR's own statements (sampled in one streaming pass, so memory
stays flat at any size). Prints top-1 accuracy per kind, the labels given, made-up quotes given any match or
labelled verbatim, the held-out quotes given a source (with --corpus: bench/citation_negatives.py), latency
p50/p95/max over every lookup, and the machine's load average before and after (the latency is only as good
as the machine was idle). It is not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import citation_negatives  # noqa: E402
from archive.cite.lookup import lookup, words  # noqa: E402
from archive.datadir import open_datadir  # noqa: E402
from archive.search.searcher import Searcher  # noqa: E402
from archive.store import Store  # noqa: E402

SENTENCE = re.compile(r"[^.!?]{80,300}[.!?]")
SWAPS = {"the": "this", "will": "would", "and": "as well as", "is": "remains", "we": "they", "to": "towards"}
# sentences kept for each source sentence: the partial and made-up quotes borrow from them
POOL_FACTOR = 10
EXPECTED = {"verbatim": "verbatim", "punctuation": "verbatim", "cut-ellipsis": "near", "cut-silent": "near",
            "bracketed": "near", "changed-words": "near", "half-sentence": "verbatim", "partial": "partial",
            "spliced": "partial", "nested": "verbatim"}


def sentences(paragraphs: list[str]):
    """The sentences of 14-40 words a quote is cut from (transcript questions left out)."""
    for p in paragraphs:
        for m in SENTENCE.finditer(p):
            s = m.group().strip()
            if 14 <= len(s.split()) <= 40 and not s.startswith(("QUESTION", "MR")):
                yield s


def sample_sentences(store: Store, k: int, rng: random.Random) -> tuple[list[tuple[str, str]], int]:
    """k sentences drawn uniformly from every statement's paragraphs by reservoir sampling; and how many
    there were."""
    out: list[tuple[str, str]] = []
    seen = 0
    total = store.count()
    for i, st in enumerate(store.iter_statements()):
        if i % 5000 == 0 and total > 5000:
            print(f"sampling sentences: {i:,}/{total:,} statements", file=sys.stderr)
        for s in sentences(st["paragraphs"]):
            seen += 1
            if len(out) < k:
                out.append((st["id"], s))
            elif (j := rng.randrange(seen)) < k:
                out[j] = (st["id"], s)
    return out, seen


def changed(rng, ws: list[str], n: int) -> list[str]:
    spots = [i for i, w in enumerate(ws) if w.lower() in SWAPS]
    for i in rng.sample(spots, min(n, len(spots))):
        ws[i] = SWAPS[ws[i].lower()]
    return ws


def variants(rng, sentence: str, other: str) -> dict[str, str]:
    """One quote of every kind from a sentence; `other` is another sentence, for the partial kinds."""
    w = sentence.split()
    cut = rng.randrange(3, len(w) - 6)
    inner = rng.randrange(3, len(w) - 8)
    other = other.split()
    # words of another sentence in shuffled order: a half that is in no statement, as a paraphrase is not
    shuffled = rng.sample(other, min(len(other), len(w) - len(w) // 2))
    return {
        "verbatim": f"“{sentence}”",
        "cut-ellipsis": " ".join(w[:cut] + ["…"] + w[cut + 3:]),
        "cut-silent": " ".join(w[:cut] + w[cut + 3:]),
        "punctuation": '"' + re.sub(r"[,;:’']", "", sentence).upper() + '"',
        "bracketed": " ".join(w[:cut] + ["[the government]"] + w[cut:]),
        "changed-words": " ".join(changed(rng, list(w), 2)),
        # news copy quoting half a sentence: the same words as far as they go
        "half-sentence": "“" + " ".join(w[:len(w) // 2]) + "”",
        "partial": " ".join(w[:len(w) // 2] + shuffled),
        # half of each of two real sentences: both statements hold half the quote, so either is right
        "spliced": " ".join(w[:len(w) // 2] + other[len(other) // 2:len(other) // 2 + len(w) // 2]),
        # the sentence as published, quoting a few words itself (a theme, a slogan): its source is the sentence's
        "nested": " ".join(w[:inner] + ["“" + " ".join(w[inner:inner + 5]) + "”"] + w[inner + 5:]),
    }


def made_up(rng, pool: list[tuple[str, str]]) -> list[str]:
    ws = [rng.choice(pool)[1].split() for _ in range(6)]
    chunks = [x[i:i + 3] for x in ws for i in (rng.randrange(0, len(x) - 3),)]
    shuffled = rng.choice(pool)[1].split()
    rng.shuffle(shuffled)
    return [" ".join(w for c in chunks for w in c), " ".join(shuffled)]


def _contains(paragraph: str, sentence: list[str]) -> bool:
    return f" {' '.join(sentence)} " in f" {' '.join(words(paragraph))} "


def is_right(answer: dict, sources: list[tuple[str, str]]) -> bool:
    """A source is the top match, or one of the equal top matches: the statement the quote was cut
    from, or another whose paragraph holds the same sentence (a formula repeated, or a recombined copy)."""
    ms = answer["matches"]
    if not ms:
        return False
    top = (ms[0]["match"], ms[0]["score"])
    return any((m["match"], m["score"]) == top and (m["id"] == sid or _contains(m["passage"], words(sentence)))
               for m in ms for sid, sentence in sources)


def held_out_quotes(held: list, store: Store, n: int, rng) -> tuple[list, list]:
    """Up to n whole sentences and n half sentences (8 words or more) of the held-out statements, in random
    order, that share no run of words with the archive; and the near-duplicates left out."""
    quotes = []
    for st in held:
        for s in sentences(st.paragraphs):
            w = s.split()
            half = " ".join(w[:len(w) // 2])
            quotes += [("sentence", f"“{s}”", st.id), ("half-sentence", f"“{half}”", st.id)]
    rng.shuffle(quotes)
    clean, near_duplicates = citation_negatives.negatives(quotes, store)
    return ([q for q in clean if q[0] == "sentence"][:n] + [q for q in clean if q[0] == "half-sentence"][:n],
            near_duplicates)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round((len(xs) - 1) * p)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="example: python bench/citation_eval.py --data-dir /tmp/cdata --n 200 "
                                        "--seed 7 --failures /tmp/failures.jsonl")
    ap.add_argument("--data-dir", type=Path, required=True,
                    help="an archive data directory (read only); with --corpus, where the archive of the "
                         "statements not held out is built (an empty or missing folder) or was built before")
    ap.add_argument("--corpus", type=Path, nargs="+", metavar="FILE",
                    help="the JSON Lines files DIR was (or is to be) imported from: --hold-out of their statements "
                         "are left out of the archive and quoted as realistic negatives")
    ap.add_argument("--hold-out", type=int, default=100, help="statements of --corpus left out (default 100)")
    ap.add_argument("--n", type=int, default=200, help="source sentences (each gives one quote of every kind "
                                                       "and two made-up quotes)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--kinds", nargs="*", choices=[*EXPECTED, "made-up"], default=[*EXPECTED, "made-up"],
                    metavar="KIND", help="the kinds of quote looked up (default all; none: only --corpus's held-out "
                                         "quotes). The same quotes are drawn whichever are looked up")
    ap.add_argument("--failures", type=Path, help="write every wrong answer here as JSON Lines")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    held = []
    if args.corpus:
        loaded, held = citation_negatives.split(args.corpus, args.hold_out, rng)
        citation_negatives.load(args.data_dir, loaded, held)
    try:
        dd = open_datadir(args.data_dir, create=False)
        searcher, store = Searcher(dd.index_dir), Store(dd.db_url)
    except Exception as e:  # noqa: BLE001 - one line for the user, whatever the reason
        sys.exit(f"error: {args.data_dir}: {e}")
    pool, seen = sample_sentences(store, args.n * POOL_FACTOR, rng)
    if len(pool) < args.n:
        sys.exit(f"error: {args.data_dir} holds {seen} usable sentences, fewer than --n {args.n}")
    rng.shuffle(pool)
    picks = pool[:args.n]
    load_before = os.getloadavg()
    right: dict[str, list[bool]] = {}
    labels: dict[str, Counter] = {}
    times: list[float] = []
    # CPU time beside wall time: on a shared machine the wall time also counts other processes' turns
    cpu: list[float] = []
    failures = []

    def timed(quote: str) -> dict:
        t0, c0 = time.perf_counter(), time.process_time()
        answer = lookup(quote, searcher, store)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if len(times) % 100 == 0:
            print(f"{len(times):,} lookups", file=sys.stderr)
        return answer

    for sid, sentence in picks:
        other = rng.choice(pool)
        for kind, quote in variants(rng, sentence, other[1]).items():
            if kind not in args.kinds:
                continue
            answer = timed(quote)
            # half a sentence is the same words in every statement that holds them: each is a right source
            whole = quote.strip("“”") if kind == "half-sentence" else sentence
            ok = is_right(answer, [(sid, whole)] + ([other] if kind == "spliced" else []))
            if kind == "nested":
                # the sentence is the quote: found by its inner quotation alone is found in the wrong place
                ok = ok and words(answer["quotes"][0]["text"]) == words(sentence)
            right.setdefault(kind, []).append(ok)
            labels.setdefault(kind, Counter())[answer["matches"][0]["match"] if answer["matches"] else "not-found"] += 1
            if not ok:
                failures.append({"kind": kind, "quote": quote, "sentence": sentence, "id": sid,
                                 "top": answer["matches"][:1]})
    made = {"total": 0, "matched": 0, "verbatim": 0}
    for _ in range(args.n):
        for quote in made_up(rng, pool):
            if "made-up" not in args.kinds:
                continue
            answer = timed(quote)
            made["total"] += 1
            made["matched"] += bool(answer["matches"])
            made["verbatim"] += any(m["match"] == "verbatim" for m in answer["matches"])
            if answer["matches"]:
                failures.append({"kind": "made-up", "quote": quote, "top": answer["matches"][:1]})
    realistic, near_duplicates = held_out_quotes(held, store, args.n, rng)
    false = {}
    for kind, quote, sid in realistic:
        answer = timed(quote)
        got = false.setdefault(kind, {"total": 0, "false_sources": 0, "labels": Counter(), "with_similar": 0})
        got["total"] += 1
        got["false_sources"] += bool(answer["matches"])
        got["labels"][answer["quotes"][0]["match"]] += 1
        got["with_similar"] += bool(answer.get("similar"))
        if answer["matches"]:
            failures.append({"kind": f"held-out {kind}", "quote": quote, "id": sid, "top": answer["matches"][:1]})
    load_after = os.getloadavg()
    summary = {
        "statements": store.count(), "sentences": seen, "n": args.n, "seed": args.seed,
        "kinds": {k: {"top1": round(sum(v) / len(v), 3), "right": sum(v), "of": len(v),
                      "expected_label": EXPECTED[k], "labels": dict(labels[k])} for k, v in right.items()},
        "made_up": {**made, "not_found_precision": round(1 - made["matched"] / max(made["total"], 1), 3)},
        "held_out": {"statements": len(held),
                     "negatives": {k: {**v, "labels": dict(v["labels"])} for k, v in false.items()},
                     "near_duplicates": {"quotes": len(near_duplicates),
                                         "statements": len({sid for _, _, sid in near_duplicates})}},
        "latency_ms": {"p50": round(pct(times, 0.5) * 1000), "p95": round(pct(times, 0.95) * 1000),
                       "max": round(max(times) * 1000), "lookups": len(times),
                       "cpu_p50": round(pct(cpu, 0.5) * 1000), "cpu_p95": round(pct(cpu, 0.95) * 1000)},
        "load": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after],
                 "cpus": os.cpu_count()},
    }
    if args.failures:
        args.failures.write_text("".join(json.dumps(f, ensure_ascii=False, default=str) + "\n" for f in failures))
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"statements {summary['statements']:,}  sentences {seen:,}  n {args.n}  seed {args.seed}")
    for kind, s in summary["kinds"].items():
        got = ", ".join(f"{lab} {c}" for lab, c in sorted(s["labels"].items(), key=lambda x: -x[1]))
        print(f"{kind:15} top-1 {s['top1']:.3f}  ({s['right']}/{s['of']})  labels: {got}")
    if made["total"]:
        print(f"made-up        given any match {made['matched']}/{made['total']} ({made['matched'] / made['total']:.1%}), "
              f"not-found precision {summary['made_up']['not_found_precision']:.3f}, labelled verbatim "
              f"{made['verbatim']}")
    for kind, v in false.items():
        got = ", ".join(f"{lab} {c}" for lab, c in v["labels"].most_common())
        print(f"held-out {kind:15} false sources {v['false_sources']}/{v['total']} "
              f"({v['false_sources'] / v['total']:.1%})  labels: {got}  similar offered {v['with_similar']}")
    if held:
        nd = summary["held_out"]["near_duplicates"]
        print(f"near-duplicates  {nd['quotes']} quotes of {nd['statements']} of the {len(held)} held-out statements "
              f"share a {citation_negatives.RUN}-word run with the archive: not negatives, not counted")
    lat = summary["latency_ms"]
    print(f"latency        p50 {lat['p50']} ms  p95 {lat['p95']} ms  max {lat['max']} ms  ({lat['lookups']:,} "
          f"lookups); CPU time p50 {lat['cpu_p50']} ms  p95 {lat['cpu_p95']} ms")
    print(f"load average   before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}  after "
          f"{load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}  ({os.cpu_count()} cpus)")
    if args.failures:
        print(f"{len(failures)} wrong answers written to {args.failures}")


if __name__ == "__main__":
    main()
