"""纸质材料: the 申报材料清单 the unit and the office tick, 材料已收齐, and what is still missing after the deadline."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from .. import workflow
from ..audit import Actor, record
from ...enums import Role, Status
from ...models import Application, Cycle, MaterialItem
from ...params import id_arg
from ..workflow import TransitionRefused
from . import common
from .common import Refused, date_field, int_field, office_name, require_role, visible


def states_before(transition: str) -> tuple[Status, ...]:
    """The states a submitted application passes through before ``transition``: its sources and, walking
    ``workflow``'s table backwards, every state leading to them — back to where 提交 puts it (in Status order)."""
    entry = workflow.target("submit")
    found, todo = set(), list(workflow.sources(transition))
    while todo:
        state = todo.pop()
        if state not in found:
            found.add(state)
            if state != entry:
                todo += [s for t in workflow.TRANSITIONS.values() if t.target == state for s in t.sources]
    return tuple(s for s in Status if s in found)


# Paper materials are marked, and listed missing, from submission until 材料已收齐.
PRE_MATERIAL_STATES = states_before("materials_received")

HOLDER_FIELDS = {"unit": ("unit_received_at", "unit_received_by"),
                 "office": ("office_received_at", "office_received_by")}


def holder_of(actor: Actor) -> str:
    """Which column pair the acting account marks: the unit what it received, the office what reached it."""
    user = actor.acting_as
    if user is not None and Role(user.role) == Role.unit_admin:
        return "unit"
    if user is not None and Role(user.role) == Role.office:
        return "office"
    raise Refused("您的角色无权登记纸质材料")


def mark_material(session, actor: Actor, item_id, *, received: bool, on=None, by: str | None = None) -> MaterialItem:
    """Mark one checklist item received (date, by whom) or missing again, for the actor's side."""
    holder = holder_of(actor)
    pk = id_arg(item_id)  # past BIGINT too: no item, and the database could not bind it
    item = session.get(MaterialItem, pk) if pk is not None else None
    if item is None:
        raise Refused("材料条目不存在")
    app = visible(session, actor, item.application_id)
    if app.status not in PRE_MATERIAL_STATES:
        raise Refused(f"当前状态为「{Status(app.status).label}」，不能再登记纸质材料")
    at_field, by_field = HOLDER_FIELDS[holder]
    before = {at_field: getattr(item, at_field) and getattr(item, at_field).isoformat(),
              by_field: getattr(item, by_field)}
    if received:
        day = date_field(on, "收到日期") if on else common.today()
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
    holder = holder_of(actor)
    app = visible(session, actor, application_id)
    at_field, _ = HOLDER_FIELDS[holder]
    count = 0
    for item in app.materials:
        if getattr(item, at_field) is None:
            mark_material(session, actor, item.id, received=True, on=on, by=by)
            count += 1
    return count


def add_material_item(session, actor: Actor, application_id, name: str, copies=1, original: bool = False):
    """The office adds a line to an application's checklist (申报材料清单)."""
    require_role(actor, Role.office)
    app = visible(session, actor, application_id)
    name = (name or "").strip()
    if not name:
        raise Refused("请填写材料名称")
    copies = int_field(copies, "份数", 1)
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
    require_role(actor, Role.office)
    result = workflow.BulkResult()
    for raw in ids:
        try:
            app = visible(session, actor, raw)
        except Refused as exc:
            result.refused.append((raw, "", str(exc)))
            continue
        if not app.materials:
            result.refused.append((app.id, app.name, "申报材料清单为空，请先登记材料"))
            continue
        missing = missing_items(app)
        if missing:
            result.refused.append((app.id, app.name, f"{office_name(app)}尚未收到：" + "、".join(m.name for m in missing)))
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


def missing_after_deadline(session, actor: Actor, cycle: Cycle, today: dt.date | None = None) -> list[MissingRow]:
    """Applications of the cycle the actor sees still missing paper material after its deadline (empty before it)."""
    today = today or common.today()
    if cycle is None or today <= cycle.materials_deadline:
        return []
    apps = session.scalars(
        select(Application).where(common.scope(actor), Application.cycle_id == cycle.id,
                                  Application.status.in_(PRE_MATERIAL_STATES))
        .order_by(Application.serial_seq, Application.id)).all()
    rows = []
    for app in apps:
        missing = missing_items(app) if app.materials else []
        if missing or not app.materials:
            rows.append(MissingRow(app, missing))
    return rows
