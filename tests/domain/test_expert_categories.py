"""专家库: an expert's 可审读门类 may be written in the association's own words (issue 16) — Jiangsu's 文学评论,
编剧 and 文学组织 are the national 文学理论评论, 影视戏剧编剧 and 文学组织工作."""
from __future__ import annotations

from wxk_admin import profiles
from wxk_admin.domain.consultation.common import category_of
from wxk_admin.domain.consultation.experts import profile_problems
from wxk_admin.enums import Category


def test_jiangsus_category_words_are_its_categories():
    profiles.load("jiangsu")
    assert category_of("文学评论") is Category("criticism")
    assert category_of("编剧") is Category("screenplay")
    assert category_of("文学组织") is Category("organisation")
    assert category_of("影视戏剧编剧") is Category("screenplay")  # the national words still read
    assert profile_problems("文学评论、编剧，小说") == []
    assert profile_problems("文学评论、相声") == ["相声"]
