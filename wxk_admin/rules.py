"""Eligibility rules (资格初审): rule sets as data, measures computed from the rows, one evaluator.

A rule set is DATA: tracks (主要从事) → alternative conditions (any one suffices)
→ measurable requirements (all of them, or ``AnyOf`` a few), each requirement
naming a *measure* and a threshold::

    Condition("(3)", "第(3)项", clause="(3)在中国大陆公开出版独立创作的文学作品不少于3部…",
              requires=(Requirement("books", 3), Requirement("books_provincial", 2)),
              summary="出版独立创作文学作品{books}部（省级及以上{books_provincial}部）")

Measures (``MEASURES``) are small functions of the application's rows that
apply what counts (独立创作 / 中国大陆 / 文学 books; 全国公开发行 venues, not
内刊 or 合集; poems at 10 lines = 1000 characters; licensed, original,
completed web works; screened film works as published).  Parameterised
measures are written ``name(arg)``, e.g. ``web_chars(5000)`` or
``org_years(prefecture,county/leader)``.  Adding a third association's rules is
adding a ``RuleSet`` to ``RULESETS``.

Public API:
    evaluate(application_like, ruleset_name) -> Result   (pure: no session, no app context)
    refresh(session, application) -> None                 (stores eligibility, note, detail; no commit)
    ruleset_for(application, session=None) -> str          (the cycle's rule set, else the deployment default)
    default_ruleset() -> str                               (the app's WXK_DEFAULT_RULESET, via set_default_source; else cwa-2022)
    get_ruleset(name) -> RuleSet                           (raises UnknownRuleset)
    recheck_cycle(session, cycle, progress=None) -> dict   (whole cycle; audit per changed result; commits per batch)
    Result(outcome: Eligibility, note: str, detail: dict, met: str|None, nearest: str|None, flags: list[str])
    RULESETS, RuleSet, TrackRules, Condition, Requirement, AnyOf, Exemption, Check, Relaxation, MEASURES
    UnknownRuleset

``eligibility_detail`` (JSON): ruleset, ruleset_title, track, track_label, track_clause, outcome,
outcome_label, note, met, nearest, flags [str], excluded [str], counted [str], notes [str] (for the reviewer only), checks [{measure, clause, met, note}],
totals [{key, label, unit, value}], conditions [{key, title, clause, manual, met, summary, missing [str],
distance, requirements [{measure, label, unit, at_least, value, met, missing} | {any_of: [...], met, missing}]}].
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .domain import id_numbers
from .enums import (
    Circulation,
    Eligibility,
    OrganisationLevel,
    OrganisationPost,
    ProfessionalTitle,
    PublisherLevel,
    Responsibility,
    Track,
)
from .models import FACT_SECTIONS

FALLBACK_RULESET = "cwa-2022"


# ---------------------------------------------------------------- the shape of a rule set


@dataclass(frozen=True)
class Requirement:
    """``measure`` must reach ``at_least``; ``label`` overrides the measure's label in explanations."""

    measure: str
    at_least: int
    label: str | None = None


@dataclass(frozen=True)
class AnyOf:
    """At least one of the requirements is met (「或」 inside a condition)."""

    options: tuple[Requirement, ...]


@dataclass(frozen=True)
class Condition:
    """One alternative of a track.  ``manual``: the clause cannot be computed (e.g. missing from the source)."""

    key: str
    title: str
    clause: str
    requires: tuple[Requirement | AnyOf, ...] = ()
    summary: str = ""
    manual: bool = False


@dataclass(frozen=True)
class Relaxation:
    """「可适当放宽年限要求」: if the nearest condition lacks only ``measures`` and any of
    ``if_any`` is positive, a person decides (manual) instead of 不符合条件."""

    clause: str
    measures: tuple[str, ...]
    if_any: tuple[str, ...]
    note: str = "申请者同时具有文学创作成果，可适当放宽年限要求，需人工判断"


@dataclass(frozen=True)
class TrackRules:
    track: Track
    clause: str
    conditions: tuple[Condition, ...]
    relaxation: Relaxation | None = None


