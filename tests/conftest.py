"""Test fixtures: the app on each backend (SQLite file, real PostgreSQL), schema made by migrations only.

Backends come from WXK_TEST_BACKENDS (scripts/test.sh sets "sqlite,postgresql"
and starts the cluster); every test that uses ``app`` runs once per backend.

The association is the deployment's, WXK_ASSOCIATION (``cwa`` by default, read by ``config.py``): the same
suite runs on every profile.  A test reads the association's words and data from the ``profile`` fixture;
one national (or Jiangsu) by nature says so with ``@pytest.mark.profile("cwa", reason=…)`` and is skipped,
with its reason, on another profile.
"""
from __future__ import annotations

import contextlib
import functools
import os
import time
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, exc, text

from wxk_admin import auth as auth_module
from wxk_admin import create_app
from wxk_admin import models as models_module
from wxk_admin.extensions import limiter
from wxk_admin.models import db

from .support.factories import World, make_world
from .support.helpers import Client
from .support.browser import watch_for_violations

BACKENDS = [b.strip() for b in os.environ.get("WXK_TEST_BACKENDS", "sqlite").split(",") if b.strip()]
# The walks that prove something independent of the database and the association (every endpoint × role for
# authorisation, secrecy, CSRF, CSP; every hostile value for redirects) run in full once: on the first backend of
# the run that does them (scripts/test.sh: the national SQLite run). The other runs say WXK_TEST_WALKS=sample:
# the once-only walks skip there and the redirect walk takes one value per endpoint.
WALKS = os.environ.get("WXK_TEST_WALKS", "full")


def walks_in_full(backend: str) -> bool:
    """Whether this process walks in full on ``backend`` (see WALKS)."""
    return WALKS == "full" and backend == BACKENDS[0]


def walk_once(backend: str, what: str) -> None:
    """Skip ``what`` unless this process walks in full on ``backend``."""
    if not walks_in_full(backend):
        pytest.skip(f"{what} runs once, in the run that walks in full (WXK_TEST_WALKS=full, first backend)")


def pytest_configure(config):
    config.addinivalue_line("markers", "profile(code, reason): runs only on the deployment of that association "
                                       "(WXK_ASSOCIATION); skipped with its reason on another")


def pytest_collection_modifyitems(config, items):
    from wxk_admin import profiles

    deployment = profiles.load(os.environ.get("WXK_ASSOCIATION")).code
    for item in items:
        mark = item.get_closest_marker("profile")
        if mark is None or mark.args[0] == deployment:
            continue
        if not mark.kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.profile needs a reason (why it is not on every profile)")
        item.add_marker(pytest.mark.skip(reason=f"{mark.args[0]} only: {mark.kwargs['reason']}"))


def _pg_admin_url() -> str:
    url = os.environ.get("WXK_TEST_PG_URL")
    if not url:
        pytest.fail("WXK_TEST_BACKENDS names postgresql but WXK_TEST_PG_URL is unset: run scripts/test.sh")
    return url


@contextlib.contextmanager
def throwaway_database(backend: str, directory, prefix: str = "wxk_test"):
    """The URL of a new, empty database on ``backend`` (a file in ``directory``, or a PostgreSQL database);
    dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / (prefix + '.sqlite3')}"
        return
    admin_url = _pg_admin_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        drop_database(engine, name)
        engine.dispose()


def drop_database(engine, name: str, attempts: int = 10) -> None:
    """DROP DATABASE … WITH (FORCE), again while an autovacuum worker is in it: the test role may end its own
    sessions but not the server's (InsufficientPrivilege), and the worker leaves within a few seconds."""
    for attempt in range(attempts):
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except exc.ProgrammingError as error:
            if "pg_signal_backend" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(1)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    with throwaway_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


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


# scrypt is slow on purpose (~0.1 s of CPU a check) and the suite signs in thousands of times with a handful of
# (hash, password) pairs: each pair is checked by the real scrypt once per process, then answered from memory.
REAL_PASSWORD_CHECK = models_module.check_password_hash


@pytest.fixture(scope="session", autouse=True)
def _password_checks_once_per_pair():
    remembered = functools.lru_cache(maxsize=4096)(REAL_PASSWORD_CHECK)
    patch = pytest.MonkeyPatch()
    patch.setattr(models_module, "check_password_hash", remembered)
    patch.setattr(auth_module, "check_password_hash", remembered)
    yield
    patch.undo()


@pytest.fixture
def real_password_checks(monkeypatch):
    """For a test about the cost of a check itself (e.g. the same time for known and unknown names)."""
    monkeypatch.setattr(models_module, "check_password_hash", REAL_PASSWORD_CHECK)
    monkeypatch.setattr(auth_module, "check_password_hash", REAL_PASSWORD_CHECK)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def profile(app):
    """The deployment's 协会配置: the names, units, 门类, calendar and words a test expects."""
    return app.extensions["wxk_profile"]


@pytest.fixture
def world(app, ctx) -> World:
    return make_world(db.session, app.extensions["wxk_profile"])


@pytest.fixture
def client(app) -> Client:
    return Client(app.test_client())


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


# ---------------------------------------------------------------- real browser (Playwright + Debian chromium)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


@pytest.fixture
def live_server(app, backend):
    """The app served on 127.0.0.1 by a real HTTP server in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    if backend != "sqlite" and "sqlite" in BACKENDS:
        pytest.skip("browser journeys run once, on the SQLite backend")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def _browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: run scripts/test.sh (it installs it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, live_server, request):
    """A fresh browser context per test; a screenshot is kept in test-artifacts/ when the test fails."""
    context = _browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    pg.dialogs = dialogs
    pg.violations = violations = watch_for_violations(pg)  # CSP reports and script errors fail the journey
    yield pg
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed or violations:
        os.makedirs(ARTIFACTS, exist_ok=True)
        pg.screenshot(path=os.path.join(ARTIFACTS, f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not violations, "the browser reported:\n" + "\n".join(violations)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
