"""The China MFA's conferences in both languages, from the real pages in ../shared/corpus: how many the
archive links (both ways), how many align turn for turn, how many turns stay unaligned.

    python bench/bilingual.py [--corpus ../shared/corpus] [--quotes 200] [--seed 7] [--json]

Every China MFA article page of the corpus is parsed by its source (as `extract` reads it) and saved through
the one save step into a fresh store (as a crawl or import saves), which links the versions. A conference is
"in both languages" when a Chinese and an English press conference were published the same day, whoever the
pages name: the pairing rule's speaker is not assumed by the count. With --quotes N, N answer paragraphs of
the linked English transcripts and N of the linked Chinese ones (fixed seed) are looked up as quotes, as
`policy-archive cite` does: how often the quoted paragraph comes first, and how often its other version (the
Chinese original, the English translation) is given. It is not a test
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


# a quote of each language as the news would print it: twenty words after the speaker's label ("A:", "Zhao
# Lijian:"); forty characters after the Chinese label ("答：", "赵立坚："), a sentence's length in Chinese
QUOTE = {"en": lambda text: " ".join(_unlabelled(text.split(), 3, lambda w: w.endswith(":"))[:20]),
         "zh": lambda text: "".join(_unlabelled(list(text), 8, lambda c: c in "：:"))[:40]}
# what a sampled paragraph must have to make a quote: enough words, or enough characters in Chinese
LONG_ENOUGH = {"en": lambda text: len(text.split()) >= 12, "zh": lambda text: len(text) >= 30}
OTHER = {"en": "original", "zh": "translation"}


def _unlabelled(units: list[str], within: int, is_label_end) -> list[str]:
    start = next((i + 1 for i, u in enumerate(units[:within]) if is_label_end(u)), 0)
    return units[start:]


def quote_check(store: Store, searcher: Searcher, language: str, n: int, seed: int) -> dict:
    """Answer paragraphs of linked transcripts in `language` looked up as quotes: the paragraph found first,
    and its other-language version given (the Chinese original of English, the English translation of
    Chinese)."""
    pool = []
    for st in store.iter_statements():
        if st["language"] != language or not any(t["id"] for t in store.translations(st["id"])):
            continue
        pool += [(st["id"], p + 1, st["paragraphs"][p]) for t in st["turns"] if t["role"] == "spokesperson"
                 for p in range(t["start"], t["end"]) if LONG_ENOUGH[language](st["paragraphs"][p])]
    sample = random.Random(seed).sample(sorted(pool), min(n, len(pool)))
    top1 = other = aligned = 0
    for sid, paragraph, text in sample:
        matches = lookup(QUOTE[language](text), searcher, store)["matches"]
        if matches and (matches[0]["id"], matches[0]["paragraph"]) == (sid, paragraph):
            top1 += 1
            version = matches[0][OTHER[language]]
            other += version is not None
            # the other version may lack the paragraph's turn: given, but with no paragraph
            aligned += bool(version and version["paragraph"])
    return {"quotes": len(sample), "top1": top1, "other_given": other, "other_paragraph": aligned}


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
            sync_index(store, Path(tmp) / "index")
            searcher = Searcher(Path(tmp) / "index")
            result["quote_check"] = {language: quote_check(store, searcher, language, args.quotes, args.seed)
                                     for language in ("en", "zh")}
            searcher.close()
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
    for language, qc in result.get("quote_check", {}).items():
        print(f"{'English' if language == 'en' else 'Chinese'} quotes: the paragraph first {qc['top1']}/{qc['quotes']}, "
              f"with its {'Chinese original' if language == 'en' else 'English translation'} "
              f"{qc['other_given']}/{qc['quotes']} ({qc['other_paragraph']} with an aligned paragraph)")


if __name__ == "__main__":
    main()
