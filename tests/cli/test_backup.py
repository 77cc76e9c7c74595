"""Issue 9.9 — ``flask wxk backup DIR`` and the documented restore into an empty database."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from wxk_admin import create_app
from wxk_admin.models import CHILD_MODELS, Application, AuditEvent, User, db

from ..conftest import throwaway_database


@pytest.fixture
def empty_database(backend, tmp_path):
    """A brand-new empty database on the same backend; dropped afterwards."""
    with throwaway_database(backend, tmp_path, "wxk_restore") as url:
        yield url


def _snapshot(session):
    apps = session.execute(select(Application.id, Application.name, Application.status, Application.serial_no,
                                  Application.id_number, Application.version).order_by(Application.id)).all()
    children = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in CHILD_MODELS}
    users = session.execute(select(User.username, User.password_hash).order_by(User.id)).all()
    return [tuple(str(v) for v in a) for a in apps], children, users


def test_backup_and_restore_into_empty_database(app, world, backend, empty_database, tmp_path):
    from wxk_admin.domain import workflow
    from wxk_admin.domain.audit import Actor

    # Give the data some history: one confirmed application with a serial number.
    workflow.apply(db.session, world.apps["a_submitted"], "unit_confirm", Actor(world.users["admin_a"], "t"))
    db.session.commit()
    workflow.apply(db.session, world.apps["a_submitted"], "office_confirm", Actor(world.users["office"], "t"))
    db.session.commit()
    original = _snapshot(db.session)
    assert len(original[0]) == 3 and any(a[3] != "None" for a in original[0])

    out = tmp_path / "backups"
    result = app.test_cli_runner().invoke(args=["wxk", "backup", str(out)])
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output
    files = list(out.iterdir())
    assert len(files) == 1
    backup_file = files[0]
    assert backup_file.suffix == (".sqlite3" if backend == "sqlite" else ".sql")
    assert oct(os.stat(backup_file).st_mode & 0o777) == "0o600"
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "backup")) is not None

    restored_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database,
                               "SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": False})
    try:
        # (the test holds the first app's context: the CLI would reuse it, so push the restored app's own)
        with restored_app.app_context():
            result = restored_app.test_cli_runner().invoke(args=["wxk", "restore", str(backup_file)])
            assert result.exit_code == 0, result.output
        with restored_app.app_context():
            assert _snapshot(db.session) == original  # every application, child row and account
            # The restored schema is current: `flask db upgrade` has nothing to do and the app serves it.
            result = restored_app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            assert _snapshot(db.session) == original
        from ..support.helpers import Client, redirect_target

        with restored_app.app_context():
            c = Client(restored_app.test_client())
            assert redirect_target(c.login("office")) == ("/admin/", {})
            page = c.text("/admin/applications/")
        for _id, name, *_ in original[0]:
            assert name in page
        # A second restore into the now non-empty database is refused and changes nothing.
        with restored_app.app_context():
            result = restored_app.test_cli_runner().invoke(args=["wxk", "restore", str(backup_file)])
            assert result.exit_code != 0 and "不是空库" in result.output
            assert _snapshot(db.session) == original
    finally:
        with restored_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_backup_refuses_unknown_directory_kind(app, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = app.test_cli_runner().invoke(args=["wxk", "backup", str(target)])
    assert result.exit_code != 0
