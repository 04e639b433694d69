"""The authoritative original of a quoted translation: a quote found in the English transcript of a China MFA
press conference is traced to the aligned turn of the Chinese version, which is what the spokesperson said."""
from __future__ import annotations

from ..alignment import align, turn_texts
from ..sources import SOURCES


def original_of(store, st: dict, paragraph: int) -> dict | None:
    """The original-language paragraph matching `paragraph` (1-based) of the translation `st`: id, url,
    language, paragraph, passage; None when `st` is itself the original, has no stored original, or the
    paragraph's turn is in the translation only."""
    source = SOURCES.get(st["source"])
    rule = source.versions if source else None
    if rule is None or rule.original is None or st["language"] == rule.original:
        return None
    found = next((t["id"] for t in store.translations(st["id"]) if t["id"] and t["language"] == rule.original), None)
    original = store.get(found) if found else None
    if original is None:
        return None
    mine, theirs = turn_texts(st), turn_texts(original)
    n = paragraph - 1
    for i, j in align(mine, theirs, rule.names):
        if i is None or j is None or not mine[i].start <= n < mine[i].end:
            continue
        # the same place in the answer: translations keep an answer's paragraphs more often than not
        at = min(theirs[j].start + n - mine[i].start, theirs[j].end - 1)
        return {"id": original["id"], "url": original["url"], "language": original["language"],
                "title": original["title"], "paragraph": at + 1, "passage": original["paragraphs"][at]}
    return None
