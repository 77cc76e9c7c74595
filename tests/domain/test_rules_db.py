"""资格初审 stored on the application (rules.refresh), the ``wxk recheck`` command and the details panel."""
from __future__ import annotations

import pytest
from flask import render_template
from sqlalchemy import func, select

from wxk_admin.domain import checks
from wxk_admin import rules
from wxk_admin.domain.rules import evaluation, storage
from wxk_admin.enums import Circulation, Eligibility, PublisherLevel, Responsibility, Track
from wxk_admin.models import Application, AuditEvent, Book, Publication, db


def _three_books(app: Application) -> None:
    app.track = Track.creation
    app.publications.clear()
    app.web_works.clear()
    app.film_works.clear()
    app.books[:] = [Book(title=f"书{i}", responsibility=Responsibility.sole, is_literary=True, mainland=True,
                         publisher_level=PublisherLevel.provincial if i < 2 else PublisherLevel.other)
                    for i in range(3)]


def _fresh(app_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, app_id)


@pytest.mark.profile("cwa", reason="expects 001's clauses and totals (the national rule set), which the cycle runs")
def test_refresh_stores_result_without_committing(world):
    app = world.apps["a_submitted"]
    _three_books(app)
    db.session.flush()
    rules.refresh(db.session, app)
    assert app.eligibility == Eligibility.eligible
    db.session.rollback()  # refresh did not commit: nothing stored
    assert _fresh(app.id).eligibility_note != "符合第(3)项：出版独立创作文学作品3部（省级及以上2部）"

    app = _fresh(world.apps["a_submitted"].id)
    _three_books(app)
    checks.refresh(db.session, app)  # the path every save takes
    db.session.commit()
    stored = _fresh(app.id)
    assert stored.eligibility == Eligibility.eligible
    assert stored.eligibility_note == "符合第(3)项：出版独立创作文学作品3部（省级及以上2部）"
    assert stored.eligibility_detail["met"] == "(3)"
    assert stored.eligibility_detail["ruleset"] == "cwa-2022"
    assert {t["key"]: t["value"] for t in stored.eligibility_detail["totals"]}["books_provincial"] == 2


def test_evaluation_writes_nothing(world):
    """The evaluator only reads (issue 19.1): storing the result is storage's job, called by checks.refresh."""
    app = world.apps["a_submitted"]
    _three_books(app)
    app.eligibility, app.eligibility_note, app.eligibility_detail = Eligibility.manual, "旧结果", None
    db.session.commit()
    app = _fresh(app.id)
    result = evaluation.evaluate(app, storage.ruleset_for(app, db.session))
    assert result.outcome == Eligibility.eligible and result.met == "(3)"  # it did evaluate the rows
    assert not db.session.new and not db.session.dirty and not db.session.deleted
    assert app.eligibility == Eligibility.manual and app.eligibility_note == "旧结果"


def test_unchanged_result_does_not_bump_the_version(world):
    app = world.apps["b_submitted"]
    _three_books(app)
    rules.refresh(db.session, app)
    db.session.commit()
    version = _fresh(app.id).version
    app = _fresh(app.id)
    rules.refresh(db.session, app)
    db.session.commit()
    assert _fresh(app.id).version == version


def test_cycle_names_the_rule_set(world):
    world.cycle.ruleset = "jiangsu-2022"
    app = world.apps["a_submitted"]
    _three_books(app)
    app.books.pop()  # two books: Jiangsu (3) yes, national (3) no
    app.household_registration = "江苏省苏州市"
    db.session.commit()
    app = _fresh(app.id)
    rules.refresh(db.session, app)
    db.session.commit()
    stored = _fresh(app.id)
    assert stored.eligibility == Eligibility.eligible
    assert stored.eligibility_note == "符合第(3)项：出版独立创作文学作品2部"

    world.cycle.ruleset = "no-such"
    db.session.commit()
    app = _fresh(app.id)
    rules.refresh(db.session, app)
    assert app.eligibility == Eligibility.manual
    assert app.eligibility_note == "未知的资格规则「no-such」，需人工判断"


