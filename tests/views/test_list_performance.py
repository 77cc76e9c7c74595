"""Issue 7 point 4: a fixed number of statements per list page, whatever the page size (no N+1)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from wxk_admin.enums import Category, Status
from wxk_admin.cli.generate import generate
from wxk_admin.models import Application, Objection, db

from ..support.statements import counting


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


# ---------------------------------------------------------------- issue 19.6: bounded at a million rows

# The list's common filters (状态, 门类, 推荐单位, 年度) alone and in pairs, as the office uses them, and the
# unit admin's (whose scope already fixes 推荐单位): each must reach its rows through an index whose
# equality covers every filtered column — the page's ids and the capped count then cost the same at
# 10,000 and at 1,000,000 rows.  Column → the filter's URL value (world's 甲一 matches each).
COMMON = {"status": lambda w: "submitted", "category": lambda w: "novel",
          "unit_id": lambda w: str(w.unit_a.id), "cycle_id": lambda w: str(w.cycle.id)}
OFFICE_FILTERS = [(a,) for a in COMMON] + [(a, b) for i, a in enumerate(COMMON) for b in list(COMMON)[i + 1:]]
# A unit admin's scope is 推荐单位 already: one filter makes a pair, two make the unit's own pairs (its
# 状态 + 门类 list of the year is the common one).
UNIT_FILTERS = [("status",), ("category",), ("cycle_id",),
                ("status", "category"), ("status", "cycle_id"), ("category", "cycle_id")]


def _explain(backend, conn, statement, parameters) -> list[str]:
    if backend == "sqlite":
        return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a test table is tiny: ask what the indexes allow
    return [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]


LOOKUPS = ("pk_applications", "ix_applications_id_number")
SORT_WALKS = ("ix_applications_submitted_at", "ix_applications_submitted_id", "ix_applications_list_cover")


def _unbounded_reads(backend, plan: list[str], columns) -> list[str]:
    """The plan's reads of ``applications`` that are not an index seek on every filtered column: a table or
    whole-index scan, or an index seek that tests a filtered column row by row."""
    bad = []
    if backend == "sqlite":
        for line in plan:
            if re.match(r"SCAN applications\b", line):
                bad.append(line)
            seek = re.match(r"SEARCH applications USING (?:COVERING )?INDEX \S+ \((.*)\)", line)
            if seek and not all(f"{c}=?" in seek.group(1) for c in columns):
                bad.append(line)
        return bad
    seeks = 0
    for i, line in enumerate(plan):
        if re.search(r"Seq Scan on applications\s", line + " "):
            bad.append(line)
        # Any alias of applications (a bitmap scan names only the index: ours all start so); by primary key (the
        # page's rows) and by 身份证号 (the 往年 mark's probe per listed row) are lookups, not the list's filtering.
        scan = re.search(r"Index (?:Only )?Scan(?: Backward)? using (\S+) on applications\s", line + " ") or \
            re.search(r"Bitmap Index Scan on (ix_applications_\S+|pk_applications)", line)
        if not scan or scan.group(1) in LOOKUPS:
            continue
        condition = next((p for p in plan[i + 1:i + 4] if "Index Cond:" in p), "")
        if all(re.search(rf"\(?\b{c}\)?(::\w+)? = ", condition) for c in columns):
            seeks += 1
        elif len(columns) == 1 and scan.group(1) in SORT_WALKS:
            # One common value (its statistics say a match every few rows): the 20 newest are found by walking
            # the default sort's index under the LIMIT — PostgreSQL's choice, and the cheaper one.
            continue
        else:
            bad.append(f"{line} {condition}")
    return bad if seeks else bad + ["no index seek on " + "+".join(columns)]


@pytest.fixture
def fresh(backend, tmp_path):
    """A freshly migrated database with world's rows: on SQLite without statistics (the shared test database
    has ``wxk generate``'s ANALYZE of tiny tables, which rightly makes SQLite prefer scans); on PostgreSQL with
    3,000 generated rows and their statistics."""
    from flask_migrate import upgrade

    from wxk_admin import create_app

    from ..conftest import throwaway_database
    from ..support.factories import make_world
    from ..support.helpers import Client

    with throwaway_database(backend, tmp_path, prefix="wxk_list_plan") as url:
        application = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test",
                                  "RATELIMIT_ENABLED": False})
        with application.app_context():
            upgrade()
            world = make_world(db.session)
            world.apps["a_submitted"].category = Category.novel  # 甲一 then matches every filter of the tests
            db.session.commit()
            if backend == "postgresql":
                # PostgreSQL without statistics picks among equally guessed indexes by chance: give it a table
                # shaped like the real one (SQLite without statistics already prefers the tightest equality).
                generate(db.session, 3000, units=20, cycles=3, seed=5)
                db.session.query(Application).filter(Application.id % 20 == 0).update(
                    {Application.unit_id: world.unit_a.id}, synchronize_session=False)  # admin_a's unit is big too
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            db.session.expire_on_commit = False
            yield application, world, Client(application.test_client())
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("username, filters", [("office", f) for f in OFFICE_FILTERS]
                         + [("admin_a", f) for f in UNIT_FILTERS],
                         ids=lambda v: "+".join(v) if isinstance(v, tuple) else v)
def test_common_filters_seek_an_index(fresh, backend, username, filters):
    application, world, client = fresh
    client.login(username)
    query = {f"flt{i}_{column}_eq": COMMON[column](world) for i, column in enumerate(filters)}
    with counting(db.engine) as statements:
        html = client.text("/admin/applications/?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert 'class="action-checkbox"' in html  # rows matched (world's 甲一 matches every filter here)
    listed = [s for s in statements if "FROM applications" in s and "count(" in s.lower()]
    assert listed, statements
    with db.engine.connect() as conn:
        for statement in listed:
            plan = _explain(backend, conn, statement, statement.parameters)
            assert not _unbounded_reads(backend, plan, filters), "\n".join(plan)
            conn.rollback()


def test_an_empty_filtered_page_counts_once(app, client, many):
    """A filter that matches nothing: the page's statement carries the count; asking the database again
    (the rows were empty, so the count was not read from them) was a second capped count."""
    client.login("office")
    with app.app_context():
        engine = db.engine
    with counting(engine) as statements:
        html = client.text("/admin/applications/?flt0_status_eq=submitted&flt1_pending_objection=1")
    assert 'class="action-checkbox"' not in html and 'id="count-exact">共 0 条<' in html
    counts = [s for s in statements if "count(" in s.lower() and "applications" in s]
    assert len(counts) == 1, counts


def test_open_objections_filter_reads_the_objections(fresh, backend):
    """有未处理异议: the few open objections name their applications, read by primary key — never a test of
    every application (an EXISTS per row walked the whole table when none matched)."""
    application, world, client = fresh
    db.session.add(Objection(application_id=world.apps["b_submitted"].id, content="作品涉嫌抄袭"))
    db.session.commit()
    client.login("office")
    with counting(db.engine) as statements:
        html = client.text("/admin/applications/?flt0_pending_objection=1")
    assert "乙一" in html and "甲一" not in html and "直报一" not in html
    listed = [s for s in statements if "FROM applications" in s and "count(" in s.lower()]
    assert listed, statements
    with db.engine.connect() as conn:
        for statement in listed:
            plan = _explain(backend, conn, statement, statement.parameters)
            if backend == "sqlite":
                reads = [line for line in plan if re.match(r"(SCAN|SEARCH) applications\b", line)]
                assert reads and all("PRIMARY KEY (rowid=?)" in line for line in reads), "\n".join(plan)
            else:
                reads = [re.search(r"Scan(?: using (\S+))? on applications\s", line + " ") for line in plan]
                used = [read.group(1) for read in reads if read]
                assert "pk_applications" in used and set(used) <= set(LOOKUPS), "\n".join(plan)
            conn.rollback()


def test_migration_0008_keeps_sqlite_statistics_whole(tmp_path):
    """A database with statistics gets those of the new indexes (without them SQLite took (cycle_id, …) for
    the 往年 probe at 1,000,000 rows); a database without statistics is left without."""
    from flask_migrate import upgrade

    from wxk_admin import create_app

    from ..migrations.test_migrations import legacy_application

    for analysed in (True, False):
        url = f"sqlite:///{tmp_path / f'stats-{analysed}.sqlite3'}"
        application = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
        with application.app_context():
            upgrade(revision="0007_integrity")
            legacy_application(db.session, name="旧甲")
            if analysed:
                db.session.execute(text("ANALYZE"))
            db.session.commit()
            upgrade()
            indexes = {row[0] for row in db.session.execute(text(
                "SELECT idx FROM sqlite_stat1 WHERE tbl = 'applications'"))} if analysed else set()
            assert ("ix_applications_cycle_list" in indexes) is analysed, indexes
            if not analysed:
                assert not db.session.execute(text(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
            db.session.remove()
            db.engine.dispose()
