"""资格初审 evaluator (wxk_admin/rules.py): table-driven, one row per clause and both sides of every threshold.

Applications are plain model instances built in memory (never saved).  Every
row quotes the clause of the seed document it checks (001 national, 002
Jiangsu); ``test_quotes_are_in_the_rule_data`` ties each quote to the rule set
data and, when the seed files are present, to the seed text itself.
"""
from __future__ import annotations

import ast
import datetime as dt
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wxk_admin import rules
from wxk_admin.enums import (
    Circulation,
    Eligibility,
    OrganisationLevel,
    OrganisationPost,
    ProfessionalTitle,
    PublisherLevel,
    Responsibility,
    Track,
)
from wxk_admin.models import Application, Award, Book, FilmWork, GroupUnit, Publication, Reprint, WebWork

E, N, M = Eligibility.eligible, Eligibility.not_eligible, Eligibility.manual
CWA, JS = "cwa-2022", "jiangsu-2022"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


# ---------------------------------------------------------------- in-memory builders


def book(level=PublisherLevel.other, resp=Responsibility.sole, title="书", **kw) -> Book:
    return Book(title=title, publisher_level=level, responsibility=resp, is_literary=kw.pop("is_literary", True),
                mainland=kw.pop("mainland", True), **kw)


class Level:
    """The old single 刊物级别 values as the independent properties a publication now has (issue 13.6)."""

    public: dict = {}
    provincial = {"level_provincial": True}
    core = {"level_provincial": True, "level_core": True}
    national_key = {"level_provincial": True, "level_national_key": True}
    internal = {"circulation": Circulation.internal}
    anthology = {"circulation": Circulation.anthology}


def pub(chars=0, level=Level.public, lines=None, title="文", **kw) -> Publication:
    properties = {"circulation": Circulation.public, "level_provincial": False, "level_core": False,
                  "level_national_key": False, **level}
    return Publication(title=title, word_count=chars, poem_lines=lines, is_translation=kw.pop("is_translation", False),
                       is_criticism=kw.pop("is_criticism", False), **properties, **kw)


def web(chars, subs, title="网文", **kw) -> WebWork:
    return WebWork(title=title, word_count=chars, avg_subscriptions=subs, completed=kw.pop("completed", True),
                   original=kw.pop("original", True), site_licensed=kw.pop("site_licensed", True), **kw)


def make(track=Track.creation, *, prov=0, public=0, books_prov=0, books_other=0, pubs=(), books=(), webs=(),
         films=(), household="江苏省南京市", **kw) -> Application:
    """An unsaved application: ``prov``/``public`` characters in one 省级 / 全国公开发行 publication each,
    ``books_prov``/``books_other`` sole-authored literary books, plus any explicit rows."""
    app = Application(name="测试", track=track, household_registration=household, **kw)
    app.publications = ([pub(prov, Level.provincial)] if prov else []) + \
                       ([pub(public, Level.public)] if public else []) + list(pubs)
    app.books = [book(PublisherLevel.provincial, title=f"省{i}") for i in range(books_prov)] + \
                [book(PublisherLevel.other, title=f"其他{i}") for i in range(books_other)] + list(books)
    app.web_works = list(webs)
    app.film_works = list(films)
    return app


def crit(chars, level=Level.provincial):
    return pub(chars, level, is_criticism=True)


def trans(chars, level=Level.provincial):
    return pub(chars, level, is_translation=True)


def translated_books(n):
    return [book(PublisherLevel.other, Responsibility.translated, title=f"译{i}") for i in range(n)]


def org(level, post, years, track=Track.organisation, **kw):
    return make(track, organisation_level=level, organisation_post=post, organisation_years=years, **kw)


ASSOC, INTER, JUNIOR = ProfessionalTitle.associate_senior, ProfessionalTitle.intermediate, ProfessionalTitle.junior
PREF, COUNTY, PUNIT = OrganisationLevel.prefecture, OrganisationLevel.county, OrganisationLevel.provincial_unit
LEADER, STAFF = OrganisationPost.leader, OrganisationPost.staff


# ---------------------------------------------------------------- the clauses, both sides of each threshold

