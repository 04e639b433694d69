"""Across languages: does an English query find the Chinese version of a China MFA conference, with the
lexicon mined from the archive's own bilingual transcripts and without it?

    python bench/cross_language.py [--data DIR] [--corpus ../shared/corpus] [--seed 7] [--turns 5]
                                   [--words 4] [--min-df 2] [--json]

The archive: a data folder made by `python bench/cn_mfa_crawl.py --keep DIR` (--data DIR), else the same real
crawl of cn-mfa-en and cn-mfa-zh through the corpus server into a temporary folder. The conferences are the
stored Chinese conferences whose English version is stored (linked), split by a fixed seed: the lexicon is
mined from 80% of them (archive/ingest/mine_lexicon.py, as `policy-archive lexicon build` mines all) and the
queries come from the other 20% only, so that no queried conference taught the lexicon anything.

A query: for up to --turns spokesperson answers of a held-out conference that the alignment pairs with a
Chinese turn (fixed seed), the --words (4) rarest words of the English answer by the index's document frequency,
among its words of three letters or more that are never capitalised in that answer (no names of people, places
or bodies) and that at least --min-df (2) statements hold (a word only that answer has says nothing). The words are
searched together (all must match) as typed, with the search's expansion on (the lexicon, and CLDR's place
names, which these words are not) and with `exact` (no expansion). Counted: the Chinese version of that
conference among the first ten results; and, to tell why it is not, the queries whose every word the lexicon
expanded and those that match the Chinese version at any rank. Nothing here is tuned on the held-out
conferences.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402

from archive.alignment import align, turn_texts  # noqa: E402
from archive.datadir import DataDir  # noqa: E402
from archive.index.analysis import highlight_tokens  # noqa: E402
from archive.index.writing import live_index  # noqa: E402
from archive.ingest.mine_lexicon import conferences, mine  # noqa: E402
from archive.search.query import SearchQuery  # noqa: E402
from archive.search.searcher import Searcher  # noqa: E402
from archive.sources import SOURCES  # noqa: E402
from archive.store import Store  # noqa: E402

MIN_LETTERS = 3
TOP = 10
# as deep as a query's matches are looked through for the Chinese version's rank
DEEP = 1000
MINED_SHARE = 0.8


def query_words(text: str, df, words: int, min_df: int) -> list[str]:
    """The `words` rarest words of an English answer as described above, as written (lowercased)."""
    capitalised, seen = set(), {}
    for t in highlight_tokens(text):
        written = text[t.startchar:t.endchar]
        if not written.isascii() or not written.isalpha() or len(written) < MIN_LETTERS:
            continue
        if written[0].isupper():
            capitalised.add(t.text)
        seen.setdefault(t.text, written.lower())
    rated = sorted((df(term), term) for term in seen if term not in capitalised)
    return [seen[term] for n, term in rated if n >= min_df][:words]


def answer_turns(zh: dict, en: dict) -> list[int]:
    """The English version's spokesperson turns that the alignment pairs with a Chinese turn."""
    left, right = turn_texts(zh), turn_texts(en)
    return [j for i, j in align(left, right, SOURCES[zh["source"]].versions.names)
            if i is not None and j is not None and right[j].role == "spokesperson"]


def measure(data: Path, seed: int, turns: int, words: int, min_df: int) -> dict:
    dd = DataDir(data)
    store = Store(dd.db_url)
    pairs = sorted(((zh["id"], zh, en) for zh, en in conferences(store)), key=lambda p: p[0])
    order = [sid for sid, _, _ in pairs]
    random.Random(seed).shuffle(order)
    mined_ids = set(order[:int(len(order) * MINED_SHARE)])
    started = time.monotonic()
    lexicon = mine(store, chosen=lambda st: st["id"] in mined_ids)
    mining = time.monotonic() - started
    with tempfile.TemporaryDirectory() as tmp:
        # the archive's index as it is, beside a lexicon of the mined share only: the searcher reads the
        # lexicon of the folder its index is in
        view = DataDir(Path(tmp))
        view.index_dir.symlink_to(dd.index_dir.resolve(), target_is_directory=True)
        lexicon.save(view.lexicon_path)
        reader_ix = whoosh_index.open_dir(str(live_index(dd.index_dir)))
        searcher = Searcher(view.index_dir)
        try:
            with reader_ix.reader() as reader:
                result = _queries(pairs, mined_ids, searcher, lambda term: reader.doc_frequency("text", term),
                                  seed, turns, words, min_df)
        finally:
            searcher.close()
    store.close()
    about = lexicon.about
    return {"conferences": len(pairs), "mined": len(mined_ids), "held_out": len(pairs) - len(mined_ids),
            "lexicon": {"pairs": about["pairs"], "units": about["units"],
                        "words": {lang: len(t) for lang, t in lexicon.entries.items()},
                        "seconds": round(mining, 1)},
            "seed": seed, "words": words, "min_df": min_df, **result}


