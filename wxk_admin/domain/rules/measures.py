"""Facts computed from an application's rows: what counts, and the measures rule sets name.

Measures (``MEASURES``) are small functions of the application's rows that
apply what counts (独立创作 / 中国大陆 / 文学 books; 全国公开发行 venues, not
内刊 or 合集; poems at 10 lines = 1000 characters; licensed, original,
completed web works; screened film works as published).  They read an
Application or any object with the same attributes (unsaved rows too) and
change nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from ...enums import (
    Circulation,
    OrganisationLevel,
    OrganisationPost,
    ProfessionalTitle,
    PublisherLevel,
    Responsibility,
)
from ...models import FACT_SECTIONS
from .schema import RuleSet, split_measure


def _flag(value, default: bool) -> bool:
    """A boolean column of a possibly unsaved row (column defaults apply only on INSERT)."""
    return default if value is None else bool(value)


def as_enum(enum_cls, value):
    """The member of ``enum_cls`` that ``value`` names; None when it is empty or names none."""
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
            resp = as_enum(Responsibility, book.responsibility)
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
            circulation = as_enum(Circulation, getattr(pub, "circulation", None))
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
        rows = [b for b in rows if as_enum(PublisherLevel, b.publisher_level) == PublisherLevel.provincial]
    return len(rows)


def _org(facts: Facts, arg: str, years: bool) -> int:
    levels_text, _, posts_text = arg.partition("/")
    levels = {OrganisationLevel(x) for x in levels_text.split(",") if x}
    posts = {OrganisationPost(x) for x in posts_text.split(",") if x} or set(OrganisationPost)
    app = facts.app
    if as_enum(OrganisationLevel, app.organisation_level) not in levels:
        return 0
    if as_enum(OrganisationPost, app.organisation_post) not in posts:
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
                          lambda f, a: (as_enum(ProfessionalTitle, f.app.professional_title)
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

def measure_of(name: str) -> tuple[Measure, str | None]:
    parts = split_measure(name)
    if parts is None or parts[0] not in MEASURES:
        raise KeyError(f"未知的度量：{name}")
    return MEASURES[parts[0]], parts[1]


class Values(dict):
    """Measure values computed on demand (also the mapping ``Condition.summary`` is formatted with)."""

    def __init__(self, facts: Facts):
        super().__init__()
        self.facts = facts

    def __missing__(self, name: str):
        if name == "title_label":
            value = (as_enum(ProfessionalTitle, self.facts.app.professional_title) or ProfessionalTitle.none).label
        else:
            measure, arg = measure_of(name)
            value = int(measure.func(self.facts, arg))
        self[name] = value
        return value


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


def totals(facts: Facts, values: Values) -> list[dict]:
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
