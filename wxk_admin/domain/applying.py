"""The applicant's side (issue 4): registration, the application's data, drafts, submission, proxy accounts.

Plain functions that take a session and return a result; views stay thin and
the unit admin's 修改信息 reuses the same pieces:

    cleaned = clean(raw)                       # raw form strings → typed values (+ what no column can hold)
    problems = input_problems(cleaned, application, today)   # every message, keyed by form field name
    save_sections(session, application, cleaned.values, actor, reason=..., expected_version=...)

Field names are the form's (``forms.py``): ``id_number``, ``books-0-isbn`` …;
every problem and every audited change uses those names, so a message lands
beside its field and an audit diff reads like the form.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import Boolean, Date, Enum, Integer, String, Text, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.exc import StaleDataError
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

from .. import profiles
from . import checks, id_numbers, layout, passwords, workflow
from .audit import Actor, jsonable, record, send_message
from .cycles import md, window_text
from ..enums import CLOSED_STATUSES, Role, Status, Track
from ..models import Application, Cycle, GroupUnit, User, utcnow
from .workflow import Conflict, TransitionRefused

# ---------------------------------------------------------------- the fields of the form

SCALAR_FIELDS: tuple[str, ...] = layout.FORM_FIELDS  # every form section's fields (models.meta)
SECTIONS: dict[str, type] = dict(layout.form_child_sections())  # models._child(..., form=True)
_CHILD_SKIP = {"id", "application_id", "position"}

# States in which the applicant edits and (re)submits; later states are read-only for them.
EDITABLE_STATES = frozenset({Status.draft, Status.rejected})
# From office confirmation on, the applicant downloads the form and the materials checklist.
DOWNLOAD_STATES = frozenset({Status.office_confirmed, Status.materials_received, Status.expert_review,
                             Status.expert_passed, Status.expert_failed, Status.secretariat_approved,
                             Status.secretariat_rejected, Status.on_notice, Status.admitted})


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str  # str | text | date | int | enum | bool
    length: int | None = None
    enum: type | None = None
    nullable: bool = True


def _spec(column) -> FieldSpec:
    t = column.type
    label = column.info.get("label", column.key)
    if isinstance(t, Enum) and getattr(t, "enum_class", None) is not None:
        return FieldSpec(column.key, label, "enum", enum=t.enum_class, nullable=column.nullable)
    if isinstance(t, Boolean):
        return FieldSpec(column.key, label, "bool", nullable=column.nullable)
    if isinstance(t, Date):
        return FieldSpec(column.key, label, "date", nullable=column.nullable)
    if isinstance(t, Integer):
        return FieldSpec(column.key, label, "int", nullable=column.nullable)
    if isinstance(t, String) and t.length:
        return FieldSpec(column.key, label, "str", length=t.length, nullable=column.nullable)
    if isinstance(t, (Text, String)):
        return FieldSpec(column.key, label, "text", nullable=column.nullable)
    raise TypeError(f"no form field for {column}")


def field_specs(model, keys=None) -> list[FieldSpec]:
    columns = sa_inspect(model).columns
    if keys is None:
        keys = [c.key for c in columns if c.key not in _CHILD_SKIP and c.info.get("form", True) is not False]
    return [_spec(columns[k]) for k in keys]


SCALAR_SPECS: list[FieldSpec] = field_specs(Application, SCALAR_FIELDS)
SECTION_SPECS: dict[str, list[FieldSpec]] = {name: field_specs(model) for name, model in SECTIONS.items()}
SECTION_TITLES: dict[str, str] = {name: model.section_title for name, model in SECTIONS.items()}


def label_of(key: str) -> str:
    """The Chinese label of a form field name (``books-0-isbn`` → 出版专集第1行 ISBN)."""
    for spec in SCALAR_SPECS:
        if spec.key == key:
            return spec.label
    parts = key.split("-")
    if parts[0] in SECTIONS:
        title = SECTION_TITLES[parts[0]]
        if len(parts) >= 2 and parts[1].isdigit():
            row = f"{title}第{int(parts[1]) + 1}行"
            if len(parts) >= 3:
                spec = next((s for s in SECTION_SPECS[parts[0]] if s.key == parts[2]), None)
                return f"{row} {spec.label if spec else parts[2]}"
            return row
        return title
    return key


# ---------------------------------------------------------------- parsing what was typed

class Problems(dict):
    """Form field name → list of Chinese messages."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, [])
        if message not in self[key]:
            self[key].append(message)

    def merge(self, other: dict, *, skip_present: bool = False) -> "Problems":
        for key, messages in other.items():
            if skip_present and key in self:
                continue
            for m in messages:
                self.add(key, m)
        return self


