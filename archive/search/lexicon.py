"""Words across languages: a query for `missile` also finds 导弹, from a lexicon the archive mines from its own
bilingual transcripts (the China MFA's press conferences, in Chinese and in English).

The lexicon is data the archive rebuilds (`policy-archive lexicon build`, archive/ingest/mine_lexicon.py,
which states the statistic), kept in the data folder (`DataDir.lexicon_path`), never a table typed by hand. Its words
are index terms (English stemmed and lowercased, Chinese as jieba segments a query), each with the few words
of the other language it keeps, spelt as the transcripts most often spell them, so that a query can search
them. This module reads it and answers a query's word (the rewrite: search.expansion).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..index.analysis import highlight_tokens
from .expansion import Finder

FORMAT = 1


@dataclass
class Lexicon:
    # language → index term → {"word": its usual spelling, "translations": [{"word", "term", "joint",
    # "llr", "dice"}, best first]}
    entries: dict[str, dict[str, dict]] = field(default_factory=dict)
    # how it was built: the statistic, its thresholds, the conferences and units counted
    about: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """The lexicon in `path`; an empty one when the archive has none (not built yet)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        if data.get("format") != FORMAT:
            raise ValueError(f"{path} is a lexicon of another format: run 'policy-archive lexicon build'")
        return cls(data["entries"], data["about"])

    def save(self, path: Path) -> None:
        # written beside and renamed over: a searcher never reads half a lexicon
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps({"format": FORMAT, "about": self.about, "entries": self.entries},
                                      ensure_ascii=False, indent=0), encoding="utf-8")
        os.replace(partial, path)

    def __len__(self) -> int:
        return sum(len(terms) for terms in self.entries.values())

    def translations(self, word: str) -> list[dict]:
        """The entries' translations of one word as a reader types it (`Missiles`, `导弹`), best first; [] for a
        word the lexicon lacks or text that is not one word."""
        terms = [t.text for t in highlight_tokens(word)]
        if len(terms) != 1:
            return []
        for entries in self.entries.values():
            if terms[0] in entries:
                return entries[terms[0]]["translations"]
        return []

    def others(self, word: str) -> list[str]:
        """The other languages' words a query's `word` is also searched as."""
        return [t["word"] for t in self.translations(word)]

    def finder(self) -> Finder:
        return Finder("lexicon", self.others)
