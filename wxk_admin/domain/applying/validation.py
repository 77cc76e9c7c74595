"""Checking an application's values: formats, required fields (per track and route), what blocks submission."""
from __future__ import annotations

import datetime as dt

from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

from ... import profiles
from .. import id_numbers, layout
from ..cip_sources import try_cip_no
from ...enums import Track
from ...models import Application
from .fields import (EMAIL_RE, MOBILE_RE, POSTCODE_RE, SCALAR_SPECS, SECTION_SPECS, SECTIONS, Cleaned, FieldSpec,
                     Problems, application_values)

# Required fields are declared on the columns (models.meta(required=...)): always, or for some tracks —
# 001 一.3/4: 文学翻译、文学编辑 「应具有副高以上专业技术职称」; 编辑 「从事文学编辑工作8年以上」.
BASE_REQUIRED = layout.required_keys(Application)
ROW_REQUIRED = {section: layout.required_keys(model) for section, model in SECTIONS.items()}
TRACK_REQUIRED = {Track(track): keys for track, keys in layout.required_by_track(Application).items()}
RECOMMENDERS_NEEDED = 2  # 001 二.2: 「并由两名中国作协个人会员推荐」


def _spec_of(key: str, section: str | None = None) -> FieldSpec:
    specs = SECTION_SPECS[section] if section else SCALAR_SPECS
    return next(s for s in specs if s.key == key)


def _missing(value) -> bool:
    return value is None or value == ""


def format_problems(values: dict, today: dt.date) -> Problems:
    """What is wrong with the values given (empty fields are not checked here)."""
    problems = Problems()
    id_number = values.get("id_number")
    if id_number:
        wrong = id_numbers.problem(id_number, today)
        if wrong:
            problems.add("id_number", wrong)
        else:
            birth = values.get("birth_date")
            born = id_numbers.birth_date(id_number)
            if birth and born != birth:
                problems.add("birth_date", f"出生日期与身份证号中的出生日期（{born.isoformat()}）不一致")
    mobile = values.get("mobile")
    if mobile and not MOBILE_RE.match(mobile):
        problems.add("mobile", "请填写 11 位中国大陆手机号码")
    email = values.get("email")
    if email and not EMAIL_RE.match(email):
        problems.add("email", "电子邮箱格式不正确")
    postcode = values.get("postcode")
    if postcode and not POSTCODE_RE.match(postcode):
        problems.add("postcode", "邮编应为 6 位数字")

    def dates(prefix: str, specs, row: dict):
        for spec in specs:
            value = row.get(spec.key)
            if spec.kind == "date" and isinstance(value, dt.date) and value > today:
                problems.add(prefix + spec.key, "日期不能晚于今天")

    dates("", SCALAR_SPECS, values)
    for section, specs in SECTION_SPECS.items():
        for i, row in enumerate(values.get(section) or []):
            dates(f"{section}-{i}-", specs, row)
    for i, row in enumerate(values.get("awards") or []):
        if row.get("year") is not None and row["year"] > today.year:
            problems.add(f"awards-{i}-year", "获奖年份不能晚于今年")
    for i, row in enumerate(values.get("books") or []):
        code = row.get("isbn")
        if code:
            try:
                compact = stdnum_isbn.validate(code)
            except ValidationError:
                problems.add(f"books-{i}-isbn", "ISBN 校验位不正确，请核对（10 位或 13 位）")
            else:
                mainland = row.get("mainland", True)
                if mainland and not (compact.startswith("9787") or len(compact) == 10 and compact.startswith("7")):
                    problems.add(f"books-{i}-isbn", "中国大陆出版的图书 ISBN 应以 978-7 开头")
        cip_no = row.get("cip_no")
        if cip_no:
            canonical, reason = try_cip_no(cip_no)
            if canonical is None:
                problems.add(f"books-{i}-cip_no", "CIP 核字号应按版权页填写，如「(2016)第189798号」，或填写10位数字"
                             + (f"（{reason}）" if reason else ""))
    return problems


