"""Sources on small hand-written pages and feeds (tests/fixtures/us-state, cn-mfa-zh, cn-mfa-en)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from helpers import fixture

from archive.model import KINDS
from archive.sources import SOURCES, UnknownSource, get_source, source_for_url
from archive.sources.base import ExtractError, Page, Source
from archive.sources.sites.cn_mfa_zh import spokespeople
from archive.sources.sites.uk_fcdo import SEARCH_URL
from archive.sources.htmltext import paragraphs

FEED_URL = "https://www.state.gov/rss-feed/press-releases/feed/"
OLD_LIST = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default_1.shtml"
NEW_LIST = "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/index.shtml"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def state() -> Source:
    return get_source("us-state")


@pytest.fixture(scope="module")
def cn() -> Source:
    return get_source("cn-mfa-zh")


@pytest.fixture(scope="module")
def feed(state):
    return state.parse_listing(Page(url=FEED_URL, text=fixture("us-state/feed.xml"),
                                    fetched_at=datetime(2022, 6, 4, tzinfo=timezone.utc)))


# --- registry -------------------------------------------------------------------------------------------

def test_registry_ids_match_instances():
    assert {"cn-mfa-en", "cn-mfa-zh", "us-state"} <= set(SOURCES)
    assert list(SOURCES) == sorted(SOURCES)
    for source_id, source in SOURCES.items():
        assert source.id == source_id and get_source(source_id) is source
        assert source.ministry and source.country and source.language and source.start_urls and source.description


def test_unknown_source_lists_valid_ids_on_one_line():
    with pytest.raises(UnknownSource) as info:
        get_source("ru-mid")
    message = str(info.value)
    assert isinstance(info.value, KeyError)
    assert "ru-mid" in message and "cn-mfa-zh" in message and "us-state" in message and "\n" not in message


@pytest.mark.parametrize("url, source_id", [
    ("https://www.state.gov/yemen-national-day/", "us-state"),
    ("https://state.gov/rss-feed/press-releases/feed/", "us-state"),
    ("https://www.fmprc.gov.cn/web/zyxw/t1638430.shtml", "cn-mfa-zh"),
    ("https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/index.shtml", "cn-mfa-zh"),
    ("https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/index.html", "cn-mfa-en"),
    ("https://www.mfa.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1635100.shtml", "cn-mfa-en"),
    ("https://ministry.example/news/1/", None),
    ("https://evil.example/www.state.gov/", None),
])
def test_source_for_url_goes_by_host(url, source_id):
    found = source_for_url(url)
    assert (found.id if found else None) == source_id


def test_new_sources_are_registered():
    assert {"uk-fcdo", "ru-mid-en", "ru-mid-ru"} <= set(SOURCES)
    assert (get_source("ru-mid-en").language, get_source("ru-mid-ru").language) == ("en", "ru")
    assert get_source("ru-mid-ru").start_urls == (
        "https://mid.ru/ru/press_service/spokesman/briefings/", "https://mid.ru/ru/foreign_policy/news/")
    assert get_source("uk-fcdo").start_urls == (SEARCH_URL,)


@pytest.mark.parametrize("url, source_id", [
    ("https://www.gov.uk/api/content/government/news/x", "uk-fcdo"),
    ("https://mid.ru/en/foreign_policy/news/1853001/", "ru-mid-en"),
    ("https://www.mid.ru/ru/press_service/spokesman/briefings/", "ru-mid-ru"),
    ("https://mid.ru/de/foreign_policy/news/1853001/", None),
])
def test_one_host_two_languages(url, source_id):
    found = source_for_url(url)
    assert (found.id if found else None) == source_id


# --- U.S. Department of State ---------------------------------------------------------------------------

def test_state_only_the_feed_is_a_listing(state):
    assert state.is_listing(FEED_URL)
    assert state.is_listing(FEED_URL.rstrip("/"))
    assert not state.is_listing("https://www.state.gov/yemen-national-day/")
    assert not state.is_listing("https://example.org/rss-feed/press-releases/feed/")


def test_state_feed_items_are_whole_statements(feed):
    assert feed.links == [] and feed.next_pages == []
    assert [s.title for s in feed.statements] == [
        "Department Press Briefing – June 1, 2021",
        "Secretary Blinken’s Call with Ukrainian Foreign Minister Kuleba",
        "Secretary Antony J. Blinken And Ukrainian Foreign Minister Dmytro Kuleba At a Joint Press Availability",
        "Yemen National Day",
        "Secretary Blinken’s Call with Ukrainian Foreign Minister Kuleba",
    ]
    assert [s.kind for s in feed.statements] == ["press-conference", "readout", "press-conference", "statement",
                                                 "readout"]
    briefing = feed.statements[0]
    assert briefing.source == "us-state" and briefing.country == "US" and briefing.language == "en"
    assert briefing.ministry == "U.S. Department of State"
    assert briefing.url == "https://www.state.gov/briefings/department-press-briefing-june-1-2021/"
    assert briefing.guid == "https://www.state.gov/?post_type=state_briefing&p=100001"
    assert briefing.date == datetime(2021, 6, 1, 21, 35, 10, tzinfo=timezone.utc)
    assert briefing.speakers == ["Ned Price, Department Spokesperson"]
    assert briefing.fetched_at == datetime(2022, 6, 4, tzinfo=timezone.utc)


def test_state_date_keeps_the_feed_offset(feed):
    date = feed.statements[2].date
    assert date.utcoffset() == timedelta(hours=-4) and date.hour == 10


def test_state_paragraphs_drop_byline_scripts_and_end_marks(feed):
    briefing, call, joint, day, _ = feed.statements
    assert briefing.paragraphs == ["Washington, D.C.", "MR PRICE: Good afternoon, everyone.",
                                   "QUESTION: Thank you, Ned.", "(The briefing was concluded at 3:02 p.m.)"]
    assert call.paragraphs == ["The below is attributable to Spokesperson Ned Price:",
                               "Secretary of State Antony J. Blinken spoke today with Ukrainian Foreign Minister "
                               "Dmytro Kuleba."]
    assert joint.paragraphs == ["Kyiv, Ukraine", "SECRETARY BLINKEN: Good afternoon."]
    assert joint.speakers == ["Antony J. Blinken, Secretary of State, Dmytro Kuleba, Ukrainian Foreign Minister"]
    for s in feed.statements:
        assert not any("jQuery" in p or "function(" in p or "window." in p for p in s.paragraphs)


def test_state_description_is_the_fallback_body(feed):
    assert feed.statements[3].paragraphs == [
        "I offer best wishes to the people of Yemen on the occasion of your National Unity Day."]


def test_state_identity_is_the_guid_not_the_reused_url(feed):
    first, second = feed.statements[1], feed.statements[4]
    assert first.url == second.url
    assert first.id != second.id


def test_state_import_html_gives_the_feed_paragraphs(state, feed):
    html = ("<p>Office of the Spokesperson</p>\n<p>The below is attributable to Spokesperson Ned Price:</p>\n"
            "<p>Secretary of State Antony J. Blinken spoke today with Ukrainian Foreign Minister Dmytro Kuleba.</p>\n"
            "<div id=\"mail_footer\"></div>\n<p># # #</p>\n")
    assert state.paragraphs_from_html(html) == feed.statements[1].paragraphs


def test_state_byline_keeps_sentences_and_headings(state):
    html = ("<p>Office of the Spokesperson</p><p>Statement by Secretary of State Antony J. Blinken</p>"
            "<p>The Secretary spoke with the President.</p>")
    assert state.paragraphs_from_html(html) == ["Statement by Secretary of State Antony J. Blinken",
                                                "The Secretary spoke with the President."]


def test_state_entities_are_not_expanded(state):
    listing = state.parse_listing(Page(url=FEED_URL, text=fixture("us-state/feed-entities.xml")))
    [st] = listing.statements
    assert "EXPANDED" not in st.title and "EXPANDED" not in st.text
    assert st.paragraphs == ["The United States condemns the attack."]


def test_state_feed_whose_items_all_fail_is_an_error(state):
    with pytest.raises(ExtractError, match=r"us-state: none of the 2 feed items parsed.*no <title> or <link>"):
        state.parse_listing(Page(url=FEED_URL, text=fixture("us-state/feed-broken-items.xml")))


@pytest.mark.parametrize("text, message", [
    (fixture("us-state/not-a-feed.html"), r"not an RSS 2.0 feed \(root <html>\)"),
    ("<html><p>unclosed", r"not XML"),
    ('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>', r"no <item>"),
])
def test_state_non_feeds_are_errors(state, text, message):
    with pytest.raises(ExtractError, match=message):
        state.parse_listing(Page(url=FEED_URL, text=text))


def test_state_feed_may_start_with_blank_lines(state):
    listing = state.parse_listing(Page(url=FEED_URL, text="\n\n" + fixture("us-state/feed.xml")))
    assert len(listing.statements) == 5


@pytest.mark.parametrize("title, kind", [
    ("Department Press Briefing – June 17, 2021", "press-conference"),
    ("DEPARTMENT PRESS BRIEFING- JUNE 24, 2021", "press-conference"),
    ("Secretary Antony J. Blinken at a Press Availability", "press-conference"),
    ("Briefing with Senior State Department Officials On European Energy Security", "press-conference"),
    ("Special Envoy for the Northern Triangle Ricardo Zuniga On Release of the Section 353 Report", "press-conference"),
    ("Secretary Blinken to Participate in a Press Briefing on World Press Freedom Day", "statement"),
    ("Secretary Blinken’s Call with Israeli Defense Minister Gantz", "readout"),
    ("Deputy Secretary Sherman’s Meetings with Vietnamese Government Officials", "readout"),
    ("Counselor Chollet and Under Secretary Fernandez Meet with Bulgarian Energy Delegation", "readout"),
    ("Secretary Blinken’s Participation in the U.S.-ASEAN Foreign Ministers’ Meeting", "readout"),
    ("Secretary Antony J. Blinken And Israeli President Isaac Herzog Before Their Meeting", "remarks"),
    ("Secretary Antony J. Blinken At a Meeting with Ukrainian Civil Society", "remarks"),
    ("Secretary Antony J. Blinken Remarks to the Press En Route Melbourne, Australia", "remarks"),
    ("Secretary Antony J. Blinken and Palestinian Authority President Mahmoud Abbas Statements to the Press",
     "remarks"),
    ("Secretary Antony J. Blinken With Chris Wallace of Fox News Sunday", "interview"),
    ("Secretary Antony J. Blinken On CBS Face the Nation with Margaret Brennan", "interview"),
    ("Secretary Antony J. Blinken with Stephen Colbert", "interview"),
    ("Secretary Antony J. Blinken With EU High Representative Josep Borrell", "remarks"),
    ("Secretary Antony J. Blinken Keynote Remarks at the 52nd Annual Conference on the Americas Luncheon", "speech"),
    ("Secretary Blinken to Deliver Keynote Remarks at the 52nd Annual Washington Conference", "statement"),
    ("Violence and Threats to Free Speech in El Salvador", "statement"),
    ("Joint Statement on the U.S.-EU Energy Council", "statement"),
    ("On the Occasion of Eid al-Adha", "statement"),
    ("Yemen National Day", "statement"),
    ("Assistant Secretary Medina’s Travel to Fiji", "statement"),
    ("$100 Million in Additional U.S. Military Assistance for Ukraine", "statement"),
])
def test_state_kind_from_title(state, title, kind):
    assert state.kind_for(title) == kind


# --- China MFA, old template (verified) ------------------------------------------------------------------

@pytest.mark.parametrize("url, listing", [
    ("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default.shtml", True),
    ("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default_12.shtml", True),
    ("https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/index_3.shtml", True),
    ("https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/", True),
    ("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1839549.shtml", False),
    ("https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/202312/t20231229_11214473.shtml", False),
    ("https://www.state.gov/index.shtml", False),
])
def test_cn_is_listing(cn, url, listing):
    assert cn.is_listing(url) is listing


def test_cn_old_listing_links_and_next_page(cn):
    listing = cn.parse_listing(Page(url=OLD_LIST, text=fixture("cn-mfa-zh/old-listing.shtml")))
    assert [link.url for link in listing.links] == [
        "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1839549.shtml",
        "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1838594.shtml",
        "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1813946.shtml",
    ]
    assert listing.links[0].title == "2020年12月11日外交部发言人华春莹主持例行记者会"
    assert [link.date for link in listing.links] == [datetime(2020, 12, 11, tzinfo=SHANGHAI),
                                                     datetime(2020, 12, 8, tzinfo=SHANGHAI),
                                                     datetime(2020, 7, 2, tzinfo=SHANGHAI)]
    assert listing.next_pages == ["https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default_2.shtml"]
    assert listing.statements == []


def test_cn_old_listing_last_page_has_no_next(cn):
    text = fixture("cn-mfa-zh/old-listing.shtml").replace("var currentPage = 1;", "var currentPage = 2;")
    assert cn.parse_listing(Page(url=OLD_LIST, text=text)).next_pages == []


def test_cn_old_article(cn):
    url = "https://www.fmprc.gov.cn/web/zyxw/t1810000.shtml"
    st = cn.parse_article(Page(url=url, text=fixture("cn-mfa-zh/old-article.shtml")))
    assert st.title == "王毅会见德国外长"
    assert st.date == datetime(2020, 8, 31, tzinfo=SHANGHAI)
    assert st.url == url and st.guid is None
    assert st.kind == "readout" and st.speakers == []
    assert st.source == "cn-mfa-zh" and st.country == "CN" and st.language == "zh"
    assert st.paragraphs == [
        "2020年8月31日，国务委员兼外长王毅在柏林会见德国外长。",
        "王毅表示，中德双方要加强沟通。",
        "携手应对全球性挑战",
        "德方表示，愿同中方深化合作。",
    ]


def test_cn_body_html_fragment_gives_the_same_paragraphs(cn):
    html = ('<p align="center"><img src="a.jpg"></p><p align="center">王毅会见德国外长。</p>'
            "<p>　　王毅表示，中德双方要加强沟通。</p>")
    assert cn.paragraphs_from_html(html) == ["王毅表示，中德双方要加强沟通。"]


def test_cn_article_without_selectors_names_them(cn):
    url = "https://www.fmprc.gov.cn/web/zyxw/t1.shtml"
    with pytest.raises(ExtractError, match=r"cn-mfa-zh: no title \(#News_Body_Title, \.news-title h1.*\) on "
                                           + url.replace(".", r"\.")):
        cn.parse_article(Page(url=url, text=fixture("cn-mfa-zh/not-an-article.html")))


def test_cn_article_without_body_or_text_is_an_error(cn):
    url = "https://www.fmprc.gov.cn/web/zyxw/t1810000.shtml"
    text = fixture("cn-mfa-zh/old-article.shtml")
    with pytest.raises(ExtractError, match=r"no body \(#News_Body_Txt_A, \.news-main\)"):
        cn.parse_article(Page(url=url, text=text.replace('id="News_Body_Txt_A"', 'id="other"')))
    start, end = text.index('<div id="News_Body_Txt_A"'), text.index('<div class="news" id="relnews_list"')
    images_only = text[:start] + '<div id="News_Body_Txt_A"><p><img src="x.jpg"></p></div>' + text[end:]
    with pytest.raises(ExtractError, match=r"no text paragraphs in the body \(#News_Body_Txt_A\)"):
        cn.parse_article(Page(url=url, text=images_only))


def test_cn_listing_without_items_is_an_error(cn):
    with pytest.raises(ExtractError, match=r"no listing items \(div\.rebox_news ul li, div\.newsBd ul\.list1 li\)"):
        cn.parse_listing(Page(url=OLD_LIST, text=fixture("cn-mfa-zh/not-an-article.html")))


# --- China MFA, current template (from SITE-NOTES.md, unverified) ----------------------------------------

def test_cn_current_listing(cn):
    listing = cn.parse_listing(Page(url=NEW_LIST, text=fixture("cn-mfa-zh/current-listing.shtml")))
    base = "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/"
    assert [link.url for link in listing.links] == [base + "202312/t20231229_11214473.shtml",
                                                    base + "202312/t20231228_11213810.shtml",
                                                    base + "202312/t20231227_11212885.shtml"]
    assert [link.date for link in listing.links] == [datetime(2023, 12, d, tzinfo=SHANGHAI) for d in (29, 28, 27)]
    assert listing.links[2].title == "外交部发言人就日方核污染水排海答记者问"
    assert listing.next_pages == [base + "index_1.shtml"]


def test_cn_current_listing_last_page(cn):
    text = fixture("cn-mfa-zh/current-listing.shtml").replace("createPageHTML(29, 0,", "createPageHTML(29, 28,")
    assert cn.parse_listing(Page(url=NEW_LIST, text=text)).next_pages == []


def test_cn_current_article(cn):
    url = "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/202312/t20231229_11214473.shtml"
    st = cn.parse_article(Page(url=url, text=fixture("cn-mfa-zh/current-article.shtml")))
    assert st.title == "2023年12月29日外交部发言人汪文斌主持例行记者会"
    assert st.date == datetime(2023, 12, 29, 18, 5, tzinfo=SHANGHAI)
    assert st.kind == "press-conference" and st.speakers == ["汪文斌"]
    assert st.paragraphs == ["法新社记者：中方对此有何评论？", "汪文斌：中方的立场是一贯的、明确的。"]


def test_cn_current_article_falls_back_to_meta_title_and_url_date(cn):
    url = "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202310/t20231022_11165432.shtml"
    text = fixture("cn-mfa-zh/current-article-meta.shtml")
    st = cn.parse_article(Page(url=url, text=text))
    assert st.title == "外交部发言人毛宁就菲律宾船只侵闯仁爱礁答记者问"
    assert st.date == datetime(2023, 10, 22, 21, 30, tzinfo=SHANGHAI)
    assert st.kind == "remarks" and st.speakers == ["毛宁"]
    assert st.paragraphs == ["问：据报道，菲律宾船只侵闯仁爱礁。中方对此有何回应？", "答：中方已向菲方提出严正交涉。"]

    bare = "\n".join(line for line in text.splitlines() if "<meta name=" not in line)
    st = cn.parse_article(Page(url=url, text=bare))
    assert st.title == "外交部发言人毛宁就菲律宾船只侵闯仁爱礁答记者问"
    assert st.date == datetime(2023, 10, 22, tzinfo=SHANGHAI)


@pytest.mark.parametrize("title, kind, speakers", [
    ("2019年2月1日外交部发言人耿爽主持例行记者会", "press-conference", ["耿爽"]),
    ("2020年2月3日外交部发言人华春莹主持网上例行记者会", "press-conference", ["华春莹"]),
    ("外交部发言人耿爽就美国前总统乔治·布什逝世答记者问", "remarks", ["耿爽"]),
    ("外交部发言人耿爽9月12日答记者问", "remarks", ["耿爽"]),
    ("外交部发言人陆慷就布基纳法索政府发表声明决定同台湾“断交”答记者问", "remarks", ["陆慷"]),
    ("外交部发言人答记者问", "remarks", []),
    ("外交部发言人就全国人大常委会审议通过香港国安法发表谈话", "statement", []),
    ("外交部发言人汪文斌就美国领导人联大涉华讲话发表谈话", "statement", ["汪文斌"]),
    ("中华人民共和国和俄罗斯联邦联合声明", "statement", []),
    ("王毅同德国外长马斯通电话", "readout", []),
    ("德国总理默克尔会见杨洁篪", "readout", []),
    ("杨洁篪出席第55届慕尼黑安全会议并发表主旨演讲", "speech", []),
    ("驻欧盟大使夫人蔡潇丽接受欧盟媒体采访介绍中国妇女事业发展", "interview", []),
    ("中国政府向塞尔维亚派遣抗疫医疗专家组", "other", []),
])
def test_cn_kind_and_speaker_from_title(cn, title, kind, speakers):
    assert cn.kind_for(title) == kind and kind in KINDS
    assert spokespeople(title) == speakers


# --- China MFA, English (from SITE-NOTES.md and the Chinese old template, unverified) ---------------------

EN_LIST = "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/index.html"
EN_OLD_LIST = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"


@pytest.fixture(scope="module")
def en() -> Source:
    return get_source("cn-mfa-en")


def test_en_source_fields(en):
    assert (en.language, en.country, en.timezone) == ("en", "CN", SHANGHAI)
    assert en.ministry == "Ministry of Foreign Affairs of the People's Republic of China"
    assert en.start_urls == (EN_LIST, EN_OLD_LIST)
    assert all(en.is_listing(url) for url in en.start_urls)
    assert not en.is_listing("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default.shtml")
    assert not en.is_listing("https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202403/t20240305_11254061.html")


def test_en_current_listing(en):
    listing = en.parse_listing(Page(url=EN_LIST, text=fixture("cn-mfa-en/current-listing.html")))
    base = "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/"
    assert [link.url for link in listing.links] == [base + "202403/t20240305_11254061.html",
                                                    base + "202403/t20240304_11253567.html"]
    assert [link.date for link in listing.links] == [datetime(2024, 3, d, tzinfo=SHANGHAI) for d in (5, 4)]
    assert listing.links[0].title.endswith("Mao Ning's Regular Press Conference on March 5, 2024")
    assert listing.next_pages == [base + "index_1.html"]


def test_en_old_listing(en):
    listing = en.parse_listing(Page(url=EN_OLD_LIST, text=fixture("cn-mfa-en/old-listing.shtml")))
    assert [link.url for link in listing.links] == [EN_OLD_LIST + "t1839601.shtml", EN_OLD_LIST + "t1635100.shtml"]
    assert listing.links[1].date == datetime(2019, 2, 1, tzinfo=SHANGHAI)
    assert listing.next_pages == [EN_OLD_LIST + "default_1.shtml"]


def test_en_current_article(en):
    url = "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202403/t20240305_11254061.html"
    st = en.parse_article(Page(url=url, text=fixture("cn-mfa-en/current-article.html")))
    assert st.title == "Foreign Ministry Spokesperson Mao Ning's Regular Press Conference on March 5, 2024"
    assert st.date == datetime(2024, 3, 5, 19, 30, tzinfo=SHANGHAI)
    assert st.kind == "press-conference" and st.speakers == ["Mao Ning"]
    assert st.source == "cn-mfa-en" and st.language == "en" and st.country == "CN"
    assert st.paragraphs[0].startswith("At the invitation of Foreign Minister Wang Yi")
    assert st.paragraphs[-1] == "Mao Ning: The report is groundless."
    assert not any("Share" in p or "Print" in p for p in st.paragraphs)


def test_en_old_article(en):
    url = EN_OLD_LIST + "t1635100.shtml"
    st = en.parse_article(Page(url=url, text=fixture("cn-mfa-en/old-article.shtml")))
    assert st.title == "Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on February 1, 2019"
    assert st.date == datetime(2019, 2, 1, tzinfo=SHANGHAI)
    assert st.paragraphs[0] == "Q: Can you give us more details about the visit?" and len(st.paragraphs) == 4


def test_en_article_without_selectors_names_them(en):
    with pytest.raises(ExtractError, match=r"cn-mfa-en: no title \(#News_Body_Title, \.content_mod h2\.title"):
        en.parse_article(Page(url=EN_OLD_LIST + "t1.shtml", text=fixture("cn-mfa-zh/not-an-article.html")))
    with pytest.raises(ExtractError, match=r"no listing items \(div\.rebox_news ul li, \.newsLst_mod a\)"):
        en.parse_listing(Page(url=EN_LIST, text=fixture("cn-mfa-zh/not-an-article.html")))


@pytest.mark.parametrize("title, kind, speakers", [
    ("Foreign Ministry Spokesperson Mao Ning's Regular Press Conference on March 5, 2024", "press-conference",
     ["Mao Ning"]),
    ("Foreign Ministry Spokesperson Hua Chunying’s Regular Press Conference on December 11, 2020",
     "press-conference", ["Hua Chunying"]),
    ("Foreign Ministry Spokesperson Wang Wenbin's Remarks on the Statement by the G7", "remarks", ["Wang Wenbin"]),
    ("Foreign Ministry Spokesperson Geng Shuang Answers a Journalist's Question About the Visit", "remarks",
     ["Geng Shuang"]),
    ("Foreign Ministry Spokesperson's Remarks on the Situation in Gaza", "remarks", []),
    ("Statement of the Ministry of Foreign Affairs on the Sanctions", "statement", []),
    ("Wang Yi Holds Talks with German Foreign Minister", "readout", []),
    ("Wang Yi Meets with the Secretary-General of ASEAN", "readout", []),
    ("Keynote Speech by Wang Yi at the Munich Security Conference", "speech", []),
    ("Ambassador Gives an Interview to Reuters", "interview", []),
    ("China Sends Medical Experts to Serbia", "other", []),
])
def test_en_kind_and_speaker_from_title(en, title, kind, speakers):
    assert en.kind_for(title) == kind and en.spokespeople(title) == speakers


# --- shared text rules ----------------------------------------------------------------------------------

def test_wordless_separators_are_not_paragraphs():
    assert paragraphs("<p>One.</p><p># # #</p><p>* * *</p><p>—</p><p>Two.</p>") == ["One.", "Two."]
