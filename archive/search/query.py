"""The text of a query as readers write it: typographic quotes, limits, and the words it asks for."""
from __future__ import annotations

import re

MAX_QUERY_CHARS = 500
MAX_TERMS = 40
MAX_PHRASE_WORDS = 64
# the quotation marks of other typographies, read as the straight quote the query syntax uses
QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                        "\u300c": '"', "\u300d": '"', "\uff02": '"'})
_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def query_terms(q: str) -> list[str]:
    """The words and "phrases" a reader searched for, without operators, field names or excluded -words."""
    terms = []
    for m in _TOKEN.finditer(q.translate(QUOTES)):
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
