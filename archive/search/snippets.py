"""Highlighted snippets from the part of a statement where the query's words are.

Whoosh's highlighter analyses the whole stored text of every hit, with character offsets, to find the
matches: at 2,000 statements that was the largest cost of a search. The query's words are found far
more cheaply by substring search, so only the paragraph holding most of them and those after it, up
to a window of WINDOW characters (a longer paragraph is cut around its first match), is analysed. When
no paragraph shows a query word that way, the text's first FALLBACK characters are highlighted instead.
"""
from __future__ import annotations

from whoosh.highlight import ContextFragmenter, highlight

# characters of a long paragraph around its first match that the highlighter analyses
WINDOW = 1200
TOP = 2
# when no paragraph shows a query word, the start of the text that is highlighted: analysing the whole of
# a 10 MB statement took seconds, and a snippet from its opening is as good as one from anywhere
FALLBACK = 50_000


def _probe(term: str) -> str:
    # a stem may end differently from the words it stands for (countri: country), never begin differently
    return term[:-1] if len(term) > 3 else term


def _window(text: str, terms: set[str]) -> tuple[str, int] | None:
    """The part of `text` to highlight and the index of the paragraph it starts in."""
    probes = {_probe(t) for t in terms}
    paragraphs = text.split("\n\n")
    best, best_count = None, 0
    for i, para in enumerate(paragraphs):
        low = para.lower()
        count = sum(1 for p in probes if p in low)
        if count > best_count:
            best, best_count = i, count
    if best is None:
        return None
    part = paragraphs[best]
    if len(part) <= WINDOW:
        # the paragraphs that follow, while they fit, for a second fragment
        for para in paragraphs[best + 1:]:
            if len(part) + 2 + len(para) > WINDOW:
                break
            part += "\n\n" + para
        return part, best
    low = part.lower()
    first = min(i for i in (low.find(p) for p in probes) if i >= 0)
    begin = max(0, first - WINDOW // 3)
    # whole words only: cut at the spaces nearest to the window's edges
    if begin:
        space = part.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    end = part.rfind(" ", begin, begin + WINDOW)
    return part[begin:end if end > first else begin + WINDOW], best


def snippet(text: str, terms: set[str], analyzer, formatter) -> tuple[str, int | None]:
    """Up to two fragments of `text` with the `terms` (as the field's analyzer gives them) marked, and the
    number (from 1) of the paragraph holding most of the terms, where they start, so that a hit can link to
    it; None when they come from the fallback, which may span paragraphs."""
    if not terms or not text:
        return "", None
    fragmenter = ContextFragmenter(maxchars=300, surround=80)
    window = _window(text, terms)
    if window is not None:
        found = highlight(window[0], terms, analyzer, fragmenter, formatter, top=TOP)
        if found:
            return found, window[1] + 1
    return highlight(text[:FALLBACK], terms, analyzer, fragmenter, formatter, top=TOP), None
