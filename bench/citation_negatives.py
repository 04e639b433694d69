"""Negatives the way a user meets them, for bench/citation_eval.py: quotes cut from real statements of the same
ministries that are not in the archive (held out of it), so they have the archive's boilerplate, names and
style. A quote counts as a negative only when it shares no run of RUN tokens with any loaded statement; the
others are near-duplicates (a statement re-issued, a briefing's repeated answer) and are counted apart, since
the archive does hold part of them.

Tokens are those of archive.cite.lookup.words: a word in scripts written with spaces, one character in
Chinese and Japanese. So a Chinese negative shares no run of 8 characters: stricter than the lookup's own
rule for `partial`, which asks 16 characters there (see LABELS in docs/citation-quality.md).
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from archive.cite.lookup import words
from archive.datadir import open_datadir
from archive.index.writing import sync_index
from archive.ingest.jsonl import read_file
from archive.model import Statement
from archive.store import Store

RUN = 8


def split(files: list[Path], hold_out: int, rng: random.Random) -> tuple[list[Statement], list[Statement]]:
    """The corpus's statements in two: the ones to load, and `hold_out` drawn at random to quote from."""
    statements = [st for f in files for st in read_file(f)]
    held = set(rng.sample(range(len(statements)), hold_out))
    return ([st for i, st in enumerate(statements) if i not in held],
            [st for i, st in enumerate(statements) if i in held])


def load(data_dir: Path, loaded: list[Statement], held: list[Statement]) -> None:
    """Build the archive of `loaded` in data_dir, or check that the one there holds none of `held` (a
    directory built with another seed or another --hold-out would make the negatives positives)."""
    dd = open_datadir(data_dir, create=True)
    store = Store(dd.db_url)
    try:
        if store.count() == 0:
            print(f"building the archive of {len(loaded):,} statements in {data_dir}", file=sys.stderr)
            store.save_many(loaded)
            sync_index(store, dd.index_dir)
        elif inside := [st.id for st in held if store.get(st.id)]:
            sys.exit(f"error: {data_dir} holds {len(inside)} of the held-out statements (built with another "
                     "--seed or --hold-out?): use an empty --data-dir")
    finally:
        store.close()


def _runs(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + RUN]) for i in range(len(tokens) - RUN + 1)}


def negatives(quotes: list[tuple[str, str, str]], store: Store) -> tuple[list, list]:
    """(kind, quote, statement id) triples split into the negatives and the near-duplicates, by one pass
    over the loaded archive looking for each quote's RUN-token runs (memory follows the quotes, not the
    archive). A quote shorter than RUN tokens is never a negative: the archive could hold it whole."""
    wanted = {q: _runs(words(q)) for _, q, _ in quotes}
    every = set().union(*wanted.values())
    shared = set()
    for st in store.iter_statements():
        for p in st["paragraphs"]:
            shared |= _runs(words(p)) & every
    clean = [t for t in quotes if wanted[t[1]] and not wanted[t[1]] & shared]
    return clean, [t for t in quotes if wanted[t[1]] and wanted[t[1]] & shared]
