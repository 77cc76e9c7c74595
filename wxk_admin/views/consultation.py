"""会员发展 (issue 8): paper materials, expert pool and groups, votes, secretariat, notice, onboarding;
and the expert's own pages (审读投票).

Thin views: every change is a POST calling one function of ``wxk_admin.domain.consultation`` through
``outcome``; a refusal rolls back, shows its Chinese message and re-shows the page with what was typed.
What a page reads comes from ``domain.consultation.queries``.
"""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import inspect as sa_inspect
from wtforms import StringField, TextAreaField

from ..domain import access, cycles, layout
from ..domain.consultation import queries
from ..domain.consultation.common import Refused
from ..domain.consultation.materials import (PRE_MATERIAL_STATES, add_material_item, holder_of, mark_all_materials,
                                             mark_material, materials_received, missing_after_deadline)
from ..domain.consultation.experts import (DRAW_SIZE, add_member, assign, create_group, draw_group, draw_record,
                                           profile_categories, profile_problems, remove_member)
from ..domain.consultation.recusal import declare_recusal, possible_conflicts, record_recusal
from ..domain.consultation.voting import (cast_vote, close_vote, expert_applications, expert_recusal_count,
                                          group_closed, my_vote, vote_monitor)
from ..domain.consultation.secretariat import record_secretariat
from ..domain.consultation.notice import (NOTICE_DAYS, check_objection, close_notice, decide_objection,
                                          notice_candidates, notice_dates, open_notice, public_row, publish,
                                          record_objection)
from ..domain.consultation.onboarding import onboarding_rows, record_contact, set_onboarding
from ..domain.consultation.disqualification import disqualify
from ..documents.materials_xlsx import missing_materials_xlsx
from ..enums import Category, ContactMethod, RecusalReason, Role, VoteChoice
from ..extensions import db
from ..models import CHILD_SECTIONS, Application, ExpertGroup, ExpertProfile, Notice, User
from ..params import id_arg, int_arg, id_list
from ..security import current_actor, request_return_url
from ..web import say, status_label
from .base import CREATE, DELETE, EDIT, EXPORT, READ, SecureBaseView, SecureModelView
from .downloads import download
from .outcome import outcome

MENU = "会员发展"
PAGE_SIZE = 50
MAX_PAGE = 10 ** 6  # beyond any real list, well within OFFSET's range


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
    return int_arg(request.args.get("page", "1"), minimum=1, maximum=MAX_PAGE) or 1


def _posted_row(model, field: str, missing: str):
    """The row the form's ``field`` names, within the user's scope; else the page's refusal ``missing``."""
    row = access.scoped_row(db.session, current_user, model, request.form.get(field))
    if row is None:
        raise Refused(missing)
    return row


# ================================================================ 纸质材料 (unit admins and the office)


class MaterialsView(SecureBaseView):
    roles = frozenset({Role.unit_admin, Role.office})

    def _render(self, form=None, error=None, code=200):
        status = request.args.get("status")
        cycle, page = cycles.current_cycle(db.session), _page()
        actor = current_actor()
        apps, more = queries.materials_queue(db.session, actor, cycle, status,
                                             request.args.get("q", "").strip(), page, PAGE_SIZE)
        holder = holder_of(actor)
        return self.render("consultation/materials.html", cycle=cycle, apps=apps, more=more, page=page,
                           holder=holder, status=status, states=PRE_MATERIAL_STATES, form=form or {},
                           error=error, today=dt.date.today(), q=request.args.get("q", "")), code

    @expose("/")
    def index(self):
        return self._render()

    def _do(self, ok: str, call, *args, **kwargs):
        with outcome(ok, flash_refusal=False) as done:
            call(db.session, current_actor(), *args, **kwargs)
        if done.refused:
            return self._render(form=request.form, error=done.message, code=400)
        return redirect(_safe_next(url_for(".index")))

    @expose("/mark/", methods=("POST",))
    def mark(self):
        f = request.form
        return self._do("已登记", mark_material, f.get("item_id"), received=f.get("received") == "1",
                        on=f.get("on") or None, by=f.get("by"))

    @expose("/mark-all/", methods=("POST",))
    def mark_all(self):
        f = request.form
        return self._do("已登记全部材料收到", mark_all_materials, f.get("application_id"),
                        on=f.get("on") or None, by=f.get("by"))

    @expose("/add-item/", methods=("POST",))
    def add_item(self):
        f = request.form
        return self._do("已添加材料条目", add_material_item, f.get("application_id"), f.get("name"),
                        f.get("copies") or 1, f.get("original") == "1")

    @expose("/received/", methods=("POST",))
    def received(self):
        if current_user.role != Role.office:
            return self._render(error=say("只有会员处可以确认材料已收齐"), code=403)
        with outcome() as done:
            result = materials_received(db.session, current_actor(), id_list(request.form.getlist("ids")))
        if not done.refused:
            _bulk_flash(result, "材料已收齐")
        return redirect(_safe_next(url_for(".index")))

    @expose("/missing/")
    def missing(self):
        cycle = cycles.current_cycle(db.session)
        rows = missing_after_deadline(db.session, current_actor(), cycle)
        return self.render("consultation/missing.html", cycle=cycle, rows=rows, today=dt.date.today())

    @expose("/missing.xlsx")
    def missing_xlsx(self):
        rows = missing_after_deadline(db.session, current_actor(), cycles.current_cycle(db.session))
        return download(missing_materials_xlsx(rows), "逾期未交纸质材料.xlsx")


