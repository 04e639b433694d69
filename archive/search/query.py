"""The text of a query as readers write it: typographic quotes, limits, and the words it asks for."""
from __future__ import annotations

import re

MAX_QUERY_CHARS = 500
MAX_TERMS = 40
MAX_PHRASE_WORDS = 100
# each opening quotation mark and the marks that close it
_CLOSERS = {'"': '"', "\u201c": "\u201d", "\u201d": "\u201d", "\u201e": "\u201c\u201d", "\u00ab": "\u00bb",
            "\u00bb": "\u00ab", "\u300c": "\u300d", "\uff02": "\uff02"}
_MARKS = set(_CLOSERS) | set("".join(_CLOSERS.values()))
_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def plain_quotes(q: str) -> str:
    """The query with its phrases in ASCII quotes, the syntax's own. A phrase ends only at a mark that closes
    the one that opened it, and other marks inside it are punctuation: a quoted title that itself quotes
    “Central and South Asia: Regional Connectivity” stays one phrase."""
    out, closer = [], None
    for ch in q:
        if closer is None and ch in _CLOSERS:
            closer = _CLOSERS[ch]
            out.append('"')
        elif closer is not None and ch in closer:
            closer = None
            out.append('"')
        else:
            out.append(" " if closer is not None and ch in _MARKS else ch)
    return "".join(out)


def query_terms(q: str) -> list[str]:
    """The words and "phrases" a reader searched for, without operators, field names or excluded -words."""
    terms = []
    for m in _TOKEN.finditer(plain_quotes(q)):
        phrase, word = m.groups()
        if phrase is not None:
            terms.append(" ".join(phrase.split()))
        elif not word.startswith("-") and word not in _OPERATORS:
            word = word.lstrip("+(").rstrip(")")
            name, sep, value = word.partition(":")
            if not sep or not name.isidentifier():
                terms.append(word)
            elif name.lower() != "date":  # date:2024-11 narrows the search; its digits are not in the text
                terms.append(value)
    return [t for t in terms if t.strip()][:MAX_TERMS]
