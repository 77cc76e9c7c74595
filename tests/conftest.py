"""Test fixtures: the app on each backend (SQLite file, real PostgreSQL), schema made by migrations only.

Backends come from WXK_TEST_BACKENDS (scripts/test.sh sets "sqlite,postgresql"
and starts the cluster); every test that uses ``app`` runs once per backend.
"""
from __future__ import annotations

import os
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from wxk_admin import create_app
from wxk_admin.extensions import limiter
from wxk_admin.models import db

from .factories import World, make_world
from .helpers import Client

BACKENDS = [b.strip() for b in os.environ.get("WXK_TEST_BACKENDS", "sqlite").split(",") if b.strip()]


def _pg_admin_url() -> str:
    url = os.environ.get("WXK_TEST_PG_URL")
    if not url:
        pytest.fail("WXK_TEST_BACKENDS names postgresql but WXK_TEST_PG_URL is unset: run scripts/test.sh")
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'wxk.sqlite3'}"
        return
    admin_url = _pg_admin_url()
    name = f"wxk_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-" + uuid.uuid4().hex,
        "RATELIMIT_ENABLED": False,
        "INSTANCE_FOR_TESTS": str(instance),
    })
    with application.app_context():
        upgrade()  # the only way a schema is made
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the app (faster than a new database)."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f'DELETE FROM "{table}"'))
        if limiter.enabled:
            limiter.reset()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def world(app, ctx) -> World:
    return make_world(db.session)


@pytest.fixture
def client(app) -> Client:
    return Client(app.test_client())


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"
