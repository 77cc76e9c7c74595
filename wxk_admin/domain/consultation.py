"""After confirmation: paper materials, expert consultation, secretariat, public notice, onboarding (SPEC §4).

Seeds: 001 (专家咨询、书记处审批、公示、工作纪律) and 002 第三条 (三)–(七), 第四条, 第五条.

Plain functions that take a session and an ``Actor``; they raise ``Refused`` (a
``TransitionRefused``) with a Chinese message and change nothing when refused.
Every status change goes through ``workflow.apply``; every other change writes
an audit record.  The caller commits.

Votes are secret (无记名投票, 002 第三条(三)2): nothing here returns who voted
how, except an expert's own vote to that expert (``my_vote``).  While a group's
vote is open the office gets only how many have voted (``Progress``, n of m) —
no counts, no names of those who have not voted (with counts they would name the
voters); the tally comes with the close.
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import access, workflow
from .. import profiles
from .audit import Actor, record
from ..enums import Category, ContactMethod, ObjectionSource, RecusalReason, Role, Status, VoteChoice
from ..models import (Application, Cycle, ExpertGroup, ExpertGroupMember, ExpertProfile, MaterialItem, Notice,
                     Objection, Recusal, User, Vote, utcnow)
from ..params import EARLIEST_DATE, LATEST_DATE, date_arg, id_arg, int_arg
from .workflow import TransitionRefused

NOTICE_DAYS = 7  # 公示时间为一周 (001 六; 002 第三条(五))
DRAW_SIZE = 5  # 随机抽取's default group size, when the 门类's pool holds that many

# 第五条 5: 有抄袭、剽窃、弄虚作假以及请托、行贿行为的申请者，取消其申请资格。
DISQUALIFY_REASONS = ("抄袭、剽窃", "弄虚作假", "请托、行贿")

# States before the paper materials are complete (the materials list and the missing list).
PRE_MATERIAL_STATES = (Status.submitted, Status.unit_confirmed, Status.office_confirmed)


def _office(app: Application) -> str:
    """The office as the application's association calls it (会员处, 联络部 …; 协会配置)."""
    return _profile(app).names.office_short


def _direct_route(app: Application) -> str:
    return _profile(app).rules.direct_route  # 中央和国家机关 / 省直机关单位、驻苏现役军人和驻宁高校


def _profile(app: Application):
    return profiles.of(app.cycle.association if app.cycle else None)


class Refused(TransitionRefused):
    """A consultation step that may not happen; ``str(exc)`` is the Chinese message."""


def _require_role(actor: Actor, *roles: Role) -> User:
    user = actor.user
    if user is None or Role(user.role) not in roles:
        raise Refused("您的角色无权执行此操作")
    return user


def _visible(session, actor: Actor, application_id) -> Application:
    app = access.visible_application(session, actor.user, application_id)
    if app is None:
        raise Refused("申请不存在或无权访问")
    return app


def _today() -> dt.date:
    return dt.date.today()


def _int(value, label: str, minimum: int = 0) -> int:
    number = int_arg(value)
    if number is None:
        raise Refused(f"「{label}」须为整数")
    if number < minimum:
        raise Refused(f"「{label}」不能小于 {minimum}")
    return number


def _date(value, label: str) -> dt.date:
    day = date_arg(value)
    if day is None:
        raise Refused(f"「{label}」日期格式应为 YYYY-MM-DD，且在 {EARLIEST_DATE.year} 至 {LATEST_DATE.year} 年之间")
    return day


# ================================================================ 1. paper materials (纸质材料)

HOLDER_FIELDS = {"unit": ("unit_received_at", "unit_received_by"),
                 "office": ("office_received_at", "office_received_by")}


def holder_of(user: User) -> str:
    """Which column pair a user marks: the unit what it received, the office what reached it."""
    if Role(user.role) == Role.unit_admin:
        return "unit"
    if Role(user.role) == Role.office:
        return "office"
    raise Refused("您的角色无权登记纸质材料")


def mark_material(session, actor: Actor, item_id, *, received: bool, on=None, by: str | None = None) -> MaterialItem:
    """Mark one checklist item received (date, by whom) or missing again, for the actor's side."""
    holder = holder_of(actor.user)
    try:
        item = session.get(MaterialItem, int(item_id))
    except (TypeError, ValueError):
        item = None
    if item is None:
        raise Refused("材料条目不存在")
    app = _visible(session, actor, item.application_id)
    if app.status not in PRE_MATERIAL_STATES:
        raise Refused(f"当前状态为「{Status(app.status).label}」，不能再登记纸质材料")
    at_field, by_field = HOLDER_FIELDS[holder]
    before = {at_field: getattr(item, at_field) and getattr(item, at_field).isoformat(),
              by_field: getattr(item, by_field)}
    if received:
        day = _date(on, "收到日期") if on else _today()
        who = (by or "").strip() or (actor.user.full_name or actor.user.username)
        setattr(item, at_field, day)
        setattr(item, by_field, who[:50])
    else:
        setattr(item, at_field, None)
        setattr(item, by_field, None)
    after = {at_field: getattr(item, at_field) and getattr(item, at_field).isoformat(),
             by_field: getattr(item, by_field)}
    record(session, actor, "material_mark", item, application_id=app.id, before=before, after=after)
    return item


def mark_all_materials(session, actor: Actor, application_id, *, on=None, by: str | None = None) -> int:
    """Mark every not-yet-marked item of one application received on the actor's side."""
    holder = holder_of(actor.user)
    app = _visible(session, actor, application_id)
    at_field, _ = HOLDER_FIELDS[holder]
    count = 0
    for item in app.materials:
        if getattr(item, at_field) is None:
            mark_material(session, actor, item.id, received=True, on=on, by=by)
            count += 1
    return count


