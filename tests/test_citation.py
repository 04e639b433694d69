"""Citation formats: exact strings for a named speaker and for an office, and every format's fields."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from archive.citation import FORMATS, CitationError, authors, cite, person, Person

BASE = "https://archive.example/"
ST = {"id": "f51af208bc55bbf2", "title": "Department Press Briefing – May 25, 2021",
      "ministry": "U.S. Department of State", "speakers": ["Ned Price, Department Spokesperson"],
      "date": "2021-05-25T14:03:00-04:00", "url": "https://www.state.gov/briefings/dpb-may-25-2021/",
      "fetched_at": datetime(2022, 1, 3, 9, tzinfo=timezone.utc), "language": "en", "paragraphs": ["a", "b", "c"]}
OFFICE = {**ST, "speakers": ["Office of the Spokesperson"], "title": "Secretary Blinken’s Call"}
OFFICIAL = ST["url"]
ARCHIVED = "https://archive.example/statements/f51af208bc55bbf2"


def test_people_and_offices():
    assert person("Ned Price, Department Spokesperson") == Person("Price", "Ned")
    assert person("Secretary Antony J. Blinken") == Person("Blinken", "Antony J.")
    assert person("Office of the Spokesperson") is None
    assert person("MR PRICE") is None
    # family names first where the country writes them first, or where the ministry capitalises them
    assert person("Wang Wenbin", "CN") == Person("Wang", "Wenbin")
    assert person("Mao Ning, Foreign Ministry Spokesperson", "cn") == Person("Mao", "Ning")
    assert person("KAMIKAWA Yoko", "JP") == Person("Kamikawa", "Yoko")
    assert person("Yoko Kamikawa", "JP") == Person("Kamikawa", "Yoko")
    assert authors(OFFICE) == "U.S. Department of State"
    assert authors({**ST, "speakers": []}) == "U.S. Department of State"


@pytest.mark.parametrize("statement, fmt, paragraph, expected", [
    (ST, "apa", 3, f"Price, N. (2021, May 25). Department Press Briefing – May 25, 2021. U.S. Department of State. "
                   f"{OFFICIAL} (Archived copy, para. 3, captured January 3, 2022: {ARCHIVED}#p3)"),
    (OFFICE, "apa", None, f"U.S. Department of State. (2021, May 25). Secretary Blinken’s Call. {OFFICIAL} "
                          f"(Archived copy, captured January 3, 2022: {ARCHIVED})"),
    (ST, "mla", 3, f"Price, Ned. “Department Press Briefing – May 25, 2021.” U.S. Department of State, 25 May 2021, "
                   f"{OFFICIAL}. Archived copy, par. 3, captured 3 Jan. 2022, {ARCHIVED}#p3."),
    # an organisation that is author and publisher is named once, as publisher
    (OFFICE, "mla", None, f"“Secretary Blinken’s Call.” U.S. Department of State, 25 May 2021, {OFFICIAL}. "
                          f"Archived copy, captured 3 Jan. 2022, {ARCHIVED}."),
])
def test_apa_and_mla(statement, fmt, paragraph, expected):
    assert cite(statement, fmt, BASE, paragraph) == expected


def test_chicago():
    assert cite(ST, "chicago", BASE, 3) == (
        f"Note: Ned Price, “Department Press Briefing – May 25, 2021,” U.S. Department of State, May 25, 2021, "
        f"para. 3, {OFFICIAL}, archived January 3, 2022, {ARCHIVED}#p3.\n"
        f"Bibliography: Price, Ned. “Department Press Briefing – May 25, 2021.” U.S. Department of State, "
        f"May 25, 2021. {OFFICIAL}. Archived January 3, 2022, {ARCHIVED}#p3.")


def test_bibtex():
    assert cite(ST, "bibtex", BASE, 3) == "\n".join([
        "@misc{price2021_f51af208bc55bbf2,",
        "  author = {Price, Ned},",
        "  title = {{Department Press Briefing – May 25, 2021}},",
        "  organization = {U.S. Department of State},",
        "  year = {2021},",
        "  date = {2021-05-25},",
        f"  url = {{{OFFICIAL}}},",
        f"  howpublished = {{\\url{{{OFFICIAL}}}}},",
        "  urldate = {2022-01-03},",
        f"  note = {{Archived copy, paragraph 3: \\url{{{ARCHIVED}#p3}}}},",
        "  language = {en}",
        "}"])
    office = cite({**OFFICE, "title": "Sanctions & 100% tariffs"}, "bibtex", BASE)
    assert office.startswith("@misc{usdepartmentofstate2021_f51af208bc55bbf2,\n  author = {{U.S. Department of State}},")
    assert "title = {{Sanctions \\& 100\\% tariffs}}" in office
    assert office.count("{") == office.count("}")


def test_ris():
    assert cite(ST, "ris", BASE, 3) == "\n".join([
        "TY  - ELEC", "AU  - Price, Ned", "TI  - Department Press Briefing – May 25, 2021",
        "PB  - U.S. Department of State", "PY  - 2021", "DA  - 2021/05/25/", f"UR  - {OFFICIAL}",
        "Y2  - 2022/01/03/", "LA  - en", f"N1  - Archived copy, paragraph 3: {ARCHIVED}#p3",
        "ID  - f51af208bc55bbf2", "ER  - ", ""])


def test_csl_json():
    items = json.loads(cite(OFFICE, "csl-json", BASE, 2))
    assert items == [{"id": "f51af208bc55bbf2", "type": "webpage", "title": "Secretary Blinken’s Call",
                      "author": [{"literal": "U.S. Department of State"}], "publisher": "U.S. Department of State",
                      "container-title": "U.S. Department of State", "URL": OFFICIAL, "language": "en",
                      "archive": "Policy Archive", "archive_location": f"{ARCHIVED}#p2",
                      "issued": {"date-parts": [[2021, 5, 25]]}, "accessed": {"date-parts": [[2022, 1, 3]]},
                      "note": "paragraph 2"}]
    assert json.loads(cite(ST, "csl-json", BASE))[0]["author"] == [{"family": "Price", "given": "Ned"}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_has_the_required_fields(fmt):
    text = cite({**ST, "date": None}, fmt, BASE, 1)
    for needed in ("Price", "Department Press Briefing", OFFICIAL, f"{ARCHIVED}#p1"):
        assert needed in text
    assert "2022" in text  # the captured date, standing in for the missing publication date


def test_bad_requests():
    with pytest.raises(CitationError):
        cite(ST, "harvard", BASE)
    with pytest.raises(CitationError):
        cite(ST, "apa", BASE, 4)