@dataclass
class Cleaned:
    """The typed values of a form, what could not be stored (kept as typed), and format problems."""

    values: dict
    unstored: dict = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)


DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?\s*$")
INT_MAX = 2_000_000_000
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE_RE = re.compile(r"^\d{6}$")
# 「中国版本图书馆CIP数据核字(2016)第189798号」, 「(2016)第189798号」 (any brackets), or the digits.
CIP_PRINTED_RE = re.compile(r"^(?:中国版本图书馆)?(?:CIP数据核字)?[(（\[【〔]\s*(\d{4})\s*[)）\]】〕]\s*第?\s*(\d{1,6})\s*号?$",
                            re.IGNORECASE)


def parse_date(text: str) -> dt.date | None:
    """2020-01-31, 2020/1/31, 2020.01.31, 2020年1月31日; a month alone (2005.04) means its first day."""
    match = DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    return dt.date(year, month, day)


def _local_cip_no(text: str | None) -> str | None:
    compact = re.sub(r"\s+", "", text or "")
    match = CIP_PRINTED_RE.match(compact)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        if not 1980 <= year <= 2100:
            return None
        return f"{year}{number:06d}" if year >= 2000 else f"{year}{number:05d}"
    if compact.isdigit() and (len(compact) == 10 and compact[:2] == "20" or len(compact) == 9 and compact[:2] == "19"):
        return compact
    return None


def cip_no_check(text: str | None) -> tuple[str | None, str | None]:
    """(canonical CIP number, None) or (None, the reason in Chinese); uses the CIP module's reading when present."""
    try:
        from .cip_sources import try_cip_no
    except ImportError:  # the CIP module is optional for this file
        try_cip_no = None
    if try_cip_no is not None:
        canonical, reason = try_cip_no(text)
        if canonical or reason:
            return canonical, reason
        return None, None
    canonical = _local_cip_no(text)
    return (canonical, None) if canonical else (None, "格式不正确")


def normalise_cip_no(text: str | None) -> str | None:
    """The CIP number as year + number (10 digits after 2000, 9 before), or None when malformed."""
    return cip_no_check(text)[0]


def _normalise_mobile(text: str) -> str:
    compact = re.sub(r"[\s-]", "", text)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    return compact


def _parse_value(spec: FieldSpec, raw, key: str, cleaned: Cleaned):
    """The typed value of one field; problems and unstorable text recorded on ``cleaned``."""
    if spec.kind == "bool":
        return bool(raw) and str(raw).lower() not in ("", "0", "false", "off", "n", "no")
    text = "" if raw is None else str(raw).strip()
    if spec.key == "id_number":
        # A final x is the check digit X; anything else stays as typed, so a draft shows what was typed.
        text = text.replace(" ", "")
        if text.endswith("x"):
            text = text[:-1] + "X"
    elif spec.key == "mobile":
        text = _normalise_mobile(text)
    elif spec.key == "isbn" and text:
        try:
            text = stdnum_isbn.validate(text)  # compact digits when valid; checked in check()
        except ValidationError:
            pass
    elif spec.key == "cip_no" and text:
        text = normalise_cip_no(text) or text
    empty = "" if not spec.nullable else None
    if not text:
        return empty
    if spec.kind in ("str", "text"):
        if spec.length and len(text) > spec.length:
            cleaned.problems.add(key, f"不能超过 {spec.length} 个字")
            cleaned.unstored[key] = text
            return empty
        return text
    if spec.kind == "date":
        try:
            return parse_date(text)
        except ValueError:
            cleaned.problems.add(key, "日期格式不正确，请按「2020-01-31」的格式填写")
            cleaned.unstored[key] = text
            return None
    if spec.kind == "int":
        digits = text.replace(",", "").replace("，", "")
        if re.fullmatch(r"\d+", digits) and int(digits) <= INT_MAX:
            return int(digits)
        cleaned.problems.add(key, "请填写不小于 0 的整数")
        cleaned.unstored[key] = text
        return None
    if spec.kind == "enum":
        try:
            return spec.enum(text)
        except ValueError:
            by_label = {m.label: m for m in spec.enum}
            if text in by_label:
                return by_label[text]
            cleaned.problems.add(key, "请从列表中选择")
            cleaned.unstored[key] = text
            return None
    raise TypeError(spec.kind)  # pragma: no cover


