"""Site-wide pieces outside the console: the root redirect and template helpers."""
from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .enums import Role, Status
from .extensions import db
from .models import Message

bp = Blueprint("web", __name__)


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return db.session.scalar(
        select(func.count(Message.id)).where(Message.recipient_id == current_user.id, Message.read_at.is_(None))
    ) or 0


@bp.app_context_processor
def template_helpers():
    return {
        "unread_count": unread_count,
        "role_label": Role.label_of,
        "status_label": Status.label_of,
    }


@bp.after_app_request
def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
