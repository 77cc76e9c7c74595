"""Issue 14.3: the 申报材料清单 as PDF and xlsx — materials with copies per item from the declared works,
the 告知, 「本人已阅读并同意」 and the signature line; no internal data."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from wxk_admin.documents.materials import NOTICE
from wxk_admin.extensions import db

from ..support.documents import long_application
from ..support.pdf import compact, pdf_text
from .test_documents import INTERNAL


def test_materials_pdf_lists_the_declared_works_with_copies_and_the_notice(client, world):
    app = long_application(db.session, world, books=3, publications=7)
    client.login("admin_a")
    r = client.get(f"/admin/documents/materials.pdf?id={app.id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = compact(pdf_text(r.data))
    for expected in ("申报材料清单", "欧阳长篇", app.serial_no, "入会申请表", "两寸证件照", "出版文学作品",
                     "期刊、报纸发表作品", "共7篇", "网络文学作品", "《星河彼岸》", "影视、戏剧作品", "获奖证书",
                     "作品转载、评论材料", "告知", "本人已阅读并同意", "申请人签名：", "日期："):
        assert compact(expected) in text, expected
    for book in app.books:
        assert compact(f"《{book.title}》") in text
    for item in NOTICE:
        assert compact(item) in text
    for word in INTERNAL:
        assert compact(word) not in text, word


def test_materials_copies_per_item(client, world):
    app = long_application(db.session, world, books=2, publications=5)
    client.login("admin_a")
    r = client.get(f"/admin/documents/materials.xlsx?id={app.id}")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = {ws.cell(row=r_, column=2).value: (ws.cell(row=r_, column=3).value, ws.cell(row=r_, column=4).value)
            for r_ in range(6, ws.max_row + 1) if ws.cell(row=r_, column=1).value}
    assert rows["入会申请表"][1] == 2 and rows["两寸证件照"][1] == 2
    assert rows["期刊、报纸发表作品"][1] == 5 and rows["获奖证书"][1] == 1
    books = [ws.cell(row=r_, column=3).value for r_ in range(6, ws.max_row + 1)
             if ws.cell(row=r_, column=2).value == "出版文学作品"]
    assert len(books) == 2 and all(str(b).startswith("《长河落日") for b in books)
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "本人已阅读并同意" in cells and any("申请人签名" in c for c in cells)
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "portrait"
    assert "资格初审" not in "".join(cells) and "状态" not in cells


def test_applicant_gets_the_checklist_only_after_office_confirmation(client, world, profile):
    app = world.apps["a_submitted"]
    client.login("appl_a")
    r = client.get(f"/admin/documents/materials.pdf?id={app.id}", follow_redirects=True)
    assert profile.say("会员处确认后才能下载申请表和申报材料清单") in r.get_data(as_text=True)
    client.logout()
    client.login("admin_b")
    assert client.get(f"/admin/documents/materials.pdf?id={app.id}").status_code == 404
    assert client.get(f"/admin/documents/materials.xlsx?id={app.id}").status_code == 404


def test_checklist_links_on_the_details_page_and_for_the_confirmed_applicant(client, world):
    from wxk_admin.enums import Status

    app = world.apps["a_submitted"]
    client.login("admin_a")
    assert "申报材料清单（PDF）" in client.text(f"/admin/applications/details/?id={app.id}")
    client.logout()
    app.status = Status.office_confirmed  # test fixture: the office has confirmed
    db.session.commit()
    client.login("appl_a")
    assert "下载申报材料清单（PDF）" in client.text(f"/admin/my-application/?id={app.id}")
    r = client.get(f"/admin/documents/materials.pdf?id={app.id}")
    assert r.status_code == 200 and "甲一" in compact(pdf_text(r.data))
