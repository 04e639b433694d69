"""Citation lookup: from a quote as the news printed it to the official statement, the differences and a label.

News copy changes quotes: other quotation marks, capitals, cut words (with or without an ellipsis),
[bracketed] insertions, a changed word or two, half a sentence. So the quote and each candidate paragraph
are compared as lists of normalised words, and the label says how close they are.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

MAX_CHARS = 2000
# each quote is a search and an alignment: a bound on them bounds the answer's time
MAX_QUOTES = 5
CANDIDATES = 30
# paragraphs aligned in full, chosen by the words they share with the quote: aligning every paragraph of
# 30 long transcripts would miss the latency target
ALIGNED_PARAGRAPHS = 40
MAX_MATCHES = 10
NEAR_SCORE = 0.8
NEAR_CHANGES = 2
PARTIAL_RUN = 6
PARTIAL_SHARE = 0.5
# a 50% share of a quote is only evidence with some words in a row: shuffled real words share half too
PARTIAL_SHARE_RUN = 4
# quoted passages shorter than this are words in quotation marks, not a quote
MIN_QUOTED_WORDS = 4
CHANGE_PENALTY = 0.02
CUT_PENALTY = 0.01
LABELS = ("verbatim", "near", "partial", "not-found")

_QUOTED = re.compile(r'"([^"]+)"|\u201c([^\u201d]+)\u201d|\u00ab([^\u00bb]+)\u00bb|\u300c([^\u300d]+)\u300d|'
                     r'\u2018([^\u2019]{40,}?)\u2019(?!\w)|\u201e([^\u201c\u201d]+)[\u201c\u201d]')
_BRACKETED = re.compile(r"\[[^\]]*\]")
# one CJK or kana character is a word: those scripts write words without spaces
_WORD = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3040-\u30ff]|[^\W_]+(?:['\u2019][^\W_]+)*")


class CiteError(ValueError):
    """Input we cannot look up (empty text); the message is for the user."""


def words(text: str) -> list[str]:
    """Case, punctuation, quote styles and whitespace dropped; an ellipsis is no word, so a cut is a gap."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    return _WORD.findall(text)


def quotes(text: str) -> list[str]:
    """The quoted passages of a pasted text, or the whole text when it quotes nothing long enough."""
    found = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    found = [q.strip() for q in found if len(words(q)) >= MIN_QUOTED_WORDS]
    return found or [text.strip()]


@dataclass
class Alignment:
    paragraph: int  # 1-based, as the anchors #pN
    passage: str
    score: float
    label: str
    diff: list[dict]
    run: int
    key: tuple[str, ...]


def _diff(qw: list[str], pw: list[str], ops) -> list[dict]:
    out = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out.append({"op": "equal", "text": " ".join(pw[j1:j2])})
        elif tag == "delete":
            out.append({"op": "added", "text": " ".join(qw[i1:i2])})
        elif tag == "insert":
            out.append({"op": "cut", "text": " ".join(pw[j1:j2])})
        else:
            out.append({"op": "changed", "text": " ".join(pw[j1:j2]), "quote": " ".join(qw[i1:i2])})
    return out


