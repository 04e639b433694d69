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

# Han ideographs (with extensions A and compatibility); hangul keeps to word runs for now
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# hiragana, katakana (with the prolonged sound mark ー but not the middle dot ・, which separates words),
# phonetic extensions and half-width katakana
_KANA = "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# a word is letters and digits that are not Han: `\w` alone would swallow "2024年1月5日外交部" whole
_WORD = rf"[^\W{_CJK}]+"
_RUNS = re.compile(rf"[{_CJK}]+|{_WORD}(?:['’]{_WORD})*", re.UNICODE)
_WORD_NO_KANA = rf"[^\W{_CJK}{_KANA}]+"
_RUNS_KANA = re.compile(rf"[{_CJK}]+|[{_KANA}]+|{_WORD_NO_KANA}(?:['’]{_WORD_NO_KANA})*", re.UNICODE)
_HAN = re.compile(rf"[{_CJK}]")
_KANA_CHAR = re.compile(rf"[{_KANA}]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")

_jieba = None


def _jieba_module():
    global _jieba
    if _jieba is None:
        import jieba
        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return _jieba


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
        pos = start_pos - 1
        subwords = mode == "index"
        kana = self.kana_bigrams
        for m in (_RUNS_KANA if kana else _RUNS).finditer(value):
            run = m.group()
            if _HAN.match(run):
                pieces = _segment(run, subwords)
            elif kana and _KANA_CHAR.match(run):
                pieces = _bigrams(run)
            else:
                pieces = ((run, 0, len(run), False),)
            for word, s, e, inner in pieces:
                t.text = word
                t.boost = 1.0
                if keeporiginal:
                    t.original = word
                t.stopped = False
                if not inner:
                    pos += 1
                if positions:
                    # a sub-word shares its word's position, so phrases across words still match
                    t.pos = pos
                if chars:
                    t.startchar = start_char + m.start() + s
                    t.endchar = start_char + m.start() + e
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
