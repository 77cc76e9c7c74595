"""Issue 2.3 — the schema is made by migrations only, and the migrated schema agrees with the models.

Runs on every backend of WXK_TEST_BACKENDS (SQLite and a real PostgreSQL server).
"""
from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from wxk_admin.models import db

ROOT = Path(__file__).resolve().parent.parent


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
