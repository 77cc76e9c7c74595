"""我的申请 (the applicant's home and form), self-registration, and the unit admin's proxy accounts (新增账户).

Thin views over ``domain.applying``; every state change is a POST.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, session as flask_session, url_for
from flask_admin import BaseView, expose
from flask_login import current_user, login_user, logout_user

from .. import actions, auth
from ..domain import applying, cycles, layout
from ..domain.audit import Actor
from ..documents.form_xlsx import build_application_form, form_filename
from ..documents.materials_xlsx import build_materials_checklist, materials_filename
from ..domain.applying import ProxyRefused, SubmitRefused, home, proxies as proxies_of
from ..enums import Role, Status
from ..extensions import db, limiter
from ..forms import ApplicationForm, counted_characters
from ..models import Application, AuditEvent, User
from ..domain.workflow import Conflict
from ..web import action_label, say
from ..security import current_actor
from .base import SecureBaseView
from .downloads import download
from .outcome import outcome, scoped_or_404

def today() -> dt.date:
    return dt.date.today()


# ---------------------------------------------------------------- 我的申请


class ApplicantView(SecureBaseView):
    """我的申请: status, next step, messages, 填写入会申请."""

    roles = frozenset({Role.applicant})

    def _application(self, *, required: bool = False) -> Application | None:
        """The application addressed: ``?id=`` / form ``application_id`` only if it is the user's own."""
        wanted = request.values.get("id") or request.form.get("application_id")
        if wanted:
            return scoped_or_404(Application, wanted)  # an applicant's scope: their own applications
        actor = current_actor()
        application = applying.application_in_cycle(db.session, actor, cycles.cycle_for(db.session, actor))
        if application is None and required:
            abort(404)
        return application

    @expose("/")
    def index(self):
        actor = current_actor()
        cycle = cycles.cycle_for(db.session, actor)
        application = self._application()
        status_text, step_text = applying.next_step(application, cycle, today())
        messages = home.recent_messages(db.session, actor)
        previous = None
        if application is None and cycle is not None:
            previous = applying.previous_application(db.session, actor, cycle)
        others = home.own_applications(db.session, actor)
        return self.render("applicant/home.html", cycle=cycle, application=application, status_text=status_text,
                           step_text=step_text, messages=messages, previous=previous, history=_history(application),
                           all_applications=others, may_download=_may_download(application),
                           history_label=action_label,
                           editable=application is None or application.status in applying.EDITABLE_STATES,
                           window_open=cycle is not None and cycle.filling_open(today()),
                           window_text=cycles.window_text(cycle) if cycle else "")

    @expose("/form/", methods=("GET", "POST"))
    def form_view(self):
        user = current_user._get_current_object()
        actor = current_actor()
        cycle = cycles.cycle_for(db.session, actor)
        application = self._application()
        if application is not None and application.status not in applying.EDITABLE_STATES:
            if request.method == "POST":
                if request.form.get("action") == "submit" and application.status == Status.submitted:
                    flash("申请已提交，请勿重复提交", "info")
                else:
                    flash(f"申请当前状态为「{say(application.status)}」，不能修改", "error")
                return redirect(url_for(".index", id=application.id))
            return self._render_readonly(application)
        if request.method == "GET":
            form = (ApplicationForm.for_application(application) if application is not None
                    else ApplicationForm.for_values({"name": user.full_name, "mobile": user.mobile}))
            warnings = applying.submission_format_problems(application, today()) if application else {}
            return self._render_form(form, application, cycle, warnings, warnings_only=True)

        form = ApplicationForm.from_request(request.form)
        cleaned = applying.clean(form.raw())
        submitting = request.form.get("action") == "submit"
        # A refused submission keeps the draft it saved first (keep_on).
        with outcome(flash_refusal=False, keep_on=(SubmitRefused,)) as done:
            if application is None:
                application = applying.start_application(db.session, actor, cycle)
            if submitting:
                applying.save_and_submit(db.session, application, cleaned, actor, today=today(),
                                         expected_version=request.form.get("version") or None)
                done.say(applying.next_step(application, cycle, today())[1])  # starts 「申请已提交，…」
            else:
                cleaned, warnings = applying.save_draft(db.session, application, cleaned, actor, today=today(),
                                                        expected_version=request.form.get("version") or None)
                if warnings:
                    done.say(f"草稿已保存。有 {len(warnings)} 处内容格式不正确，已原样保留，提交前请修改", "warning")
                else:
                    done.say("草稿已保存")
        refused = done.refused
        if isinstance(refused, SubmitRefused):
            flash(f"草稿已保存，但未能提交：{refused}", "error")
            errors = applying.input_problems(cleaned, application, today()).merge(refused.problems)
            shown = ApplicationForm.for_values(cleaned.values, cleaned.unstored)
            return self._render_form(shown, application, cycle, errors)
        if refused is not None:
            flash(done.message, "error")
            if not isinstance(refused, Conflict):
                return redirect(url_for(".index"))
            shown = ApplicationForm.for_values(cleaned.values, cleaned.unstored)  # someone else saved first
            return self._render_form(shown, application, cycle, {}, warnings_only=True)
        return redirect(url_for(".index" if submitting else ".form_view", id=application.id))

    def _render_form(self, form, application, cycle, errors, *, warnings_only: bool = False):
        return self.render("applicant/form.html", form=form, application=application, cycle=cycle, errors=errors,
                           warnings_only=warnings_only, label_of=applying.label_of,
                           counted_characters=counted_characters,
                           window_open=cycle is not None and cycle.filling_open(today()),
                           window_text=cycles.window_text(cycle) if cycle else "",
                           direct=(application.unit_id is None) if application else current_user.unit_id is None,
                           reject_reasons=application.reject_reasons if application is not None
                           and application.status == Status.rejected else None)

    def _render_readonly(self, application):
        return self.render("applicant/readonly.html", application=application,
                           sections=layout.reading_sections(application),
                           children=layout.child_sections(application), history=_history(application),
                           may_download=_may_download(application))

    @expose("/copy-previous/", methods=("POST",))
    def copy_previous_view(self):
        actor = current_actor()
        cycle = cycles.cycle_for(db.session, actor)
        source = applying.previous_application(db.session, actor, cycle) if cycle is not None else None
        with outcome() as done:
            application = applying.copy_previous(db.session, actor, cycle)
            done.say(f"已从 {source.cycle.year} 年度的申请复制内容，请核对、修改后提交")
        if done.refused:
            return redirect(url_for(".index"))
        return redirect(url_for(".form_view", id=application.id))

    @expose("/download/<kind>/")
    def download_view(self, kind):
        application = self._application(required=True)
        if not _may_download(application):
            flash(f"{current_app.extensions['wxk_profile'].names.office_short}确认后才能下载申请表和申报材料清单", "error")
            return redirect(url_for(".index", id=application.id))
        if kind == "form":
            data, filename = build_application_form(application), form_filename(application)
        elif kind == "materials":
            data, filename = build_materials_checklist(application), materials_filename(application)
        else:
            abort(404)
        return download(data, filename)


