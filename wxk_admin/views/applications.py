"""申请入会管理 — the application list and details for reviewers (unit admins, office, experts, IT).

The details page carries the guide's five buttons (确认信息、驳回申请、修改信息、下载申请表、返回申请列表);
which workflow buttons appear comes from ``workflow.refusal`` (the actor's rights, route and state); every transition goes
through ``workflow.apply``.
"""
from __future__ import annotations

import datetime as dt
from functools import cache, partial

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..domain import access, applying, integrity, layout, workflow
from .. import actions
from ..documents.form_xlsx import build_application_form, form_filename
from ..enums import Eligibility, LabelledEnum, Role, Status
from ..extensions import db
from ..forms import ApplicationForm, counted_characters
from ..models import Application, GroupUnit
from ..security import current_actor, request_return_url
from ..web import say, status_label
from .base import EDIT, EXPORT, READ, SecureModelView, current_role, list_link, status_badge
from .documents import batch_forms_response
from .downloads import download
from .exports import ExportMixin
from .filters import application_filters
from .outcome import outcome, scoped_or_404

# Who may correct an applicant's data directly (修改信息), and in which states.
EDITABLE_STATES = {Role.unit_admin: {Status.submitted}, Role.it_admin: set(Status)}
DETAILS_LOADS = (joinedload(Application.unit), joinedload(Application.cycle))
ELIGIBILITY_BADGE = {Eligibility.eligible: "success", Eligibility.not_eligible: "danger",
                     Eligibility.manual: "warning"}


def _eligibility_cell(view, context, model, name):
    if model.eligibility is None:
        return ""
    value = Eligibility(model.eligibility)
    return Markup('<span class="badge badge-{}" title="{}">{}</span>').format(
        ELIGIBILITY_BADGE[value], model.eligibility_note or "", value.label)


def _name_marks(model) -> Markup:
    """CIP 存疑, 作品重复申报 and 往年申请过 after the 姓名 (the flags come with the page's rows)."""
    marks = Markup("")
    if model.cip_flagged:
        marks += Markup(' <span class="text-warning" title="CIP 存疑" aria-label="CIP 存疑">&#9888;</span>')
    if getattr(model, "duplicate_flag", False):
        marks += Markup(' <span class="badge badge-warning duplicate-flag" title="作品重复申报">重复</span>')
    if getattr(model, "earlier_flag", False):
        marks += Markup(' <span class="badge badge-info earlier-flag" title="往年申请过">往年</span>')
    return marks


def _name_cell(view, context, model, name):
    return list_link(view, model, model.name) + _name_marks(model)


def integrity_panel(application):
    """重复申报与往年申请 on the details page (issue 15.2, 15.3), as the current user may read them."""
    return integrity.panel(db.session, current_actor(), application)


@cache
def _readable_sections(role, profile) -> tuple:
    """(title, ((key, label), …), beside) of the details page's sections, 其他信息 last, in the association's
    words and without the fields ``role`` may not read: fixed per process and profile, not worked out per
    request (labels and words cost ~0.3 ms a page)."""
    withheld = access.withheld_fields(role)
    return tuple((profile.say(title), tuple((k, profile.say(layout.label(Application, k))) for k in keys
                                            if k not in withheld), beside)
                 for title, keys, beside in (*layout.details_sections(), ("其他信息", layout.other_fields(), False)))


@cache
def _child_headings(profile) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(title, column labels) of each repeating section in the association's words, once per process."""
    return tuple((profile.say(title), tuple(profile.say(label) for label in labels))
                 for title, labels in layout.child_headings())


def _values(application, fields) -> list[tuple[str, object]]:
    # vocabulary values in the association's words (联络部已确认); what people typed stays as typed
    return [(label, say(value) if isinstance(value, LabelledEnum) else layout.display(value))
            for key, label in fields for value in (getattr(application, key),)]