def test_default_ruleset_comes_from_config(app, ctx):
    assert rules.default_ruleset() == app.config["WXK_DEFAULT_RULESET"]
    old = app.config["WXK_DEFAULT_RULESET"]
    app.config["WXK_DEFAULT_RULESET"] = "jiangsu-2022"
    try:
        assert rules.ruleset_for(Application(name="x")) == "jiangsu-2022"
    finally:
        app.config["WXK_DEFAULT_RULESET"] = old


@pytest.mark.profile("cwa", reason="expects 001's clauses and totals (the national rule set), which the cycle runs")
def test_recheck_command_recomputes_a_cycle(app, world):
    target = world.apps["direct_submitted"]
    _three_books(target)
    target.eligibility = Eligibility.not_eligible  # stale value from before the rows changed
    target.eligibility_note = "旧结果"
    db.session.commit()
    ids = [a.id for a in world.apps.values()]

    result = app.test_cli_runner().invoke(args=["wxk", "recheck", "--cycle", str(world.cycle.year)])
    assert result.exit_code == 0, result.output
    assert "资格规则 cwa-2022，共 3 件申请" in result.output
    assert "资格初审重新计算" in result.output
    assert "结果有变化 3 件" in result.output

    db.session.expire_all()
    stored = {a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(ids)))}
    assert all(a.eligibility is not None and a.eligibility_detail for a in stored.values())
    assert stored[target.id].eligibility == Eligibility.eligible
    assert stored[target.id].eligibility_note.startswith("符合第(3)项")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "recheck_eligibility")).all()
    assert len(events) == 3
    mine = next(e for e in events if e.application_id == target.id)
    assert mine.before["eligibility"] == "not_eligible" and mine.after["eligibility"] == "eligible"

    # a second run changes nothing and records nothing
    again = app.test_cli_runner().invoke(args=["wxk", "recheck", "--cycle", str(world.cycle.year)])
    assert again.exit_code == 0 and "结果有变化 0 件" in again.output
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "recheck_eligibility")) == 3


def test_recheck_unknown_cycle_is_refused(app, world):
    result = app.test_cli_runner().invoke(args=["wxk", "recheck", "--cycle", "1999"])
    assert result.exit_code != 0
    assert "未找到 1999 年度的申请" in result.output


@pytest.mark.profile("cwa", reason="expects 001's clauses and totals (the national rule set), which the cycle runs")
def test_panel_shows_result_condition_and_totals(app, world):
    application = world.apps["a_submitted"]
    application.track = Track.creation
    application.books.clear()
    application.web_works.clear()
    application.film_works.clear()
    application.publications[:] = [
        Publication(title="省刊", circulation=Circulation.public, level_provincial=True, word_count=118_000),
        Publication(title="公开", circulation=Circulation.public, word_count=182_000),
        Publication(title="<b>合集</b>", circulation=Circulation.anthology, word_count=9_000),
    ]
    rules.refresh(db.session, application)
    db.session.commit()
    with app.test_request_context("/"):
        html = render_template("applications/_panel_eligibility.html", app=_fresh(application.id), view=None)
    assert "资格初审" in html
    assert 'class="badge badge-danger ml-2" id="eligibility-badge">不符合条件' in html
    assert "最接近第(1)项，还差 32,000 字省级及以上发表" in html
    assert "118,000 字" in html and "300,000 字" in html  # totals table
    assert "&lt;b&gt;合集&lt;/b&gt;" in html and "<b>合集</b>" not in html  # user text escaped
    assert "多人合集/选本，不计入" in html


def test_panel_before_any_computation(app, world):
    application = world.apps["b_submitted"]
    application.eligibility, application.eligibility_detail, application.eligibility_note = None, None, None
    with app.test_request_context("/"):
        html = render_template("applications/_panel_eligibility.html", app=application, view=None)
    assert "尚未计算" in html
