"""Issue 9.7 — concurrency on PostgreSQL: real threads, each with its own app context, session and connection.

* Two reviewers confirm / reject the same application at the same instant, 50
  times: exactly one wins, the other gets ``workflow.Conflict`` (the conflict
  message), the audit log has exactly one transition.
* Concurrent office confirmations never duplicate or skip a 申请序列号, even
  when some of them roll back.
"""
from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from wxk_admin.domain import workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.cli.demo import make_application
from wxk_admin.enums import Role, Status
from wxk_admin.models import Application, AuditEvent, Cycle, Message, User, db, utcnow

from ..support.factories import make_user
from ..support.race import race

ROUNDS = 50


@pytest.fixture
def pg_only(backend):
    if backend != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (SQLite serialises writers with a file lock)")


def _new_app(world, status, rng):
    app = make_application(rng, world.cycle, world.unit_a, world.users["appl_a"], status, utcnow())
    db.session.add(app)
    db.session.flush()
    return app.id


def test_two_reviewers_same_application_exactly_one_wins(app, world, pg_only):
    rng = random.Random(9)
    second = make_user(db.session, "admin_a2", Role.unit_admin, world.unit_a)
    ids = [_new_app(world, Status.submitted, rng) for _ in range(ROUNDS)]
    db.session.commit()
    reviewer_ids = (world.users["admin_a"].id, second.id)

    def reviewer(user_id, app_id, name, opinion):
        def job(session, start):
            user = session.get(User, user_id)
            application = session.get(Application, app_id)
            assert application.status == Status.submitted
            start()  # both have read the same version; now both act
            workflow.apply(session, application, name, Actor(user, "127.0.0.1"), opinion=opinion)
            session.commit()
            return name
        return job

    for app_id in ids:
        results = race(app, reviewer(reviewer_ids[0], app_id, "unit_confirm", "同意"),
                       reviewer(reviewer_ids[1], app_id, "unit_reject", "申请材料不全"))
        wins = [r for r in results if isinstance(r, str)]
        losses = [r for r in results if isinstance(r, Exception)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert isinstance(losses[0], workflow.Conflict), repr(losses[0])
        assert str(losses[0]) == workflow.CONFLICT_MESSAGE
        db.session.expire_all()
        row = db.session.get(Application, app_id)
        expected = Status.unit_confirmed if wins[0] == "unit_confirm" else Status.rejected
        assert row.status == expected
        transitions = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app_id,
                                                                  AuditEvent.to_state.is_not(None))).all()
        assert [t.action for t in transitions] == [wins[0]]
        # The loser's 站内信 was not sent either.
        notes = db.session.scalar(select(func.count(Message.id)).where(Message.application_id == app_id))
        assert notes == (1 if wins[0] == "unit_reject" else 0)


def test_concurrent_office_confirmations_gap_free_unique_serials(app, world, pg_only):
    rng = random.Random(7)
    n = 24
    ids = [_new_app(world, Status.unit_confirmed, rng) for _ in range(n)]
    db.session.commit()
    office_id = world.users["office"].id
    rollback_every = 5  # every 5th confirmation fails after taking a number: the number must come back

    def confirm(i, app_id):
        def job(session, start):
            office = session.get(User, office_id)
            application = session.get(Application, app_id)
            start()
            outcome = workflow.apply(session, application, "office_confirm", Actor(office, "127.0.0.1"))
            if i % rollback_every == 0:
                session.rollback()
                return None
            session.commit()
            return outcome.serial_no
        return job

    for chunk in (ids[:12], ids[12:]):  # 12 threads at once, twice (the pool has room for them)
        offset = ids.index(chunk[0])
        results = race(app, *(confirm(offset + k, app_id) for k, app_id in enumerate(chunk)))
        assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    rows = db.session.execute(select(Application.serial_seq, Application.serial_no, Application.status)
                              .where(Application.id.in_(ids))).all()
    confirmed = [r for r in rows if r.status == Status.office_confirmed]
    committed = n - len(range(0, n, rollback_every))
    assert len(confirmed) == committed
    seqs = sorted(r.serial_seq for r in confirmed)
    assert seqs == list(range(1, committed + 1)), seqs  # unique, no gap
    year = world.cycle.year
    assert sorted(r.serial_no for r in confirmed) == [f"{year}-{s:06d}" for s in seqs]
    assert db.session.get(Cycle, world.cycle.id).serial_counter == committed
