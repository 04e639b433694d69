"""What a word is, for comparing a quote with the official text: case, punctuation, quote styles and
whitespace dropped, so that news copy's edits of those do not count as changes; and where each word is in
the text, so that a match can be shown in the official wording as published."""
from __future__ import annotations

import re
import unicodedata

# one CJK or kana character is a word: those scripts write words without spaces, so a run of letters or
# digits stops where one begins ("IMF多次", "2019年" are two words and more, not one); their punctuation
# (U+3000-303F: "、", "。", "《") is no word
_CJK = "\u2e80-\u2fff\u3040-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W_])+")
_ONE_CJK = re.compile(rf"[{_CJK}]")
_UNSPACED = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def words(text: str) -> list[str]:
    """Case, punctuation, quote styles and whitespace dropped; an ellipsis is no word, so a cut is a gap.
    Apostrophes go too ("we're" is "were"): news copy and all-capitals headlines drop them."""
    return _WORD.findall(_normal(text))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("\u2019", "").replace("'", "")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """words() with where each is in `text`: (word, start, end) character offsets. Normalising can change a
    text's length ("ﬁ" is "fi", "İ" lowered is two characters, a letter and its combining accent are one), so
    each character with its combining marks is normalised on its own and every normalised character remembers
    the original characters it came from. That is how words() reads a text in all but contrived cases (Hangul
    written as separate jamo), which the caller checks."""
    normal, origin = [], []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            piece = _normal(text[start:i])
            normal.append(piece)
            origin += [(start, i)] * len(piece)
            start = i
    return [(m.group(), origin[m.start()][0], origin[m.end() - 1][1]) for m in _WORD.finditer("".join(normal))]


def length(found: list[str]) -> float:
    """Words of words() counted as words: a Chinese or Japanese character as half a word."""
    return sum(0.5 if _ONE_CJK.fullmatch(t) else 1 for t in found)


def spaced(ws: list[str]) -> str:
    """Words as text: spaced, except between CJK or kana characters, which are written without spaces."""
    return _UNSPACED.sub("", " ".join(ws))