# Quotes copied from the seed files (001: ASCII punctuation as in the source; 002: full-width).
C1_1 = "(1)在全国公开发行的文学期刊或报纸,发表作品不少于30万字(至少含在省级及以上文学期刊或报纸发表文学作品不少于15万字,诗歌按10行1000字计);"
C1_2 = "(2)在全国公开发行的文学期刊或报纸,发表作品不少于15万字(至少含在省级及以上文学期刊或报纸发表文学作品不少于10万字),并在中国大陆公开出版独立创作的文学作品不少于1部。"
C1_3 = "(3)在中国大陆公开出版独立创作的文学作品不少于3部(至少含2部在省级及以上出版社出版的文学作品)。"
C1_4 = "(4)在具有网络出版服务许可证或互联网出版许可证的文学网站上,发表平均订阅量5000以上的原创完本文学作品不少于200万字。"
C1_5 = "(5)影视、戏剧作品参照以上发表或出版条件计算。影视、戏剧作品公映或公演视同发表。"
C1_CRIT = "2.主要从事文学理论批评工作的申请者,应在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上,发表文学理论批评作品不少于15万字,或在省级及以上出版社公开出版独立创作的文学理论批评著作不少于2部。"
C1_TRANS = "3.主要从事文学翻译工作的申请者,应具有副高以上专业技术职称,在中国大陆公开出版独立翻译作品2部以上,或在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上发表过独立翻译作品20万字以上。"
C1_EDIT = "4.主要从事文学编辑工作的申请者,应具有副高以上专业技术职称,且从事文学编辑工作8年以上,成绩突出。"
C1_ORG2 = "(2)在地市级或区县级作协、文联担任主要领导职务5年以上,对促进当地文学事业发展有一定贡献;"

C2_1 = "（1）在全国公开发行的文学期刊或报纸发表文学作品不少于15万字（诗歌按10行1000字计）。"
C2_2 = "（2）在全国公开发行的文学期刊或报纸，发表作品不少于5万字，并在中国大陆公开出版独立创作的文学作品不少于1部。"
C2_3 = "（3）在中国大陆公开出版独立创作的文学作品不少于2部。"
C2_4 = "（4）在具有网络出版服务许可证或互联网出版许可证的文学网站、平台上，发表平均订阅量（数）3000以上原创完本文学作品不少于100万字。"
C2_5 = "（5）在具有网络出版服务许可证或互联网出版许可证的文学网站、平台上，发表平均订阅量（数）1000以上原创完本文学作品不少于50万字，并有独立创作并公开出版的作品1部以上，或在全国公开发行的文学刊物、报纸发表文学作品不少于3万字。"
C2_6 = "（6）影视、戏剧作品参照以上发表和出版条件计算。影视、戏剧作品公演或公映视同发表。"
C2_EXEMPT = "在全国重点文学期刊转载、发表文学作品，或取得省级以上重要文学奖项的，对其发表数量不作硬性要求。"
C2_CRIT = "2.主要从事文学理论批评工作的申请者，应在全国公开发行的省级及以上文学期刊、报纸发表文学理论批评文学作品不少于10万字，或出版独立创作的文学理论批评著作不少于1部。"
C2_TRANS = "3.主要从事文学翻译工作的申请者，应具有中级以上专业技术职称，成书出版有独立翻译作品1部以上，或在全国公开发行的省级及以上文学期刊、报纸及中文核心期刊上发表过独立翻译作品15万字以上。"
C2_EDIT = "4.主要从事文学编辑工作的申请者，应具有中级以上专业技术职称，且从事文学编辑工作5年以上，成绩突出。"
C2_ORG1 = "（1）在设区市文联、作协担任主要领导职务；"
C2_ORG2 = "（2）在区县文联、作协担任主要领导职务3年以上，对促进当地文学事业发展有一定贡献。"
C2_ORG3 = "（3）在省作协团体会员单位专职从事文学组织工作5年以上、区县文联、作协专职从事文学组织工作8年以上，成绩突出。"
C2_RELAX = "若申请者同时具有一定水平的文学创作成果，可适当放宽年限要求。"
C2_ID = "1.申请入会者应是户籍在江苏省的中华人民共和国公民、驻江苏解放军和武警部队官兵、中央驻江苏企业或单位以及长期在江苏省内工作、居住的人员等。"

W2M, W1M = 2_000_000, 1_000_000