def _row_is_blank(specs, row: dict) -> bool:
    return all(not str(row.get(s.key) or "").strip() for s in specs if s.kind != "bool")


def clean(raw: dict) -> Cleaned:
    """Typed values from a form's raw data (``form.data`` of ``forms.ApplicationForm``, or a plain dict).

    Repeating sections are lists of dicts; rows marked ``delete_row`` and blank
    rows are dropped, so row numbers (and field names) follow the kept rows.
    """
    cleaned = Cleaned(values={})
    for spec in SCALAR_SPECS:
        cleaned.values[spec.key] = _parse_value(spec, raw.get(spec.key), spec.key, cleaned)
    for section, specs in SECTION_SPECS.items():
        rows = []
        for row in raw.get(section) or []:
            if not isinstance(row, dict) or row.get("delete_row") or row.get("_delete") or _row_is_blank(specs, row):
                continue
            index = len(rows)
            rows.append({s.key: _parse_value(s, row.get(s.key), f"{section}-{index}-{s.key}", cleaned)
                         for s in specs})
        cleaned.values[section] = rows
    return cleaned


# ---------------------------------------------------------------- checking the values

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
            canonical, reason = cip_no_check(cip_no)
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


# ---------------------------------------------------------------- the application as values

def application_values(application: Application) -> dict:
    values = {spec.key: getattr(application, spec.key) for spec in SCALAR_SPECS}
    for section, specs in SECTION_SPECS.items():
        values[section] = [{s.key: getattr(row, s.key) for s in specs} for row in getattr(application, section)]
    return values


