"""会员发展 (issue 8): paper materials, expert pool and groups, votes, secretariat, notice, onboarding;
and the expert's own pages (审读投票).

Thin views: every change is a POST calling one function of ``wxk_admin.domain.consultation``; a
refusal rolls back, shows its Chinese message and re-shows the page with what was typed.
"""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField, TextAreaField

from ..domain import access, cycles, layout
from ..domain.consultation.common import Refused
from ..domain.consultation.materials import (PRE_MATERIAL_STATES, add_material_item, holder_of, mark_all_materials,
                                             mark_material, materials_received, missing_after_deadline)
from ..domain.consultation.experts import (DRAW_SIZE, add_member, assign, available_experts, create_group, draw_group,
                                           draw_record, profile_categories, profile_problems, remove_member)
from ..domain.consultation.recusal import declare_recusal, possible_conflicts, record_recusal
from ..domain.consultation.voting import (cast_vote, close_vote, expert_applications, expert_recusal_count,
                                          group_closed, my_vote, vote_monitor)
from ..domain.consultation.secretariat import record_secretariat
from ..domain.consultation.notice import (NOTICE_DAYS, check_objection, close_notice, decide_objection,
                                          notice_candidates, notice_dates, notice_rows, open_notice, public_row,
                                          publish, record_objection)
from ..domain.consultation.onboarding import onboarding_rows, record_contact, set_onboarding
from ..domain.consultation.disqualification import disqualify
from ..enums import Category, ContactMethod, RecusalReason, Role, Status, VoteChoice
from ..extensions import db
from ..models import Application, ExpertGroup, ExpertProfile, Notice, Objection, User
from ..security import request_return_url
from ..domain.workflow import TransitionRefused
from ..web import say, status_label
from ..documents.xlsx import table_xlsx
from .base import CREATE, DELETE, EDIT, EXPORT, READ, SecureBaseView, SecureModelView, current_actor
from .downloads import download

MENU = "会员发展"
PAGE_SIZE = 50


def _safe_next(default: str) -> str:
    return request_return_url(default, "next")


def _bulk_flash(result, done_text: str) -> None:
    if result.done:
        flash(f"{done_text}：{len(result.done)} 件", "success")
    for app_id, name, why in result.refused:
        flash(f"{name or app_id}：{why}", "error")
    if not result.done and not result.refused:
        flash("没有符合条件的申请", "warning")


def _page() -> int:
    raw = request.args.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


# ================================================================ 纸质材料 (unit admins and the office)


