"""The one base view every model view inherits: roles, row-level scope on every path, labels from the model.

Flask-Admin scopes only the list through ``get_query``; this class also routes
``get_one`` (details, edit, delete, inline ``ajax_update``), actions, exports and
relationship dropdowns through the same scope (see FLASK_ADMIN_NOTES.md).
"""
from __future__ import annotations

import datetime as dt
import re

from flask import abort, current_app, flash, g, has_request_context, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin import babel as admin_babel
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user, user_logged_in, user_logged_out
from markupsafe import Markup, escape
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import false

from ..domain.audit import changed_fields, record
from ..domain.errors import Refused
from ..enums import STATUS_BADGE, LabelledEnum, Role, Status
from ..errors import render_error
from ..domain.layout import local_datetime
from ..models import db
from ..params import id_arg, id_list, int_arg
from ..security import current_actor, this_page
from ..web import say, static_url
from ..documents.xlsx import content_disposition, safe_value
from .safe_filters import SafeFilterConverter

READ, CREATE, EDIT, DELETE, EXPORT = "read", "create", "edit", "delete", "export"


def role_of(user) -> Role | None:
    return Role(user.role) if user is not None and user.is_authenticated else None


def current_role() -> Role | None:
    """The signed-in user's role, worked out once per request: Flask-Admin's menu asks every view's
    ``is_accessible`` (two dozen per page), each of which read ``current_user`` and built the enum again.
    None outside a request (Flask-Admin reads a view's columns once when it registers it)."""
    if not has_request_context():
        return None
    if "wxk_role" not in g:
        g.wxk_role = role_of(current_user)
    return g.wxk_role


@user_logged_in.connect
@user_logged_out.connect
def _forget_role(*_args, **_kwargs):
    """A login, logout or switch into a proxy account within a request changes the role."""
    g.pop("wxk_role", None)


# Why a role is refused, where a plain 「无权访问」 would leave the user lost.
REFUSAL_MESSAGES = {
    Role.expert: "专家请在「审读投票」中审读分配给本组的申请；申请列表、申请详情、申请表下载和导出不向专家开放。",
}


class RoleGate:
    """Who may open a view at all (``roles``) — shared by model views and custom pages."""

    roles: frozenset[Role] = frozenset()

    def is_accessible(self) -> bool:
        return current_role() in self.roles

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("account.login_view", next=request.full_path))
        record(db.session, current_actor(), "access_denied", ("Endpoint", None), reason=request.path[:500])
        db.session.commit()
        message = REFUSAL_MESSAGES.get(current_role())
        if message:
            return render_error(403, message)
        abort(403)


class StaticUrls:
    """Flask-Admin builds every URL of its pages through ``get_url`` (its hook for that): the static files'
    ones come from ``web.static_url``, built once per process."""

    def get_url(self, endpoint: str, **kwargs) -> str:
        if endpoint == "static" or endpoint.endswith(".static"):
            return static_url(endpoint, **kwargs)
        return super().get_url(endpoint, **kwargs)


class SecureBaseView(RoleGate, StaticUrls, BaseView):
    """A custom (non-model) page restricted to ``roles``."""


def labels_from_model(model) -> dict[str, str]:
    labels = {}
    for column in sa_inspect(model).columns:
        if column.info.get("label"):
            labels[column.key] = column.info["label"]
    return labels


def columns_flagged(model, flag: str) -> list[str]:
    return [c.key for c in sa_inspect(model).columns if c.info.get(flag)]


def enum_columns(model) -> dict[str, type[LabelledEnum]]:
    found = {}
    for column in sa_inspect(model).columns:
        enum_class = getattr(column.type, "enum_class", None)
        if enum_class is not None and issubclass(enum_class, LabelledEnum):
            found[column.key] = enum_class
    return found


_PAGE_SIZE_OPTION = re.compile(r"^\d+ items?$")


def _ngettext(singular, plural, num, **variables):
    """Flask-Admin formats the page-size options ('50 items') before translating them: never found in
    its catalog, they stayed English.  Everything else goes to Flask-Admin's own translation."""
    if _PAGE_SIZE_OPTION.match(plural or ""):
        return f"每页 {num} 条"
    return admin_babel.ngettext(singular, plural, num, **variables)