# (id, rule set, seed clause quoted, application factory, expected outcome, condition met)
CASES = [
    # ---- 001 national, creative
    ("cwa-1-at", CWA, C1_1, lambda: make(prov=150_000, public=150_000), E, "(1)"),
    ("cwa-1-total-below", CWA, C1_1, lambda: make(prov=150_000, public=149_999), N, None),
    ("cwa-1-provincial-below", CWA, C1_1, lambda: make(prov=149_999, public=150_001), N, None),
    ("cwa-1-poetry-at", CWA, C1_1, lambda: make(prov=150_000, pubs=[pub(level=Level.public, lines=1500)]), E, "(1)"),
    ("cwa-1-poetry-below", CWA, C1_1, lambda: make(prov=150_000, pubs=[pub(level=Level.public, lines=1499)]), N, None),
    ("cwa-2-at", CWA, C1_2, lambda: make(prov=100_000, public=50_000, books_other=1), E, "(2)"),
    ("cwa-2-total-below", CWA, C1_2, lambda: make(prov=100_000, public=49_999, books_other=1), N, None),
    ("cwa-2-provincial-below", CWA, C1_2, lambda: make(prov=99_999, public=50_001, books_other=1), N, None),
    ("cwa-2-no-book", CWA, C1_2, lambda: make(prov=100_000, public=50_000), N, None),
    ("cwa-3-at", CWA, C1_3, lambda: make(books_prov=2, books_other=1), E, "(3)"),
    ("cwa-3-books-below", CWA, C1_3, lambda: make(books_prov=2), N, None),
    ("cwa-3-provincial-below", CWA, C1_3, lambda: make(books_prov=1, books_other=2), N, None),
    ("cwa-4-at", CWA, C1_4, lambda: make(webs=[web(W2M, 5000)]), E, "(4)"),
    ("cwa-4-chars-below", CWA, C1_4, lambda: make(webs=[web(W2M - 1, 5000)]), N, None),
    ("cwa-4-subscriptions-below", CWA, C1_4, lambda: make(webs=[web(W2M, 4999)]), N, None),
    ("cwa-4-not-completed", CWA, C1_4, lambda: make(webs=[web(W2M, 5000, completed=False)]), N, None),
    ("cwa-4-unlicensed-site", CWA, C1_4, lambda: make(webs=[web(W2M, 5000, site_licensed=False)]), N, None),
    ("cwa-4-not-original", CWA, C1_4, lambda: make(webs=[web(W2M, 5000, original=False)]), N, None),
    ("cwa-5-film-at", CWA, C1_5, lambda: make(prov=150_000, films=[FilmWork(title="剧", word_count=150_000, screened=True)]), E, "(1)"),
    ("cwa-5-film-below", CWA, C1_5, lambda: make(prov=150_000, films=[FilmWork(title="剧", word_count=149_999, screened=True)]), N, None),
    ("cwa-5-film-not-screened", CWA, C1_5, lambda: make(prov=150_000, films=[FilmWork(title="剧", word_count=150_000, screened=False)]), N, None),
    # ---- 001 national, other tracks
    ("cwa-crit-chars-at", CWA, C1_CRIT, lambda: make(Track.criticism, pubs=[crit(150_000, Level.core)]), E, "发表"),
    ("cwa-crit-chars-below", CWA, C1_CRIT, lambda: make(Track.criticism, pubs=[crit(149_999)]), N, None),
    ("cwa-crit-chars-public-level", CWA, C1_CRIT, lambda: make(Track.criticism, pubs=[crit(150_000, Level.public)]), N, None),
    ("cwa-crit-books-at", CWA, C1_CRIT, lambda: make(Track.criticism, books_prov=2), E, "出版"),
    ("cwa-crit-books-below", CWA, C1_CRIT, lambda: make(Track.criticism, books_prov=1, books_other=1), N, None),
    ("cwa-trans-books-at", CWA, C1_TRANS, lambda: make(Track.translation, professional_title=ASSOC, books=translated_books(2)), E, "翻译"),
    ("cwa-trans-books-below", CWA, C1_TRANS, lambda: make(Track.translation, professional_title=ASSOC, books=translated_books(1)), N, None),
    ("cwa-trans-title-below", CWA, C1_TRANS, lambda: make(Track.translation, professional_title=INTER, books=translated_books(2)), N, None),
    ("cwa-trans-chars-at", CWA, C1_TRANS, lambda: make(Track.translation, professional_title=ASSOC, pubs=[trans(200_000, Level.core)]), E, "翻译"),
    ("cwa-trans-chars-below", CWA, C1_TRANS, lambda: make(Track.translation, professional_title=ASSOC, pubs=[trans(199_999)]), N, None),
    ("cwa-edit-at", CWA, C1_EDIT, lambda: make(Track.editing, professional_title=ASSOC, editing_years=8), E, "编辑"),
    ("cwa-edit-years-below", CWA, C1_EDIT, lambda: make(Track.editing, professional_title=ASSOC, editing_years=7), N, None),
    ("cwa-edit-title-below", CWA, C1_EDIT, lambda: make(Track.editing, professional_title=INTER, editing_years=8), N, None),
    ("cwa-edit-senior", CWA, C1_EDIT, lambda: make(Track.editing, professional_title=ProfessionalTitle.senior, editing_years=8), E, "编辑"),
    ("cwa-org2-county-at", CWA, C1_ORG2, lambda: org(COUNTY, LEADER, 5), E, "(2)"),
    ("cwa-org2-prefecture-at", CWA, C1_ORG2, lambda: org(PREF, LEADER, 5), E, "(2)"),
    # clause (1) is missing from the source: not meeting (2) is a person's call, never 不符合
    ("cwa-org2-below-clause1-missing", CWA, C1_ORG2, lambda: org(COUNTY, LEADER, 4), M, None),
    # ---- 002 Jiangsu, creative
    ("js-1-at", JS, C2_1, lambda: make(public=150_000), E, "(1)"),
    ("js-1-below", JS, C2_1, lambda: make(public=149_999), N, None),
    ("js-1-poetry-at", JS, C2_1, lambda: make(pubs=[pub(level=Level.public, lines=1500)]), E, "(1)"),
    ("js-1-poetry-below", JS, C2_1, lambda: make(pubs=[pub(level=Level.public, lines=1499)]), N, None),
    ("js-2-at", JS, C2_2, lambda: make(public=50_000, books_other=1), E, "(2)"),
    ("js-2-chars-below", JS, C2_2, lambda: make(public=49_999, books_other=1), N, None),
    ("js-2-no-book", JS, C2_2, lambda: make(public=50_000), N, None),
    ("js-3-at", JS, C2_3, lambda: make(books_other=2), E, "(3)"),
    ("js-3-below", JS, C2_3, lambda: make(books_other=1), N, None),
    ("js-4-at", JS, C2_4, lambda: make(webs=[web(W1M, 3000)]), E, "(4)"),
    ("js-4-chars-below", JS, C2_4, lambda: make(webs=[web(W1M - 1, 3000)]), N, None),
    ("js-4-subscriptions-below", JS, C2_4, lambda: make(webs=[web(W1M, 2999)]), N, None),
    ("js-5-book-at", JS, C2_5, lambda: make(webs=[web(500_000, 1000)], books_other=1), E, "(5)"),
    ("js-5-chars-at", JS, C2_5, lambda: make(webs=[web(500_000, 1000)], public=30_000), E, "(5)"),
    ("js-5-web-below", JS, C2_5, lambda: make(webs=[web(499_999, 1000)], books_other=1), N, None),
    ("js-5-subscriptions-below", JS, C2_5, lambda: make(webs=[web(500_000, 999)], books_other=1), N, None),
    ("js-5-chars-below", JS, C2_5, lambda: make(webs=[web(500_000, 1000)], public=29_999), N, None),
    ("js-6-film-at", JS, C2_6, lambda: make(films=[FilmWork(title="剧", word_count=150_000, screened=True)]), E, "(1)"),
    ("js-6-film-below", JS, C2_6, lambda: make(films=[FilmWork(title="剧", word_count=149_999, screened=True)]), N, None),
    ("js-exempt-reprint", JS, C2_EXEMPT, lambda: make(public=1000, reprints=[Reprint(title="转", national_key=True)]), M, None),
    ("js-exempt-award", JS, C2_EXEMPT, lambda: make(public=1000, awards=[Award(name="紫金山文学奖", level="省级")]), M, None),
    ("js-exempt-claim", JS, C2_EXEMPT, lambda: make(public=1000, exemption_claim="作品被《小说选刊》转载"), M, None),
    ("js-exempt-city-award-not-enough", JS, C2_EXEMPT, lambda: make(public=1000, awards=[Award(name="市文学奖", level="设区市级")]), N, None),
    ("js-exempt-reprint-not-national-key", JS, C2_EXEMPT, lambda: make(public=1000, reprints=[Reprint(title="转", national_key=False)]), N, None),
    # ---- 002 Jiangsu, other tracks
    ("js-crit-chars-at", JS, C2_CRIT, lambda: make(Track.criticism, pubs=[crit(100_000)]), E, "发表"),
    ("js-crit-chars-below", JS, C2_CRIT, lambda: make(Track.criticism, pubs=[crit(99_999)]), N, None),
    ("js-crit-book-at", JS, C2_CRIT, lambda: make(Track.criticism, books_other=1), E, "出版"),
    ("js-crit-no-book", JS, C2_CRIT, lambda: make(Track.criticism), N, None),
    ("js-trans-book-at", JS, C2_TRANS, lambda: make(Track.translation, professional_title=INTER, books=translated_books(1)), E, "翻译"),
    ("js-trans-no-book", JS, C2_TRANS, lambda: make(Track.translation, professional_title=INTER), N, None),
    ("js-trans-title-below", JS, C2_TRANS, lambda: make(Track.translation, professional_title=JUNIOR, books=translated_books(1)), N, None),
    ("js-trans-chars-at", JS, C2_TRANS, lambda: make(Track.translation, professional_title=INTER, pubs=[trans(150_000, Level.core)]), E, "翻译"),
    ("js-trans-chars-below", JS, C2_TRANS, lambda: make(Track.translation, professional_title=INTER, pubs=[trans(149_999)]), N, None),
    ("js-edit-at", JS, C2_EDIT, lambda: make(Track.editing, professional_title=INTER, editing_years=5), E, "编辑"),
    ("js-edit-years-below", JS, C2_EDIT, lambda: make(Track.editing, professional_title=INTER, editing_years=4), N, None),
    ("js-edit-title-below", JS, C2_EDIT, lambda: make(Track.editing, professional_title=JUNIOR, editing_years=5), N, None),
    ("js-org1-at", JS, C2_ORG1, lambda: org(PREF, LEADER, 0), E, "(1)"),
    ("js-org1-not-leader", JS, C2_ORG1, lambda: org(PREF, STAFF, 1), N, None),
    ("js-org2-at", JS, C2_ORG2, lambda: org(COUNTY, LEADER, 3), E, "(2)"),
    ("js-org2-below", JS, C2_ORG2, lambda: org(COUNTY, LEADER, 2), N, None),
    ("js-org3-provincial-unit-at", JS, C2_ORG3, lambda: org(PUNIT, STAFF, 5), E, "(3)"),
    ("js-org3-provincial-unit-below", JS, C2_ORG3, lambda: org(PUNIT, STAFF, 4), N, None),
    ("js-org3-county-at", JS, C2_ORG3, lambda: org(COUNTY, STAFF, 8), E, "(3)"),
    ("js-org3-county-below", JS, C2_ORG3, lambda: org(COUNTY, STAFF, 7), N, None),
    ("js-org-relaxation", JS, C2_RELAX, lambda: org(COUNTY, LEADER, 2, books_other=1), M, None),
    ("js-identity-missing", JS, C2_ID, lambda: make(public=150_000, household="北京市东城区"), M, "(1)"),
    ("js-identity-by-unit", JS, C2_ID,
     lambda: make(public=150_000, household="浙江省杭州市", unit=GroupUnit(code="nj", name="南京市作家协会")), E, "(1)"),
]