def add_material_item(session, actor: Actor, application_id, name: str, copies=1, original: bool = False):
    """The office adds a line to an application's checklist (申报材料清单)."""
    _require_role(actor, Role.office)
    app = _visible(session, actor, application_id)
    name = (name or "").strip()
    if not name:
        raise Refused("请填写材料名称")
    copies = _int(copies, "份数", 1)
    item = MaterialItem(application_id=app.id, name=name[:100], copies=copies, original=bool(original),
                        position=len(app.materials))
    session.add(item)
    session.flush()
    record(session, actor, "material_add", item, application_id=app.id, after={"name": item.name, "copies": copies})
    return item


def missing_items(app: Application, holder: str = "office") -> list[MaterialItem]:
    at_field, _ = HOLDER_FIELDS[holder]
    return [m for m in app.materials if getattr(m, at_field) is None]


def materials_received(session, actor: Actor, ids) -> workflow.BulkResult:
    """Bulk 「材料已收齐」: office_confirmed → materials_received for each selected application.

    An application whose checklist still has items the office has not marked is
    refused with the missing items named (nothing changes for it).
    """
    _require_role(actor, Role.office)
    result = workflow.BulkResult()
    for raw in ids:
        app = access.visible_application(session, actor.user, raw)
        if app is None:
            result.refused.append((raw, "", "申请不存在或无权访问"))
            continue
        if not app.materials:
            result.refused.append((app.id, app.name, "申报材料清单为空，请先登记材料"))
            continue
        missing = missing_items(app)
        if missing:
            result.refused.append((app.id, app.name, f"{_office(app)}尚未收到：" + "、".join(m.name for m in missing)))
            continue
        savepoint = session.begin_nested()
        try:
            result.done.append(workflow.apply(session, app, "materials_received", actor))
            savepoint.commit()
        except TransitionRefused as exc:
            savepoint.rollback()
            result.refused.append((app.id, app.name, str(exc)))
    return result


@dataclass
class MissingRow:
    application: Application
    missing: list[MaterialItem]


def missing_after_deadline(session, user: User, cycle: Cycle, today: dt.date | None = None) -> list[MissingRow]:
    """Applications of the cycle still missing paper material after its deadline (empty before it)."""
    today = today or _today()
    if cycle is None or today <= cycle.materials_deadline:
        return []
    apps = session.scalars(
        select(Application).where(access.application_filter(user), Application.cycle_id == cycle.id,
                                  Application.status.in_(PRE_MATERIAL_STATES))
        .order_by(Application.serial_seq, Application.id)).all()
    rows = []
    for app in apps:
        missing = missing_items(app) if app.materials else []
        if missing or not app.materials:
            rows.append(MissingRow(app, missing))
    return rows


# ================================================================ 2. expert pool and groups

def _category(value) -> Category | None:
    if isinstance(value, Category):
        return value
    text = str(value or "").strip()
    for cat in Category:
        if text in (cat.value, cat.label):
            return cat
    return None


def profile_categories(profile: ExpertProfile) -> set[Category]:
    """The 门类 of a profile; codes or Chinese labels, separated by , ， or 、."""
    raw = (profile.categories or "").replace("，", ",").replace("、", ",")
    return {c for c in (_category(part) for part in raw.split(",")) if c is not None}


def profile_problems(categories: str) -> list[str]:
    raw = (categories or "").replace("，", ",").replace("、", ",")
    return [p.strip() for p in raw.split(",") if p.strip() and _category(p) is None]


def available_experts(session, category, day: dt.date | None = None) -> list[ExpertProfile]:
    """Experts whose term covers ``day``, active, role expert, able to read ``category`` (ordered by user id)."""
    day = day or _today()
    category = _category(category)
    profiles = session.scalars(
        select(ExpertProfile).join(User, User.id == ExpertProfile.user_id)
        .where(User.role == Role.expert, User.active.is_(True), ExpertProfile.term_start <= day,
               ExpertProfile.term_end >= day)
        .order_by(ExpertProfile.user_id)).all()
    return [p for p in profiles if category in profile_categories(p)]


def pool_summary(session, day: dt.date | None = None) -> list[tuple[Category, int]]:
    return [(cat, len(available_experts(session, cat, day))) for cat in Category]


def group_of(session, cycle_id: int, category) -> ExpertGroup | None:
    return session.scalar(select(ExpertGroup).where(ExpertGroup.cycle_id == cycle_id,
                                                    ExpertGroup.category == _category(category)))


def _new_group(session, actor: Actor, cycle: Cycle, category) -> ExpertGroup:
    _require_role(actor, Role.office)
    cat = _category(category)
    if cat is None:
        raise Refused("请选择门类")
    if cycle is None:
        raise Refused("没有当前申请年度")
    if group_of(session, cycle.id, cat) is not None:
        raise Refused(f"{cycle.name}「{cat.label}」已有咨询组")
    group = ExpertGroup(cycle_id=cycle.id, category=cat)
    session.add(group)
    session.flush()
    return group


def create_group(session, actor: Actor, cycle: Cycle, category, expert_ids, day: dt.date | None = None) -> ExpertGroup:
    """Manual pick: the office names the experts (each must be available for the 门类)."""
    cat = _category(category)
    available = {p.user_id for p in available_experts(session, cat, day)}
    chosen = []
    for raw in expert_ids:
        try:
            uid = int(raw)
        except (TypeError, ValueError):
            raise Refused("专家编号无效") from None
        if uid not in available:
            user = session.get(User, uid)
            raise Refused(f"{user.full_name if user else uid} 不在「{cat.label if cat else ''}」可用专家之列（门类或任期不符）")
        if uid not in chosen:
            chosen.append(uid)
    if not chosen:
        raise Refused("请至少选择一名专家")
    group = _new_group(session, actor, cycle, cat)
    for uid in chosen:
        group.members.append(ExpertGroupMember(expert_id=uid))
    session.flush()
    record(session, actor, "group_create", group, after={"category": cat.value, "experts": chosen, "manual": True})
    return group


