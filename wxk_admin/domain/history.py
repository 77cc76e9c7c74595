"""操作记录 as people read it: which events of an application a role sees, and each change by its label.

Field labels come from the models' column ``info`` and the repeating sections' titles, so a
change to ``books-0-title`` reads 「出版专集第1行 书名」 without a dictionary kept by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .. import profiles
from .access import withheld_fields
from ..enums import EXPERT_STAGE_ACTIONS, AuditAction, LabelledEnum, Role
from ..models import CHILD_SECTIONS, Application, AuditEvent, User, db

# The secret stage (SPEC §4; 002 第三条(三)2 无记名投票): who recused or voted is for the office, IT and the
# supervisor only (events, never a choice).
SEES_EXPERT_STAGE = frozenset({Role.office, Role.it_admin, Role.supervisor})
# 公示异议 (issue 15.4; issue 13's secrecy rule): who reported a person, how to reach them, the 受理编号, what
# they wrote and the office's check note (either may name the reporter) are for these roles; everyone else
# reads each objection event as one neutral line.
SEES_OBJECTIONS = frozenset({Role.office, Role.it_admin, Role.supervisor})
OBJECTION_ACTIONS = frozenset(a.value for a in (AuditAction.objection_record, AuditAction.objection_public,
                                                AuditAction.objection_check, AuditAction.objection_decide))
OBJECTION_RECEIVED = "公示期间收到反映，会员处核查中"
OBJECTION_CHECKED = "会员处已核查，报书记处认定"
OBJECTION_DECIDED = {True: "经书记处认定，反映属实", False: "经书记处认定，反映不属实"}
# Who reads 身份证号 in full in a change; everyone else reads 110101********1234.
SEES_FULL_ID_NUMBER = frozenset({Role.it_admin})
MASKED_COLUMNS = frozenset({"id_number"})
# Actions whose before/after the details page spells out field by field.
FIELD_EDITS = frozenset(a.value for a in (AuditAction.edit, AuditAction.onboarding_update, AuditAction.onboarding_contact,
                                          AuditAction.material_mark, AuditAction.recheck_eligibility, AuditAction.cip_check))
EMPTY = "（空）"
WITHHELD = "（不予显示）"

# Keys of before/after that are counts or notes rather than columns of the event's target.
_NOT_COLUMNS = {
    "applications": "涉及申请数", "passed": "通过数", "admitted": "公布入会人数", "experts": "专家账户编号",
    "expert": "专家账户编号", "manual": "手工组建", "seed": "随机种子", "n": "抽取人数",
    "candidates": "候选专家账户编号", "created": "新增条数", "updated": "更新条数", "rejected": "有误未导入条数",
    "unit": "所属单位", "generated": "由系统生成密码", "notified_by": "告知人账户编号", "repr": "对象",
}
_SECTIONS = dict(CHILD_SECTIONS)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class NeutralEvent:
    """An objection event as the unit admin or the applicant reads it: when, by whom, what — nothing more."""
    created_at: object
    actor: object
    on_behalf_of: object
    action: str
    reason: str
    from_state: None = None
    to_state: None = None


def _neutral(event: AuditEvent, say) -> NeutralEvent:
    if event.action == AuditAction.objection_decide.value:
        reason = OBJECTION_DECIDED[bool((event.after or {}).get("upheld"))]
    elif event.action == AuditAction.objection_check.value:
        reason = OBJECTION_CHECKED
    else:
        reason = OBJECTION_RECEIVED
    return NeutralEvent(event.created_at, event.actor, event.on_behalf_of, event.action, say(reason))


def mask_id_number(value: str) -> str:
    """110101199001011234 → 110101********1234: enough to tell two people apart, not to copy."""
    value = str(value)
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


@cache
def _events(expert_stage: bool):
    """SELECT the events of ``:application_id`` oldest first, the expert stage's only if ``expert_stage``, with
    the names of who acted joined (a second statement for the accounts cost more; the page shows only their
    names); built once per process, not on every request."""
    who = [joinedload(account).load_only(User.username, User.full_name).lazyload(User.unit)
           for account in (AuditEvent.actor, AuditEvent.on_behalf_of)]
    query = (select(AuditEvent).where(AuditEvent.application_id == bindparam("application_id")).options(*who)
             .order_by(AuditEvent.created_at, AuditEvent.id))
    if not expert_stage:
        query = query.where(AuditEvent.action.not_in([a.value for a in EXPERT_STAGE_ACTIONS]))
    return query


def visible_events(session, application: Application, role: Role) -> list[AuditEvent | NeutralEvent]:
    """The application's 操作记录 as ``role`` may read it, oldest first (objections neutral outside SEES_OBJECTIONS)."""
    events = session.scalars(_events(role in SEES_EXPERT_STAGE), {"application_id": application.id})
    if role in SEES_OBJECTIONS:
        return list(events)
    say = profiles.of(application.cycle.association).say  # 会员处核查中 as the association names its office
    return [_neutral(e, say) if e.action in OBJECTION_ACTIONS else e for e in events]


