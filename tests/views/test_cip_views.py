"""核验 CIP 信息 through HTTP (issue 5, points 2 and 4): the comparison page, the CIP table, the import page
and ``flask wxk import-cip``.

Guide §三.4 (seeds/000): 「请点击【核验 CIP 信息】按钮，获取中国版本图书馆 CIP 数据，与申请者填写的信息进行比对和审核。」
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re

from sqlalchemy import func, select

from wxk_admin.enums import Responsibility
from wxk_admin.models import AuditEvent, CipRecord, db

from ..support.cip import closed_port_url, give_books, http_config, isbn13, spec_book, spec_record
from ..support.helpers import redirect_target


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count(CipRecord.id)))


def _books_on_page(page: str) -> list[str]:
    return re.split(r'<div class="card mb-3 cip-book"', page)[1:]


def _mismatches(section: str) -> set[str]:
    return set(re.findall(r'data-field="(\w+)" data-mismatch="yes"', section))


def _deliberate_mismatches(world):
    """Book 1 matches its CIP record; book 2 is 编著, not literature, and from another publisher."""
    application = give_books(
        db.session, world.apps["a_submitted"], spec_book(),
        spec_book(title="家常菜谱", isbn=isbn13(21), cip_no="(2016)第189798号", publisher="作家出版社",
                  published_on=dt.date(2016, 5, 1)),
        spec_book(title="野路子诗集", isbn=isbn13(22), cip_no=None))
    db.session.add_all([
        spec_record(),
        spec_record(title="家常菜谱", isbn=isbn13(21), cip_no="2016189798", publisher="某某大学出版社",
                    pub_date="2016.05", clc="TS972.1", responsibility_mode="编著", other_authors="王五副主编"),
    ])
    db.session.commit()
    return application


def test_compare_page_shows_the_deliberate_mismatches(client, world):
    application = _deliberate_mismatches(world)
    client.login("admin_a")
    response = client.get(f"/admin/cip/compare/?id={application.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    first, second, third = _books_on_page(page)
    # book 1: side by side, nothing highlighted
    assert "《梦里花落知多少》" in first and "一致" in first and _mismatches(first) == set()
    assert "中国版本图书馆CIP数据核字(2005)第70730号" in first
    # book 2: the three deliberate mismatches, highlighted and flagged
    assert _mismatches(second) == {"publisher", "clc", "responsibility", "other_authors"}
    text = html.unescape(second)
    assert "存疑" in text
    assert "CIP 著作方式为「编著」，不是独立创作" in text
    assert "中图分类号 TS972.1 不属于 I 类（文学）" in text
    assert "出版社不一致：填写「作家出版社」，CIP 为「某某大学出版社」" in text
    assert "有其他著作责任者：王五副主编" in text
    assert re.search(r'data-field="publisher" data-mismatch="yes">\s*<th[^>]*>出版社 / 出版者</th><td>作家出版社</td>'
                     r'<td>某某大学出版社</td>', second)
    # book 3: not found
    assert "未查到" in third and "未查询到 CIP 数据" in third


def test_compare_page_is_scoped_to_the_users_applications(client, world):
    application = _deliberate_mismatches(world)
    client.login("admin_b")                                   # another unit
    assert client.get(f"/admin/cip/compare/?id={application.id}").status_code == 404
    assert client.get("/admin/cip/compare/?id=nonsense").status_code == 404
    client.logout()
    client.login("appl_a")                                    # applicants do not reach the reviewers' page
    assert client.get(f"/admin/cip/compare/?id={application.id}").status_code == 403
    client.logout()
    client.login("office")
    assert "家常菜谱" in client.text(f"/admin/cip/compare/?id={application.id}")


def test_compare_page_says_when_the_remote_source_is_down(client, world, app, monkeypatch):
    application = _deliberate_mismatches(world)
    for key, value in http_config(closed_port_url()).items():
        monkeypatch.setitem(app.config, key, value)
    client.login("admin_a")
    page = html.unescape(client.text(f"/admin/cip/compare/?id={application.id}"))
    assert "远程 CIP 服务暂不可用（无法连接）" in page
    assert "CIP 来源：本地 CIP 数据表" in page           # the local records are still compared
    assert "未能核验" in page                            # the third book: unknown locally, remote down
    assert _count() == 2                                 # a GET writes nothing


def test_recheck_updates_the_stored_flag_with_an_audit_record(client, world):
    application = _deliberate_mismatches(world)
    assert application.cip_flagged is False                   # stale: nothing computed it yet
    client.login("admin_a")
    page = client.text(f"/admin/cip/compare/?id={application.id}")
    assert 'id="cip-recheck"' in page
    response = client.post("/admin/cip/recheck/", {"id": application.id}, token_from="/admin/")
    assert redirect_target(response) == ("/admin/cip/compare/", {"id": [str(application.id)]})  # back to the comparison
    db.session.expire_all()
    application = db.session.get(type(application), application.id)
    assert application.cip_flagged is True
    assert [b.cip_status for b in application.books] == ["一致", "存疑", "未查到"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cip_check")).one()
    assert event.application_id == application.id and event.after["cip_flagged"] is True
    # another unit's admin cannot recheck it
    client.logout()
    client.login("admin_b")
    assert client.post("/admin/cip/recheck/", {"id": application.id}, token_from="/admin/").status_code == 404
    # an expert may look (when assigned) but never recheck
    client.logout()
    client.login("expert")
    assert client.post("/admin/cip/recheck/", {"id": application.id}, token_from="/admin/").status_code == 403


def test_details_panel_links_to_the_comparison(client, world):
    application = _deliberate_mismatches(world)
    client.login("admin_a")
    client.post("/admin/cip/recheck/", {"id": application.id}, token_from="/admin/")
    page = client.text(f"/admin/applications/details/?id={application.id}")
    if 'id="panel-cip"' not in page:  # the lead's details page includes the panel; render it alone otherwise
        from flask import render_template_string
        from flask_login import login_user

        from wxk_admin.models import User

        with client.raw.application.test_request_context():
            login_user(db.session.scalars(select(User).where(User.username == "admin_a")).one())
            page = render_template_string("{% include 'applications/_panel_cip.html' %}",
                                          app=db.session.get(type(application), application.id), view=None)
    assert f"/admin/cip/compare/?id={application.id}" in page and "核验 CIP 信息" in page
    assert "CIP 存疑" in page and "《家常菜谱》" in page and "存疑" in page


# ---------------------------------------------------------------- CIP records and the import (IT)

CSV_HEADER = "正书名,ISBN,CIP 核字号,第一著作责任者,著作方式,出版者,出版日期,中图分类号\n"
GOOD_1 = "梦里花落知多少,ISBN 7-5015-2709-1,中国版本图书馆CIP数据核字(2005)第70730号,郭敬明,著,知识出版社,2005.04,I247.5\n"
GOOD_2 = f"第二本,{isbn13(31)},(2016)第189798号,某人,著,作家出版社,2016.05,I227\n"
BAD_ISBN = "坏书号,978-7-5015-2709-1,,某人,著,作家出版社,2016,I227\n"
BAD_CIP = f"坏核字号,{isbn13(32)},(2016)第1897989号,某人,著,作家出版社,2016,I227\n"
NO_TITLE = f",{isbn13(33)},,某人,著,作家出版社,2016,I227\n"


def _upload(client, content: str, name="cip.csv"):
    return client.post("/admin/cip-import/", {"file": (io.BytesIO(content.encode("utf-8-sig")), name)},
                       token_from="/admin/cip-import/", content_type="multipart/form-data")


def test_import_page_reports_bad_rows_and_imports_only_the_good_ones_on_confirm(client, world):
    client.login("it")
    response = _upload(client, CSV_HEADER + GOOD_1 + BAD_ISBN + GOOD_2 + BAD_CIP + NO_TITLE)
    page = html.unescape(response.get_data(as_text=True))
    assert _count() == 0                                       # nothing half-imported
    assert "3 行有错误，未导入任何数据" in page
    assert re.search(r'data-line="3">\s*<td>第 3 行</td><td>坏书号</td>\s*<td>错误</td><td>ISBN 校验位错误', page)
    assert "CIP 核字号序号最多 6 位" in page and "缺少正书名" in page
    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)
    # a tampered payload is refused
    bad = client.post("/admin/cip-import/confirm/", {"payload": payload[:-3] + "abc"}, token_from="/admin/cip-import/")
    assert redirect_target(bad) == ("/admin/cip-import/", {})
    assert "导入数据已失效或被修改，请重新上传文件" in html.unescape(client.text("/admin/cip-import/"))
    assert _count() == 0
    # confirm: only the two good rows
    page = html.unescape(client.post("/admin/cip-import/confirm/", {"payload": payload},
                                     token_from="/admin/cip-import/").get_data(as_text=True))
    assert "已导入 2 行正确数据（新增 2，更新 0），跳过 3 行错误数据" in page
    assert {r.cip_no for r in db.session.scalars(select(CipRecord))} == {"2005070730", "2016189798"}
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import_cip")).one().after["created"] == 2


def test_import_page_without_bad_rows_imports_at_once_and_updates(client, world):
    client.login("it")
    page = html.unescape(_upload(client, CSV_HEADER + GOOD_1 + GOOD_2).get_data(as_text=True))
    assert "已导入 2 条 CIP 数据（新增 2，更新 0）" in page and _count() == 2
    page = html.unescape(_upload(client, CSV_HEADER + GOOD_1.replace("知识出版社", "新出版社")).get_data(as_text=True))
    assert "新增 0，更新 1" in page
    assert db.session.scalars(select(CipRecord).where(CipRecord.cip_no == "2005070730")).one().publisher == "新出版社"


def test_import_page_refuses_other_files_and_other_roles(client, world):
    client.login("it")
    page = html.unescape(_upload(client, "x", name="cip.txt").get_data(as_text=True))
    assert "只支持 .csv 或 .xlsx 文件" in page
    client.logout()
    client.login("office")
    assert client.get("/admin/cip-import/").status_code == 403


def test_import_xlsx(client, world, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["正书名", "ISBN", "CIP 核字号", "出版者"])
    sheet.append(["梦里花落知多少", "7-5015-2709-1", "2005070730", "知识出版社"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.login("it")
    response = client.post("/admin/cip-import/", {"file": (io.BytesIO(buffer.getvalue()), "cip.xlsx")},
                           token_from="/admin/cip-import/", content_type="multipart/form-data")
    assert "已导入 1 条" in html.unescape(response.get_data(as_text=True))
    assert db.session.scalars(select(CipRecord)).one().isbn == "9787501527090"


def test_cip_record_view_normalises_and_refuses_bad_numbers(client, world):
    client.login("it")
    form = {"title": "梦里花落知多少", "isbn": "978-7-5015-2709-1", "cip_no": "(2005)第70730号"}
    page = html.unescape(client.post("/admin/cip_records/new/", form, token_from="/admin/cip_records/new/",
                                     follow_redirects=True).get_data(as_text=True))
    assert "ISBN 校验位错误" in page and _count() == 0
    form["isbn"] = "ISBN 7-5015-2709-1"
    client.post("/admin/cip_records/new/", form, token_from="/admin/cip_records/new/")
    record = db.session.scalars(select(CipRecord)).one()
    assert (record.isbn, record.cip_no, record.source) == ("9787501527090", "2005070730", "local")
    page = html.unescape(client.post("/admin/cip_records/new/", dict(form, title="另一本"),
                                     token_from="/admin/cip_records/new/", follow_redirects=True).get_data(as_text=True))
    assert "CIP 核字号 中国版本图书馆CIP数据核字(2005)第70730号 已存在" in page and _count() == 1
    listing = client.text("/admin/cip_records/")
    assert "中国版本图书馆CIP数据核字(2005)第70730号" in listing
    # the office reads, never writes
    client.logout()
    client.login("office")
    assert "梦里花落知多少" in client.text("/admin/cip_records/")
    client.post("/admin/cip_records/new/", {"title": "办公室新增", "isbn": isbn13(40)}, token_from="/admin/")
    assert _count() == 1
    client.logout()
    client.login("admin_a")
    assert client.get("/admin/cip_records/").status_code == 403


def test_import_cip_command(app, world, tmp_path):
    path = tmp_path / "cip.csv"
    path.write_text(CSV_HEADER + GOOD_1 + BAD_ISBN + GOOD_2, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["wxk", "import-cip", str(path)])
    assert result.exit_code != 0
    assert "第 3 行（坏书号）：ISBN 校验位错误" in result.output and "未导入任何数据" in result.output
    assert _count() == 0
    result = runner.invoke(args=["wxk", "import-cip", str(path), "--only-good-rows"])
    assert result.exit_code == 0, result.output
    assert "已导入 2 行（新增 2，更新 0），跳过错误行 1 行" in result.output
    assert _count() == 2


def test_submission_block_message_through_the_domain(world):
    """The function the submit path calls (issue 4 wires it into 提交)."""
    from wxk_admin.domain import cip

    application = give_books(db.session, world.apps["a_submitted"],
                             spec_book(responsibility=Responsibility.sole, isbn=isbn13(50), cip_no=None))
    assert cip.submission_problems(db.session, application) == [
        "未查询到该书的 CIP 数据，非正规出版物无法提交：《梦里花落知多少》"]


def test_cip_export_neutralises_formulas(client, world):
    db.session.add(spec_record(title="=HYPERLINK(\"http://x\")", subjects="+cmd"))
    db.session.commit()
    client.login("it")
    response = client.get("/admin/cip_records/export/csv/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "'=HYPERLINK" in text and "'+cmd" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text


def test_it_deletes_selected_cip_records_on_every_backend(client, world):
    """Flask-Admin's bulk delete compares the primary key with the raw id strings: PostgreSQL refuses
    ``integer = character varying`` (a 500) unless the ids are parsed first."""
    keep, gone = spec_record(), spec_record(title="家常菜谱", isbn=isbn13(21), cip_no="2016189798")
    db.session.add_all([keep, gone])
    db.session.commit()
    keep_id, gone_id = keep.id, gone.id
    client.login("it")
    response = client.post("/admin/cip_records/action/", data={"action": "delete", "rowid": [str(gone_id)]},
                           token_from="/admin/cip_records/")
    assert redirect_target(response) == ("/admin/cip_records/", {})
    db.session.expire_all()
    assert db.session.get(CipRecord, gone_id) is None
    assert db.session.get(CipRecord, keep_id) is not None