@dataclass(frozen=True)
class Exemption:
    """Quantities waived when any ``evidence`` measure is positive → manual judgement."""

    clause: str
    evidence: tuple[str, ...]
    tracks: tuple[Track, ...]
    note: str


@dataclass(frozen=True)
class Check:
    """A precondition (e.g. identity) that yields manual when ``measure`` is not evidently ≥ 1."""

    measure: str
    clause: str
    failure: str


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    tracks: dict[Track, TrackRules]
    exemption: Exemption | None = None
    checks: tuple[Check, ...] = ()
    # Web pieces shorter than this are not counted (Jiangsu: 少于5万字 … 不包括).
    web_min_chars: int = 0
    # Books published before this date have no CIP record: a person checks them.
    cip_records_from: dt.date = dt.date(2003, 1, 1)
    # Region for ``in_region``: names found in 户籍 / unit name, and unit association codes.
    region_places: tuple[str, ...] = ()
    region_associations: tuple[str, ...] = ()


class UnknownRuleset(KeyError):
    pass


# ---------------------------------------------------------------- the two rule sets of the seeds

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


# ---------------------------------------------------------------- what counts


def _flag(value, default: bool) -> bool:
    """A boolean column of a possibly unsaved row (column defaults apply only on INSERT)."""
    return default if value is None else bool(value)


def _enum(enum_cls, value):
    if value is None or value == "":
        return None
    try:
        return enum_cls(value)
    except ValueError:
        return None


def is_provincial(pub) -> bool:
    """省级及以上: ticked, or implied by 中文核心期刊 / 全国重点文学期刊 (both are 省级及以上 journals)."""
    return any(_flag(getattr(pub, f, None), False) for f in ("level_provincial", "level_core", "level_national_key"))


def is_core(pub) -> bool:
    return _flag(getattr(pub, "level_core", None), False)


def is_national_key(pub) -> bool:
    return _flag(getattr(pub, "level_national_key", None), False)


def any_public(pub) -> bool:
    return True


# A publication counts in each of these its properties qualify it for (issue 13.6: levels are independent).
LEVEL_TESTS = (("省级及以上发表", is_provincial), ("中文核心期刊", is_core), ("全国重点文学期刊", is_national_key))
AWARD_HIGH_WORDS = ("省", "国家", "全国", "中国", "国际", "部级", "中央")


def _title(row) -> str:
    return f"《{row.title}》" if getattr(row, "title", "") else "（未命名）"


class Facts:
    """The rows of one application that count, per kind, and the ones that do not (with why)."""

    def __init__(self, app, ruleset: RuleSet, *, skip_books_before: dt.date | None = None):
        self.app = app
        self.ruleset = ruleset
        self.excluded: list[str] = []
        self.old_books: list[str] = []
        self.sole_books, self.translated_books = [], []
        for book in getattr(app, "books", None) or []:
            resp = _enum(Responsibility, book.responsibility)
            why = None
            if not _flag(book.is_literary, True):
                why = "非文学性图书"
            elif not _flag(book.mainland, True):
                why = "非中国大陆出版"
            elif resp in (Responsibility.co, Responsibility.edited):
                why = f"{resp.label}作品"
            elif resp is None:
                why = "未注明著作方式"
            if why:
                self.excluded.append(f"出版专集{_title(book)}：{why}，不计入")
                continue
            if book.published_on and book.published_on < ruleset.cip_records_from:
                if skip_books_before is not None:
                    continue
                self.old_books.append(_title(book))
            (self.translated_books if resp == Responsibility.translated else self.sole_books).append(book)
        self.pubs = []
        self.counted: list[str] = []  # per publication, the measures it counts in (shown in the panel)
        for pub in getattr(app, "publications", None) or []:
            circulation = _enum(Circulation, getattr(pub, "circulation", None))
            if circulation is None and is_provincial(pub):
                circulation = Circulation.public  # a 省级及以上 journal is publicly circulated
            if circulation is None:
                self.excluded.append(f"发表作品{_title(pub)}：未注明发行范围，不计入")
            elif circulation != Circulation.public:
                self.excluded.append(f"发表作品{_title(pub)}：{circulation.label}，不计入")
            else:
                self.pubs.append(pub)
                self.counted.append(_counted_text(pub))
        self.web = []
        for work in getattr(app, "web_works", None) or []:
            chars = work.word_count or 0
            why = None
            if not _flag(work.site_licensed, True):
                why = "网站无出版许可证"
            elif not _flag(work.original, True):
                why = "非原创"
            elif not _flag(work.completed, False):
                why = "未完本"
            elif chars < ruleset.web_min_chars:
                why = f"少于{ruleset.web_min_chars:,}字"
            if why:
                self.excluded.append(f"网络作品{_title(work)}：{why}，不计入")
            else:
                self.web.append(work)
        self.films = []
        for film in getattr(app, "film_works", None) or []:
            if _flag(film.screened, True):
                self.films.append(film)
            else:
                self.excluded.append(f"影视戏剧作品{_title(film)}：未公映/公演，不计入")

    # -- sums used by the measures
    def pub_chars(self, kind: str, qualifies: Callable = any_public) -> int:
        total = 0
        for pub in self.pubs:
            if not qualifies(pub):
                continue
            if _kind(pub) == kind:
                total += _counted_characters(pub)
        return total

    def film_chars(self) -> int:
        return sum(f.word_count or 0 for f in self.films)