def reproduce_draw(candidate_ids, seed: str, n: int) -> list[int]:
    """The draw itself: ``n`` of the sorted candidate ids, by ``random.Random(seed)`` — anyone can re-run it."""
    return sorted(random.Random(seed).sample(sorted(candidate_ids), n))


def draw_group(session, actor: Actor, cycle: Cycle, category, n, seed: str | None = None,
               day: dt.date | None = None) -> ExpertGroup:
    """「随机抽取」: draw ``n`` available experts of the 门类; the seed and candidate list are recorded."""
    cat = _category(category)
    n = _int(n, "抽取人数", 1)
    candidates = [p.user_id for p in available_experts(session, cat, day)]
    if n > len(candidates):
        raise Refused(f"「{cat.label if cat else ''}」可用专家只有 {len(candidates)} 名，不足 {n} 名")
    seed = (seed or "").strip() or secrets.token_hex(8)
    chosen = reproduce_draw(candidates, seed, n)
    group = _new_group(session, actor, cycle, cat)
    group.draw_seed = seed[:64]
    for uid in chosen:
        group.members.append(ExpertGroupMember(expert_id=uid))
    session.flush()
    record(session, actor, "group_draw", group,
           after={"category": cat.value, "seed": group.draw_seed, "n": n, "candidates": candidates,
                  "experts": chosen})
    return group


def draw_record(session, group: ExpertGroup) -> dict | None:
    """The recorded draw (seed, candidates, chosen) and whether re-running it gives the same experts."""
    from ..models import AuditEvent

    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "group_draw",
                                                    AuditEvent.target_type == "ExpertGroup",
                                                    AuditEvent.target_id == group.id)
                           .order_by(AuditEvent.id.desc()))
    if event is None or not event.after:
        return None
    data = dict(event.after)
    data["reproduced"] = reproduce_draw(data["candidates"], data["seed"], data["n"]) == sorted(data["experts"])
    return data


def _group_started(session, group: ExpertGroup) -> bool:
    return group.vote_closed_at is not None or session.scalar(
        select(func.count(Vote.id)).join(Application, Application.id == Vote.application_id)
        .where(Application.expert_group_id == group.id)) > 0


def add_member(session, actor: Actor, group: ExpertGroup, expert_id, day: dt.date | None = None) -> None:
    _require_role(actor, Role.office)
    if _group_started(session, group):
        raise Refused("该组已开始投票，不能调整成员")
    uid = _int(expert_id, "专家", 1)
    if uid not in {p.user_id for p in available_experts(session, group.category, day)}:
        raise Refused("该专家不在本门类可用专家之列（门类或任期不符）")
    if any(m.expert_id == uid for m in group.members):
        raise Refused("该专家已在组内")
    group.members.append(ExpertGroupMember(expert_id=uid))
    session.flush()
    record(session, actor, "group_member_add", group, after={"expert": uid})


def remove_member(session, actor: Actor, group: ExpertGroup, expert_id) -> None:
    _require_role(actor, Role.office)
    if _group_started(session, group):
        raise Refused("该组已开始投票，不能调整成员")
    uid = _int(expert_id, "专家", 1)
    member = next((m for m in group.members if m.expert_id == uid), None)
    if member is None:
        raise Refused("该专家不在组内")
    group.members.remove(member)
    session.flush()
    record(session, actor, "group_member_remove", group, before={"expert": uid})


# ================================================================ 3. assignment

def assign(session, actor: Actor, cycle: Cycle, *, category=None, ids=None) -> workflow.BulkResult:
    """Assign ``materials_received`` applications (of one 门类, or the selected ids) to their 门类's group."""
    _require_role(actor, Role.office)
    query = select(Application).where(access.application_filter(actor.user), Application.cycle_id == cycle.id,
                                      Application.status == Status.materials_received)
    if ids is not None:
        clean = [int(i) for i in ids if str(i).isdigit()]
        query = query.where(Application.id.in_(clean))
    if category is not None:
        query = query.where(Application.category == _category(category))
    result = workflow.BulkResult()
    for app in session.scalars(query.order_by(Application.serial_seq, Application.id)).all():
        group = group_of(session, cycle.id, app.category) if app.category else None
        if group is None:
            result.refused.append((app.id, app.name, "该门类尚无咨询组"))
            continue
        if group.vote_closed_at is not None:
            result.refused.append((app.id, app.name, "该门类咨询组投票已截止"))
            continue
        if not group.members:
            result.refused.append((app.id, app.name, "该门类咨询组没有成员"))
            continue
        savepoint = session.begin_nested()
        try:
            app.expert_group_id = group.id
            result.done.append(workflow.apply(session, app, "assign_experts", actor,
                                              opinion=f"分配至「{Category(group.category).label}」咨询组"))
            savepoint.commit()
        except TransitionRefused as exc:
            savepoint.rollback()
            result.refused.append((app.id, app.name, str(exc)))
    return result


# ================================================================ 4. recusal (回避) and possible conflicts

def _group(session, app: Application) -> ExpertGroup | None:
    return session.get(ExpertGroup, app.expert_group_id) if app.expert_group_id else None


def _is_member(group: ExpertGroup | None, user_id: int) -> bool:
    return group is not None and any(m.expert_id == user_id for m in group.members)


