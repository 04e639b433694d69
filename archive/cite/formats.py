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

from . import styles

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# a speaker naming one of these is an office, not a person: "Office of the Spokesperson" stays an organisation
_ORG_WORDS = re.compile(r"\b(office|ministry|department|spokesperson|spokesman|spokeswoman|embassy|mission|"
                        r"government|press|bureau|secretariat|delegation|question|moderator|operator)\b", re.I)
_HONORIFICS = re.compile(r"^(?:(?:secretary(?: of state)?|deputy secretary|under secretary|ambassador|minister|"
                         r"foreign minister|spokesperson|president|prime minister|dr|mr|mrs|ms|h\.?e\.?)\.?\s+)+",
                         re.I)
_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")
_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


FAMILY_NAME_FIRST = {"CN", "TW", "HK", "MO", "KR", "KP", "VN"}
CHINESE = {"CN", "TW", "HK", "MO", "SG"}
# a name in Han characters, kana or Hangul: the script writes the family name first and no space after it
_CJK_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]{2,5}"
                       r"(?:[ \u3000][\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]{1,4})?$")
_CJK_TITLES = re.compile(r"^(?:外交部|外務省|外务省|외교부)?(?:新闻|新聞)?(?:发言人|發言人|部长|部長|副部长|副部長|"
                         r"外务大臣|外務大臣|报道官|報道官|대변인|장관)[ \u3000]*")
# an office's name ends in one of these characters (外交部, 新闻司); a person's hardly ever does
_CJK_ORG = re.compile(r"(?:部|司|局|处|處|省|厅|廳|馆|館|团|團|会|會)$|办公室|辦公室|发言人|發言人|政府|中心|新闻|新聞|"
                      r"记者|記者|대변인|외교부")
# two-character Chinese family names; any other Chinese name's family name is its first character
_COMPOUND_SURNAMES = {"欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "皇甫", "令狐", "慕容",
                      "尉迟", "尉遲", "公孙", "公孫", "夏侯", "轩辕", "軒轅", "长孙", "長孫", "宇文", "司徒", "端木"}


# the languages versions are named in ("English translation as published; Chinese original: …")
LANGUAGES = {"zh": "Chinese", "en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "ar": "Arabic",
             "ja": "Japanese", "ko": "Korean", "de": "German"}


class CitationError(ValueError):
    """A citation we cannot make (unknown format, a paragraph the statement does not have)."""


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    # written family name first (Chinese, Korean, Vietnamese, a Japanese name with the family name in
    # capitals): CSL's static-ordering keeps that order rather than inverting it with a comma
    family_first: bool = False
    # in Han characters, kana or Hangul: the parts are written with no space between them
    cjk: bool = False

    @property
    def natural(self) -> str:
        """The name as written in running text."""
        if not self.given:
            return self.family
        if self.cjk:
            return self.family + self.given
        return f"{self.family} {self.given}" if self.family_first else f"{self.given} {self.family}"

    @property
    def inverted(self) -> str:
        """Family name first with a comma, as reference managers and BibTeX read a name."""
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def sorted(self) -> str:
        """The first author of a bibliography entry: inverted, unless the name already puts the family first."""
        return self.natural if self.family_first else self.inverted


def _cjk_person(name: str, country: str) -> Person | None:
    if _CJK_ORG.search(name):
        return None
    parts = name.replace("\u3000", " ").split()
    if len(parts) == 2:
        return Person(family=parts[0], given=parts[1], family_first=True, cjk=True)
    if re.match(r"^[\uac00-\ud7af]{2,4}$", name):  # Hangul: a one-syllable family name nearly always
        return Person(family=name[0], given=name[1:], family_first=True, cjk=True)
    if country.upper() in CHINESE and re.match(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,4}$", name):
        split = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
        return Person(family=name[:split], given=name[split:], family_first=True, cjk=True)
    # a Japanese name in kanji without a space: where the family name ends cannot be read from the text,
    # and a wrong split names someone else, so it stays whole
    return Person(family=name, given="", family_first=True, cjk=True)


