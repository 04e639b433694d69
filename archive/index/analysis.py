"""Text analysis shared by indexing and querying.

Whoosh pickles analyzers into the index, so this module and its names must stay importable for as
long as indexes built with it exist: rename nothing here without a reindex.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from whoosh.analysis import LowercaseFilter, StemFilter, Token, Tokenizer
from whoosh.lang import stemmer_for_language
from whoosh.lang.porter import stem as _porter_stem

# Han ideographs (with extensions A and compatibility); hangul keeps to word runs for now
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# hiragana, katakana (with the prolonged sound mark ー but not the middle dot ・, which separates words),
# phonetic extensions and half-width katakana
_KANA = "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# a word is letters and digits that are not Han: `\w` alone would swallow "2024年1月5日外交部" whole
_WORD = rf"[^\W{_CJK}]+"
# the group that matched (`lastindex`) tells the script of a run without matching it again
_HAN_RUN, _KANA_RUN = 1, 2
_RUNS = re.compile(rf"([{_CJK}]+)|{_WORD}(?:['’]{_WORD})*", re.UNICODE)
_WORD_NO_KANA = rf"[^\W{_CJK}{_KANA}]+"
_RUNS_KANA = re.compile(rf"([{_CJK}]+)|([{_KANA}]+)|{_WORD_NO_KANA}(?:['’]{_WORD_NO_KANA})*", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")

_jieba = None


def _jieba_module():
    global _jieba
    if _jieba is None:
        import jieba
        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return _jieba


def warm_up() -> None:
    """Load jieba's dictionary now (about a second, more on a busy machine), so that the first Chinese
    query a server answers is not the one that pays for it outside its time bound."""
    _jieba_module().initialize()


def _segment(run: str, subwords: bool):
    """Jieba words of one run of Chinese characters: (word, start, end, is_subword) within the run.

    With `subwords`, a long word is followed by the dictionary words inside it (单边制裁 → 单边, 制裁),
    so that a search for 制裁 finds 单边制裁. Queries are segmented without them.
    """
    jieba = _jieba_module()
    # HMM off: dictionary words only, so that a phrase segments the same way in a query as in a text
    for word, start, end in jieba.tokenize(run, HMM=False):
        if not word.strip():
            continue
        yield word, start, end, False
        if subwords and len(word) > 2:
            freq = jieba.dt.FREQ
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    gram = word[i:i + n]
                    if gram != word and freq.get(gram):
                        yield gram, start + i, start + i + n, True


def _bigrams(run: str):
    """Overlapping character pairs of a kana run (カタカナ → カタ, タカ, カナ), one position each.

    Japanese has no spaces and we ship no Japanese dictionary; pairs let any part of a word of two or
    more characters be found, and a longer query word becomes a phrase of consecutive pairs.
    """
    if len(run) < 2:
        yield run, 0, len(run), False
        return
    for i in range(len(run) - 1):
        yield run[i:i + 2], i, i + 2, False


def _pieces(value: str, subwords: bool, kana: bool):
    """(word, position, start, end) of every word in `value`, positions counted from 0.

    Runs of Chinese characters are split into words by jieba; with `kana`, runs of kana become
    character pairs. A sub-word shares its word's position, so phrases across words still match.
    """
    pos = -1
    for m in (_RUNS_KANA if kana else _RUNS).finditer(value):
        script = m.lastindex
        if script is None:
            # most words of most texts: no segmenting to do
            pos += 1
            yield m.group(), pos, m.start(), m.end()
            continue
        run = m.group()
        at = m.start()
        pieces = _segment(run, subwords) if script == _HAN_RUN else _bigrams(run)
        for word, s, e, inner in pieces:
            if not inner:
                pos += 1
            yield word, pos, at + s, at + e


class MultilingualTokenizer(Tokenizer):
    """Words of any script; runs of Chinese characters are split into words by jieba; with
    `kana_bigrams`, runs of kana become character pairs."""

    # Indexes built before kana pairs unpickle without the attribute and must keep analysing kana
    # runs as whole words, as their terms were written
    kana_bigrams = False

    def __init__(self, kana_bigrams: bool = False):
        self.kana_bigrams = kana_bigrams

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for word, pos, start, end in _pieces(value, mode == "index", self.kana_bigrams):
            t.text = word
            t.boost = 1.0
            if keeporiginal:
                t.original = word
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


_russian_stem = lru_cache(maxsize=50000)(stemmer_for_language("ru"))


class LatinStemFilter(StemFilter):
    """English stemming for words written in Latin letters, and with `russian` Russian stemming for
    words in Cyrillic; other scripts pass through untouched."""

    # Indexes built before Russian stemming unpickle without the attribute and hold unstemmed
    # Cyrillic terms, which their queries must keep matching
    russian = False

    def __init__(self, russian: bool = False):
        super().__init__()
        self.russian = russian

    def __call__(self, tokens):
        stemfn = self._stem
        russian = self.russian
        for t in tokens:
            if not t.stopped:
                if t.text.isascii():
                    t.text = stemfn(t.text)
                elif russian and _CYRILLIC.fullmatch(t.text):
                    t.text = _russian_stem(t.text)
            yield t


def text_analyzer():
    return MultilingualTokenizer(kana_bigrams=True) | LowercaseFilter() | LatinStemFilter(russian=True)


def spelling_analyzer():
    """Words as written (lowercased, unstemmed): the vocabulary "did you mean" proposes from."""
    return MultilingualTokenizer(kana_bigrams=True) | LowercaseFilter()


# lowercased word → its term under text_analyzer(); a statement's words mostly recur across statements
_terms: dict[str, str] = {}
_TERM_CACHE = 500_000


def _term(word: str) -> str:
    """What LowercaseFilter and LatinStemFilter(russian=True) make of a lowercased word."""
    if word.isascii():
        return _porter_stem(word)
    if _CYRILLIC.fullmatch(word):
        return _russian_stem(word)
    return word


def _cached_term(word: str) -> str:
    cache = _terms
    term = cache.get(word)
    if term is None:
        if len(cache) > _TERM_CACHE:
            cache.clear()
        term = cache[word] = _term(word)
    return term


def analyse_for_index(value: str, words: dict[str, int]) -> dict[str, list[int]]:
    """The terms text_analyzer() gives `value` when indexing, each with its positions, in one pass;
    the words spelling_analyzer() gives it are counted into `words` in the same pass.

    Indexing spends most of its time analysing: this does per word what the analyzer chain does per
    token object through three generators, and analyses the text once for both fields. Its output is
    tested to equal the analyzers' own.
    """
    terms: dict[str, list[int]] = {}
    for word, pos, _, _ in _pieces(value, True, True):
        low = word.lower()
        term = _cached_term(low)
        found = terms.get(term)
        if found is None:
            terms[term] = [pos]
        else:
            found.append(pos)
        words[low] = words.get(low, 0) + 1
    return terms


def pair_term(first: str, second: str) -> str:
    """The term of two analysed terms at consecutive positions; no term holds a space, which the
    tokenizer splits words on."""
    return f"{first} {second}"


def word_pairs(terms: dict[str, list[int]], common: frozenset[str]) -> dict[str, tuple[int, int]]:
    """Every `pair_term` of two `common` terms at consecutive positions in `analyse_for_index`'s output,
    with how often each of its two terms occurs in the text (what Whoosh scores a phrase's words by). A
    sub-word shares its word's position, so it pairs with each term next to that position too."""
    at: dict[int, list[str]] = {}
    for term, positions in terms.items():
        if term in common:
            for p in positions:
                found = at.get(p)
                if found is None:
                    at[p] = [term]
                else:
                    found.append(term)
    return {pair_term(a, b): (len(terms[a]), len(terms[b]))
            for p, firsts in at.items() if p + 1 in at for a in firsts for b in at[p + 1]}


def highlight_tokens(value: str, mode: str = "query", **kwargs):
    """The tokens text_analyzer() gives `value`, with character offsets, by the same one-pass code as
    indexing: the highlighter's analyzer for indexes built with AnalysedText. Tested to equal the chain."""
    t = Token(positions=True, chars=True, removestops=False, mode=mode)
    t.boost = 1.0
    t.stopped = False
    for word, pos, start, end in _pieces(value, mode == "index", True):
        t.text = _cached_term(word.lower())
        t.pos, t.startchar, t.endchar = pos, start, end
        yield t
