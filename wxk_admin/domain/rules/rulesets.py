"""The rule sets as data: 001 (中国作家协会, ``cwa-2022``) and 002 (江苏省作家协会, ``jiangsu-2022``), the registry
``RULESETS`` and the deployment's default.

Each clause is quoted from the seed document it encodes; adding a third association's rules is adding a
``RuleSet`` here.  Profiles read only this module (the names), never the evaluator.
"""
from __future__ import annotations

from typing import Callable

from ...enums import ProfessionalTitle, Track
from .schema import (
    AnyOf,
    Check,
    Condition,
    Exemption,
    Relaxation,
    Requirement,
    RuleSet,
    TrackRules,
    UnknownRuleset,
)

FALLBACK_RULESET = "cwa-2022"

_ASSOC = ProfessionalTitle.associate_senior.rank
_INTER = ProfessionalTitle.intermediate.rank

CWA_2022 = RuleSet(
    name="cwa-2022",
    title="中国作家协会个人会员申请审批办法",
    tracks={
        Track.creation: TrackRules(
            Track.creation,
            clause="申请者须在全国公开发行的文学期刊、报纸或有影响力的文学网站上发表过一定数量和质量的文学作品,"
                   "有在中国大陆公开出版的独立创作的文学作品",
            conditions=(
                Condition(
                    "(1)", "第(1)项",
                    clause="(1)在全国公开发行的文学期刊或报纸,发表作品不少于30万字(至少含在省级及以上文学期刊或报纸"
                           "发表文学作品不少于15万字,诗歌按10行1000字计);",
                    requires=(Requirement("chars", 300_000), Requirement("chars_provincial", 150_000)),
                    summary="发表作品{chars:,}字（省级及以上{chars_provincial:,}字）",
                ),
                Condition(
                    "(2)", "第(2)项",
                    clause="(2)在全国公开发行的文学期刊或报纸,发表作品不少于15万字(至少含在省级及以上文学期刊或报纸"
                           "发表文学作品不少于10万字),并在中国大陆公开出版独立创作的文学作品不少于1部。",
                    requires=(Requirement("chars", 150_000), Requirement("chars_provincial", 100_000),
                              Requirement("books", 1)),
                    summary="发表作品{chars:,}字（省级及以上{chars_provincial:,}字），出版独立创作文学作品{books}部",
                ),
                Condition(
                    "(3)", "第(3)项",
                    clause="(3)在中国大陆公开出版独立创作的文学作品不少于3部(至少含2部在省级及以上出版社出版的文学作品)。",
                    requires=(Requirement("books", 3), Requirement("books_provincial", 2)),
                    summary="出版独立创作文学作品{books}部（省级及以上{books_provincial}部）",
                ),
                Condition(
                    "(4)", "第(4)项",
                    clause="(4)在具有网络出版服务许可证或互联网出版许可证的文学网站上,发表平均订阅量5000以上的"
                           "原创完本文学作品不少于200万字。",
                    requires=(Requirement("web_chars(5000)", 2_000_000),),
                    summary="平均订阅量5000以上的原创完本网络作品{web_chars(5000):,}字",
                ),
            ),
        ),
        Track.criticism: TrackRules(
            Track.criticism,
            clause="2.主要从事文学理论批评工作的申请者,应在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上,"
                   "发表文学理论批评作品不少于15万字,或在省级及以上出版社公开出版独立创作的文学理论批评著作不少于2部。",
            conditions=(
                Condition("发表", "文学理论批评（发表）",
                          clause="应在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上,发表文学理论批评作品不少于15万字",
                          requires=(Requirement("crit_chars_provincial_core", 150_000),),
                          summary="省级及以上报刊及中文核心期刊发表理论批评作品{crit_chars_provincial_core:,}字"),
                Condition("出版", "文学理论批评（出版）",
                          clause="或在省级及以上出版社公开出版独立创作的文学理论批评著作不少于2部",
                          requires=(Requirement("books_provincial", 2, "省级及以上出版社出版的理论批评著作"),),
                          summary="省级及以上出版社出版独立创作的理论批评著作{books_provincial}部"),
            ),
        ),
        Track.translation: TrackRules(
            Track.translation,
            clause="3.主要从事文学翻译工作的申请者,应具有副高以上专业技术职称,在中国大陆公开出版独立翻译作品2部以上,"
                   "或在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上发表过独立翻译作品20万字以上。",
            conditions=(
                Condition("翻译", "文学翻译条件",
                          clause="应具有副高以上专业技术职称,在中国大陆公开出版独立翻译作品2部以上,"
                                 "或在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上发表过独立翻译作品20万字以上",
                          requires=(Requirement("title_rank", _ASSOC),
                                    AnyOf((Requirement("translated_books", 2),
                                           Requirement("trans_chars_provincial_core", 200_000)))),
                          summary="职称{title_label}，出版译著{translated_books}部，"
                                  "省级及以上报刊及核心期刊发表译作{trans_chars_provincial_core:,}字"),
            ),
        ),
        Track.editing: TrackRules(
            Track.editing,
            clause="4.主要从事文学编辑工作的申请者,应具有副高以上专业技术职称,且从事文学编辑工作8年以上,成绩突出。",
            conditions=(
                Condition("编辑", "文学编辑条件",
                          clause="应具有副高以上专业技术职称,且从事文学编辑工作8年以上",
                          requires=(Requirement("title_rank", _ASSOC), Requirement("editing_years", 8)),
                          summary="职称{title_label}，从事文学编辑工作{editing_years}年"),
            ),
        ),
        Track.organisation: TrackRules(
            Track.organisation,
            clause="（组织工作条件第(1)项请对照《中国作家协会个人会员申请审批办法》原文）",
            conditions=(
                Condition("(1)", "组织工作第(1)项",
                          clause="（请对照《中国作家协会个人会员申请审批办法》原文）", manual=True),
                Condition("(2)", "组织工作第(2)项",
                          clause="(2)在地市级或区县级作协、文联担任主要领导职务5年以上,对促进当地文学事业发展有一定贡献;",
                          requires=(Requirement("org_years(prefecture,county/leader)", 5,
                                                "在地市级或区县级作协、文联担任主要领导职务"),),
                          summary="在地市级或区县级作协、文联担任主要领导职务{org_years(prefecture,county/leader)}年"),
            ),
        ),
    },
)

