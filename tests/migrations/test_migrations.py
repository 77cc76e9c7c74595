"""Issue 2.3 — the schema is made by migrations only, and the migrated schema agrees with the models.

Runs on every backend of WXK_TEST_BACKENDS (SQLite and a real PostgreSQL server).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from wxk_admin import create_app
from wxk_admin.enums import Status
from wxk_admin.models import Application, db

from ..conftest import throwaway_database

ROOT = Path(__file__).resolve().parents[2]


def _differences(connection) -> list:
    # The same comparison options as Flask-Migrate's autogenerate (create_app: compare_type=True).
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
    return compare_metadata(context, db.metadata)


def test_migrated_schema_matches_models(app, ctx, backend):
    with db.engine.connect() as connection:
        diff = _differences(connection)
    assert diff == [], f"models.py and the migrations disagree on {backend}: {diff}"


def test_autogenerate_would_see_a_missing_table(app, ctx):
    """The comparison above can fail: with a model table the schema lacks, it reports it."""
    from sqlalchemy import Column, Integer, MetaData, Table

    extra = MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(extra)
    Table("not_migrated_probe", extra, Column("id", Integer, primary_key=True))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, extra)
    assert [d[0] for d in diff] == ["add_table"]
    assert diff[0][1].name == "not_migrated_probe"


def test_database_is_at_the_migration_head(app, ctx):
    script = ScriptDirectory(str(ROOT / "migrations"))
    with db.engine.connect() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert current == [script.get_current_head()]
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_no_code_path_creates_the_schema_outside_migrations():
    """``db.create_all`` / ``metadata.create_all`` appear nowhere in the package, the scripts or the tests."""
    offenders = []
    pattern = re.compile(r"\bcreate_all\s*\(")
    for folder in ("wxk_admin", "scripts", "tests"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".sh"} or path.name == Path(__file__).name:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for path in (ROOT / "wsgi.py",):
        if path.exists() and pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _insert_legacy(session, table: str, values: dict) -> None:
    """INSERT ``values`` into ``table`` as the database's current schema has it: every other NOT NULL
    column without a default gets a plain value of its type."""
    from sqlalchemy import Boolean, Date, DateTime, Integer

    row = dict(values)
    for column in inspect(session.connection()).get_columns(table):
        if column["name"] in row or column["nullable"] or column.get("default") is not None \
                or column.get("autoincrement") is True:
            continue
        kind = column["type"]
        row[column["name"]] = (False if isinstance(kind, Boolean) else 0 if isinstance(kind, Integer)
                               else dt.datetime(2027, 1, 1) if isinstance(kind, DateTime)
                               else dt.date(2027, 1, 1) if isinstance(kind, Date) else "")
    names = ", ".join(row)
    session.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + k for k in row)})"), row)


def legacy_application(session, **values) -> int:
    """An application (with its cycle and applicant) inserted by plain SQL, so that it fits the schema of an
    earlier revision (today's models have later columns)."""
    now = dt.datetime(2027, 1, 1)
    if session.execute(text("SELECT count(*) FROM cycles")).scalar() == 0:
        _insert_legacy(session, "cycles", {
            "id": 1, "association": "cwa", "year": 2027, "name": "2027年度", "fill_start": dt.date(2026, 3, 1),
            "fill_end": dt.date(2026, 5, 1), "materials_deadline": dt.date(2026, 6, 1), "ruleset": "cwa-2022",
            "is_current": True, "created_at": now})
        _insert_legacy(session, "users", {"id": 1, "username": "u1", "full_name": "申请人", "password_hash": "!",
                                          "role": "applicant", "active": True, "created_at": now})
    new_id = (session.execute(text("SELECT COALESCE(MAX(id), 0) FROM applications")).scalar() or 0) + 1
    _insert_legacy(session, "applications", {"id": new_id, "cycle_id": 1, "applicant_id": 1, "status": "draft",
                                             "version": 1, "name": "旧数据", "submitted_at": None,
                                             "created_at": now, "updated_at": now, **values})
    return new_id


def test_upgrade_0002_keeps_and_repairs_existing_applications(backend, tmp_path):
    """0002 adds CHECK (status = 'draft' OR submitted_at IS NOT NULL) on a database that already holds
    applications: a submitted row without 提交时间 gets its earliest workflow time, not refused, not lost."""
    with throwaway_database(backend, tmp_path, prefix="wxk_mig") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
        with app.app_context():
            upgrade(revision="0001_initial")
            # Rows written as that revision's schema holds them (today's models have later columns).
            confirmed_at = dt.datetime(2027, 3, 1, 9, 30)
            broken_id = legacy_application(db.session, status=Status.unit_confirmed.value,
                                           submitted_at=dt.datetime(2027, 2, 1))
            draft_id = legacy_application(db.session, status=Status.draft.value)
            db.session.commit()
            # As if edited by hand in the database before this revision.
            db.session.execute(text("UPDATE applications SET submitted_at = NULL, unit_confirmed_at = :t "
                                     "WHERE id = :id"), {"t": confirmed_at, "id": broken_id})
            db.session.execute(text("UPDATE applications SET submitted_at = NULL WHERE id = :id"), {"id": draft_id})
            db.session.commit()
            rows = db.session.execute(text("SELECT count(*) FROM applications")).scalar()
            db.session.close()  # the upgrade's ALTER TABLE waits for every open transaction on the table

            upgrade()

            db.session.expire_all()
            assert db.session.execute(text("SELECT count(*) FROM applications")).scalar() == rows
            assert db.session.get(Application, broken_id).submitted_at == confirmed_at
            assert db.session.get(Application, draft_id).submitted_at is None  # a draft may lack it
            with pytest.raises(IntegrityError):
                db.session.execute(text("UPDATE applications SET submitted_at = NULL WHERE id = :id"),
                                   {"id": broken_id})
                db.session.flush()
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