def _model_named(name: str | None):
    for mapper in db.Model.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    return None


def _column(model, key: str):
    if model is None:
        return None
    columns = sa_inspect(model).columns
    for candidate in (key, f"{key}_id"):
        if candidate in columns:
            return columns[candidate]
    return None


def _field(model, key: str):
    """(label, column or None, child model or None) of a before/after key of an event on ``model``."""
    if model is Application:
        section, _, rest = key.partition("-")
        if section in _SECTIONS:
            child = getattr(Application, section).property.mapper.class_
            row, _, column_key = rest.partition("-")
            title = f"{_SECTIONS[section]}第{int(row) + 1}行" if row.isdigit() else _SECTIONS[section]
            if not column_key:
                return title, None, child
            column = _column(child, column_key)
            return f"{title} {column.info.get('label', column_key) if column is not None else column_key}", column, None
    column = _column(model, key)
    if column is not None and column.info.get("label"):
        return column.info["label"], column, None
    return _NOT_COLUMNS.get(key, key), None, None


def _shown(value, column, child=None, *, reveal: bool, profile) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, dict):  # a whole child row added or removed, or a draft's unstored input
        parts = []
        for key, item in value.items():
            label, col, _ = _field(child or Application, key)
            if item not in (None, ""):
                parts.append(f"{profile.say(label)}：{_shown(item, col, reveal=reveal, profile=profile)}")
        return "；".join(parts) or EMPTY
    if isinstance(value, list):
        return "、".join(_shown(v, column, reveal=reveal, profile=profile) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    enum_class = getattr(getattr(column, "type", None), "enum_class", None)
    if enum_class is not None and issubclass(enum_class, LabelledEnum):
        member = enum_class._value2member_map_.get(value)
        return profile.label(member) if member is not None else enum_class.label_of(value)
    if column is not None and column.key in MASKED_COLUMNS and not reveal:
        return mask_id_number(value)
    return str(value)


def changes(event: AuditEvent, role: Role, profile=None) -> list[Change]:
    """Each field the event changed: its Chinese label, before → after as people read them — in the words of
    ``profile``'s association (协会配置: 联络部收到日期, 文学评论), the national ones by default."""
    profile = profile or profiles.of(None)
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    model = _model_named(event.target_type)
    reveal = role in SEES_FULL_ID_NUMBER
    withheld = withheld_fields(role)
    out = []
    for key in list(dict.fromkeys([*before, *after])):
        label, column, child = _field(model, key)
        if column is not None and model is Application and column.key in withheld:
            out.append(Change(profile.say(label), WITHHELD, WITHHELD))
            continue
        out.append(Change(profile.say(label), _shown(before.get(key), column, child, reveal=reveal, profile=profile),
                          _shown(after.get(key), column, child, reveal=reveal, profile=profile)))
    return out