def _kind(pub) -> str:
    if _flag(pub.is_translation, False):
        return "translation"
    return "criticism" if _flag(pub.is_criticism, False) else "creation"


def _counted_text(pub) -> str:
    """「发表作品《花城里的河》（12,000 字）计入：报刊发表、省级及以上发表、中文核心期刊」."""
    kind = {"creation": "报刊发表", "criticism": "理论批评作品", "translation": "翻译作品"}[_kind(pub)]
    where = [kind] + [label for label, test in LEVEL_TESTS if test(pub)]
    return f"发表作品{_title(pub)}（{_counted_characters(pub):,} 字）计入：{'、'.join(where)}"


def _counted_characters(pub) -> int:
    """Publication.counted_characters for a model row or any object with the same fields."""
    value = getattr(pub, "counted_characters", None)
    if isinstance(value, int):
        return value
    if getattr(pub, "poem_lines", None):
        return pub.poem_lines * 100
    return getattr(pub, "word_count", None) or 0


def _books(facts: Facts, arg: str | None) -> int:
    rows = facts.sole_books
    if arg == "provincial":
        rows = [b for b in rows if _enum(PublisherLevel, b.publisher_level) == PublisherLevel.provincial]
    return len(rows)


def _org(facts: Facts, arg: str, years: bool) -> int:
    levels_text, _, posts_text = arg.partition("/")
    levels = {OrganisationLevel(x) for x in levels_text.split(",") if x}
    posts = {OrganisationPost(x) for x in posts_text.split(",") if x} or set(OrganisationPost)
    app = facts.app
    if _enum(OrganisationLevel, app.organisation_level) not in levels:
        return 0
    if _enum(OrganisationPost, app.organisation_post) not in posts:
        return 0
    return (app.organisation_years or 0) if years else 1


def _in_region(facts: Facts, _arg) -> int:
    rs, app = facts.ruleset, facts.app
    household = getattr(app, "household_registration", None) or ""
    if any(place in household for place in rs.region_places):
        return 1
    unit = getattr(app, "unit", None)
    if unit is not None:
        if getattr(unit, "association", None) in rs.region_associations:
            return 1
        if any(place in (unit.name or "") for place in rs.region_places):
            return 1
    return 0


@dataclass(frozen=True)
class Measure:
    label: str       # may contain {arg}
    unit: str        # 字 / 部 / 年 / 项 / title
    func: Callable[[Facts, str | None], int]


