"""Request-level protections beyond ``auth.py``: the throttled-login answer (429), every 403 audited,
NUL characters stripped from query and form parameters, ProxyFix when behind proxies.

Flask-Limiter (``extensions.limiter``) throttles the login POST per IP and per
account (``views/account.py``); its storage is ``RATELIMIT_STORAGE_URI``
(``memory://`` for one process, ``redis://host:port`` shared by several workers
and hosts).  A refused attempt is still a login attempt: it is written to the
audit log as ``login_throttled``.
"""
from __future__ import annotations

import re
import time
from urllib.parse import unquote, urlsplit

from flask import Request, Response, current_app, g, has_request_context, request, url_for
from flask import session as flask_session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import event
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from .domain.audit import Actor, record
from .extensions import db, limiter
from .models import AuditEvent, User

# A C0 control character, space or DEL: browsers drop or fold them, so "/\t/evil" can become "//evil".
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_return_url(value: str | None, default: str) -> str:
    """``value`` when it is a path on this site, else ``default`` — for every redirect target and return
    link taken from a request (``url``, ``next`` …).

    Only "/…" passes: no scheme ("javascript:"), no host ("//evil", "/\\evil" which browsers read as
    "//evil"), no control character; checked on the value and on each percent-decoding of it, in case a
    proxy or a later step decodes it again.
    """
    if not isinstance(value, str) or not value:
        return default
    candidate = value
    for _ in range(4):
        path = candidate.split("?", 1)[0].split("#", 1)[0]
        if (not candidate.startswith("/") or candidate[1:2] in ("/", "\\") or _CONTROL.search(path)
                or urlsplit(candidate).scheme or urlsplit(candidate).netloc):
            return default
        decoded = unquote(candidate)
        if decoded == candidate:
            return value
        candidate = decoded
    return default  # encoded more times than any link of ours is


def this_page() -> str:
    """The current page as a same-site path with its query: the return link to hand to the next page."""
    return request.script_root + request.full_path.rstrip("?")


def request_return_url(default: str, *names: str) -> str:
    """The first of the request's parameters ``names`` (default ``url``), if same-site; else ``default``."""
    for name in names or ("url",):
        value = request.values.get(name)
        if value:
            return safe_return_url(value, default)
    return default


THROTTLED_MESSAGE = "登录尝试过于频繁，请稍后再试"

_PAGE = Markup("""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<link href="{css}" rel="stylesheet"></head>
<body class="wxk-plain-page">
<h1>{title}</h1>
<p id="throttled">{message}</p>
<p><a href="/admin/">返回首页</a></p>
</body></html>""")


def too_many_requests(exc):
    """429: a Chinese page; a throttled login attempt goes to the audit log."""
    if request.endpoint == "account.login_view":
        username = (request.form.get("username") or "").strip()[:64]
        try:
            record(db.session, Actor(None, request.remote_addr), "login_throttled", ("User", None),
                   reason=f"用户名：{username}")
            db.session.commit()
        except Exception:  # the refusal must not fail because the log could not be written
            db.session.rollback()
    # A limit may carry its own message (the public 反映问题 form); the login's is the default.
    message = getattr(getattr(exc, "limit", None), "error_message", None) or THROTTLED_MESSAGE
    message = message() if callable(message) else message  # worded at request time (协会配置)
    body = _PAGE.format(title="请求过于频繁", message=message,
                        css=url_for("static", filename="css/wxk-console.css"))
    response = Response(str(body), status=429, mimetype="text/html")
    response.headers["Retry-After"] = str(_retry_after(exc))
    return response


def _retry_after(exc) -> int:
    """Seconds until the limit that refused this request lets it through again (at least 1)."""
    retry = getattr(exc, "retry_after", None)
    if not retry:
        current = limiter.current_limit
        retry = current.reset_at - time.time() if current else 60
    return max(1, int(retry))


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form parameters without NUL characters.

    A NUL is never legitimate text, PostgreSQL refuses it in text columns (a
    fuzzed form turned it into a 500), and it is a classic filter-bypass byte.
    """

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            items = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            items = [(k, v) for k, vs in mapping.items() for v in (vs if isinstance(vs, (list, tuple)) else [vs])]
        else:
            items = mapping
        super().__init__([(_strip_nul(k), _strip_nul(v)) for k, v in items])


def _strip_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class WxkRequest(Request):
    parameter_storage_class = NulFreeMultiDict


def current_actor() -> Actor:
    """The logged-in user, their IP and, when switched into a proxy account, who really acts."""
    real_id = flask_session.get("acting_admin_id")
    real = db.session.get(User, real_id) if real_id else None
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if real is not None:
        # The admin acts through the proxy account: the admin is the actor, on behalf of the proxy.
        return Actor(real, request.remote_addr, on_behalf_of=user)
    return Actor(user, request.remote_addr)


@event.listens_for(AuditEvent, "before_insert")
def _note_denial_logged(mapper, connection, target):
    if target.action == "access_denied" and has_request_context():
        g.wxk_access_denied_logged = True


def audit_refusals(response):
    """Every 403 is a refused authorisation: make sure the audit log has it (ASVS §16).

    ``RoleGate.inaccessible_callback`` logs its own refusals; views that answer 403
    themselves (``abort(403)`` for a missing permission) are logged here.
    Uncommitted work of the refused request is discarded first.
    """
    if response.status_code != 403 or g.get("wxk_access_denied_logged"):
        return response
    try:
        db.session.rollback()
        record(db.session, current_actor(), "access_denied", ("Endpoint", None),
               reason=f"{request.method} {request.path}"[:500])
        db.session.commit()
    except Exception:  # never turn a refusal into a 500
        db.session.rollback()
        current_app.logger.exception("could not audit a refused request")
    return response


def init_app(app) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind N trusted reverse proxies: the client's IP (login throttle, audit) and HTTPS come from
        # X-Forwarded-For / -Proto.  Never enable without a proxy: clients could forge their IP.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    app.request_class = WxkRequest  # NUL characters never reach a view
    app.register_error_handler(429, too_many_requests)  # (CSRF and other error pages: errors.py)
    app.after_request(audit_refusals)
