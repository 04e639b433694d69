"""Transcripts split into turns, on hand-written fixtures: State briefings, China MFA in Chinese and English."""
from __future__ import annotations

import pytest
from helpers import fixture

from archive.model import Turn
from archive.sources import get_source
from archive.sources.base import Page

BRIEFING = "Department Press Briefing – June 1, 2021"
ZH_BRIEFING = "2020年12月11日外交部发言人华春莹主持例行记者会"
EN_BRIEFING = "Foreign Ministry Spokesperson Mao Ning's Regular Press Conference on March 5, 2024"


def spans(turns: list[Turn]) -> list[tuple[str, str, int, int]]:
    return [(t.speaker, t.role, t.start, t.end) for t in turns]


@pytest.fixture(scope="module")
def state():
    return get_source("us-state")


@pytest.fixture(scope="module")
def zh():
    return get_source("cn-mfa-zh")


@pytest.fixture(scope="module")
def en():
    return get_source("cn-mfa-en")


# --- U.S. Department of State ---------------------------------------------------------------------------

def test_state_feed_briefing_has_turns(state):
    feed = state.parse_listing(Page(url=state.start_urls[0], text=fixture("us-state/feed.xml")))
    briefing, call, joint, *_ = feed.statements
    assert spans(briefing.turns) == [("MR PRICE", "spokesperson", 1, 2), ("question", "question", 2, 4)]
    # a readout has no turns; one speaker alone is no dialogue
    assert call.turns == [] and joint.turns == []


def test_state_roles_of_labels(state):
    text = ["Washington, D.C.", "2:02 p.m. EDT",
            "MS PORTER: Good afternoon.", "We have a guest today.",
            "AMBASSADOR CARPENTER: Thank you.",
            "QUESTION: Ambassador, a question.",
            "OPERATOR: Your line is open.",
            "MODERATOR: Next question.",
            "MR. PRICE: Thanks.", "MR PRICE: And one more thing.",
            "PARTICIPANT: Yes."]
    assert spans(state.turns_for(BRIEFING, text)) == [
        ("MS PORTER", "spokesperson", 2, 4), ("AMBASSADOR CARPENTER", "official", 4, 5),
        ("question", "question", 5, 6), ("OPERATOR", "moderator", 6, 7), ("MODERATOR", "moderator", 7, 8),
        ("MR PRICE", "spokesperson", 8, 10), ("PARTICIPANT", "question", 10, 11)]


def test_state_spokesperson_named_by_the_creator(state):
    text = ["MR PATEL: Good afternoon.", "QUESTION: Thank you."]
    assert spans(state.turns_for(BRIEFING, text))[0] == ("MR PATEL", "official", 0, 1)
    assert spans(state.turns_for(BRIEFING, text, ["Vedant Patel, Principal Deputy Spokesperson"]))[0] \
        == ("MR PATEL", "spokesperson", 0, 1)
    assert spans(state.turns_for(BRIEFING, text, ["Office of the Spokesperson"]))[0] == ("MR PATEL", "official", 0, 1)


@pytest.mark.parametrize("paragraph", [
    "Moderator: Thank you.",  # mixed case
    "The Secretary said: we will act.",  # a sentence
    "NOTE TO EDITORS AND ALL THOSE WHO FOLLOW THIS: none.",  # too many words
    "(The briefing was concluded at 3:02 p.m.)",
    "2:02 p.m. EDT",
])
def test_state_labels_are_strict(state, paragraph):
    assert state.turns_for(BRIEFING, ["MR PRICE: Hello.", paragraph, "QUESTION: Hi."]) == [
        Turn("MR PRICE", "spokesperson", 0, 2), Turn("question", "question", 2, 3)]


def test_state_turns_only_on_transcripts(state):
    labels = ["VESSEL NAME: Example", "VESSEL FLAG: Panama"]
    assert state.turns_for("Sanctions on Vessels", labels) == []
    assert state.turns_for("Secretary Antony J. Blinken With Chris Wallace of Fox News Sunday",
                           ["QUESTION: Welcome.", "SECRETARY BLINKEN: Thanks."]) != []


def test_state_import_gives_the_feed_turns(state):
    html = ("<p>Washington, D.C.</p><p><strong>MR PRICE:</strong> Good afternoon, everyone.</p>"
            "<p><strong>QUESTION:</strong> Thank you, Ned.</p><p>(The briefing was concluded at 3:02 p.m.)</p>")
    feed = state.parse_listing(Page(url=state.start_urls[0], text=fixture("us-state/feed.xml")))
    assert state.turns_for(BRIEFING, state.paragraphs_from_html(html)) == feed.statements[0].turns


# --- China MFA: press conferences of both templates, Chinese and English (the English ones unverified) ---

ZH_OLD = "https://www.fmprc.gov.cn/web/fyrbt_673021/jzhsl_673025/t1839549.shtml"
ZH_NEW = "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/202312/t20231229_11214473.shtml"
EN_NEW = "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202403/t20240305_11254061.html"
EN_OLD = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1635100.shtml"


def qa(spokesperson: str, paragraphs: int, *askers: tuple[str, int, int]) -> list[tuple[str, str, int, int]]:
    """Questions (asker, start, end), each answered by the spokesperson up to the next one or the last paragraph."""
    ends = [start for _, start, _ in askers[1:]] + [paragraphs]
    return [turn for (asker, start, end), answered in zip(askers, ends)
            for turn in ((asker, "question", start, end), (spokesperson, "spokesperson", end, answered))]


