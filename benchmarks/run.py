"""Benchmarks of 申请入会管理 at size — the product against two references on the same data.

    .venv/bin/python benchmarks/run.py --sizes 10000,100000,1000000 [--backends sqlite,postgresql]

For each size it builds (or reuses) a database filled by ``wxk generate`` and, in
the same run, measures the median of ``--repeats`` (default 15) requests after
warm-up, through the Flask test client (application time, no network):

* list page 1, a deep page (the middle of the data), a filtered + searched page,
  the details page, 下载申请表 (skipped if the endpoint is absent),
* export of every row (six columns of the 申请信息汇总表): time and peak memory
  above idle, each export variant in a fresh worker process,

for three variants on the same database:

* ``product`` — the real console, logged in as the office (sees every row);
* ``bare``    — one raw SQL query rendered by a minimal template; the export is a
  bare openpyxl write-only loop over one raw SQL query;
* ``stock``   — a plain Flask-Admin ``ModelView`` over the same table, with the
  same list columns, filters and search, and its built-in xlsx export (tablib).

Prints a table with the ratios product / bare and product / stock and writes
JSON (``--out``, default benchmarks/results.json).  PostgreSQL: pass
``--backends postgresql`` with ``WXK_BENCH_PG_URL`` (or WXK_TEST_PG_URL, e.g.
after ``source scripts/pg.sh``) pointing at a server where databases may be created.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Built databases are reused; WXK_BENCH_DATA puts them elsewhere (a 1,000,000-row SQLite file is ~3 GB).
DATA = Path(os.environ.get("WXK_BENCH_DATA") or ROOT / "benchmarks" / "data")
SIX = ["pen_name", "serial_no", "style", "category", "employer_and_post", "mobile"]
BENCH_PASSWORD = "Bench-pass-2027!"
SEARCH_TERM = "王"
EMPTY_UNIT = "bench-empty"  # the code of a unit without applications (the "empty result" page)
OPEN_OBJECTIONS = 5
EMPLOYER_TERM = "出版社"  # one generated 工作单位 in eight


# ---------------------------------------------------------------- databases


def database_url(backend: str, size: int) -> str:
    if backend == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DATA / f'wxk-{size}.sqlite3'}"
    admin = os.environ.get("WXK_BENCH_PG_URL") or os.environ.get("WXK_TEST_PG_URL")
    if not admin:
        raise SystemExit("PostgreSQL: set WXK_BENCH_PG_URL (or source scripts/pg.sh)")
    from sqlalchemy import create_engine, text

    name = f"wxk_bench_{size}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + "/" + name


def make_app(url: str):
    from wxk_admin import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "TESTING": False,
                       "SECRET_KEY": "benchmark-only-key-never-used-in-production-0123456789", "WTF_CSRF_ENABLED": True})


def build(url: str, size: int) -> None:
    """Schema by migration, data by the generator, two accounts to log in with; reused when complete."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from wxk_admin.enums import Role, Status, UnitKind
    from wxk_admin.cli.generate import generate
    from wxk_admin.models import Application, GroupUnit, Objection, User, db

    app = make_app(url)
    with app.app_context():
        upgrade()  # a new database gets the schema; one built by an earlier version gets its migrations
        have = db.session.scalar(select(func.count(Application.id)))
        if have < size:
            print(f"  building {size} applications ({have} present) ...", flush=True)
            started = time.perf_counter()
            generate(db.session, size - have, units=44, cycles=3, seed=size)
            print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        if db.session.scalar(select(GroupUnit).where(GroupUnit.code == EMPTY_UNIT)) is None:
            # A unit that has sent nothing yet: the "empty result" page filters by it.
            db.session.add(GroupUnit(code=EMPTY_UNIT, name="基准测试单位（尚无申请）", kind=UnitKind.regional))
        if not db.session.scalar(select(func.count(Objection.id))):
            # A handful of open objections, as during a notice: the 有未处理异议 page lists them.
            for app_id in db.session.scalars(select(Application.id).where(Application.status == Status.on_notice)
                                             .order_by(Application.id).limit(OPEN_OBJECTIONS)):
                db.session.add(Objection(application_id=app_id, content="基准测试：公示期间反映的问题"))
        for username, role in (("bench_office", Role.office), ("bench_unit", Role.unit_admin)):
            if db.session.scalar(select(User).where(User.username == username)) is None:
                unit = db.session.scalar(select(GroupUnit).order_by(GroupUnit.id)) if role == Role.unit_admin else None
                user = User(username=username, role=role, full_name=username, active=True,
                            unit_id=unit.id if unit else None)
                user.set_password(BENCH_PASSWORD)
                db.session.add(user)
        db.session.commit()
    with app.app_context():
        db.engine.dispose()