def _jsonable_values(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, list):
            out[key] = [{k: jsonable(v) for k, v in row.items()} for row in value]
        else:
            out[key] = jsonable(value)
    return out


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Changed fields, keyed by form field name; a row added or removed appears whole (``books-2``)."""
    b, a = _jsonable_values(before), _jsonable_values(after)
    old, new = {}, {}
    for key in SCALAR_FIELDS:
        if b.get(key) != a.get(key):
            old[key], new[key] = b.get(key), a.get(key)
    for section in SECTIONS:
        rows_b, rows_a = b.get(section) or [], a.get(section) or []
        for i in range(max(len(rows_b), len(rows_a))):
            rb = rows_b[i] if i < len(rows_b) else None
            ra = rows_a[i] if i < len(rows_a) else None
            if rb is None or ra is None:
                old[f"{section}-{i}"], new[f"{section}-{i}"] = rb, ra
                continue
            for k in ra:
                if rb.get(k) != ra.get(k):
                    old[f"{section}-{i}-{k}"], new[f"{section}-{i}-{k}"] = rb.get(k), ra.get(k)
    return old, new


def _as_version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass
class SaveResult:
    changed: bool
    before: dict
    after: dict


def save_sections(session, application: Application, values: dict, actor: Actor, reason: str | None = None, *,
                  unstored: dict | None = None, action: str | None = "edit", expected_version: int | None = None
                  ) -> SaveResult:
    """Write the application's fields and child rows from ``values`` (``clean(...).values``).

    Records ONE audit event (``action``) with before/after of every changed field,
    child rows included (none with ``action=None``: the caller records the returned
    changes with what it does next), and recomputes derived data (``checks.refresh``).  Does
    not check who may edit: the caller has scoped the application (the applicant's
    own draft; a unit admin's 修改信息 through ``access``).  The caller commits.
    ``unstored`` (text no column could hold) is kept in ``draft_input``.
    """
    if expected_version is not None and _as_version(expected_version) != application.version:
        raise Conflict()
    before = application_values(application)
    for spec in SCALAR_SPECS:
        if spec.key in values:
            setattr(application, spec.key, values[spec.key])
    for section, model in SECTIONS.items():
        if section not in values:
            continue
        existing = list(getattr(application, section))
        rows = values[section]
        collection = getattr(application, section)
        for i, row in enumerate(rows):
            if i < len(existing):
                target = existing[i]
            else:
                target = model()
                collection.append(target)
            target.position = i
            for key, value in row.items():
                setattr(target, key, value)
        for extra in existing[len(rows):]:
            collection.remove(extra)
    after = application_values(application)
    old, new = diff(before, after)
    new_unstored = dict(unstored) if unstored else None
    if (application.draft_input or None) != new_unstored:
        old["draft_input"], new["draft_input"] = application.draft_input, new_unstored
        application.draft_input = new_unstored
    changed = bool(old or new)
    if changed:
        application.updated_at = utcnow()  # bumps the version even when only child rows changed
        try:
            session.flush()
        except StaleDataError as exc:
            raise Conflict() from exc
        if action:
            record(session, actor, action, application, application_id=application.id, before=old, after=new,
                   reason=reason)
    checks.refresh(session, application)
    session.flush()
    return SaveResult(changed, old, new)


# ---------------------------------------------------------------- who acts

# ---------------------------------------------------------------- the applicant's application

class NotYours(TransitionRefused):
    def __init__(self):
        super().__init__("申请不存在或无权访问")


def own_application(session, user: User, application_id) -> Application | None:
    """The application with this id if it is ``user``'s own (never anyone else's)."""
    try:
        app_id = int(application_id)
    except (TypeError, ValueError):
        return None
    return session.scalar(select(Application).where(Application.id == app_id, Application.applicant_id == user.id))


def application_in_cycle(session, user: User, cycle: Cycle | None) -> Application | None:
    if cycle is None:
        return None
    return session.scalars(select(Application).where(Application.applicant_id == user.id,
                                                     Application.cycle_id == cycle.id)
                           .order_by(Application.id.desc())).first()


def previous_application(session, user: User, cycle: Cycle) -> Application | None:
    """The applicant's latest application of an earlier cycle (for 复制上一年度申请)."""
    return session.scalars(
        select(Application).join(Cycle, Cycle.id == Application.cycle_id)
        .where(Application.applicant_id == user.id, Application.cycle_id != cycle.id, Cycle.year <= cycle.year)
        .order_by(Cycle.year.desc(), Application.id.desc())).first()


def start_application(session, user: User, cycle: Cycle, actor: Actor) -> Application:
    """A new draft in ``cycle`` for ``user`` (one per applicant per cycle)."""
    if user.role != Role.applicant:
        raise TransitionRefused("只有申请者账户可以填写入会申请")
    if cycle is None:
        raise TransitionRefused("当前没有开放的申请年度")
    existing = application_in_cycle(session, user, cycle)
    if existing is not None:
        return existing
    application = Application(cycle_id=cycle.id, unit_id=user.unit_id, applicant_id=user.id, status=Status.draft,
                              name=user.full_name or "", mobile=user.mobile)
    session.add(application)
    session.flush()
    record(session, actor, "create_application", application, application_id=application.id,
           to_state=Status.draft)
    return application


def copy_previous(session, applicant: User, cycle: Cycle, actor: Actor | None = None) -> Application:
    """复制上一年度申请: a new draft in ``cycle`` prefilled from the latest earlier application."""
    actor = actor or Actor(applicant)
    if application_in_cycle(session, applicant, cycle) is not None:
        raise TransitionRefused("本年度已有入会申请，无需复制")
    source = previous_application(session, applicant, cycle)
    if source is None:
        raise TransitionRefused("没有可复制的上一年度申请")
    application = start_application(session, applicant, cycle, actor)
    save_sections(session, application, application_values(source), actor, action="copy_previous",
                  reason=f"复制自{source.cycle.name}的申请")
    return application


def _check_own_editable(application: Application, actor: Actor) -> None:
    user = actor.acting_as
    if user is None or application.applicant_id != user.id:
        raise NotYours()
    if application.status not in EDITABLE_STATES:
        raise TransitionRefused(f"申请当前状态为「{Status(application.status).label}」，不能修改")


