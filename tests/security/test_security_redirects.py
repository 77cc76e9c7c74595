"""Issue 18.1 — redirect targets and return links taken from a request stay on this site.

The two reported cases first, then a walk generated from ``app.url_map``: every GET and POST
endpoint of ``tests/authz_matrix.py``, as each role, with every parameter named like a URL set
to each hostile value (on PostgreSQL one value per endpoint, in turn) — no ``Location`` leaves the site and no
link or form points off-site.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

import pytest

from wxk_admin.security import safe_return_url

from ..support import authz_matrix as M
from ..support.helpers import PASSWORD, Client, redirect_target
from .test_security_authz import USERS, _build, _mworld, _objects, _params, _probe_list, _token

# Tried on every endpoint; the helper's own test below tries more spellings.
HOSTILE = ["javascript:alert(1)", "//evil.example", "/\\evil.example", "https://evil.example", "%2F%2Fevil.example",
           "/%09/evil.example"]
URL_PARAMS = ("url", "next", "return", "back", "return_url", "redirect")
LINK_ATTR = re.compile(r'\b(?:href|src|action|formaction)\s*=\s*"([^"]*)"', re.I)


@pytest.mark.parametrize("value", HOSTILE + [" //evil.example", "java\nscript:alert(1)", "/\t/evil.example",
                                             "\x01//evil.example", "/%5Cevil.example", "%252F%252Fevil.example",
                                             "", None, "admin/", "http:/evil.example", "JaVaScRiPt:alert(1)"])
def test_off_site_values_are_refused(value):
    assert safe_return_url(value, "/admin/") == "/admin/"


@pytest.mark.parametrize("value", ["/admin/applications/?flt0_0=submitted&search=%E7%8E%8B",
                                   "/admin/applications/details/?id=3&url=%2Fadmin%2Fapplications%2F", "/"])
def test_same_site_paths_are_kept(value):
    assert safe_return_url(value, "/admin/") == value


def _off_site(target: str) -> bool:
    """Would a browser leave the site (or run script) following ``target``?"""
    t = re.sub(r"[\x00-\x20]", "", html.unescape(target)).replace("\\", "/")
    parts = urlsplit(t)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return True
    return bool(parts.netloc) and parts.netloc != "localhost"


def test_export_page_return_link_is_not_a_script(app, client, world):
    client.login("admin_a")
    page = client.text("/admin/applications/export/?url=" + quote("javascript:alert(document.domain)"))
    assert "alert(document.domain)" not in page
    back = re.search(r'<a class="btn btn-secondary" href="([^"]*)">返回申请列表</a>', page)
    assert back and back.group(1).startswith("/admin/applications/")


def test_export_selected_without_rows_does_not_redirect_off_site(app, client, world):
    client.login("admin_a")
    r = client.get("/admin/applications/export/?mode=selected&url=" + quote("https://evil.example/phish"))
    assert redirect_target(r) == ("/admin/applications/", {}) and not urlsplit(r.headers["Location"]).netloc
    assert "请先勾选要导出的申请" in client.text("/admin/applications/")


def test_login_next_stays_on_site(app, client, world):
    r = client.post("/admin/account/login/?next=" + quote("/\\evil.example"),
                    {"username": "office", "password": PASSWORD})
    assert redirect_target(r) == ("/admin/", {}) and r.headers["Location"] == "/admin/"


@pytest.mark.parametrize("role", M.ROLES)
def test_no_endpoint_redirects_or_links_off_site(app, ctx, backend, role):
    from ..conftest import walks_in_full

    # Every hostile value in the run that walks in full; elsewhere one value per endpoint, taken in turn (a sample:
    # the whole walk is minutes, and what differs between runs is the database or the words, not the URL handling).
    sample = not walks_in_full(backend)
    world = _mworld(app)
    objs, _ = _objects(world, role)
    client = Client(app.test_client())
    client._role, client._csrf = role, None
    if role != "anonymous":
        client.login(USERS[role])
    failures, count = [], 0
    col = 1 + M.ROLES.index(role)
    for number, (rule, method, row) in enumerate(_probe_list(app, M.all_rows())):
        if row[col] == M.SKIP:
            continue
        params, _ = _params(row[0], objs, 0)
        if params is None:
            continue
        for value in [HOSTILE[number % len(HOSTILE)]] if sample else HOSTILE:
            hostile = dict(params, **{name: value for name in URL_PARAMS})
            url, form = _build(app, rule, method, hostile)
            if method == "GET":
                r = client.get(url)
            else:
                r = client.post(url, dict(form, csrf_token=_token(client)), csrf=False)
            count += 1
            where = f"{role} {method} {rule.endpoint} {value!r} → {r.status_code}"
            location = r.headers.get("Location", "")
            if _off_site(location):
                failures.append(f"{where}: Location {location}")
            if r.mimetype == "text/html":
                bad = [link for link in LINK_ATTR.findall(r.get_data(as_text=True))
                       if _off_site(link) and ("evil.example" in link or "alert(" in link)]
                if bad:
                    failures.append(f"{where}: links {bad}")
            if method != "GET" and role != "anonymous" and client.get("/admin/account/password/").status_code != 200:
                client.login(USERS[role])  # a probe (proxy switch, password) ended the session
                client._csrf = None
    assert count > (20 if sample else 50), count
    assert not failures, f"{len(failures)} of {count} probes failed:\n" + "\n".join(failures)
