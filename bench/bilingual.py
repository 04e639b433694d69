"""The China MFA's conferences in both languages, from the real pages in ../shared/corpus: how many the
archive links (both ways), how many align turn for turn, how many turns stay unaligned.

    python bench/bilingual.py [--corpus ../shared/corpus] [--quotes 200] [--seed 7] [--json]

Every China MFA article page of the corpus is parsed by its source (as `extract` reads it) and saved through
the one save step into a fresh store (as a crawl or import saves), which links the versions. A conference is
"in both languages" when a Chinese and an English press conference were published the same day, whoever the
pages name: the pairing rule's speaker is not assumed by the count. With --quotes N, N answer paragraphs of
the linked English transcripts (fixed seed) are looked up as quotes, as `policy-archive cite` does: how often the
quoted paragraph comes first, and how often its Chinese original is given. It is not a test
(tests/test_bilingual.py runs the linking and alignment measure over the corpus and checks the figures).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.alignment import align, turn_texts, unpaired  # noqa: E402
from archive.cite.lookup import lookup  # noqa: E402
from archive.fetch.decode import decode_body  # noqa: E402
from archive.index.writing import sync_index  # noqa: E402
from archive.ingest.pipeline import Pipeline  # noqa: E402
from archive.ingest.reports import LinesReport  # noqa: E402
from archive.sources import source_for_url  # noqa: E402
from archive.sources.base import ExtractError, Page  # noqa: E402
from archive.search.searcher import Searcher  # noqa: E402
from archive.store import Store  # noqa: E402

CHINA = ("cn-mfa-zh", "cn-mfa-en")


def china_statements(corpus: Path) -> list:
    """Every China MFA article page of the corpus, parsed by its source."""
    out = []
    for line in (corpus / "manifest.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        source = source_for_url(rec["url"]) if rec.get("url") and rec["kind"] == "article" else None
        if source is None or source.id not in CHINA:
            continue
        text, _ = decode_body((corpus / rec["path"]).read_bytes(), None)
        try:
            out.append(source.parse_article(Page(url=rec["url"], text=text)))
        except ExtractError:
            continue  # the corpus conformance test reports these
    return out


def measure(corpus: Path, store: Store) -> dict:
    statements = china_statements(corpus)
    Pipeline(store).present(statements, LinesReport("corpus"))
    conferences: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for st in statements:
        if st.kind == "press-conference" and st.date:
            conferences[st.date.date().isoformat()][st.language].append(st)
    both = {day: langs for day, langs in conferences.items() if set(langs) >= {"zh", "en"}}
    names = source_for_url("https://www.fmprc.gov.cn/web/").versions.names
    linked = {"zh→en": 0, "en→zh": 0}
    turn_for_turn = same_count = turns = unaligned = zh_only = 0
    for langs in both.values():
        zh_ids, en_ids = {s.id for s in langs["zh"]}, {s.id for s in langs["en"]}
        for mine, theirs, way in ((langs["zh"], en_ids, "zh→en"), (langs["en"], zh_ids, "en→zh")):
            if any(t["id"] in theirs for s in mine for t in store.translations(s.id)):
                linked[way] += 1
        zh, en = store.get(langs["zh"][0].id), store.get(langs["en"][0].id)
        left, right = turn_texts(zh), turn_texts(en)
        pairs = align(left, right, names)
        turns += len(left) + len(right)
        unaligned += unpaired(pairs)
        zh_only += sum(1 for _, j in pairs if j is None)
        same_count += len(left) == len(right)
        turn_for_turn += not unpaired(pairs)
    n = len(both)
    return {"statements": len(statements), "bilingual_conferences": n,
            "linked": linked, "linked_share": {k: v / n for k, v in linked.items()} if n else {},
            "page_links": sum(1 for st in statements for v in st.versions),
            "same_turn_count": same_count, "turn_for_turn": turn_for_turn,
            "turns": turns, "unaligned_turns": unaligned, "unaligned_chinese_only": zh_only}


def quote_check(store: Store, index_dir: Path, n: int, seed: int) -> dict:
    """English answer paragraphs of linked transcripts looked up as quotes: the paragraph found first, and
    the Chinese original given."""
    pool = []
    for st in store.iter_statements():
        if st["language"] != "en" or not any(t["id"] for t in store.translations(st["id"])):
            continue
        pool += [(st["id"], p + 1, st["paragraphs"][p]) for t in st["turns"] if t["role"] == "spokesperson"
                 for p in range(t["start"], t["end"]) if len(st["paragraphs"][p].split()) >= 12]
    sample = random.Random(seed).sample(sorted(pool), min(n, len(pool)))
    sync_index(store, index_dir)
    searcher = Searcher(index_dir)
    top1 = original = 0
    for sid, paragraph, text in sample:
        # twenty words after the speaker's label ("A:", "Zhao Lijian:"), as the news would quote them
        words = text.split()
        start = next((i + 1 for i, w in enumerate(words[:3]) if w.endswith(":")), 0)
        quote = " ".join(words[start:start + 20])
        matches = lookup(quote, searcher, store)["matches"]
        if matches and (matches[0]["id"], matches[0]["paragraph"]) == (sid, paragraph):
            top1 += 1
            original += matches[0]["original"] is not None
    return {"quotes": len(sample), "top1": top1, "original_given": original}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--quotes", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        result = measure(args.corpus, store)
        if args.quotes:
            result["quote_check"] = quote_check(store, Path(tmp) / "index", args.quotes, args.seed)
        store.close()
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    n = result["bilingual_conferences"]
    print(f"{result['statements']:,} China MFA pages parsed; {n} conferences in both languages")
    for way, k in result["linked"].items():
        print(f"linked {way}: {k}/{n} ({k / n:.1%})")
    print(f"same number of turns: {result['same_turn_count']}/{n}; aligned turn for turn: {result['turn_for_turn']}/{n}")
    print(f"turns: {result['turns']:,}, unaligned: {result['unaligned_turns']:,} "
          f"({result['unaligned_turns'] / max(result['turns'], 1):.1%}; {result['unaligned_chinese_only']:,} in Chinese only)")
    print(f"other-language versions named by the pages themselves: {result['page_links']:,}")
    if qc := result.get("quote_check"):
        print(f"English quotes: the paragraph first {qc['top1']}/{qc['quotes']}, "
              f"with its Chinese original {qc['original_given']}/{qc['quotes']}")


if __name__ == "__main__":
    main()