# ---------------------------------------------------------------- the two references


BARE_LIST = """<!doctype html><title>申请</title><table>
{% for r in rows %}<tr><td><a href="/bare/details/{{ r.id }}">{{ r.name }}</a></td><td>{{ r.pen_name or '' }}</td>
<td>{{ r.category }}</td><td>{{ r.style }}</td><td>{{ r.status }}</td><td>{{ r.serial_no or '' }}</td>
<td>{{ r.submitted_at }}</td><td>{{ r.eligibility or '' }}</td></tr>{% endfor %}</table>"""
BARE_DETAILS = """<!doctype html><title>{{ r.name }}</title><table>
{% for k, v in r.items() %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>"""


def add_references(app) -> None:
    """The bare baseline routes and a stock Flask-Admin ModelView, both without any of the product's work."""
    import tempfile

    from flask import request, send_file
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView
    from flask_admin.theme import Bootstrap4Theme
    from sqlalchemy import bindparam, text

    from wxk_admin.models import Application, db

    # Compiled once (render_template_string compiles on every request: it made the bare page slower than stock's
    # under gunicorn).
    bare_list_template = app.jinja_env.from_string(BARE_LIST)
    bare_details_template = app.jinja_env.from_string(BARE_DETAILS)

    @app.route("/bare/list")
    def bare_list():
        where, params = ["status != 'draft'"], {}
        if request.args.get("status"):
            where.append("status = :status")
            params["status"] = request.args["status"]
        if request.args.get("category"):
            where.append("category = :category")
            params["category"] = request.args["category"]
        if request.args.get("unit"):
            where.append("unit_id = :unit")
            params["unit"] = request.args.get("unit", type=int)
        if request.args.get("employer"):
            where.append("employer_and_post LIKE :employer")
            params["employer"] = f"%{request.args['employer']}%"
        if request.args.get("objection"):
            where.append("id IN (SELECT application_id FROM objections WHERE decided_at IS NULL)")
        if request.args.get("q"):
            where.append("(name LIKE :q OR pen_name LIKE :q OR mobile LIKE :q OR id_number LIKE :q OR serial_no LIKE :q)")
            params["q"] = f"%{request.args['q']}%"
        params["offset"] = request.args.get("offset", 0, type=int)
        if request.args.get("after"):  # keyset: the rows after (submitted_at, id), as the product's cursor
            stamp, _, pk = request.args["after"].rpartition("_")
            where.append("(submitted_at, id) < (:after_ts, :after_id)")
            params["after_ts"] = datetime.datetime.fromisoformat(stamp)
            params["after_id"] = int(pk)
        sql = ("SELECT id, name, pen_name, category, style, status, serial_no, submitted_at, eligibility "
               f"FROM applications WHERE {' AND '.join(where)} ORDER BY submitted_at DESC, id DESC "
               "LIMIT 20 OFFSET :offset")
        statement = text(sql)
        if "after_ts" in params:
            statement = statement.bindparams(bindparam("after_ts", type_=Application.submitted_at.type))
        rows = db.session.execute(statement, params).mappings().all()
        return bare_list_template.render(rows=rows)

    @app.route("/bare/details/<int:app_id>")
    def bare_details(app_id):
        row = db.session.execute(text("SELECT * FROM applications WHERE id = :id"), {"id": app_id}).mappings().one()
        return bare_details_template.render(r=row)

    @app.route("/bare/export")
    def bare_export():
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(["常用名", "申请序列号", "创作样式", "门类", "工作单位及职务", "移动电话"])
        result = db.session.execute(text(
            "SELECT pen_name, serial_no, style, category, employer_and_post, mobile FROM applications "
            "WHERE status != 'draft' ORDER BY serial_no IS NULL, serial_no, submitted_at, id"
        ).execution_options(yield_per=2000))
        for row in result:
            ws.append(list(row))
        handle = tempfile.TemporaryFile()
        wb.save(handle)
        handle.seek(0)
        return send_file(handle, download_name="bare.xlsx", as_attachment=True)

    class StockView(ModelView):
        column_list = ("name", "pen_name", "category", "style", "status", "serial_no", "submitted_at", "eligibility")
        column_default_sort = ("submitted_at", True)
        column_searchable_list = ("name", "pen_name", "mobile", "id_number", "serial_no")
        column_filters = ("status", "category", "style", "track", "cycle_id", "unit_id", "submitted_at", "serial_no",
                          "eligibility", "cip_flagged")
        can_view_details = True
        can_export = True
        export_types = ["xlsx"]
        column_export_list = SIX
        page_size = 20

    stock = Admin(app, name="stock", url="/stock", endpoint="stock", theme=Bootstrap4Theme())
    stock.add_view(StockView(Application, db.session, endpoint="stock_applications", url="/stock/applications"))
    app.extensions["bench_stock_view"] = stock._views[-1]


