"""协会配置 — one data file per association (``cwa.toml``, ``jiangsu.toml``): its names, group-member units,
direct route, calendar, 门类, rule set, form and wording.  ``WXK_ASSOCIATION`` names a built-in profile or
is the path of a ``.toml`` file; ``load`` validates it at start-up and refuses a bad one with a Chinese
message naming the field.

Domain code reads the profile of a cycle's association with ``of(cycle.association)``; views and templates
read the deployment's (``association`` in every template).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

# Only the rule sets' names (the registry), not the evaluator: profiles load before anything evaluates.
from ..domain.rules.rulesets import RULESETS
from ..enums import Category, LabelledEnum, Role, UnitKind

HERE = Path(__file__).resolve().parent
DEFAULT = "cwa"


class ProfileError(ValueError):
    """A profile that cannot run: the message is Chinese and names the file and the field."""


@dataclass(frozen=True)
class Names:
    association: str    # 中国作家协会 / 江苏省作家协会
    short: str          # 中国作协 / 江苏省作协
    office: str         # 创联部会员处 / 联络部
    office_short: str   # 会员处 / 联络部
    site: str           # 中国作家网 / 江苏作家网
    platform: str       # the console's title


@dataclass(frozen=True)
class Rules:
    ruleset: str
    recommenders: int
    identity: str
    direct_route: str
    direct_route_note: str


@dataclass(frozen=True)
class Calendar:
    """Month-day pairs of a new 申请年度's windows."""
    fill_start: tuple[int, int]
    fill_end: tuple[int, int]
    materials_deadline: tuple[int, int]
    review_start: tuple[int, int]
    review_end: tuple[int, int]

    def dates(self, year: int) -> dict[str, dt.date]:
        return {name: dt.date(year, *getattr(self, name)) for name in CALENDAR_ORDER}


@dataclass(frozen=True)
class Form:
    title: str
    photos: int
    copies: int
    double_sided: bool
    declaration: str


@dataclass(frozen=True)
class Review:
    expert_pool: str
    supervision: str


@dataclass(frozen=True)
class Public:
    title: str
    notice: str
    members: str


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: UnitKind


@dataclass(frozen=True)
class Profile:
    code: str
    names: Names
    rules: Rules
    calendar: Calendar
    form: Form
    review: Review
    notification_admitted: str
    public: Public
    materials: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]   # (门类 code, this association's label), in its order
    units: tuple[Unit, ...]
    story_units: tuple[str, ...]              # the demo story's units (wxk demo)
    source: str
    wording: tuple[tuple[str, str], ...] = ()  # the platform's (national) words → this association's

    def say(self, text):
        """The platform's own text in this association's words: its office for 创联部会员处 / 会员处, and its
        ``[wording]`` (Jiangsu: 专家评审 for 专家咨询).  Only for our texts — never for what users typed."""
        if not text or not self.wording:
            return text
        words = dict(self.wording)
        return _pattern(self.wording).sub(lambda m: words[m.group(0)], str(text))

    def category_label(self, value) -> str:
        value = getattr(value, "value", value)
        return dict(self.categories).get(value) or Category.label_of(value)

    def label(self, value):
        """A vocabulary member as this association says it: its office (角色 office) and its 门类 labels."""
        if value == Role.office and isinstance(value, Role):
            return self.names.office
        if isinstance(value, Category):
            return self.category_label(value)
        return self.say(value.label) if isinstance(value, LabelledEnum) else value

    def relabel(self, vocabulary, choices):
        """A choice list of ``vocabulary`` (any enum: 角色, 门类, 状态…) with this association's labels."""
        members = vocabulary._value2member_map_
        return [(code, self.label(members[code]) if code in members else text) for code, text in choices]


@functools.lru_cache(maxsize=8)
def _pattern(wording) -> re.Pattern:
    # longest first: 创联部会员处 is replaced whole, not as 创联部 + 会员处
    return re.compile("|".join(re.escape(old) for old, _ in sorted(wording, key=lambda w: -len(w[0]))))


CALENDAR_ORDER = ("fill_start", "fill_end", "materials_deadline", "review_start", "review_end")
_REQUIRED_TEXT = {
    "names": ("association", "short", "office", "office_short", "site", "platform"),
    "rules": ("ruleset", "identity", "direct_route", "direct_route_note"),
    "form": ("title",),
    "public": ("title", "notice", "members"),
}


class _Reader:
    """Reads fields of one file; every refusal names the file and the field path."""

    def __init__(self, data: dict, source: str):
        self.data, self.source = data, source

    def fail(self, path: str, problem: str):
        raise ProfileError(f"协会配置 {self.source} 有误：{path} {problem}")

    def get(self, path: str, kind=str, default=None, required=True):
        node = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                if not required:
                    return default
                self.fail(path, "缺少此项（必填）")
            node = node[part]
        if kind is str and (not isinstance(node, str) or (required and not node.strip())):
            self.fail(path, "须为非空文字")
        if kind is int and (not isinstance(node, int) or isinstance(node, bool) or node < 0):
            self.fail(path, "须为不小于 0 的整数")
        if kind is bool and not isinstance(node, bool):
            self.fail(path, "须为 true 或 false")
        if kind is list and not isinstance(node, list):
            self.fail(path, "须为列表")
        if kind is dict and not isinstance(node, dict):
            self.fail(path, "须为表（[节]）")
        return node.strip() if kind is str else node

    def month_day(self, path: str) -> tuple[int, int]:
        text = self.get(path)
        try:
            day = dt.datetime.strptime(f"2024-{text}", "%Y-%m-%d")  # a leap year: 02-29 is a valid default
        except ValueError:
            self.fail(path, f"「{text}」不是有效的月-日（例如 06-01）")
        return day.month, day.day


