"""A match in the official wording as published. The lookup compares normalised words (lookup.py); a reader
checking a quote needs the paragraph as the ministry wrote it, capitals and punctuation included, with the
matched span and the news version's changes marked inside it. The alignment's word indexes are mapped back to
character offsets in the paragraph and in the quote."""
from __future__ import annotations

from .words import tokens, words

_OPS = {"equal": "equal", "insert": "cut", "replace": "changed"}


def wording(paragraph: str, quote: str, ops: list[tuple]) -> dict:
    """{"wording": segments, "span_start", "span_end"} for `ops` (difflib opcodes of words(quote) against
    words(paragraph), both in whole-text word indexes). The segments cover the paragraph in order: joined,
    their texts are the paragraph. Each is {"op", "text"}: "outside" before and after the span; "equal",
    "cut" (official words the news left out) and "changed" (with "news", the news' words) inside it; and
    "added" ("text" empty, "news" the words the news added). News words are the quote's as printed.
    All three are None when the paragraph's characters cannot be matched to its words (Hangul written as
    separate jamo): the normalised diff is all there is then."""
    ptok, qtok = tokens(paragraph), tokens(quote)
    if [t for t, _, _ in ptok] != words(paragraph) or [t for t, _, _ in qtok] != words(quote):
        return {"wording": None, "span_start": None, "span_end": None}
    covered = [(j1, j2) for _, _, _, j1, j2 in ops if j2 > j1]
    start, end = ptok[covered[0][0]][1], ptok[covered[-1][1] - 1][2]
    segments = [{"op": "outside", "text": paragraph[:start]}]
    at = start
    for tag, i1, i2, j1, j2 in ops:
        news = {"news": quote[qtok[i1][1]:qtok[i2 - 1][2]]} if i2 > i1 else {}
        if tag == "delete":
            segments.append({"op": "added", "text": "", **news})
            continue
        a, b = ptok[j1][1], ptok[j2 - 1][2]
        # what lies between two words (spaces, punctuation) is the official text, kept as it is
        segments.append({"op": "equal", "text": paragraph[at:a]})
        segments.append({"op": _OPS[tag], "text": paragraph[a:b], **(news if tag == "replace" else {})})
        at = b
    segments.append({"op": "outside", "text": paragraph[end:]})
    return {"wording": _merged(segments), "span_start": start, "span_end": end}


def _merged(segments: list[dict]) -> list[dict]:
    """Empty segments dropped and neighbouring equal ones joined."""
    out: list[dict] = []
    for s in segments:
        if s["op"] in ("equal", "outside") and not s["text"]:
            continue
        if out and s["op"] == "equal" == out[-1]["op"]:
            out[-1] = {"op": "equal", "text": out[-1]["text"] + s["text"]}
        else:
            out.append(s)
    return out