@pytest.mark.parametrize("case_id, ruleset, clause, build, expected, met", CASES, ids=[c[0] for c in CASES])
def test_clause(case_id, ruleset, clause, build, expected, met):
    result = rules.evaluate(build(), ruleset)
    assert result.outcome == expected, (clause, result.note)
    assert result.met == met, (clause, result.note)
    assert result.detail["outcome"] == expected.value
    if expected == N:
        assert result.note.startswith("最接近"), result.note
        assert "还差" in result.note or "须为" in result.note or "未满足" in result.note


def _clauses_of(rs: rules.RuleSet) -> list[str]:
    texts = [t.clause for t in rs.tracks.values()] + [c.clause for t in rs.tracks.values() for c in t.conditions]
    texts += [t.relaxation.clause for t in rs.tracks.values() if t.relaxation]
    texts += [c.clause for c in rs.checks] + ([rs.exemption.clause] if rs.exemption else [])
    return texts


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


QUOTES = sorted({(c[0], c[1], c[2]) for c in CASES})


@pytest.mark.parametrize("case_id, ruleset, clause", QUOTES)
def test_quotes_are_in_the_rule_data(case_id, ruleset, clause):
    """Each quoted clause is in the rule set data (no files outside the repository needed)."""
    rs = rules.RULESETS[ruleset]
    if clause != C1_5 and clause != C2_6:  # (5)/(6) film clauses are applied by the measures, not a condition
        whole = _norm(" ".join(_clauses_of(rs)))
        # criticism/translation/editing conditions quote the clause without its heading number
        assert _norm(clause) in whole or any(_norm(t) in _norm(clause) for t in _clauses_of(rs) if len(t) > 12)