# Flask-Admin's words replaced by the staff's: the guide's 【查询】 button (its catalog says 搜索 / 应用);
# the current page size '20 items' (translated '项目', i.e. 'project').
_OWN_WORDS = {"items": "条/页", "Search": "查询", "Apply": "查询"}


def _gettext(string, **variables):
    if string in _OWN_WORDS:
        return _OWN_WORDS[string]
    return admin_babel.gettext(string, **variables)


def _datetime_formatter(view, value, name=None):
    return local_datetime(value)


def enum_label_formatter(view, context, model, name):
    value = getattr(model, name)
    return current_app.extensions["wxk_profile"].label(value)  # 角色 / 门类 as the association says


MAX_PAGE = 10 ** 6  # list pages from the URL: beyond any real list, well within OFFSET's range
MAX_SEARCH = 200   # characters of a list search: more is no search anyone types


class SecureModelView(RoleGate, StaticUrls, ModelView):
    """Base of every model view.

    Subclasses declare ``roles`` (who may open it), ``permissions`` (role →
    {read, create, edit, delete, export}) and override ``scope`` (the WHERE
    clause of the rows the current user may touch).  Labels, list columns,
    filters, searchable columns and enum choices come from the model's ``info``.
    """

    permissions: dict[Role, frozenset[str]] = {}
    filter_converter = SafeFilterConverter()  # unknown enum values, out-of-range integers: refused, no 500
    page_size = 20
    can_set_page_size = True
    can_view_details = True
    details_modal = False
    edit_modal = False
    create_modal = False
    column_display_pk = False
    # Columns no form may ever set (owner, unit, workflow state) — extended per view.
    protected_columns: tuple[str, ...] = ()
    audit_changes = True

    def __init__(self, model, name=None, category=None, endpoint=None, url=None, **kwargs):
        self._configure_from_model(model)
        kwargs.setdefault("session", db)
        super().__init__(model, name=name, category=category, endpoint=endpoint, url=url, **kwargs)
        # Times in Beijing time on lists and details pages (exports keep their own formatters).
        for attr in ("column_type_formatters", "column_type_formatters_detail"):
            formatters = dict(getattr(self, attr) or {})
            formatters.setdefault(dt.datetime, _datetime_formatter)
            setattr(self, attr, formatters)
        # Flask-Admin's details page prints a yes/no column as True / False.
        self.column_type_formatters_detail.setdefault(bool, lambda view, value, name: "是" if value else "否")

    # ------------------------------------------------------------ configuration from model info

    def _configure_from_model(self, model) -> None:
        labels = labels_from_model(model)
        labels.update(getattr(self, "column_labels", None) or {})
        self.column_labels = labels
        if getattr(self, "column_list", None) is None:
            self.column_list = columns_flagged(model, "list")
        if getattr(self, "column_searchable_list", None) is None:
            self.column_searchable_list = columns_flagged(model, "search")
        if getattr(self, "column_filters", None) is None:
            self.column_filters = columns_flagged(model, "filter")
        enums = enum_columns(model)
        choices = {name: cls.choices() for name, cls in enums.items()}
        choices.update(getattr(self, "column_choices", None) or {})
        self.column_choices = choices
        form_choices = {name: cls.choices() for name, cls in enums.items()}
        form_choices.update(getattr(self, "form_choices", None) or {})
        self.form_choices = form_choices
        no_form = [c.key for c in sa_inspect(model).columns if c.info.get("form") is False]
        excluded = set(getattr(self, "form_excluded_columns", None) or ()) | set(no_form) | set(self.protected_columns)
        self.form_excluded_columns = sorted(excluded)
        if getattr(self, "column_export_list", None) is None:
            self.column_export_list = [c.key for c in sa_inspect(model).columns
                                       if c.info.get("export") and c.info.get("label")]

    def render(self, template, **kwargs):
        # Template arguments contributed here override Flask-Admin's _gettext/_ngettext (see _ngettext).
        self._template_args.update(_gettext=_gettext, _ngettext=_ngettext)
        return super().render(template, **kwargs)

    # ------------------------------------------------------------ permissions per role

    def _allowed(self, what: str) -> bool:
        return what in self.permissions.get(current_role(), ())

    @property
    def can_create(self):
        return self._allowed(CREATE)

    @property
    def can_edit(self):
        return self._allowed(EDIT)

    @property
    def can_delete(self):
        return self._allowed(DELETE)

    @property
    def can_export(self):
        return self._allowed(EXPORT)

    def is_accessible(self) -> bool:
        return super().is_accessible() and bool(self.permissions.get(current_role()))

    def is_action_allowed(self, name):
        if name == "delete" and not self.can_delete:
            return False
        return super().is_action_allowed(name)

    # ------------------------------------------------------------ row-level scope on every path

    def scope(self, user):
        """WHERE clause of the rows ``user`` may touch.  No row unless the view declares its scope: a view
        that forgets shows nothing rather than everything (``access.every_row`` says "all" on purpose)."""
        return false()

    def get_query(self):
        return super().get_query().filter(self.scope(current_user))

    def get_count_query(self):
        return super().get_count_query().filter(self.scope(current_user))

    def _get_list_extra_args(self):
        """The list's page and search from the URL, bounded: a page past BIGINT or a search of 100 kB
        would fail in the database (OFFSET overflow, SQLite's "LIKE pattern too complex")."""
        args = super()._get_list_extra_args()
        if int_arg(args.page, minimum=0, maximum=MAX_PAGE) is None:
            args.page = 0 if (args.page or 0) < 0 else MAX_PAGE
        if args.search and len(args.search) > MAX_SEARCH:
            args.search = args.search[:MAX_SEARCH]
        return args

    def get_one(self, id):
        pk = id_arg(id)  # also None beyond BIGINT (SQLite cannot bind it)
        if pk is None:
            return None
        return self.get_query().filter(self.model.id == pk).one_or_none()

    def scoped_ids(self, ids) -> list:
        """The rows among ``ids`` the user may touch (actions receive raw id strings)."""
        clean = id_list(ids)
        if not clean:
            return []
        return self.get_query().filter(self.model.id.in_(clean)).all()

    def action_delete(self, ids):
        # Flask-Admin compares the key with the raw id strings, which PostgreSQL refuses (integer = varchar).
        return super().action_delete(id_list(ids))

    action_delete._action = ModelView.action_delete._action  # the same 删除 action, registered as Flask-Admin's

    def get_export_value(self, model, name):
        # The built-in export writes cells as they are: neutralise formula triggers in every one.
        return safe_value(super().get_export_value(model, name))

    @expose("/export/<export_type>/")
    def export(self, export_type):
        # Flask-Admin names the file through secure_filename, which drops the Chinese view name: the
        # platform's one filename helper instead.  (Exposed again, or the route disappears.)
        response = super().export(export_type)
        if "Content-Disposition" in response.headers:
            response.headers["Content-Disposition"] = content_disposition(self.get_export_name(export_type))
            response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        # Flask-Admin checks only column_editable_list, not can_edit, and answers a row it cannot find
        # with a 500.  (The override must be exposed again, or the route silently disappears.)
        if not self.can_edit:
            abort(403)
        if self.column_editable_list and self.get_one(request.form.get("list_form_pk")) is None:
            abort(404)
        return super().ajax_update()

    # ------------------------------------------------------------ audit of direct edits

    def on_model_change(self, form, model, is_created):
        if not self.audit_changes:
            return
        if is_created:
            db.session.flush()
            record(db.session, current_actor(), "create", model,
                   application_id=getattr(model, "application_id", None))
        else:
            before, after = changed_fields(model)
            if before or after:
                record(db.session, current_actor(), "edit", model, before=before, after=after,
                       application_id=model.id if self.model.__name__ == "Application" else None)

    def on_model_delete(self, model):
        if self.audit_changes:
            record(db.session, current_actor(), "delete", model, before={"repr": str(model)[:200]})

    def handle_view_exception(self, exc):
        # Model hooks refuse bad input with ValueError or the domain's Refused (Chinese message); audit rows with
        # PermissionError.
        if isinstance(exc, (PermissionError, ValueError, Refused)):
            flash(str(exc), "error")
            return True
        return super().handle_view_exception(exc)


def status_badge(status) -> Markup:
    if status is None:
        return Markup("")
    status = Status(status)
    return Markup('<span class="badge badge-{}">{}</span>').format(STATUS_BADGE[status], say(status))


def list_link(view, model, text) -> Markup:
    url = view.get_url(".details_view", id=model.id, url=this_page())
    return Markup('<a href="{}">{}</a>').format(url, escape(text))