def _recused(session, app_id: int, expert_id: int) -> bool:
    return session.scalar(select(Recusal.id).where(Recusal.application_id == app_id,
                                                   Recusal.expert_id == expert_id)) is not None


def _reason(value) -> RecusalReason:
    try:
        return RecusalReason(value)
    except ValueError:
        raise Refused("请选择回避原因") from None


def declare_recusal(session, actor: Actor, application_id, reason, note: str | None = None) -> Recusal:
    """The expert declares a conflict (直系亲属 / 其他); from then on they neither see nor vote on it."""
    user = _require_role(actor, Role.expert)
    app = _visible(session, actor, application_id)  # a recused or outside expert does not see it
    reason = _reason(reason)
    note = (note or "").strip()
    if reason == RecusalReason.other and not note:
        raise Refused("选择「其他利害关系」时请填写说明")
    group = _group(session, app)
    if app.status != Status.expert_review or group is None or group.vote_closed_at is not None:
        raise Refused("投票已截止，不能再申请回避")
    if session.scalar(select(Vote.id).where(Vote.application_id == app.id, Vote.expert_id == user.id)):
        raise Refused(f"您已对该申请投票；如需回避请联系{_office(app)}")
    recusal = Recusal(application_id=app.id, expert_id=user.id, reason=reason, note=note or None,
                      recorded_by_id=user.id)
    session.add(recusal)
    session.flush()
    record(session, actor, "recusal_declare", recusal, application_id=app.id,
           after={"reason": reason.value}, reason=note or None)
    return recusal


def record_recusal(session, actor: Actor, application_id, expert_id, reason, note: str | None = None) -> Recusal:
    """The office records a recusal (e.g. a flagged conflict confirmed); a vote already cast is discarded."""
    _require_role(actor, Role.office)
    app = _visible(session, actor, application_id)
    reason = _reason(reason)
    group = _group(session, app)
    uid = _int(expert_id, "专家", 1)
    if app.status != Status.expert_review or group is None or group.vote_closed_at is not None:
        raise Refused("仅在专家咨询投票期间可以登记回避")
    if not _is_member(group, uid):
        raise Refused("该专家不在此申请的咨询组内")
    if _recused(session, app.id, uid):
        raise Refused("该专家已回避此申请")
    recusal = Recusal(application_id=app.id, expert_id=uid, reason=reason, note=(note or "").strip() or None,
                      recorded_by_id=actor.user.id)
    session.add(recusal)
    vote = session.scalar(select(Vote).where(Vote.application_id == app.id, Vote.expert_id == uid))
    if vote is not None:
        session.delete(vote)  # the choice itself is not logged (secret ballot)
        record(session, actor, "vote_discard", ("Vote", vote.id), application_id=app.id, reason="专家回避，已投票作废")
    session.flush()
    record(session, actor, "recusal_record", recusal, application_id=app.id,
           after={"expert": uid, "reason": reason.value}, reason=recusal.note)
    return recusal


def _names(text: str | None) -> set[str]:
    raw = (text or "").replace("，", ",").replace("、", ",").replace(";", ",").replace("；", ",")
    return {p.strip() for p in raw.split(",") if p.strip()}


@dataclass
class ConflictFlag:
    application: Application
    expert: User
    why: str


def possible_conflicts(session, group: ExpertGroup) -> list[ConflictFlag]:
    """Conflicts for the office to confirm: the expert's own work unit, or a listed relative's name."""
    profiles = {p.user_id: p for p in session.scalars(
        select(ExpertProfile).where(ExpertProfile.user_id.in_([m.expert_id for m in group.members])))}
    apps = session.scalars(select(Application).where(Application.expert_group_id == group.id)
                           .order_by(Application.serial_seq)).all()
    recused = set(session.execute(select(Recusal.application_id, Recusal.expert_id)
                                  .where(Recusal.application_id.in_([a.id for a in apps]))).all())
    flags = []
    for app in apps:
        for member in group.members:
            profile = profiles.get(member.expert_id)
            if profile is None or (app.id, member.expert_id) in recused:
                continue
            unit = (profile.work_unit or "").strip()
            if len(unit) >= 2 and unit in (app.employer_and_post or ""):
                flags.append(ConflictFlag(app, member.expert, f"同一工作单位（{unit}）"))
            relatives = _names(profile.relatives)
            if app.name in relatives or (app.pen_name and app.pen_name in relatives):
                flags.append(ConflictFlag(app, member.expert, "姓名与专家所列直系亲属相同"))
    return flags


# ================================================================ 5. reading and voting (secret)

def cast_vote(session, actor: Actor, application_id, choice, note: str | None = None) -> Vote:
    """One vote per expert per application, until the office closes the group's vote."""
    user = _require_role(actor, Role.expert)
    try:
        app_id = int(application_id)
    except (TypeError, ValueError):
        raise Refused("申请不存在或无权访问") from None
    app = session.get(Application, app_id)
    group = _group(session, app) if app is not None else None
    if app is None or group is None or not _is_member(group, user.id):
        raise Refused("您不是该申请所属咨询组的成员，不能投票")
    if _recused(session, app.id, user.id):
        raise Refused("您已对该申请回避，不能投票")
    if group.vote_closed_at is not None or app.status != Status.expert_review:
        raise Refused("投票已截止")
    if session.scalar(select(Vote.id).where(Vote.application_id == app.id, Vote.expert_id == user.id)):
        raise Refused("您已对该申请投过票，不能重复投票")
    try:
        choice = VoteChoice(choice)
    except ValueError:
        raise Refused("请选择「通过」或「不通过」") from None
    vote = Vote(application_id=app.id, expert_id=user.id, choice=choice, reading_note=(note or "").strip() or None)
    savepoint = session.begin_nested()
    try:
        session.add(vote)
        session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        raise Refused("您已对该申请投过票，不能重复投票") from None
    # The audit log records that a vote was cast, never the choice.
    record(session, actor, "vote", ("Vote", vote.id), application_id=app.id)
    return vote


