"""公示 (one week), the objections it brings (recorded by the office or reported on the public page, checked,
decided by the secretariat), its close (公布入会) and 公布 of the new-member list (001 六; 002 第三条(五)(六))."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .. import workflow
from ..audit import Actor, record
from ...enums import Category, ObjectionSource, Role, Status
from ...models import Application, Cycle, Notice, Objection, utcnow
from ...params import id_arg, id_list
from . import common
from .common import Refused, date_field, office_name, profile_of, require_role, scope, visible

NOTICE_DAYS = 7  # 公示时间为一周 (001 六; 002 第三条(五))

# Limits of a report from the public page: enough for a letter, not a dump.
PUBLIC_REPORTER_MAX, PUBLIC_CONTACT_MAX, PUBLIC_CONTENT_MAX = 50, 100, 2000

UPHELD_OPINION = "公示期间收到的反映经会员处核查、书记处认定属实，取消申请资格"


def notice_dates(starts_on, ends_on=None) -> tuple[dt.date, dt.date]:
    """The notice's first and last day: end = start + 7 days by default; shorter is refused."""
    starts_on = date_field(starts_on, "公示开始日期")
    ends_on = date_field(ends_on, "公示结束日期") if ends_on else starts_on + dt.timedelta(days=NOTICE_DAYS)
    if ends_on < starts_on + dt.timedelta(days=NOTICE_DAYS):
        raise Refused(f"公示时间为一周：结束日期不能早于 {starts_on + dt.timedelta(days=NOTICE_DAYS)}")
    return starts_on, ends_on


def notice_candidates(session, actor: Actor, cycle: Cycle | None, ids=None) -> list[Application]:
    """The approved applications (all, or those of ``ids``) that 开始公示 would put on the public site."""
    require_role(actor, Role.office)
    if cycle is None:
        raise Refused("没有当前申请年度")
    query = select(Application).where(scope(actor), Application.cycle_id == cycle.id,
                                      Application.status.in_(workflow.sources("open_notice")))
    if ids is not None:
        query = query.where(Application.id.in_(id_list(ids)))
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


# ---------------------------------------------------------------- objections (异议)

def _objection(session, actor: Actor, objection_id) -> tuple[Objection, Application]:
    require_role(actor, Role.office)
    pk = id_arg(objection_id)  # past BIGINT too: no objection, and the database could not bind it
    obj = session.get(Objection, pk) if pk is not None else None
    if obj is None:
        raise Refused("异议记录不存在")
    return obj, visible(session, actor, obj.application_id)


def record_objection(session, actor: Actor, application_id, reporter: str | None, content: str) -> Objection:
    require_role(actor, Role.office)
    app = visible(session, actor, application_id)
    # An objection is recorded while it can still be upheld: during the notice.
    if app.status not in workflow.sources("uphold_objection"):
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
        raise Refused(f"请填写联系方式（电话或电子邮箱），以便{office_name(app)}核实情况")
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


def decide_objection(session, actor: Actor, objection_id, upheld: bool, now: dt.datetime | None = None) -> Objection:
    """Record the secretariat's decision; upheld → the person is disqualified (uphold_objection)."""
    obj, app = _objection(session, actor, objection_id)
    if obj.decided_at is not None:
        raise Refused("该异议已认定")
    if not obj.check_note:
        raise Refused(f"请先登记{office_name(app)}核查情况，再报书记处认定")
    if upheld:
        # The reason reaches the applicant, the unit, 站内信 and e-mail / SMS: never what was reported or by whom
        # (issue 13's secrecy rule); the office reads both on the objection itself.
        workflow.apply(session, app, "uphold_objection", actor, opinion=profile_of(app).say(UPHELD_OPINION))
    obj.upheld = bool(upheld)
    obj.decided_at = now or utcnow()
    record(session, actor, "objection_decide", obj, application_id=app.id, after={"upheld": bool(upheld)})
    return obj


# ---------------------------------------------------------------- close (公布入会) and 公布

def close_notice(session, actor: Actor, notice: Notice, today: dt.date | None = None) -> workflow.BulkResult:
    """At the end of the notice the rest are admitted; refused before the end or with undecided objections."""
    require_role(actor, Role.office)
    today = today or common.today()
    if notice.closed_at is not None:
        raise Refused("该公示已结束")
    if today < notice.ends_on:
        raise Refused(f"公示期至 {notice.ends_on} 结束，尚未期满")
    waiting = (scope(actor), Application.notice_id == notice.id, Application.status.in_(workflow.sources("admit")))
    pending = session.scalars(select(Application.name).join(Objection, Objection.application_id == Application.id)
                              .where(*waiting, Objection.decided_at.is_(None))).all()
    if pending:
        raise Refused("以下人员的异议尚未认定：" + "、".join(sorted(set(pending))))
    apps = session.scalars(select(Application).where(*waiting)
                           .order_by(Application.serial_seq, Application.id)).all()
    result = workflow.BulkResult()
    for app in apps:
        result.done.append(workflow.apply(session, app, "admit", actor, opinion="公示期满无异议，公布入会"))
    notice.closed_at = utcnow()
    record(session, actor, "notice_close", notice, after={"admitted": len(result.done)})
    return result


def publish(session, actor: Actor, notice: Notice, now: dt.datetime | None = None) -> Notice:
    """公布: the new-member list of a closed notice appears on the public site."""
    require_role(actor, Role.office)
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


# ---------------------------------------------------------------- what the public site shows

def public_row(app: Application) -> dict:
    """The ONLY fields the public sees: 姓名, 常用名, 单位, 门类."""
    direct_route = profile_of(app).rules.direct_route  # 中央和国家机关 / 省直机关单位、驻苏现役军人和驻宁高校
    return {"name": app.name, "pen_name": app.pen_name or "",
            "unit": app.unit.name if app.unit else f"{direct_route}（直接申报）",
            "category": Category(app.category).label if app.category else ""}


def current_notices(session, today: dt.date | None = None) -> list[Notice]:
    today = today or common.today()
    return session.scalars(select(Notice).where(Notice.starts_on <= today, Notice.closed_at.is_(None))
                           .order_by(Notice.starts_on)).all()


def published_members(session, cycle_id: int | None = None) -> list[Application]:
    query = (select(Application).join(Notice, Notice.id == Application.notice_id)
             .where(Notice.published_at.is_not(None), Application.status == Status.admitted))
    if cycle_id is not None:
        query = query.where(Application.cycle_id == cycle_id)
    return session.scalars(query.order_by(Application.cycle_id.desc(), Application.serial_seq)).all()
