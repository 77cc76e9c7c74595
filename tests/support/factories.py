"""A small known world for tests: two units, a cycle, one account per role, applications in each unit — of the
deployment's association (its code and rule set; the units' names are the tests' own)."""
from __future__ import annotations

import datetime as dt
import functools
import random
import zlib
from dataclasses import dataclass, field

from flask import current_app

from wxk_admin.cli.demo import DEMO_PASSWORD, make_application
from wxk_admin.enums import Role, Status, UnitKind
from wxk_admin.models import Application, Cycle, GroupUnit, User, utcnow


@dataclass
class World:
    unit_a: GroupUnit
    unit_b: GroupUnit
    cycle: Cycle
    users: dict[str, User]
    apps: dict[str, Application] = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def _password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(DEMO_PASSWORD, method="scrypt")


def make_user(session, username, role, unit=None, **kw) -> User:
    user = User(username=username, role=role, unit_id=unit.id if unit else None, full_name=kw.pop("full_name", username),
                active=kw.pop("active", True), **kw)
    user.password_hash = _password_hash()  # one real scrypt hash, computed once: hashing is slow on purpose
    session.add(user)
    session.flush()
    return user


def make_app(session, world: World, key: str, unit, applicant, status=Status.submitted, name=None, **kw) -> Application:
    rng = random.Random(zlib.crc32(key.encode()))  # the same data on every run (hash() is salted)
    app = make_application(rng, world.cycle, unit, applicant, status, utcnow(), name=name or key)
    for attr, value in kw.items():
        setattr(app, attr, value)
    session.add(app)
    session.flush()
    world.apps[key] = app
    return app


def earlier_cycle(session, world: World, years_back: int = 1) -> Cycle:
    """A closed cycle of the same association ``years_back`` years before the world's, its windows shifted by as
    many years."""
    current = world.cycle
    cycle = Cycle(association=current.association, year=current.year - years_back, name=f"{current.year - years_back}年度",
                  fill_start=current.fill_start.replace(year=current.fill_start.year - years_back),
                  fill_end=current.fill_end.replace(year=current.fill_end.year - years_back),
                  materials_deadline=current.materials_deadline.replace(year=current.materials_deadline.year - years_back),
                  ruleset=current.ruleset, is_current=False)
    session.add(cycle)
    session.flush()
    return cycle


def make_world(session, profile=None) -> World:
    """The world of ``profile``'s association (the app's 协会配置 by default): units and the current cycle belong to
    it and the cycle runs its rule set; the windows are open today whatever its calendar says."""
    profile = profile or current_app.extensions["wxk_profile"]
    unit_a = GroupUnit(code="ua", name="甲省作家协会", kind=UnitKind.regional, association=profile.code)
    unit_b = GroupUnit(code="ub", name="乙省作家协会", kind=UnitKind.regional, association=profile.code)
    session.add_all([unit_a, unit_b])
    today = dt.date.today()
    cycle = Cycle(association=profile.code, year=today.year + 1, name=f"{today.year + 1}年度",
                  fill_start=today - dt.timedelta(days=10), fill_end=today + dt.timedelta(days=60),
                  materials_deadline=today + dt.timedelta(days=90), ruleset=profile.rules.ruleset, is_current=True)
    session.add(cycle)
    session.flush()
    users = {
        "it": make_user(session, "it", Role.it_admin),
        "office": make_user(session, "office", Role.office),
        "admin_a": make_user(session, "admin_a", Role.unit_admin, unit_a),
        "admin_b": make_user(session, "admin_b", Role.unit_admin, unit_b),
        "expert": make_user(session, "expert", Role.expert),
        "appl_a": make_user(session, "appl_a", Role.applicant, unit_a, full_name="甲申请人"),
        "appl_b": make_user(session, "appl_b", Role.applicant, unit_b, full_name="乙申请人"),
        "appl_direct": make_user(session, "appl_direct", Role.applicant, None, full_name="直报申请人"),
        "supervisor": make_user(session, "supervisor", Role.supervisor, full_name="纪检监察甲"),
    }
    world = World(unit_a, unit_b, cycle, users)
    make_app(session, world, "a_submitted", unit_a, users["appl_a"], Status.submitted, name="甲一")
    make_app(session, world, "b_submitted", unit_b, users["appl_b"], Status.submitted, name="乙一")
    make_app(session, world, "direct_submitted", None, users["appl_direct"], Status.submitted, name="直报一")
    session.commit()
    return world
