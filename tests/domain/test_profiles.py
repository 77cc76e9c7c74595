"""Issue 16 — 协会配置: one data file per association, validated at start-up (points 1, 3, 4)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wxk_admin import create_app, profiles
from wxk_admin.enums import UnitKind
from wxk_admin.profiles import ProfileError

JIANGSU_UNITS = ["南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁"]

# The smallest third association: every required field and nothing else.
MINIMAL = """
code = "zhejiang"
units = [{ code = "hz", name = "杭州市作家协会", kind = "regional" }]
categories = [{ code = "novel", label = "小说" }, { code = "poetry", label = "诗歌" }]
materials = ["入会申请表（一式一份）"]

[names]
association = "浙江省作家协会"
short = "浙江省作协"
office = "创作联络部"
office_short = "创联部"
site = "浙江作家网"
platform = "浙江省作协个人会员申请管理平台"

[rules]
ruleset = "cwa-2022"
recommenders = 2
identity = "户籍在浙江省的中华人民共和国公民"
direct_route = "省直机关单位"
direct_route_note = "直接申报须由两名省作协会员推荐"

[calendar]
fill_start = "03-01"
fill_end = "04-30"
materials_deadline = "05-15"
review_start = "06-01"
review_end = "06-30"

[form]
title = "浙江省作家协会入会申请表"

[review]
expert_pool = "专家库"

[notification]
admitted = "联络部通知新会员办理入会手续"