def stock_filter_args(view) -> dict:
    """The stock view's URL names of the 状态 / 门类 / 推荐单位 equality filters."""
    from flask_admin.contrib.sqla.filters import FilterEqual

    found = {}
    for arg, (_, flt) in view._filter_args.items():
        key = getattr(flt.column, "key", None)
        if key in ("status", "category", "unit_id") and isinstance(flt, FilterEqual) and key not in found:
            found[key] = arg
    return found


# ---------------------------------------------------------------- measuring


def middle_application(app) -> int:
    """The id of the visible application in the middle of the data (the details pages' row)."""
    from sqlalchemy import func, select

    from wxk_admin.enums import Status
    from wxk_admin.models import Application, db

    with app.app_context():
        visible = select(Application.id).where(Application.status != Status.draft)
        count = db.session.scalar(select(func.count()).select_from(visible.subquery()))
        return db.session.scalar(visible.order_by(Application.id).offset(count // 2).limit(1))


def login(client, username: str) -> None:
    from tests.support.helpers import Client

    wrapped = Client(client)
    response = wrapped.login(username, BENCH_PASSWORD)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


def timed_together(variants: dict, repeats: int) -> dict:
    """Median of ``repeats`` requests per variant after two warm-ups, the variants interleaved (one
    request of each in turn), so that a slow spell of this shared machine hits them all alike.

    ``variants``: name -> (client, url, check); ``check`` is a text the answer must contain.
    """
    for name, (client, url, check) in variants.items():
        for _ in range(2):  # warm-up
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        if check is not None:
            assert check in response.get_data(as_text=True), (name, url, check)
    samples = {name: [] for name in variants}
    for _ in range(repeats):
        for name, (client, url, _check) in variants.items():
            start = time.perf_counter()
            response = client.get(url)
            response.get_data()
            samples[name].append(time.perf_counter() - start)
            assert response.status_code == 200, (name, url, response.status_code)
    return {name: {"median_ms": round(statistics.median(v) * 1000, 2), "n": repeats,
                   "min_ms": round(min(v) * 1000, 2)} for name, v in samples.items()}


def measure_pages(url: str, size: int, repeats: int) -> dict:
    from sqlalchemy import func, select

    from wxk_admin.enums import Status
    from wxk_admin.models import Application, GroupUnit, User, db

    app = make_app(url)
    add_references(app)
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "applications")
    cap = view.list_count_cap
    results: dict[str, dict] = {"product": {}, "bare": {}, "stock": {}}
    some_id = middle_application(app)
    visible_rows = select(Application.id).where(Application.status != Status.draft)
    with app.app_context():
        visible = db.session.scalar(select(func.count()).select_from(visible_rows.subquery()))
        empty_unit = db.session.scalar(select(GroupUnit.id).where(GroupUnit.code == EMPTY_UNIT))
        unit_id = db.session.scalar(select(User.unit_id).where(User.username == "bench_unit"))
        # The middle of the data, reached as the pager leads there: its 下一页 link carries the
        # (submitted_at, id) cursor of the row before the page.
        middle = visible // 20 // 2
        before = db.session.execute(
            select(Application.submitted_at, Application.id).where(Application.status != Status.draft)
            .order_by(Application.submitted_at.desc(), Application.id.desc()).offset(middle * 20 - 1).limit(1)
        ).one()
    # The deepest page a page number reaches (numbers stop at the count cap; beyond it 下一页 goes on).
    deep_page = min(middle, cap // 20 - 1)
    cursor = f"{before.submitted_at.isoformat()}_{before.id}"
    product = app.test_client()
    login(product, "bench_office")
    unit = app.test_client()  # a unit admin: 推荐单位 is the scope, two filters make the unit's pair
    login(unit, "bench_unit")
    stock = app.test_client()
    bare = app.test_client()
    stock_args = stock_filter_args(app.extensions["bench_stock_view"])
    has_download = "applications.download_view" in app.view_functions
    pages = {
        "list_page_1": ("/admin/applications/", "/bare/list", "/stock/applications/"),
        "deep_page": (f"/admin/applications/?page={deep_page}", f"/bare/list?offset={deep_page * 20}",
                      f"/stock/applications/?page={deep_page}"),
        "filtered_searched": (f"/admin/applications/?flt0_status_eq=admitted&flt1_category_eq=novel&search={SEARCH_TERM}",
                              f"/bare/list?status=admitted&category=novel&q={SEARCH_TERM}",
                              f"/stock/applications/?flt0_{stock_args['status']}=admitted"
                              f"&flt1_{stock_args['category']}=novel&search={SEARCH_TERM}"),
        # Issue 19.6: a common filter pair without a search, and a filter matching nothing (a unit that has
        # sent nothing yet); 有未处理异议 (stock has no such filter).
        "filtered": ("/admin/applications/?flt0_status_eq=admitted&flt1_category_eq=novel",
                     "/bare/list?status=admitted&category=novel",
                     f"/stock/applications/?flt0_{stock_args['status']}=admitted&flt1_{stock_args['category']}=novel"),
        "empty": (f"/admin/applications/?flt0_status_eq=admitted&flt1_unit_id_eq={empty_unit}",
                  f"/bare/list?status=admitted&unit={empty_unit}",
                  f"/stock/applications/?flt0_{stock_args['status']}=admitted&flt1_{stock_args['unit_id']}={empty_unit}"),
        "objections": ("/admin/applications/?flt0_pending_objection=1", "/bare/list?objection=1", None),
        # 工作单位 包含: a substring, which no b-tree index answers (benchmarks/README.md).
        "employer": (f"/admin/applications/?{urlencode({'flt0_employer_and_post_contains': EMPLOYER_TERM})}",
                     f"/bare/list?{urlencode({'employer': EMPLOYER_TERM})}", None),
        "unit_filtered": ("/admin/applications/?flt0_status_eq=admitted&flt1_category_eq=novel",
                          f"/bare/list?status=admitted&category=novel&unit={unit_id}",
                          f"/stock/applications/?flt0_{stock_args['status']}=admitted"
                          f"&flt1_{stock_args['category']}=novel&flt2_{stock_args['unit_id']}={unit_id}"),
        "details": (f"/admin/applications/details/?id={some_id}", f"/bare/details/{some_id}",
                    f"/stock/applications/details/?id={some_id}"),
    }
    if middle > deep_page:  # bare runs the same keyset query; stock has no cursor and pages by number
        pages["deep_page_next"] = (f"/admin/applications/?page={middle}&{urlencode({'after': cursor})}",
                                   f"/bare/list?{urlencode({'after': cursor})}", f"/stock/applications/?page={middle}")
    for name, (p_url, b_url, s_url) in pages.items():
        print(f"  {name} ...", flush=True)
        check = None if name in ("details", "empty") else "action-checkbox"
        variants = {"product": (unit if name.startswith("unit_") else product, p_url, check), "bare": (bare, b_url, None), "stock": (stock, s_url, None)}
        timed = timed_together({k: v for k, v in variants.items() if v[1] is not None}, repeats)
        for variant, result in timed.items():
            results[variant][name] = result
    if has_download:
        results["product"]["download_form"] = timed_together(
            {"product": (product, f"/admin/applications/download/?id={some_id}", None)}, repeats)["product"]
    with app.app_context():
        db.engine.dispose()
    return {"visible_rows": visible, "deep_page": deep_page, "middle_page": middle, "count_cap": cap,
            "pages": results, "download_measured": has_download}


def export_worker(url: str, variant: str, repeats: int) -> dict:
    """One variant's export of every visible row, in this (fresh) process: time and peak RSS above idle."""
    app = make_app(url)
    add_references(app)
    client = app.test_client()
    if variant == "product":
        login(client, "bench_office")
        from tests.support.helpers import Client

        wrapped = Client(client)
        token = wrapped.token("/admin/applications/")
        from werkzeug.datastructures import MultiDict

        def run():
            return client.post("/admin/applications/export/",
                               data=MultiDict([("columns", c) for c in SIX] + [("format", "xlsx"),
                                                                                ("csrf_token", token)]))
    elif variant == "bare":
        def run():
            return client.get("/bare/export")
    else:
        def run():
            return client.get("/stock/applications/export/xlsx/")
    client.get("/bare/list")  # warm-up: app, templates, connection
    samples, peaks, sizes = [], [], []
    for _ in range(repeats):
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak RSS (VmHWM) to the current RSS
        idle = _status_kb("VmRSS")
        start = time.perf_counter()
        response = run()
        body = response.get_data()
        samples.append(time.perf_counter() - start)
        peaks.append((_status_kb("VmHWM") - idle) / 1024)
        sizes.append(len(body))
        assert response.status_code == 200, (variant, response.status_code, body[:300])
        del body, response
    return {"median_s": round(statistics.median(samples), 2), "n": repeats,
            "peak_mb_above_idle": round(max(peaks), 1), "bytes": sizes[-1]}


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measure_exports(url: str, repeats: int, variants) -> dict:
    out = {}
    for variant in variants:
        print(f"  export {variant} ...", flush=True)
        proc = subprocess.run([sys.executable, __file__, "--worker-export", variant, "--url", url,
                               "--export-repeats", str(repeats)], capture_output=True, text=True)
        if proc.returncode != 0:
            out[variant] = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
        else:
            out[variant] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# ---------------------------------------------------------------- report


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def page_labels(r: dict) -> dict[str, str]:
    return {"list_page_1": "list page 1",
            "deep_page": f"page {r.get('deep_page', 0) + 1} by number",
            "deep_page_next": f"page {r.get('middle_page', 0) + 1} (middle) via 下一页",
            "filtered_searched": "filtered + searched",
            "filtered": "filtered (no search)",
            "empty": "empty result",
            "unit_filtered": "unit admin: 状态 + 门类",
            "objections": "有未处理异议",
            "employer": f"工作单位 包含「{EMPLOYER_TERM}」",
            "details": "details",
            "download_form": "下载申请表"}


LIST_PAGES = ("list_page_1", "deep_page", "deep_page_next", "filtered_searched", "filtered", "empty", "objections",
              "employer", "unit_filtered")
BOUNDED = ("filtered", "empty", "objections", "unit_filtered")  # issue 19.6: at 1,000,000 rows within 2× their 10,000-row time


def targets(results: list[dict]) -> str:
    """Issue 7's page targets: product/bare ≤ 2.5 and product < stock at 100,000 and 1,000,000 rows;
    the time at 1,000,000 within 1.5× of the time at 10,000 (the middle page via 下一页 against
    10,000's deepest page by number, which is its middle too)."""
    lines = []
    by_key = {(r["backend"], r["size"]): r["pages"] for r in results}
    for (backend, size), pages in sorted(by_key.items()):
        if size < 100_000:
            continue
        for name in LIST_PAGES:
            p, b, s = (pages[variant].get(name, {}) for variant in ("product", "bare", "stock"))
            if not p or not b:
                continue
            ok = p["median_ms"] <= 2.5 * b["median_ms"] and p["median_ms"] < s.get("median_ms", float("inf"))
            lines.append(f"{backend} {size:,} {name}: {p['median_ms'] / b['median_ms']:.2f}× bare, "
                         f"{ratio(p['median_ms'], s.get('median_ms')) or '–'}× stock — {'met' if ok else 'NOT met'}")
    for backend in sorted({k[0] for k in by_key}):
        small, large = by_key.get((backend, 10_000)), by_key.get((backend, 1_000_000))
        if not small or not large:
            continue
        for name, base in (("list_page_1", "list_page_1"), ("deep_page", "deep_page"),
                           ("deep_page_next", "deep_page"), ("filtered_searched", "filtered_searched"),
                           *((name, name) for name in BOUNDED)):
            if name in large["product"] and base in small["product"]:
                factor = large["product"][name]["median_ms"] / small["product"][base]["median_ms"]
                limit = 2 if name in BOUNDED else 1.5
                lines.append(f"{backend} 1,000,000 vs 10,000 {name}: {factor:.2f}× — "
                             f"{'met' if factor <= limit else 'NOT met'}")
    return "\n".join(lines)


def report(results: list[dict]) -> str:
    lines = ["| backend | rows | measure | product | bare | stock | product/bare | product/stock |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        pages = r["pages"]
        labels = page_labels(r)
        for name in labels:
            p = pages["product"].get(name, {}).get("median_ms")
            b = pages["bare"].get(name, {}).get("median_ms")
            s = pages["stock"].get(name, {}).get("median_ms")
            if p is None:
                continue
            lines.append(f"| {r['backend']} | {r['size']:,} | {labels[name]} (ms) | {p} | {b or '–'} | {s or '–'} | "
                         f"{ratio(p, b) or '–'} | {ratio(p, s) or '–'} |")
        ex = r.get("exports", {})
        if ex:
            p, b, s = (ex.get(v, {}) for v in ("product", "bare", "stock"))
            lines.append(f"| {r['backend']} | {r['size']:,} | export all (s) | {p.get('median_s', '–')} | "
                         f"{b.get('median_s', '–')} | {s.get('median_s', s.get('error', '–'))} | "
                         f"{ratio(p.get('median_s'), b.get('median_s')) or '–'} | "
                         f"{ratio(p.get('median_s'), s.get('median_s')) or '–'} |")
            lines.append(f"| {r['backend']} | {r['size']:,} | export peak (MB above idle) | "
                         f"{p.get('peak_mb_above_idle', '–')} | {b.get('peak_mb_above_idle', '–')} | "
                         f"{s.get('peak_mb_above_idle', '–')} | "
                         f"{ratio(p.get('peak_mb_above_idle'), b.get('peak_mb_above_idle')) or '–'} | "
                         f"{ratio(p.get('peak_mb_above_idle'), s.get('peak_mb_above_idle')) or '–'} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--export-repeats", type=int, default=3)
    parser.add_argument("--export-variants", default="product,bare,stock",
                        help="which exports to run (stock at 1,000,000 rows needs several GB of memory)")
    parser.add_argument("--stock-export-max", type=int, default=200_000,
                        help="skip stock Flask-Admin's export above this many rows (it needs several GB)")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--worker-export", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.worker_export:
        print(json.dumps(export_worker(args.url, args.worker_export, args.export_repeats)))
        return
    results = []
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()} {platform.processor() or ''}",
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()}
    for backend in args.backends.split(","):
        for size in [int(s) for s in args.sizes.split(",") if s]:
            print(f"{backend} {size:,}", flush=True)
            url = database_url(backend, size)
            build(url, size)
            entry = {"backend": backend, "size": size}
            entry.update(measure_pages(url, size, args.repeats))
            if not args.skip_exports:
                variants = args.export_variants.split(",")
                if size > args.stock_export_max:  # stock builds every row as objects: GBs at 1,000,000
                    variants = [v for v in variants if v != "stock"]
                entry["exports"] = measure_exports(url, args.export_repeats, variants)
            results.append(entry)
            Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1))
    meta["load_average_at_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1))
    print(json.dumps(meta, ensure_ascii=False))
    print(report(results))
    print(targets(results))


if __name__ == "__main__":
    main()
