"""The list page's URL and menu shortcuts (issue 7, fixed cost per page) give exactly what Flask gives."""
from __future__ import annotations

import pytest
from flask import url_for

from wxk_admin.views.base import fast_url_for

CASES = [
    (".index_view", {}),
    (".index_view", {"page": 2, "page_size": 100}),
    (".index_view", {"search": "王 小明", "flt0_status_eq": "submitted", "flt1_style_eq": "散文/随笔"}),
    (".index_view", {"sort": 0, "desc": 1, "search": None}),
    (".index_view", {"after": "2027-03-01T08:00:00.123456_42", "page": 7}),
    (".index_view", {"q": "a&b=c?d#e f+g%h'()*,/:;@!$"}),
    (".index_view", {"ids": ["3", "5", 8]}),
    (".details_view", {"id": 5, "url": "/admin/applications/?page=2&search=%E7%8E%8B"}),
    ("applications.export_view", {"flt0_status_eq": "admitted"}),
    ("admin.static", {"filename": "admin/js/bs4_filters.js", "v": "1.0.0"}),
    ("admin.static", {"filename": "bootstrap/bootstrap4/css/bootstrap.min.css", "v": "4.6.2"}),
    ("admin.index", {}),
    ("inbox.index_view", {"page": 1}),
]


@pytest.mark.parametrize("script_root", ["", "/wxk"])
@pytest.mark.parametrize(("endpoint", "kwargs"), CASES)
def test_fast_url_for_equals_url_for(app, endpoint, kwargs, script_root):
    with app.test_request_context("/admin/applications/", base_url=f"http://localhost{script_root}"):
        assert fast_url_for(endpoint, **kwargs) == url_for(endpoint, **kwargs)
        assert fast_url_for(endpoint, **kwargs) == url_for(endpoint, **kwargs)  # from the cache too


def test_fast_url_for_leaves_the_unusual_to_url_for(app):
    with app.test_request_context("/admin/applications/"):
        assert fast_url_for(".index_view", _external=True) == url_for(".index_view", _external=True)
        assert fast_url_for(".index_view", _anchor="top") == url_for(".index_view", _anchor="top")
        assert fast_url_for(".index_view", flag=object) == url_for(".index_view", flag=object)


def test_menu_marks_the_current_view_active(client, world):
    """The menu's HTML is kept per role and view: the active entry follows the page."""
    client.login("office")
    import re

    menu = {"/admin/applications/": r'<li class="active">\s*<a class="nav-link\s*" href="/admin/applications/"',
            "/admin/units/": r'<a class="dropdown-item active\s*" href="/admin/units/"'}
    for url in ("/admin/applications/", "/admin/units/", "/admin/applications/"):
        navbar = client.text(url).split('id="admin-navbar-collapse"', 1)[1].split("</nav>", 1)[0]
        for other, active in menu.items():
            assert bool(re.search(active, navbar)) == (other == url), (url, other)