def save_draft(session, application: Application, data: dict, actor: Actor, *, today: dt.date | None = None,
               expected_version: int | None = None) -> tuple[Cleaned, Problems]:
    """保存草稿: keep everything typed (valid or not); return the cleaned data and the warnings to show."""
    _check_own_editable(application, actor)
    today = today or dt.date.today()
    cleaned = data if isinstance(data, Cleaned) else clean(data)
    save_sections(session, application, cleaned.values, actor, unstored=cleaned.unstored, action="save_draft",
                  expected_version=expected_version)
    return cleaned, draft_warnings(cleaned, today)


def save_and_submit(session, application: Application, data: dict, actor: Actor, *, today: dt.date | None = None,
                    expected_version: int | None = None) -> workflow.Outcome:
    """提交 from the form: save what was typed, then submit; the changes are recorded with the submission.

    When submission is refused the draft stays saved (recorded as 保存草稿) and ``SubmitRefused`` is raised;
    either way the caller commits.
    """
    _check_own_editable(application, actor)
    today = today or dt.date.today()
    cleaned = data if isinstance(data, Cleaned) else clean(data)
    saved = save_sections(session, application, cleaned.values, actor, unstored=cleaned.unstored, action=None,
                          expected_version=expected_version)
    attempt = session.begin_nested()
    try:
        outcome = submit(session, application, actor, today, expected_version=application.version,
                         changes=(saved.before, saved.after))
    except SubmitRefused:
        attempt.rollback()
        if saved.changed:
            record(session, actor, "save_draft", application, application_id=application.id, before=saved.before,
                   after=saved.after)
        raise
    attempt.commit()
    return outcome


class SubmitRefused(TransitionRefused):
    """Submission refused; ``problems`` maps field names to messages (may be empty)."""

    def __init__(self, message: str, problems: dict | None = None):
        super().__init__(message)
        self.problems = Problems().merge(problems or {})


ONE_UNIT_MESSAGE = ("该身份证号在本年度已有一份正在办理的入会申请。同属多个团体会员的申请者，"
                    "每年度只能选择一个所属的团体会员单位推荐，不能重复申请。")


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


def _association(application: Application | None) -> str | None:
    """The association whose profile applies to ``application`` (its cycle's); None: the default."""
    cycle = getattr(application, "cycle", None)
    return cycle.association if cycle is not None else None


def duplicate_live_application(session, application: Application) -> bool:
    """Another live application of the same 身份证号 in the same cycle (any unit)?"""
    if not application.id_number:
        return False
    live = [s for s in Status if s not in CLOSED_STATUSES and s != Status.draft]
    other = session.scalar(select(func.count(Application.id)).where(
        Application.cycle_id == application.cycle_id,
        func.upper(Application.id_number) == application.id_number.upper(),
        Application.id != application.id,
        Application.status.in_(live)))
    return bool(other)