MEASURES: dict[str, Measure] = {
    "chars": Measure("报刊发表", "字",
                     lambda f, a: f.pub_chars("creation") + f.film_chars()),
    "chars_provincial": Measure("省级及以上发表", "字",
                                lambda f, a: f.pub_chars("creation", is_provincial)),
    "film_chars": Measure("公映/公演影视戏剧作品", "字", lambda f, a: f.film_chars()),
    "books": Measure("独立创作出版的文学作品", "部", _books),
    "books_provincial": Measure("省级及以上出版社出版的文学作品", "部", lambda f, a: _books(f, "provincial")),
    "crit_chars_provincial": Measure("省级及以上报刊发表的理论批评作品", "字",
                                     lambda f, a: f.pub_chars("criticism", is_provincial)),
    "crit_chars_provincial_core": Measure("省级及以上报刊及中文核心期刊发表的理论批评作品", "字",
                                          lambda f, a: f.pub_chars("criticism", is_provincial)),
    "trans_chars_provincial_core": Measure("省级及以上报刊及中文核心期刊发表的翻译作品", "字",
                                           lambda f, a: f.pub_chars("translation", is_provincial)),
    "translated_books": Measure("出版的独立翻译作品", "部", lambda f, a: len(f.translated_books)),
    "web_chars": Measure("平均订阅量{arg}以上的原创完本网络作品", "字",
                         lambda f, a: sum(w.word_count or 0 for w in f.web
                                          if (w.avg_subscriptions or 0) >= int(a or 0))),
    "title_rank": Measure("专业技术职称", "title",
                          lambda f, a: (_enum(ProfessionalTitle, f.app.professional_title)
                                        or ProfessionalTitle.none).rank),
    "editing_years": Measure("从事文学编辑工作", "年", lambda f, a: f.app.editing_years or 0),
    "organisation_years": Measure("从事组织工作", "年", lambda f, a: f.app.organisation_years or 0),
    "org_years": Measure("从事组织工作", "年", lambda f, a: _org(f, a, True)),
    "org_post": Measure("组织工作职务", "项", lambda f, a: _org(f, a, False)),
    "national_key_reprints": Measure("全国重点文学期刊转载", "篇",
                                     lambda f, a: sum(1 for r in (getattr(f.app, "reprints", None) or [])
                                                      if _flag(r.national_key, False))),
    "provincial_awards": Measure("省级以上文学奖项", "项",
                                 lambda f, a: sum(1 for w in (getattr(f.app, "awards", None) or [])
                                                  if any(x in (w.level or "") for x in AWARD_HIGH_WORDS))),
    "exemption_claim": Measure("重点期刊转载或重要奖项说明", "项",
                               lambda f, a: 1 if (getattr(f.app, "exemption_claim", None) or "").strip() else 0),
    "in_region": Measure("身份要求", "项", _in_region),
}

_NAME = re.compile(r"^(?P<base>[a-z_]+)(?:\((?P<arg>[^()]*)\))?$")


def measure_of(name: str) -> tuple[Measure, str | None]:
    m = _NAME.match(name)
    if not m or m["base"] not in MEASURES:
        raise KeyError(f"未知的度量：{name}")
    return MEASURES[m["base"]], m["arg"]


class Values(dict):
    """Measure values computed on demand (also the mapping ``Condition.summary`` is formatted with)."""

    def __init__(self, facts: Facts):
        super().__init__()
        self.facts = facts

    def __missing__(self, name: str):
        if name == "title_label":
            value = (_enum(ProfessionalTitle, self.facts.app.professional_title) or ProfessionalTitle.none).label
        else:
            measure, arg = measure_of(name)
            value = int(measure.func(self.facts, arg))
        self[name] = value
        return value


# ---------------------------------------------------------------- the evaluator


@dataclass
class Result:
    outcome: Eligibility
    note: str
    detail: dict[str, Any]
    met: str | None = None
    nearest: str | None = None
    flags: list[str] = field(default_factory=list)


def _label(req: Requirement) -> str:
    measure, arg = measure_of(req.measure)
    return req.label or measure.label.format(arg=arg)


def _gap_text(req: Requirement, value: int) -> str:
    measure, _ = measure_of(req.measure)
    if measure.unit == "title":
        titles = list(ProfessionalTitle)
        have, want = titles[value].label, titles[req.at_least].label
        return f"专业技术职称须为{want}及以上（现为{have}）"
    if measure.unit == "项":
        return f"未满足：{_label(req)}"
    gap = req.at_least - value
    return f"还差 {gap:,} {measure.unit}{_label(req)}"


