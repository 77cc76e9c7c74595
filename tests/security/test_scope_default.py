"""Issue 19.2 — a model view that forgets to declare its scope shows no rows, on every path.

Two views of 团体会员单位 are added to a fresh app on the test database: one that declares no ``scope``
(it must list, show, edit and export nothing) and, as the control on the same page shapes, one that
declares ``access.every_row`` (it shows the units — so the first one's emptiness is the default's doing).
"""
from __future__ import annotations

import uuid

import pytest

from wxk_admin.domain import access
from wxk_admin import create_app
from wxk_admin.enums import Role
from wxk_admin.models import GroupUnit, db
from wxk_admin.views.base import CREATE, EDIT, EXPORT, READ, SecureModelView

from ..support.factories import make_world
from ..support.helpers import Client, redirect_target

ALL = frozenset({READ, CREATE, EDIT, EXPORT})


class ForgetfulView(SecureModelView):
    roles = frozenset({Role.it_admin})
    permissions = {Role.it_admin: ALL}


class DeclaredView(SecureModelView):
    roles = frozenset({Role.it_admin})
    permissions = {Role.it_admin: ALL}

    def scope(self, user):
        return access.every_row(user)


@pytest.fixture
def fresh(app, database_url):
    """A fresh app on the shared test database (``app`` empties the tables afterwards) with both views."""
    fresh_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                            "SECRET_KEY": "test-" + uuid.uuid4().hex})
    admin = fresh_app.extensions["admin"][0]
    admin.add_view(ForgetfulView(GroupUnit, name="忘了范围", endpoint="forgetful", url="/admin/forgetful"))
    admin.add_view(DeclaredView(GroupUnit, name="声明范围", endpoint="declared", url="/admin/declared"))
    with fresh_app.app_context():
        world = make_world(db.session)
        db.session.commit()
        unit_id = world.unit_a.id
        db.session.remove()
    client = Client(fresh_app.test_client())
    client.login("it")
    yield client, unit_id
    with fresh_app.app_context():
        db.engine.dispose()  # its pooled connections closed now, not by the garbage collector in a later test


def test_declared_scope_shows_the_rows(fresh):
    """The control: the same view with its scope declared lists, shows and exports the units."""
    client, unit_id = fresh
    assert "甲省作家协会" in client.text("/admin/declared/")
    assert "甲省作家协会" in client.text(f"/admin/declared/details/?id={unit_id}")
    assert "甲省作家协会" in client.text(f"/admin/declared/edit/?id={unit_id}")
    assert "甲省作家协会" in client.get("/admin/declared/export/csv/").get_data(as_text=True)


def test_undeclared_scope_lists_no_rows(fresh):
    client, _unit_id = fresh
    page = client.text("/admin/forgetful/")
    assert "忘了范围" in page  # the list page itself works
    assert "甲省作家协会" not in page and "乙省作家协会" not in page


@pytest.mark.parametrize("page", ("details", "edit"))
def test_undeclared_scope_opens_no_row(fresh, page):
    """Details / edit of an existing unit: back to the list with Flask-Admin's 「记录不存在」, nothing of it shown."""
    client, unit_id = fresh
    response = client.get(f"/admin/forgetful/{page}/?id={unit_id}")
    assert redirect_target(response) == ("/admin/forgetful/", {})
    landing = client.text(response.headers["Location"])
    assert "记录不存在" in landing
    assert "甲省作家协会" not in landing


def test_undeclared_scope_exports_no_rows(fresh):
    client, _unit_id = fresh
    response = client.get("/admin/forgetful/export/csv/")
    assert response.status_code == 200
    lines = [line for line in response.get_data(as_text=True).splitlines() if line.strip()]
    assert len(lines) == 1 and "名称" in lines[0]  # the header only