class ApplicationView(ExportMixin, SecureModelView):
    """申请入会管理."""

    # Not experts: they read on their own pages, without ID numbers or contact data (issue 13.2c).
    roles = frozenset({Role.unit_admin, Role.office, Role.it_admin, Role.supervisor})
    permissions = {
        Role.unit_admin: frozenset({READ, EDIT, EXPORT}),
        Role.office: frozenset({READ, EXPORT}),
        Role.it_admin: frozenset({READ, EDIT, EXPORT}),
        Role.supervisor: frozenset({READ}),  # 纪检监察: reads, no export, no download (issue 15.1)
    }
    # Owner, unit, cycle, workflow state and serial are set by code, never by a form.
    protected_columns = ("applicant", "applicant_id", "unit", "unit_id", "cycle", "cycle_id", "status",
                         "serial_no", "serial_seq", "version", "expert_group", "notice")
    # Columns, sort, search and filters come from the model's declarations (models.meta, layout);
    # 推荐单位 is declared last, so the other columns' sort numbers in a shared URL are the same for every role.
    column_list = tuple(layout.list_name(c) for c in layout.list_columns())
    column_labels = {layout.list_name(c): c.info["label"] for c in layout.list_columns()}
    column_sortable_list = tuple(c.key for c in layout.list_columns() if c.info.get("sort") and not c.info.get("cell"))
    column_default_sort = ("submitted_at", True)
    column_formatters = {
        "name": _name_cell,
        "status": lambda v, c, m, p: status_badge(m.status),
        "eligibility": _eligibility_cell,
        "submitted_at": lambda v, c, m, p: layout.local_datetime(m.submitted_at) if m.submitted_at else "",
        "unit_name": lambda v, c, m, p: m.unit_name or "直接申报",
    }
    # What a formatter reads besides its own column (the list loads only these and the list columns).
    formatter_needs = {"name": ("cip_flagged",), "eligibility": ("eligibility_note",)}
    column_formatters_export = {}
    column_searchable_list = layout.searchable_keys()
    column_filters = application_filters()
    column_display_actions = False  # rows open through 姓名; the buttons live on the details page
    list_row_attributes = ("id", *(c.key for c in layout.list_columns() if not c.info.get("cell")),
                           *(a for needs in formatter_needs.values() for a in needs))
    list_row_extras = {"unit_name": lambda: select(GroupUnit.name).where(GroupUnit.id == Application.unit_id)
                       .correlate(Application).scalar_subquery(),
                       # The page's rows only, by index probes (integrity.py).  Built once: the expression (nine
                       # aliased tables) cost 10–50 ms of Python per list page, as much as the rest of the page.
                       "duplicate_flag": cache(integrity.duplicate_exists),
                       "earlier_flag": lambda: integrity.earlier_exists(current_user._get_current_object())}
    name_marks = staticmethod(_name_marks)
    details_template = "applications/details.html"
    list_template = "applications/list.html"

    def scope(self, user):
        return access.application_filter(user)

    # ------------------------------------------------------------ columns per role, sort orders

    @property
    def _list_columns(self):
        columns = self.__dict__.get("_all_list_columns") or []
        role = current_role()
        hidden = {layout.list_name(c) for c in layout.list_columns() if not layout.visible_to(c, role)}
        return [c for c in columns if c[0] not in hidden]

    @_list_columns.setter
    def _list_columns(self, value):  # Flask-Admin assigns the configured columns once
        self.__dict__["_all_list_columns"] = value

    @property
    def _search_fields(self):
        """The search columns, less those the current role may not read (no lookup by phone or ID number)."""
        fields = self.__dict__.get("_all_search_fields")
        withheld = access.withheld_fields(current_role())
        if not withheld or fields is None:
            return fields  # the stored list itself: Flask-Admin's init_search appends to it
        return [(column, path) for column, path in fields if column.key not in withheld]

    @_search_fields.setter
    def _search_fields(self, value):
        self.__dict__["_all_search_fields"] = value

    def get_sortable_columns(self):
        # Flask-Admin names a same-table sort column by the column's key (unit_id), not by our list's name.
        return {**super().get_sortable_columns(),
                **{c.info["cell"]: c for c in layout.list_columns() if c.info.get("sort") and c.info.get("cell")}}

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        """姓名 by 拼音; 申请序列号 and 推荐单位: rows without one last in both directions (直接申报 after the
        units, by unit code as the 推荐单位 filter lists them)."""
        def direction(column):
            return column.desc() if sort_desc else column.asc()

        if sort_column == "name":  # 拼音 order (names.name_sort_key), the same on every backend
            return query.order_by(direction(Application.name_sort_key)), joins
        if sort_column == "serial_no":
            return query.order_by(Application.serial_no.is_(None), direction(Application.serial_no)), joins
        if sort_column == "unit_name":
            query = query.outerjoin(GroupUnit, GroupUnit.id == Application.unit_id)
            return query.order_by(Application.unit_id.is_(None), direction(GroupUnit.code)), joins
        return super()._apply_sorting(query, joins, sort_column, sort_desc)

    # ------------------------------------------------------------ 修改信息

    def may_edit(self, application: Application) -> bool:
        role = current_role()
        return self.can_edit and application.status in EDITABLE_STATES.get(role, set())

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """修改信息 — the applicant's own form (all sections, child rows too), saved with a per-field audit."""
        application = scoped_or_404(Application, request.args.get("id"))
        return_url = request_return_url(self.get_url(".index_view"))
        details_url = self.get_url(".details_view", id=application.id, url=return_url)
        if not self.may_edit(application):
            flash(f"当前状态「{status_label(application.status)}」下不能修改信息", "error")
            return redirect(details_url)
        errors = {}
        if request.method == "GET":
            form = ApplicationForm.for_application(application)
        else:
            posted = ApplicationForm.from_request(request.form)
            cleaned = applying.clean(posted.raw())
            errors = applying.input_problems(cleaned, application, dt.date.today(), changed_only=True)
            form = ApplicationForm.for_values(cleaned.values, cleaned.unstored)
            if not errors:
                with outcome() as done:
                    result = applying.save_sections(db.session, application, cleaned.values, current_actor(),
                                                    reason=(request.form.get("change_reason") or "").strip() or None,
                                                    unstored=cleaned.unstored,
                                                    expected_version=request.form.get("version"))
                    done.say(f"已修改 {len(result.after)} 项信息" if result.changed else "未修改任何内容",
                             "success" if result.changed else "info")
                return redirect(details_url)
        return self.render("applications/edit.html", app=application, form=form, errors=errors,
                           label_of=applying.label_of, counted_characters=counted_characters,
                           details_url=details_url, return_url=return_url,
                           change_reason=request.form.get("change_reason", ""))

    # ------------------------------------------------------------ details and its buttons

    @expose("/details/")
    def details_view(self):
        # 推荐单位 and 年度 come in the application's statement (two lazy loads fewer).
        application = scoped_or_404(Application, request.args.get("id"), options=DETAILS_LOADS)
        return_url = request_return_url(self.get_url(".index_view"))
        *sections, (_, others, _) = _readable_sections(current_role(), current_app.extensions["wxk_profile"])
        return self.render(self.details_template, app=application, return_url=return_url,
                           buttons=self._buttons(application, return_url), may_edit=self.may_edit(application),
                           sections=[(title, _values(application, fields), beside)
                                     for title, fields, beside in sections],
                           others=_values(application, others),
                           children=self._children(application))

    @staticmethod
    def _children(application: Application) -> list[tuple[str, tuple[str, ...], list[list]]]:
        # 申报材料清单 is shown once, with what was received, in the consultation panel.
        return [(title, labels, rows) for (title, labels), (raw_title, _, rows)
                in zip(_child_headings(current_app.extensions["wxk_profile"]), layout.child_sections(application))
                if raw_title != "申报材料清单"]

    def _buttons(self, application: Application, return_url: str) -> list[tuple[actions.Action, str]]:
        """The details page's buttons: the row actions of ``actions.py`` this user may use on it now."""
        role, actor = current_role(), current_actor()
        out = []
        for a in actions.of_scope("row"):
            t = a.transition
            if t is not None:
                if not t.generic or workflow.refusal(t, application, actor) is not None:
                    continue
                url = url_for(a.endpoint, id=application.id, name=t.name, url=return_url)
            elif not a.allows(role) or (a.name == "edit" and not self.may_edit(application)):
                continue
            elif a.endpoint.startswith(self.endpoint + "."):  # back to this list afterwards
                url = url_for(a.endpoint, id=application.id, url=return_url)
            else:
                url = url_for(a.endpoint, id=application.id)
            out.append((a, url))
        return out

    @expose("/transition/", methods=("GET", "POST"))
    def transition_view(self):
        """The form behind a workflow button: opinion (prefilled) or reasons; POST applies it."""
        application = scoped_or_404(Application, request.values.get("id"))
        transition = workflow.TRANSITIONS.get(request.values.get("name", ""))
        if transition is None or not transition.generic:
            abort(404)
        return_url = request_return_url(self.get_url(".index_view"))
        details_url = self.get_url(".details_view", id=application.id, url=return_url)
        why = workflow.refusal(transition, application, current_actor())
        if why:
            flash(why, "error")
            return redirect(details_url)
        error = None
        if request.method == "POST" and not request.form.get("back"):  # 返回修改: the form again, as filled
            with outcome(flash_refusal=False) as done:
                opinion = request.form.get("opinion", "")
                if transition.needs_reason and transition.opinion_field == "reject_reasons":
                    opinion = workflow.compose_reason(request.form.getlist("reasons"), request.form.get("other"))
                # The reason first; then, once, 「确定…？」 for a danger button or a flagged application.
                opinion = workflow.checked_opinion(transition, opinion, application)
                cautions = workflow.cautions(transition, application)
                if (transition.danger or cautions) and request.form.get("confirmed") != "1":  # nothing changed yet
                    return self.render("applications/transition.html", app=application, transition=transition,
                                       question=actions.for_transition(transition.name).confirm, cautions=cautions,
                                       opinion=opinion, form_data=request.form, return_url=return_url,
                                       details_url=details_url)
                result = workflow.apply(db.session, application, transition.name, current_actor(),
                                        opinion=opinion, expected_version=request.form.get("version"))
                done.say(f"已{say(transition.label)}：{application.name}，当前状态「{status_label(application.status)}」"
                         + (f"，申请序列号 {result.serial_no}" if result.serial_no else ""))
            if isinstance(done.refused, workflow.Conflict):  # someone else acted: the page as it is now
                flash(done.message, "error")
            if done.refused is None or isinstance(done.refused, workflow.Conflict):
                return redirect(details_url)
            error = done.message  # beside what was typed
        return self.render("applications/transition.html", app=application, transition=transition,
                           reasons=workflow.REJECT_REASONS, other_reason=workflow.OTHER_REASON, error=error,
                           cautions=workflow.cautions(transition, application), question=None,
                           form_data=request.form, return_url=return_url, details_url=details_url)

    @expose("/download/")
    def download_view(self):
        """下载申请表 — {姓名}入会申请表.xlsx."""
        if not actions.allowed("download_form", current_role()):  # 身份证号 and contact data: not 纪检监察
            abort(403)
        application = scoped_or_404(Application, request.args.get("id"))
        return download(build_application_form(application), form_filename(application))

    # ------------------------------------------------------------ bulk actions

    def _bulk_form(self, ids, name):
        transition = workflow.TRANSITIONS[name]
        rows = self.scoped_ids(ids)
        # This page is the one confirmation of the bulk action: it names each row's flags.
        cautions = {a.id: workflow.cautions(transition, a) for a in rows}
        return self.render("applications/bulk.html", transition=transition, rows=rows, cautions=cautions,
                           return_url=request_return_url(self.get_url(".index_view")))

    def bulk_transition_form(self, ids, action):
        return self._bulk_form(ids, action.transition.name)

    def action_batch_form_pdf(self, ids, action=None):
        return batch_forms_response(self.scoped_ids(ids))

    def init_actions(self):
        """The list's 批量操作 menu: the "selection" actions declared in ``actions.py``."""
        super().init_actions()
        for a in actions.of_scope("selection"):
            self._actions.append((a.name, a.text))
            self._actions_data[a.name] = (partial(getattr(self, a.handler), action=a), a.text, a.confirm)

    def is_action_allowed(self, name):
        return actions.allowed(name, current_role())

    @expose("/bulk/", methods=("POST",))
    def bulk_view(self):
        name = request.form.get("name", "")
        transition = workflow.TRANSITIONS.get(name)
        if transition is None or not transition.bulk or current_role() not in transition.roles:
            abort(403)
        with outcome():
            result = workflow.apply_many(db.session, request.form.getlist("rowid"), name, current_actor(),
                                         opinion=request.form.get("opinion"))
        return self.render("applications/bulk_result.html", transition=transition, result=result,
                           return_url=request_return_url(self.get_url(".index_view")))


def register(admin) -> None:
    admin.add_view(ApplicationView(Application, name="申请入会管理", endpoint="applications"))
    admin.app.jinja_env.globals["integrity_panel"] = integrity_panel
