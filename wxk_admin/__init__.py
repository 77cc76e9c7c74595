"""wxk-admin — 个人会员申请管理平台 (the association comes from its profile, ``profiles/``).

The application factory: ``create_app(config)`` wires extensions, blueprints
and the Flask-Admin console.  Schema is made by migrations only
(``flask --app wsgi db upgrade``).
"""
from __future__ import annotations

from pathlib import Path

import flask_admin
from babel import Locale
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from sqlalchemy.engine import make_url

from . import auth, cli, errors, profiles, public, rules, security, web
from . import config as config_module
from .domain import cip_sources
from .extensions import babel, csrf, db, limiter, migrate
from .paths import ROOT, instance_path, shipped
from .views import init_admin

ZH_CN = Locale.parse("zh_CN")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path(),
        template_folder=str(shipped("templates")),
        static_folder=str(shipped("static")),
        static_url_path="/static",  # not the folder's name: the wheel's is _static
    )
    # Flask-Admin's own templates also as "flask_admin/…": ours that replace one macro (templates/admin/actions.html,
    # admin/model/layout.html) import the original and take the rest from it instead of copying it.
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PrefixLoader({"flask_admin": FileSystemLoader(
        str(Path(flask_admin.__file__).parent / "templates" / "bootstrap4"))})])
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    _load_profile(app)
    # The domain builds the CIP chain (CIP_SOURCES, CIP_HTTP_*) from the configuration of the app it runs in.
    cip_sources.set_settings_source(lambda: current_app.config if has_app_context() else {})
    _protect(app)
    app.session_interface = _SessionInterface()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(shipped("migrations")), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    # A parsed Locale, not "zh_CN": Flask-Babel parses a string on every request (two scans of Babel's
    # locale list, ~0.5 ms).
    babel.init_app(app, locale_selector=lambda: ZH_CN, timezone_selector=lambda: "Asia/Shanghai")
    limiter.init_app(app)

    auth.init_app(app)
    security.init_app(app)  # 429 answer for throttled logins, every 403 audited, ProxyFix (PROXY_HOPS)
    errors.init_app(app)  # Chinese 400/403/404/405/500 pages
    app.register_blueprint(web.bp)
    app.register_blueprint(public.bp)  # 公示 / 新会员名单 (no login)
    init_admin(app)
    cli.init_app(app)
    return app


def _load_profile(app: Flask) -> None:
    """协会配置 (WXK_ASSOCIATION): validated now, so a bad profile stops the start with the field it lacks."""
    profile = profiles.load(app.config.get("WXK_ASSOCIATION"))
    app.extensions["wxk_profile"] = profile
    app.config["WXK_ASSOCIATION"] = profile.code
    app.config["WXK_DEFAULT_RULESET"] = app.config.get("WXK_DEFAULT_RULESET") or profile.rules.ruleset
    rules.set_default_source(
        lambda: current_app.config.get("WXK_DEFAULT_RULESET") if has_app_context() else None)
    app.context_processor(lambda: {"association": profile})


def _protect(app: Flask) -> None:
    """Refuse a guessable signing key outside debug and testing; a new SQLite file is created 0600."""
    if not (app.debug or app.testing):
        readme = ROOT / "README.md"
        problem = config_module.secret_key_problem(app.config.get("SECRET_KEY") or "",
                                                   readme.read_text(encoding="utf-8") if readme.exists() else "")
        if problem:
            raise RuntimeError(problem)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:"):
        # Flask-SQLAlchemy puts a relative SQLite path in the instance folder; SQLite keeps a file's mode.
        config_module.create_owner_only(Path(app.instance_path) / url.database)


class _SessionInterface(SecureCookieSessionInterface):
    """SESSION_COOKIE_SECURE unset (None): the cookie is Secure exactly when the request came over HTTPS
    (ProxyFix sets the scheme from X-Forwarded-Proto when PROXY_HOPS is set)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("SESSION_COOKIE_SECURE")
        if configured is None:
            return has_request_context() and request.is_secure
        return bool(configured)
