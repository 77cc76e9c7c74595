"""``pip wheel .`` gives a package that serves without a checkout (issue 19.5).

The wheel is built from a copy of the sources, installed into a fresh venv whose only other path is
``.venv``'s site-packages (the dependencies, without the editable checkout's finder), and run from an empty
directory: ``flask wxk demo`` upgrades a new SQLite file through the migrations the wheel carries and loads
the demo, then the login page and the application list are fetched.  Runs once, on SQLite (no ``app``
fixture).
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("setup.py", "pyproject.toml", "README.md", "wxk_admin", "templates", "static", "migrations")

# Run inside the installed package: log in as the demo's 会员处 and open the application list.
PAGES = textwrap.dedent("""
    import re, sys
    import wxk_admin
    from wxk_admin import create_app
    from wxk_admin.cli.demo import DEMO_PASSWORD

    print("PACKAGE", wxk_admin.__file__)
    client = create_app().test_client()
    login = client.get("/admin/account/login/").get_data(as_text=True)
    print("LOGIN", login)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    answer = client.post("/admin/account/login/",
                         data={"username": "office", "password": DEMO_PASSWORD, "csrf_token": token})
    print("REDIRECT", answer.status_code, answer.headers.get("Location"))
    print("STATIC", client.get("/static/css/wxk-console.css").get_data(as_text=True)[:2000])
    print("LIST", client.get("/admin/applications/").get_data(as_text=True))
""")


def _run(args, **kw):
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kw)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python of the fresh venv, environment) with the wheel installed."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                          if (REPO / name).is_dir() else {}))
    wheels = base / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels)])
    (wheel,) = wheels.glob("wxk_admin-*.whl")

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)])
    # The dependencies from .venv: a plain path line, so .venv's own .pth files (the editable finder) stay off.
    (site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    cwd = base / "elsewhere"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FLASK_APP", "WXK_ASSOCIATION")}
    env.update(DATABASE_URL=f"sqlite:///{base / 'demo.sqlite3'}", SECRET_KEY=secrets.token_hex(32),
               HOME=str(base))
    return python, env, cwd


def test_the_wheel_carries_templates_static_and_migrations(installed):
    python, env, cwd = installed
    listing = _run([str(python), "-c", textwrap.dedent("""
        from wxk_admin.paths import CHECKOUT, shipped
        print(CHECKOUT)
        for name in ("templates", "static", "migrations"):
            print(name, sorted(p.name for p in shipped(name).iterdir()))
    """)], cwd=cwd, env=env)
    assert listing.splitlines()[0] == "False"
    assert "'admin'" in listing and "'applications'" in listing  # templates/
    assert "'css'" in listing  # static/
    assert "'env.py'" in listing and "'versions'" in listing  # migrations/


def test_installed_package_runs_the_demo_and_serves_pages(installed):
    python, env, cwd = installed
    demo = _run([str(python), "-m", "flask", "--app", "wxk_admin:create_app", "wxk", "demo"], cwd=cwd, env=env)
    assert "演示账户（密码均为" in demo and "office" in demo

    pages = _run([str(python), "-c", PAGES], cwd=cwd, env=env)
    assert f"PACKAGE {REPO}" not in pages and "site-packages" in pages.split("PACKAGE ", 1)[1].split("\n", 1)[0]
    login = pages.split("LOGIN ", 1)[1].split("\nREDIRECT ", 1)[0]
    assert "登录" in login and "用户名" in login and "密码" in login
    assert "REDIRECT 302 /admin/" in pages
    listing = pages.split("\nLIST ", 1)[1]
    assert "<title>申请入会管理 - " in listing
    assert "/static/css/wxk-console.css?v=" in listing, "\n".join(line for line in listing.splitlines() if "css" in line)
    assert ".wxk-whoami" in pages.split("\nSTATIC ", 1)[1].split("\nLIST ", 1)[0]
