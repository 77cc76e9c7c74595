"""Site-wide pieces outside the console: the root redirect and template helpers."""
from __future__ import annotations

import secrets

from flask import Blueprint, current_app, g, redirect, request, url_for
from flask_login import current_user

from .enums import STATUS_BADGE, AuditAction, LabelledEnum, Role, Status
from .extensions import db
from .domain.layout import local_datetime
from .models import Message

bp = Blueprint("web", __name__)


def csp_nonce() -> str:
    """This response's Content-Security-Policy nonce: ``<script nonce="{{ csp_nonce() }}">`` (and Flask-Admin's
    ``admin_csp_nonce_attribute``, which calls it) mark the inline scripts and styles the page itself wrote."""
    if "wxk_csp_nonce" not in g:
        g.wxk_csp_nonce = secrets.token_urlsafe(16)
    return g.wxk_csp_nonce


# Scripts and styles from this site only (files, or inline ones carrying the nonce); no plugins, no framing,
# no <base> or form posting elsewhere.  ``style=`` attributes are inline styles too: pages use classes.
CSP = ("default-src 'self'; script-src 'self' 'nonce-{n}'; style-src 'self' 'nonce-{n}'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")


# A static file's URL depends only on the file, its ``v=`` version and where the site is mounted: built once
# per process (per app), not on each of the ~16 links of every page's head and tail.
_STATIC_URLS_MAX = 512  # the templates link a few dozen files; a bound in case a caller passes anything else


def static_url(endpoint: str, **kwargs) -> str:
    """``url_for`` of a static endpoint (``static``, ``admin.static`` …), remembered per mount point."""
    if any(key.startswith("_") for key in kwargs):  # _external and the like depend on the request
        return url_for(endpoint, **kwargs)
    urls = current_app.extensions.setdefault("wxk_static_urls", {})
    key = (request.script_root, endpoint, tuple(sorted(kwargs.items())))
    url = urls.get(key)
    if url is None:
        if len(urls) >= _STATIC_URLS_MAX:
            urls.clear()
        url = urls[key] = url_for(endpoint, **kwargs)
    return url


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


def action_label(action: str) -> str:
    """操作记录: how an audited action reads on screen (the labelled vocabulary ``AuditAction``), in the
    association's words (联络部确认并编号, 专家评审通过 in Jiangsu)."""
    return say(AuditAction.label_of(action))


@bp.app_template_filter("local_dt")
def local_dt(value) -> str:
    """``{{ when|local_dt }}``: a stored UTC time in Beijing time, to the minute."""
    return local_datetime(value) if value else ""


def role_label(role) -> str:
    """角色 as the deployment's association names it (its office: 创联部会员处, 联络部 …)."""
    if role == Role.office:
        return current_app.extensions["wxk_profile"].names.office
    return Role.label_of(role)


def say(value):
    """Our own text or a vocabulary member in the association's words (the ``say`` filter; see Profile.say)."""
    profile = current_app.extensions["wxk_profile"]
    return profile.label(value) if isinstance(value, LabelledEnum) else profile.say(value)


def status_label(status) -> str:
    known = Status._value2member_map_.get(getattr(status, "value", status))
    return say(known) if known else Status.label_of(status)


@bp.app_template_filter("say")
def _say_filter(value):
    return say(value)


@bp.app_context_processor
def template_helpers():
    return {
        "unread_count": unread_count,
        "role_label": role_label,
        "status_label": status_label,
        "status_badge_class": lambda status: STATUS_BADGE[Status(status)],
        "action_label": action_label,
        "csp_nonce": csp_nonce,
    }


@bp.after_app_request
def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers["Content-Security-Policy"] = CSP.format(n=csp_nonce())
    if _may_be_stored():
        return response
    # Personal data (and the login / registration forms): never kept by a browser or a proxy cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response


def _may_be_stored() -> bool:
    """Static files, and the public pages (公示, 新会员名单) seen without a login."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    return endpoint.startswith("public.") and not current_user.is_authenticated
