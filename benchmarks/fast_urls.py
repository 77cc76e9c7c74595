"""What views/base.fast_url_for and the menu cache (views.menu_for_role) save on a page, 100 requests each.

    .venv/bin/python benchmarks/fast_urls.py [PATH ...]

A fresh SQLite file with the demo data, logged in as the office; each page is timed with both shortcuts on,
then with ``url_for`` in their place and the menu rendered on every request.  Prints CPU ms per request
and the ratio (without / with).
"""
from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import url_for  # noqa: E402

PAGES = sys.argv[1:] or ["/admin/applications/", "/admin/units/", "/admin/"]
N = 100


def main() -> None:
    folder = tempfile.mkdtemp(prefix="wxk-fast-urls-")
    os.environ.update(DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", SECRET_KEY=secrets.token_hex(32))
    from flask_migrate import upgrade

    from wxk_admin import create_app, views
    from wxk_admin.cli import demo
    from wxk_admin.extensions import db
    from wxk_admin.views import base

    app = create_app()
    with app.app_context():
        upgrade()
        demo.load(db.session)
    client = app.test_client()
    login = client.get("/admin/account/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post("/admin/account/login/", data={"username": "office", "password": demo.DEMO_PASSWORD,
                                               "csrf_token": token})

    def slow_url_for(endpoint, **kwargs):
        return url_for(endpoint, **kwargs)

    fast = (base.fast_url_for, views.fast_url_for, views.menu_for_role)

    def menu_every_time(admin_view, render_menu=None):
        app.extensions["wxk_menu_html"] = {}
        return fast[2](admin_view, render_menu)

    def shortcuts(on: bool) -> None:
        base.fast_url_for = views.fast_url_for = fast[0] if on else slow_url_for
        app.jinja_env.globals["menu_for_role"] = fast[2] if on else menu_every_time

    for path in PAGES:
        assert client.get(path).status_code == 200, path
        best = {True: float("inf"), False: float("inf")}
        for _ in range(5):  # alternated, best of five, CPU time of this process: the machine is shared
            for on in (True, False):
                shortcuts(on)
                best[on] = min(best[on], timeit.timeit(lambda: client.get(path), number=N, timer=time.process_time) / N)
        shortcuts(True)
        print(f"{path:<28} with {best[True] * 1000:6.1f} ms  without {best[False] * 1000:6.1f} ms  "
              f"ratio {best[False] / best[True]:.2f}")


if __name__ == "__main__":
    main()
