"""姓名 in 拼音 order: the stored sort key of ``Application.name_sort_key`` (issue 13.5).

Code-point order puts 张 before 阿; a database collation (ICU ``zh-x-icu``) exists on PostgreSQL only.
The key is computed here with pypinyin and stored, so SQLite and PostgreSQL sort alike and an index
serves the sort.  It holds only ``[0-9a-z]``, which every collation orders the same way.
"""
from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

KEY_LENGTH = 255  # the column's length (models.Application.name_sort_key)

# Surnames read otherwise than the character's common reading (pypinyin reads words, not names).
SURNAMES = {
    "万俟": "mo4qi2", "尉迟": "yu4chi2", "长孙": "zhang3sun1",
    "曾": "zeng1", "单": "shan4", "仇": "qiu2", "解": "xie4", "朴": "piao2", "区": "ou1", "查": "zha1",
    "盖": "ge3", "繁": "po2", "员": "yun4", "乐": "yue4", "覃": "qin2", "召": "shao4", "缪": "miao4",
    "秘": "bi4", "翟": "zhai2", "种": "chong2", "曲": "qu1", "华": "hua4", "纪": "ji3", "隗": "wei3",
    "句": "gou1", "郇": "huan2", "柏": "bai3", "殷": "yin1", "燕": "yan1", "任": "ren2",
}


def _syllables(text: str) -> str:
    # TONE3: "zhang1" — the tone digit ends each syllable, and digits sort before letters, so
    # 张 (zhang1) < 张三 (zhang1san1) and zhan4 < zhang1; neutral tone 5, ü written v.
    out = []
    for piece in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: list(s)):
        piece = piece.lower()
        out.append("".join(ch for ch in piece if ch.isascii() and ch.isalnum()))
    return "".join(out)


@lru_cache(maxsize=4096)
def name_sort_key(name: str | None) -> str:
    """``"zeng1guo2fan1" + "0" + code points``: 拼音 (surname readings first), then, for homophones,
    the characters' code points in hex, so different names never tie."""
    name = (name or "").strip()
    head = ""
    for surname, reading in SURNAMES.items():
        if name.startswith(surname):
            head, name_rest = reading, name[len(surname):]
            break
    else:
        name_rest = name
    spoken = head + _syllables(name_rest)
    # "0" sorts before every letter and tone digit (1–5): the code points only decide between equal 拼音.
    return (spoken + "0" + "".join(f"{ord(ch):05x}" for ch in name))[:KEY_LENGTH]
