"""How a site's versions of one text in several languages find each other.

A ministry that publishes two languages (China MFA zh/en, later mid.ru ru/en) declares it on its sources:
`Source.versions` names the group of sources that hold versions of one another and how two of their
statements are told to be one text when no page links them. Links a page gives itself (a language switch)
need no declaration: the source puts them on the statement (`Statement.versions`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Mapping

# how a translation link was found: the page names the other version, or the pairing rule matched
PAGE_LINK = "page-link"
SAME_DAY_SPEAKER = "same-day-speaker"


@dataclass(frozen=True)
class SameDayAndSpeaker:
    """Two statements of a group are versions of one text when they are of the same kind, published the
    same day (in the site's time zone) by the same speaker, and no other statement of either language
    shares that; `names` gives each speaker one spelling across languages (耿爽 = Geng Shuang)."""
    group: str
    timezone: tzinfo
    names: Mapping[str, str] = field(default_factory=dict)
    # several remarks a day are common, and a day's English remarks need not translate the Chinese ones
    # one for one: only texts that happen once a day per speaker pair safely
    kinds: tuple[str, ...] = ("press-conference",)
    method: str = SAME_DAY_SPEAKER
    # the language whose version is authoritative (the others translate it); None when none is
    original: str | None = None

    def day(self, st: Mapping) -> str | None:
        """The statement's local publication day (ISO), for finding candidates; None when it cannot pair."""
        if st["kind"] not in self.kinds or not st["date"]:
            return None
        return datetime.fromisoformat(st["date"]).astimezone(self.timezone).date().isoformat()

    def key(self, st: Mapping) -> tuple | None:
        """What two versions share; None for a statement this rule does not pair."""
        day = self.day(st)
        if day is None:
            return None
        return st["kind"], day, tuple(self.names.get(s, s) for s in st["speakers"])
