def test_login_and_pages(client, world):
    r = client.login("admin_a")
    assert r.status_code == 302
    for url in ["/admin/", "/admin/applications/", "/admin/inbox/"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