def test_quotes_are_in_the_seed_files():
    """Each quoted clause is in the seed it was copied from (001 / 002 in ../shared/seeds, outside the
    repository).  Without them: one warning in the summary, not a silent skip per clause."""
    seeds = {rs: next(SEEDS.glob(pattern), None) if SEEDS.exists() else None
             for rs, pattern in ((CWA, "001_*.txt"), (JS, "002_*.txt"))}
    if None in seeds.values():
        warnings.warn(f"seed files not found in {SEEDS}: {len(QUOTES)} quoted clauses NOT checked against the "
                      "rules' text (they are checked against the rule sets)", stacklevel=1)
        return
    text = {rs: _norm(seed.read_text(encoding="utf-8")) for rs, seed in seeds.items()}
    assert [(case_id, clause) for case_id, ruleset, clause in QUOTES if _norm(clause) not in text[ruleset]] == []


# ---------------------------------------------------------------- what does not count


def test_edited_and_co_authored_books_not_counted():
    """002 申请填写 2.：「编著、合著作品及非文学性图书不作为申报作品」; 001 ：「非文学性图书、编著类图书不作为申请作品」."""
    app = make(books=[book(resp=Responsibility.sole, title="独著"), book(resp=Responsibility.edited, title="编著集")])
    result = rules.evaluate(app, JS)
    assert result.outcome == N  # C2_3 needs 2 books; the 编著 one is not counted
    assert "出版专集《编著集》：编著作品，不计入" in result.detail["excluded"]
    for extra, why in [(book(resp=Responsibility.co, title="合"), "合著作品"),
                       (book(is_literary=False, title="菜谱"), "非文学性图书"),
                       (book(mainland=False, title="港版"), "非中国大陆出版")]:
        app.books = [book(title="独著"), extra]
        r = rules.evaluate(app, JS)
        assert r.outcome == N and any(why in e for e in r.detail["excluded"]), r.detail["excluded"]
    app.books = [book(title="独著"), book(title="又一部")]
    assert rules.evaluate(app, JS).outcome == E