def my_vote(session, expert: User, application_id) -> Vote | None:
    """The expert's own vote (the only vote anyone is ever shown)."""
    return session.scalar(select(Vote).where(Vote.application_id == int(application_id), Vote.expert_id == expert.id))


@dataclass
class Tally:
    members: int
    recused: int
    eligible: int  # non-recused members: the base of the majority
    passed: int
    failed: int

    @property
    def voted(self) -> int:
        return self.passed + self.failed

    @property
    def needed(self) -> int:
        return self.eligible // 2 + 1

    @property
    def carries(self) -> bool:
        """002 第三条(三)2 / 001 五.2: 本组专家投票过半数方为通过 — over half of the non-recused members."""
        return self.eligible > 0 and passes(self.passed, self.eligible)


@dataclass
class Progress:
    """What the office is shown of one application's vote: how many of those who should vote have voted,
    and the tally only once the group's vote is closed (002 第三条(三)2 无记名投票)."""

    members: int
    recused: int
    eligible: int
    voted: int
    needed: int
    tally: Tally | None  # None while the vote is open

    @classmethod
    def of(cls, tally: Tally, closed: bool) -> Progress:
        return cls(members=tally.members, recused=tally.recused, eligible=tally.eligible, voted=tally.voted,
                   needed=tally.needed, tally=tally if closed else None)


def passes(pass_votes: int, eligible: int) -> bool:
    return pass_votes * 2 > eligible


def tally(session, application: Application) -> Tally | None:
    """Counts for the office: never who voted how."""
    group = _group(session, application)
    if group is None:
        return None
    member_ids = [m.expert_id for m in group.members]
    recused = set(session.scalars(select(Recusal.expert_id).where(Recusal.application_id == application.id,
                                                                  Recusal.expert_id.in_(member_ids))))
    eligible = [uid for uid in member_ids if uid not in recused]
    counts = dict(session.execute(
        select(Vote.choice, func.count(Vote.id)).where(Vote.application_id == application.id,
                                                        Vote.expert_id.in_(eligible))
        .group_by(Vote.choice)).all())
    return Tally(members=len(member_ids), recused=len(recused), eligible=len(eligible),
                 passed=counts.get(VoteChoice.passed, 0), failed=counts.get(VoteChoice.failed, 0))


def progress(session, application: Application) -> Progress | None:
    """One application's vote as the office may see it (counts only after the close)."""
    t = tally(session, application)
    return Progress.of(t, _group(session, application).vote_closed_at is not None) if t else None


def close_vote(session, actor: Actor, group: ExpertGroup, now: dt.datetime | None = None) -> workflow.BulkResult:
    """Close the group's vote and decide each application (expert_passed / expert_failed)."""
    _require_role(actor, Role.office)
    if group.vote_closed_at is not None:
        raise Refused("该组投票已截止")
    rows = group_tallies(session, group, statuses=(Status.expert_review,))
    apps = [app for app, _ in rows]
    tallies = {app.id: t for app, t in rows}
    empty = [app.name for app in apps if tallies[app.id].eligible == 0]
    if empty:
        raise Refused("以下申请的咨询组成员全部回避，请先为该组增补专家：" + "、".join(empty))
    group.vote_closed_at = now or utcnow()
    result = workflow.BulkResult()
    for app in apps:
        t = tallies[app.id]
        name = "expert_pass" if t.carries else "expert_fail"
        text = _profile(app).say(f"专家咨询：应投 {t.eligible} 票（回避 {t.recused}），通过 {t.passed} 票，"
                                 f"不通过 {t.failed} 票")
        result.done.append(workflow.apply(session, app, name, actor, opinion=text, now=now))
    record(session, actor, "vote_close", group, after={"applications": len(apps),
                                                       "passed": sum(1 for o in result.done
                                                                     if o.transition.name == "expert_pass")})
    return result


def group_tallies(session, group: ExpertGroup, statuses=None) -> list[tuple[Application, Tally]]:
    """Tallies of every application of a group in a few queries (the office's vote monitor)."""
    query = select(Application).where(Application.expert_group_id == group.id)
    if statuses:
        query = query.where(Application.status.in_(statuses))
    apps = session.scalars(query.order_by(Application.serial_seq, Application.id)).all()
    member_ids = [m.expert_id for m in group.members]
    app_ids = [a.id for a in apps]
    recused: dict[int, set[int]] = {}
    voted: dict[int, dict[int, VoteChoice]] = {}
    if app_ids:
        for app_id, uid in session.execute(select(Recusal.application_id, Recusal.expert_id)
                                           .where(Recusal.application_id.in_(app_ids))):
            recused.setdefault(app_id, set()).add(uid)
        for app_id, uid, choice in session.execute(select(Vote.application_id, Vote.expert_id, Vote.choice)
                                                   .where(Vote.application_id.in_(app_ids))):
            voted.setdefault(app_id, {})[uid] = choice
    rows = []
    for app in apps:
        out = recused.get(app.id, set()) & set(member_ids)
        eligible = [uid for uid in member_ids if uid not in out]
        votes = voted.get(app.id, {})
        rows.append((app, Tally(
            members=len(member_ids), recused=len(out), eligible=len(eligible),
            passed=sum(1 for uid in eligible if votes.get(uid) == VoteChoice.passed),
            failed=sum(1 for uid in eligible if votes.get(uid) == VoteChoice.failed))))
    return rows


