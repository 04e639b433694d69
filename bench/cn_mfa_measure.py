"""How cn-mfa-en and cn-mfa-zh read every real China MFA page in ../shared/corpus: per field, how many pages
come out right, and the first few that do not. Run: python bench/cn_mfa_measure.py [--show N]."""
from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from archive.fetch.decode import decode_body
from archive.sources import source_for_url
from archive.sources.base import Page

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ZH_NAMES = {"耿爽", "华春莹", "陆慷", "赵立坚", "汪文斌", "毛宁", "林剑"}
EN_NAMES = {"Geng Shuang", "Hua Chunying", "Lu Kang", "Zhao Lijian", "Wang Wenbin", "Mao Ning", "Lin Jian"}
# what the page itself prints as its date, by template: the truth a parse is checked against
PRINTED = (re.compile(r'id="News_Body_Time"[^>]*>\s*(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)'),
           re.compile(r'<p class="time">\s*<span>\s*(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)'))
EN_TITLE_DATE = re.compile(r"on ([A-Z][a-z]+) ?(\d{1,2}), (\d{4})")
# "... on September 10": the title gives the day, the page's photos (named by their upload day) the year
EN_TITLE_DAY = re.compile(r"on ([A-Z][a-z]+) ?(\d{1,2})$")
UPLOAD_YEAR = re.compile(r"/W0(\d{4})\d{4}\d{6,}\.\w+")
# paragraphs a reader sees as a journalist taking the floor, however the page labels it
ASKS = re.compile(r"^(?:[^，。：:]{0,20}(?:记者|社|台|报)(?:提问|追问)?|问|追问[一二三]?|会后有[^，。：:]*问及[^，。：:]*|记者(?:澄清|解释)"
                  r"|Q|Follow-up|(?:The )?[Jj]ournalist [a-z]+)[：:]")
MONTHS = "January February March April May June July August September October November December".split()


def china_pages():
    for line in (CORPUS / "manifest.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        if rec["site"] in ("www.fmprc.gov.cn", "www.mfa.gov.cn") and rec["kind"] == "article":
            yield rec


def expected_date(text: str, title: str, en: bool) -> str | None:
    for rx in PRINTED:
        if m := rx.search(text):
            return m[1]
    if en and (m := EN_TITLE_DATE.search(title)):
        return f"{m[3]}-{MONTHS.index(m[1]) + 1:02d}-{int(m[2]):02d}"
    if en and (m := EN_TITLE_DAY.search(title)) and (year := UPLOAD_YEAR.search(text)):
        return f"{year[1]}-{MONTHS.index(m[1]) + 1:02d}-{int(m[2]):02d}"
    return None


def main(show: int = 3):
    bad = defaultdict(list)
    total = Counter()
    dated = Counter()
    missed = Counter()
    for rec in china_pages():
        text = decode_body((CORPUS / rec["path"]).read_bytes(), None)[0]
        source = source_for_url(rec["url"])
        group = f"{source.id}"
        total[group] += 1
        try:
            st = source.parse_article(Page(url=rec["url"], text=text))
        except Exception as e:  # noqa: BLE001 - a measurement counts every failure
            bad[(group, "parses")].append(f"{rec['url']}: {e}")
            continue
        en = source.id == "cn-mfa-en"
        want = expected_date(text, st.title, en)
        got = st.date.strftime("%Y-%m-%d %H:%M" if want and " " in want else "%Y-%m-%d") if st.date else None
        dated[st.date_source] += 1
        checks = {
            "title": bool(st.title) and "_" not in st.title and "<br" not in st.title,
            "date": got == want and want is not None,
            # a spokesperson's remarks may name nobody ("外交部发言人就…答记者问"); a conference always names one
            "speaker": set(st.speakers) <= (EN_NAMES if en else ZH_NAMES),
            "paragraphs": bool(st.paragraphs) and not any(p.startswith("相关链接") for p in st.paragraphs),
        }
        conference = ("Press Conference" in st.title or "Briefing" in st.title) if en else "例行记者会" in st.title
        if conference:
            checks["kind"] = st.kind == "press-conference"
            checks["speaker"] = len(st.speakers) == 1 and set(st.speakers) <= (EN_NAMES if en else ZH_NAMES)
            roles = Counter(t.role for t in st.turns)
            asking = {i for t in st.turns if t.role == "question" for i in range(t.start, t.end)}
            for i, p in enumerate(st.paragraphs):
                if ASKS.match(p):
                    total[group + " question paragraphs"] += 1
                    missed[group] += i not in asking
            checks["turns"] = roles["question"] > 0 and roles["spokesperson"] > 0 and not any(
                st.paragraphs[t.start].startswith("相关链接") for t in st.turns)
            total[group + " conferences"] += 1
        for field, ok in checks.items():
            key = (group + (" conferences" if field in ("kind", "turns") or conference and field == "speaker" else ""), field)
            if not ok:
                bad[key].append(f"{rec['url']}: {st.title[:60]!r} date={got} want={want} "
                                f"speakers={st.speakers} turns={len(st.turns)}")
    print("date from:", dict(dated))
    for group in ("cn-mfa-en", "cn-mfa-zh"):
        print(f"{group}: question paragraphs not in a question turn: {missed[group]} of "
              f"{total[group + ' question paragraphs']}")
    for group in sorted(g for g in total if not g.endswith("paragraphs")):
        fields = ("kind", "speaker", "turns") if group.endswith("conferences") else ("parses", "title", "date", "speaker",
                                                                            "paragraphs")
        print(f"{group}: {total[group]} pages")
        for field in fields:
            wrong = bad[(group, field)]
            print(f"  {field:10} right {total[group] - len(wrong):5} / {total[group]}")
            for line in wrong[:show]:
                print("     ", line)


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 3)