def _req_row(req: Requirement, values: Values) -> dict:
    measure, _ = measure_of(req.measure)
    value = values[req.measure]
    met = value >= req.at_least
    row = {"measure": req.measure, "label": _label(req), "unit": measure.unit, "at_least": req.at_least,
           "value": value, "met": met, "missing": "" if met else _gap_text(req, value)}
    if measure.unit == "title":
        row["at_least_text"] = list(ProfessionalTitle)[req.at_least].label + "及以上"
        row["value_text"] = list(ProfessionalTitle)[value].label
    row["shortfall"] = 0.0 if met else (1.0 if req.at_least <= 0 else (req.at_least - value) / req.at_least)
    return row


def _condition_row(cond: Condition, values: Values) -> dict:
    rows, missing, distance = [], [], 0.0  # distance: mean shortfall of the requirements (0 = met)
    for item in cond.requires:
        if isinstance(item, AnyOf):
            options = [_req_row(r, values) for r in item.options]
            met = any(o["met"] for o in options)
            short = 0.0 if met else min(o["shortfall"] for o in options)
            text = "" if met else "或".join(o["missing"] for o in options)
            rows.append({"any_of": options, "met": met, "missing": text, "shortfall": short})
        else:
            rows.append(_req_row(item, values))
        if not rows[-1]["met"]:
            missing.append(rows[-1]["missing"])
            distance += rows[-1]["shortfall"]
    distance = distance / len(rows) if rows else 1.0
    met = not cond.manual and all(r["met"] for r in rows)
    summary = ""
    if met and cond.summary:
        summary = cond.summary.format_map(values)
    return {"key": cond.key, "title": cond.title, "clause": cond.clause, "manual": cond.manual, "met": met,
            "requirements": rows, "missing": missing, "summary": summary, "distance": round(distance, 6)}


TOTALS = (
    # (key, label, unit, how)
    ("chars", "报刊发表合计（全国公开发行，含公映影视）", "字", "chars"),
    # A publication of several levels counts in each of its rows.
    ("lvl:national_key", "其中 全国重点文学期刊", "字", is_national_key),
    ("lvl:provincial", "其中 省级及以上（含中文核心期刊、全国重点文学期刊）", "字", is_provincial),
    ("lvl:core", "其中 中文核心期刊", "字", is_core),
    ("lvl:public", "其中 其他全国公开发行", "字", lambda pub: not is_provincial(pub)),
    ("film_chars", "其中 公映/公演影视戏剧作品", "字", "film_chars"),
    ("chars_provincial", "省级及以上发表合计", "字", "chars_provincial"),
    ("crit_chars_provincial_core", "理论批评作品（省级及以上、中文核心期刊）", "字", "crit_chars_provincial_core"),
    ("trans_chars_provincial_core", "翻译作品（省级及以上、中文核心期刊）", "字", "trans_chars_provincial_core"),
    ("books", "出版独立创作文学作品", "部", "books"),
    ("books_provincial", "其中 省级及以上出版社", "部", "books_provincial"),
    ("translated_books", "出版译著", "部", "translated_books"),
    ("web:5000", "网络作品 平均订阅5000以上", "字", (5000, None)),
    ("web:3000", "网络作品 平均订阅3000–4999", "字", (3000, 5000)),
    ("web:1000", "网络作品 平均订阅1000–2999", "字", (1000, 3000)),
    ("web:0", "网络作品 平均订阅1000以下", "字", (0, 1000)),
)


def _totals(facts: Facts, values: Values) -> list[dict]:
    rows = []
    for key, label, unit, how in TOTALS:
        if callable(how):
            value = facts.pub_chars("creation", how)
        elif isinstance(how, tuple):
            low, high = how
            value = sum(w.word_count or 0 for w in facts.web
                        if (w.avg_subscriptions or 0) >= low and (high is None or (w.avg_subscriptions or 0) < high))
        else:
            value = values[how]
        rows.append({"key": key, "label": label, "unit": unit, "value": int(value)})
    # Repeating sections declared ``_child(..., facts=...)``: their row counts, for the reviewer.
    for relationship, title, unit in FACT_SECTIONS:
        rows.append({"key": f"rows:{relationship}", "label": title, "unit": unit,
                     "value": len(getattr(facts.app, relationship, None) or [])})
    return rows


