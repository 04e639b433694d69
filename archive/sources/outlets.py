"""News outlets as transcripts name their reporters: one canonical name for "路透社", "Reuters" and "Reuters TV".

A question label is folded before it is compared: NFKC, case, brackets and quotes (《环球时报》), spaces and
punctuation, a leading "The", a trailing "记者" / "journalist" / "reporter" / "correspondent", "News Agency" or
"News", and "通讯社" read as "社" (俄罗斯卫星通讯社 is 俄罗斯卫星社). A country's name before an outlet the table
knows is dropped ("日本共同社" is 共同社, "英国《金融时报》" is the Financial Times), the names coming from CLDR.
What still differs across languages or by abbreviation is in `_TABLE`, which holds only names seen in the China
MFA's transcripts (../shared/corpus, counted in docs/outlets.md). An outlet the table lacks keeps its label,
cleaned, as its name: the same spelling always folds to the same name.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# canonical name → the other ways the transcripts write it (folded as labels are, so any case or bracketing)
_TABLE: dict[str, tuple[str, ...]] = {
    "Reuters": ("路透社", "路透电视台", "Reuters TV"),
    "AFP": ("法新社", "Agence France-Presse"),
    "Bloomberg": ("彭博社",),
    "Associated Press": ("美联社", "AP"),
    "CCTV": ("总台央视", "中央广播电视总台央视", "央视", "中央电视台", "央视新闻", "总台央视新闻频道"),
    "CCTV-4": ("CCTV4", "总台央视中文国际频道", "央视中文国际频道", "总台中文国际频道", "总台华语环球节目中心",
               "总台央视华语环球节目中心", "总台华语环球中心", "总台华语中心"),
    "CGTN": ("总台CGTN", "中国国际电视台", "中国国际电视台CGTN"),
    "CRI": ("总台国广", "中央广播电视总台国广", "中国国际广播电台", "China Radio International"),
    "CNR": ("总台央广", "中央广播电视总台央广", "央广", "中央人民广播电台", "总台中国之声", "China National Radio"),
    "Xinhua": ("新华社", "Xinhua News Agency"),
    "China News Service": ("中新社", "中国新闻社", "CNS"),
    "Global Times": ("环球时报",),
    "The Paper": ("澎湃新闻",),
    "China Daily": ("中国日报",),
    "People's Daily": ("人民日报",),
    "Beijing Youth Daily": ("北京青年报",),
    "Beijing Daily": ("北京日报",),
    "Beijing Media Network": ("北京广播电视台", "北京广电", "北京电视台", "北京广播电台"),
    "Shenzhen TV": ("深圳卫视",),
    "Phoenix TV": ("凤凰卫视",),
    "Hubei Radio and Television": ("湖北广电", "湖北广播电视台", "湖北广播电视"),
    "China Review News": ("香港中评社", "中评社", "China Review News Agency", "Hong Kong Review News"),
    "Macau Monthly": ("澳门月刊",),
    "South China Morning Post": ("南华早报", "SCMP"),
    "Chinese Arabic TV": ("中阿卫视", "Chinese Arabic Television"),
    "TASS": ("塔斯社", "俄通塔斯社", "俄通—塔斯社"),
    # 今日俄罗斯 is "Russia Today": here the agency Rossiya Segodnya, whose wire is RIA Novosti, not the RT
    # channel: the English version of the same conference says "RIA Novosti" at all 11 such questions the
    # two languages align at (docs/outlets.md), and "RT" never
    "RIA Novosti": ("俄新社", "今日俄罗斯"),
    "Sputnik": ("俄罗斯卫星社",),
    "NHK": ("日本广播协会", "NHK电视台", "日本广播公司", "日本广播电视协会"),
    "Kyodo": ("共同社",),
    "Nikkei": ("日本经济新闻", "日本经济新闻社", "Nihon Keizai Shimbun"),
    "Fuji TV": ("富士电视台",),
    "TV Asahi": ("朝日电视台",),
    "TV Tokyo": ("东京电视台",),
    "TBS": ("东京广播公司",),
    "Nippon TV": ("日本电视网", "日本电视台"),
    "Yomiuri Shimbun": ("读卖新闻",),
    "Tokyo Shimbun": ("东京新闻",),
    "Yonhap": ("韩联社",),
    "KBS": ("韩国广播公司", "韩国广播电视台"),
    "MBC": ("韩国文化广播公司", "韩国文化电视台"),
    "JoongAng Ilbo": ("中央日报",),
    "PTI": ("印度报业托拉斯", "Press Trust of India"),
    "APP": ("巴通社", "巴基斯坦通讯社", "Associated Press of Pakistan"),
    "Antara": ("安塔拉通讯社", "印尼安塔拉通讯社", "印尼安塔拉"),
    "Anadolu": ("阿纳多卢通讯社", "阿纳多卢", "安纳多卢通讯社"),
    "TRT": ("土耳其广播电视总台", "土耳其国家广播电视总台", "土耳其广播电视台"),
    "MENA": ("中东通讯社", "中东社"),
    "Rudaw": ("如道媒体集团", "如道电视台", "如道"),
    "Al Jazeera": ("半岛电视台",),
    "IRNA": ("伊朗通讯社", "Islamic Republic News Agency"),
    "Ukrinform": ("乌克兰通讯社", "乌克兰国家通讯社"),
    "Khabar 24": ("哈萨克斯坦24KZ电视台", "哈萨克斯坦24KZ"),
    "BBC": ("英国广播公司",),
    "ITN": ("英国独立电视新闻", "英国独立电视台"),
    "Sky News": ("天空新闻", "天空新闻频道", "天空新闻台", "天空电视台", "天空新闻电视台"),
    "Financial Times": ("金融时报",),
    "The Daily Telegraph": ("每日电讯报",),
    "CNN": ("美国有线电视新闻网",),
    "NBC": ("美国全国广播公司",),
    "NPR": ("美国全国公共广播电台", "美国国家公共电台", "美国国家公共广播电台", "National Public Radio"),
    "The New York Times": ("纽约时报",),
    "The Wall Street Journal": ("华尔街日报",),
    "Feature Story News": ("美国专题新闻社", "FSN"),
    "MNI": ("国际市场新闻社",),
    "The Australian": ("澳大利亚人报",),
    "ABC Australia": ("澳大利亚广播公司", "Australian Broadcasting Corporation"),
    "The Globe and Mail": ("环球邮报",),
    "Prensa Latina": ("拉通社", "拉美社"),
    "EFE": ("埃菲社",),
    "De Telegraaf": ("电讯报", "荷兰电讯报"),
    "NRC Handelsblad": ("新鹿特丹商报", "新鹿特丹商业报"),
    "Helsingin Sanomat": ("赫尔辛基新闻", "赫尔辛基新闻报"),
    "SVT": ("瑞典电视台", "Swedish TV"),
    "Voice of Vietnam": ("越南之声",),
}

# several outlets asking together: "路透社、彭博社", "俄新社记者/法新社", "ITN&BBC"
_JOINT = re.compile(r"[、/／&＆]")
_BRACKETS = re.compile(r"[《》〈〉「」『』“”\"'‘’()（）\[\]]")
_DROP = re.compile(r"[\s\W_]+")
_LEADING = ("the",)
# what a label may end with beyond the outlet's name, longest first
_TRAILING = ("correspondent", "newsagency", "journalist", "reporter", "记者", "news")
# a label that names no outlet once these are gone: "Journalist", "外国记者", "Foreign Journalist"
_NO_OUTLET = {"", "foreign", "外国", "境外", "foreignmedia", "外媒"}


def fold(label: str) -> str:
    """The form labels are compared in: "《环球时报》记者" and "环球时报" fold alike, as do "Bloomberg News" and
    "Bloomberg"."""
    text = _DROP.sub("", _BRACKETS.sub("", unicodedata.normalize("NFKC", label)).casefold())
    text = text.replace("通讯社", "社")
    for word in _LEADING:
        if text.startswith(word) and len(text) > len(word):
            text = text[len(word):]
    changed = True
    while changed:
        changed = False
        for word in _TRAILING:
            if text.endswith(word):
                text, changed = text[:-len(word)], True
    return text


@lru_cache(maxsize=1)
def _known() -> dict[str, str]:
    known = {}
    for name, variants in _TABLE.items():
        for variant in (name, *variants):
            known[fold(variant)] = name
    return known


@lru_cache(maxsize=1)
def _countries() -> tuple[str, ...]:
    """Country names in the languages the labels are written in, longest first ("印度尼西亚" before "印度")."""
    from babel import Locale
    names = {fold(n) for lang in ("zh", "en") for n in Locale(lang).territories.values()}
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


def canonical(label: str) -> str | None:
    """The one name of the outlet a label names (one outlet), or None for a label naming no outlet
    ("Journalist", "外国记者", "俄罗斯记者")."""
    key = fold(label)
    known = _known()
    if key in known:
        return known[key]
    for country in _countries():
        if key.startswith(country):
            rest = key[len(country):]
            if rest in known:
                return known[rest]
            if rest in _NO_OUTLET:
                return None
    if key in _NO_OUTLET or key in _countries():
        return None
    return _cleaned(label)


def outlets_of(label: str) -> list[str]:
    """The outlets a question label names: usually one, several when they asked together ("路透社、彭博社"; and
    "英国独立电视台和英国广播公司" when each side of the "和" is an outlet the table knows)."""
    parts = _JOINT.split(label)
    if len(parts) == 1 and "和" in label:
        sides = label.split("和")
        if all(canonical(side) in _TABLE for side in sides):
            parts = sides
    found = (canonical(part) for part in parts)
    return list(dict.fromkeys(name for name in found if name))


def _cleaned(label: str) -> str:
    # the label as shown for an outlet the table lacks: as published, without brackets and "记者"
    text = " ".join(_BRACKETS.sub("", unicodedata.normalize("NFKC", label)).split())
    return re.sub(r"\s*(?:记者|[Jj]ournalist|[Rr]eporter|[Cc]orrespondent)$", "", text) or text
