"""Shared set-up for the issue-8 tests: experts with profiles, applications already past office confirmation.

(Fixtures may put applications directly into a state — the workflow tests then drive every
transition from there through ``workflow.apply`` / HTTP.)
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from wxk_admin.domain.audit import Actor
from wxk_admin.domain.consultation.notice import open_notice
from wxk_admin.enums import Category, Role, Status
from wxk_admin.models import (Application, AuditEvent, ExpertGroup, ExpertGroupMember, ExpertProfile, User,
                              Vote, db)

from werkzeug.security import generate_password_hash

from .factories import make_app
from .helpers import PASSWORD

FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

TODAY = dt.date.today()


def add_expert(session, username, categories="小说", *, full_name=None, term_start=None, term_end=None,
               work_unit=None, relatives=None, active=True):
    user = User(username=username, role=Role.expert, full_name=full_name or username, active=active,
                password_hash=FAST_HASH)  # same password as everyone; a cheap hash keeps the tests quick
    session.add(user)
    session.flush()
    session.add(ExpertProfile(user_id=user.id, categories=categories,
                              term_start=term_start or TODAY - dt.timedelta(days=365),
                              term_end=term_end or TODAY + dt.timedelta(days=730),
                              work_unit=work_unit, relatives=relatives))
    session.flush()
    return user


def add_app(session, world, key, status, category=Category.novel, unit="a", seq=None, **kw):
    unit_obj = {"a": world.unit_a, "b": world.unit_b, None: None}[unit]
    applicant = world.users["appl_a" if unit == "a" else "appl_b" if unit == "b" else "appl_direct"]
    app = make_app(session, world, key, unit_obj, applicant, status, name=kw.pop("name", key), category=category,
                   **kw)
    if status not in (Status.draft, Status.submitted, Status.rejected, Status.unit_confirmed):
        seq = seq or (len(world.apps) + 100)
        app.serial_seq = seq
        app.serial_no = f"{world.cycle.year}-{seq:06d}"
    session.flush()
    return app


def group_with(session, world, experts, category=Category.novel) -> ExpertGroup:
    group = ExpertGroup(cycle_id=world.cycle.id, category=category)
    session.add(group)
    session.flush()
    for e in experts:
        session.add(ExpertGroupMember(group_id=group.id, expert_id=e.id))
    session.flush()
    return group


def experts_in_a_group(session, world, *people: tuple[str, str], category=Category.novel):
    """Experts given as (username, full name) and one group of ``category`` holding them:
    (each expert in order, then the group)."""
    experts = [add_expert(session, username, full_name=full_name) for username, full_name in people]
    return (*experts, group_with(session, world, experts, category))


def in_review(session, world, key, group, **kw) -> Application:
    app = add_app(session, world, key, Status.expert_review, category=group.category, **kw)
    app.expert_group_id = group.id
    session.flush()
    return app


def on_open_notice(session, world, key) -> Application:
    """An application 书记处通过, on the cycle's public notice opened today (both committed)."""
    listed = add_app(session, world, key, Status.secretariat_approved)
    session.commit()
    open_notice(session, office(world), world.cycle, TODAY)
    session.commit()
    return listed


def office(world) -> Actor:
    return Actor(world.users["office"], "127.0.0.1")


def actor(user) -> Actor:
    return Actor(user, "127.0.0.1")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def status_of(app_id) -> Status:
    db.session.expire_all()
    return db.session.get(Application, app_id).status


def votes_of(app_id) -> int:
    return count(Vote, Vote.application_id == app_id)


def audits(action) -> int:
    return count(AuditEvent, AuditEvent.action == action)
