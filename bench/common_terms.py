"""Which analysed terms are common enough to be paired in the index (`archive/index/common.py`): per language,
the terms in at least `--share` of the real statements of `../shared/corpus` (the U.S. State and Singapore
statements in English, the China MFA press conferences in Chinese and English), written out as that module.

    python bench/common_terms.py                # print the counts
    python bench/common_terms.py --write        # rewrite archive/index/common.py

Only phrases over two such terms are slow when matched by positions (both position lists are long), so only
their pairs are indexed; see `docs/benchmarks.md`. An index keeps the set it was built with (it is pickled
into its schema), so rewriting the module changes only indexes built afterwards.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from archive.fetch.decode import decode_body
from archive.index.analysis import analyse_for_index
from archive.ingest.jsonl import read_file
from archive.sources import source_for_url
from archive.sources.base import Page

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MODULE = Path(__file__).resolve().parents[1] / "archive" / "index" / "common.py"


def texts():
    """(language, title and text) of every real statement."""
    for path in sorted((CORPUS / "statements").glob("*.jsonl.gz")):
        for st in read_file(path):
            yield st.language, st.title + "\n\n" + "\n\n".join(st.paragraphs)
    for line in (CORPUS / "manifest.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        if rec["site"] in ("www.fmprc.gov.cn", "www.mfa.gov.cn") and rec["kind"] == "article":
            source = source_for_url(rec["url"])
            st = source.parse_article(Page(url=rec["url"], text=decode_body((CORPUS / rec["path"]).read_bytes(), None)[0]))
            yield st.language, st.title + "\n\n" + "\n\n".join(st.paragraphs)


def common_terms(share: float) -> dict[str, list[str]]:
    df: dict[str, Counter] = {}
    docs: Counter = Counter()
    for language, text in texts():
        docs[language] += 1
        df.setdefault(language, Counter()).update(analyse_for_index(text, {}).keys())
    return {lang: sorted(t for t, n in counts.items() if n >= share * docs[lang]) for lang, counts in df.items()
            if docs[lang] >= 100}, docs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--share", type=float, default=0.2, help="share of a language's statements a term is in")
    ap.add_argument("--write", action="store_true", help=f"rewrite {MODULE.relative_to(MODULE.parents[2])}")
    args = ap.parse_args()
    terms, docs = common_terms(args.share)
    for lang in sorted(terms):
        print(f"{lang}: {docs[lang]:,} statements, {len(terms[lang])} terms in >= {args.share:.0%} of them")
    if args.write:
        every = sorted(set().union(*terms.values()))
        body = "\n".join(f"    {t!r}," for t in every)
        MODULE.write_text(
            '"""Terms whose adjacent pairs the index holds (schema.WordPairs): the analysed terms in at least '
            f'{args.share:.0%} of\none language\'s real statements ({", ".join(f"{lang} {docs[lang]:,}" for lang in sorted(terms))}),'
            ' written by `bench/common_terms.py --write`.\nA phrase over two of them reads one posting list; '
            'any other phrase is matched by positions, which\nis fast when one of its words is not common."""\n\n'
            f"COMMON_TERMS = frozenset({{\n{body}\n}})\n", encoding="utf-8")
        print(f"wrote {len(every)} terms to {MODULE}")


if __name__ == "__main__":
    main()