def submit(session, application: Application, actor: Actor, today: dt.date | None = None, *,
           expected_version: int | None = None, changes: tuple[dict, dict] | None = None) -> workflow.Outcome:
    """提交 / 重新提交: every check, then the workflow's ``submit``.  Raises ``SubmitRefused``; the caller commits.

    ``changes`` (before, after): field changes saved with this submission, recorded in its audit event.
    A resubmission moves the 驳回理由 into that event (history) and tells the unit's admins.
    """
    today = today or dt.date.today()
    user = actor.acting_as
    if user is None or application.applicant_id != user.id:
        raise NotYours()
    if application.status not in EDITABLE_STATES:
        if application.status == Status.submitted:
            raise SubmitRefused("申请已提交，请勿重复提交")
        raise SubmitRefused(f"申请当前状态为「{Status(application.status).label}」，不能提交")
    if expected_version is not None and _as_version(expected_version) != application.version:
        raise Conflict("申请已在其他页面修改或提交，请刷新后重试")
    cycle = application.cycle
    if not cycle.filling_open(today):
        raise SubmitRefused(f"{cycle.name}的网上填写时间为{window_text(cycle)}，当前不在填写期内："
                            "可以保存草稿，但不能提交")
    problems = submission_problems(session, application, today)
    if problems:
        raise SubmitRefused("申请信息有误或不完整，请按提示修改后再提交", problems)
    # Lock the cycle's row first, so two submissions of the same person at the same moment queue up
    # and the second sees the first (the check alone would let both through).
    session.execute(update(Cycle).where(Cycle.id == application.cycle_id)
                    .values(serial_counter=Cycle.serial_counter))
    if duplicate_live_application(session, application):
        raise SubmitRefused(ONE_UNIT_MESSAGE, {"id_number": [ONE_UNIT_MESSAGE]})
    from . import cip

    cip_problems = cip.submission_problems(session, application) or []
    if cip_problems:
        raise SubmitRefused("；".join(cip_problems))
    before, after = (dict(part) for part in (changes or ({}, {})))
    resubmitted = application.status == Status.rejected
    if application.reject_reasons:
        before["reject_reasons"], after["reject_reasons"] = application.reject_reasons, None
    try:
        outcome = workflow.apply(session, application, "submit", actor, expected_version=expected_version,
                                 changes=(before, after))
    except Conflict:
        raise
    except TransitionRefused as exc:
        raise SubmitRefused(str(exc)) from exc
    application.reject_reasons = None  # no longer the current opinion; the 驳回 event keeps it
    if resubmitted:
        _tell_unit_of_resubmission(session, application, actor)
    return outcome


def _tell_unit_of_resubmission(session, application: Application, actor: Actor) -> None:
    if application.unit_id is None:
        return  # the direct route: the office reviews it from its list
    admins = session.scalars(select(User.id).where(User.unit_id == application.unit_id,
                                                   User.role == Role.unit_admin, User.active.is_(True)))
    for admin_id in admins:
        send_message(session, admin_id, "申请者已重新提交入会申请",
                     f"{application.name} 已按驳回理由修改并重新提交入会申请，请审核。",
                     application_id=application.id, sender=actor.user)


# ---------------------------------------------------------------- applicant accounts

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


def username_problems(session, username: str) -> list[str]:
    if not USERNAME_RE.match(username or ""):
        return ["用户名为 3–64 位字母、数字或 _ . @ -"]
    taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    return ["该用户名已被使用"] if taken else []


def registration_problems(session, *, username: str, password: str, password2: str | None, full_name: str,
                          mobile: str, unit_id) -> tuple[dict[str, list[str]], GroupUnit | None]:
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if problems := username_problems(session, username):
        errors["username"] = problems
    if problems := passwords.password_problems(username, password or ""):
        errors["password"] = problems
    if password2 is not None and password != password2:
        errors["password2"] = ["两次输入的密码不一致"]
    if not (full_name or "").strip():
        errors["full_name"] = ["请填写姓名"]
    elif len(full_name.strip()) > 50:
        errors["full_name"] = ["姓名不能超过 50 个字"]
    if not MOBILE_RE.match(_normalise_mobile(mobile or "")):
        errors["mobile"] = ["请填写 11 位中国大陆手机号码"]
    unit = None
    if unit_id in ("direct",):
        unit = None
    else:
        try:
            unit = session.get(GroupUnit, int(unit_id))
        except (TypeError, ValueError):
            unit = None
        if unit is None or not unit.active:
            errors["unit_id"] = ["请选择推荐单位，或选择直接申报（中央和国家机关）"]
    return errors, unit


def register_applicant(session, *, username: str, password: str, full_name: str, mobile: str, unit_id,
                       password2: str | None = None, ip: str | None = None) -> tuple[User | None, dict]:
    """Self-registration: ``(user, {})`` or ``(None, field → messages)``.  ``unit_id`` "direct" = 直接申报."""
    errors, unit = registration_problems(session, username=username, password=password, password2=password2,
                                         full_name=full_name, mobile=mobile, unit_id=unit_id)
    if errors:
        return None, errors
    user = User(username=username.strip(), role=Role.applicant, full_name=full_name.strip(),
                mobile=_normalise_mobile(mobile), unit_id=unit.id if unit else None, active=True)
    user.set_password(password)
    session.add(user)
    session.flush()
    record(session, Actor(user, ip), "register", user,
           after={"username": user.username, "unit": unit.name if unit else "直接申报（中央和国家机关）"})
    return user, {}


