"""Issue 7 point 4: a fixed number of statements per list page, whatever the page size (no N+1)."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from wxk_admin.enums import Status
from wxk_admin.cli.generate import generate
from wxk_admin.models import Application, db


class Statement(str):
    """An executed SQL statement (the text) with its parameters."""

    parameters: object = None


@contextlib.contextmanager
def counting(engine):
    statements: list[Statement] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        executed = Statement(statement)
        executed.parameters = parameters
        statements.append(executed)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def cap_50(monkeypatch):
    """The list counts up to 50 rows (pages 0–1 by number at 20 a page), so 260 rows go past the cap."""
    from wxk_admin.views.applications import ApplicationView

    monkeypatch.setattr(ApplicationView, "list_count_cap", 50)


@pytest.fixture
def many(world):
    generate(db.session, 260, units=3, cycles=1, seed=11)
    # Put world's unit A in charge of some generated rows too, so the unit admin's list is long.
    db.session.query(Application).filter(Application.id % 2 == 0, Application.status != Status.draft).update(
        {Application.unit_id: world.unit_a.id}, synchronize_session=False)
    db.session.commit()
    return world


@pytest.mark.parametrize("username", ["office", "admin_a"])
def test_statements_per_page_do_not_grow_with_page_size(app, client, many, username):
    client.login(username)
    client.text("/admin/applications/")  # warm-up (first-request work, caches)
    counts, shown = {}, {}
    for size in (20, 100):
        with app.app_context():
            engine = db.engine
        with counting(engine) as statements:
            html = client.text(f"/admin/applications/?page_size={size}")
        counts[size] = len(statements)
        shown[size] = html.count('class="action-checkbox"')
    assert shown[20] == 20 and shown[100] == 100  # the pages really are full
    assert counts[20] == counts[100], counts
    assert counts[100] <= 3, counts  # the user (with its unread 站内信), the rows (with the capped count), filter options


def test_deep_page_and_filtered_page_statements_constant(app, client, many):
    client.login("office")
    with app.app_context():
        engine = db.engine
    results = []
    for url in ("/admin/applications/?page=3&page_size=20", "/admin/applications/?page=0&page_size=100",
                "/admin/applications/?flt0_status_eq=admitted&search=1&page_size=100"):
        with counting(engine) as statements:
            client.text(url)
        results.append(len(statements))
    assert max(results) - min(results) <= 1, results  # a filter adds its option check, nothing per row


def test_list_count_is_capped(app, client, many, cap_50):
    """Beyond the cap the list says so instead of counting every row (no full COUNT(*) per view)."""
    client.login("office")
    with app.app_context():
        engine = db.engine
    with counting(engine) as statements:
        html = client.text("/admin/applications/")
    assert 'id="count-capped"' in html and "超过 50 条" in html
    counts = [s for s in statements if "count(" in s.lower() and "applications" in s]
    assert counts and all("LIMIT" in s.upper() for s in counts), counts
    # The simple pager still pages forward.
    html = client.text("/admin/applications/?page=1")
    assert html.count('class="action-checkbox"') == 20


def _row_ids(html: str) -> list[str]:
    import re

    return re.findall(r'name="rowid" class="action-checkbox" value="(\d+)"', html)


def _pager_links(html: str) -> list[str]:
    import re

    return [link.replace("&amp;", "&") for link in re.findall(r'class="page-link" href="([^"]+)"', html)]


def _newest_first_ids(app) -> list[str]:
    with app.app_context():
        return [str(pk) for (pk,) in db.session.query(Application.id).filter(Application.status != Status.draft)
                .order_by(Application.submitted_at.desc(), Application.id.desc())]


def test_keyset_pager_links_walk_the_list_in_order(app, client, many, cap_50):
    """Deep pages: 下一页 / 上一页 carry a (submitted_at, id) cursor — an index seek, not an OFFSET."""
    client.login("office")
    expected = _newest_first_ids(app)
    html = client.text("/admin/applications/?page=1")
    assert _row_ids(html) == expected[20:40]
    forward = _pager_links(html)[-1]
    assert "after=" in forward and "page=2" in forward
    with app.app_context():
        engine = db.engine
    with counting(engine) as statements:
        page2 = client.text(forward)
    ids_sql = [s for s in statements if "ORDER BY applications.submitted_at" in s and "LIMIT" in s.upper()]
    # A seek from the cursor: (submitted_at, id) < (…), the page number is not turned into an OFFSET.
    assert ids_sql and all("(applications.submitted_at, applications.id) <" in s for s in ids_sql), ids_sql
    assert _row_ids(page2) == expected[40:60]
    page3 = client.text(_pager_links(page2)[-1])
    assert _row_ids(page3) == expected[60:80]
    back = _pager_links(page3)[0]
    assert "before=" in back and "after=" not in back
    assert _row_ids(client.text(back)) == expected[40:60]
    # A damaged cursor falls back to the page number, never a 500.
    assert _row_ids(client.text("/admin/applications/?page=1&after=garbage")) == expected[20:40]


def test_page_numbers_stop_at_the_count_cap(app, client, many, cap_50):
    """A page number past the cap would be an OFFSET over every row before it: the list shows the last
    numbered page with a message (like a search engine's result window) and 下一页 goes on by cursor."""
    client.login("office")
    expected = _newest_first_ids(app)
    with app.app_context():
        engine = db.engine
    with counting(engine) as statements:
        html = client.text("/admin/applications/?page=7")
    assert "页码最多可直接跳到第 2 页" in html
    assert _row_ids(html) == expected[20:40]
    # The OFFSET is the last numbered page's (20), never page 7's (140).
    offsets = [s.parameters for s in statements if "OFFSET" in s.upper() and "ORDER BY" in s]
    values = [v for params in offsets for v in (params.values() if isinstance(params, dict) else params)]
    assert offsets and 20 in values and 140 not in values, offsets
    assert _row_ids(client.text(_pager_links(html)[-1])) == expected[40:60]


def test_lean_rows_print_what_the_views_formatters_print(app, client, many):
    """The list's rows come from one Python loop; each cell must equal the view's own formatter output."""
    import re

    from flask import request

    from wxk_admin.views.applications import ApplicationView

    client.login("office")
    with app.app_context():
        cip = (db.session.query(Application).filter(Application.status != Status.draft)
               .order_by(Application.submitted_at.desc(), Application.id.desc()).first())
        cip.cip_flagged = True
        db.session.commit()
    html = client.text("/admin/applications/?page_size=100")
    with app.app_context():
        view = next(v for v in app.extensions["admin"][0]._views if isinstance(v, ApplicationView))
        rows = (db.session.query(Application).filter(Application.status != Status.draft)
                .order_by(Application.submitted_at.desc(), Application.id.desc()).limit(100).all())
        with app.test_request_context("/admin/applications/?page_size=100"):
            from flask_login import login_user

            from wxk_admin.models import User

            login_user(db.session.query(User).filter_by(username="office").one())
            checked = 0
            for model in rows:
                for column in ("name", "status", "eligibility", "submitted_at"):
                    expected = str(view.column_formatters[column](view, None, model, column))
                    if column == "name":
                        expected = expected.replace(re.escape(request.url), request.url)
                    cell = f'<td class="col-{column}">{expected}</td>'
                    if f'class="action-checkbox" value="{model.id}"' in html:
                        row = re.search(rf'class="action-checkbox" value="{model.id}".*?</tr>', html, re.S).group(0)
                        assert cell in row, (column, cell, row)
                        checked += 1
            assert checked >= 40
    assert "CIP 存疑" in html