def person(speaker: str, country: str = "") -> Person | None:
    """The person a speaker line names ("Ned Price, Department Spokesperson" → Price, Ned), or None for
    an office or anything not shaped like a name.

    Chinese, Korean and Vietnamese names are written family name first ("Wang Wenbin" → Wang, Wenbin),
    and Japan's ministry writes the family name in capitals ("KAMIKAWA Yoko"): a citation that got the
    family name wrong would send readers to the wrong person. Names in Han characters, kana or Hangul
    ("耿爽" → 耿, 爽) put the family name first too.
    """
    name = _HONORIFICS.sub("", re.split(r"[,，、]", speaker)[0].strip())
    if _CJK_NAME.match(cjk := _CJK_TITLES.sub("", name)):
        return _cjk_person(cjk, country)
    words = name.split()
    if not 2 <= len(words) <= 4 or _ORG_WORDS.search(name) or not all(_NAME_WORD.match(w) for w in words):
        return None
    capitals = [i for i, w in enumerate(words) if len(w) > 1 and w.isalpha() and w.isupper()]
    if len(capitals) == 1:
        i = capitals[0]
        return Person(family=words[i].title(), given=" ".join(words[:i] + words[i + 1:]), family_first=i == 0)
    if country.upper() in FAMILY_NAME_FIRST:
        return Person(family=words[0], given=" ".join(words[1:]), family_first=True)
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
class Version:
    """The cited statement's linked version in another language: its `original` when the cited text is a
    translation, its `translation` (as published) when the cited text is the original."""
    role: str
    language: str
    title: str
    url: str
    issued: date | None


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
    other: Version | None = None


def archived_url(base_url: str, sid: str, paragraph: int | None = None) -> str:
    """The archive's copy of a statement, at the paragraph's anchor when one is given."""
    return f"{base_url.rstrip('/')}/statements/{sid}" + (f"#p{paragraph}" if paragraph else "")


def _version(role: str, v: dict | None) -> Version | None:
    return Version(role, v["language"], v["title"].strip(), v["url"], _day(v.get("date"))) if v else None


def work(st: dict, base_url: str, paragraph: int | None = None, original: dict | None = None,
         translation: dict | None = None) -> Work:
    """`original` / `translation`: the statement's linked version in that role (id, url, language, title,
    date, as a cite answer gives it), which the citation names beside the statement."""
    if paragraph is not None and not 1 <= paragraph <= len(st.get("paragraphs") or ()):
        raise CitationError(f"paragraph must be between 1 and {len(st.get('paragraphs') or ())}")
    archived = archived_url(base_url, st["id"], paragraph)
    return Work(title=st["title"].strip(), authors=authors(st), publisher=st["ministry"],
                issued=_day(st.get("date")), captured=_day(st.get("fetched_at")), url=st["url"],
                archived=archived, paragraph=paragraph, language=st.get("language") or "", id=st["id"],
                other=_version("original", original) or _version("translation", translation))


def _long(d: date | None) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}" if d else "n.d."


def language_name(code: str) -> str:
    """"Chinese" for zh: the language a version is named by in citations and on the pages."""
    return LANGUAGES.get(code.split("-")[0].lower(), code)


def versions(w: Work, text=str, link=str) -> str:
    """Both versions named, the cited one first: "English translation as published; Chinese original:
    “…,” https://…", or "Chinese original; English translation as published: “…,” March 2, 2020, https://…".
    The translation is dated (it may be published later); `text` and `link` escape for the format."""
    o = w.other
    mine, theirs = language_name(w.language), language_name(o.language)
    if o.role == "original":
        return f"{mine} translation as published; {theirs} original: \u201c{text(o.title)},\u201d {link(o.url)}"
    day = f"{_long(o.issued)}, " if o.issued else ""
    return (f"{mine} original; {theirs} translation as published: \u201c{text(o.title)},\u201d "
            f"{day}{link(o.url)}")


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def bibtex_key(w: Work) -> str:
    """Stable across captures and paragraphs: who, when, and the archive id (the id never changes)."""
    who = _ascii(w.authors[0].family) if not isinstance(w.authors, str) else ""
    return f"{who or _ascii(w.publisher)[:20] or 'statement'}{w.issued.year if w.issued else 'nd'}_{w.id}"


def _tex(text: str) -> str:
    # braces go: BibTeX counts even an escaped brace, so one stray brace would swallow the entry
    text = text.replace("{", "").replace("}", "").replace("\\", "\\textbackslash{}")
    text = text.replace("~", "\\textasciitilde{}").replace("^", "\\textasciicircum{}")
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def _url(url: str) -> str:
    """A URL inside a braced field: braces percent-encoded, so the entry's braces stay balanced."""
    return url.replace("{", "%7B").replace("}", "%7D")


def _tex_url(url: str) -> str:
    # \url{} in a field is the argument of the style's macros, where an unescaped # or % breaks LaTeX
    return "\\url{" + re.sub(r"([#%])", r"\\\1", _url(url).replace("\\", "%5C")) + "}"


def _bibtex_name(p: Person) -> str:
    # a name with no given part stays one family name in braces ("{上川陽子}")
    return f"{_tex(p.family)}, {_tex(p.given)}" if p.given else "{" + _tex(p.family) + "}"


