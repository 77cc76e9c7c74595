"""A streamed download (the CSV export, built with ``stream_with_context``) ends cleanly however it ends.

Read to the end, or dropped by the client mid-way — a WSGI server then closes the response — it gives back
its request context and its database connection, and nothing is reported as "Exception ignored". The tests'
own Client reads every response before handing it over (``buffered``): an unread streamed response used to
keep the request context pushed and was closed later, by the garbage collector, inside another request —
some sixty PytestUnraisableExceptionWarning per walk of every endpoint.
"""
from __future__ import annotations

import csv
import gc
import io
import sys
from functools import partial

import pytest
from flask import has_request_context
from werkzeug.datastructures import MultiDict

from wxk_admin.domain import exports as domain
from wxk_admin.enums import Status
from wxk_admin.models import db

from ..support.factories import make_app, make_world
from ..support.helpers import Client

EXPORT = "/admin/applications/export/"
NAMES = ["流一", "流二", "流三"]


@pytest.fixture
def unraisable(monkeypatch):
    """What Python would report as "Exception ignored in …" during the test (not earlier tests' garbage)."""
    gc.collect()
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: seen.append(f"{info.object!r}: {info.exc_value!r}"))
    return seen


def _export_csv(client: Client, **kw):
    token = client.token("/admin/applications/")
    form = MultiDict([("columns", "name"), ("format", "csv"), ("csrf_token", token)])
    return client.raw.post(EXPORT, data=form, **kw)


def _names(body: bytes) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))][1:]


def test_the_test_client_hands_over_a_stream_finished_and_closed(client, world, unraisable):
    for name in NAMES:
        make_app(db.session, world, name, world.unit_a, world.users["appl_a"], Status.unit_confirmed, name=name)
    db.session.commit()
    client.login("admin_a")

    response = _export_csv(client)  # a walk's probe: never read
    assert not has_request_context(), "the unread export left its request context pushed"
    del response
    gc.collect()
    assert unraisable == []

    # The whole file: the world's unit-A application 甲一 and these three (unit B's 乙一 is out of scope).
    assert sorted(_names(_export_csv(client).get_data())) == sorted(["甲一", *NAMES])


def test_a_download_dropped_mid_way_frees_its_context_and_connection(app, unraisable, monkeypatch):
    # No app context held by the test: the export runs in its own, as under a real server.
    with app.app_context():
        world = make_world(db.session, app.extensions["wxk_profile"])
        for name in NAMES:
            make_app(db.session, world, name, world.unit_a, world.users["appl_a"], Status.unit_confirmed, name=name)
        db.session.commit()
        pool = db.engine.pool
    client = Client(app.test_client())
    client.login("admin_a")
    # One row a chunk, so the first chunk leaves the query's cursor open.
    monkeypatch.setattr(domain, "csv_chunks", partial(domain.csv_chunks, chunk_rows=1))
    idle = pool.checkedout()

    response = _export_csv(client, buffered=False)  # streamed: the server holds the generator
    chunks = iter(response.response)
    assert next(chunks) == "\ufeff".encode()
    assert next(chunks).decode().startswith("姓名")
    assert has_request_context() and pool.checkedout() == idle + 1  # mid-stream: context and cursor in use
    response.close()  # what a WSGI server does when the client goes away

    assert not has_request_context()
    assert pool.checkedout() == idle, "the dropped download kept its database connection"
    gc.collect()
    assert unraisable == []
