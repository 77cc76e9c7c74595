"""Issue 19.4 — one spreadsheet module, seen from the outside.

Every download the site offers (xlsx, PDF, CSV; console, applicant and public site; Flask-Admin's own
export too) names its file the same way: ``filename*=UTF-8''…`` with the Chinese name (RFC 5987) and
the same plain ASCII fallback.  And every .xlsx a user can download writes a ``=cmd|…`` value taken
from an application (or a year's name) as text, never as a formula.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from wxk_admin.domain.consultation.notice import close_notice, open_notice, publish
from wxk_admin.enums import Status
from wxk_admin.models import db

from ..support.consultation import TODAY, add_app, office

EVIL = "=cmd|' /C calc'!A0"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def expected_disposition(name: str) -> str:
    ext = name[name.rfind("."):]
    return f"attachment; filename=\"download{ext}\"; filename*=UTF-8''{quote(name, safe='')}"


@pytest.fixture
def poisoned(world):
    """An application (and its year) named ``=cmd|…``: confirmed by the office with its materials missing
    after the deadline, and one published new member of the same name."""
    s = db.session
    world.cycle.name = EVIL + "年"
    world.cycle.materials_deadline = TODAY - dt.timedelta(days=1)
    mine = add_app(s, world, "mine", Status.office_confirmed, name=EVIL)
    add_app(s, world, "member", Status.secretariat_approved, name=EVIL + "公布")
    s.commit()
    notice = open_notice(s, office(world), world.cycle, TODAY - dt.timedelta(days=7))
    close_notice(s, office(world), notice)
    publish(s, office(world), notice)
    s.commit()
    return mine


def downloads(world, mine):
    """(who, method, url, form data, file name) of every download endpoint."""
    cycle, today = world.cycle, dt.date.today()
    year = cycle.name
    export = [("mode", "selected"), ("rowid", str(mine.id)), ("columns", "name"), ("columns", "pen_name")]
    stem = f"申请信息汇总表-{world.unit_a.name}-{today:%Y%m%d}"
    return [
        ("admin_a", "GET", f"/admin/applications/download/?id={mine.id}", None, f"{EVIL}入会申请表.xlsx"),
        ("admin_a", "POST", "/admin/applications/export/", export + [("format", "xlsx")], stem + ".xlsx"),
        ("admin_a", "POST", "/admin/applications/export/", export + [("format", "csv")], stem + ".csv"),
        ("admin_a", "POST", "/admin/applications/action/", [("action", "batch_form_pdf"), ("rowid", str(mine.id))],
         "入会申请表（批量）.pdf"),
        ("admin_a", "GET", f"/admin/documents/form.pdf?id={mine.id}", None, f"{EVIL}入会申请表.pdf"),
        ("admin_a", "GET", f"/admin/documents/materials.pdf?id={mine.id}", None, f"{EVIL}申报材料清单.pdf"),
        ("admin_a", "GET", f"/admin/documents/materials.xlsx?id={mine.id}", None, f"{EVIL}申报材料清单.xlsx"),
        ("appl_a", "GET", f"/admin/my-application/download/form/?id={mine.id}", None, f"{EVIL}入会申请表.xlsx"),
        ("appl_a", "GET", f"/admin/my-application/download/materials/?id={mine.id}", None,
         f"{EVIL}申报材料清单.xlsx"),
        ("office", "GET", f"/admin/member-lists/?cycle={cycle.id}&kind=published&by=unit&format=xlsx", None,
         f"{year}新会员名单.xlsx"),
        ("office", "GET", f"/admin/member-lists/?cycle={cycle.id}&kind=published&by=unit&format=pdf", None,
         f"{year}新会员名单.pdf"),
        ("office", "GET", f"/admin/statistics/?cycle={cycle.id}&format=xlsx", None, f"{year}年度统计.xlsx"),
        ("office", "GET", f"/admin/statistics/?cycle={cycle.id}&format=pdf", None, f"{year}年度统计.pdf"),
        ("office", "GET", "/admin/materials/missing.xlsx", None, "逾期未交纸质材料.xlsx"),
        (None, "GET", f"/public/members.xlsx?cycle={cycle.id}", None, f"{year}新会员名单.xlsx"),
    ]


def fetch(client, who, method, url, data):
    client.logout()
    if who:
        client.login(who)
    if method == "POST":
        token_from = url if url.endswith("/export/") else "/admin/applications/"
        return client.post(url, data, token_from=token_from)
    return client.get(url)


def test_every_download_is_named_in_utf8_with_the_same_ascii_fallback(client, world, poisoned):
    for who, method, url, data, name in downloads(world, poisoned):
        r = fetch(client, who, method, url, data)
        assert r.status_code == 200, (url, r.status_code, r.headers.get("Location"))
        assert r.headers["Content-Disposition"] == expected_disposition(name), url
        assert r.headers["Cache-Control"] == "no-store", url
        ext = name[name.rfind("."):]
        assert r.mimetype == {".xlsx": XLSX, ".pdf": "application/pdf", ".csv": "text/csv"}[ext], url
        assert r.data.startswith({".xlsx": b"PK", ".pdf": b"%PDF", ".csv": "\ufeff".encode()}[ext]), url


def test_flask_admins_own_export_is_named_by_the_same_helper(client, world):
    client.login("it")
    r = client.get("/admin/units/export/csv/")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    prefix = "attachment; filename=\"download.csv\"; filename*=UTF-8''" + quote("团体会员单位_", safe="")
    assert r.headers["Content-Disposition"].startswith(prefix), r.headers["Content-Disposition"]
    assert r.headers["Content-Disposition"].endswith(".csv")


def _neutral_cells(where: str, values) -> int:
    """No value starts with a formula trigger; returns how many carry the neutralised ``=cmd|…``."""
    seen = 0
    for value in values:
        if isinstance(value, str):
            assert not value.startswith(TRIGGERS), f"{where}: {value!r}"
            seen += value.startswith("'" + EVIL)
    return seen


def test_every_spreadsheet_download_writes_formulas_as_text(client, world, poisoned):
    checked = 0
    for who, method, url, data, name in downloads(world, poisoned):
        if name.endswith(".pdf"):
            continue
        r = fetch(client, who, method, url, data)
        assert r.status_code == 200, url
        if name.endswith(".csv"):
            values = [v for row in csv.reader(io.StringIO(r.data.decode("utf-8-sig"))) for v in row]
        else:
            wb = load_workbook(io.BytesIO(r.data))
            cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
            assert not [c.coordinate for c in cells if c.data_type == "f"], url
            values = [c.value for c in cells]
        assert _neutral_cells(url, values) >= 1, f"{url}: the =cmd value is not in the file as text"
        checked += 1
    assert checked == 10  # nine .xlsx and the .csv
