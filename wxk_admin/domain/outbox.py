"""Notifications outside the console (issue 15.5): the outbox of e-mails and SMS.

The messages that matter to people who may not log in (驳回, 退回, 公示 start,
入会, paper-material reminders) are queued as ``OutboxMessage`` rows in the
transaction of the event itself (``queue_transition`` is called where the
站内信 is written), so a rolled-back change queues nothing.  ``deliver`` sends
them later (``flask --app wsgi wxk send-outbox``), after the commit, with
retries, exponential back-off and a final 失败.

Wording: one template per kind (subject + body with placeholders such as
{姓名}), IT's edits stored in ``outbox_templates``, defaults here.  No message
ever contains an ID number: there is no placeholder for it, a template asking
for one is refused, and every rendered text is scrubbed of the application's
身份证号 and of anything shaped like one.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import string
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import profiles
from .audit import Actor, record
from .errors import Refused
from ..enums import Role, Status
from ..models import (Application, Cycle, Notice, OutboxChannel, OutboxMessage, OutboxState, OutboxTemplate, User,
                     utcnow)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # after the n-th failure the next try waits BACKOFF_SECONDS * 2**(n-1)
REMINDER_DAYS = 7  # paper-material reminder: this many days before the deadline

# kind → (Chinese name, default subject, default body)
DEFAULT_TEMPLATES: dict[str, tuple[str, str, str]] = {
    "rejected": ("驳回申请", "【{协会}】您的入会申请已被驳回",
                 "{姓名}，您好：\n您的{年度}年度个人会员入会申请已被{单位}驳回。\n理由：{理由}\n"
                 "请登录系统，根据理由修改申请信息后再次提交。"),
    "returned": ("退回团体会员", "【{协会}】会员处退回入会申请",
                 "{单位}：\n{姓名}的{年度}年度入会申请被会员处退回，请登录系统重新审核。\n理由：{理由}"),
    "notice_open": ("开始公示", "【{协会}】您已列入新会员公示",
                    "{姓名}，您好：\n您的入会申请已经书记处审议通过，现列入新会员公示，"
                    "公示期为{公示开始}至{公示结束}。公示期满无异议的，将公布入会。"),
    "admitted": ("公布入会及入会手续", "【{协会}】祝贺您成为会员",
                 "{姓名}，您好：\n您已被批准加入{协会}（{年度}年度），新会员名单已公布。"
                 "请按会员处通知办理入会手续：填写会员登记表、提交照片、缴纳会费。"),
    "materials_reminder": ("纸质材料提醒", "【{协会}】请按时提交纸质申报材料",
                           "{姓名}，您好：\n您的入会申请（申请序列号 {申请序列号}）的纸质申报材料尚未收齐，"
                           "截止日期为{材料截止日期}，请尽快提交。"),
}
KIND_LABELS = {kind: label for kind, (label, _s, _b) in DEFAULT_TEMPLATES.items()}

# The transitions whose 站内信 also goes out, and as which kind.
KIND_BY_TRANSITION = {"unit_reject": "rejected", "direct_reject": "rejected", "office_return": "returned",
                      "open_notice": "notice_open", "admit": "admitted"}

PLACEHOLDERS = ("姓名", "年度", "协会", "单位", "理由", "申请序列号", "公示开始", "公示结束", "材料截止日期")
# Asked for by name, these are refused with their own message (never rendered, whatever the data).
FORBIDDEN_PLACEHOLDERS = ("身份证号", "身份证", "证件号码", "身份证号码", "id_number")

# 18-digit (last may be X) or 15-digit numbers standing alone: what an ID number looks like.
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
HIDDEN = "（已隐去）"

log = logging.getLogger(__name__)


class TemplateError(Refused, ValueError):
    """A template IT may not save; ``str(exc)`` is the Chinese reason."""


# ---------------------------------------------------------------- templates

def template_problems(subject: str, body: str) -> list[str]:
    """Why a template may not be saved (Chinese), empty when it may."""
    problems = []
    for label, text in (("邮件主题", subject), ("正文", body)):
        if not (text or "").strip():
            problems.append(f"{label}不能为空")
            continue
        try:
            fields = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text)
                      if name is not None]
        except ValueError:
            problems.append(f"{label}中的花括号不成对：占位符应写成 {{姓名}}，花括号本身写成 {{{{ 或 }}}}")
            continue
        for name, spec, conv in fields:
            if any(bad in name for bad in FORBIDDEN_PLACEHOLDERS):
                problems.append(f"{label}不得包含身份证号：通知中不能出现身份证号")
            elif name not in PLACEHOLDERS or spec or conv:
                shown = name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
                problems.append(f"{label}中的占位符「{{{shown}}}」无效，可用：" + "、".join(f"{{{p}}}" for p in PLACEHOLDERS))
    if len(subject or "") > 200:
        problems.append("邮件主题不能超过 200 字")
    return problems


def template_of(session, kind: str, say=str) -> tuple[str, str]:
    """(subject, body) of ``kind``: IT's version when saved and valid, else the default in the association's
    words (``say``: Profile.say — 联络部 for 会员处)."""
    _label, subject, body = DEFAULT_TEMPLATES[kind]
    row = session.scalar(select(OutboxTemplate).where(OutboxTemplate.kind == kind))
    # the migration stored the defaults: those still unchanged by IT read in the association's words too
    if row is not None and not template_problems(row.subject, row.body) and (row.subject, row.body) != (subject, body):
        return row.subject, row.body
    return say(subject), say(body)


def save_template(session, actor: Actor, kind: str, subject: str, body: str) -> OutboxTemplate:
    """IT saves the wording of ``kind``; an invalid template raises ``TemplateError`` and changes nothing."""
    if actor.user is None or Role(actor.user.role) != Role.it_admin:
        raise TemplateError("只有系统管理员可以修改通知模板")
    if kind not in DEFAULT_TEMPLATES:
        raise TemplateError("通知类型不存在")
    subject, body = (subject or "").strip(), (body or "").strip().replace("\r\n", "\n")
    problems = template_problems(subject, body)
    if problems:
        raise TemplateError("；".join(dict.fromkeys(problems)))
    row = session.scalar(select(OutboxTemplate).where(OutboxTemplate.kind == kind))
    before = {"subject": row.subject, "body": row.body} if row else None
    if row is None:
        row = OutboxTemplate(kind=kind)
        session.add(row)
    row.subject, row.body, row.updated_by_id = subject, body, actor.user.id
    session.flush()
    record(session, actor, "outbox_template", row, before=before, after={"subject": subject, "body": body})
    return row


def scrub(text: str, id_number: str | None = None) -> str:
    """``text`` without the application's ID number and without anything shaped like one."""
    if id_number:
        for form in {id_number, id_number.upper(), id_number.lower()}:
            text = text.replace(form, HIDDEN)
    return ID_LIKE.sub(HIDDEN, text)


