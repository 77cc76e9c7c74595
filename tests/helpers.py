"""HTTP helpers for tests: log in through the real form, post with the page's CSRF token."""
from __future__ import annotations

import re

from wxk_admin.demo import DEMO_PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = DEMO_PASSWORD


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page carries no CSRF token"
    return match.group(1)


class Client:
    """Wraps Flask's test client; ``post`` adds a CSRF token taken from a real page unless told not to."""

    def __init__(self, raw):
        self.raw = raw

    def get(self, url, **kw):
        return self.raw.get(url, **kw)

    def token(self, url: str = "/admin/account/login/") -> str:
        return csrf_from(self.raw.get(url).get_data(as_text=True))

    def post(self, url, data=None, *, csrf: bool = True, token_from: str | None = None, **kw):
        data = dict(data or {}) if not isinstance(data, list) else data
        if csrf:
            token = self.token(token_from or "/admin/account/login/")
            if isinstance(data, list):
                data = data + [("csrf_token", token)]
            else:
                data.setdefault("csrf_token", token)
        return self.raw.post(url, data=data, **kw)

    def login(self, username: str, password: str = PASSWORD, follow: bool = False):
        return self.post("/admin/account/login/", {"username": username, "password": password},
                         follow_redirects=follow)

    def logout(self):
        return self.post("/admin/account/logout/", {}, token_from="/admin/")

    def text(self, url, **kw) -> str:
        return self.raw.get(url, **kw).get_data(as_text=True)
