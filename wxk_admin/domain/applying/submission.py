"""提交 / 重新提交: every check of a draft, then the workflow's ``submit``."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from .. import cip, workflow
from ..audit import Actor, record, send_message
from ..cycles import window_text
from ...enums import Role, Status
from ...models import Application, Cycle, User
from ..workflow import Conflict, TransitionRefused
from .drafts import EDITABLE_STATES, require_own, require_own_editable, save_sections, stale
from .fields import Cleaned, Problems, clean
from .validation import submission_problems


class SubmitRefused(TransitionRefused):
    """Submission refused; ``problems`` maps field names to messages (may be empty)."""

    def __init__(self, message: str, problems: dict | None = None):
        super().__init__(message)
        self.problems = Problems().merge(problems or {})


ONE_UNIT_MESSAGE = ("该身份证号在本年度已有一份正在办理的入会申请。同属多个团体会员的申请者，"
                    "每年度只能选择一个所属的团体会员单位推荐，不能重复申请。")


def duplicate_live_application(session, application: Application) -> bool:
    """Another live application of the same 身份证号 in the same cycle (any unit)?"""
    if not application.id_number:
        return False
    other = session.scalar(select(func.count(Application.id)).where(
        Application.cycle_id == application.cycle_id,
        func.upper(Application.id_number) == application.id_number.upper(),
        Application.id != application.id,
        Application.status.in_(workflow.LIVE_STATES)))
    return bool(other)


def submit(session, application: Application, actor: Actor, today: dt.date | None = None, *,
           expected_version: int | None = None, changes: tuple[dict, dict] | None = None) -> workflow.Outcome:
    """提交 / 重新提交: every check, then the workflow's ``submit``.  Raises ``SubmitRefused``; the caller commits.

    ``changes`` (before, after): field changes saved with this submission, recorded in its audit event.
    A resubmission moves the 驳回理由 into that event (history) and tells the unit's admins.
    """
    today = today or dt.date.today()
    require_own(session, application, actor)
    if application.status not in EDITABLE_STATES:
        if application.status == Status.submitted:
            raise SubmitRefused("申请已提交，请勿重复提交")
        raise SubmitRefused(f"申请当前状态为「{Status(application.status).label}」，不能提交")
    if stale(application, expected_version):
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


def save_and_submit(session, application: Application, data: dict, actor: Actor, *, today: dt.date | None = None,
                    expected_version: int | None = None) -> workflow.Outcome:
    """提交 from the form: save what was typed, then submit; the changes are recorded with the submission.

    When submission is refused the draft stays saved (recorded as 保存草稿) and ``SubmitRefused`` is raised;
    either way the caller commits.
    """
    require_own_editable(session, application, actor)
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