def _window(qw: list[str], pw: list[str]) -> tuple[int, int]:
    """The stretch of the paragraph holding the most quote words close together: far-apart matches of
    common words ("the ... of") are not part of the quote's source."""
    blocks = [b for b in SequenceMatcher(None, qw, pw, autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return 0, 0
    gap = len(qw) // 2 + 3
    best, start, count = (0, 0, 0), 0, 0
    for i, b in enumerate(blocks):
        if i and b.b - (blocks[i - 1].b + blocks[i - 1].size) > gap:
            start, count = i, 0
        count += b.size
        if count > best[0]:
            best = (count, blocks[start].b, b.b + b.size)
    return best[1], best[2]


def align(qw: list[str], paragraph: str, number: int, inserted: bool = False) -> Alignment:
    """`inserted`: the quote had [bracketed] words, an edit even when every other word is the source's."""
    pw = words(paragraph)
    lo, hi = _window(qw, pw)
    window = pw[lo:hi]
    ops = SequenceMatcher(None, qw, window, autojunk=False).get_opcodes()
    equal = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag in ("replace", "delete"))
    cuts = sum(1 for tag, *_ in ops if tag == "insert")
    run = max((i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal"), default=0)
    share = equal / len(qw)
    # the penalties rank an edited match below a faithful one; capped, so a partial match keeps its share
    score = max(0.0, min(1.0, share - CHANGE_PENALTY * min(changed, 5) - CUT_PENALTY * min(cuts, 5)))
    if equal == len(qw) and not cuts and not inserted:
        label = "verbatim"
    elif score >= NEAR_SCORE and changed <= NEAR_CHANGES:
        label = "near"
    elif run >= PARTIAL_RUN or (share >= PARTIAL_SHARE and run >= PARTIAL_SHARE_RUN):
        label = "partial"
    else:
        label = "not-found"
    return Alignment(paragraph=number, passage=" ".join(window), score=round(score, 3), label=label,
                     diff=_diff(qw, window, ops), run=run, key=tuple(window))


def best_alignment(qw: list[str], paragraphs: list[str], inserted: bool = False) -> Alignment | None:
    wanted = set(qw)
    shared = sorted(((len(wanted & set(words(p))), n) for n, p in enumerate(paragraphs)), reverse=True)
    found = [align(qw, paragraphs[n], n + 1, inserted) for common, n in shared[:3] if common]
    return max(found, key=_rank, default=None)


def _rank(a: Alignment) -> tuple:
    return (-LABELS.index(a.label), a.score)


def lookup(text: str, searcher, store, *, country: str | None = None, source: str | None = None,
           speaker: str | None = None, date_from: date | None = None, date_to: date | None = None) -> dict:
    """The answer for a pasted text: its quotes, the statements they come from (best first; the same
    words in several statements earliest first), and notes on what was cut or not found."""
    text = (text or "").strip()
    if not text:
        raise CiteError("paste a quote (or a sentence with a quote in quotation marks) to look it up")
    notes = []
    found = quotes(text)
    if found == [text] and len(text) > MAX_CHARS:
        found = [text[:MAX_CHARS]]
        notes.append(f"the text is {len(text):,} characters and quotes nothing: only its first "
                     f"{MAX_CHARS:,} characters were looked up")
    if len(found) > MAX_QUOTES:
        notes.append(f"the text has {len(found)} quoted passages: the first {MAX_QUOTES} were looked up")
        found = found[:MAX_QUOTES]
    filters = {"country": country, "source": source, "speaker": speaker, "date_from": date_from,
               "date_to": date_to}
    out_quotes, matches = [], []
    for qi, quote in enumerate(found):
        inserted = bool(_BRACKETED.search(quote[:MAX_CHARS]))
        qw = words(_BRACKETED.sub(" ", quote[:MAX_CHARS]))
        if not qw:
            out_quotes.append({"text": quote, "match": "not-found", "matches": 0, "repeated": False})
            continue
        ids = searcher.candidates(qw, CANDIDATES, **filters)
        statements = store.get_many(ids)
        aligned = []
        for st in statements:
            a = best_alignment(qw, st["paragraphs"], inserted)
            if a and a.label != "not-found":
                aligned.append((a, st))
        aligned.sort(key=lambda x: (tuple(-v for v in _rank(x[0])), x[1]["date"] or "9999"))
        top = aligned[0][0] if aligned else None
        repeated = bool(top) and sum(1 for a, _ in aligned if a.key == top.key and a.label == top.label) > 1
        if repeated:
            same = sum(1 for a, _ in aligned if a.key == top.key)
            notes.append(f"quote {qi + 1}: the same words appear in {same} statements, listed earliest first")
        if not top:
            notes.append(f"quote {qi + 1}: not found in the archive" + (" with these filters" if any(
                filters.values()) else ""))
        out_quotes.append({"text": quote, "match": top.label if top else "not-found",
                           "matches": min(len(aligned), MAX_MATCHES), "repeated": repeated})
        for a, st in aligned[:MAX_MATCHES]:
            matches.append({"quote": qi, "id": st["id"], "url": st["url"], "title": st["title"],
                            "date": st["date"], "speaker": "; ".join(st["speakers"]), "source": st["source"],
                            "ministry": st["ministry"], "paragraph": a.paragraph,
                            "passage": st["paragraphs"][a.paragraph - 1], "span": a.passage, "match": a.label,
                            "score": a.score, "diff": a.diff})
    return {"query": text[:MAX_CHARS], "quotes": out_quotes, "matches": matches, "notes": notes}