def vote_monitor(session, group: ExpertGroup) -> list[tuple[Application, Progress]]:
    """The office's 投票与回避 rows: n of m while the group's vote is open, the tallies once closed."""
    closed = group.vote_closed_at is not None
    return [(app, Progress.of(t, closed)) for app, t in group_tallies(session, group)]


# ================================================================ 6. secretariat (书记处)

def record_secretariat(session, actor: Actor, application_id, *, present, in_favour, against, abstain):
    """The secretariat's tally: more than half of those present in favour approves (001 五; 002 第三条(四))."""
    _require_role(actor, Role.office)
    app = _visible(session, actor, application_id)
    if app.status != Status.expert_passed:
        raise Refused(f"当前状态为「{Status(app.status).label}」，不能登记书记处表决（书记处不另行提名）")
    present = _int(present, "出席人数", 1)
    in_favour = _int(in_favour, "赞成票")
    against = _int(against, "反对票")
    abstain = _int(abstain, "弃权票")
    if in_favour + against + abstain > present:
        raise Refused(f"赞成 {in_favour} + 反对 {against} + 弃权 {abstain} = {in_favour + against + abstain}，"
                      f"超过出席人数 {present}，票数不符")
    name = "secretariat_approve" if passes(in_favour, present) else "secretariat_reject"
    app.secretariat_present, app.secretariat_for = present, in_favour
    app.secretariat_against, app.secretariat_abstain = against, abstain
    return workflow.apply(session, app, name, actor,
                          opinion=f"书记处表决：出席 {present} 人，赞成 {in_favour}，反对 {against}，弃权 {abstain}")


# ================================================================ 7. public notice (公示) and objections

def notice_dates(starts_on, ends_on=None) -> tuple[dt.date, dt.date]:
    """The notice's first and last day: end = start + 7 days by default; shorter is refused."""
    starts_on = _date(starts_on, "公示开始日期")
    ends_on = _date(ends_on, "公示结束日期") if ends_on else starts_on + dt.timedelta(days=NOTICE_DAYS)
    if ends_on < starts_on + dt.timedelta(days=NOTICE_DAYS):
        raise Refused(f"公示时间为一周：结束日期不能早于 {starts_on + dt.timedelta(days=NOTICE_DAYS)}")
    return starts_on, ends_on


def notice_candidates(session, actor: Actor, cycle: Cycle | None, ids=None) -> list[Application]:
    """The approved applications (all, or those of ``ids``) that 开始公示 would put on the public site."""
    _require_role(actor, Role.office)
    if cycle is None:
        raise Refused("没有当前申请年度")
    query = select(Application).where(access.application_filter(actor.user), Application.cycle_id == cycle.id,
                                      Application.status == Status.secretariat_approved)
    if ids is not None:
        query = query.where(Application.id.in_([int(i) for i in ids if str(i).isdigit()]))
    apps = session.scalars(query.order_by(Application.serial_seq, Application.id)).all()
    if not apps:
        raise Refused("没有书记处审议通过、待公示的申请")
    return apps


def open_notice(session, actor: Actor, cycle: Cycle, starts_on, ends_on=None, ids=None) -> Notice:
    """Put the approved list on notice for one week (the caller has had the list confirmed: it goes public)."""
    starts_on, ends_on = notice_dates(starts_on, ends_on)
    apps = notice_candidates(session, actor, cycle, ids)
    notice = Notice(cycle_id=cycle.id, starts_on=starts_on, ends_on=ends_on)
    session.add(notice)
    session.flush()
    for app in apps:
        app.notice_id = notice.id
        workflow.apply(session, app, "open_notice", actor, opinion=f"公示 {starts_on} 至 {ends_on}")
    record(session, actor, "notice_open", notice, after={"starts_on": starts_on.isoformat(),
                                                         "ends_on": ends_on.isoformat(), "applications": len(apps)})
    return notice


def _objection(session, actor: Actor, objection_id) -> tuple[Objection, Application]:
    _require_role(actor, Role.office)
    try:
        obj = session.get(Objection, int(objection_id))
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise Refused("异议记录不存在")
    return obj, _visible(session, actor, obj.application_id)


def record_objection(session, actor: Actor, application_id, reporter: str | None, content: str) -> Objection:
    _require_role(actor, Role.office)
    app = _visible(session, actor, application_id)
    if app.status != Status.on_notice:
        raise Refused("只能对公示中的人员登记异议")
    content = (content or "").strip()
    if not content:
        raise Refused("请填写反映的问题")
    obj = Objection(application_id=app.id, reporter=(reporter or "").strip()[:100] or None, content=content,
                    recorded_by_id=actor.user.id)
    session.add(obj)
    session.flush()
    record(session, actor, "objection_record", obj, application_id=app.id, reason=content)
    return obj


# Limits of a report from the public page: enough for a letter, not a dump.
PUBLIC_REPORTER_MAX, PUBLIC_CONTACT_MAX, PUBLIC_CONTENT_MAX = 50, 100, 2000


def public_notice_app(session, application_id, today: dt.date | None = None) -> Application | None:
    """A person listed on a notice the public page shows now, or None."""
    pk = id_arg(application_id)
    if pk is None:
        return None
    open_ids = [n.id for n in current_notices(session, today)]
    return session.scalars(select(Application).where(Application.id == pk, Application.notice_id.in_(open_ids),
                                                     Application.status == Status.on_notice)).first()