@pytest.mark.parametrize("source_id, url, page, expected", [
    # an answer's "我想强调三点：" opens no turn; "追问" is asked by the outlet before
    ("cn-mfa-zh", ZH_OLD, "cn-mfa-zh/old-press-conference.shtml",
     qa("华春莹", 10, ("question", 1, 2), ("彭博社", 4, 5), ("彭博社", 6, 7), ("总台央视", 8, 9))),
    ("cn-mfa-zh", ZH_NEW, "cn-mfa-zh/current-article.shtml", qa("汪文斌", 2, ("法新社", 0, 1))),
    ("cn-mfa-en", EN_NEW, "cn-mfa-en/current-article.html",
     qa("Mao Ning", 10, ("CCTV", 1, 2), ("Reuters", 4, 5), ("Reuters", 6, 7), ("Global Times", 8, 9))),
    ("cn-mfa-en", EN_OLD, "cn-mfa-en/old-article.shtml", qa("Geng Shuang", 4, ("question", 0, 1), ("question", 2, 3))),
])
def test_press_conference_turns(source_id, url, page, expected):
    st = get_source(source_id).parse_article(Page(url=url, text=fixture(page)))
    assert st.kind == "press-conference" and spans(st.turns) == expected


# --- China MFA, Chinese ---------------------------------------------------------------------------------

def test_zh_remarks_answer_is_the_spokesperson_of_the_title(zh):
    url = "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202310/t20231022_11165432.shtml"
    st = zh.parse_article(Page(url=url, text=fixture("cn-mfa-zh/current-article-meta.shtml")))
    assert spans(st.turns) == [("question", "question", 0, 1), ("毛宁", "spokesperson", 1, 2)]
    assert spans(zh.turns_for("外交部发言人答记者问", ["问：有何评论？", "答：我们注意到了。"]))[1] \
        == ("spokesperson", "spokesperson", 1, 2)


def test_zh_host_and_outlets_without_journalist(zh):
    text = ["主持人：现在开始提问。", "路透社：中方有何回应？", "华春莹：请你向主管部门询问。", "NHK：还有一个问题。"]
    assert spans(zh.turns_for(ZH_BRIEFING, text)) == [
        ("主持人", "moderator", 0, 1), ("路透社", "question", 1, 2), ("华春莹", "spokesperson", 2, 3),
        ("NHK", "question", 3, 4)]


def test_zh_no_turns_outside_press_conferences(zh):
    assert zh.turns_for("王毅会见德国外长", ["问：有何评论？", "答：我们注意到了。"]) == []


# --- China MFA, English (templates unverified) ----------------------------------------------------------

def test_en_labels_are_short_capitalised_names(en):
    text = ["Shenzhen TV: A question.", "Mao Ning: An answer.", "Let me stress: this is wrong.",
            "China's position is consistent: no.", "Associated Press of Pakistan: Another question.",
            "Follow-up: And then?"]
    assert spans(en.turns_for(EN_BRIEFING, text)) == [
        ("Shenzhen TV", "question", 0, 1), ("Mao Ning", "spokesperson", 1, 4),
        ("Associated Press of Pakistan", "question", 4, 6)]


def test_en_follow_up_without_a_question_before(en):
    assert spans(en.turns_for(EN_BRIEFING, ["Follow-up: Why?", "Mao Ning: Because."])) == [
        ("question", "question", 0, 1), ("Mao Ning", "spokesperson", 1, 2)]


def test_zh_asking_labels_name_the_outlet(zh):
    # as the real 2017–2020 transcripts print them
    text = ["路透社记者提问：第一个问题？", "华春莹：回答。", "彭博社记者追问：还有？", "华春莹：再答。", "追问二：那么？",
            "华春莹：三答。", "记者澄清：我是说……", "耿爽：我明白。", "请问蓬佩奥先生：这是一句反问。"]
    assert spans(zh.turns_for(ZH_BRIEFING, text)) == [
        ("路透社", "question", 0, 1), ("华春莹", "spokesperson", 1, 2), ("彭博社", "question", 2, 3),
        ("华春莹", "spokesperson", 3, 4), ("彭博社", "question", 4, 5), ("华春莹", "spokesperson", 5, 6),
        ("question", "question", 6, 7), ("耿爽", "spokesperson", 7, 9)]


def test_zh_questions_after_the_conference_past_the_asterisks(zh):
    html = """<html><body><div id="News_Body_Title">%s</div><div id="News_Body_Txt_A">
<p>问：会上的问题？</p><p>华春莹：回答。</p><p>　　***********</p>
<p>会后有记者问及：会后的问题？</p><p>华春莹：会后的回答。</p></div></body></html>""" % ZH_BRIEFING
    st = zh.parse_article(Page(url="https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1.shtml", text=html))
    assert st.paragraphs[2] == "会后有记者问及：会后的问题？"
    assert spans(st.turns) == [("question", "question", 0, 1), ("华春莹", "spokesperson", 1, 2),
                               ("question", "question", 2, 3), ("华春莹", "spokesperson", 3, 4)]


def test_en_daily_briefing_and_journalist_clarifies(en):
    title = "Foreign Ministry Spokesperson Geng Shuang's Daily Briefing Online on February 17, 2020"
    text = ["Q: Why?", "A: Because.", "Journalist clarifies: I meant the other one.", "Hua chunying: I see."]
    assert en.kind_for(title) == "press-conference"
    assert spans(en.turns_for(title, text)) == [
        ("question", "question", 0, 1), ("Geng Shuang", "spokesperson", 1, 2), ("question", "question", 2, 3),
        ("Hua Chunying", "spokesperson", 3, 4)]
