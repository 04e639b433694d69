"""Citation lookup: from a quote as the news printed it to the official statement, the differences and a label.

News copy changes quotes: other quotation marks, capitals, cut words (with or without an ellipsis),
[bracketed] insertions, a changed word or two, half a sentence. So the quote and each candidate paragraph
are compared as lists of normalised words, and the label says how close they are. Each label is a promise
that the official text holds the words the diff shows as equal: `verbatim` all of them, `near` all but
NEAR_CHANGES changed words and cuts, a cut beside a changed word only where the quote marks it (and
PARTIAL_WORDS of them in runs of NEAR_RUN), `partial` a run of at least PARTIAL_WORDS. Wording that is merely similar (a formula about another country, a list in
another order) keeps none of these promises: it is offered apart, as `similar`, and the quote is `not-found`.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import accumulate

from ..search.query import BadSearch, SearchQuery
from .formats import archived_url, cite
from .versions import versions_of
from .wording import wording
from .words import length, spaced, tokens, words

MAX_CHARS = 2000
# each quote is a search and an alignment: a bound on them bounds the answer's time
MAX_QUOTES = 5
# statements retrieved for each quote (archive.search.candidates) and aligned
CANDIDATES = 50
# paragraphs aligned in full, chosen by the words they share with the quote (at most PER_STATEMENT from
# one statement): aligning every paragraph of 50 long transcripts would miss the latency target
ALIGNED_PARAGRAPHS = 40
PER_STATEMENT = 3
PREFILTER_WORDS = 12
MAX_MATCHES = 10
NEAR_SCORE = 0.8
# changed words and cuts together; and a quote both changed and cut where it does not say so (no ellipsis, no
# [brackets]) is a paraphrase ("Both Ministers will have ... UN officials" for "and have ... his counterparts
# and with"), or another sentence of the same formula ("an enduring commitment to the people of Afghanistan,
# and we" for "... commitment not only to the people of Afghanistan but"), not a quote edited for length
NEAR_CHANGES = 2
# news copy changes a quote's grammar (tense, person, an article, a conjunction), never what it is about: a
# changed name or number is another statement of a formula ("the French people's trust" for "the Canadian
# people's trust", "sixth Leaders' Retreat" for "fifth"), not an edited quote
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million "
    "billion trillion first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "twentieth thirtieth fiftieth hundredth".split())
# near also needs PARTIAL_WORDS of the quote's words in runs of this many or more: common words that
# happen to line up ("but ... when it comes to ... the") are no evidence, however few the changes
NEAR_RUN = 3
# a stretch of the quote this long, word for word in a paragraph, is evidence on its own: real statements
# not in the archive share runs of 5-7 words with it all the time (titles, boilerplate, names), and the old
# rule's runs of 6 gave them sources (docs/citation-quality.md); a Chinese or Japanese character counts as
# half a word (length())
PARTIAL_WORDS = 8
# not-found candidates this close are offered as similar wording (at most MAX_SIMILAR a quote)
SIMILAR_SCORE = 0.3
MAX_SIMILAR = 3
# a text of one sentence quoting a few of its words (a theme, a slogan) is looked up whole as well:
# the sentence may be the official one, its quoted words a formula found anywhere
NESTED_SHARE = 0.5
NESTED_WORDS = 60
# quoted passages shorter than this are words in quotation marks, not a quote; a Chinese or Japanese
# character counts as half a word (a word there is two characters as a rule: “一带一路” is a name, not a quote)
MIN_QUOTED_WORDS = 4
EDGE = 1
CHANGE_PENALTY = 0.02
CUT_PENALTY = 0.01
LABELS = ("verbatim", "near", "partial", "not-found")

_QUOTED = re.compile(r'"([^"]+)"|\u201c([^\u201d]+)\u201d|\u00ab([^\u00bb]+)\u00bb|\u300c([^\u300d]+)\u300d|'
                     r'\u2018([^\u2019]{40,}?)\u2019(?!\w)|\u201e([^\u201c\u201d]+)[\u201c\u201d]')
_BRACKETED = re.compile(r"\[[^\]]*\]")
# where news copy says it edited a quote: an ellipsis for words cut, [brackets] for words put in or instead
_MARKED = re.compile(r"\[[^\]]*\]|…|\.{3}")
# what may stand before a sentence's first word: its capital is no name's
_SENTENCE_OPENERS = " \t\n\"'“‘([—–-"
# a sentence ends before a capital or a quotation mark (not inside "U.S. officials"), or at a CJK full stop
_SENTENCE_END = re.compile(r"[.!?][\s\u201d\"]+(?=[A-Z\u201c\"])|[\u3002\uff01\uff1f](?=.)")


class CiteError(BadSearch):
    """Input we cannot look up (empty text); the message is for the user. A bad search like any other: the
    web answers it with a 400."""


def quotes(text: str) -> list[str]:
    """The quoted passages of a pasted text, or the whole text when it quotes nothing long enough; the
    whole text first, then its quoted passages, when they are short parts of one sentence."""
    text = text.strip()
    found = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    found = [q.strip() for q in found if length(words(q)) >= MIN_QUOTED_WORDS]
    if not found:
        return [text]
    return [text, *found] if _one_sentence_quoting(text, found) else found


def _one_sentence_quoting(text: str, found: list[str]) -> bool:
    every = words(text)
    outside = _QUOTED.sub(" ", text).strip()
    return (length(every) <= NESTED_WORDS and sum(len(words(q)) for q in found) <= NESTED_SHARE * len(every)
            and not _SENTENCE_END.search(outside))


@dataclass
class Alignment:
    paragraph: int  # 1-based, as the anchors #pN
    passage: str
    score: float
    label: str
    diff: list[dict]
    run: int
    key: tuple[str, ...]
    # difflib's opcodes, the paragraph's side in word indexes of the whole paragraph: where the words are
    ops: list[tuple]


def _diff(qw: list[str], pw: list[str], ops) -> list[dict]:
    out = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out.append({"op": "equal", "text": spaced(pw[j1:j2])})
        elif tag == "delete":
            out.append({"op": "added", "text": spaced(qw[i1:i2])})
        elif tag == "insert":
            out.append({"op": "cut", "text": spaced(pw[j1:j2])})
        else:
            out.append({"op": "changed", "text": spaced(pw[j1:j2]), "quote": spaced(qw[i1:i2])})
    return out


def _window(qw: list[str], pw: list[str]) -> tuple[int, int]:
    """The stretch of the paragraph holding the most quote words close together: far-apart matches of
    common words ("the ... of") are not part of the quote's source. It reaches EDGE word past the
    matches where the quote has words before or after them, so that a changed first or last word ("as
    well as" for "And") reads as changed rather than added; one word only, since a longer reach pulls
    in the words around the passage ("MR PRICE: And")."""
    blocks = [b for b in SequenceMatcher(None, qw, pw, autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return 0, 0
    gap = len(qw) // 2 + 3
    best, start, count = (0, 0, 0, 0, 0), 0, 0
    for i, b in enumerate(blocks):
        if i and b.b - (blocks[i - 1].b + blocks[i - 1].size) > gap:
            start, count = i, 0
        count += b.size
        if count > best[0]:
            best = (count, blocks[start].b, b.b + b.size, blocks[start].a, b.a + b.size)
    _, lo, hi, qlo, qhi = best
    return max(0, lo - min(qlo, EDGE)), min(len(pw), hi + min(len(qw) - qhi, EDGE))


def _changes(ops) -> int:
    """Words the quote changed or added. A changed phrase counts the source words it replaced when it is
    at most two words longer ("as well as" for "and" is one changed word); a longer one counts its own."""
    n = 0
    for tag, i1, i2, j1, j2 in ops:
        if tag == "delete":
            n += i2 - i1
        elif tag == "replace":
            n += j2 - j1 if i2 - i1 <= j2 - j1 + 2 else i2 - i1
    return n


def marked_cuts(quote: str) -> frozenset[int]:
    """Where the quote marks an edit (an ellipsis, [bracketed] words), as the number of its words before
    the mark: a cut there is one the quote owns up to."""
    return frozenset(accumulate(len(words(piece)) for piece in _MARKED.split(quote)[:-1]))


def _changes_what_it_is_about(qw: list[str], pw: list[str], paragraph: str, ops) -> bool:
    """Whether a word the quote changed is a number, or a name: capitalised in the official text (whose case is
    the ministry's; a quote may be all capitals) other than a sentence's first word or "I". The same letters
    spaced otherwise ("US" for "U.S.") are no change of name."""
    places = None
    for tag, i1, i2, j1, j2 in ops:
        if tag != "replace" or "".join(qw[i1:i2]) == "".join(pw[j1:j2]):
            continue
        if any(w.isdigit() or w in NUMBER_WORDS for w in qw[i1:i2] + pw[j1:j2]):
            return True
        places = places or [start for _, start, _ in tokens(paragraph)]
        if len(places) != len(pw):  # where tokens and words differ (Hangul as jamo), case is not known
            continue
        for j in range(j1, j2):
            start = places[j]
            before = paragraph[:start].rstrip(_SENTENCE_OPENERS)
            if paragraph[start].isupper() and pw[j] != "i" and before and before[-1] not in ".!?:;":
                return True
    return False


def align(qw: list[str], paragraph: str, number: int, inserted: bool = False,
          marked: frozenset[int] = frozenset()) -> Alignment:
    """`inserted`: the quote had [bracketed] words, an edit even when every other word is the source's;
    `marked`: where the quote marks a cut (marked_cuts)."""
    pw = words(paragraph)
    lo, hi = _window(qw, pw)
    window = pw[lo:hi]
    ops = SequenceMatcher(None, qw, window, autojunk=False).get_opcodes()
    equal = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    changed = _changes(ops)
    cut_at = [i1 for tag, i1, *_ in ops if tag == "insert"]
    cuts = len(cut_at)
    run = max((i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal"), default=0)
    # the share of the quote's words that are the source's, a changed word counted once
    share = equal / (equal + changed) if equal else 0.0
    # the penalties rank an edited match below a faithful one; capped, so a partial match keeps its share
    score = max(0.0, min(1.0, share - CHANGE_PENALTY * min(changed, 5) - CUT_PENALTY * min(cuts, 5)))
    if equal == len(qw) and not cuts and not inserted:
        label = "verbatim"
    elif (score >= NEAR_SCORE and changed + cuts <= NEAR_CHANGES and not (changed and set(cut_at) - marked)
          and sum(length(qw[i1:i2]) for tag, i1, i2, _, _ in ops if tag == "equal" and i2 - i1 >= NEAR_RUN)
          >= PARTIAL_WORDS
          and not _changes_what_it_is_about(qw, pw, paragraph, [(t, i1, i2, j1 + lo, j2 + lo) for t, i1, i2, j1, j2 in ops])):
        label = "near"
    else:
        longest = SequenceMatcher(None, qw, pw, autojunk=False).find_longest_match(0, len(qw), 0, len(pw))
        if length(qw[longest.a:longest.a + longest.size]) >= PARTIAL_WORDS:
            return _partial(qw, pw, longest, number)
        label = "not-found"
    return Alignment(paragraph=number, passage=spaced(window), score=round(score, 3), label=label,
                     diff=_diff(qw, window, ops), run=run, key=tuple(window),
                     ops=[(tag, i1, i2, j1 + lo, j2 + lo) for tag, i1, i2, j1, j2 in ops])


def _partial(qw: list[str], pw: list[str], run, number: int) -> Alignment:
    """The run is all the quote's source holds as shown: the rest of the quote reads as added, whatever
    common words it shares with the paragraph, and the score is the run's share of the quote."""
    window = pw[run.b:run.b + run.size]
    end, pend = run.a + run.size, run.b + run.size
    ops = [op for op in (("delete", 0, run.a, run.b, run.b), ("equal", run.a, end, run.b, pend),
                         ("delete", end, len(qw), pend, pend)) if op[2] > op[1]]
    return Alignment(paragraph=number, passage=spaced(window), score=round(run.size / len(qw), 3), label="partial",
                     diff=_diff(qw, pw, ops), run=run.size, key=tuple(window), ops=ops)


def _paragraph_counts(paragraphs: list[str], wanted: list[str]) -> Counter:
    """Paragraph number → how many of the words occur in it. The words are looked for in the whole
    statement at once, so the cost follows their occurrences, not the length of a long transcript."""
    # each paragraph lowered on its own (lowering can change a length: İ) and its end taken from the list,
    # never by splitting the joined text again, which a NUL inside a paragraph would cut in two
    lowered = [p.lower() for p in paragraphs]
    ends = list(accumulate(len(p) + 1 for p in lowered))
    text = "\x00".join(lowered)
    counts: Counter = Counter()
    for w in wanted:
        found, i = set(), text.find(w)
        while i != -1:
            found.add(bisect_right(ends, i))
            i = text.find(w, i + len(w))
        counts.update(found)
    return counts


def best_alignments(qw: list[str], statements: list[dict], inserted: bool = False,
                    marked: frozenset[int] = frozenset()) -> list[Alignment | None]:
    """Each statement's best alignment with the quote (None where no paragraph was aligned). Paragraphs
    are ranked by how many of the quote's longest words they contain, found as substrings of the
    lower-cased text: cheap enough for every paragraph of long transcripts, and close enough to choose
    the few worth aligning in full."""
    # the longest words: the rarest, as a rule, and so the ones that tell paragraphs apart
    wanted = sorted(set(qw), key=len, reverse=True)[:PREFILTER_WORDS]
    ranked = []
    for si, st in enumerate(statements):
        counts = _paragraph_counts(st["paragraphs"], wanted)
        ranked += [(c, si, n) for n, c in counts.most_common(PER_STATEMENT)]
    # the earliest first among equals: a formula in more statements than are aligned lists its first uses
    ranked.sort(key=lambda x: (-x[0], statements[x[1]]["date"] or "9999"))
    best: list[Alignment | None] = [None] * len(statements)
    for _, si, n in ranked[:ALIGNED_PARAGRAPHS]:
        a = align(qw, statements[si]["paragraphs"][n], n + 1, inserted, marked)
        if best[si] is None or _rank(a) > _rank(best[si]):
            best[si] = a
    return best


def _rank(a: Alignment) -> tuple:
    return (-LABELS.index(a.label), a.score)


def lookup(text: str, searcher, store, query: SearchQuery = SearchQuery()) -> dict:
    """The answer for a pasted text: its quotes, the statements they come from (best first; the same
    words in several statements earliest first), and notes on what was cut or not found. Of the query only
    the filters a quote lookup takes count (`SearchQuery.for_quotes`)."""
    text = (text or "").strip()
    if not text:
        raise CiteError("paste a quote (or a sentence with a quote in quotation marks) to look it up")
    notes = []
    found = quotes(text)
    if found == [text] and len(text) > MAX_CHARS:
        found = [text[:MAX_CHARS]]
        notes.append(f"the text is {len(text):,} characters and quotes nothing: only its first "
                     f"{MAX_CHARS:,} characters were looked up")
    if len(found) > 1 and found[0] == text:
        notes.append(f"the text is one sentence quoting {len(found) - 1} short passage(s): it was looked up whole "
                     "(quote 1) and by each quoted passage")
    if len(found) > MAX_QUOTES:
        notes.append(f"the text has {len(found)} quoted passages: the first {MAX_QUOTES} were looked up")
        found = found[:MAX_QUOTES]
    query = query.for_quotes()
    out_quotes, matches, similar = [], [], []
    for qi, quote in enumerate(found):
        inserted = bool(_BRACKETED.search(quote[:MAX_CHARS]))
        said = _BRACKETED.sub(" ", quote[:MAX_CHARS])
        qw = words(said)
        part = "whole" if quote == text[:MAX_CHARS] else "quoted"
        if not qw:
            out_quotes.append({"text": quote, "part": part, "match": "not-found", "matches": 0, "repeated": False})
            continue
        ids = searcher.candidates(qw, query, CANDIDATES)
        statements = store.get_many(ids)
        alignments = best_alignments(qw, statements, inserted, marked_cuts(quote[:MAX_CHARS]))
        every = [(a, st) for a, st in zip(alignments, statements) if a]
        aligned = [(a, st) for a, st in every if a.label != "not-found"]
        aligned.sort(key=lambda x: (tuple(-v for v in _rank(x[0])), x[1]["date"] or "9999"))
        top = aligned[0][0] if aligned else None
        repeated = bool(top) and sum(1 for a, _ in aligned if a.key == top.key and a.label == top.label) > 1
        if repeated:
            same = sum(1 for a, _ in aligned if a.key == top.key)
            # retrieval stops at CANDIDATES statements: a formula found in all it aligned may be in more
            some = "at least " if same == len(aligned) and len(ids) == CANDIDATES else ""
            notes.append(f"quote {qi + 1}: the same words appear in {some}{same} statements, listed earliest first")
        if not top:
            notes.append(f"quote {qi + 1}: not found in the archive"
                         + (" with these filters" if query.filters() else ""))
            similar += _similar(qi, every)
        out_quotes.append({"text": quote, "part": part, "match": top.label if top else "not-found",
                           "matches": min(len(aligned), MAX_MATCHES), "repeated": repeated})
        for a, st in aligned[:MAX_MATCHES]:
            paragraphs, n = st["paragraphs"], a.paragraph
            matches.append({"quote": qi, "id": st["id"], "url": st["url"], "title": st["title"],
                            "date": st["date"], "speaker": "; ".join(st["speakers"]), "source": st["source"],
                            "language": st["language"], "ministry": st["ministry"], "paragraph": n,
                            "passage": paragraphs[n - 1], "span": a.passage, "match": a.label,
                            "score": a.score, "diff": a.diff, **wording(paragraphs[n - 1], said, a.ops),
                            "before": paragraphs[n - 2] if n > 1 else None,
                            "after": paragraphs[n] if n < len(paragraphs) else None,
                            **versions_of(store, st, n)})
    return {"query": text[:MAX_CHARS], "quotes": out_quotes, "matches": matches, "similar": similar, "notes": notes}


def _similar(qi: int, every: list[tuple[Alignment, dict]]) -> list[dict]:
    """The closest wording to a quote not found: no source of it (the diff would promise words the
    statement does not hold), so it carries no diff and no label, only how close it came."""
    close = sorted((x for x in every if x[0].score >= SIMILAR_SCORE), key=lambda x: -x[0].score)
    return [{"quote": qi, "id": st["id"], "url": st["url"], "title": st["title"], "date": st["date"],
             "paragraph": a.paragraph, "passage": st["paragraphs"][a.paragraph - 1], "score": a.score}
            for a, st in close[:MAX_SIMILAR]]


def with_citations(answer: dict, store, fmt: str, base_url: str) -> dict:
    """The answer with each match's citation in `fmt` (naming its other-language version when it has one)
    and the archive's address of the match and of that version (`archived_url`, at the paragraph's anchor),
    for the archive served at `base_url`."""
    for m in answer["matches"]:
        m["citation"] = cite(store.get(m["id"]), fmt, base_url, m["paragraph"], m["original"], m["translation"])
        m["archived_url"] = archived_url(base_url, m["id"], m["paragraph"])
        for v in filter(None, (m["original"], m["translation"])):
            v["archived_url"] = archived_url(base_url, v["id"], v["paragraph"])
    return answer
