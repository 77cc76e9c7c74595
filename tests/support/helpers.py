"""HTTP helpers for tests: log in through the real form, post with the page's CSRF token."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from wxk_admin.cli.demo import DEMO_PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = DEMO_PASSWORD


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page carries no CSRF token"
    return match.group(1)


def _fresh_user_each_request(open_):
    """Start each request with an empty ``g``, as a real request (own app context) would, and
    hand the response over read to its end and closed, as a real server leaves it.

    While a test holds an app context (the ``ctx``/``world`` fixtures), Flask reuses it for
    every test-client request, so ``g`` would carry Flask-Login's user (``g._login_user``) and
    Flask-WTF's CSRF token (``g.csrf_token``) from one request or client to the next: each
    request must load its user and token from its own cookie.

    ``buffered``: werkzeug otherwise starts a streamed body (``stream_with_context``) and leaves it
    open: its request context stays pushed until the garbage collector closes the generator inside
    some later request ("Popped wrong request context"). A test of streaming passes ``buffered=False``
    and closes the response itself.
    """
    def open(*args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            for name in list(vars(g)):
                g.pop(name, None)
        kwargs.setdefault("buffered", True)
        return open_(*args, **kwargs)
    return open


class Client:
    """Wraps Flask's test client; ``post`` adds a CSRF token taken from a real page unless told not to."""

    def __init__(self, raw):
        self.raw = raw
        raw.open = _fresh_user_each_request(raw.open)

    def get(self, url, **kw):
        return self.raw.get(url, **kw)

    def token(self, url: str = "/admin/account/login/") -> str:
        return csrf_from(self.raw.get(url, follow_redirects=True).get_data(as_text=True))

    def post(self, url, data=None, *, csrf: bool = True, token_from: str | None = None, **kw):
        data = dict(data or {}) if not isinstance(data, list) else data
        if csrf:
            token = self.token(token_from or "/admin/account/login/")
            if isinstance(data, list):
                data = data + [("csrf_token", token)]
            else:
                data.setdefault("csrf_token", token)
        if isinstance(data, list):
            data = MultiDict(data)
        return self.raw.post(url, data=data, **kw)

    def login(self, username: str, password: str = PASSWORD, follow: bool = False):
        return self.post("/admin/account/login/", {"username": username, "password": password},
                         follow_redirects=follow)

    def logout(self):
        return self.post("/admin/account/logout/", {}, token_from="/admin/")

    def text(self, url, **kw) -> str:
        return self.raw.get(url, **kw).get_data(as_text=True)


def redirect_target(response) -> tuple[str, dict[str, list[str]]]:
    """Where a redirect leads: (path, query as ``parse_qs`` reads it); fails on anything but a redirect."""
    from urllib.parse import parse_qs, urlsplit

    assert response.status_code in (302, 303), (response.status_code, response.get_data(as_text=True)[-2000:])
    target = urlsplit(response.headers["Location"])
    return target.path, parse_qs(target.query)
