"""Citation formats: exact strings for a named speaker and for an office, and every format's fields."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from archive.cite.formats import COMMON, FORMATS, CitationError, authors, cite, person, Person

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
    assert person("Wang Wenbin", "CN") == Person("Wang", "Wenbin", family_first=True)
    assert person("Mao Ning, Foreign Ministry Spokesperson", "cn") == Person("Mao", "Ning", family_first=True)
    assert person("KAMIKAWA Yoko", "JP") == Person("Kamikawa", "Yoko", family_first=True)
    assert person("Yoko Kamikawa", "JP") == Person("Kamikawa", "Yoko")
    # in Han characters or Hangul: family name first, no space; a two-character family name kept whole;
    # a Japanese name in kanji without a space is not split (where the family name ends is not written)
    assert person("耿爽", "CN") == Person("耿", "爽", family_first=True, cjk=True)
    assert person("外交部发言人汪文斌", "CN") == Person("汪", "文斌", family_first=True, cjk=True)
    assert person("欧阳玉靖", "CN") == Person("欧阳", "玉靖", family_first=True, cjk=True)
    assert person("강경화", "KR") == Person("강", "경화", family_first=True, cjk=True)
    assert person("上川 陽子", "JP") == Person("上川", "陽子", family_first=True, cjk=True)
    assert person("上川陽子", "JP") == Person("上川陽子", "", family_first=True, cjk=True)
    assert person("外交部", "CN") is None and person("外交部发言人", "CN") is None and person("新闻司", "CN") is None
    assert authors(OFFICE) == "U.S. Department of State"
    assert authors({**ST, "speakers": []}) == "U.S. Department of State"


# the official CSL styles (apa, mla and chicago are aliases of apa, modern-language-association and
# chicago-notes-bibliography), with the archived copy as a clause of the archive's own after them;
# docs/citation-quality.md ("Citation styles") lists where this differs from the hand-written formats before
A3 = f"Archived copy, para. 3, captured January 3, 2022: {ARCHIVED}#p3"


@pytest.mark.parametrize("statement, fmt, paragraph, expected", [
    (ST, "apa", 3, f"Price, N. (2021, May 25). Department Press Briefing – May 25, 2021. U.S. Department of State. "
                   f"{OFFICIAL} ({A3})\nIn text: (Price, 2021, para. 3)"),
    # APA 7 as the style has it: the site name is given even where the organisation is the author
    (OFFICE, "csl:apa", None, f"U.S. Department of State. (2021, May 25). Secretary Blinken’s Call. U.S. Department "
                              f"of State. {OFFICIAL} (Archived copy, captured January 3, 2022: {ARCHIVED})\n"
                              f"In text: (U.S. Department of State, 2021)"),
    (ST, "mla", 3, f"Price, Ned. “Department Press Briefing – May 25, 2021.” U.S. Department of State, 25 May 2021, "
                   f"{OFFICIAL}. {A3}.\nIn text: (Price, “Department Press Briefing – May 25, 2021,” par. 3)"),
    (OFFICE, "csl:modern-language-association", None,
     f"U.S. Department of State. “Secretary Blinken’s Call.” U.S. Department of State, 25 May 2021, {OFFICIAL}. "
     f"Archived copy, captured January 3, 2022: {ARCHIVED}.\nIn text: (U.S. Department of State, “Secretary "
     f"Blinken’s Call”)"),
    (ST, "csl:harvard-cite-them-right", 3,
     f"Price, N. (2021) Department Press Briefing – May 25, 2021, U.S. Department of State. Available at: {OFFICIAL} "
     f"(Accessed: January 3, 2022). {A3}.\nIn text: (Price, 2021, para. 3)"),
])
def test_apa_mla_harvard(statement, fmt, paragraph, expected):
    assert cite(statement, fmt, BASE, paragraph) == expected


def test_a_numbered_style_sets_its_number_apart():
    # IEEE's reference guide and the style's own examples: "[1] N. Price, “Title,” …"; its date form and
    # terms as the style gives them (leading zero, "Accessed:", "[Online].", "Available:")
    assert cite(ST, "csl:ieee", BASE, 3) == (
        f"[1] N. Price, “Department Press Briefing – May 25, 2021,” U.S. Department of State. Accessed: Jan. 03, "
        f"2022. [Online]. Available: {OFFICIAL} ({A3})\nIn text: [1, Para. 3]")
    # the same second-field-align in AMA's entry, where the number is followed by its period: "1. Price"
    assert cite(ST, "csl:american-medical-association", BASE, 3).startswith("1. Price ")


def test_chicago():
    assert cite(ST, "chicago", BASE, 3) == cite(ST, "csl:chicago-notes-bibliography", BASE, 3) == (
        f"Note: Ned Price, “Department Press Briefing – May 25, 2021,” U.S. Department of State, May 25, 2021, "
        f"para. 3, {OFFICIAL}. {A3}.\n"
        f"Bibliography: Price, Ned. “Department Press Briefing – May 25, 2021.” U.S. Department of State, "
        f"May 25, 2021. {OFFICIAL}. {A3}.")
    # the id the repository renamed is still understood: chicago-note-bibliography is now the shortened notes
    assert cite(ST, "csl:chicago-note-bibliography", BASE, 3).startswith(
        "Note: Price, “Department Press Briefing – May 25, 2021,” para. 3.")


CN = {**ST, "country": "CN", "ministry": "Ministry of Foreign Affairs of the People's Republic of China",
      "speakers": ["Wang Wenbin, Foreign Ministry Spokesperson"], "title": "Regular Press Conference"}
CN_ZH = {**CN, "ministry": "中华人民共和国外交部", "speakers": ["耿爽"], "title": "例行记者会"}
KR = {**ST, "id": "5e0a1b2c3d4e5f60", "country": "KR", "speakers": ["Lim Soosuk"],
      "ministry": "Ministry of Foreign Affairs of the Republic of Korea",
      "title": "Spokesperson's Regular Press Briefing (March 7, 2023)", "date": "2023-03-07T15:00:00+09:00",
      "url": "https://www.mofa.go.kr/eng/brd/m_5676/view.do?seq=325001",
      "fetched_at": datetime(2023, 3, 8, 2, tzinfo=timezone.utc)}
A2 = f"Archived copy, para. 2, captured January 3, 2022: {ARCHIVED}#p2"
KR_A2 = "Archived copy, para. 2, captured March 8, 2023: https://archive.example/statements/5e0a1b2c3d4e5f60#p2"


@pytest.mark.parametrize("statement, fmt, expected", [
    # a name written family name first is kept in its order by every style (static-ordering), where APA would
    # otherwise print "Wang, W." and Chicago's note "Wenbin Wang"
    (CN, "apa", f"Wang Wenbin. (2021, May 25). Regular Press Conference. Ministry of Foreign Affairs of the People's "
                f"Republic of China. {OFFICIAL} ({A2})\nIn text: (Wang Wenbin, 2021, para. 2)"),
    (CN, "mla", f"Wang Wenbin. “Regular Press Conference.” Ministry of Foreign Affairs of the People's Republic of "
                f"China, 25 May 2021, {OFFICIAL}. {A2}.\nIn text: (Wang Wenbin, “Regular Press Conference,” par. 2)"),
    (CN, "chicago", f"Note: Wang Wenbin, “Regular Press Conference,” Ministry of Foreign Affairs of the People's "
                    f"Republic of China, May 25, 2021, para. 2, {OFFICIAL}. {A2}.\n"
                    f"Bibliography: Wang Wenbin. “Regular Press Conference.” Ministry of Foreign Affairs of the "
                    f"People's Republic of China, May 25, 2021. {OFFICIAL}. {A2}."),
    (CN_ZH, "apa", f"耿爽. (2021, May 25). 例行记者会. 中华人民共和国外交部. {OFFICIAL} ({A2})\n"
                   f"In text: (耿爽, 2021, para. 2)"),
    (KR, "csl:modern-language-association",
     f"Lim Soosuk. “Spokesperson's Regular Press Briefing (March 7, 2023).” Ministry of Foreign Affairs of the "
     f"Republic of Korea, 7 Mar. 2023, {KR['url']}. {KR_A2}.\n"
     f"In text: (Lim Soosuk, “Spokesperson's Regular Press Briefing (March 7, 2023),” par. 2)"),
    (KR, "csl:harvard-cite-them-right",
     f"Lim Soosuk (2023) Spokesperson's Regular Press Briefing (March 7, 2023), Ministry of Foreign Affairs of the "
     f"Republic of Korea. Available at: {KR['url']} (Accessed: March 8, 2023). {KR_A2}.\n"
     f"In text: (Lim Soosuk, 2023, para. 2)"),
    (KR | {"speakers": ["임수석"], "ministry": "외교부"}, "csl:apa",
     f"임수석. (2023, March 7). Spokesperson's Regular Press Briefing (March 7, 2023). 외교부. {KR['url']} ({KR_A2})\n"
     f"In text: (임수석, 2023, para. 2)"),
])
def test_east_asian_names(statement, fmt, expected):
    assert cite(statement, fmt, BASE, 2) == expected


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
        f"  note = {{Archived copy, paragraph 3: \\url{{{ARCHIVED}\\#p3}}}},",
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
    assert json.loads(cite(CN, "csl-json", BASE))[0]["author"] == [
        {"family": "Wang", "given": "Wenbin", "static-ordering": True}]


@pytest.mark.parametrize("fmt", FORMATS + COMMON)
def test_every_format_has_the_required_fields(fmt):
    text = cite({**ST, "date": None}, fmt, BASE, 1)
    # LaTeX needs the anchor's # escaped inside \\url{} (parsed for real in test_citation_import.py)
    anchor = f"{ARCHIVED}\\#p1" if fmt == "bibtex" else f"{ARCHIVED}#p1"
    for needed in ("Price", "Department Press Briefing", OFFICIAL, anchor):
        assert needed in text
    assert "2022" in text  # the captured date, standing in for the missing publication date


def test_bad_requests():
    for fmt in ("harvard", "csl:no-such-style", "csl:../../etc/passwd", "csl:"):
        with pytest.raises(CitationError, match="csl:<style-id>|unknown citation style"):
            cite(ST, fmt, BASE)
    with pytest.raises(CitationError):
        cite(ST, "apa", BASE, 4)


ZH = {"id": "9c0ffee000000002", "url": "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1734605.shtml",
      "language": "zh", "title": "2020年1月21日外交部发言人耿爽主持例行记者会", "date": "2020-01-21T00:00:00+08:00"}
EN = {**ST, "id": "9c0ffee000000001", "url": "https://www.fmprc.gov.cn/mfa_eng/t1734624.shtml",
      "title": "Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on January 21, 2020",
      "ministry": "Ministry of Foreign Affairs of the People's Republic of China", "speakers": ["Geng Shuang"],
      "country": "CN", "date": "2020-01-21T00:00:00+08:00"}


def test_a_translation_is_cited_with_its_original():
    # the styles print the original's title at most ("Originally published as …"), never its address: the
    # archive's clause names both versions after the style's text
    assert cite(EN, "chicago", BASE, 2, original=ZH).splitlines()[0] == (
        "Note: Geng Shuang, “Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on January 21, "
        "2020,” Ministry of Foreign Affairs of the People's Republic of China, January 21, 2020, para. 2, "
        "https://www.fmprc.gov.cn/mfa_eng/t1734624.shtml. Archived copy, para. 2, captured January 3, 2022: "
        "https://archive.example/statements/9c0ffee000000001#p2; English translation as published; Chinese original: "
        "“2020年1月21日外交部发言人耿爽主持例行记者会,” https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1734605.shtml.")


@pytest.mark.parametrize("fmt", FORMATS + COMMON)
def test_every_format_names_both_versions(fmt):
    zh = {**EN, **ZH, "ministry": "中华人民共和国外交部", "speakers": ["耿爽"]}
    translation = {k: EN[k] for k in ("id", "url", "language", "title", "date")}
    for text in (cite(EN, fmt, BASE, 2, original=ZH), cite(zh, fmt, BASE, 2, translation=translation)):
        assert EN["url"] in text and ZH["url"] in text
        assert "English translation as published" in text.replace("\n", " ")
    # the translation is dated where it is the other version named
    assert "January 21, 2020, https://www.fmprc.gov.cn/mfa_eng" in cite(zh, "chicago", BASE, 2, translation=translation)
    assert "original" not in cite(EN, fmt, BASE, 2)
