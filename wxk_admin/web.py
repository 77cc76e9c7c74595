"""Site-wide pieces outside the console: the root redirect and template helpers."""
from __future__ import annotations

from flask import Blueprint, g, redirect, url_for
from flask_login import current_user

from .enums import STATUS_BADGE, Role, Status
from .extensions import db
from .layout import local_datetime
from .models import Message

bp = Blueprint("web", __name__)


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))


def unread_count() -> int:
    """站内信 not yet read by the current user (read with the user by ``auth.load_user``)."""
    if not current_user.is_authenticated:
        return 0
    if "wxk_unread" not in g:
        g.wxk_unread = db.session.scalar(Message.unread_count(current_user.id)) or 0
    return g.wxk_unread


def forget_unread_count() -> None:
    """After marking a 站内信 read in this request: count again when the page shows it."""
    g.pop("wxk_unread", None)


# 操作记录: how each audited action reads on screen (transitions take their button label).
ACTION_LABELS = {
    "edit": "修改信息", "create": "新建", "delete": "删除", "login": "登录", "login_failed": "登录失败",
    "logout": "退出", "password_change": "修改密码", "password_reset": "重置密码", "access_denied": "越权访问被拒绝",
    "create_application": "创建申请", "copy_previous": "复制上一年度申请", "save_draft": "保存草稿",
    "create_proxy": "新增代申请账户", "hand_over_proxy": "交由本人使用", "switch_to_proxy": "以该账户身份填写",
    "switch_back": "返回管理员账户", "register": "注册", "extend_window": "延长填写期限",
    "recheck_eligibility": "重新计算资格初审", "export": "导出",
}


def action_label(action: str) -> str:
    from .workflow import TRANSITIONS

    if action in TRANSITIONS:
        return TRANSITIONS[action].label
    return ACTION_LABELS.get(action, action)


@bp.app_template_filter("local_dt")
def local_dt(value) -> str:
    """``{{ when|local_dt }}``: a stored UTC time in Beijing time, to the minute."""
    return local_datetime(value) if value else ""


@bp.app_context_processor
def template_helpers():
    return {
        "unread_count": unread_count,
        "role_label": Role.label_of,
        "status_label": Status.label_of,
        "status_badge_class": lambda status: STATUS_BADGE[Status(status)],
        "action_label": action_label,
    }


@bp.after_app_request
def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