_JS_CREATION_EXEMPT = "在全国重点文学期刊转载、发表文学作品，或取得省级以上重要文学奖项的，对其发表数量不作硬性要求。"

JIANGSU_2022 = RuleSet(
    name="jiangsu-2022",
    title="江苏省作家协会个人会员申请审批办法（2022年6月修订）",
    web_min_chars=50_000,
    region_places=("江苏", "南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州",
                   "镇江", "泰州", "宿迁"),
    region_associations=("jiangsu", "js"),
    checks=(
        Check("in_region",
              clause="1.申请入会者应是户籍在江苏省的中华人民共和国公民、驻江苏解放军和武警部队官兵、"
                     "中央驻江苏企业或单位以及长期在江苏省内工作、居住的人员等。",
              failure="户籍或推荐单位未显示在江苏，需人工核实申请者身份"),
    ),
    exemption=Exemption(
        clause=_JS_CREATION_EXEMPT,
        evidence=("national_key_reprints", "provincial_awards", "exemption_claim"),
        tracks=(Track.creation,),
        note="申报全国重点文学期刊转载或省级以上重要文学奖项，对发表数量不作硬性要求，需人工判断",
    ),
    tracks={
        Track.creation: TrackRules(
            Track.creation,
            clause="1.主要从事文学创作的申请者应具备下列条件之一：",
            conditions=(
                Condition(
                    "(1)", "第(1)项",
                    clause="（1）在全国公开发行的文学期刊或报纸发表文学作品不少于15万字（诗歌按10行1000字计）。",
                    requires=(Requirement("chars", 150_000),),
                    summary="发表作品{chars:,}字",
                ),
                Condition(
                    "(2)", "第(2)项",
                    clause="（2）在全国公开发行的文学期刊或报纸，发表作品不少于5万字，并在中国大陆公开出版独立创作的"
                           "文学作品不少于1部。",
                    requires=(Requirement("chars", 50_000), Requirement("books", 1)),
                    summary="发表作品{chars:,}字，出版独立创作文学作品{books}部",
                ),
                Condition(
                    "(3)", "第(3)项",
                    clause="（3）在中国大陆公开出版独立创作的文学作品不少于2部。",
                    requires=(Requirement("books", 2),),
                    summary="出版独立创作文学作品{books}部",
                ),
                Condition(
                    "(4)", "第(4)项",
                    clause="（4）在具有网络出版服务许可证或互联网出版许可证的文学网站、平台上，发表平均订阅量（数）"
                           "3000以上原创完本文学作品不少于100万字。",
                    requires=(Requirement("web_chars(3000)", 1_000_000),),
                    summary="平均订阅量3000以上的原创完本网络作品{web_chars(3000):,}字",
                ),
                Condition(
                    "(5)", "第(5)项",
                    clause="（5）在具有网络出版服务许可证或互联网出版许可证的文学网站、平台上，发表平均订阅量（数）"
                           "1000以上原创完本文学作品不少于50万字，并有独立创作并公开出版的作品1部以上，"
                           "或在全国公开发行的文学刊物、报纸发表文学作品不少于3万字。",
                    requires=(Requirement("web_chars(1000)", 500_000),
                              AnyOf((Requirement("books", 1), Requirement("chars", 30_000)))),
                    summary="平均订阅量1000以上的原创完本网络作品{web_chars(1000):,}字，"
                            "出版作品{books}部，报刊发表{chars:,}字",
                ),
            ),
        ),
        Track.criticism: TrackRules(
            Track.criticism,
            clause="2.主要从事文学理论批评工作的申请者，应在全国公开发行的省级及以上文学期刊、报纸发表文学理论批评"
                   "文学作品不少于10万字，或出版独立创作的文学理论批评著作不少于1部。",
            conditions=(
                Condition("发表", "文学理论批评（发表）",
                          clause="应在全国公开发行的省级及以上文学期刊、报纸发表文学理论批评文学作品不少于10万字",
                          requires=(Requirement("crit_chars_provincial", 100_000),),
                          summary="省级及以上报刊发表理论批评作品{crit_chars_provincial:,}字"),
                Condition("出版", "文学理论批评（出版）",
                          clause="或出版独立创作的文学理论批评著作不少于1部",
                          requires=(Requirement("books", 1, "独立创作的理论批评著作"),),
                          summary="出版独立创作的理论批评著作{books}部"),
            ),
        ),
        Track.translation: TrackRules(
            Track.translation,
            clause="3.主要从事文学翻译工作的申请者，应具有中级以上专业技术职称，成书出版有独立翻译作品1部以上，"
                   "或在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上发表过独立翻译作品15万字以上。",
            conditions=(
                Condition("翻译", "文学翻译条件",
                          clause="应具有中级以上专业技术职称，成书出版有独立翻译作品1部以上，或在全国公开发行的"
                                 "省级及以上文学期刊、报纸及中文核心期刊上发表过独立翻译作品15万字以上",
                          requires=(Requirement("title_rank", _INTER),
                                    AnyOf((Requirement("translated_books", 1),
                                           Requirement("trans_chars_provincial_core", 150_000)))),
                          summary="职称{title_label}，出版译著{translated_books}部，"
                                  "省级及以上报刊及核心期刊发表译作{trans_chars_provincial_core:,}字"),
            ),
        ),
        Track.editing: TrackRules(
            Track.editing,
            clause="4.主要从事文学编辑工作的申请者，应具有中级以上专业技术职称，且从事文学编辑工作5年以上，成绩突出。",
            conditions=(
                Condition("编辑", "文学编辑条件",
                          clause="应具有中级以上专业技术职称，且从事文学编辑工作5年以上",
                          requires=(Requirement("title_rank", _INTER), Requirement("editing_years", 5)),
                          summary="职称{title_label}，从事文学编辑工作{editing_years}年"),
            ),
        ),
        Track.organisation: TrackRules(
            Track.organisation,
            clause="5.主要从事文学组织工作的申请者，应在职在岗，并具备下列条件之一：",
            relaxation=Relaxation(
                clause="若申请者同时具有一定水平的文学创作成果，可适当放宽年限要求。",
                measures=("org_years(county/leader)", "org_years(provincial_unit/leader,staff)",
                          "org_years(county/staff,leader)"),
                if_any=("chars", "books", "web_chars(0)"),
            ),
            conditions=(
                Condition("(1)", "组织工作第(1)项",
                          clause="（1）在设区市文联、作协担任主要领导职务；",
                          requires=(Requirement("org_post(prefecture/leader)", 1, "在设区市文联、作协担任主要领导职务"),),
                          summary="在设区市文联、作协担任主要领导职务"),
                Condition("(2)", "组织工作第(2)项",
                          clause="（2）在区县文联、作协担任主要领导职务3年以上，对促进当地文学事业发展有一定贡献。",
                          requires=(Requirement("org_years(county/leader)", 3, "在区县文联、作协担任主要领导职务"),),
                          summary="在区县文联、作协担任主要领导职务{org_years(county/leader)}年"),
                Condition("(3)", "组织工作第(3)项",
                          clause="（3）在省作协团体会员单位专职从事文学组织工作5年以上、区县文联、作协专职从事"
                                 "文学组织工作8年以上，成绩突出。",
                          requires=(AnyOf((
                              Requirement("org_years(provincial_unit/leader,staff)", 5,
                                          "在省作协团体会员单位专职从事文学组织工作"),
                              Requirement("org_years(county/staff,leader)", 8, "在区县文联、作协专职从事文学组织工作"),
                          )),),
                          summary="专职从事文学组织工作{organisation_years}年"),
            ),
        ),
    },
)

RULESETS: dict[str, RuleSet] = {rs.name: rs for rs in (CWA_2022, JIANGSU_2022)}


def get_ruleset(name: str) -> RuleSet:
    try:
        return RULESETS[name]
    except KeyError:
        raise UnknownRuleset(name) from None


# Where the deployment's default comes from: the app factory installs a reader of its configuration
# (``set_default_source``), so the domain never imports the web layer.
_default_source: Callable[[], str | None] = lambda: None  # noqa: E731


def set_default_source(source: Callable[[], str | None]) -> None:
    global _default_source
    _default_source = source


def default_ruleset() -> str:
    """The app's WXK_DEFAULT_RULESET (via ``set_default_source``), else ``cwa-2022``."""
    return _default_source() or FALLBACK_RULESET
