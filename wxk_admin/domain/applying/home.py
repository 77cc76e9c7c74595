"""The applicant's home (我的申请): where the application stands, what to do next and by when, what to download."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ... import profiles
from .. import access
from ..audit import Actor
from ..cycles import md, window_text
from ...enums import Status
from ...models import Application, AuditEvent, Cycle, Message
from .drafts import EDITABLE_STATES, mine

# From office confirmation on, the applicant downloads the form and the materials checklist.
DOWNLOAD_STATES = frozenset({Status.office_confirmed, Status.materials_received, Status.expert_review,
                             Status.expert_passed, Status.expert_failed, Status.secretariat_approved,
                             Status.secretariat_rejected, Status.on_notice, Status.admitted})


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


def recent_messages(session, actor: Actor, limit: int = 5) -> list[Message]:
    """The acting account's newest 站内信."""
    return session.scalars(select(Message).where(access.message_filter(actor.acting_as))
                           .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)).all()


def own_applications(session, actor: Actor) -> list[Application]:
    """Every application of the acting applicant, newest first (each cycle's)."""
    return session.scalars(select(Application).where(mine(actor))
                           .order_by(Application.id.desc())).all()


def state_history(session, application: Application | None) -> list[AuditEvent]:
    """Every round of the application: its state changes, with reasons (who acted is not shown to applicants)."""
    if application is None:
        return []
    return session.scalars(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                    AuditEvent.to_state.is_not(None))
                           .order_by(AuditEvent.created_at, AuditEvent.id)).all()