def required_problems(values: dict, *, direct_route: bool, association: str | None = None) -> Problems:
    """Required fields: the base ones, those of the track, each row's, and the direct route's recommenders
    (as many as the association's profile asks)."""
    problems = Problems()
    for key in BASE_REQUIRED:
        if _missing(values.get(key)):
            problems.add(key, f"请填写{_spec_of(key).label}")
    track = values.get("track")
    for key in TRACK_REQUIRED.get(track, ()):
        if _missing(values.get(key)):
            problems.add(key, f"主要从事{Track(track).label}的申请者须填写{_spec_of(key).label}")
    for section, keys in ROW_REQUIRED.items():
        for i, row in enumerate(values.get(section) or []):
            for key in keys:
                if _missing(row.get(key)):
                    problems.add(f"{section}-{i}-{key}", f"请填写{_spec_of(key, section).label}")
    if direct_route:
        complete = [r for r in values.get("recommenders") or [] if r.get("name") and r.get("member_no")]
        rules = profiles.of(association).rules
        if len(complete) < rules.recommenders:
            problems.add("recommenders", f"{rules.direct_route_note}，请填写推荐人的姓名和会员证号")
    return problems


def input_problems(cleaned: Cleaned, application: Application | None, today: dt.date, *,
                   direct_route: bool | None = None, changed_only: bool = False) -> Problems:
    """Every problem that blocks submission (or an admin's 修改信息) of what was typed.

    ``changed_only`` (修改信息): a problem the stored application already has, on a field left as it was,
    does not block — data accepted under yesterday's rules must stay editable.
    """
    if direct_route is None:
        direct_route = application is not None and application.unit_id is None
    problems = Problems().merge(cleaned.problems)
    problems.merge(format_problems(cleaned.values, today))
    association = _association(application)
    problems.merge(required_problems(cleaned.values, direct_route=direct_route, association=association),
                   skip_present=True)
    if changed_only and application is not None:
        stored = application_values(application)
        already = format_problems(stored, today).merge(required_problems(stored, direct_route=direct_route,
                                                                         association=association))
        for key in [k for k in problems if k in already and _unchanged(k, cleaned.values, stored)]:
            problems[key] = [m for m in problems[key] if m not in already[key]]
            if not problems[key]:
                del problems[key]
    return problems


# A problem reported on one field that another field's value decides too.
_DEPENDS_ON = {"birth_date": ("birth_date", "id_number")}
_ABSENT = object()


def _value_at(values: dict, key: str):
    """The value a form field name points at (``mobile``, ``books-0-isbn``, ``recommenders``)."""
    parts = key.split("-")
    if len(parts) == 3 and parts[0] in SECTIONS and parts[1].isdigit():
        rows, i = values.get(parts[0]) or [], int(parts[1])
        return rows[i].get(parts[2], _ABSENT) if i < len(rows) else _ABSENT
    return values.get(key, _ABSENT)


def _unchanged(key: str, new: dict, old: dict) -> bool:
    return all(_value_at(new, k) == _value_at(old, k) for k in _DEPENDS_ON.get(key, (key,)))


def draft_warnings(cleaned: Cleaned, today: dt.date) -> Problems:
    """What a saved draft should still fix (format only; missing fields are fine in a draft)."""
    return Problems().merge(cleaned.problems).merge(format_problems(cleaned.values, today))


def submission_problems(session, application: Application, today: dt.date) -> Problems:
    """Field problems of the stored application that block submission."""
    problems = Problems()
    for key, text in (application.draft_input or {}).items():
        problems.add(key, f"「{text}」格式不正确，请修改")
    values = application_values(application)
    problems.merge(format_problems(values, today))
    problems.merge(required_problems(values, direct_route=application.unit_id is None,
                                     association=_association(application)), skip_present=True)
    return problems


def submission_format_problems(application: Application, today: dt.date) -> Problems:
    """What a stored draft should still fix (shown when the form is opened)."""
    problems = Problems()
    for key, text in (application.draft_input or {}).items():
        problems.add(key, f"「{text}」格式不正确，已原样保留，请修改")
    return problems.merge(format_problems(application_values(application), today))


def _association(application: Application | None) -> str | None:
    """The association whose profile applies to ``application`` (its cycle's); None: the default."""
    cycle = getattr(application, "cycle", None)
    return cycle.association if cycle is not None else None