def units_for_registration(session) -> list[GroupUnit]:
    from ..enums import UnitKind

    return list(session.scalars(select(GroupUnit).where(GroupUnit.active.is_(True), GroupUnit.kind != UnitKind.direct)
                                .order_by(GroupUnit.kind, GroupUnit.code)))


# ---------------------------------------------------------------- proxy accounts (新增账户, guide 四)

class ProxyRefused(Exception):
    """A proxy-account operation that may not happen; ``str(exc)`` is the Chinese message."""


def _require_unit_admin(admin: User) -> None:
    if admin is None or admin.role != Role.unit_admin or admin.unit_id is None or not admin.active:
        raise ProxyRefused("只有团体会员管理员可以管理代申请账户")


def _require_own_proxy(admin: User, proxy: User | None) -> User:
    _require_unit_admin(admin)
    if proxy is None or not proxy.is_proxy or proxy.unit_id != admin.unit_id or proxy.role != Role.applicant:
        raise ProxyRefused("账户不存在或不属于本单位")
    return proxy


def create_proxy(session, admin: User, username: str, password: str | None, *, full_name: str = "",
                 mobile: str | None = None, ip: str | None = None) -> tuple[User, str]:
    """新增账户: an applicant account in the admin's unit, marked as proxy; returns ``(user, password)``.

    With no password one is generated; the caller shows it once.
    """
    _require_unit_admin(admin)
    username = (username or "").strip()
    problems = username_problems(session, username)
    if problems:
        raise ProxyRefused("；".join(problems))
    shown = password or passwords.generate_password()
    if password:
        problems = passwords.password_problems(username, password)
        if problems:
            raise ProxyRefused("；".join(problems))
    if mobile and not MOBILE_RE.match(_normalise_mobile(mobile)):
        raise ProxyRefused("请填写 11 位中国大陆手机号码")
    user = User(username=username, role=Role.applicant, full_name=(full_name or "").strip()[:50],
                mobile=_normalise_mobile(mobile) if mobile else None, unit_id=admin.unit_id, active=True,
                is_proxy=True, created_by_id=admin.id, must_change_password=False)
    user.set_password(shown)
    session.add(user)
    session.flush()
    record(session, Actor(admin, ip), "create_proxy", user,
           after={"username": user.username, "unit_id": admin.unit_id, "generated": password is None})
    return user, shown


def proxy_accounts(session, admin: User) -> list[User]:
    from .access import user_filter

    _require_unit_admin(admin)
    return list(session.scalars(select(User).where(user_filter(admin), User.is_proxy.is_(True))
                                .order_by(User.created_at.desc(), User.id.desc())))


def own_proxy(session, admin: User, proxy_id) -> User | None:
    """The proxy account with this id if it is in the admin's unit (through ``access.user_filter``)."""
    from .access import user_filter

    try:
        pk = int(proxy_id)
    except (TypeError, ValueError):
        return None
    return session.scalar(select(User).where(User.id == pk, user_filter(admin), User.is_proxy.is_(True)))


def hand_over(session, admin: User, proxy: User, *, ip: str | None = None) -> None:
    """交由本人使用: the applicant takes the account; they must set a new password at next login."""
    _require_own_proxy(admin, proxy)
    if proxy.handed_over_at is not None:
        raise ProxyRefused("该账户已交由本人使用")
    proxy.must_change_password = True
    proxy.handed_over_at = utcnow()
    passwords.rotate_session_token(proxy)  # any session the admin still has in it ends
    record(session, Actor(admin, ip), "hand_over_proxy", proxy, after={"must_change_password": True})


def reset_proxy_password(session, admin: User, proxy: User, password: str | None = None, *,
                         ip: str | None = None) -> str:
    """重置密码 (only the admin's own unit's proxies); returns the new password to show once.

    An account already handed over must be given a new password by its owner at next login.
    """
    _require_own_proxy(admin, proxy)
    shown = password or passwords.generate_password()
    problems = passwords.set_password(session, proxy, shown, Actor(admin, ip),
                                 must_change=proxy.handed_over_at is not None)
    if problems:
        raise ProxyRefused("；".join(problems))
    return shown