def _queries(pairs, mined_ids, searcher: Searcher, df, seed: int, turns: int, n_words: int, min_df: int) -> dict:
    rng = random.Random(seed)
    found = {"lexicon": 0, "exact": 0}
    conference_found = {"lexicon": set(), "exact": set()}
    known = total_words = queries = every_word = matched = 0
    seconds = []
    examples = []
    for sid, zh, en in pairs:
        if sid in mined_ids:
            continue
        candidates = answer_turns(zh, en)
        chosen = sorted(rng.sample(candidates, min(turns, len(candidates))))
        en_turns = turn_texts(en)
        for j in chosen:
            words = query_words(en_turns[j].text, df, n_words, min_df)
            if len(words) < n_words:
                continue
            queries += 1
            text = " ".join(words)
            for mode, exact in (("lexicon", False), ("exact", True)):
                started = time.monotonic()
                res = searcher.search(SearchQuery(text, exact=exact, limit=TOP))
                seconds.append(time.monotonic() - started)
                hit = sid in [h.id for h in res.hits]
                found[mode] += hit
                if hit:
                    conference_found[mode].add(sid)
                if mode == "lexicon":
                    expanded = {e["term"] for e in res.expansions if e["kind"] == "lexicon"}
                    known += len(expanded)
                    total_words += len(words)
                    every_word += len(expanded) == len(words)
                    deep = searcher.search(SearchQuery(text, limit=DEEP))
                    matched += sid in [h.id for h in deep.hits]
                    if len(examples) < 5:
                        examples.append({"query": text, "expansions": res.expansions, "found": hit})
    held = len(pairs) - len(mined_ids)
    seconds.sort()
    return {"queries": queries,
            "found_top10": {mode: n for mode, n in found.items()},
            "share": {mode: round(n / queries, 3) if queries else None for mode, n in found.items()},
            "conferences_found": {mode: len(s) for mode, s in conference_found.items()},
            "conference_share": {mode: round(len(s) / held, 3) if held else None
                                 for mode, s in conference_found.items()},
            "query_words_in_lexicon": round(known / total_words, 3) if total_words else None,
            "queries_every_word_expanded": every_word,
            "queries_matching_the_chinese_version": matched,
            "search_ms_p50": round(1000 * seconds[len(seconds) // 2], 1) if seconds else None,
            "examples": examples}


def crawled(corpus: Path, data: Path) -> None:
    """The real crawl of both China MFA sources through the corpus server (bench/cn_mfa_crawl.py)."""
    import cn_mfa_crawl
    server = subprocess.Popen([sys.executable, str(corpus.parent / "tools" / "corpus-server"), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().strip().split("listening on ", 1)[1]
        cn_mfa_crawl.crawl(data, url, *cn_mfa_crawl.SOURCES)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="a data folder of the crawl (bench/cn_mfa_crawl.py --keep DIR)")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--turns", type=int, default=5, help="answers queried per held-out conference")
    ap.add_argument("--words", type=int, default=4, help="words a query is made of")
    ap.add_argument("--min-df", type=int, default=2, help="statements a query word must be in, at least")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "data"
            crawled(args.corpus, data)
        result = measure(data.resolve(), args.seed, args.turns, args.words, args.min_df)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    lx = result["lexicon"]
    print(f"{result['conferences']} conferences in both languages (linked); lexicon mined from {result['mined']} "
          f"(seed {result['seed']}): {lx['pairs']:,} pairs, {lx['units']:,} units, {lx['seconds']} s; "
          f"queried: {result['held_out']}, {result['words']} words a query, each in {result['min_df']}+ statements")
    n = result["queries"]
    for mode, label in (("lexicon", "with the lexicon"), ("exact", "exact (no expansion)")):
        print(f"{label}: the Chinese version in the first {TOP} for {result['found_top10'][mode]}/{n} queries "
              f"({result['share'][mode]:.1%}); for at least one query of {result['conferences_found'][mode]}"
              f"/{result['held_out']} conferences")
    print(f"query words the lexicon expanded: {result['query_words_in_lexicon']:.1%}; queries with every word "
          f"expanded: {result['queries_every_word_expanded']}/{n}; matching the Chinese version at any rank: "
          f"{result['queries_matching_the_chinese_version']}/{n}; search p50 {result['search_ms_p50']} ms")


if __name__ == "__main__":
    main()