class MaterialsView(SecureBaseView):
    roles = frozenset({Role.unit_admin, Role.office})

    def _apps(self, status: str | None):
        cycle = cycles.current_cycle(db.session)
        query = select(Application).where(access.application_filter(current_user),
                                          Application.status.in_(PRE_MATERIAL_STATES))
        if cycle is not None:
            query = query.where(Application.cycle_id == cycle.id)
        if status in {s.value for s in PRE_MATERIAL_STATES}:
            query = query.where(Application.status == Status(status))
        elif current_user.role == Role.office:
            query = query.where(Application.status == Status.office_confirmed)
        q = request.args.get("q", "").strip()
        if q:
            query = query.where((Application.name.contains(q)) | (Application.serial_no.contains(q)))
        return cycle, query.order_by(Application.serial_seq, Application.id)

    def _render(self, form=None, error=None, code=200):
        status = request.args.get("status")
        cycle, query = self._apps(status)
        page = _page()
        apps = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
        more = len(apps) > PAGE_SIZE
        holder = holder_of(current_user)
        return self.render("consultation/materials.html", cycle=cycle, apps=apps[:PAGE_SIZE], more=more, page=page,
                           holder=holder, status=status, states=PRE_MATERIAL_STATES, form=form or {},
                           error=error, today=dt.date.today(), q=request.args.get("q", "")), code

    @expose("/")
    def index(self):
        return self._render()

    def _do(self, fn, ok: str):
        try:
            fn()
            db.session.commit()
            flash(ok, "success")
            return redirect(_safe_next(url_for(".index")))
        except TransitionRefused as exc:
            db.session.rollback()
            return self._render(form=request.form, error=str(exc), code=400)

    @expose("/mark/", methods=("POST",))
    def mark(self):
        f = request.form
        return self._do(lambda: mark_material(db.session, current_actor(), f.get("item_id"),
                                              received=f.get("received") == "1", on=f.get("on") or None,
                                              by=f.get("by")), "已登记")

    @expose("/mark-all/", methods=("POST",))
    def mark_all(self):
        f = request.form
        return self._do(lambda: mark_all_materials(db.session, current_actor(), f.get("application_id"),
                                                   on=f.get("on") or None, by=f.get("by")),
                        "已登记全部材料收到")

    @expose("/add-item/", methods=("POST",))
    def add_item(self):
        f = request.form
        return self._do(lambda: add_material_item(db.session, current_actor(), f.get("application_id"),
                                                  f.get("name"), f.get("copies") or 1,
                                                  f.get("original") == "1"), "已添加材料条目")

    @expose("/received/", methods=("POST",))
    def received(self):
        if current_user.role != Role.office:
            return self._render(error=say("只有会员处可以确认材料已收齐"), code=403)
        ids = request.form.getlist("ids")
        result = materials_received(db.session, current_actor(), ids)
        db.session.commit()
        _bulk_flash(result, "材料已收齐")
        return redirect(_safe_next(url_for(".index")))

    @expose("/missing/")
    def missing(self):
        cycle = cycles.current_cycle(db.session)
        rows = missing_after_deadline(db.session, current_user, cycle)
        return self.render("consultation/missing.html", cycle=cycle, rows=rows, today=dt.date.today())

    @expose("/missing.xlsx")
    def missing_xlsx(self):
        cycle = cycles.current_cycle(db.session)
        rows = missing_after_deadline(db.session, current_user, cycle)
        header = ["申请序列号", "姓名", "常用名", "推荐单位", "门类", "状态", "尚缺材料"]
        table = ([row.application.serial_no, row.application.name, row.application.pen_name,
                  row.application.unit.name if row.application.unit else "直接申报", row.application.category,
                  row.application.status, "、".join(m.name for m in row.missing) or "材料清单为空"]
                 for row in rows)
        return download(table_xlsx("逾期未交材料", header, table), "逾期未交纸质材料.xlsx")


# ================================================================ 专家库 (ExpertProfile)


def _expert_users():
    return db.session.scalars(select(User).where(User.role == Role.expert).order_by(User.full_name))


class ExpertProfileView(SecureModelView):
    roles = frozenset({Role.office, Role.it_admin})
    permissions = {Role.office: frozenset({READ, CREATE, EDIT, EXPORT}),
                   Role.it_admin: frozenset({READ, CREATE, EDIT, DELETE, EXPORT})}
    column_list = ("user", "categories", "term_start", "term_end", "work_unit", "available")
    column_labels = {"user": "专家", "available": "当前可用"}
    column_filters = ("term_start", "term_end")
    column_searchable_list = ("categories", "work_unit")
    column_default_sort = ("term_end", True)
    form_columns = ("user", "categories", "term_start", "term_end", "work_unit", "relatives")
    form_args = {"user": {"query_factory": _expert_users, "label": "专家账户"}}
    form_overrides = {"categories": StringField, "relatives": TextAreaField}
    form_widget_args = {"categories": {"placeholder": "如：小说,散文（门类名称或代码，逗号分隔）"}}
    column_descriptions = {"categories": "门类名称，逗号分隔；任期结束后自动不可用（专家库三年一调整）"}
    column_formatters = {
        "categories": lambda v, c, m, p: "、".join(say(cat) for cat in Category if cat in profile_categories(m)),
        "available": lambda v, c, m, p: "是" if m.available_on(dt.date.today()) else "否",
    }
    column_export_list = ("user", "categories", "term_start", "term_end", "work_unit")

    def scope(self, user):
        # The office and IT keep the whole pool of experts (专家库); no expert opens this view.
        return access.every_row(user)

    def on_model_change(self, form, model, is_created):
        problems = profile_problems(model.categories)
        if problems:
            raise ValueError("无法识别的门类：" + "、".join(problems))
        if model.term_end < model.term_start:
            raise ValueError("任期结束不能早于任期开始")
        user = db.session.get(User, model.user_id) if model.user_id else model.user
        if user is None or Role(user.role) != Role.expert:
            raise ValueError("请选择角色为「专家」的账户")
        super().on_model_change(form, model, is_created)