def _read(data: dict, source: str) -> Profile:
    r = _Reader(data, source)
    code = r.get("code")
    texts = {section: {f: r.get(f"{section}.{f}") for f in fields} for section, fields in _REQUIRED_TEXT.items()}
    ruleset = texts["rules"]["ruleset"]
    if ruleset not in RULESETS:
        r.fail("rules.ruleset", f"「{ruleset}」不是已有的资格规则（可选：{'、'.join(sorted(RULESETS))}）")
    calendar = Calendar(**{name: r.month_day(f"calendar.{name}") for name in CALENDAR_ORDER})
    for earlier, later in zip(CALENDAR_ORDER, CALENDAR_ORDER[1:]):
        if getattr(calendar, later) < getattr(calendar, earlier):
            r.fail(f"calendar.{later}", f"早于 calendar.{earlier}：年度日程须按先后顺序填写")
    units, seen = [], {}
    for i, raw in enumerate(r.get("units", list)):
        unit = _Reader(raw if isinstance(raw, dict) else {}, source)
        unit_code, name = (_field(unit, f"units[{i}]", key) for key in ("code", "name"))
        kind = _field(unit, f"units[{i}]", "kind")
        if kind not in (UnitKind.regional.value, UnitKind.industry.value):
            r.fail(f"units[{i}].kind", f"「{kind}」须为 regional（地方作协）或 industry（行业作协）")
        if unit_code in seen:
            r.fail(f"units[{i}].code", f"单位代码「{unit_code}」重复（与 units[{seen[unit_code]}] 相同）")
        seen[unit_code] = i
        units.append(Unit(unit_code, name, UnitKind(kind)))
    if not units:
        r.fail("units", "至少须有一个团体会员单位")
    categories = []
    for i, raw in enumerate(r.get("categories", list)):
        entry = _Reader(raw if isinstance(raw, dict) else {}, source)
        value, label = _field(entry, f"categories[{i}]", "code"), _field(entry, f"categories[{i}]", "label")
        if value not in Category._value2member_map_:
            r.fail(f"categories[{i}].code", f"「{value}」不是平台的门类代码（可选：{'、'.join(c.value for c in Category)}）")
        if value in dict(categories):
            r.fail(f"categories[{i}].code", f"门类「{value}」重复")
        categories.append((value, label))
    if not categories:
        r.fail("categories", "至少须有一个门类")
    story = tuple(r.get("demo.story_units", list, default=[u.code for u in units[:8]], required=False))
    for i, unit_code in enumerate(story):
        if unit_code not in seen:
            r.fail(f"demo.story_units[{i}]", f"「{unit_code}」不在 units 中")
    wording = {"创联部会员处": texts["names"]["office"], "会员处": texts["names"]["office_short"]}
    extra = r.get("wording", dict, {}, required=False)
    for old, new in extra.items():
        if not isinstance(new, str) or not new.strip():
            r.fail(f"wording.{old}", "须为非空文字")
        wording[old] = new.strip()
    return Profile(
        code=code, names=Names(**texts["names"]),
        rules=Rules(recommenders=r.get("rules.recommenders", int), **texts["rules"]),
        calendar=calendar,
        form=Form(title=texts["form"]["title"], photos=r.get("form.photos", int, 0, required=False),
                  copies=r.get("form.copies", int, 1, required=False),
                  double_sided=r.get("form.double_sided", bool, False, required=False),
                  declaration=r.get("form.declaration", str, "", required=False)),
        review=Review(expert_pool=r.get("review.expert_pool"),
                      supervision=r.get("review.supervision", str, "", required=False)),
        notification_admitted=r.get("notification.admitted"),
        public=Public(**texts["public"]),
        materials=tuple(str(m) for m in r.get("materials", list)),
        categories=tuple(categories), units=tuple(units), story_units=story, source=source,
        wording=tuple((old, new) for old, new in wording.items() if old != new),
    )


def _field(reader: _Reader, prefix: str, key: str) -> str:
    value = reader.data.get(key)
    if not isinstance(value, str) or not value.strip():
        reader.fail(f"{prefix}.{key}", "缺少此项（必填）")
    return value.strip()


_LOADED: dict[str, Profile] = {}


def load(name_or_path: str | None) -> Profile:
    """The profile ``WXK_ASSOCIATION`` names: a built-in name (``cwa``, ``jiangsu``) or a ``.toml`` path.
    Once loaded, ``of(profile.code)`` returns it."""
    name = (name_or_path or DEFAULT).strip()
    path = Path(name) if name.endswith(".toml") else HERE / f"{name}.toml"
    if not path.is_file():
        builtin = "、".join(sorted(p.stem for p in HERE.glob("*.toml")))
        raise ProfileError(f"协会配置 WXK_ASSOCIATION=「{name}」找不到：可用 {builtin}，或给出 .toml 文件的路径")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"协会配置 {path.name} 不是有效的 TOML 文件：{exc}") from None
    profile = _read(data, path.name)
    _LOADED[profile.code] = profile
    return profile


def category_named(label: str) -> str | None:
    """The 门类 code an association's own word names (江苏: 文学评论 is ``criticism``), from the loaded profiles."""
    return next((code for profile in _LOADED.values() for code, own in profile.categories if own == label), None)


def of(code: str | None) -> Profile:
    """The profile of an association code (a cycle's or a unit's ``association``); built-ins load on demand."""
    code = code or DEFAULT
    if code not in _LOADED:
        load(code if (HERE / f"{code}.toml").is_file() else DEFAULT)
    return _LOADED.get(code) or _LOADED[DEFAULT]
