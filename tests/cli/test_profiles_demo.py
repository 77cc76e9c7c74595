"""Issue 16.1 — ``wxk demo`` on a Jiangsu deployment builds Jiangsu's world: its 22 units, a cycle in its calendar
under its rule set, its office, a supervisor; the same story as the national demo, every account able to act."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from wxk_admin import profiles
from wxk_admin.domain.consultation.experts import available_experts
from wxk_admin.enums import Role
from wxk_admin.models import Application, Cycle, ExpertProfile, GroupUnit, User, db

from .test_demo import _assert_invariants, _assert_next_steps
from ..views.test_profiles_walk import profile_app


PROFILE = profiles.load("jiangsu")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = profile_app("jiangsu", tmp_path_factory.mktemp("profile_demo"))
    yield application
    with application.app_context():
        db.engine.dispose()


def test_jiangsu_demo_is_jiangsus_world(app, ctx):
    result = app.test_cli_runner().invoke(args=["wxk", "demo"])
    assert result.exit_code == 0, result.output
    assert "团体会员单位 22 个" in result.output and "联络部" in result.output and "创联部" not in result.output
    units = db.session.scalars(select(GroupUnit)).all()
    assert len(units) == 22 and {u.association for u in units} == {"jiangsu"}
    assert {"南京市作家协会", "宿迁市作家协会", "江苏省青少年作家协会"} <= {u.name for u in units}
    cycle = db.session.scalar(select(Cycle).where(Cycle.is_current.is_(True)))
    assert (cycle.association, cycle.ruleset) == ("jiangsu", "jiangsu-2022")
    assert cycle.name == f"{cycle.year}年度江苏省作协个人会员申请"
    # Jiangsu's calendar: online until 9月30日 at least, paper no earlier (the demo stretches the window to today).
    assert cycle.fill_end >= dt.date(cycle.year, 9, 30) and cycle.materials_deadline >= cycle.fill_end
    assert cycle.fill_start <= dt.date.today() <= cycle.fill_end
    office = db.session.scalar(select(User).where(User.username == "office"))
    assert office.full_name == "联络部"
    assert db.session.scalar(select(User).where(User.role == Role.supervisor)) is not None
    unit_ids = {u.id for u in units}
    apps = db.session.scalars(select(Application).where(Application.cycle_id == cycle.id)).all()
    assert len(apps) > 200 and {a.unit_id for a in apps if a.unit_id} <= unit_ids
    # 申报材料清单: Jiangsu's list (002 第三条(二)), the form in two copies, not the national one
    checklists = {tuple((m.name, m.copies) for m in sorted(a.materials, key=lambda m: m.position)) for a in apps}
    assert checklists - {()} == {(
        ("申报材料清单（一式一份，本人亲笔签名）", 1),
        ("《江苏省作家协会入会申请表》（一式两份，双面打印），另附2张两寸证件照", 2),
        ("代表性文学作品（一式一份）；翻译作品另附原文复印件不少于20页", 1),
        ("职称、获奖及作品影响情况（一式一份）", 1))}
    # 专家库 in Jiangsu's words (文学评论, 编剧), each a 门类 the draw finds experts for
    experts = db.session.scalars(select(ExpertProfile)).all()
    assert experts and all(e.categories.split(",") == [label for _, label in PROFILE.categories] for e in experts)
    assert all(available_experts(db.session, code) for code, _ in PROFILE.categories)
    db.session.expire_all()
    _assert_invariants()
    _assert_next_steps(app)
