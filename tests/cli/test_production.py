"""Issue 9.8 — the production run: gunicorn (2 workers each) × two instances on two ports, one PostgreSQL
database (schema by ``flask db upgrade``), login throttling in a shared Redis, a bounded load test.

Runs when PostgreSQL is among WXK_TEST_BACKENDS (scripts/test.sh); needs
``redis-server`` (scripts/test.sh installs it).  The load test lasts
WXK_LOADTEST_SECONDS (default 10 here; README has the 60 s figures).
"""
from __future__ import annotations

import http.cookiejar
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ..conftest import BACKENDS, drop_database
from ..support.helpers import PASSWORD
from ..support.security import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
import loadtest  # noqa: E402

pytestmark = pytest.mark.postgres


def _wait_http(url: str, proc, log: Path, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url} died:\n{log.read_text()[-3000:]}")
        try:
            status, *_ = loadtest.fetch(loadtest.opener(), url, timeout=2)
            if status == 200:
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    if "postgresql" not in BACKENDS:
        pytest.skip("the production run needs PostgreSQL (scripts/test.sh)")
    redis_server = shutil.which("redis-server")
    if not redis_server:
        pytest.fail("redis-server is missing: run scripts/test.sh (it installs it)")
    admin_url = os.environ["WXK_TEST_PG_URL"]
    name = f"wxk_prod_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    tmp = tmp_path_factory.mktemp("prod")
    procs = []
    try:
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="prod-test-" + uuid.uuid4().hex, CIP_SOURCES="local")
        env.pop("RATELIMIT_ENABLED", None)
        # 1. The schema, made the production way.
        done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        # 2. Data: the test world plus enough applications for a real list.
        engine = create_engine(url)
        with Session(engine) as session:
            import random

            from wxk_admin.cli.demo import make_application
            from wxk_admin.enums import Status
            from wxk_admin.models import utcnow

            from wxk_admin import profiles

            from ..support.factories import make_world

            # the server's association (it reads WXK_ASSOCIATION as the suite does)
            world = make_world(session, profiles.load(os.environ.get("WXK_ASSOCIATION")))
            rng = random.Random(1)
            for i in range(150):
                session.add(make_application(rng, world.cycle, world.unit_a if i % 2 else None,
                                             world.users["appl_a"], Status.submitted, utcnow()))
            session.commit()
            a_id = world.apps["a_submitted"].id
        engine.dispose()
        # 3. Redis for the shared login throttle.
        redis_port = free_port()
        rlog = tmp / "redis.log"
        with rlog.open("w") as out:  # the server writes to its own copy of the file descriptor
            redis = subprocess.Popen([redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--daemonize", "no"],
                                     stdout=out, stderr=subprocess.STDOUT)
        procs.append(redis)
        import redis as redis_py

        client = redis_py.Redis(host="127.0.0.1", port=redis_port)
        for _ in range(50):
            try:
                client.ping()
                break
            except Exception:
                time.sleep(0.1)
        # 4. Two gunicorn instances, two workers each, one database, one Redis, one SECRET_KEY.
        env["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{redis_port}"
        env["WEB_CONCURRENCY"] = "2"
        env["GUNICORN_ACCESSLOG"] = str(tmp / "access.log")
        bases = []
        for n in range(2):
            port = free_port()
            log = tmp / f"gunicorn{n}.log"
            with log.open("w") as out:
                proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind",
                                         f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                                        stdout=out, stderr=subprocess.STDOUT)
            procs.append(proc)
            base = f"http://127.0.0.1:{port}"
            _wait_http(base + "/admin/account/login/", proc, log)
            bases.append(base)
        yield {"bases": bases, "procs": procs[1:], "redis": client, "url": url, "a_id": a_id, "tmp": tmp}
    finally:
        for proc in reversed(procs):
            _stop(proc)
        drop_database(admin_engine, name)
        admin_engine.dispose()


def _login(base, username, password=PASSWORD):
    jar = http.cookiejar.CookieJar()
    op = loadtest.opener(jar, follow=False)
    _, page, _, _ = loadtest.fetch(op, base + "/admin/account/login/")
    token = loadtest.CSRF_RE.search(page).group(1)
    status, page, headers, _ = loadtest.fetch(op, base + "/admin/account/login/",
                                              {"username": username, "password": password, "csrf_token": token})
    return status, jar


def test_gunicorn_runs_two_workers_per_instance(deployment):
    for proc in deployment["procs"]:
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2, children


def test_session_valid_on_both_and_action_visible_on_the_other(deployment):
    one, two = deployment["bases"]
    _, jar = _login(one, "admin_a")  # logged in: the page below opens on the other instance, not the login page
    op = loadtest.opener(jar)
    a_id = deployment["a_id"]
    # The session made on instance 1 is valid on instance 2 (same SECRET_KEY, nothing in process memory).
    status, page, _, final = loadtest.fetch(op, f"{two}/admin/applications/details/?id={a_id}")
    assert status == 200 and "/login/" not in final and "待团体会员审核" in page
    # Act on instance 2 ...
    token = loadtest.CSRF_RE.search(page).group(1)
    status, page, _, _ = loadtest.fetch(op, f"{two}/admin/applications/transition/?id={a_id}&name=unit_confirm",
                                        {"id": a_id, "name": "unit_confirm", "opinion": "团体会员确认信息",
                                         "csrf_token": token})
    assert status == 200 and "已确认信息" in page
    # ... and see it on instance 1, through both of its workers (several requests).
    for _ in range(4):
        status, page, _, _ = loadtest.fetch(op, f"{one}/admin/applications/details/?id={a_id}")
        assert status == 200 and "团体会员已确认" in page


def test_login_throttle_holds_across_instances(deployment):
    deployment["redis"].flushall()
    one, two = deployment["bases"]
    statuses = []
    for i in range(7):  # 5 failures per name and address, then a wait; over both instances and four workers
        base = (one, two)[i % 2]
        status, _ = _login(base, "expert", "wrong-password-%d" % i)
        statuses.append(status)
    assert statuses[:5] == [200] * 5, statuses
    assert statuses[5:] == [429, 429], statuses
    status, _ = _login(one, "expert")  # from this address even the right password waits
    assert status == 429
    assert any(k.startswith(b"LIMITS") for k in deployment["redis"].keys("*"))


def test_load_list_and_details_20_users_zero_errors(deployment):
    deployment["redis"].flushall()
    seconds = float(os.environ.get("WXK_LOADTEST_SECONDS", "10"))
    result = loadtest.run(deployment["bases"], [("office", PASSWORD), ("admin_a", PASSWORD)], users=20,
                          duration=seconds)
    (deployment["tmp"] / "loadtest.json").write_text(str(result))
    print("loadtest:", result)
    assert result["errors"] == 0, result["error_samples"]
    assert result["list_requests"] > 20 and result["details_requests"] > 20, result