[public]
title = "浙江省作家协会 · 个人会员"
notice = "拟发展个人会员名单公示"
members = "新发展个人会员名单"
"""


def write(tmp_path: Path, text: str, name: str = "zhejiang.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_jiangsu_profile_holds_the_rules_of_002():
    js = profiles.load("jiangsu")
    assert (js.names.association, js.names.office, js.names.site) == ("江苏省作家协会", "联络部", "江苏作家网")
    names = [u.name for u in js.units]
    assert len(names) == 22 and len(set(u.code for u in js.units)) == 22
    assert [n.removesuffix("市作家协会") for n in names[:13]] == JIANGSU_UNITS
    assert {u.kind for u in js.units[13:]} == {UnitKind.industry} and "江苏省报告文学学会" in names
    assert js.rules.ruleset == "jiangsu-2022" and js.rules.recommenders == 2
    assert "驻苏现役军人" in js.rules.direct_route and "驻宁高校" in js.rules.direct_route
    assert js.calendar.dates(2027) == {"fill_start": dt.date(2027, 6, 1), "fill_end": dt.date(2027, 9, 30),
                                       "materials_deadline": dt.date(2027, 9, 30),
                                       "review_start": dt.date(2027, 10, 1), "review_end": dt.date(2027, 11, 30)}
    assert [label for _, label in js.categories] == ["小说", "散文", "诗歌", "儿童文学", "网络文学", "纪实报告文学",
                                                     "文学组织", "文学编辑", "文学翻译", "文学评论", "编剧"]
    assert js.category_label("screenplay") == "编剧" and profiles.load("cwa").category_label("screenplay") == "影视戏剧编剧"
    assert (js.form.photos, js.form.copies, js.form.double_sided) == (2, 2, True)
    assert js.review.expert_pool == "省作协全委会委员" and "电话或短信" in js.notification_admitted


def test_national_profile_is_the_default():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WXK_ASSOCIATION": None})
    profile = app.extensions["wxk_profile"]
    assert profile.code == "cwa" and profile.names.office == "创联部会员处"
    assert app.config["WXK_DEFAULT_RULESET"] == "cwa-2022"


def test_jiangsu_deployment_takes_its_rule_set_and_names():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WXK_ASSOCIATION": "jiangsu",
                      "WXK_DEFAULT_RULESET": ""})
    assert app.extensions["wxk_profile"].names.site == "江苏作家网"
    assert app.config["WXK_DEFAULT_RULESET"] == "jiangsu-2022"


def test_a_third_association_is_one_file(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "WXK_ASSOCIATION": write(tmp_path, MINIMAL)})
    profile = app.extensions["wxk_profile"]
    assert (profile.code, profile.names.association) == ("zhejiang", "浙江省作家协会")
    assert app.config["WXK_ASSOCIATION"] == "zhejiang" and profiles.of("zhejiang") is profile
    assert profile.form.photos == 0 and profile.form.copies == 1  # optional parts default to the plain form
    assert profile.story_units == ("hz",)
    with app.test_request_context():
        assert app.jinja_env.from_string("{{ association.names.office }}").render(
            **{k: v for d in [p() for p in app.template_context_processors[None]] for k, v in d.items()}) == "创作联络部"


def test_the_platforms_words_read_as_the_association_says_them(tmp_path):
    """Profile.say: the office by its names (创作联络部 for 创联部会员处, 创联部 for 会员处), a [wording] entry by its word;
    every vocabulary member through it (Profile.label)."""
    from wxk_admin.enums import MaterialHolder, Status

    zhejiang = profiles.load(write(tmp_path, MINIMAL.replace("[public]", '[wording]\n"专家咨询" = "专家审读"\n\n[public]')))
    assert zhejiang.say("经创联部会员处核查；会员处确认后专家咨询") == "经创作联络部核查；创联部确认后专家审读"
    assert zhejiang.label(Status.office_confirmed) == "创联部已确认"
    assert zhejiang.label(Status.expert_failed) == "专家审读未通过"
    assert zhejiang.label(MaterialHolder.office) == "创联部"
    national = profiles.of("cwa")
    assert national.say("会员处确认后专家咨询") == "会员处确认后专家咨询" and national.label(Status.expert_review) == "专家咨询中"
    assert profiles.of("jiangsu").label(Status.expert_review) == "专家评审中"


@pytest.mark.parametrize("change, field, words", [
    (('ruleset = "cwa-2022"', 'ruleset = "zhejiang-2099"'), "rules.ruleset", "不是已有的资格规则"),
    (('{ code = "hz", name = "杭州市作家协会", kind = "regional" }',
      '{ code = "hz", name = "杭州市作家协会", kind = "regional" }, { code = "hz", name = "宁波市作家协会", kind = "regional" }'),
     "units[1].code", "单位代码「hz」重复"),
    (('materials_deadline = "05-15"', 'materials_deadline = "04-01"'), "calendar.materials_deadline",
     "早于 calendar.fill_end"),
    (('fill_start = "03-01"', 'fill_start = "02-30"'), "calendar.fill_start", "不是有效的月-日"),
    (('office = "创作联络部"\n', ''), "names.office", "缺少此项（必填）"),
    (('platform = "浙江省作协个人会员申请管理平台"', 'platform = "  "'), "names.platform", "须为非空文字"),
    (('kind = "regional"', 'kind = "county"'), "units[0].kind", "须为 regional"),
    (('{ code = "poetry", label = "诗歌" }', '{ code = "opera", label = "戏曲" }'), "categories[1].code",
     "不是平台的门类代码"),
    (('recommenders = 2', 'recommenders = "两名"'), "rules.recommenders", "整数"),
    (('[public]', '[wording]\n"专家咨询" = ""\n\n[public]'), "wording.专家咨询", "须为非空文字"),
])
def test_a_bad_profile_stops_the_start_naming_the_field(tmp_path, change, field, words):
    old, new = change
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(ProfileError) as refused:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WXK_ASSOCIATION": path})
    message = str(refused.value)
    assert message.startswith("协会配置 zhejiang.toml 有误：") and field in message and words in message


def test_unknown_name_and_broken_file_are_refused_in_chinese(tmp_path):
    with pytest.raises(ProfileError, match="WXK_ASSOCIATION=「anhui」找不到：可用 cwa、jiangsu"):
        profiles.load("anhui")
    with pytest.raises(ProfileError, match="不是有效的 TOML 文件"):
        profiles.load(write(tmp_path, "code = ", "broken.toml"))


def test_readme_shows_a_third_association_that_loads(tmp_path):
    """README 「新增协会」: its example is a whole, valid profile."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 新增协会", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    profile = profiles.load(write(tmp_path, example))
    assert profile.names.association == "浙江省作家协会" and profile.rules.ruleset == "cwa-2022"
    assert [u.name for u in profile.units] == ["杭州市作家协会", "宁波市作家协会"]
    # its office in our texts reads as its own, never as a piece of the national 创联部会员处
    said = profile.say("经创联部会员处核查；会员处确认后才能下载") + profile.notification_admitted
    assert "创联部" not in said and "会员处" not in said and profile.names.office in said