def bibtex(w: Work) -> str:
    if isinstance(w.authors, str):
        author = "{" + _tex(w.authors) + "}"  # braces: an organisation, not a family name "Affairs"
    else:
        author = " and ".join(_bibtex_name(p) for p in w.authors)
    fields = [("author", author), ("title", "{" + _tex(w.title) + "}"), ("organization", _tex(w.publisher))]
    if w.issued:
        fields += [("year", str(w.issued.year)), ("date", w.issued.isoformat())]
    fields += [("url", _url(w.url)), ("howpublished", _tex_url(w.url))]
    if w.captured:
        fields.append(("urldate", w.captured.isoformat()))
    para = f", paragraph {w.paragraph}" if w.paragraph else ""
    both = f". {versions(w, text=_tex, link=_tex_url)}" if w.other else ""
    fields += [("note", f"Archived copy{para}: {_tex_url(w.archived)}{both}"), ("language", _tex(w.language))]
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
        lines += [("AU", p.inverted) for p in w.authors]
    lines += [("TI", w.title), ("PB", w.publisher)]
    if w.issued:
        lines += [("PY", str(w.issued.year)), ("DA", _ris_date(w.issued))]
    lines.append(("UR", w.url))
    if w.captured:
        lines.append(("Y2", _ris_date(w.captured)))
    para = f", paragraph {w.paragraph}" if w.paragraph else ""
    lines += [("LA", w.language), ("N1", f"Archived copy{para}: {w.archived}")]
    if w.other:
        lines.append(("N1", versions(w)))
    lines += [("ID", w.id), ("ER", "")]
    # one tag a line: a line break inside a value would start a line RIS readers take for a new tag
    return "\n".join(f"{tag}  - {' '.join(value.split())}" for tag, value in lines if value or tag == "ER") + "\n"


def _parts(d: date) -> dict:
    return {"date-parts": [[d.year, d.month, d.day]]}


def _csl_name(p: Person) -> dict:
    name = {"family": p.family, **({"given": p.given} if p.given else {})}
    return {**name, "static-ordering": True} if p.family_first and p.given else name


def csl(w: Work) -> dict:
    item = {"id": w.id, "type": "webpage", "title": w.title,
            "author": [{"literal": w.authors}] if isinstance(w.authors, str) else [_csl_name(p) for p in w.authors],
            "publisher": w.publisher, "container-title": w.publisher, "URL": w.url,
            "archive": "Policy Archive", "archive_location": w.archived}
    if w.language:
        item["language"] = w.language
    if w.issued:
        item["issued"] = _parts(w.issued)
    if w.captured:
        item["accessed"] = _parts(w.captured)
    notes = [f"paragraph {w.paragraph}"] if w.paragraph else []
    if w.other:
        notes.append(versions(w))
        if w.other.role == "original":
            item["original-title"] = w.other.title
    if notes:
        item["note"] = "; ".join(notes)
    return item


def _after(w: Work) -> str:
    """What the archive adds after a style's citation: the archived copy (CSL has no variable for a copy of a web
    page; `archive_location` is a shelf mark) and the other-language version, which apa, mla and chicago print
    only as "Original work published as <title>", without its address, and no style names for an original's
    translation."""
    para = f", para. {w.paragraph}" if w.paragraph else ""
    clause = f"Archived copy{para}, captured {_long(w.captured)}: {w.archived}"
    return clause + (f"; {versions(w)}" if w.other else "")


# a format is a function of the Work here: the web, the API and the command line offer what this lists, and
# "csl:<style-id>" besides; apa, mla and chicago are aliases of their official CSL styles
_TEXT = {"bibtex": bibtex, "ris": ris, "csl-json": lambda w: json.dumps([csl(w)], ensure_ascii=False, indent=2)}
FORMATS = (*styles.ALIASES, *_TEXT)
# the CSL styles the pages offer beside FORMATS
COMMON = tuple(f"csl:{sid}" for sid in styles.COMMON)


def _style(fmt: str) -> str | None:
    """The style a format names ("apa", "csl:apa"), or None for a format of _TEXT."""
    if fmt in _TEXT:
        return None
    if fmt in styles.ALIASES:
        return fmt
    if fmt.startswith("csl:"):
        return fmt[4:]
    raise CitationError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}, or csl:<style-id> "
                        f"({styles.HOW_TO_FIND})")


def check_format(fmt: str) -> str:
    """`fmt` when it is a format this module writes; CitationError, saying how to find style ids, when not."""
    name = _style(fmt)
    if name is not None:
        try:
            styles.style_id(name)
        except styles.UnknownStyle as e:
            raise CitationError(str(e)) from None
    return fmt


def cite(st: dict, fmt: str, base_url: str, paragraph: int | None = None, original: dict | None = None,
         translation: dict | None = None) -> str:
    name = _style(check_format(fmt))
    w = work(st, base_url, paragraph, original, translation)
    if name is None:
        return _TEXT[fmt](w)
    return styles.render(csl(w), name, w.paragraph, _after(w))
