"""Issue 18.2 — Content-Security-Policy on every response: scripts and styles only from this site (inline ones
carry the response's nonce), no plugins, no framing, no <base>, forms post here only.

Every GET endpoint of ``tests/authz_matrix.py`` is fetched as each role; each HTML page must carry the policy,
and nothing in it that the policy would refuse: a <script>/<style> without the nonce, an ``on…=`` handler, a
``style=`` attribute.  The browser journeys (tests/helpers_browser.py) fail on any violation Chromium reports.
"""
from __future__ import annotations

import re

import pytest

from ..support import authz_matrix as M
from ..support.helpers import Client
from .test_security_authz import USERS, _build, _mworld, _objects, _params, _probe_list

REQUIRED = ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'",
            "form-action 'self'", "img-src 'self' data:"]
INLINE_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[a-z][^<>]*\s(on[a-z]+)\s*=", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.I)


def policy_problems(response) -> list[str]:
    csp = response.headers.get("Content-Security-Policy", "")
    problems = [f"no {d}" for d in REQUIRED if d not in csp]
    nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'", csp)
    if not nonce or f"style-src 'self' 'nonce-{nonce.group(1)}'" not in csp:
        return problems + [f"script-src / style-src: {csp!r}"]
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("unsafe-inline / unsafe-eval")
    if response.mimetype != "text/html":
        return problems
    page = response.get_data(as_text=True)
    for tag, attrs in INLINE_TAG.findall(page):
        if f'nonce="{nonce.group(1)}"' not in attrs:
            problems.append(f"<{tag}{attrs}> without the nonce")
    problems += [f"inline handler {h}=" for h in HANDLER.findall(page)]
    if STYLE_ATTR.search(page):
        problems.append("style= attribute: " + STYLE_ATTR.search(page).group(0)[:80])
    return problems


def test_nonce_is_new_on_every_response(app, client, world):
    first = client.get("/admin/account/login/").headers["Content-Security-Policy"]
    second = client.get("/admin/account/login/").headers["Content-Security-Policy"]
    assert "nonce-" in first and first != second


def test_error_throttle_and_public_pages_carry_the_policy(app, client, world):
    for url in ("/admin/account/login/", "/admin/no-such-page/", "/public/", "/public/members/",
                "/static/css/wxk-console.css"):
        r = client.get(url)
        assert not policy_problems(r), (url, policy_problems(r))


@pytest.mark.parametrize("role", M.ROLES)
def test_every_page_obeys_the_policy(app, ctx, backend, role):
    from ..conftest import walk_once

    walk_once(backend, "the CSP walk")
    world = _mworld(app)
    objs, _ = _objects(world, role)
    client = Client(app.test_client())
    if role != "anonymous":
        client.login(USERS[role])
    col = 1 + M.ROLES.index(role)
    failures, count = [], 0
    for rule, method, row in _probe_list(app, M.all_rows()):
        if method != "GET" or row[col] == M.SKIP:
            continue
        params, _ = _params(row[0], objs, 0)
        if params is None:
            continue
        url, _ = _build(app, rule, method, params)
        r = client.get(url)
        count += 1
        problems = policy_problems(r)
        if problems:
            failures.append(f"{role} GET {url} → {r.status_code}: {problems[:3]}")
    assert count > 10
    assert not failures, "\n".join(failures)


@pytest.mark.browser
def test_browser_reports_what_the_policy_refuses(page, world):
    """The journeys' violation watch sees a refused inline script and style (so a journey cannot pass with one)."""
    page.goto("/admin/account/login/")
    assert page.locator("#username").is_visible()
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                             document.body.appendChild(s);
                             document.body.insertAdjacentHTML('beforeend', '<div style="color:red">x</div>'); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    assert any("Content Security Policy" in line for line in page.violations), page.violations
    page.violations.clear()  # seen as expected: the fixture must not fail this test for them