# ================================================================ 专家咨询、书记处、公示、入会 (the office)


class ConsultationView(SecureBaseView):
    # 纪检监察 read every page here (groups and draws, votes once closed, secretariat, notice, objections);
    # their POSTs never arrive (views.base.refuse_changes).
    roles = frozenset({Role.office, Role.supervisor})

    def _cycle(self):
        return cycles.current_cycle(db.session)

    def _fail(self, page, exc, **kw):
        db.session.rollback()
        return page(form=request.form, error=str(exc), code=400, **kw)

    @expose("/")
    def index(self):
        return redirect(url_for(".groups_view"))

    # ------------------------------------------------------------ groups

    def _groups_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        groups = {}
        if cycle is not None:
            groups = {Category(g.category): g for g in db.session.scalars(
                select(ExpertGroup).where(ExpertGroup.cycle_id == cycle.id))}
        today = dt.date.today()
        pool = {cat: available_experts(db.session, cat, today) for cat in Category}
        draws = {g.id: draw_record(db.session, g) for g in groups.values()}
        listed = {p.user_id: p for profiles in pool.values() for p in profiles}
        all_available = sorted(listed.values(), key=lambda p: p.user_id)
        return self.render("consultation/groups.html", cycle=cycle, groups=groups, pool=pool, draws=draws,
                           all_available=all_available, draw_size=DRAW_SIZE,
                           categories=list(Category), form=form or {}, error=error, tab="groups"), code

    @expose("/groups/")
    def groups_view(self):
        return self._groups_page()

    @expose("/groups/create/", methods=("POST",))
    def group_create(self):
        f = request.form
        try:
            if f.get("mode") == "draw":
                group = draw_group(db.session, current_actor(), self._cycle(), f.get("category"), f.get("n"),
                                   seed=f.get("seed"))
                msg = f"已随机抽取 {len(group.members)} 名专家（种子 {group.draw_seed}）"
            else:
                group = create_group(db.session, current_actor(), self._cycle(), f.get("category"),
                                     f.getlist("experts"))
                msg = f"已组建咨询组（{len(group.members)} 名专家）"
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._groups_page, exc)
        flash(msg, "success")
        return redirect(url_for(".groups_view"))

    @expose("/groups/member/", methods=("POST",))
    def group_member(self):
        f = request.form
        group = db.session.get(ExpertGroup, int(f.get("group_id", "0") or 0)) if f.get("group_id", "").isdigit() else None
        try:
            if group is None:
                raise Refused("咨询组不存在")
            if f.get("op") == "remove":
                remove_member(db.session, current_actor(), group, f.get("expert_id"))
            else:
                add_member(db.session, current_actor(), group, f.get("expert_id"))
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._groups_page, exc)
        flash("已调整咨询组成员", "success")
        return redirect(url_for(".groups_view"))

    # ------------------------------------------------------------ assignment

    def _assign_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        apps = []
        if cycle is not None:
            apps = db.session.scalars(select(Application).where(
                access.application_filter(current_user), Application.cycle_id == cycle.id,
                Application.status == Status.materials_received)
                .order_by(Application.category, Application.serial_seq)).all()
        by_cat: dict[Category, list[Application]] = {}
        for app in apps:
            by_cat.setdefault(Category(app.category) if app.category else None, []).append(app)
        groups = {}
        if cycle is not None:
            groups = {Category(g.category): g for g in db.session.scalars(
                select(ExpertGroup).where(ExpertGroup.cycle_id == cycle.id))}
        return self.render("consultation/assign.html", cycle=cycle, by_cat=by_cat, groups=groups,
                           form=form or {}, error=error, tab="assign"), code

    @expose("/assign/", methods=("GET", "POST"))
    def assign_view(self):
        if request.method == "GET":
            return self._assign_page()
        cycle = self._cycle()
        if cycle is None:
            return self._assign_page(error="没有当前申请年度", code=400)
        ids = request.form.getlist("ids") or None
        category = request.form.get("category") or None
        try:
            result = assign(db.session, current_actor(), cycle, category=category, ids=ids)
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._assign_page, exc)
        _bulk_flash(result, "已分配咨询组")
        return redirect(url_for(".assign_view"))

    # ------------------------------------------------------------ votes (tallies only) and recusals

    def _votes_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        groups = []
        if cycle is not None:
            groups = db.session.scalars(select(ExpertGroup).where(ExpertGroup.cycle_id == cycle.id)
                                        .order_by(ExpertGroup.category)).all()
        selected = None
        raw = request.args.get("group", "") or (form or {}).get("group_id", "")
        if str(raw).isdigit():
            selected = next((g for g in groups if g.id == int(raw)), None)
        selected = selected or (groups[0] if groups else None)
        rows = vote_monitor(db.session, selected) if selected else []
        conflicts = possible_conflicts(db.session, selected) if selected and not selected.vote_closed_at else []
        return self.render("consultation/votes.html", cycle=cycle, groups=groups, group=selected, rows=rows,
                           conflicts=conflicts, reasons=RecusalReason.choices(), form=form or {}, error=error,
                           tab="votes"), code

    @expose("/votes/")
    def votes_view(self):
        return self._votes_page()

    @expose("/votes/close/", methods=("POST",))
    def votes_close(self):
        raw = request.form.get("group_id", "")
        group = db.session.get(ExpertGroup, int(raw)) if raw.isdigit() else None
        try:
            if group is None:
                raise Refused("咨询组不存在")
            result = close_vote(db.session, current_actor(), group)
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._votes_page, exc)
        passed = sum(1 for o in result.done if o.transition.name == "expert_pass")
        flash(f"投票已截止：{len(result.done)} 件中 {passed} 件通过", "success")
        return redirect(url_for(".votes_view", group=group.id))

    @expose("/recusal/", methods=("POST",))
    def recusal(self):
        f = request.form
        try:
            record_recusal(db.session, current_actor(), f.get("application_id"), f.get("expert_id"),
                           f.get("reason"), f.get("note"))
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._votes_page, exc)
        flash("已登记回避", "success")
        return redirect(url_for(".votes_view", group=f.get("group_id")))

    # ------------------------------------------------------------ secretariat

    def _secretariat_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        apps = []
        if cycle is not None:
            apps = db.session.scalars(select(Application).where(
                access.application_filter(current_user), Application.cycle_id == cycle.id,
                Application.status == Status.expert_passed).order_by(Application.serial_seq)).all()
        return self.render("consultation/secretariat.html", cycle=cycle, apps=apps, form=form or {}, error=error,
                           tab="secretariat"), code

    @expose("/secretariat/", methods=("GET", "POST"))
    def secretariat_view(self):
        if request.method == "GET":
            return self._secretariat_page()
        f = request.form
        try:
            outcome = record_secretariat(db.session, current_actor(), f.get("application_id"),
                                         present=f.get("present"), in_favour=f.get("in_favour"),
                                         against=f.get("against"), abstain=f.get("abstain"))
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._secretariat_page, exc)
        flash(f"{outcome.application.name}：{status_label(outcome.transition.target)}", "success")
        return redirect(url_for(".secretariat_view"))

    # ------------------------------------------------------------ notice and objections

    def _notice_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        approved, notices = [], []
        if cycle is not None:
            approved = db.session.scalars(select(Application).where(
                access.application_filter(current_user), Application.cycle_id == cycle.id,
                Application.status == Status.secretariat_approved).order_by(Application.serial_seq)).all()
            notices = db.session.scalars(select(Notice).where(Notice.cycle_id == cycle.id)
                                         .order_by(Notice.starts_on.desc())).all()
        blocks = []
        for notice in notices:
            apps = notice_rows(db.session, notice, (Status.on_notice, Status.admitted, Status.disqualified))
            objections = {}
            if apps:
                for obj in db.session.scalars(select(Objection).where(
                        Objection.application_id.in_([a.id for a in apps])).order_by(Objection.id)):
                    objections.setdefault(obj.application_id, []).append(obj)
            blocks.append((notice, apps, objections))
        start = dt.date.today()
        return self.render("consultation/notice.html", cycle=cycle, approved=approved, blocks=blocks,
                           default_start=start, default_end=start + dt.timedelta(days=NOTICE_DAYS),
                           form=form or {}, error=error, tab="notice", today=dt.date.today()), code

    @expose("/notice/")
    def notice_view(self):
        return self._notice_page()

    @expose("/notice/open/", methods=("POST",))
    def notice_open(self):
        """开始公示 in two steps: the names that will go public, then (ticked 「确认公示以下名单」) the notice."""
        f = request.form
        ids = f.getlist("ids") or None
        try:
            if f.get("confirm") != "1":
                starts_on, ends_on = notice_dates(f.get("starts_on"), f.get("ends_on") or None)
                apps = notice_candidates(db.session, current_actor(), self._cycle(), ids)
                return self.render("consultation/notice_confirm.html", apps=apps, starts_on=starts_on,
                                   ends_on=ends_on, public_row=public_row, tab="notice")
            notice = open_notice(db.session, current_actor(), self._cycle(), f.get("starts_on"),
                                 f.get("ends_on") or None, ids=ids)
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._notice_page, exc)
        flash(f"已开始公示：{notice.starts_on} 至 {notice.ends_on}", "success")
        return redirect(url_for(".notice_view"))

    @expose("/notice/objection/", methods=("POST",))
    def notice_objection(self):
        f = request.form
        op = f.get("op")
        try:
            if op == "record":
                record_objection(db.session, current_actor(), f.get("application_id"), f.get("reporter"),
                                 f.get("content"))
                msg = "已登记异议"
            elif op == "check":
                check_objection(db.session, current_actor(), f.get("objection_id"), f.get("check_note"))
                msg = "已登记核查情况"
            elif op == "decide":
                if f.get("upheld") not in ("1", "0"):
                    raise Refused("请选择书记处认定结果")
                decide_objection(db.session, current_actor(), f.get("objection_id"), f.get("upheld") == "1")
                msg = "已登记书记处认定"
            else:
                raise Refused("未知操作")
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._notice_page, exc)
        flash(msg, "success")
        return redirect(url_for(".notice_view"))

    @expose("/notice/close/", methods=("POST",))
    def notice_close(self):
        f = request.form
        notice = db.session.get(Notice, int(f["notice_id"])) if f.get("notice_id", "").isdigit() else None
        try:
            if notice is None:
                raise Refused("公示不存在")
            if f.get("op") == "publish":
                publish(db.session, current_actor(), notice)
                msg = "新会员名单已公布"
            else:
                result = close_notice(db.session, current_actor(), notice)
                msg = f"公示结束，{len(result.done)} 人公布入会"
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._notice_page, exc)
        flash(msg, "success")
        return redirect(url_for(".notice_view"))

    # ------------------------------------------------------------ onboarding

    def _onboarding_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        only_missing = request.args.get("missing") == "1"
        rows = onboarding_rows(db.session, current_user, cycle, only_missing=only_missing)
        notifiers = {u.id: u for u in db.session.scalars(select(User).where(
            User.id.in_([a.notified_by_id for a, _ in rows if a.notified_by_id])))} if rows else {}
        return self.render("consultation/onboarding.html", cycle=cycle, rows=rows, only_missing=only_missing,
                           notifiers=notifiers, methods=ContactMethod.choices(), form=form or {}, error=error,
                           tab="onboarding", today=dt.date.today()), code

    @expose("/onboarding/", methods=("GET", "POST"))
    def onboarding_view(self):
        if request.method == "GET":
            return self._onboarding_page()
        f = request.form
        try:
            if f.get("op") == "contact":
                record_contact(db.session, current_actor(), f.get("application_id"), f.get("via"),
                               f.get("on") or None)
            else:
                set_onboarding(db.session, current_actor(), f.get("application_id"),
                               registration_form_done=f.get("registration_form_done") == "1",
                               photos_received=f.get("photos_received") == "1",
                               dues_paid=f.get("dues_paid") == "1")
            db.session.commit()
        except TransitionRefused as exc:
            return self._fail(self._onboarding_page, exc)
        flash("已保存入会手续", "success")
        return redirect(_safe_next(url_for(".onboarding_view")))

    # ------------------------------------------------------------ disqualification (第五条 5)

    @expose("/disqualify/", methods=("POST",))
    def disqualify(self):
        f = request.form
        back = _safe_next(url_for(".groups_view"))
        try:
            disqualify(db.session, current_actor(), f.get("application_id"), f.getlist("reasons"),
                       f.get("detail"))
            db.session.commit()
            flash("已取消申请资格，并已通知申请者", "success")
        except TransitionRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        return redirect(back)


