"""Reference data and administration: units, cycles, accounts, audit log, 站内信."""
from __future__ import annotations

import secrets

from flask import current_app, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select
from wtforms import PasswordField
from wtforms.validators import Optional

from ..domain import access, history, passwords
from ..domain.applying import accounts
from ..domain.audit import mark_read, record
from ..enums import Association, AuditAction, AuditTarget, LabelledEnum, Role, Status
from ..extensions import db
from ..models import AuditEvent, Cycle, GroupUnit, Message, User
from ..rules import RULESETS
from ..security import current_actor, request_return_url
from ..web import forget_unread_count, say
from .base import CREATE, DELETE, EDIT, EXPORT, READ, SecureModelView, current_role
from .outcome import outcome

ALL = frozenset({READ, CREATE, EDIT, DELETE, EXPORT})
IT_ONLY = {Role.it_admin: ALL}


class GroupUnitView(SecureModelView):
    """团体会员单位 — data, never code: IT maintains, the office reads."""

    roles = frozenset({Role.it_admin, Role.office})
    permissions = {Role.it_admin: ALL, Role.office: frozenset({READ, EXPORT})}
    column_default_sort = "code"
    column_choices = form_choices = {"association": Association.choices()}

    def scope(self, user):
        # Reference data with no owner per row: IT and the office both work from the whole list of units.
        return access.every_row(user)


class CycleView(SecureModelView):
    """年度 — the office manages cycles and their windows."""

    roles = frozenset({Role.it_admin, Role.office})
    permissions = {Role.it_admin: ALL, Role.office: frozenset({READ, CREATE, EDIT, EXPORT})}
    column_default_sort = ("year", True)
    form_excluded_columns = ("serial_counter",)
    # Stored as codes (cwa, cwa-2022); read and chosen by their Chinese names.
    column_choices = form_choices = {"association": Association.choices(),
                                     "ruleset": [(name, rs.title) for name, rs in RULESETS.items()]}

    def scope(self, user):
        # The association's own calendar: IT and the office both manage every cycle.
        return access.every_row(user)


def _unit_query():
    return db.session.scalars(select(GroupUnit).order_by(GroupUnit.code))


class UserView(SecureModelView):
    """账户管理 — IT: create, deactivate, unlock, reset password."""

    roles = frozenset({Role.it_admin})
    permissions = {Role.it_admin: frozenset({READ, CREATE, EDIT, EXPORT})}
    column_list = ("username", "full_name", "role", "unit", "active", "is_proxy", "last_login_at", "locked_until")
    column_labels = {"unit": "所属单位", "unit.name": "所属单位", "created_by": "创建人"}
    column_filters = ("role", "active", "is_proxy", "unit.name")
    form_columns = ("username", "full_name", "mobile", "role", "unit", "active", "must_change_password",
                    "new_password")
    form_extra_fields = {"new_password": PasswordField("设置新密码（留空不修改）", validators=[Optional()])}
    form_args = {"unit": {"query_factory": _unit_query, "label": "所属单位"}}
    # Secrets are nobody's reading, IT's included.
    column_details_exclude_list = ("password_hash", "session_token")

    def scope(self, user):
        return access.user_filter(user)

    def on_model_change(self, form, model, is_created):
        accounts.refuse_taken_username(db.session, model.username, user_id=model.id)
        password = form.new_password.data
        if is_created and not password:
            raise ValueError("新账户必须设置密码")
        if password:
            problems = passwords.password_problems(form.username.data, password)
            if problems:
                raise ValueError("；".join(problems))
            model.set_password(password)
            passwords.rotate_session_token(model)
        if is_created:
            model.created_by_id = current_user.id
        elif not model.active:
            passwords.rotate_session_token(model)  # deactivation ends every session
        super().on_model_change(form, model, is_created)

    @action("unlock", "解除锁定", "确定解除所选账户的登录锁定？")
    def action_unlock(self, ids):
        with outcome() as done:
            users = self.scoped_ids(ids)
            for user in users:
                user.failed_logins = 0
                user.locked_until = None
                record(db.session, current_actor(), "unlock", user)
            done.say(f"已解除 {len(users)} 个账户的锁定")

    @action("deactivate", "停用账户", "确定停用所选账户？停用后其所有会话立即失效。")
    def action_deactivate(self, ids):
        with outcome() as done:
            users = [u for u in self.scoped_ids(ids) if u.id != current_user.id]
            for user in users:
                user.active = False
                passwords.rotate_session_token(user)
                record(db.session, current_actor(), "deactivate", user)
            done.say(f"已停用 {len(users)} 个账户")

    @action("reset_password", "重置密码", "确定重置所选账户的密码？新密码只显示一次。")
    def action_reset_password(self, ids):
        with outcome() as done:
            shown = []
            for user in self.scoped_ids(ids):
                password = secrets.token_urlsafe(9)
                passwords.set_password(db.session, user, password, current_actor(), must_change=True)
                shown.append(f"{user.username}：{password}")
            done.say(Markup("已重置密码（仅显示一次，登录后须修改）：<br>{}").format(Markup("<br>").join(shown)))


def _changes_table(view, context, model, name) -> Markup:
    """修改内容: each changed field by its label, before → after (IT reads 身份证号 in full)."""
    rows = history.changes(model, current_role(), current_app.extensions["wxk_profile"])
    if not rows:
        return Markup("")
    body = Markup("").join(Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(c.label, c.before, c.after)
                           for c in rows)
    return Markup('<table class="table table-sm table-bordered mb-0 history-changes"><thead class="thead-light">'
                  "<tr><th>项目</th><th>修改前</th><th>修改后</th></tr></thead><tbody>{}</tbody></table>").format(body)