def _may_download(application) -> bool:
    return application is not None and application.status in applying.DOWNLOAD_STATES


def _history(application) -> list[AuditEvent]:
    return home.state_history(db.session, application)


# ---------------------------------------------------------------- 注册 (anonymous)


class RegisterView(BaseView):
    """申请者注册 — anyone may open it; not in the menu (linked from the login page)."""

    def is_visible(self):
        return False

    @expose("/", methods=("GET", "POST"))
    @limiter.limit("10 per hour", methods=["POST"])
    def index(self):
        if current_user.is_authenticated:
            return redirect(url_for("admin.index"))
        errors: dict = {}
        form = {k: request.form.get(k, "") for k in ("username", "full_name", "mobile", "unit_id")}
        if request.method == "POST":
            with outcome("注册成功，请使用新账户登录后填写入会申请") as done:
                user, errors = applying.register_applicant(
                    db.session, username=form["username"], password=request.form.get("password", ""),
                    password2=request.form.get("password2", ""), full_name=form["full_name"], mobile=form["mobile"],
                    unit_id=form["unit_id"], ip=request.remote_addr)
                if user is None:
                    done.cancel()
            if user is not None:
                return redirect(url_for("account.login_view"))
        return self.render("applicant/register.html", form=form, errors=errors,
                           units=applying.units_for_registration(db.session))


# ---------------------------------------------------------------- 代申请账户 (新增账户, guide 四)