# ================================================================ 审读投票 (the expert)


# What an expert reads: the declared sections without the columns declared ``personal`` (ID number, contact
# data, birth date: SPEC §1; issue 13.2c).  Child sections an expert has no use for (the office's materials
# checklist) are left out.
EXPERT_HIDDEN_SECTIONS = frozenset({"materials"})


def _display(value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return getattr(value, "label", value)


def expert_sections(app: Application):
    """Read-only sections of the application for the expert: [(title, [(label, value)])] and child tables."""
    from sqlalchemy import inspect as sa_inspect

    from ..models import CHILD_SECTIONS

    sections = layout.reading_sections(app, personal=False)
    if sections:  # 推荐单位 is a computed cell (the unit's name), after 姓名 / 常用名 as before
        sections[0][1].insert(2, (layout.label(Application, "unit_id"), app.unit.name if app.unit else "直接申报"))
    tables = []
    for rel, title in CHILD_SECTIONS:
        if rel in EXPERT_HIDDEN_SECTIONS:
            continue
        rows = getattr(app, rel)
        if not rows:
            continue
        model_cols = [c for c in sa_inspect(type(rows[0])).columns
                      if c.info.get("label") and c.key not in ("position",)]
        tables.append((title, [c.info["label"] for c in model_cols],
                       [[_display(getattr(r, c.key)) for c in model_cols] for r in rows]))
    return sections, tables


class ExpertReviewView(SecureBaseView):
    roles = frozenset({Role.expert})

    @expose("/")
    def index(self):
        apps = expert_applications(db.session, current_user)
        votes = {a.id: my_vote(db.session, current_user, a.id) for a in apps}
        closed = {a.id: group_closed(db.session, a) for a in apps}
        return self.render("consultation/expert_list.html", apps=apps, votes=votes, closed=closed,
                           recusals=expert_recusal_count(db.session, current_user))

    def _app_page(self, app_id, form=None, error=None, code=200):
        app = access.visible_application(db.session, current_user, app_id)
        if app is None:
            flash(error or "申请不存在或您无权查看（已回避或不在本组）", "error")
            return redirect(url_for(".index"))
        sections, tables = expert_sections(app)
        return self.render("consultation/expert_app.html", app=app, view=self, sections=sections, tables=tables,
                           vote=my_vote(db.session, current_user, app.id),
                           closed=group_closed(db.session, app), choices=VoteChoice.choices(),
                           reasons=RecusalReason.choices(), form=form or {}, error=error), code

    @expose("/app/")
    def app_view(self):
        return self._app_page(request.args.get("id"))

    @expose("/vote/", methods=("POST",))
    def vote(self):
        f = request.form
        try:
            cast_vote(db.session, current_actor(), f.get("application_id"), f.get("choice"), f.get("note"))
            db.session.commit()
        except TransitionRefused as exc:
            db.session.rollback()
            return self._app_page(f.get("application_id"), form=f, error=str(exc), code=400)
        flash("投票已提交", "success")
        return redirect(url_for(".index"))

    @expose("/recuse/", methods=("POST",))
    def recuse(self):
        f = request.form
        try:
            declare_recusal(db.session, current_actor(), f.get("application_id"), f.get("reason"),
                            f.get("note"))
            db.session.commit()
        except TransitionRefused as exc:
            db.session.rollback()
            return self._app_page(f.get("application_id"), form=f, error=str(exc), code=400)
        flash("已申请回避，该申请不再向您显示", "success")
        return redirect(url_for(".index"))


def register(admin) -> None:
    admin.add_view(MaterialsView(name="纸质材料", endpoint="materials", url="/admin/materials", category=MENU))
    admin.add_view(ExpertProfileView(ExpertProfile, name="专家库", endpoint="experts", category=MENU))
    admin.add_view(ConsultationView(name="专家咨询与公示", endpoint="consultation", url="/admin/consultation",
                                    category=MENU))
    admin.add_view(ExpertReviewView(name="审读投票", endpoint="expert_review", url="/admin/expert"))

