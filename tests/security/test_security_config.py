"""Issue 18.6 — configuration that protects itself: the signing key, file modes, the Secure cookie flag."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade

from wxk_admin import config, create_app
from wxk_admin.models import db

from ..support.helpers import Client, redirect_target

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
STRONG = "k" + uuid.uuid4().hex + uuid.uuid4().hex  # 65 characters, not in README


def _readme_examples() -> list[str]:
    """Every SECRET_KEY value README shows, and a 40-character piece of README itself."""
    values = re.findall(r"SECRET_KEY=(\S+)", README)
    assert values, "README shows how SECRET_KEY is set"
    line = next(l for l in README.splitlines() if len(l) > 60)
    return values + [line[:40]]


def _app(secret, **extra):
    return create_app({"SECRET_KEY": secret, "TESTING": False, "DEBUG": False, "RATELIMIT_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", **extra})


@pytest.mark.parametrize("secret", ["", "short-key", "x" * 31, "a" * 40, "ab" * 20] + _readme_examples())
def test_weak_or_example_secret_key_is_refused_in_production(secret):
    with pytest.raises(RuntimeError) as refused:
        _app(secret)
    message = str(refused.value)
    assert "SECRET_KEY" in message and "至少 32 个字符" in message
    assert "secrets.token_hex(32)" in message  # how to make one
    assert secret not in message or not secret  # the key itself is never echoed


@pytest.mark.parametrize("mode", [{"TESTING": True}, {"DEBUG": True}])
def test_weak_secret_key_is_allowed_in_debug_and_testing(mode):
    app = _app("dev", **mode)
    assert app.config["SECRET_KEY"] == "dev"


def test_a_strong_secret_key_is_accepted():
    assert _app(STRONG).config["SECRET_KEY"] == STRONG


def test_generated_secret_key_and_new_sqlite_database_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    settings = config.from_environment(str(instance))
    assert len(settings["SECRET_KEY"]) >= 32
    assert oct(os.stat(instance / "secret_key").st_mode & 0o777) == "0o600"
    assert oct(os.stat(instance).st_mode & 0o777) == "0o700"

    db_file = tmp_path / "fresh.sqlite3"
    app = create_app({"SECRET_KEY": STRONG, "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})
    with app.app_context():
        upgrade()
        assert db.session.execute(db.text("SELECT count(*) FROM users")).scalar() == 0
        db.engine.dispose()
    assert oct(os.stat(db_file).st_mode & 0o777) == "0o600"


def _cookie_header(client: Client, **kw) -> str:
    # Flask-WTF checks the Referer over HTTPS
    kw["headers"] = {**kw.get("headers", {}), "Referer": "https://localhost/admin/account/login/"}
    r = client.post("/admin/account/login/", {"username": "admin_a", "password": "Wxk-demo-2027"}, **kw)
    assert redirect_target(r) == ("/admin/", {})  # logged in
    return [h for h in r.headers.getlist("Set-Cookie") if h.startswith("session=")][-1]


def test_session_cookie_secure_follows_the_request_unless_set(app, world):
    assert app.config["SESSION_COOKIE_SECURE"] is None  # not set: automatic
    assert "Secure" not in _cookie_header(Client(app.test_client()))
    https = Client(app.test_client())
    assert "Secure" in _cookie_header(https, base_url="https://localhost")
    app.config["SESSION_COOKIE_SECURE"] = False  # set explicitly: obeyed even over HTTPS
    try:
        https = Client(app.test_client())
        assert "Secure" not in _cookie_header(https, base_url="https://localhost")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = None


def test_session_cookie_secure_through_a_trusted_proxy(app, world, database_url):
    behind = create_app({"TESTING": True, "SECRET_KEY": STRONG, "SQLALCHEMY_DATABASE_URI": database_url,
                         "RATELIMIT_ENABLED": False, "PROXY_HOPS": 1})
    try:
        client = Client(behind.test_client())
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        assert "Secure" in _cookie_header(client, headers=forwarded)
        assert "Secure" not in _cookie_header(Client(behind.test_client()), headers={"X-Forwarded-Proto": "http"})
    finally:
        with behind.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("value,expected", [("1", True), ("0", False), (None, None)])
def test_session_cookie_secure_from_the_environment(tmp_path, monkeypatch, value, expected):
    monkeypatch.setenv("SECRET_KEY", STRONG)
    if value is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", value)
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is expected