def _application_link(view, context, model, name) -> Markup | str:
    if model.application_id is None:
        return ""
    return Markup('<a href="{}">查看申请（编号 {}）</a>').format(
        view.get_url("applications.details_view", id=model.application_id), model.application_id)


def _label_formatter(vocabulary: type[LabelledEnum]):
    return lambda view, context, model, name: say(vocabulary(getattr(model, name))) \
        if getattr(model, name) in vocabulary._value2member_map_ else vocabulary.label_of(getattr(model, name))


def _labels_matching(vocabulary: type[LabelledEnum], term: str) -> list[str]:
    return [m.value for m in vocabulary if term in m.label]


class AuditEventView(SecureModelView):
    """操作记录 — read-only for everyone, IT included; actions, objects and states read in Chinese."""

    roles = frozenset({Role.it_admin, Role.supervisor})
    permissions = {Role.it_admin: frozenset({READ, EXPORT}), Role.supervisor: frozenset({READ})}
    column_list = ("created_at", "actor", "on_behalf_of", "action", "target_type", "target_id", "from_state",
                   "to_state", "reason", "ip")
    column_details_list = ("created_at", "actor", "on_behalf_of", "ip", "action", "target_type", "target_id",
                           "application_id", "from_state", "to_state", "reason", "changes")
    column_labels = {"actor": "操作人", "on_behalf_of": "代为操作账户", "actor.username": "操作人用户名",
                     "changes": "修改内容"}
    column_filters = ("action", "target_type", "created_at", "actor.username")
    # Codes read by their Chinese names: filter options from the choices, cells (empty ones too) by formatter.
    column_choices = {"action": AuditAction.choices(), "target_type": AuditTarget.choices(),
                      "from_state": Status.choices(), "to_state": Status.choices()}
    column_formatters = {name: _label_formatter(vocabulary) for name, vocabulary in
                         (("action", AuditAction), ("target_type", AuditTarget), ("from_state", Status),
                          ("to_state", Status))}
    column_formatters_detail = {**column_formatters, "changes": _changes_table, "application_id": _application_link}
    column_searchable_list = ("reason", "action")
    column_default_sort = ("created_at", True)
    audit_changes = False

    def scope(self, user):
        # IT and 纪检监察 audit the whole platform (the supervisor's withheld fields: history.changes).
        return access.every_row(user)

    def is_action_allowed(self, name):
        return False

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """Each word matches 意见/理由 or the code, or the Chinese name of the action, object type or state
        (「修改信息」 finds the edits)."""
        for term in search.split():
            like = f"%{term}%"
            condition = or_(AuditEvent.reason.ilike(like), AuditEvent.action.ilike(like),
                            AuditEvent.action.in_(_labels_matching(AuditAction, term)),
                            AuditEvent.target_type.in_(_labels_matching(AuditTarget, term)),
                            AuditEvent.to_state.in_(_labels_matching(Status, term)))
            query = query.filter(condition)
            if count_query is not None:
                count_query = count_query.filter(condition)
        return query, count_query, joins, count_joins


def application_history(application) -> list[tuple[AuditEvent, list[history.Change]]]:
    """The details page's 操作记录 for the current user, each event with its spelled-out changes."""
    role, profile = current_role(), current_app.extensions["wxk_profile"]
    return [(event, history.changes(event, role, profile) if event.action in history.FIELD_EDITS else [])
            for event in history.visible_events(db.session, application, role)]


class InboxView(SecureModelView):
    """站内信 — each user reads their own; reading changes nothing, 标为已读 is a POST."""

    roles = frozenset(Role)
    permissions = {role: frozenset({READ}) for role in Role}
    column_list = ("subject", "created_at", "read_at")
    column_default_sort = ("created_at", True)
    column_filters = ()
    column_details_list = ("subject", "body", "created_at", "read_at")
    column_formatters = {
        "subject": lambda v, c, m, p: Markup('<a href="{}">{}{}</a>').format(
            v.get_url(".details_view", id=m.id), m.subject,
            Markup(' <span class="badge badge-danger">未读</span>') if m.read_at is None else ""),
        "body": lambda v, c, m, p: Markup("<br>").join(m.body.splitlines()),
    }
    audit_changes = False

    def scope(self, user):
        return access.message_filter(user)

    details_template = "inbox/details.html"

    def is_action_allowed(self, name):
        return name == "mark_read"

    @action("mark_read", "标为已读")
    def action_mark_read(self, ids):
        self._mark_read(ids)

    @expose("/read/", methods=("POST",))
    def mark_read_view(self):
        self._mark_read(request.form.getlist("id"))
        return redirect(request_return_url(self.get_url(".index_view")))

    def _mark_read(self, ids) -> None:
        with outcome() as done:
            marked = mark_read(db.session, current_actor(), [m.id for m in self.scoped_ids(ids)])
            done.say(f"已标为已读：{marked} 条" if marked else "所选站内信均已读", "success" if marked else "info")
        forget_unread_count()


def register(admin) -> None:
    admin.app.jinja_env.globals["application_history"] = application_history
    admin.add_view(InboxView(Message, name="站内信", endpoint="inbox"))
    admin.add_view(GroupUnitView(GroupUnit, name="团体会员单位", endpoint="units", category="基础数据"))
    admin.add_view(CycleView(Cycle, name="申请年度", endpoint="cycles", category="基础数据"))
    admin.add_view(UserView(User, name="账户管理", endpoint="users", category="系统管理"))
    admin.add_view(AuditEventView(AuditEvent, name="操作记录", endpoint="audit", category="系统管理"))
