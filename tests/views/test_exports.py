"""Issue 7 points 2–3: 导出选中 / 导出全部 with a column chooser (guide 000_… 五.3–五.5).

"团体会员在统一报送申请材料时，请勾选申请者的常用名、申请序列号、创作样式、门类、工作单位及职务、移动电话
等几项，导出生成申请信息汇总表（按申请序列号排序）" — every test opens the real file.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from wxk_admin.domain import exports as domain
from wxk_admin.enums import Category, Status
from wxk_admin.models import AuditEvent, db

from ..support.factories import make_app
from ..support.helpers import redirect_target

EXPORT = "/admin/applications/export/"
SIX = ["pen_name", "serial_no", "style", "category", "employer_and_post", "mobile"]


@pytest.fixture
def data(world):
    s = db.session
    ua, ub = world.unit_a, world.unit_b
    appl_a, appl_b = world.users["appl_a"], world.users["appl_b"]
    t = dt.datetime(2026, 1, 5, 8, 30)
    make_app(s, world, "s3", ua, appl_a, Status.office_confirmed, name="丙三", pen_name="=1+1", serial_no="2027-000003",
             serial_seq=3, submitted_at=t, style="长篇小说", category=Category.novel, employer_and_post="+cmd|' /C calc'!A0",
             mobile="13900000003", editing_years=7)
    make_app(s, world, "s1", ua, appl_a, Status.office_confirmed, name="甲一号", pen_name="@SUM(A1)", serial_no="2027-000001",
             serial_seq=1, submitted_at=t + dt.timedelta(days=3), style="新诗", category=Category.poetry,
             employer_and_post="-2+3", mobile="13900000001")
    make_app(s, world, "u_late", ua, appl_a, Status.unit_confirmed, name="未编号晚", pen_name="\t制表", serial_no=None,
             submitted_at=t + dt.timedelta(days=9), employer_and_post="\r回车", mobile="13900000009")
    make_app(s, world, "u_early", ua, appl_a, Status.unit_confirmed, name="未编号早", pen_name="常用名·中文", serial_no=None,
             submitted_at=t + dt.timedelta(days=1), employer_and_post="江苏省作家协会 创研室主任", mobile="13900000005")
    make_app(s, world, "b2", ub, appl_b, Status.office_confirmed, name="乙二号", pen_name="乙方秘密", serial_no="2027-000002",
             serial_seq=2, submitted_at=t, mobile="13800000002")
    s.commit()
    return world


def post_multi(client, url, pairs):
    """POST repeated fields (columns, rowid) in order, with a real CSRF token."""
    from werkzeug.datastructures import MultiDict

    token = client.token("/admin/applications/")
    return client.raw.post(url, data=MultiDict(list(pairs) + [("csrf_token", token)]))


def post_export(client, columns, fmt="xlsx", query="", extra=None):
    data = [("columns", c) for c in columns] + [("format", fmt)] + list((extra or {}).items())
    return post_multi(client, EXPORT + query, data)


def sheet_rows(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb.active
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_all_six_columns_in_guide_order_sorted_by_serial(client, data):
    client.login("admin_a")
    ws, rows = sheet_rows(post_export(client, SIX))
    assert "甲省作家协会" in rows[0][0] and "申请信息汇总表" in rows[0][0]  # title row: unit, cycle, date
    assert dt.date.today().strftime("%Y-%m-%d") in rows[0][0]
    assert rows[1] == ["常用名", "申请序列号", "创作样式", "门类", "工作单位及职务", "移动电话"]
    body = rows[2:]
    serials = [r[1] for r in body]
    # Numbered rows by serial, then the unnumbered by submission time; unit B's 2027-000002 never.
    assert serials[:2] == ["2027-000001", "2027-000003"]
    assert all(s is None for s in serials[2:])
    assert "乙方秘密" not in str(rows)
    mobiles_unnumbered = [r[5] for r in body[2:]]
    assert mobiles_unnumbered.index("13900000005") < mobiles_unnumbered.index("13900000009")
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width > 5
    assert ws.print_title_rows  # the header repeats on every printed page


def test_chosen_order_and_types_numbers_dates_chinese(client, data):
    client.login("admin_a")
    cols = ["mobile", "name", "editing_years", "submitted_at", "category", "serial_no"]
    ws, rows = sheet_rows(post_export(client, cols))
    assert rows[1] == ["移动电话", "姓名", "从事文学编辑年限", "提交时间", "门类", "申请序列号"]
    first = rows[2]
    assert first[1] == "甲一号" and first[4] == "诗歌"  # Chinese intact, enum exported as its label
    third = next(r for r in rows[2:] if r[1] == "丙三")
    assert third[2] == 7 and isinstance(third[2], (int, float))  # numbers as numbers (xlsx has one number type)
    assert isinstance(third[3], dt.datetime) and third[3] == dt.datetime(2026, 1, 5, 8, 30)  # dates as dates


def test_formula_cells_are_neutralised(client, data):
    client.login("admin_a")
    ws, rows = sheet_rows(post_export(client, ["pen_name", "employer_and_post"]))
    values = {v for r in rows[2:] for v in r if v}
    for dangerous in ("=1+1", "@SUM(A1)", "\t制表", "+cmd|' /C calc'!A0", "-2+3"):
        assert "'" + dangerous in values, dangerous
    # A carriage return is stored as the OOXML escape _x000D_; the quote still comes first.
    assert {"'\r回车", "'_x000D_回车"} & values
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            assert cell.data_type != "f"  # no formula anywhere
    assert "常用名·中文" in values


def test_csv_is_utf8_with_bom_and_same_rows(client, data):
    client.login("admin_a")
    response = post_export(client, ["serial_no", "name", "pen_name"], fmt="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["申请序列号", "姓名", "常用名"]
    assert [r[0] for r in rows[1:3]] == ["2027-000001", "2027-000003"]
    assert ["2027-000003", "丙三", "'=1+1"] in rows
    assert not any("乙二号" in r for r in rows)


def test_export_selected_only_ticked_rows_and_never_another_units(client, data):
    client.login("admin_a")
    # 导出选中 from the list: the action renders the chooser with the ticked rows.
    page = post_multi(client, "/admin/applications/action/", [("action", "export_selected"),
                                                              ("rowid", str(data.apps["s3"].id)),
                                                              ("rowid", str(data.apps["b2"].id))])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "导出选中" in html and "已勾选" in html
    for key in SIX:  # the guide's six are pre-ticked
        assert re.search(rf'value="{key}" id="col-{key}"\s+checked', html), key
    response = post_multi(client, EXPORT, [("columns", "name"), ("columns", "serial_no"), ("format", "xlsx"),
                                           ("mode", "selected"), ("rowid", str(data.apps["s3"].id)),
                                           ("rowid", str(data.apps["b2"].id)), ("rowid", "abc")])
    _, rows = sheet_rows(response)
    assert [r[0] for r in rows[2:]] == ["丙三"]  # unit B's row was posted and silently left out


def test_scope_holds_whatever_filters_are_posted(client, data):
    client.login("admin_a")
    query = f"?flt0_unit_id_eq={data.unit_b.id}&search=乙二号"
    response = post_export(client, ["name"], query=query)
    assert response.status_code == 400
    assert "没有符合条件的申请" in response.get_data(as_text=True)
    response = post_multi(client, EXPORT, [("columns", "name"), ("format", "xlsx"), ("mode", "selected"),
                                           ("rowid", str(data.apps["b2"].id))])
    assert response.status_code == 400 and "没有符合条件的申请" in response.get_data(as_text=True)
    client.logout()
    client.login("office")
    _, rows = sheet_rows(post_export(client, ["name"], query=f"?flt0_unit_id_eq={data.unit_b.id}"))
    assert {r[0] for r in rows[2:]} == {"乙二号", "乙一"}
    assert "乙省作家协会" in rows[0][0]


def test_filters_apply_to_export_all(client, data):
    client.login("admin_a")
    _, rows = sheet_rows(post_export(client, ["name"], query="?flt0_status_eq=unit_confirmed"))
    assert [r[0] for r in rows[2:]] == ["未编号早", "未编号晚"]


def test_choice_is_remembered_and_empty_or_unknown_choice_refused(client, data):
    client.login("admin_a")
    html = client.text(EXPORT)
    assert "将导出" in html
    response = post_export(client, [])
    assert response.status_code == 400 and "请至少选择一列" in response.get_data(as_text=True)
    response = post_export(client, ["name", "password_hash"])
    assert response.status_code == 400 and "未知的导出列" in response.get_data(as_text=True)
    # The refused form is shown again with the user's ticks.
    assert re.search(r'value="name" id="col-name"\s+checked', response.get_data(as_text=True))
    assert post_export(client, ["mobile", "name"]).status_code == 200
    html = client.text(EXPORT)
    assert re.search(r'value="mobile" id="col-mobile"\s+checked', html)
    assert not re.search(r'value="pen_name" id="col-pen_name"\s+checked', html)
    assert html.index('id="col-mobile"') < html.index('id="col-name"') < html.index('id="col-pen_name"')


def test_export_over_cap_refused_and_audited_when_done(app, client, data):
    client.login("admin_a")
    app.config["EXPORT_MAX_ROWS"] = 2
    try:
        response = post_export(client, SIX)
        assert response.status_code == 400 and "超出单次导出上限" in response.get_data(as_text=True)
    finally:
        app.config["EXPORT_MAX_ROWS"] = 2_000_000
    assert post_export(client, SIX).status_code == 200
    events = db.session.query(AuditEvent).filter_by(action="export").all()
    assert len(events) == 1 and "导出全部 5 条" in events[0].reason  # 甲一 + the four above


def test_roles_without_export_cannot_export(client, data):
    client.login("expert")
    assert client.get(EXPORT).status_code == 403
    client.logout()
    client.login("appl_a")
    response = client.get(EXPORT)
    assert response.status_code == 403


def test_list_shows_export_all_and_builtin_export_leads_to_chooser(client, data):
    client.login("admin_a")
    html = client.text("/admin/applications/?flt0_status_eq=unit_confirmed")
    assert 'id="export-all"' in html and "导出选中" in html
    assert "flt0_status_eq=unit_confirmed" in re.search(r'id="export-all" href="([^"]+)"', html).group(1)
    response = client.get("/admin/applications/export/csv/?flt0_status_eq=unit_confirmed")
    assert redirect_target(response) == ("/admin/applications/export/", {"flt0_status_eq": ["unit_confirmed"]})


def test_exportable_columns_come_from_model_info():
    columns = domain.columns_by_key()
    assert [columns[k].label for k in SIX] == ["常用名", "申请序列号", "创作样式", "门类", "工作单位及职务", "移动电话"]
    assert "password_hash" not in columns and "version" not in columns and "eligibility_detail" not in columns
    assert columns["unit_id"].label == "推荐单位"


def test_streamed_writer_round_trips_awkward_text_numbers_and_dates(tmp_path):
    """The written sheet: escapes, control characters, literal _xHHHH_, types, widths, print setup."""
    import datetime as dt

    columns = domain.resolve_columns(["name", "status", "submitted_at", "birth_date", "editing_years", "cip_flagged"])
    values = ["A&B <c> \"q\" 'x'", "_x0041_ stays", "bell\x07gone?", " lead and trail ", "=1+1"]
    rows = [[v, "已提交", dt.datetime(2025, 1, 2, 3, 4, 5), dt.date(1980, 5, 6), 7, "是"] for v in values]
    path = tmp_path / "t.xlsx"
    assert domain.write_xlsx(str(path), columns, rows, title="标题 & <测试>") == len(values)
    wb = load_workbook(path)
    ws = wb.active
    assert ws["A1"].value == "标题 & <测试>" and "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == [c.label for c in columns]
    got = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert got[0] == values[0] and got[3] == " lead and trail "
    # A literal "_x0041_" is protected as "_x005F_x0041_" (ECMA-376 ST_Xstring), which Excel shows as typed;
    # openpyxl does not undo that escape, so either form is accepted here — never the letter "A".
    assert got[1] in ("_x0041_ stays", "_x005F_x0041_ stays")
    assert got[2] in ("bell\x07gone?", "bell_x0007_gone?")  # a control character, escaped, never raw XML
    assert got[4] == "=1+1" and ws["A7"].data_type != "f"  # the writer never makes formulas
    assert ws["C3"].value == dt.datetime(2025, 1, 2, 3, 4, 5) and ws["C3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["D3"].value == dt.datetime(1980, 5, 6) and ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["E3"].value == 7 and ws["B3"].value == "已提交"
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2" and ws.auto_filter.ref == "A2:F7"
    assert ws.page_setup.orientation == "landscape" and ws.column_dimensions["A"].width > 5


def test_enum_cells_are_labels_and_iter_rows_streams(app, ctx):
    from wxk_admin.enums import Status
    from wxk_admin.models import Application, db

    columns = domain.resolve_columns(["status", "category"])
    assert domain.cell_value(columns[0], Status.submitted.value) == Status.submitted.label
    statement = domain.export_query(db.session.query(Application), columns)
    assert list(domain.iter_rows(db.session, statement, columns)) == []
