"""The applicant's own application before submission: finding it, starting or copying a draft, saving.

``save_sections`` is the one writer of an application's fields, also for the unit admin's 修改信息.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import false, select
from sqlalchemy.orm.exc import StaleDataError

from .. import access, checks, workflow
from ..audit import Actor, record
from ...enums import Role, Status
from ...models import Application, Cycle, User, utcnow
from ..workflow import Conflict, TransitionRefused
from .fields import SCALAR_SPECS, SECTIONS, Cleaned, Problems, application_values, clean, diff
from .validation import draft_warnings

# States in which the applicant edits and (re)submits — where the workflow's 提交 starts; later states are read-only
# for them.
EDITABLE_STATES = workflow.TRANSITIONS["submit"].sources


class NotYours(TransitionRefused):
    def __init__(self):
        super().__init__("申请不存在或无权访问")


def _is_applicant(user: User | None) -> bool:
    return user is not None and Role(user.role) == Role.applicant


def mine(actor: Actor):
    """The WHERE clause of the acting account's own applications: ``access``'s scope of an applicant account.
    Any other account owns none, although it may see some (a unit admin sees the unit's)."""
    user = actor.acting_as
    return access.application_filter(user) if _is_applicant(user) else false()


def own_application(session, actor: Actor, application_id) -> Application | None:
    """The application with this id if it is the acting account's own (never anyone else's)."""
    user = actor.acting_as
    return access.visible_application(session, user, application_id) if _is_applicant(user) else None


def require_own(session, application: Application, actor: Actor) -> None:
    """Refuse unless ``application`` is the acting account's own (a unit admin switched into a proxy account
    acts as the proxy, as in ``workflow.apply``)."""
    if own_application(session, actor, application.id) is None:
        raise NotYours()


def application_in_cycle(session, actor: Actor, cycle: Cycle | None) -> Application | None:
    """The acting applicant's application of ``cycle`` (the newest, should there be several)."""
    if cycle is None:
        return None
    return session.scalars(select(Application).where(mine(actor), Application.cycle_id == cycle.id)
                           .order_by(Application.id.desc())).first()


def previous_application(session, actor: Actor, cycle: Cycle) -> Application | None:
    """The applicant's latest application of an earlier cycle (for 复制上一年度申请)."""
    return session.scalars(
        select(Application).join(Cycle, Cycle.id == Application.cycle_id)
        .where(mine(actor), Application.cycle_id != cycle.id, Cycle.year <= cycle.year)
        .order_by(Cycle.year.desc(), Application.id.desc())).first()


def start_application(session, actor: Actor, cycle: Cycle) -> Application:
    """A new draft in ``cycle`` for the acting account (one per applicant per cycle)."""
    user = actor.acting_as
    if not _is_applicant(user):
        raise TransitionRefused("只有申请者账户可以填写入会申请")
    if cycle is None:
        raise TransitionRefused("当前没有开放的申请年度")
    existing = application_in_cycle(session, actor, cycle)
    if existing is not None:
        return existing
    application = Application(cycle_id=cycle.id, unit_id=user.unit_id, applicant_id=user.id, status=Status.draft,
                              name=user.full_name or "", mobile=user.mobile)
    session.add(application)
    session.flush()
    record(session, actor, "create_application", application, application_id=application.id,
           to_state=Status.draft)
    return application


def copy_previous(session, actor: Actor, cycle: Cycle) -> Application:
    """复制上一年度申请: a new draft in ``cycle`` prefilled from the acting applicant's latest earlier
    application."""
    if application_in_cycle(session, actor, cycle) is not None:
        raise TransitionRefused("本年度已有入会申请，无需复制")
    source = previous_application(session, actor, cycle)
    if source is None:
        raise TransitionRefused("没有可复制的上一年度申请")
    application = start_application(session, actor, cycle)
    save_sections(session, application, application_values(source), actor, action="copy_previous",
                  reason=f"复制自{source.cycle.name}的申请")
    return application


def require_own_editable(session, application: Application, actor: Actor) -> None:
    """Refuse unless ``application`` is the acting account's own and still editable (草稿, 已驳回)."""
    require_own(session, application, actor)
    if application.status not in EDITABLE_STATES:
        raise TransitionRefused(f"申请当前状态为「{Status(application.status).label}」，不能修改")


def save_draft(session, application: Application, data: dict, actor: Actor, *, today: dt.date | None = None,
               expected_version: int | None = None) -> tuple[Cleaned, Problems]:
    """保存草稿: keep everything typed (valid or not); return the cleaned data and the warnings to show."""
    require_own_editable(session, application, actor)
    today = today or dt.date.today()
    cleaned = data if isinstance(data, Cleaned) else clean(data)
    save_sections(session, application, cleaned.values, actor, unstored=cleaned.unstored, action="save_draft",
                  expected_version=expected_version)
    return cleaned, draft_warnings(cleaned, today)


def stale(application: Application, expected_version) -> bool:
    """A version was given and it is not the application's now: someone saved in between (or the form field
    was mangled)."""
    if expected_version is None:
        return False
    try:
        return int(expected_version) != application.version
    except (TypeError, ValueError):
        return True


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
    if stale(application, expected_version):
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