def report_objection(session, application_id, reporter: str | None, contact: str | None, content: str | None,
                     ip: str | None = None) -> Objection:
    """反映问题 from the public page (no login): lands in the office's check / decide flow, source 公示页面.

    No name = an anonymous report; the contact is required (the office may need to ask back) and is never
    shown on the public page or to units.  Returns the objection with its 受理编号."""
    app = public_notice_app(session, application_id)
    if app is None:
        raise Refused("该人员不在正在公示的名单中，或公示已结束")
    reporter, contact, content = ((v or "").strip() for v in (reporter, contact, content))
    if len(reporter) > PUBLIC_REPORTER_MAX:
        raise Refused(f"姓名不能超过 {PUBLIC_REPORTER_MAX} 个字")
    if not contact:
        raise Refused(f"请填写联系方式（电话或电子邮箱），以便{_office(app)}核实情况")
    if len(contact) > PUBLIC_CONTACT_MAX:
        raise Refused(f"联系方式不能超过 {PUBLIC_CONTACT_MAX} 个字")
    if not content:
        raise Refused("请填写反映的问题")
    if len(content) > PUBLIC_CONTENT_MAX:
        raise Refused(f"反映的问题不能超过 {PUBLIC_CONTENT_MAX} 个字（现为 {len(content)} 个字）")
    obj = Objection(application_id=app.id, reporter=reporter or None, contact=contact, content=content,
                    source=ObjectionSource.public)
    session.add(obj)
    session.flush()
    obj.receipt_no = f"{app.cycle.year}-G-{obj.id:06d}"
    record(session, Actor(None, ip), "objection_public", obj, application_id=app.id,
           reason=f"受理编号 {obj.receipt_no}")
    return obj


def check_objection(session, actor: Actor, objection_id, check_note: str) -> Objection:
    obj, app = _objection(session, actor, objection_id)
    note = (check_note or "").strip()
    if not note:
        raise Refused("请填写核查情况")
    if obj.decided_at is not None:
        raise Refused("该异议已认定")
    before = {"check_note": obj.check_note}
    obj.check_note = note
    record(session, actor, "objection_check", obj, application_id=app.id, before=before, after={"check_note": note})
    return obj


UPHELD_OPINION = "公示期间收到的反映经会员处核查、书记处认定属实，取消申请资格"


def decide_objection(session, actor: Actor, objection_id, upheld: bool, now: dt.datetime | None = None) -> Objection:
    """Record the secretariat's decision; upheld → the person is disqualified (uphold_objection)."""
    obj, app = _objection(session, actor, objection_id)
    if obj.decided_at is not None:
        raise Refused("该异议已认定")
    if not obj.check_note:
        raise Refused(f"请先登记{_office(app)}核查情况，再报书记处认定")
    if upheld:
        # The reason reaches the applicant, the unit, 站内信 and e-mail / SMS: never what was reported or by whom
        # (issue 13's secrecy rule); the office reads both on the objection itself.
        workflow.apply(session, app, "uphold_objection", actor, opinion=_profile(app).say(UPHELD_OPINION))
    obj.upheld = bool(upheld)
    obj.decided_at = now or utcnow()
    record(session, actor, "objection_decide", obj, application_id=app.id, after={"upheld": bool(upheld)})
    return obj


def close_notice(session, actor: Actor, notice: Notice, today: dt.date | None = None) -> workflow.BulkResult:
    """At the end of the notice the rest are admitted; refused before the end or with undecided objections."""
    _require_role(actor, Role.office)
    today = today or _today()
    if notice.closed_at is not None:
        raise Refused("该公示已结束")
    if today < notice.ends_on:
        raise Refused(f"公示期至 {notice.ends_on} 结束，尚未期满")
    apps = session.scalars(select(Application).where(Application.notice_id == notice.id,
                                                     Application.status == Status.on_notice)
                           .order_by(Application.serial_seq, Application.id)).all()
    pending = session.scalars(select(Application.name).join(Objection, Objection.application_id == Application.id)
                              .where(Application.notice_id == notice.id, Application.status == Status.on_notice,
                                     Objection.decided_at.is_(None))).all()
    if pending:
        raise Refused("以下人员的异议尚未认定：" + "、".join(sorted(set(pending))))
    result = workflow.BulkResult()
    for app in apps:
        result.done.append(workflow.apply(session, app, "admit", actor, opinion="公示期满无异议，公布入会"))
    notice.closed_at = utcnow()
    record(session, actor, "notice_close", notice, after={"admitted": len(result.done)})
    return result


def publish(session, actor: Actor, notice: Notice, now: dt.datetime | None = None) -> Notice:
    """公布: the new-member list of a closed notice appears on the public site."""
    _require_role(actor, Role.office)
    if notice.closed_at is None:
        raise Refused("公示结束后才能公布新会员名单")
    if notice.published_at is not None:
        raise Refused("该名单已公布")
    notice.published_at = now or utcnow()
    record(session, actor, "notice_publish", notice)
    return notice


def notice_rows(session, notice: Notice, statuses=(Status.on_notice,)) -> list[Application]:
    return session.scalars(select(Application).where(Application.notice_id == notice.id,
                                                     Application.status.in_(statuses))
                           .order_by(Application.serial_seq, Application.id)).all()


# ================================================================ 8. publication and onboarding

def public_row(app: Application) -> dict:
    """The ONLY fields the public sees: 姓名, 常用名, 单位, 门类."""
    return {"name": app.name, "pen_name": app.pen_name or "",
            "unit": app.unit.name if app.unit else f"{_direct_route(app)}（直接申报）",
            "category": Category(app.category).label if app.category else ""}


def current_notices(session, today: dt.date | None = None) -> list[Notice]:
    today = today or _today()
    return session.scalars(select(Notice).where(Notice.starts_on <= today, Notice.closed_at.is_(None))
                           .order_by(Notice.starts_on)).all()


