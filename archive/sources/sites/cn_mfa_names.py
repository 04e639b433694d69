"""China MFA spokespeople as each language's pages name them: site knowledge that pairs a Chinese
press conference with its English translation (sources/versions.py), since old pages do not link them."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ..versions import SameDayAndSpeaker

# Chinese name → the English pages' spelling: the spokespeople since 2016, as both languages' pages name them
SPOKESPEOPLE = {
    "洪磊": "Hong Lei",
    "耿爽": "Geng Shuang",
    "华春莹": "Hua Chunying",
    "陆慷": "Lu Kang",
    "赵立坚": "Zhao Lijian",
    "汪文斌": "Wang Wenbin",
    "毛宁": "Mao Ning",
    "林剑": "Lin Jian",
    "郭嘉昆": "Guo Jiakun",
}

# the Chinese and English sources hold versions of one another; the Chinese is authoritative
VERSIONS = SameDayAndSpeaker("cn-mfa", ZoneInfo("Asia/Shanghai"), SPOKESPEOPLE, original="zh")

# `div.lan_btn` names each language by its Chinese name on an image's data-desc
LANGUAGE_NAMES = {"英文": "en", "中文": "zh", "法文": "fr", "西文": "es", "俄文": "ru"}
