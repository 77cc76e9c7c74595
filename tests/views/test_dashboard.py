"""Issue 8.10: the dashboard's charts carry the database's counts (office: everything; unit admin: own unit)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, func, select

from wxk_admin.enums import Category, Status
from wxk_admin.models import Application, db

from ..support.consultation import add_app
from .test_list_performance import _explain, counting, fresh  # noqa: F401 (fresh: a fixture)

BAR = re.compile(r'<g class="bar" data-label="([^"]*)" data-value="(\d+)">')


def _chart(page: str, chart_id: str) -> dict[str, int]:
    start = page.index(f'id="{chart_id}"')
    svg = page[start:page.index("</svg>", start)]
    return {label: int(value) for label, value in BAR.findall(svg)}


def _spread(world):
    s = db.session
    plan = [("a", Status.unit_confirmed, Category.novel), ("a", Status.office_confirmed, Category.novel),
            ("a", Status.expert_review, Category.poetry), ("b", Status.expert_failed, Category.poetry),
            ("b", Status.admitted, Category.prose), ("b", Status.on_notice, Category.novel),
            ("a", Status.rejected, Category.prose), ("a", Status.draft, Category.novel),
            (None, Status.secretariat_approved, Category.web)]
    for i, (unit, status, cat) in enumerate(plan):
        add_app(s, world, f"看板{i}", status, category=cat, unit=unit)
    s.commit()


def _db_counts(*where):
    return dict(db.session.execute(select(Application.status, func.count(Application.id))
                                   .where(Application.status != Status.draft, *where)
                                   .group_by(Application.status)).all())


def test_office_dashboard_numbers_equal_database(client, world, profile):
    _spread(world)
    client.login("office")
    page = client.text("/admin/")
    assert 'id="dashboard"' in page and "<svg" in page
    by_status = _chart(page, "chart-status")
    expected = _db_counts()
    assert by_status == {profile.label(s): expected.get(s, 0) for s in Status if s != Status.draft}
    total = sum(expected.values())
    assert f'<span id="dash-total">{total}</span>' in page

    by_unit = _chart(page, "chart-unit")
    units = dict(db.session.execute(
        select(Application.unit_id, func.count(Application.id)).where(Application.status != Status.draft)
        .group_by(Application.unit_id)).all())
    assert by_unit == {"甲省作家协会": units[world.unit_a.id], "乙省作家协会": units[world.unit_b.id],
                       "直接申报": units[None]}

    by_cat = _chart(page, "chart-category")
    cats = dict(db.session.execute(select(Application.category, func.count(Application.id))
                                   .where(Application.status != Status.draft)
                                   .group_by(Application.category)).all())
    assert by_cat == {profile.label(c): n for c, n in cats.items()}

    funnel = _chart(page, "chart-funnel")
    # submitted = everything not a draft; admitted = the admitted row only.
    assert funnel["已提交"] == total
    assert funnel["公布入会"] == expected[Status.admitted] == 1
    # reached 专家咨询: expert_review, expert_failed, on_notice, admitted, secretariat_approved
    assert funnel[profile.say("专家咨询")] == 5
    assert funnel["书记处通过"] == 3
    # what waits for the office, with its count
    assert re.search(profile.say("团体会员已确认、待会员处确认编号") + r"</a>\s*<span[^>]*>1</span>", page)


def test_unit_admin_dashboard_is_their_unit_only(client, world, profile):
    _spread(world)
    client.login("admin_b")
    page = client.text("/admin/")
    by_status = _chart(page, "chart-status")
    expected = _db_counts(Application.unit_id == world.unit_b.id)
    assert by_status == {profile.label(s): expected.get(s, 0) for s in Status if s != Status.draft}
    assert _chart(page, "chart-unit") == {"乙省作家协会": sum(expected.values())}
    assert "甲省作家协会" not in page


def test_no_dashboard_for_experts_and_applicants(client, world):
    for user in ("expert", "appl_a"):
        client.login(user)
        assert 'id="dashboard"' not in client.text("/admin/")
        client.logout()


def test_chart_labels_are_escaped(client, world):
    _spread(world)
    world.unit_b.name = "<script>alert(1)</script>乙省"
    db.session.commit()
    client.login("office")
    page = client.text("/admin/")
    assert "<script>alert(1)" not in page
    unit_b = sum(_db_counts(Application.unit_id == world.unit_b.id).values())
    assert unit_b > 0 and _chart(page, "chart-unit")["&lt;script&gt;alert(1)&lt;/script&gt;乙省"] == unit_b


WAITING_LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>\s*<span class="ml-auto badge[^"]*waiting-count">(\d+)</span>')


def test_waiting_entries_open_their_pages(client, world, profile):
    _spread(world)
    client.login("office")
    links = {label: (url, int(n)) for url, label, n in WAITING_LINK.findall(client.text("/admin/"))}
    assert links[profile.say("已编号、待收齐纸质材料")] == ("/admin/materials/", 1)
    assert links[profile.say("新会员入会手续未办完")][0] == "/admin/consultation/onboarding/"
    url, count = links[profile.say("团体会员已确认、待会员处确认编号")]
    assert count == 1 and url.startswith("/admin/applications/?flt0_status_eq=unit_confirmed&amp;flt1_cycle_id_eq=")


def test_onboarding_count_is_counted_by_the_database(client, world, profile):
    """新会员入会手续未办完 counts the admitted applications still missing a step, without loading each one
    (it read every admitted application of the cycle as an object: 0.5 s of the home page at 100,000 rows)."""
    s = db.session
    steps = {"done": dict(notified_at=dt.datetime(2026, 11, 1), registration_form_done=True, photos_received=True,
                          dues_paid=True)}
    steps["no_notice"] = {**steps["done"], "notified_at": None}
    steps["no_photos"] = {**steps["done"], "photos_received": False}
    steps["no_dues"] = {**steps["done"], "dues_paid": False}
    steps["nothing"] = {}
    for key, done in steps.items():
        add_app(s, world, f"入会{key}", Status.admitted, **done)
    add_app(s, world, "未入会", Status.on_notice)  # not admitted: not counted, whatever its steps
    s.commit()
    s.expunge_all()  # the page loads its own rows, as in a fresh request
    loaded = []

    def on_load(target, context):
        loaded.append(target.id)

    event.listen(Application, "load", on_load)
    try:
        client.login("office")
        links = {label: (url, int(n)) for url, label, n in WAITING_LINK.findall(client.text("/admin/"))}
    finally:
        event.remove(Application, "load", on_load)
    assert links[profile.say("新会员入会手续未办完")] == ("/admin/consultation/onboarding/", 4)
    assert loaded == []


def test_charts_by_unit_and_category_read_their_index(fresh, backend):
    """首页's counts by 推荐单位 and by 门类 (and status) of the current cycle come from one index each, in its
    order: no table read, no sort (migration 0009; without it, SQLite read each application of the cycle
    from the table and sorted them — 0.2 s per chart at 100,000 rows with fresh statistics)."""
    if backend != "sqlite":
        pytest.skip("SQLite's plan: PostgreSQL aggregates a test-sized table by hash whatever the indexes")
    application, world, client = fresh
    client.login("office")
    with counting(db.engine) as statements:
        assert 'id="chart-unit"' in client.text("/admin/")
    charts = [s for s in statements if re.search(r"GROUP BY applications\.(unit_id|category), applications\.status",
                                                 str(s))]
    assert len(charts) == 2, statements
    with db.engine.connect() as conn:
        for statement in charts:
            plan = _explain(backend, conn, statement, statement.parameters)
            assert len(plan) == 1 and re.match(r"SEARCH applications USING COVERING INDEX "
                                               r"ix_applications_cycle_(unit|category)_status \(cycle_id=\?\)",
                                               plan[0]), plan
