"""Shared pieces of the security / production suites (issue 9): DB fingerprint, a throttled app, free ports."""
from __future__ import annotations

import contextlib
import socket
import uuid

from sqlalchemy import inspect

from wxk_admin import create_app
from wxk_admin.extensions import limiter
from wxk_admin.models import db

# Columns a GET may legitimately change, each with its reason.  None: even reading a 站内信 changes nothing
# (标为已读 is a POST, issue 18.7).
GET_MAY_CHANGE: dict[tuple[str, str], str] = {}
# Tables a GET may append to: refused authorisations are audited (access_denied) even on GET.
GET_MAY_APPEND = {"audit_events"}


def _fingerprint_sql() -> list[tuple[str, str]]:
    """One plain SELECT per table (every column but the declared exceptions), ordered by primary key."""
    out = []
    for table in db.metadata.sorted_tables:
        cols = [c.name for c in table.columns if (table.name, c.name) not in GET_MAY_CHANGE]
        pk = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        out.append((table.name, f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table.name}" ORDER BY {pk}'))
    return out


def fingerprint(session, *, ignore_append: bool = False) -> dict:
    """Row count and a digest of every row of every table (more than row counts + max(updated_at)).

    Columns declared in ``GET_MAY_CHANGE`` are left out; with
    ``ignore_append`` the audit log is left out (refused authorisations are logged
    there; callers check its new rows themselves).
    """
    out = {}
    conn = session.connection()
    for name, sql in _fingerprint_sql():
        if ignore_append and name in GET_MAY_APPEND:
            continue
        rows = conn.exec_driver_sql(sql).fetchall()
        out[name] = (len(rows), hash(tuple(tuple(str(v) for v in r) for r in rows)))
    session.rollback()  # end the read transaction: the app's own connections must see fresh data
    return out


def diff(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_limited_app(database_url: str, storage_uri: str = "memory://"):
    """A second app on the same database with Flask-Limiter ON (the shared ``app`` has it off).

    ``limiter`` is one global object: the caller must call ``limiter_off()`` afterwards,
    or every later test would be throttled.
    """
    return create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-" + uuid.uuid4().hex,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": storage_uri,
    })


def limiter_off() -> None:
    try:
        limiter.reset()
    except Exception:
        pass
    limiter.enabled = False


@contextlib.contextmanager
def limited_client(database_url: str):
    """(a client, its app) of an app with Flask-Limiter ON (memory storage), same database as ``app``;
    the limiter off and the app's connections closed afterwards."""
    from .helpers import Client

    throttled_app = make_limited_app(database_url)
    try:
        yield Client(throttled_app.test_client()), throttled_app
    finally:
        limiter_off()
        with throttled_app.app_context():
            db.engine.dispose()


def columns(table_name: str) -> list[str]:
    return [c.name for c in db.metadata.tables[table_name].columns]


__all__ = ["fingerprint", "diff", "free_port", "make_limited_app", "limiter_off", "limited_client", "inspect", "columns"]
