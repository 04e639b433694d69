"""China, Ministry of Foreign Affairs, English pages (www.fmprc.gov.cn/eng/, /mfa_eng/ = www.mfa.gov.cn).

- old template (until 2021), VERIFIED on 500 real press conferences of 2018-05 .. 2020-07 and the 13 listing
  pages linking them (../shared/corpus, tests/test_cn_mfa_corpus.py): listing `.newsLst_mod a` with titles
  only, pages `default_N.shtml` counted by `var countPage`; article `.content_mod h2.title`, an empty
  `#News_Body_Time` (the only date is the title's "... on July 3, 2020"; 14 titles of September 2018 print no
  year, which their photos' upload stamps give; two remarks of August 2019 carry no date at all and stay
  undated: the listing prints none either), body `.content_mod .content`.
- current template (2021–), UNVERIFIED: list `https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/` (`index.html`,
  `index_1.html`, …, counted by the TRS paging call as on the Chinese site, assumed), items `.newsLst_mod a`
  linking `./YYYYMM/tYYYYMMDD_NNNNNNNN.html`; article as the old template. The notes name no other current
  list, so the spokesperson's remarks column is not crawled.

Turns: a question opens with its outlet ("Reuters:", "CCTV:", the label often split over several `<span>`s,
which the text joins), an answer with the spokesperson's name ("Zhao Lijian:"); 2018's "Q:"/"A:", "Follow-up:"
(asked by the last outlet) and "Journalist clarifies:" are read too.
"""
from __future__ import annotations

import re

from .cn_mfa_zh import QUESTION, SPOKESPEOPLE, FmprcSource

# Checked in order, as on the Chinese site: remarks answering a question about a statement are remarks.
KIND_RULES: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(rx, re.I)) for kind, rx in (
    # in February 2020 the conferences were held online as a "Daily Briefing Online"
    ("press-conference", r"\bPress Conference\b|\bDaily Briefing\b"),
    ("remarks", r"\bRemarks\b|\bAnswers\b.*\bQuestions?\b"),
    ("statement", r"\bStatement\b|\bDeclaration\b"),
    ("readout", r"\bMeets?\b|\bHolds? Talks\b|\bTalks with\b|\bPhone (?:Call|Conversation)\b|\bSpeaks? (?:on|over) "
                r"the Phone\b"),
    ("speech", r"\bSpeech\b|\bKeynote\b|\bAddress(?:es)? (?:at|to)\b"),
    ("interview", r"\bInterview\b"),
))
# "Foreign Ministry Spokesperson Mao Ning's Regular Press Conference on March 5, 2024", "... Geng Shuang Answers
# a Journalist's Question ..."; "Foreign Ministry Spokesperson's Remarks" names nobody.
_SPOKESPERSON = re.compile(r"\bSpokesperson ([A-Z][a-z]+(?: [A-Z][a-z]+){1,2})(?=[’']s\b| Answers\b)")
# A label is a short capitalised name before a colon: "Reuters:", "China News Service:", "Mao Ning:".
_WORD = r"(?:[A-Z][\w.&’'-]*|of|and|the|for|de)"
# "Journalist clarifies:", "The journalist clarified:" give the floor back to the press; a spokesperson's name
# is read in any case ("Hua chunying:" is printed once).
_JOURNALIST = re.compile(r"(?:The )?[Jj]ournalist [a-z]+")
_NAMES = "|".join(sorted(SPOKESPEOPLE.values()))
_LABEL = re.compile(rf"({_JOURNALIST.pattern}|(?i:{_NAMES})|{_WORD}(?: {_WORD}){{0,4}})\s*:")


class CnMfaEn(FmprcSource):
    id = "cn-mfa-en"
    language = "en"
    english = True
    start_urls = ("https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/index.html",
                  "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/")
    description = "Regular press conferences of the spokesperson (English translations; the Chinese is authoritative)"
    verified = "old template: 500 real press conferences and 13 listings in the corpus; current template unverified"
    title_selectors = ("#News_Body_Title", ".content_mod h2.title")
    date_selectors = ("#News_Body_Time",)
    body_selectors = ("#News_Body_Txt_A", ".content_mod .content")
    listing_selectors = ("div.rebox_news ul li", ".newsLst_mod a")
    kind_rules = KIND_RULES
    label_pattern = _LABEL
    question_labels = frozenset({"Q", "Question"})
    answer_labels = frozenset({"A", "Answer"})
    follow_up_labels = frozenset({"Follow-up", "Follow up", "Follow-Up"})
    moderator_labels = frozenset({"Moderator", "Host"})
    known_spokespeople = frozenset(SPOKESPEOPLE.values())

    def spokespeople(self, title: str) -> list[str]:
        m = _SPOKESPERSON.search(title)
        return [m[1]] if m else []

    def outlet(self, label: str) -> str | None:
        # at a press conference every speaker but the spokesperson and a host is the press
        return label

    def asker(self, label: str):
        return QUESTION if _JOURNALIST.fullmatch(label) else super().asker(label)


SOURCES = [CnMfaEn()]