def values_for(session, application: Application, reason: str = "") -> dict[str, str]:
    cycle = application.cycle or session.get(Cycle, application.cycle_id)
    notice = session.get(Notice, application.notice_id) if application.notice_id else None
    names = profiles.of(cycle.association if cycle else None).names
    return {
        "姓名": application.name or "",
        "年度": str(cycle.year) if cycle else "",
        "协会": names.association,
        "单位": application.unit.name if application.unit else names.office_short,
        "理由": reason or "",
        "申请序列号": application.serial_no or "",
        "公示开始": notice.starts_on.isoformat() if notice else "",
        "公示结束": notice.ends_on.isoformat() if notice else "",
        "材料截止日期": cycle.materials_deadline.isoformat() if cycle else "",
    }


def render(session, kind: str, application: Application, reason: str = "") -> tuple[str, str]:
    """(subject, body) of ``kind`` for ``application``, scrubbed of ID numbers."""
    cycle = application.cycle
    subject, body = template_of(session, kind, profiles.of(cycle.association if cycle else None).say)
    values = values_for(session, application, reason)
    return tuple(scrub(text.format_map(values), application.id_number) for text in (subject, body))


# ---------------------------------------------------------------- queueing

def mask(recipient: str | None) -> str:
    """138****1234 for a mobile number, zh***@example.com for an address."""
    recipient = recipient or ""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:2]}***@{domain}"
    digits = recipient.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def _recipients(session, kind: str, application: Application) -> list[tuple[OutboxChannel, str]]:
    """Where ``kind`` goes: the applicant's e-mail and mobile; for 退回 the unit admins' mobiles."""
    if kind == "returned":
        if application.unit_id is None:
            return []
        mobiles = session.scalars(select(User.mobile).where(User.unit_id == application.unit_id,
                                                            User.role == Role.unit_admin, User.active.is_(True)))
        found = [(OutboxChannel.sms, m.strip()) for m in mobiles if m and m.strip()]
    else:
        applicant = application.applicant if application.applicant_id else None
        mobile = (application.mobile or (applicant.mobile if applicant else None) or "").strip()
        email = (application.email or "").strip()
        found = ([(OutboxChannel.email, email)] if "@" in email else []) + \
                ([(OutboxChannel.sms, mobile)] if mobile else [])
    return list(dict.fromkeys(found))