class ProxyAccountView(SecureBaseView):
    """代申请账户: the unit admin's proxy accounts — their own unit's only."""

    roles = actions.roles_of("account")  # declared in actions.py

    def _proxy(self) -> User:
        proxy = applying.own_proxy(db.session, current_actor(), request.form.get("id") or request.args.get("id"))
        if proxy is None:
            abort(404)
        return proxy

    @expose("/")
    def index(self):
        proxies = applying.proxy_accounts(db.session, current_actor())
        cycle = cycles.cycle_for(db.session, current_actor())
        return self.render("proxy/list.html", proxies=proxies, acts=actions.BY_NAME,
                           apps=proxies_of.proxy_applications(db.session, proxies, cycle))

    @expose("/new/", methods=("GET", "POST"))
    def new_view(self):
        form = {k: request.form.get(k, "") for k in ("username", "full_name", "mobile")}
        error = None
        if request.method == "POST":
            generate = bool(request.form.get("generate"))
            password = None if generate else request.form.get("password", "")
            if not generate and password != request.form.get("password2", ""):
                error = "两次输入的密码不一致"
            elif not generate and not password:
                error = "请输入密码，或选择自动生成密码"
            else:
                with outcome(flash_refusal=False) as done:
                    user, shown = applying.create_proxy(db.session, current_actor(), form["username"], password,
                                                        full_name=form["full_name"], mobile=form["mobile"] or None)
                if not done.refused:
                    return self.render("proxy/created.html", user=user, password=shown, created=True)
                error = done.message
        return self.render("proxy/new.html", form=form, error=error)

    @expose("/reset/", methods=("POST",))
    def reset_view(self):
        proxy = self._proxy()
        with outcome() as done:
            shown = applying.reset_proxy_password(db.session, current_actor(), proxy)
        if done.refused:
            return redirect(url_for(".index"))
        return self.render("proxy/created.html", user=proxy, password=shown, created=False)

    @expose("/hand-over/", methods=("POST",))
    def hand_over_view(self):
        proxy = self._proxy()
        with outcome(f"账户 {proxy.username} 已交由本人使用：本人下次登录时须设置新密码"):
            applying.hand_over(db.session, current_actor(), proxy)
        return redirect(url_for(".index"))

    @expose("/switch/", methods=("POST",))
    def switch_view(self):
        admin = current_user._get_current_object()
        proxy = self._proxy()
        with outcome(keep_on=(ProxyRefused,)) as done:  # a refusal keeps the audit of the failed attempt
            applying.switch_to_proxy(db.session, current_actor(), proxy, request.form.get("password", ""))
        if done.refused:
            return redirect(url_for(".index"))
        admin_id, admin_name, admin_token = admin.id, admin.full_name or admin.username, admin.session_token
        login_user(proxy)
        flask_session["acting_admin_id"] = admin_id
        flask_session["acting_admin_name"] = admin_name
        # The admin's own session token: every request and the return check it (auth._check_acting_admin).
        flask_session["acting_admin_token"] = admin_token
        flash(f"您正以「{proxy.full_name or proxy.username}」的身份代为填写入会申请", "warning")
        return redirect(url_for("applicant.index"))


class ProxyReturnView(BaseView):
    """返回管理员账户 — POST only, from the banner shown while switched into a proxy account."""

    def is_visible(self):
        return False

    def is_accessible(self):
        return current_user.is_authenticated and bool(flask_session.get("acting_admin_id"))

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("account.login_view", next=request.full_path))
        return redirect(url_for("admin.index"))

    @expose("/", methods=("POST",))
    def index(self):
        admin = auth.acting_admin(flask_session.get("acting_admin_id"), flask_session.get("acting_admin_token"))
        proxy = current_user._get_current_object()
        with outcome(flash_refusal=False) as done:
            # The admin as auth checks it (session token too), not current_actor()'s bare id.
            applying.switch_back(db.session, Actor(admin, request.remote_addr, on_behalf_of=proxy))
        if done.refused:
            logout_user()
            flask_session.clear()
            flash(done.message, "error")  # after the session is cleared, or it is lost with it
            return redirect(url_for("account.login_view"))
        login_user(admin)
        for key in ("acting_admin_id", "acting_admin_name", "acting_admin_token"):
            flask_session.pop(key, None)
        flash("已返回管理员账户", "success")
        return redirect(url_for("proxy_accounts.index"))


def _applicant_home_redirect():
    """An applicant's home is 我的申请."""
    if request.endpoint == "admin.index" and current_user.is_authenticated and current_user.role == Role.applicant:
        return redirect(url_for("applicant.index"))
    return None


def register(admin) -> None:
    admin.add_view(ApplicantView(name="我的申请", endpoint="applicant", url="/admin/my-application"))
    admin.add_view(RegisterView(name="申请者注册", endpoint="register", url="/admin/register"))
    admin.add_view(ProxyAccountView(name="代申请账户", endpoint="proxy_accounts", url="/admin/proxy-accounts"))
    admin.add_view(ProxyReturnView(name="返回管理员账户", endpoint="proxy_return", url="/admin/proxy-return"))
    if admin.app is not None:
        admin.app.before_request(_applicant_home_redirect)