def test_translated_books_count_only_for_translation_track():
    app = make(books=translated_books(2))
    assert rules.evaluate(app, JS).outcome == N  # not 独立创作 for the creative track
    app.track, app.professional_title = Track.translation, INTER
    assert rules.evaluate(app, JS).outcome == E


def test_anthology_and_internal_journal_not_counted():
    """002：「多人合集、选本收录、文学内刊发表的作品不作为申报作品」."""
    app = make(public=100_000, pubs=[pub(50_000, Level.anthology, title="合集"), pub(1, Level.internal, title="内刊")])
    result = rules.evaluate(app, JS)
    assert result.outcome == N
    assert "发表作品《合集》：多人合集/选本，不计入" in result.detail["excluded"]
    assert "发表作品《内刊》：内部刊物，不计入" in result.detail["excluded"]
    app.publications[1].circulation = Circulation.public
    assert rules.evaluate(app, JS).outcome == E


def test_short_web_piece_excluded_in_jiangsu_only():
    """002：「但不包括在网上发表少于5万字的短篇小说、纪实文学、新闻综述、散文和诗歌等」."""
    pieces = [web(460_000, 1000, title="长篇"), web(40_000, 1000, title="短篇")]
    js = rules.evaluate(make(webs=pieces, books_other=1), JS)
    assert js.outcome == N
    assert "网络作品《短篇》：少于50,000字，不计入" in js.detail["excluded"]
    assert "还差 40,000 字平均订阅量1000以上的原创完本网络作品" in js.note
    pieces[1].word_count = 50_000
    assert rules.evaluate(make(webs=pieces, books_other=1), JS).outcome == E
    # the national rules have no such floor: a 40,000-character piece counts toward (4)
    national = rules.evaluate(make(webs=[web(1_960_000, 5000), web(40_000, 5000)]), CWA)
    assert national.outcome == E and national.met == "(4)"


def test_poetry_lines_convert_at_ten_lines_per_thousand_characters():
    """001 (1)：「诗歌按10行1000字计」."""
    poem = pub(level=Level.provincial, lines=1234)
    assert poem.counted_characters == 123_400
    poem_with_words = pub(999, level=Level.provincial, lines=10)
    assert poem_with_words.counted_characters == 1000  # lines win over a word count
    detail = rules.evaluate(make(pubs=[poem, pub(5_000)]), CWA).detail
    totals = {t["key"]: t["value"] for t in detail["totals"]}
    assert totals["chars"] == 128_400 and totals["chars_provincial"] == 123_400


# ---------------------------------------------------------------- manual outcomes