def _reviewer_notes(app) -> list[str]:
    """What the reviewer should look at that neither refuses the form nor changes the outcome."""
    note = id_numbers.county_note(getattr(app, "id_number", None))
    return [note] if note else []


def get_ruleset(name: str) -> RuleSet:
    try:
        return RULESETS[name]
    except KeyError:
        raise UnknownRuleset(name) from None


def _met_any(track_rules: TrackRules, values: Values) -> bool:
    return any(_condition_row(c, values)["met"] for c in track_rules.conditions)


def evaluate(app, ruleset_name: str) -> Result:
    """The eligibility of ``app`` (an Application or any object with the same attributes) under a rule set."""
    rs = get_ruleset(ruleset_name)
    facts = Facts(app, rs)
    values = Values(facts)
    track = _enum(Track, getattr(app, "track", None))
    detail: dict[str, Any] = {
        "ruleset": rs.name, "ruleset_title": rs.title,
        "track": track.value if track else None, "track_label": track.label if track else "",
        "track_clause": "", "conditions": [], "met": None, "nearest": None, "flags": [],
        "excluded": list(facts.excluded), "counted": list(facts.counted), "checks": [],
        "totals": _totals(facts, values),
        "notes": _reviewer_notes(app),
    }
    flags: list[str] = []

    def finish(outcome: Eligibility, note: str, met=None, nearest=None) -> Result:
        detail.update(outcome=outcome.value, outcome_label=outcome.label, note=note, met=met, nearest=nearest,
                      flags=flags)
        return Result(outcome, note, detail, met, nearest, flags)

    if track is None:
        flags.append("未选择主要从事类别")
        return finish(Eligibility.manual, "未选择主要从事类别，需人工判断")
    track_rules = rs.tracks.get(track)
    if track_rules is None:
        flags.append(f"{rs.title}未规定{track.label}类的条件")
        return finish(Eligibility.manual, f"本规则未规定{track.label}类的申请条件，需人工判断")
    detail["track_clause"] = track_rules.clause

    rows = [_condition_row(c, values) for c in track_rules.conditions]
    detail["conditions"] = rows
    met_row = next((r for r in rows if r["met"]), None)
    computable = [r for r in rows if not r["manual"]]
    nearest_row = min(computable, key=lambda r: r["distance"]) if computable and met_row is None else None

    check_notes = []
    for check in rs.checks:
        ok = values[check.measure] >= 1
        detail["checks"].append({"measure": check.measure, "clause": check.clause, "met": ok,
                                 "note": "" if ok else check.failure})
        if not ok:
            check_notes.append(check.failure)

    if met_row is not None:
        note = f"符合{met_row['title']}：{met_row['summary']}"
        if facts.old_books:
            again = Values(Facts(app, rs, skip_books_before=rs.cip_records_from))
            if not _met_any(track_rules, again):
                year = rs.cip_records_from.year
                flag = f"依赖{year}年以前出版的图书{'、'.join(facts.old_books)}（无CIP数据），需人工核验"
                flags.append(flag)
        flags.extend(check_notes)
        if flags:
            return finish(Eligibility.manual, note + "；" + "；".join(flags), met=met_row["key"])
        return finish(Eligibility.eligible, note, met=met_row["key"])

    shortfall = ""
    if nearest_row is not None:
        shortfall = f"最接近{nearest_row['title']}，" + "；".join(nearest_row["missing"])
    manual_rows = [r for r in rows if r["manual"]]
    for r in manual_rows:
        flags.append(f"{r['title']}{r['clause']}，需人工判断")
    exemption = rs.exemption
    if exemption and track in exemption.tracks and any(values[m] > 0 for m in exemption.evidence):
        flags.append(exemption.note)
    relax = track_rules.relaxation
    if (relax and nearest_row is not None and any(values[m] > 0 for m in relax.if_any)
            and _only_lacks(nearest_row, relax.measures)):
        flags.append(relax.note)
    if flags:
        note = "；".join(flags) + (f"（按数量：{shortfall}）" if shortfall else "")
        return finish(Eligibility.manual, note, nearest=nearest_row["key"] if nearest_row else None)
    note = shortfall or "不符合申请条件"
    return finish(Eligibility.not_eligible, note, nearest=nearest_row["key"] if nearest_row else None)


