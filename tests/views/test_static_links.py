"""Every console page links Flask-Admin's and our static files with their versions; the URLs are built once
per process (web.static_url) — and still follow where the site is mounted (SCRIPT_NAME behind a proxy)."""
import pytest


@pytest.mark.parametrize("page", ["/admin/", "/admin/applications/"])  # 首页, 申请入会管理
def test_static_links_follow_the_mount_point(client, world, page):
    client.login("office")
    html = client.text(page)
    assert 'id="whoami"' in html  # the page itself, signed in
    assert 'href="/admin/static/bootstrap/bootstrap4/css/bootstrap.min.css?v=4.6.2"' in html
    assert 'href="/static/css/wxk-console.css?v=19"' in html
    assert 'src="/static/js/wxk-console.js?v=18"' in html

    mounted = client.text(page, base_url="http://localhost/wxk")
    assert 'id="whoami"' in mounted
    assert 'href="/wxk/admin/static/bootstrap/bootstrap4/css/bootstrap.min.css?v=4.6.2"' in mounted
    assert 'href="/wxk/static/css/wxk-console.css?v=19"' in mounted
    assert 'src="/wxk/admin/static/vendor/jquery.min.js?v=3.5.1"' in mounted
    assert 'href="/admin/static/' not in mounted