def test_books_before_2003_need_a_person_when_the_result_depends_on_them():
    old = book(PublisherLevel.provincial, title="旧作", published_on=dt.date(2001, 5, 1))
    result = rules.evaluate(make(books_prov=1, books_other=1, books=[old]), CWA)
    assert result.outcome == M and result.met == "(3)"
    assert "依赖2003年以前出版的图书《旧作》（无CIP数据），需人工核验" in result.note
    # with enough books from 2003 on, the old one does not matter
    result = rules.evaluate(make(books_prov=2, books_other=1, books=[old]), CWA)
    assert result.outcome == E
    # 2003-01-01 itself has CIP records
    new = book(PublisherLevel.provincial, title="新作", published_on=dt.date(2003, 1, 1))
    assert rules.evaluate(make(books_prov=1, books_other=1, books=[new]), CWA).outcome == E


def test_national_rules_have_no_quantity_exemption():
    app = make(public=1000, reprints=[Reprint(title="转", national_key=True)], exemption_claim="获奖")
    assert rules.evaluate(app, CWA).outcome == N


def test_missing_track_is_manual_and_unknown_ruleset_raises():
    assert rules.evaluate(make(track=None), CWA).outcome == M
    with pytest.raises(rules.UnknownRuleset):
        rules.evaluate(make(), "no-such-rules")


def test_unsaved_rows_use_column_defaults():
    """Unsaved rows have None for booleans; the defaults (licensed, original, literary, mainland) apply."""
    app = make(books=[Book(title="甲", responsibility=Responsibility.sole), Book(title="乙", responsibility=Responsibility.sole)])
    assert rules.evaluate(app, JS).outcome == E
    w = WebWork(title="网", word_count=W1M, avg_subscriptions=3000)  # completed defaults to False
    assert rules.evaluate(make(webs=[w]), JS).outcome == N
    w.completed = True
    assert rules.evaluate(make(webs=[w]), JS).outcome == E


# ---------------------------------------------------------------- the explanation


def test_explanation_of_a_met_condition():
    result = rules.evaluate(make(books_prov=2, books_other=1), CWA)
    assert result.note == "符合第(3)项：出版独立创作文学作品3部（省级及以上2部）"


def test_explanation_of_the_nearest_condition():
    result = rules.evaluate(make(prov=118_000, public=182_000), CWA)
    assert result.outcome == N
    assert result.note == "最接近第(1)项，还差 32,000 字省级及以上发表"
    assert result.nearest == "(1)" and result.detail["nearest"] == "(1)"


def test_explanation_lists_every_missing_requirement():
    result = rules.evaluate(make(Track.translation, professional_title=INTER), CWA)
    assert result.note == ("最接近文学翻译条件，专业技术职称须为副高及以上（现为中级）；"
                           "还差 2 部出版的独立翻译作品或还差 200,000 字省级及以上报刊及中文核心期刊发表的翻译作品")


def test_explanation_of_manual_outcomes():
    national = rules.evaluate(org(COUNTY, LEADER, 4), CWA)
    assert national.note == ("组织工作第(1)项（请对照《中国作家协会个人会员申请审批办法》原文），需人工判断"
                             "（按数量：最接近组织工作第(2)项，还差 1 年在地市级或区县级作协、文联担任主要领导职务）")
    js = rules.evaluate(make(public=1000, reprints=[Reprint(title="转", national_key=True)]), JS)
    assert js.note.startswith("申报全国重点文学期刊转载或省级以上重要文学奖项，对发表数量不作硬性要求，需人工判断（按数量：")


def test_detail_holds_totals_and_per_condition_results():
    detail = rules.evaluate(make(prov=100_000, public=20_000, books_prov=1, webs=[web(600_000, 3500), web(800_000, 200)]), JS).detail
    totals = {t["key"]: t["value"] for t in detail["totals"]}
    assert totals["lvl:provincial"] == 100_000 and totals["lvl:public"] == 20_000 and totals["chars"] == 120_000
    assert totals["books"] == 1 and totals["books_provincial"] == 1
    assert totals["web:3000"] == 600_000 and totals["web:0"] == 800_000 and totals["web:5000"] == 0
    assert [c["key"] for c in detail["conditions"]] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    c5 = detail["conditions"][4]
    assert c5["met"] is True and c5["requirements"][0]["value"] == 600_000
    assert detail["ruleset"] == JS and detail["track"] == "creation"
    import json
    json.dumps(detail)  # storable in the JSON column


def test_a_third_association_is_data():
    """A new rule set is a RuleSet value; the evaluator needs no change."""
    rs = rules.RuleSet(
        name="test-assoc", title="测试协会办法",
        tracks={Track.creation: rules.TrackRules(Track.creation, "创作", (
            rules.Condition("(1)", "第(1)项", "发表不少于8万字", (rules.Requirement("chars", 80_000),),
                            "发表{chars:,}字"),))},
    )
    rules.RULESETS[rs.name] = rs
    try:
        assert rules.evaluate(make(public=80_000), "test-assoc").note == "符合第(1)项：发表80,000字"
        assert rules.evaluate(make(public=79_999), "test-assoc").outcome == N
    finally:
        del rules.RULESETS[rs.name]


