"""The other-language version of a quoted paragraph. A quote found in the English transcript of a China MFA
press conference is traced to the aligned turn of the Chinese version, which is what the spokesperson said
(the `original`); a quote found in the Chinese transcript is given the English version as published (the
`translation`), since that is the wording an English-language story would print."""
from __future__ import annotations

from ..alignment import align, turn_texts
from ..sources import SOURCES

# the translation offered for a quote in the original, when the original has several stored: the news this
# archive serves is read in English
PREFERRED = "en"


def linked(store, st: dict) -> dict:
    """{"original": …, "translation": …}: one is the stored statement that is `st`'s version in the other
    role (the original of a translation, the translation of an original), the other None; both None when
    `st`'s source declares no original language or no such version is stored."""
    rule = _rule(st)
    none = {"original": None, "translation": None}
    if rule is None:
        return none
    stored = [t for t in store.translations(st["id"]) if t["id"]]
    if st["language"] == rule.original:
        role = "translation"
        stored.sort(key=lambda t: t["language"] != PREFERRED)
    else:
        role = "original"
        stored = [t for t in stored if t["language"] == rule.original]
    other = store.get(stored[0]["id"]) if stored else None
    return {**none, role: other} if other else none


def versions_of(store, st: dict, paragraph: int) -> dict:
    """`linked` for paragraph `paragraph` (1-based) of `st`: a version is id, url, language, title, date, and
    the aligned paragraph and its passage, which are None when the paragraph's turn is in `st` only: that
    version lacks it, and no paragraph is made up."""
    found = linked(store, st)
    for role, other in found.items():
        if other:
            at = _aligned_paragraph(st, other, paragraph - 1, _rule(st).names)
            found[role] = {"id": other["id"], "url": other["url"], "language": other["language"],
                           "title": other["title"], "date": other["date"],
                           "paragraph": None if at is None else at + 1,
                           "passage": None if at is None else other["paragraphs"][at]}
    return found


def _rule(st: dict):
    """The source's rule for its versions when it declares an original language, else None."""
    source = SOURCES.get(st["source"])
    rule = source.versions if source else None
    return rule if rule is not None and rule.original is not None else None


def _aligned_paragraph(st: dict, other: dict, n: int, names) -> int | None:
    """The 0-based paragraph of `other` at the place of `st`'s paragraph `n`; None when its turn is unpaired."""
    mine, theirs = turn_texts(st), turn_texts(other)
    for i, j in align(mine, theirs, names):
        if i is not None and j is not None and mine[i].start <= n < mine[i].end:
            # the same place in the answer: translations keep an answer's paragraphs more often than not
            return min(theirs[j].start + n - mine[i].start, theirs[j].end - 1)
    return None
