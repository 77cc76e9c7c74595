"""Read-only roles (纪检监察, issue 15.1): whatever a view would allow, no POST of theirs reaches it.

One request hook rather than a check in every view: a new view cannot forget it.
"""
from __future__ import annotations

from flask import request
from flask_login import current_user

from ..domain import access
from ..domain.audit import record
from ..errors import render_error
from ..models import db
from ..security import current_actor
from .base import role_of

# What a read-only role may still POST: its own sign-in, sign-out and password.
READ_ONLY_MAY_POST = frozenset({"account.login_view", "account.logout_view", "account.password_view"})
READ_ONLY_MESSAGE = "纪检监察为只读角色，不能修改任何数据。"


def refuse_changes():
    """Every POST (PUT, DELETE …) of a read-only role is refused with 403 and audited."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in READ_ONLY_MAY_POST:
        return None
    if not current_user.is_authenticated or role_of(current_user) not in access.READ_ONLY_ROLES:
        return None
    record(db.session, current_actor(), "access_denied", ("Endpoint", None),
           reason=f"{request.method} {request.path}（只读角色）"[:500])
    db.session.commit()
    return render_error(403, READ_ONLY_MESSAGE)
