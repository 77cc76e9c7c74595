"""登录 / 退出 / 修改密码 — pages every visitor reaches, drawn in the console's layout."""
from __future__ import annotations

from flask import flash, redirect, request, session as flask_session, url_for
from flask_admin import BaseView, expose
from flask_login import current_user, login_user, logout_user

from .. import auth
from ..domain import passwords
from ..extensions import db, limiter
from ..models import utcnow
from ..security import current_actor, safe_return_url
from .outcome import outcome


def _safe_next(target: str | None) -> str:
    """Only same-site relative targets (no open redirect)."""
    return safe_return_url(target, url_for("admin.index"))


class AccountView(BaseView):
    """Not in the menu: reached through the top bar."""

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for(".login_view"))

    @expose("/login/", methods=("GET", "POST"))
    # A flood guard per IP; failed passwords are throttled by auth.login_wait (per name and address, per
    # address, per name), which never refuses the owner from an address that has not failed.
    @limiter.limit("20 per minute", methods=["POST"])
    def login_view(self):
        if current_user.is_authenticated and request.method == "GET":
            return redirect(_safe_next(request.args.get("next")))
        error = None
        username = ""
        if request.args.get("expired"):
            flash("登录已超时，请重新登录", "warning")
        if request.method == "POST":
            username = request.form.get("username", "")
            user, error, retry_after = auth.authenticate(db.session, username, request.form.get("password", ""),
                                                         ip=request.remote_addr)
            if retry_after:  # throttled: the form again, with the wait, as a 429
                response = self.render("account/login.html", error=error, username=username)
                return response, 429, {"Retry-After": str(retry_after)}
            if user is not None:
                flask_session.clear()  # a fresh session at login: no fixation
                login_user(user)
                now = utcnow().timestamp()
                flask_session.update(started=now, last_seen=now)
                flask_session.permanent = True
                flash(f"欢迎，{user.full_name or user.username}", "success")
                if user.must_change_password:
                    flash("请先设置新密码", "warning")
                    return redirect(url_for(".password_view"))
                return redirect(_safe_next(request.args.get("next")))
        return self.render("account/login.html", error=error, username=username)

    @expose("/logout/", methods=("POST",))
    def logout_view(self):
        if current_user.is_authenticated:
            with outcome():
                actor = current_actor()
                auth.end_session(db.session, current_user._get_current_object(), actor)
                if actor.on_behalf_of is not None:  # switched into a proxy account: the admin's sessions end too
                    auth.end_session(db.session, actor.user, actor)
        logout_user()
        flask_session.clear()
        flash("您已安全退出", "info")
        return redirect(url_for(".login_view"))

    @expose("/password/", methods=("GET", "POST"))
    def password_view(self):
        if not current_user.is_authenticated:
            return redirect(url_for(".login_view", next=request.full_path))
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            user = current_user._get_current_object()
            with outcome("密码已修改，请牢记新密码") as done:
                errors = passwords.change_password(db.session, user, request.form.get("old_password", ""),
                                              request.form.get("new_password", ""),
                                              request.form.get("repeat_password", ""), current_actor())
                if errors:
                    done.cancel()
            if not errors:
                login_user(user)  # the token rotated: keep this session, end the others
                return redirect(url_for("admin.index"))
        return self.render("account/password.html", errors=errors)


def register(admin) -> None:
    admin.add_view(AccountView(name="账户", endpoint="account", url="/admin/account"))
