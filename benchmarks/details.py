"""The details page against stock Flask-Admin's details and the bare page, in CPU time (issue 19.6).

    .venv/bin/python benchmarks/details.py [--sizes 10000,100000] [--repeats 60] [--profile] [--backends sqlite,postgresql] [--ablate]

Uses the databases and the two references of ``run.py`` (build them there first: its build also brings an
existing database to the newest migration; PostgreSQL's after ``source scripts/pg.sh``).  Each request's CPU time
of this process — the app and SQLite run in it — so that other work on a shared machine does not count,
as wall time (``run.py``) does; the variants requested in turn, median of ``--repeats``.  Also
prints the statements each variant runs; ``--profile`` adds the product's top functions (cProfile);
``--ablate`` measures the page with its panels, repeating sections and menu switched off in turn instead.

``stock+login`` is stock's page requested by the product's signed-in client: the same session cookie, user
loader (one statement with the 站内信 count), idle-time check and CSRF set-up that every product page pays —
the part of the gap that is signing in, not the page.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import add_references, database_url, login, make_app, middle_application  # noqa: E402


def statements(app, client, url) -> int:
    from sqlalchemy import event

    from wxk_admin.models import db

    seen = []

    def count(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def signed_in(backend: str, size: int):
    """The benchmark app on the ``size`` database, the middle row's id and a client signed in as the office."""
    app = make_app(database_url(backend, size))
    add_references(app)
    client = app.test_client()
    login(client, "bench_office")
    return app, middle_application(app), client


def measure(backend: str, size: int, repeats: int, profile: bool) -> dict:
    app, some_id, product = signed_in(backend, size)
    variants = {"product": (product, f"/admin/applications/details/?id={some_id}"),
                "stock": (app.test_client(), f"/stock/applications/details/?id={some_id}"),
                "stock+login": (product, f"/stock/applications/details/?id={some_id}"),
                "bare": (app.test_client(), f"/bare/details/{some_id}")}
    for client, url in variants.values():
        for _ in range(3):  # warm-up: templates, statement caches, connections
            assert client.get(url).status_code == 200, url
    # 首页 (the office's dashboard: the current cycle's counts), the other page staff open all day; the
    # product's own only (stock has no such page).
    variants["home"] = (product, "/admin/")
    samples = {name: [] for name in variants}
    for _ in range(repeats):
        for name, (client, url) in variants.items():
            start = time.process_time()
            client.get(url).get_data()
            samples[name].append(time.process_time() - start)
    result = {name: round(statistics.median(values) * 1000, 2) for name, values in samples.items()}
    result["statements"] = {name: statements(app, client, url) for name, (client, url) in variants.items()}
    if profile:
        profiler = cProfile.Profile()
        client, url = variants["product"]
        profiler.runcall(lambda: [client.get(url) for _ in range(30)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats("wxk_admin|templates", 40)
    return result


def ablate(backend: str, size: int, repeats: int) -> None:
    """Where the product's page goes beyond stock's: the page measured with its parts switched off one after
    another (cumulative), each against stock+login in the same loop.  Only for measuring — the page so cut is
    not a page anyone gets."""
    from wxk_admin.views import applications

    app, some_id, client = signed_in(backend, size)
    page, stock = f"/admin/applications/details/?id={some_id}", f"/stock/applications/details/?id={some_id}"
    admin, views = app.extensions["admin"][0], app.jinja_env.globals
    cuts = [("the whole page", lambda: None),
            ("− 重复申报 / 往年申请 panel", lambda: views.__setitem__("integrity_panel", lambda _app: None)),
            ("− 操作记录", lambda: views.__setitem__("application_history", lambda _app: [])),
            ("− 会员发展 (consultation) panel", lambda: app.template_context_processors[None].append(
                lambda: {"consultation_panel": lambda *_a, **_k: None})),
            ("− repeating sections", lambda: setattr(applications.ApplicationView, "_children",
                                                     staticmethod(lambda _app: []))),
            ("− Flask-Admin's menu", lambda: setattr(admin, "_menu", []))]
    print(f"| {backend} {size:,}: page without … | product (ms CPU) | stock+login | ratio |")
    print("|---|---:|---:|---:|")
    for label, cut in cuts:
        cut()
        for _ in range(3):
            client.get(page), client.get(stock)
        mine, theirs = [], []
        for _ in range(repeats):
            for url, samples in ((page, mine), (stock, theirs)):
                start = time.process_time()
                client.get(url).get_data()
                samples.append(time.process_time() - start)
        p, s = statistics.median(mine) * 1000, statistics.median(theirs) * 1000
        print(f"| {label} | {p:.2f} | {s:.2f} | {p / s:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--ablate", action="store_true", help="the page with its parts switched off in turn")
    args = parser.parse_args()
    if args.ablate:
        for backend in args.backends.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                ablate(backend, size, args.repeats)
        return
    print("| backend | rows | product (ms CPU) | stock | stock+login | bare | product/stock | product/(stock+login) | "
          "product/bare | statements product / stock / stock+login / bare | 首页 (ms CPU, statements) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for backend in args.backends.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            r = measure(backend, size, args.repeats, args.profile)
            n = r["statements"]
            print(f"| {backend} | {size:,} | {r['product']} | {r['stock']} | {r['stock+login']} | {r['bare']} | "
                  f"{r['product'] / r['stock']:.2f} | {r['product'] / r['stock+login']:.2f} | "
                  f"{r['product'] / r['bare']:.2f} | {n['product']} / {n['stock']} / {n['stock+login']} / {n['bare']} | "
                  f"{r['home']} ({n['home']}) |", flush=True)


if __name__ == "__main__":
    main()
