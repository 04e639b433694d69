"""Who asked, measured on the China MFA conferences of the corpus: the real `policy-archive crawl` of cn-mfa-en
and cn-mfa-zh through the corpus server (as bench/cn_mfa_crawl.py runs it), then the question turns stored.

    python bench/outlets_measure.py [--corpus ../shared/corpus] [--keep DIR | --data DIR [--refold] | --parse]
                                    [--json]

Printed, by language: press conferences, question turns and how many name an outlet, the distinct labels as
published and the canonical outlets they fold into, the labels the table does not know (kept as published),
the top outlets by questions and by conferences; and across languages, for each day with a conference in both,
whether the two name the same outlets in the same order, with the pairs of names that differ where they do.
`--data` measures a data folder crawled before (by `--keep`) without crawling again; with `--refold`, the
stored labels are named again by today's table, as parsing the pages again would name them. `--parse` measures
every China MFA article page of the corpus instead, parsed as the crawl parses them but without crawling: the
crawl reaches only what the listings link (not the current template's pages of 2022-2024).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.fetch.decode import decode_body  # noqa: E402
from archive.sources import source_for_url  # noqa: E402
from archive.sources.base import Page  # noqa: E402
from archive.sources.outlets import fold, outlets_of  # noqa: E402
from archive.sources.sites.cn_mfa_names import VERSIONS  # noqa: E402
from archive.store import Store  # noqa: E402
from cn_mfa_crawl import SOURCES, crawl  # noqa: E402

TOP = 15


def measure(statements, refold: bool = False) -> dict:
    """Who asked in `statements` (stored rows, or parsed statements as `Statement.to_dict` gives them)."""
    conferences, questions, named, unnamed_labels = Counter(), Counter(), Counter(), Counter()
    labels: dict[str, Counter] = defaultdict(Counter)
    by_questions: dict[str, Counter] = defaultdict(Counter)
    by_conferences: dict[str, Counter] = defaultdict(Counter)
    folded_by_table: dict[str, Counter] = defaultdict(Counter)
    days: dict[str, dict[str, list[tuple[str, ...]]]] = defaultdict(dict)
    for st in statements:
        if st["source"] not in SOURCES or st["kind"] != "press-conference":
            continue
        lang = st["language"]
        conferences[lang] += 1
        asked = []
        for t in st["turns"]:
            if t["role"] != "question":
                continue
            questions[lang] += 1
            if not t.get("outlet"):
                if t["speaker"] != "question":
                    unnamed_labels[t["speaker"]] += 1
                continue
            named[lang] += 1
            keys = outlets_of(t["outlet"]) if refold else t["outlet_keys"]
            labels[lang][t["outlet"]] += 1
            by_questions[lang].update(keys)
            # a name the table gave, rather than the label kept as published
            if any(fold(k) != fold(t["outlet"]) for k in keys):
                folded_by_table[lang][t["outlet"]] += 1
            asked.append(tuple(keys))
        by_conferences[lang].update({k for keys in asked for k in keys})
        if st["date"]:
            days[VERSIONS.day(st)][lang] = asked
    both = {day: langs for day, langs in days.items() if {"zh", "en"} <= set(langs)}
    same_order = sum(langs["zh"] == langs["en"] for langs in both.values())
    same_outlets = sum(Counter(langs["zh"]) == Counter(langs["en"]) for langs in both.values())
    differing: Counter = Counter()
    compared = agreeing = 0
    for langs in both.values():
        if len(langs["zh"]) == len(langs["en"]):
            for zh, en in zip(langs["zh"], langs["en"]):
                compared += 1
                agreeing += zh == en
                if zh != en:
                    differing[f"{' + '.join(zh)} | {' + '.join(en)}"] += 1
    every_label = {label for lang in labels for label in labels[lang]}
    canonical = {k for lang in by_questions for k in by_questions[lang]}
    return {
        "conferences": dict(conferences), "question_turns": dict(questions), "with_outlet": dict(named),
        "labels": {lang: len(c) for lang, c in labels.items()}, "labels_all": len(every_label),
        "canonical": {lang: len(c) for lang, c in by_questions.items()}, "canonical_all": len(canonical),
        "labels_folded_by_table": {lang: len(c) for lang, c in folded_by_table.items()},
        "questions_folded_by_table": {lang: sum(c.values()) for lang, c in folded_by_table.items()},
        "labels_naming_no_outlet": dict(unnamed_labels.most_common()),
        "top_by_questions": {lang: c.most_common(TOP) for lang, c in by_questions.items()},
        "top_by_conferences": {lang: c.most_common(TOP) for lang, c in by_conferences.items()},
        "days_in_both": len(both), "days_same_outlets_in_order": same_order, "days_same_outlets": same_outlets,
        "aligned_questions": compared, "aligned_questions_agreeing": agreeing,
        "differing_pairs": differing.most_common(20),
    }


def parsed(corpus: Path):
    """Every China MFA article page of the corpus, parsed by its source, as a stored row reads."""
    for line in (corpus / "manifest.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        if rec["site"] in ("www.fmprc.gov.cn", "www.mfa.gov.cn") and rec["kind"] == "article":
            text = decode_body((corpus / rec["path"]).read_bytes(), None)[0]
            yield source_for_url(rec["url"]).parse_article(Page(url=rec["url"], text=text)).to_dict()


def crawled(args) -> dict:
    """The crawl through the corpus server into a data folder (or the folder `--data` names), measured."""
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or args.keep or Path(tmp)
        if not args.data:
            server = subprocess.Popen([sys.executable, str(args.corpus.parent / "tools" / "corpus-server"),
                                       "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                url = server.stdout.readline().strip().split("listening on ", 1)[1]
                result["crawl_seconds"] = round(crawl(data, url, *SOURCES)[1], 1)
            finally:
                server.terminate()
                server.wait(timeout=10)
        store = Store(f"sqlite:///{data}/archive.sqlite")
        result.update(measure(store.iter_statements(), args.refold and bool(args.data)))
        store.close()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--keep", type=Path, help="crawl into this data folder and keep it")
    ap.add_argument("--data", type=Path, help="measure this data folder, crawled before, without crawling")
    ap.add_argument("--refold", action="store_true", help="with --data: name the stored labels by today's table")
    ap.add_argument("--parse", action="store_true", help="parse every China MFA page of the corpus, no crawl")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result: dict = {}
    if args.parse:
        result.update(measure(parsed(args.corpus)))
    else:
        result.update(crawled(args))
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    for lang in ("zh", "en"):
        print(f"{lang}: {result['conferences'].get(lang, 0)} press conferences, "
              f"{result['question_turns'].get(lang, 0)} question turns, {result['with_outlet'].get(lang, 0)} with an "
              f"outlet; {result['labels'].get(lang, 0)} labels fold into {result['canonical'].get(lang, 0)} outlets")
        print("  top by questions: " + ", ".join(f"{k} {n}" for k, n in result["top_by_questions"].get(lang, [])))
        print("  top by conferences: " + ", ".join(f"{k} {n}" for k, n in result["top_by_conferences"].get(lang, [])))
    print(f"both languages: {result['labels_all']} labels fold into {result['canonical_all']} outlets")
    print(f"days with a conference in both languages: {result['days_in_both']}; the same outlets in the same "
          f"order on {result['days_same_outlets_in_order']}; aligned questions agreeing "
          f"{result['aligned_questions_agreeing']} of {result['aligned_questions']}")
    for pair, n in result["differing_pairs"]:
        print(f"  {n:4}  {pair}")


if __name__ == "__main__":
    main()
