"""The append-only audit log (操作记录) and the in-site messages (站内信).

Domain functions call ``record`` themselves, so that every change is logged
whether it came from a view, an action, the CLI or a test.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import event, inspect, update

from . import access
from ..enums import AuditAction
from ..models import AuditEvent, Message, User, utcnow


@dataclass(frozen=True)
class Actor:
    """Who acts: the logged-in user, their IP, and the proxy account they act as (if any)."""

    user: User | None
    ip: str | None = None
    on_behalf_of: User | None = None

    @property
    def id(self):
        return self.user.id if self.user else None

    @property
    def acting_as(self) -> User | None:
        """Whose rights apply: the proxy account when an admin acts through it, else the user."""
        return self.on_behalf_of or self.user


def jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


class UnknownAction(ValueError):
    """An action missing from ``AuditAction``: it would show untranslated in every history."""


def record(session, actor: Actor | None, action: AuditAction | str, target, *, application_id=None,
           from_state=None, to_state=None, before=None, after=None, reason=None) -> AuditEvent:
    """Append one audit event; ``target`` is a model instance or a ``(type, id)`` pair.

    ``action`` must be an ``AuditAction`` (or its value): an unlabelled action is refused.
    """
    try:
        action = AuditAction(action)
    except ValueError:
        raise UnknownAction(f"未登记的操作类型：{action!r}（请在 enums.AuditAction 中登记并写明中文名称）") from None
    if isinstance(target, tuple):
        target_type, target_id = target
    else:
        target_type, target_id = type(target).__name__, getattr(target, "id", None)
    event_row = AuditEvent(
        actor_id=actor.id if actor else None,
        on_behalf_of_id=actor.on_behalf_of.id if actor and actor.on_behalf_of else None,
        ip=actor.ip if actor else None,
        action=action.value,
        target_type=target_type,
        target_id=target_id,
        application_id=application_id,
        from_state=jsonable(from_state),
        to_state=jsonable(to_state),
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event_row)
    return event_row


def changed_fields(obj) -> tuple[dict, dict]:
    """Before/after values of the attributes of ``obj`` modified in this session (pending flush)."""
    before, after = {}, {}
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if jsonable(old) != jsonable(new):
                before[attr.key] = jsonable(old)
                after[attr.key] = jsonable(new)
    return before, after


def send_message(session, recipient: User | int, subject: str, body: str, *, application_id=None,
                 sender: User | None = None) -> Message:
    recipient_id = recipient if isinstance(recipient, int) else recipient.id
    msg = Message(recipient_id=recipient_id, subject=subject, body=body, application_id=application_id,
                  sender_id=sender.id if sender else None)
    session.add(msg)
    return msg


def mark_read(session, actor: Actor, ids) -> int:
    """标为已读: the acting account's own unread 站内信 among ``ids`` (``access``'s message scope); returns how
    many were marked."""
    result = session.execute(update(Message)
                             .where(access.message_filter(actor.acting_as), Message.id.in_(list(ids)),
                                    Message.read_at.is_(None))
                             .values(read_at=utcnow()))
    return result.rowcount


@event.listens_for(AuditEvent, "before_update")
def _refuse_audit_update(mapper, connection, target):
    raise PermissionError("操作记录只可追加，不可修改")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_delete(mapper, connection, target):
    raise PermissionError("操作记录只可追加，不可删除")
