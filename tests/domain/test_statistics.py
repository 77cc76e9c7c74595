"""Issue 14.5: 年度统计 — every figure equals a count computed directly by SQL on generated data, for the
office (everything) and a unit admin (their unit only); the page, the xlsx (one sheet per table), the PDF."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from wxk_admin.documents.statistics import cycle_statistics
from wxk_admin.enums import Role
from wxk_admin.cli.generate import generate
from wxk_admin.models import Cycle, GroupUnit, User, db

from ..support.factories import make_user
from ..support.pdf import compact, pdf_text


@pytest.fixture
def generated(app, ctx):
    generate(db.session, 400, units=4, cycles=2, seed=11, batch=200)
    unit = db.session.scalars(select(GroupUnit).order_by(GroupUnit.id)).first()
    make_user(db.session, "office", Role.office)
    make_user(db.session, "unit_admin", Role.unit_admin, unit)
    db.session.commit()
    cycle = db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).first()
    return cycle, unit


def _sql(where: str, params: dict, what: str = "count(*)", group: str | None = None):
    query = f"SELECT {group + ', ' if group else ''}{what} FROM applications a WHERE a.status <> 'draft' AND {where}"
    if group:
        return dict(db.session.execute(text(query + f" GROUP BY {group}"), params).all())
    return db.session.execute(text(query), params).scalar()


def _check(stats, cycle, unit_filter: str, params: dict):
    params = {**params, "cycle": cycle.id}
    base = f"a.cycle_id = :cycle {unit_filter}"
    admitted = base + " AND a.status = 'admitted'"
    rows = dict(stats.table("status").rows)
    assert rows["合计"] == _sql(base, params)
    assert rows["已公布入会"] == _sql(admitted, params)
    assert rows["专家咨询未通过"] == _sql(base + " AND a.status = 'expert_failed'", params)
    by_category = _sql(admitted, params, group="a.category")
    assert {k: v for k, v in stats.table("category").rows if v} == {
        label: n for label, n in ((_label("Category", k), n) for k, n in by_category.items()) if n}
    assert dict(stats.table("route").rows) == {"团体会员推荐": _sql(admitted + " AND a.unit_id IS NOT NULL", params),
                                               "直接申报": _sql(admitted + " AND a.unit_id IS NULL", params)}
    gender = dict(stats.table("gender").rows)
    assert gender["女"] == _sql(admitted + " AND a.gender = 'female'", params)
    assert gender["男"] == _sql(admitted + " AND a.gender = 'male'", params)
    ethnicity = dict(stats.table("ethnicity").rows)
    assert ethnicity["少数民族"] == _sql(admitted + " AND a.ethnicity IS NOT NULL AND a.ethnicity NOT IN ('', '汉族')",
                                        params)
    ages = dict(stats.table("age").rows)
    births = db.session.execute(text(f"SELECT a.birth_date FROM applications a WHERE a.status <> 'draft' AND "
                                     f"{admitted}"), params).scalars().all()
    years = [cycle.year - int(str(b)[:4]) for b in births if b]
    assert ages["35 岁及以下"] == sum(1 for y in years if y <= 35)
    assert ages["36–45 岁"] == sum(1 for y in years if 36 <= y <= 45)
    assert ages["46–60 岁"] == sum(1 for y in years if 46 <= y <= 60)
    assert ages["60 岁以上"] == sum(1 for y in years if y > 60)
    web = dict(stats.table("web").rows)
    assert web["门类为网络文学"] == _sql(admitted + " AND a.category = 'web'", params)
    assert web["申报网络作品"] == _sql(admitted + " AND EXISTS (SELECT 1 FROM web_works w WHERE w.application_id = a.id)",
                                     params)
    rates = {r[0]: r[1:] for r in stats.table("rates").rows}
    expert_passed = _sql(base + " AND a.status IN ('expert_passed', 'secretariat_approved', 'secretariat_rejected', "
                                "'on_notice', 'admitted')", params)
    expert_failed = _sql(base + " AND a.status = 'expert_failed'", params)
    assert rates["专家咨询"][:2] == (expert_passed + expert_failed, expert_passed)
    approved = _sql(base + " AND a.status IN ('secretariat_approved', 'on_notice', 'admitted')", params)
    rejected = _sql(base + " AND a.status = 'secretariat_rejected'", params)
    assert rates["书记处审议"][:2] == (approved + rejected, approved)
    history = {r[0]: r for r in stats.table("history").rows}
    assert history[cycle.name][1] == rows["合计"] and history[cycle.name][5] == rows["已公布入会"]
    return rows


def _label(enum_name, value):
    from wxk_admin import enums

    return getattr(enums, enum_name)(value).label


def test_statistics_equal_sql_counts_for_the_office_and_a_unit(generated):
    cycle, unit = generated
    office = db.session.scalar(select(User).where(User.username == "office"))
    rows = _check(cycle_statistics(db.session, office, cycle), cycle, "", {})
    assert rows["合计"] > 50 and rows["已公布入会"] > 0  # the generated data has something to count
    admin = db.session.scalar(select(User).where(User.username == "unit_admin"))
    unit_rows = _check(cycle_statistics(db.session, admin, cycle), cycle, "AND a.unit_id = :unit", {"unit": unit.id})
    assert 0 < unit_rows["合计"] < rows["合计"]
    units = dict(cycle_statistics(db.session, admin, cycle).table("unit").rows)
    assert set(units) <= {unit.name}


def test_statistics_page_and_exports(generated, client):
    cycle, unit = generated
    client.login("unit_admin")
    page = client.text(f"/admin/statistics/?cycle={cycle.id}")
    assert "年度统计" in page and f"统计范围：{unit.name}" in page and 'id="chart-category"' in page
    chart = page[page.index('id="chart-category"'):]
    assert '<g class="bar" data-label="小说"' in chart[:chart.index("</svg>")]  # drawn on the server as SVG
    r = client.get(f"/admin/statistics/?cycle={cycle.id}&format=xlsx")
    wb = load_workbook(io.BytesIO(r.data))
    assert {"申请按阶段及结果", "入会人数按门类", "各环节通过率", "历年对比"} <= set(wb.sheetnames)
    assert unit.name in wb["入会人数按门类"]["A1"].value
    r = client.get(f"/admin/statistics/?cycle={cycle.id}&format=pdf")
    assert r.data.startswith(b"%PDF")
    pdf = compact(pdf_text(r.data))
    assert "入会人数按年龄" in pdf and "各环节通过率" in pdf and compact(unit.name) in pdf