def switch_to_proxy(session, admin: User, proxy: User, admin_password: str, *, ip: str | None = None) -> None:
    """以该账户身份填写: check the admin's own password again, then audit the switch (the view swaps the session)."""
    _require_own_proxy(admin, proxy)
    if not admin.check_password(admin_password or ""):
        record(session, Actor(admin, ip), "switch_to_proxy_failed", proxy, reason="管理员密码不正确")
        raise ProxyRefused("管理员密码不正确")
    if proxy.handed_over_at is not None:
        raise ProxyRefused("该账户已交由本人使用，不能再以该账户身份填写")
    if not proxy.active:
        raise ProxyRefused("该账户已停用")
    record(session, Actor(admin, ip, on_behalf_of=proxy), "switch_to_proxy", proxy)


def switch_back(session, admin: User | None, proxy: User | None, *, ip: str | None = None) -> None:
    """返回管理员账户: audited with who acted for whom."""
    if admin is None or admin.role != Role.unit_admin or not admin.active:
        raise ProxyRefused("原管理员账户不可用，请重新登录")
    record(session, Actor(admin, ip, on_behalf_of=proxy), "switch_back", proxy or ("User", None))


def submission_format_problems(application: Application, today: dt.date) -> Problems:
    """What a stored draft should still fix (shown when the form is opened)."""
    problems = Problems()
    for key, text in (application.draft_input or {}).items():
        problems.add(key, f"「{text}」格式不正确，已原样保留，请修改")
    return problems.merge(format_problems(application_values(application), today))


# ---------------------------------------------------------------- the applicant's home: status and next step

def next_step(application: Application | None, cycle: Cycle | None, today: dt.date) -> tuple[str, str]:
    """(status in words, what to do next and by when) for the applicant's home."""
    if cycle is None:
        return "暂无申请年度", "当前没有开放的申请年度，请留意通知。"
    fill_end, materials = md(cycle.fill_end), md(cycle.materials_deadline)
    if application is None:
        if cycle.filling_open(today):
            return "尚未填写", f"请填写入会申请，并于{fill_end}前提交（网上填写时间：{window_text(cycle)}）。"
        return "尚未填写", f"网上填写时间为{window_text(cycle)}，当前不在填写期内。"
    status = Status(application.status)
    direct = application.unit_id is None
    profile = profiles.of(cycle.association)
    names = profile.names
    office = names.short + names.office
    reviewer = office if direct else "所属团体会员"
    text = {
        Status.draft: f"申请尚未提交，请完善信息后于{fill_end}前提交。",
        Status.submitted: f"申请已提交，等待{reviewer}审核，结果将以站内信通知。",
        Status.rejected: f"申请已被驳回，请根据驳回理由修改后于{fill_end}前重新提交。",
        Status.unit_confirmed: f"团体会员已确认，等待{office}确认。",
        Status.office_confirmed: (
            f"请下载打印申请表和申报材料清单，由两名会员亲笔签署推荐意见后，于{materials}前直接提交{office}。"
            if direct else f"请下载打印申请表和申报材料清单，于{materials}前向所属团体会员提交纸质材料。"),
        Status.materials_received: "纸质材料已收齐，等待专家咨询。",
        Status.expert_review: "专家咨询进行中，请耐心等待。",
        Status.expert_passed: "专家咨询通过，等待书记处审议。",
        Status.expert_failed: "本年度申请未通过专家咨询。如再次申请，须在以后年度重新提交申请和材料。",
        Status.secretariat_approved: "书记处审议通过，等待公示。",
        Status.secretariat_rejected: "本年度申请未获书记处审议通过。如再次申请，须在以后年度重新提交申请和材料。",
        Status.on_notice: "拟发展会员名单公示中（一周）。",
        Status.admitted: "祝贺您成为会员！请按通知办理入会手续（填写会员登记表、提交照片、缴纳会费）。",
        Status.disqualified: "申请资格已被取消。",
    }[status]
    if status in EDITABLE_STATES and not cycle.filling_open(today):
        text += f"当前不在网上填写期内（{window_text(cycle)}），可以保存草稿，但不能提交。"
    label = f"待{names.office_short}审核" if status == Status.submitted and direct else profile.label(status)
    return label, profile.say(text)