def queue(session, kind: str, application: Application, reason: str = "") -> list[OutboxMessage]:
    """Queue ``kind`` for ``application`` on every channel its person has; the caller commits."""
    rows = []
    recipients = _recipients(session, kind, application)
    if not recipients:
        return rows
    subject, body = render(session, kind, application, reason)
    for channel, recipient in recipients:
        row = OutboxMessage(kind=kind, channel=channel, recipient=recipient[:120], application_id=application.id,
                            subject=subject[:200], body=body, state=OutboxState.pending, attempts=0,
                            next_attempt_at=utcnow())
        session.add(row)
        rows.append(row)
    return rows


def queue_transition(session, transition_name: str, application: Application, reason: str = "") -> list:
    """Called by the workflow where it writes the 站内信: the transitions that also go out are queued."""
    kind = KIND_BY_TRANSITION.get(transition_name)
    return queue(session, kind, application, reason) if kind else []


def queue_material_reminders(session, today: dt.date | None = None, days: int = REMINDER_DAYS) -> int:
    """Remind once each confirmed application still short of paper material within ``days`` of the deadline."""
    today = today or dt.date.today()
    already = select(OutboxMessage.application_id).where(OutboxMessage.kind == "materials_reminder",
                                                         OutboxMessage.application_id.is_not(None))
    apps = session.scalars(
        select(Application).join(Cycle, Cycle.id == Application.cycle_id)
        .where(Application.status == Status.office_confirmed,
               Cycle.materials_deadline >= today, Cycle.materials_deadline <= today + dt.timedelta(days=days),
               Application.id.not_in(already))
        .order_by(Application.id)).all()
    return sum(1 for app in apps if queue(session, "materials_reminder", app))  # those reachable


# ---------------------------------------------------------------- delivery

class SendError(Exception):
    """A message that could not be sent; ``str(exc)`` is the Chinese reason kept in 最近错误."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int, base: float = BACKOFF_SECONDS) -> dt.timedelta:
    return dt.timedelta(seconds=base * 2 ** max(0, attempts - 1))


def deliver(session, senders: dict, *, now: dt.datetime | None = None, limit: int = 500, commit=None,
            max_attempts: int = MAX_ATTEMPTS, backoff_base: float = BACKOFF_SECONDS) -> DeliveryReport:
    """One pass: send each due message (待发送 / 重试中, next_attempt_at reached) through ``senders[channel]``.

    A message is locked while it is sent (``SKIP LOCKED``: several workers never send one twice) and its
    outcome is committed by ``commit`` right after.  A channel without a sender is left untouched.
    """
    now_fn = (lambda: now) if now is not None else utcnow
    report = DeliveryReport()
    channels = [c for c in OutboxChannel if senders.get(c) is not None]
    last_id = 0
    for _ in range(limit):
        row = session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id > last_id, OutboxMessage.channel.in_(channels),
                   OutboxMessage.state.in_((OutboxState.pending, OutboxState.retrying)),
                   OutboxMessage.next_attempt_at <= now_fn())
            .order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True)) if channels else None
        if row is None:
            break
        last_id = row.id
        sender = senders[row.channel]
        row.attempts += 1
        try:
            sender.send(row)
        except Exception as exc:  # noqa: BLE001 (a broken gateway must not stop the worker)
            if not isinstance(exc, SendError):
                log.exception("outbox #%s: unexpected error", row.id)
            reason = str(exc) if isinstance(exc, SendError) else "发送出错，详见发送日志"
            row.last_error = scrub(reason)[:1000]
            if row.attempts >= max_attempts:
                row.state, row.next_attempt_at = OutboxState.failed, None
                report.failed += 1
            else:
                row.state = OutboxState.retrying
                row.next_attempt_at = now_fn() + backoff(row.attempts, backoff_base)
                report.retrying += 1
            report.errors.append(f"#{row.id} {mask(row.recipient)}：{row.last_error}")
        else:
            row.state, row.sent_at, row.sent_via = OutboxState.sent, now_fn(), sender.name
            row.next_attempt_at, row.last_error = None, None
            report.sent += 1
        if commit is not None:
            commit()
        else:
            session.flush()
    return report