# ================================================================ 专家库 (ExpertProfile)


def _expert_users():
    return queries.expert_accounts(db.session)


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

    def _after(self, done, page, target: str):
        """A refusal re-shows ``page`` with what was typed and the reason; a success goes to ``target``."""
        if done.refused:
            return page(form=request.form, error=done.message, code=400)
        return redirect(target)

    @expose("/")
    def index(self):
        return redirect(url_for(".groups_view"))

    # ------------------------------------------------------------ groups

    def _groups_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        groups = queries.groups_by_category(db.session, cycle)
        pool = queries.expert_pool(db.session, dt.date.today())
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
        with outcome(flash_refusal=False) as done:
            if f.get("mode") == "draw":
                group = draw_group(db.session, current_actor(), self._cycle(), f.get("category"), f.get("n"),
                                   seed=f.get("seed"))
                done.say(f"已随机抽取 {len(group.members)} 名专家（种子 {group.draw_seed}）")
            else:
                group = create_group(db.session, current_actor(), self._cycle(), f.get("category"),
                                     f.getlist("experts"))
                done.say(f"已组建咨询组（{len(group.members)} 名专家）")
        return self._after(done, self._groups_page, url_for(".groups_view"))

    @expose("/groups/member/", methods=("POST",))
    def group_member(self):
        f = request.form
        with outcome("已调整咨询组成员", flash_refusal=False) as done:
            group = _posted_row(ExpertGroup, "group_id", "咨询组不存在")
            if f.get("op") == "remove":
                remove_member(db.session, current_actor(), group, f.get("expert_id"))
            else:
                add_member(db.session, current_actor(), group, f.get("expert_id"))
        return self._after(done, self._groups_page, url_for(".groups_view"))

    # ------------------------------------------------------------ assignment

    def _assign_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        apps = queries.waiting_for(db.session, current_actor(), cycle, "assign_experts",
                                   Application.category, Application.serial_seq)
        by_cat: dict[Category, list[Application]] = {}
        for app in apps:
            by_cat.setdefault(Category(app.category) if app.category else None, []).append(app)
        return self.render("consultation/assign.html", cycle=cycle, by_cat=by_cat,
                           groups=queries.groups_by_category(db.session, cycle),
                           form=form or {}, error=error, tab="assign"), code

    @expose("/assign/", methods=("GET", "POST"))
    def assign_view(self):
        if request.method == "GET":
            return self._assign_page()
        cycle = self._cycle()
        if cycle is None:
            return self._assign_page(error="没有当前申请年度", code=400)
        with outcome(flash_refusal=False) as done:
            result = assign(db.session, current_actor(), cycle, category=request.form.get("category") or None,
                            ids=id_list(request.form.getlist("ids")) or None)
        if not done.refused:
            _bulk_flash(result, "已分配咨询组")
        return self._after(done, self._assign_page, url_for(".assign_view"))

    # ------------------------------------------------------------ votes (tallies only) and recusals

    def _votes_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        groups = queries.cycle_groups(db.session, cycle)
        wanted = id_arg(request.args.get("group", "") or (form or {}).get("group_id", ""))
        selected = next((g for g in groups if g.id == wanted), None) or (groups[0] if groups else None)
        rows = vote_monitor(db.session, current_actor(), selected) if selected else []
        conflicts = (possible_conflicts(db.session, current_actor(), selected)
                     if selected and not selected.vote_closed_at else [])
        return self.render("consultation/votes.html", cycle=cycle, groups=groups, group=selected, rows=rows,
                           conflicts=conflicts, reasons=RecusalReason.choices(), form=form or {}, error=error,
                           tab="votes"), code

    @expose("/votes/")
    def votes_view(self):
        return self._votes_page()

    @expose("/votes/close/", methods=("POST",))
    def votes_close(self):
        group = None
        with outcome(flash_refusal=False) as done:
            group = _posted_row(ExpertGroup, "group_id", "咨询组不存在")
            result = close_vote(db.session, current_actor(), group)
            passed = sum(1 for o in result.done if o.transition.name == "expert_pass")
            done.say(f"投票已截止：{len(result.done)} 件中 {passed} 件通过")
        return self._after(done, self._votes_page, url_for(".votes_view", group=group.id if group else None))

    @expose("/recusal/", methods=("POST",))
    def recusal(self):
        f = request.form
        with outcome("已登记回避", flash_refusal=False) as done:
            record_recusal(db.session, current_actor(), f.get("application_id"), f.get("expert_id"),
                           f.get("reason"), f.get("note"))
        return self._after(done, self._votes_page, url_for(".votes_view", group=f.get("group_id")))

    # ------------------------------------------------------------ secretariat

    def _secretariat_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        apps = queries.waiting_for(db.session, current_actor(), cycle, "secretariat_approve")
        return self.render("consultation/secretariat.html", cycle=cycle, apps=apps, form=form or {}, error=error,
                           tab="secretariat"), code

    @expose("/secretariat/", methods=("GET", "POST"))
    def secretariat_view(self):
        if request.method == "GET":
            return self._secretariat_page()
        f = request.form
        with outcome(flash_refusal=False) as done:
            result = record_secretariat(db.session, current_actor(), f.get("application_id"),
                                        present=f.get("present"), in_favour=f.get("in_favour"),
                                        against=f.get("against"), abstain=f.get("abstain"))
            done.say(f"{result.application.name}：{status_label(result.transition.target)}")
        return self._after(done, self._secretariat_page, url_for(".secretariat_view"))

    # ------------------------------------------------------------ notice and objections

    def _notice_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        approved = queries.waiting_for(db.session, current_actor(), cycle, "open_notice")
        start = dt.date.today()
        return self.render("consultation/notice.html", cycle=cycle, approved=approved,
                           blocks=queries.notice_blocks(db.session, cycle),
                           default_start=start, default_end=start + dt.timedelta(days=NOTICE_DAYS),
                           form=form or {}, error=error, tab="notice", today=dt.date.today()), code

    @expose("/notice/")
    def notice_view(self):
        return self._notice_page()

    @expose("/notice/open/", methods=("POST",))
    def notice_open(self):
        """开始公示 in two steps: the names that will go public, then (ticked 「确认公示以下名单」) the notice."""
        f = request.form
        ids = id_list(f.getlist("ids")) or None
        if f.get("confirm") != "1":
            with outcome(flash_refusal=False) as done:  # reads only: nothing to commit
                starts_on, ends_on = notice_dates(f.get("starts_on"), f.get("ends_on") or None)
                apps = notice_candidates(db.session, current_actor(), self._cycle(), ids)
            if done.refused:
                return self._after(done, self._notice_page, "")
            return self.render("consultation/notice_confirm.html", apps=apps, starts_on=starts_on,
                               ends_on=ends_on, public_row=public_row, tab="notice")
        with outcome(flash_refusal=False) as done:
            notice = open_notice(db.session, current_actor(), self._cycle(), f.get("starts_on"),
                                 f.get("ends_on") or None, ids=ids)
            done.say(f"已开始公示：{notice.starts_on} 至 {notice.ends_on}")
        return self._after(done, self._notice_page, url_for(".notice_view"))

    @expose("/notice/objection/", methods=("POST",))
    def notice_objection(self):
        f = request.form
        op = f.get("op")
        with outcome(flash_refusal=False) as done:
            if op == "record":
                record_objection(db.session, current_actor(), f.get("application_id"), f.get("reporter"),
                                 f.get("content"))
                done.say("已登记异议")
            elif op == "check":
                check_objection(db.session, current_actor(), f.get("objection_id"), f.get("check_note"))
                done.say("已登记核查情况")
            elif op == "decide":
                if f.get("upheld") not in ("1", "0"):
                    raise Refused("请选择书记处认定结果")
                decide_objection(db.session, current_actor(), f.get("objection_id"), f.get("upheld") == "1")
                done.say("已登记书记处认定")
            else:
                raise Refused("未知操作")
        return self._after(done, self._notice_page, url_for(".notice_view"))

    @expose("/notice/close/", methods=("POST",))
    def notice_close(self):
        with outcome(flash_refusal=False) as done:
            notice = _posted_row(Notice, "notice_id", "公示不存在")
            if request.form.get("op") == "publish":
                publish(db.session, current_actor(), notice)
                done.say("新会员名单已公布")
            else:
                result = close_notice(db.session, current_actor(), notice)
                done.say(f"公示结束，{len(result.done)} 人公布入会")
        return self._after(done, self._notice_page, url_for(".notice_view"))

    # ------------------------------------------------------------ onboarding

    def _onboarding_page(self, form=None, error=None, code=200):
        cycle = self._cycle()
        only_missing = request.args.get("missing") == "1"
        rows = onboarding_rows(db.session, current_actor(), cycle, only_missing=only_missing)
        notifiers = queries.users_by_id(db.session, [a.notified_by_id for a, _ in rows])
        return self.render("consultation/onboarding.html", cycle=cycle, rows=rows, only_missing=only_missing,
                           notifiers=notifiers, methods=ContactMethod.choices(), form=form or {}, error=error,
                           tab="onboarding", today=dt.date.today()), code

    @expose("/onboarding/", methods=("GET", "POST"))
    def onboarding_view(self):
        if request.method == "GET":
            return self._onboarding_page()
        f = request.form
        with outcome("已保存入会手续", flash_refusal=False) as done:
            if f.get("op") == "contact":
                record_contact(db.session, current_actor(), f.get("application_id"), f.get("via"),
                               f.get("on") or None)
            else:
                set_onboarding(db.session, current_actor(), f.get("application_id"),
                               registration_form_done=f.get("registration_form_done") == "1",
                               photos_received=f.get("photos_received") == "1",
                               dues_paid=f.get("dues_paid") == "1")
        return self._after(done, self._onboarding_page, _safe_next(url_for(".onboarding_view")))

    # ------------------------------------------------------------ disqualification (第五条 5)

    @expose("/disqualify/", methods=("POST",))
    def disqualify(self):
        f = request.form
        with outcome("已取消申请资格，并已通知申请者"):
            disqualify(db.session, current_actor(), f.get("application_id"), f.getlist("reasons"),
                       f.get("detail"))
        return redirect(_safe_next(url_for(".groups_view")))


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
        actor = current_actor()
        apps = expert_applications(db.session, actor)
        votes = {a.id: my_vote(db.session, actor, a.id) for a in apps}
        closed = {a.id: group_closed(db.session, a) for a in apps}
        return self.render("consultation/expert_list.html", apps=apps, votes=votes, closed=closed,
                           recusals=expert_recusal_count(db.session, actor))

    def _app_page(self, app_id, form=None, error=None, code=200):
        app = access.visible_application(db.session, current_user, app_id)
        if app is None:
            flash(error or "申请不存在或您无权查看（已回避或不在本组）", "error")
            return redirect(url_for(".index"))
        sections, tables = expert_sections(app)
        return self.render("consultation/expert_app.html", app=app, view=self, sections=sections, tables=tables,
                           vote=my_vote(db.session, current_actor(), app.id),
                           closed=group_closed(db.session, app), choices=VoteChoice.choices(),
                           reasons=RecusalReason.choices(), form=form or {}, error=error), code

    @expose("/app/")
    def app_view(self):
        return self._app_page(request.args.get("id"))

    def _after(self, done):
        f = request.form
        if done.refused:
            return self._app_page(f.get("application_id"), form=f, error=done.message, code=400)
        return redirect(url_for(".index"))

    @expose("/vote/", methods=("POST",))
    def vote(self):
        f = request.form
        with outcome("投票已提交", flash_refusal=False) as done:
            cast_vote(db.session, current_actor(), f.get("application_id"), f.get("choice"), f.get("note"))
        return self._after(done)

    @expose("/recuse/", methods=("POST",))
    def recuse(self):
        f = request.form
        with outcome("已申请回避，该申请不再向您显示", flash_refusal=False) as done:
            declare_recusal(db.session, current_actor(), f.get("application_id"), f.get("reason"),
                            f.get("note"))
        return self._after(done)


def register(admin) -> None:
    admin.add_view(MaterialsView(name="纸质材料", endpoint="materials", url="/admin/materials", category=MENU))
    admin.add_view(ExpertProfileView(ExpertProfile, name="专家库", endpoint="experts", category=MENU))
    admin.add_view(ConsultationView(name="专家咨询与公示", endpoint="consultation", url="/admin/consultation",
                                    category=MENU))
    admin.add_view(ExpertReviewView(name="审读投票", endpoint="expert_review", url="/admin/expert"))