def _only_lacks(row: dict, measures: tuple[str, ...]) -> bool:
    """Whether every unmet requirement of ``row`` is one of ``measures`` (with the post/level itself right)."""
    for req in row["requirements"]:
        if req["met"]:
            continue
        options = req.get("any_of") or [req]
        if not any(o["measure"] in measures and o["value"] > 0 for o in options):
            return False
    return True


# ---------------------------------------------------------------- storing the result


# Where the deployment's default comes from: the app factory installs a reader of its configuration
# (``set_default_source``), so this module never imports the web layer.
_default_source: Callable[[], str | None] = lambda: None  # noqa: E731


def set_default_source(source: Callable[[], str | None]) -> None:
    global _default_source
    _default_source = source


def default_ruleset() -> str:
    return _default_source() or FALLBACK_RULESET


def ruleset_for(application, session=None) -> str:
    """The rule set named by the application's cycle, else the deployment default."""
    cycle = getattr(application, "cycle", None)
    if cycle is None and session is not None and getattr(application, "cycle_id", None):
        from .models import Cycle  # a pending application: its relationship is not loaded yet

        cycle = session.get(Cycle, application.cycle_id)
    return (getattr(cycle, "ruleset", None) or "").strip() or default_ruleset()


def refresh(session, application) -> None:
    """Compute and store ``eligibility``, ``eligibility_note`` and ``eligibility_detail``; never commits.

    Assigns only what changed, so an unchanged result does not bump ``Application.version``.
    """
    name = ruleset_for(application, session)
    try:
        result = evaluate(application, name)
        outcome, note, detail = result.outcome, result.note, result.detail
    except UnknownRuleset:
        outcome, note = Eligibility.manual, f"未知的资格规则「{name}」，需人工判断"
        detail = {"ruleset": name, "outcome": outcome.value, "outcome_label": outcome.label, "note": note,
                  "flags": [note], "conditions": [], "totals": [], "excluded": [], "checks": []}
    if application.eligibility != outcome:
        application.eligibility = outcome
    if application.eligibility_note != note:
        application.eligibility_note = note
    if application.eligibility_detail != detail:
        application.eligibility_detail = detail


def recheck_cycle(session, cycle, progress: Callable[[int], None] | None = None,
                  batch: int = 200) -> dict[str, int]:
    """Recompute every application of ``cycle``; returns counts per outcome plus ``changed`` and ``total``.

    Commits per batch; a batch hit by a concurrent edit (optimistic lock) is reloaded and redone.
    Each application whose 资格初审 result changes gets an audit record.
    """
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload
    from sqlalchemy.orm.exc import StaleDataError

    from .domain.audit import Actor, record
    from .models import Application

    ids = list(session.scalars(select(Application.id).where(Application.cycle_id == cycle.id)
                               .order_by(Application.id)))
    counts = {e.value: 0 for e in Eligibility} | {"changed": 0, "total": len(ids)}
    actor = Actor(None, "cli")
    reason = f"flask wxk recheck --cycle {cycle.year}（{cycle.ruleset}）"
    loaders = [selectinload(getattr(Application, rel)) for rel in
               ("books", "publications", "web_works", "film_works", "awards", "reprints")]
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        for attempt in range(3):
            part = {key: 0 for key in counts if key != "total"}
            apps = session.scalars(select(Application).where(Application.id.in_(chunk)).options(*loaders)
                                   .execution_options(populate_existing=True)).all()
            for application in apps:
                before = (application.eligibility.value if application.eligibility else None,
                          application.eligibility_note)
                refresh(session, application)
                after = (application.eligibility.value, application.eligibility_note)
                part[application.eligibility.value] += 1
                if before != after:
                    part["changed"] += 1
                    record(session, actor, "recheck_eligibility", application, application_id=application.id,
                           before={"eligibility": before[0], "eligibility_note": before[1]},
                           after={"eligibility": after[0], "eligibility_note": after[1]}, reason=reason)
            try:
                session.commit()
                break
            except StaleDataError:
                session.rollback()
                if attempt == 2:
                    raise
        for key, value in part.items():
            counts[key] += value
        if progress:
            progress(len(chunk))
    return counts
