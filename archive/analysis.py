"""Text analysis shared by indexing and querying.

Whoosh pickles analyzers into the index, so this module and its names must stay importable for as
long as indexes built with it exist: rename nothing here without a reindex.
"""
from __future__ import annotations

import logging
import re

from whoosh.analysis import LowercaseFilter, StemFilter, Token, Tokenizer

# Han ideographs (with extensions A and compatibility); kana and hangul keep to word runs for now
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a word is letters and digits that are not Han: `\w` alone would swallow "2024年1月5日外交部" whole
_WORD = rf"[^\W{_CJK}]+"
_RUNS = re.compile(rf"[{_CJK}]+|{_WORD}(?:['’]{_WORD})*", re.UNICODE)
_HAN = re.compile(rf"[{_CJK}]")

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


class MultilingualTokenizer(Tokenizer):
    """Words of any script; runs of Chinese characters are split into words by jieba."""

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
        for m in _RUNS.finditer(value):
            run = m.group()
            pieces = _segment(run, subwords) if _HAN.match(run) else ((run, 0, len(run), False),)
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


class LatinStemFilter(StemFilter):
    """English stemming for words written in Latin letters only; other scripts pass through untouched."""

    def __call__(self, tokens):
        stemfn = self._stem
        for t in tokens:
            if not t.stopped and t.text.isascii():
                t.text = stemfn(t.text)
            yield t


def text_analyzer():
    return MultilingualTokenizer() | LowercaseFilter() | LatinStemFilter()
