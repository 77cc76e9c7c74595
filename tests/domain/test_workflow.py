"""The workflow table without HTTP: every edge and every refusal, serial numbers under concurrency."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from wxk_admin.domain import workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Role, Status
from wxk_admin.models import Application, AuditEvent, Cycle, db

from ..support.factories import make_app
from ..support.race import race

ROLE_USER = {Role.unit_admin: "admin_a", Role.office: "office", Role.it_admin: "it", Role.expert: "expert",
             Role.applicant: "appl_a"}


@pytest.mark.parametrize("name", sorted(workflow.TRANSITIONS))
def test_every_transition_only_from_its_sources_and_roles(world, name):
    """SPEC §3: 'Every transition is allowed only from its source states and only to its roles.'"""
    t = workflow.TRANSITIONS[name]
    app = world.apps["a_submitted"] if t.route != "direct" else world.apps["direct_submitted"]
    for status in Status:
        for role, username in ROLE_USER.items():
            app.status = status
            user = world.users[username]
            expected = status in t.sources and role in t.roles
            assert (workflow.refusal(t, app, Actor(user)) is None) == expected, (name, status, role)
    db.session.rollback()


def test_apply_refused_changes_nothing(world):
    app = world.apps["a_submitted"]
    with pytest.raises(workflow.TransitionRefused, match="您的角色无权执行「确认并编号」"):
        workflow.apply(db.session, app, "office_confirm", Actor(world.users["admin_a"]))
    db.session.rollback()
    assert db.session.get(Application, app.id).status == Status.submitted
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_out_of_scope_application_does_not_exist_for_the_caller(world):
    app = world.apps["b_submitted"]
    with pytest.raises(workflow.TransitionRefused, match="申请不存在或无权访问"):
        workflow.apply(db.session, app, "unit_confirm", Actor(world.users["admin_a"]))


def test_rights_are_the_accounts_the_actor_acts_as(world):
    """A unit admin switched into an applicant's proxy account acts with the proxy's rights (SPEC: 代为操作),
    not their own: the buttons and the steps are the applicant's."""
    app = world.apps["a_submitted"]
    admin, proxy = world.users["admin_a"], world.users["appl_a"]
    assert workflow.can(app, "unit_confirm", Actor(admin))
    assert not workflow.can(app, "unit_confirm", Actor(admin, on_behalf_of=proxy))
    assert workflow.refusal(workflow.TRANSITIONS["unit_confirm"], app, Actor(admin, on_behalf_of=proxy)) == \
        "您的角色无权执行「确认信息」"
    assert "unit_confirm" not in {t.name for t in workflow.allowed(app, Actor(admin, on_behalf_of=proxy))}
    assert workflow.refusal(workflow.TRANSITIONS["unit_confirm"], app, Actor(None)) is not None


def test_disqualify_from_any_live_state(world):
    """Seed 002 第五条 5: 有抄袭、剽窃、弄虚作假以及请托、行贿行为的申请者，取消其申请资格。"""
    app = world.apps["a_submitted"]
    for status in workflow.LIVE_STATES:
        app.status = status
        assert workflow.refusal(workflow.TRANSITIONS["disqualify"], app, Actor(world.users["office"])) is None
    app.status = Status.admitted
    assert workflow.refusal(workflow.TRANSITIONS["disqualify"], app, Actor(world.users["office"])) is not None
    db.session.rollback()


def test_compose_reason():
    assert workflow.compose_reason(["不符合申请条件"], "") == "不符合申请条件"
    assert workflow.compose_reason(["其它"], "字数核算有误") == "字数核算有误"
    with pytest.raises(workflow.TransitionRefused):
        workflow.compose_reason(["其它"], " ")


def _confirm_all_in_threads(app, ids, office_id, threads=4):
    from wxk_admin.models import User

    def work(chunk):
        def job(session, start):
            start()
            errors = []
            for app_id in chunk:
                for _attempt in range(20):
                    try:
                        application = session.get(Application, app_id)
                        workflow.apply(session, application, "office_confirm", Actor(session.get(User, office_id)))
                        session.commit()
                        break
                    except Exception as exc:  # SQLite "database is locked": retry like a user would
                        session.rollback()
                        last = exc
                else:
                    errors.append(repr(last))
            return errors
        return job

    results = race(app, *(work(ids[i::threads]) for i in range(threads)))
    return [e for result in results for e in (result if isinstance(result, list) else [repr(result)])]


def test_serial_numbers_unique_and_gap_free_under_concurrency(app, world, backend):
    """SPEC §3: 申请序列号 unique and sequential within the cycle — with offices confirming at once."""
    if backend != "postgresql":
        pytest.skip("real concurrency is proven on PostgreSQL (SQLite serialises writers)")
    ids = []
    for i in range(40):
        a = make_app(db.session, world, f"c{i}", world.unit_a, world.users["appl_a"], Status.unit_confirmed)
        ids.append(a.id)
    db.session.commit()
    office_id, cycle_id = world.users["office"].id, world.cycle.id
    db.session.remove()
    errors = _confirm_all_in_threads(app, ids, office_id)
    assert errors == []
    seqs = sorted(db.session.scalars(select(Application.serial_seq).where(Application.id.in_(ids))))
    assert seqs == list(range(1, 41))
    assert db.session.get(Cycle, cycle_id).serial_counter == 40


def test_two_reviewers_at_once_exactly_one_wins(app, world, backend):
    """Issue 3 §8: a confirm and a reject at the same time — one wins, the other gets the conflict message."""
    if backend != "postgresql":
        pytest.skip("real concurrency is proven on PostgreSQL")
    from wxk_admin.models import User

    second_admin = User(username="admin_a2", role=Role.unit_admin, unit_id=world.unit_a.id, full_name="甲二管")
    second_admin.set_password("x" * 12)
    db.session.add(second_admin)
    db.session.commit()
    app_id, version = world.apps["a_submitted"].id, world.apps["a_submitted"].version
    users = [world.users["admin_a"].id, second_admin.id]
    db.session.remove()

    def act(user_id, name, opinion):
        def job(session, start):
            application = session.get(Application, app_id)
            actor = Actor(session.get(User, user_id))
            start()
            try:
                workflow.apply(session, application, name, actor, opinion=opinion, expected_version=version)
                session.commit()
                return "won"
            except workflow.TransitionRefused as exc:
                session.rollback()
                return str(exc)
        return job

    outcomes = race(app, act(users[0], "unit_confirm", "确认"), act(users[1], "unit_reject", "材料不全"))
    assert sorted(outcomes) == sorted(["won", workflow.CONFLICT_MESSAGE])
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.application_id == app_id)) == 1


def test_states_reachable_from_the_notice():
    """From 公示中 an application can only be admitted or disqualified (an upheld objection disqualifies): the
    consultation panel asks for objections in these states alone."""
    reached = workflow.reachable_from({Status.on_notice})
    assert reached == {Status.on_notice, Status.admitted, Status.disqualified}
    assert workflow.reachable_from({Status.expert_review}) >= reached | {Status.expert_review}
    assert Status.submitted not in workflow.reachable_from({Status.expert_review})