def published_members(session, cycle_id: int | None = None) -> list[Application]:
    query = (select(Application).join(Notice, Notice.id == Application.notice_id)
             .where(Notice.published_at.is_not(None), Application.status == Status.admitted))
    if cycle_id is not None:
        query = query.where(Application.cycle_id == cycle_id)
    return session.scalars(query.order_by(Application.cycle_id.desc(), Application.serial_seq)).all()


ONBOARDING_STEPS = (("notified", "电话/短信告知"), ("registration_form_done", "会员登记表"),
                    ("photos_received", "照片"), ("dues_paid", "会费"))


def _admitted(session, actor: Actor, application_id) -> Application:
    _require_role(actor, Role.office)
    app = _visible(session, actor, application_id)
    if app.status != Status.admitted:
        raise Refused("只有已公布入会的新会员才能办理入会手续")
    return app


def record_contact(session, actor: Actor, application_id, via, on=None) -> Application:
    """The new member was told by phone or SMS (002 第三条(七)); date and who told them are kept."""
    app = _admitted(session, actor, application_id)
    try:
        via = ContactMethod(via)
    except ValueError:
        raise Refused("请选择告知方式（电话或短信）") from None
    day = _date(on, "告知日期") if on else _today()
    before = {"notified_at": app.notified_at and app.notified_at.isoformat(),
              "notified_via": app.notified_via and ContactMethod(app.notified_via).value}
    app.notified_at = dt.datetime.combine(day, dt.time())
    app.notified_via = via
    app.notified_by_id = actor.user.id
    record(session, actor, "onboarding_contact", app, application_id=app.id, before=before,
           after={"notified_at": day.isoformat(), "notified_via": via.value, "notified_by": actor.user.id})
    return app


def set_onboarding(session, actor: Actor, application_id, *, registration_form_done: bool, photos_received: bool,
                   dues_paid: bool) -> Application:
    app = _admitted(session, actor, application_id)
    before = {"registration_form_done": app.registration_form_done, "photos_received": app.photos_received,
              "dues_paid": app.dues_paid}
    app.registration_form_done = bool(registration_form_done)
    app.photos_received = bool(photos_received)
    app.dues_paid = bool(dues_paid)
    after = {"registration_form_done": app.registration_form_done, "photos_received": app.photos_received,
             "dues_paid": app.dues_paid}
    if before != after:
        record(session, actor, "onboarding_update", app, application_id=app.id, before=before, after=after)
    return app


def onboarding_missing_steps(app: Application) -> list[str]:
    missing = []
    if app.notified_at is None:
        missing.append("电话/短信告知")
    if not app.registration_form_done:
        missing.append("会员登记表")
    if not app.photos_received:
        missing.append("照片")
    if not app.dues_paid:
        missing.append("会费")
    return missing


def onboarding_rows(session, user: User, cycle: Cycle | None, only_missing: bool = False):
    query = select(Application).where(access.application_filter(user), Application.status == Status.admitted)
    if cycle is not None:
        query = query.where(Application.cycle_id == cycle.id)
    rows = [(app, onboarding_missing_steps(app))
            for app in session.scalars(query.order_by(Application.serial_seq, Application.id))]
    return [r for r in rows if r[1]] if only_missing else rows


# ================================================================ 9. disqualification (第五条 5)

def disqualify(session, actor: Actor, application_id, reasons=(), detail: str | None = None):
    """取消申请资格 from any live state, with a reason; the applicant is told (workflow sends the 站内信)."""
    _require_role(actor, Role.office)
    app = _visible(session, actor, application_id)
    chosen = [r for r in reasons if r in DISQUALIFY_REASONS]
    detail = (detail or "").strip()
    text = "；".join(chosen + ([detail] if detail else []))
    if not text:
        raise Refused("取消申请资格必须填写原因")
    return workflow.apply(session, app, "disqualify", actor, opinion=text)


# ================================================================ the expert's own list

def expert_applications(session, expert: User) -> list[Application]:
    return session.scalars(select(Application).where(access.application_filter(expert))
                           .order_by(Application.category, Application.serial_seq, Application.id)).all()


def expert_recusal_count(session, expert: User) -> int:
    return session.scalar(select(func.count(Recusal.id)).where(Recusal.expert_id == expert.id)) or 0


def group_closed(session, app: Application) -> bool:
    group = _group(session, app)
    return group is None or group.vote_closed_at is not None


# ================================================================ for the details-page panel

def panel_data(session, app: Application, user: User) -> dict | None:
    """What the consultation panel of the details page shows; tallies for the office only."""
    role = Role(user.role)
    if role not in (Role.office, Role.it_admin, Role.unit_admin, Role.supervisor):
        return None
    group = _group(session, app)
    data = {"materials": app.materials, "group": group,
            "group_label": Category(group.category).label + "咨询组" if group else None,
            "tally": None, "progress": None, "objections": [], "onboarding": None,
            "can_disqualify": role == Role.office and app.status in workflow.LIVE_STATES,
            "disqualify_reasons": DISQUALIFY_REASONS,
            "is_office": role in (Role.office, Role.it_admin, Role.supervisor)}
    if data["is_office"]:
        # Counts only once the group's vote is closed; while open, how many have voted (n of m).
        data["progress"] = progress(session, app) if group else None
        data["tally"] = data["progress"].tally if data["progress"] else None
        data["objections"] = session.scalars(select(Objection).where(Objection.application_id == app.id)
                                             .order_by(Objection.id)).all()
        if app.status == Status.admitted:
            data["onboarding"] = onboarding_missing_steps(app)
    return data