def test_every_rule_set_names_only_known_measures():
    for rs in rules.RULESETS.values():
        rules.validate(rs)  # raises InvalidRuleset naming what is wrong


def test_a_rule_set_naming_an_unknown_measure_is_refused():
    rs = rules.RuleSet(
        name="broken", title="测试协会办法",
        tracks={Track.creation: rules.TrackRules(Track.creation, "创作", (
            rules.Condition("(1)", "第(1)项", "发表不少于8万字", (rules.Requirement("charz", 80_000),),
                            "发表{chars:,}字，{pages}页"),
            rules.Condition("(2)", "第(2)项", "网络作品", (rules.AnyOf((rules.Requirement("web_chars(3000", 1),)),))),
        ), Track.editing: rules.TrackRules(Track.criticism, "批评", ())},
        checks=(rules.Check("in_regio", "身份", "未满足"),),
    )
    with pytest.raises(rules.InvalidRuleset) as refused:
        rules.validate(rs)
    assert str(refused.value).splitlines() == [
        "资格规则「broken」有误：",
        "文学创作 第(1)项：未知的度量「charz」",
        "文学创作 第(1)项 说明：未知的度量「pages」",
        "文学创作 第(2)项：未知的度量「web_chars(3000」",
        "文学编辑：键与所列类别（文学理论批评）不一致",
        "前置条件：未知的度量「in_regio」",
    ]


def _imported(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_evaluation_cannot_reach_the_database():
    """The evaluator and what it reads (schema, rule sets, measures) import no SQLAlchemy and no storage or audit:
    only ``storage`` writes (issue 19.1)."""
    from wxk_admin.domain.rules import evaluation, measures, rulesets, schema

    for module in (schema, rulesets, measures, evaluation):
        writers = {m for m in _imported(module) if m.split(".")[0] == "sqlalchemy"
                   or m.rsplit(".", 1)[-1] in ("storage", "audit", "extensions")}
        assert writers == set(), module.__name__


# ---------------------------------------------------------------- property: more qualifying work never hurts

levels = st.sampled_from([Level.public, Level.provincial, Level.core, Level.national_key,
                          Level.internal, Level.anthology])
pub_st = st.builds(lambda c, lv, lines: pub(c, lv, lines=lines),
                   st.integers(0, 200_000), levels, st.one_of(st.none(), st.integers(0, 2000)))
book_st = st.builds(lambda lv, resp, year: book(lv, resp, published_on=dt.date(year, 1, 1) if year else None),
                    st.sampled_from(list(PublisherLevel)), st.sampled_from(list(Responsibility)),
                    st.one_of(st.none(), st.integers(1990, 2024)))
web_st = st.builds(lambda c, s, done: web(c, s, completed=done),
                   st.integers(0, 2_500_000), st.integers(0, 8000), st.booleans())
qualifying = st.one_of(
    st.builds(lambda c, lv: pub(c, lv), st.integers(1, 200_000),
              st.sampled_from([Level.public, Level.provincial, Level.national_key])),
    st.builds(lambda lv, year: book(lv, published_on=dt.date(year, 6, 1)),
              st.sampled_from(list(PublisherLevel)), st.integers(1995, 2024)),
    st.builds(lambda c, s: web(c, s), st.integers(1, 2_500_000), st.integers(0, 8000)),
    st.builds(lambda c: FilmWork(title="剧", word_count=c, screened=True), st.integers(1, 200_000)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pubs=st.lists(pub_st, max_size=5), books=st.lists(book_st, max_size=4), webs=st.lists(web_st, max_size=3),
       extra=qualifying, ruleset=st.sampled_from([CWA, JS]))
def test_adding_a_qualifying_work_never_turns_eligible_into_not_eligible(pubs, books, webs, extra, ruleset):
    def build(with_extra: bool) -> Application:
        rows = {Publication: [], Book: [], WebWork: [], FilmWork: []}
        if with_extra:
            rows[type(extra)].append(extra)
        return make(pubs=pubs + rows[Publication], books=books + rows[Book], webs=webs + rows[WebWork],
                    films=rows[FilmWork])

    before = rules.evaluate(build(False), ruleset)
    after = rules.evaluate(build(True), ruleset)
    if before.outcome == E:
        assert after.outcome == E, (before.note, after.note)
    if before.outcome != N:
        assert after.outcome != N, (before.note, after.note)
