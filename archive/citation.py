"""Citations of a statement (optionally one paragraph) in the styles readers and reference managers use.

The official page is what is cited; the archive's copy is given beside it as the archived version, since
the paragraph anchors (#pN) exist only there and official pages change or vanish.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

FORMATS = ("apa", "mla", "chicago", "bibtex", "ris", "csl-json")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# MLA 9 abbreviates months longer than four letters
MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
# a speaker naming one of these is an office, not a person: "Office of the Spokesperson" stays an organisation
_ORG_WORDS = re.compile(r"\b(office|ministry|department|spokesperson|spokesman|spokeswoman|embassy|mission|"
                        r"government|press|bureau|secretariat|delegation|question|moderator|operator)\b", re.I)
_HONORIFICS = re.compile(r"^(?:(?:secretary(?: of state)?|deputy secretary|under secretary|ambassador|minister|"
                         r"foreign minister|spokesperson|president|prime minister|dr|mr|mrs|ms|h\.?e\.?)\.?\s+)+",
                         re.I)
_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")
_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


FAMILY_NAME_FIRST = {"CN", "TW", "HK", "MO", "KR", "KP", "VN"}


class CitationError(ValueError):
    """A citation we cannot make (unknown format, a paragraph the statement does not have)."""


@dataclass(frozen=True)
class Person:
    family: str
    given: str


def person(speaker: str, country: str = "") -> Person | None:
    """The person a speaker line names ("Ned Price, Department Spokesperson" → Price, Ned), or None for
    an office or anything not shaped like a name.

    Chinese, Korean and Vietnamese names are written family name first ("Wang Wenbin" → Wang, Wenbin),
    and Japan's ministry writes the family name in capitals ("KAMIKAWA Yoko"): a citation that got the
    family name wrong would send readers to the wrong person.
    """
    name = _HONORIFICS.sub("", speaker.split(",")[0].strip())
    words = name.split()
    if not 2 <= len(words) <= 4 or _ORG_WORDS.search(name) or not all(_NAME_WORD.match(w) for w in words):
        return None
    capitals = [i for i, w in enumerate(words) if len(w) > 1 and w.isalpha() and w.isupper()]
    if len(capitals) == 1:
        i = capitals[0]
        return Person(family=words[i].title(), given=" ".join(words[:i] + words[i + 1:]))
    if country.upper() in FAMILY_NAME_FIRST:
        return Person(family=words[0], given=" ".join(words[1:]))
    return Person(family=words[-1], given=" ".join(words[:-1]))


def authors(st: dict) -> list[Person] | str:
    """The people who spoke, when every speaker is a named person; otherwise the ministry as organisation."""
    people = [person(s, st.get("country", "")) for s in st.get("speakers") or []]
    if people and all(people):
        return people
    return st["ministry"]


def _day(value) -> date | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    # the date the ministry printed, in its own time zone: never converted
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Work:
    title: str
    authors: list[Person] | str
    publisher: str
    issued: date | None
    captured: date | None
    url: str
    archived: str
    paragraph: int | None
    language: str
    id: str


def work(st: dict, base_url: str, paragraph: int | None = None) -> Work:
    if paragraph is not None and not 1 <= paragraph <= len(st.get("paragraphs") or ()):
        raise CitationError(f"paragraph must be between 1 and {len(st.get('paragraphs') or ())}")
    archived = f"{base_url.rstrip('/')}/statements/{st['id']}" + (f"#p{paragraph}" if paragraph else "")
    return Work(title=st["title"].strip(), authors=authors(st), publisher=st["ministry"],
                issued=_day(st.get("date")), captured=_day(st.get("fetched_at")), url=st["url"],
                archived=archived, paragraph=paragraph, language=st.get("language") or "", id=st["id"])


def _long(d: date | None) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}" if d else "n.d."


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _initials(given: str) -> str:
    return " ".join(part[0] + "." for part in given.replace(".", " ").split())


def apa(w: Work) -> str:
    if isinstance(w.authors, str):
        author, site = w.authors, ""
    else:
        names = [f"{p.family}, {_initials(p.given)}" for p in w.authors]
        author = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
        site = f" {w.publisher}."
    when = f"{w.issued.year}, {MONTHS[w.issued.month - 1]} {w.issued.day}" if w.issued else "n.d."
    # APA 7 drops the site name when the organisation is the author; the author already ends with a period
    # when it ends with an initial
    author = author if author.endswith(".") else author + "."
    para = f", para. {w.paragraph}" if w.paragraph else ""
    return (f"{author} ({when}). {w.title}.{site} {w.url} "
            f"(Archived copy{para}, captured {_long(w.captured)}: {w.archived})")


def _mla_date(d: date | None) -> str:
    return f"{d.day} {MLA_MONTHS[d.month - 1]} {d.year}" if d else "n.d."


def mla(w: Work) -> str:
    para = f", par. {w.paragraph}" if w.paragraph else ""
    tail = (f"{w.publisher}, {_mla_date(w.issued)}, {w.url}. "
            f"Archived copy{para}, captured {_mla_date(w.captured)}, {w.archived}.")
    if isinstance(w.authors, str):
        # MLA 9: an organisation that is both author and publisher is given once, as publisher
        return f"\u201c{w.title}.\u201d {tail}"
    if len(w.authors) == 1:
        author = f"{w.authors[0].family}, {w.authors[0].given}"
    elif len(w.authors) == 2:
        author = f"{w.authors[0].family}, {w.authors[0].given}, and {w.authors[1].given} {w.authors[1].family}"
    else:
        author = f"{w.authors[0].family}, {w.authors[0].given}, et al"
    return f"{author}. \u201c{w.title}.\u201d {tail}"


def chicago(w: Work) -> str:
    """Chicago 17 notes and bibliography: the note (with the paragraph) and the bibliography entry."""
    archived = f"archived {_long(w.captured)}, {w.archived}"
    para = f", para. {w.paragraph}" if w.paragraph else ""
    if isinstance(w.authors, str):
        note = f"{w.authors}, \u201c{w.title},\u201d {_long(w.issued)}{para}, {w.url}, {archived}."
        bib = f"{w.authors}. \u201c{w.title}.\u201d {_long(w.issued)}. {w.url}. Archived {_long(w.captured)}, " \
              f"{w.archived}."
    else:
        note_names = _join([f"{p.given} {p.family}" for p in w.authors])
        first = f"{w.authors[0].family}, {w.authors[0].given}"
        bib_names = _join([first] + [f"{p.given} {p.family}" for p in w.authors[1:]])
        note = f"{note_names}, \u201c{w.title},\u201d {w.publisher}, {_long(w.issued)}{para}, {w.url}, {archived}."
        bib = f"{bib_names}. \u201c{w.title}.\u201d {w.publisher}, {_long(w.issued)}. {w.url}. " \
              f"Archived {_long(w.captured)}, {w.archived}."
    return f"Note: {note}\nBibliography: {bib}"


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def bibtex_key(w: Work) -> str:
    """Stable across captures and paragraphs: who, when, and the archive id (the id never changes)."""
    who = _ascii(w.authors[0].family) if not isinstance(w.authors, str) else ""
    return f"{who or _ascii(w.publisher)[:20] or 'statement'}{w.issued.year if w.issued else 'nd'}_{w.id}"


def _tex(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text.replace("{", "").replace("}", ""))


def bibtex(w: Work) -> str:
    if isinstance(w.authors, str):
        author = "{" + _tex(w.authors) + "}"  # braces: an organisation, not a family name "Affairs"
    else:
        author = " and ".join(f"{_tex(p.family)}, {_tex(p.given)}" for p in w.authors)
    fields = [("author", author), ("title", "{" + _tex(w.title) + "}"), ("organization", _tex(w.publisher))]
    if w.issued:
        fields += [("year", str(w.issued.year)), ("date", w.issued.isoformat())]
    fields += [("url", w.url), ("howpublished", f"\\url{{{w.url}}}")]
    if w.captured:
        fields.append(("urldate", w.captured.isoformat()))
    para = f", paragraph {w.paragraph}" if w.paragraph else ""
    fields += [("note", f"Archived copy{para}: \\url{{{w.archived}}}"), ("language", w.language)]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{bibtex_key(w)},\n{body}\n}}"


def _ris_date(d: date) -> str:
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}/"


def ris(w: Work) -> str:
    # ELEC (web page), not GOVDOC: what is cited is a page published online, and reference managers read
    # ELEC as a web page with its URL and access date (Y2), while GOVDOC imports as a printed report
    lines = [("TY", "ELEC")]
    if isinstance(w.authors, str):
        lines.append(("AU", w.authors))
    else:
        lines += [("AU", f"{p.family}, {p.given}") for p in w.authors]
    lines += [("TI", w.title), ("PB", w.publisher)]
    if w.issued:
        lines += [("PY", str(w.issued.year)), ("DA", _ris_date(w.issued))]
    lines.append(("UR", w.url))
    if w.captured:
        lines.append(("Y2", _ris_date(w.captured)))
    para = f", paragraph {w.paragraph}" if w.paragraph else ""
    lines += [("LA", w.language), ("N1", f"Archived copy{para}: {w.archived}"), ("ID", w.id), ("ER", "")]
    return "\n".join(f"{tag}  - {value}" for tag, value in lines if value or tag == "ER") + "\n"


def _parts(d: date) -> dict:
    return {"date-parts": [[d.year, d.month, d.day]]}


def csl(w: Work) -> dict:
    item = {"id": w.id, "type": "webpage", "title": w.title,
            "author": ([{"literal": w.authors}] if isinstance(w.authors, str)
                       else [{"family": p.family, "given": p.given} for p in w.authors]),
            "publisher": w.publisher, "container-title": w.publisher, "URL": w.url, "language": w.language,
            "archive": "Policy Archive", "archive_location": w.archived}
    if w.issued:
        item["issued"] = _parts(w.issued)
    if w.captured:
        item["accessed"] = _parts(w.captured)
    if w.paragraph:
        item["note"] = f"paragraph {w.paragraph}"
    return item


_TEXT = {"apa": apa, "mla": mla, "chicago": chicago, "bibtex": bibtex, "ris": ris,
         "csl-json": lambda w: json.dumps([csl(w)], ensure_ascii=False, indent=2)}


def cite(st: dict, fmt: str, base_url: str, paragraph: int | None = None) -> str:
    if fmt not in _TEXT:
        raise CitationError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return _TEXT[fmt](work(st, base_url, paragraph))
