"""Issue 18.2 — response headers: pages with personal data are never stored by a browser or proxy
(``Cache-Control: no-store``), public pages and static files may be cached, a 429 says when to retry."""
from __future__ import annotations

import pytest

from ..support.helpers import redirect_target
from ..support.security import limited_client

PAGES = {
    "appl_a": ["/admin/", "/admin/inbox/", "/admin/account/password/"],
    "admin_a": ["/admin/", "/admin/applications/", "/admin/applications/details/?id={a}",
                "/admin/applications/export/", "/admin/no-such-page/"],
    "office": ["/admin/", "/admin/applications/", "/admin/units/"],
    "it": ["/admin/users/", "/admin/audit/"],
}


@pytest.mark.parametrize("username", sorted(PAGES))
def test_authenticated_pages_are_not_stored(app, client, world, username):
    client.login(username)
    for url in PAGES[username]:
        r = client.get(url.format(a=world.apps["a_submitted"].id))
        assert "no-store" in r.headers.get("Cache-Control", ""), url
    # a redirect answered to a logged-in user too (it may carry a flashed message)
    r = client.get("/")
    assert redirect_target(r) == ("/admin/", {}) and "no-store" in r.headers.get("Cache-Control", "")


def test_login_and_registration_pages_are_not_stored(app, client, world):
    for url in ("/admin/account/login/", "/admin/register/"):
        r = client.get(url)
        assert r.status_code == 200 and "no-store" in r.headers.get("Cache-Control", ""), url


def test_public_pages_and_static_files_may_be_cached(app, client, world):
    for url in ("/public/", "/public/members/",
                "/admin/static/admin/css/bootstrap4/admin.css?v=1.1.1"):
        r = client.get(url)
        assert r.status_code == 200 and "no-store" not in r.headers.get("Cache-Control", ""), url


@pytest.fixture
def limited(app, database_url):
    with limited_client(database_url) as (client, _):
        yield client


def test_a_throttled_request_says_when_to_retry(limited, world):
    # Registration: 10 attempts an hour per address; the 11th is refused with Retry-After.
    statuses = []
    for i in range(11):
        r = limited.post("/admin/register/", {"username": f"nobody{i}", "password": "x"},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"})
        statuses.append(r.status_code)
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    retry = r.headers.get("Retry-After", "")
    assert retry.isdigit() and 0 < int(retry) <= 3600
    assert "请求过于频繁" in r.get_data(as_text=True) and "no-store" in r.headers.get("Cache-Control", "")
