"""Issue 14.2: the 入会申请表 as xlsx — a form like the PDF: print titles, A4 portrait, fit to width
without shrinking (the columns fit the printable width at 100 %), ISBNs on one line, nothing internal,
the hand-filled boxes laid out like the PDF's."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from wxk_admin.documents.form_xlsx import PRINTABLE_WIDTH, text_units
from wxk_admin.extensions import db

from ..support.documents import LONG_EMPLOYER, long_application
from .test_documents import INTERNAL


def _sheet(client, app_id):
    r = client.get(f"/admin/applications/download/?id={app_id}")
    assert r.status_code == 200
    return load_workbook(io.BytesIO(r.data)).active


def _cells(ws):
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def _span_width(ws, cell) -> float:
    """The width (in character units) of the merged range ``cell`` starts, or of its column."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row == cell.row and merged.min_col == cell.column:
            return sum(ws.column_dimensions[get_column_letter(c)].width for c in range(merged.min_col,
                                                                                       merged.max_col + 1))
    return ws.column_dimensions[cell.column_letter].width


def test_xlsx_form_prints_like_the_pdf(client, world, profile):
    app = long_application(db.session, world)
    client.login("admin_a")
    ws = _sheet(client, app.id)
    # page setup: A4 portrait, title rows on every page, fit to width only, never shrunk below 100 %
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows.replace("$", "") == "1:2"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    used = max(c.column for row in ws.iter_rows() for c in row if c.value is not None)
    total = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, used + 1))
    assert total <= PRINTABLE_WIDTH  # fitting to the page width needs no shrinking
    assert "第 &P 页 共 &N 页" in ws.oddFooter.right.text
    assert ws["A1"].value == profile.form.title  # national: 中国作家协会会员入会申请表
    header = str(ws["A2"].value)
    assert "欧阳长篇" in header and app.serial_no in header
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert (cell.font.sz or 11) >= 9, cell.coordinate

    cells = _cells(ws)
    for expected in (app.name, app.id_number, LONG_EMPLOYER, "两寸证件照", "三、出版专集", "ISBN", "CIP 核字号",
                     "星河彼岸", "评《长河落日》", "五个一", "根据网上申请内容生成，不可修改"):
        assert any(expected in c for c in cells), expected
    # ISBN and CIP numbers each fit their cell's width on one line
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in {b.isbn for b in app.books} | {b.cip_no for b in app.books}:
                assert _span_width(ws, cell) >= text_units(str(cell.value)), cell.coordinate
    # nothing internal
    joined = "".join(cells)
    for word in map(profile.say, INTERNAL):
        assert word not in joined, word


def test_xlsx_boxes_laid_out_like_the_pdf(client, world, profile):
    app = long_application(db.session, world, books=1, publications=1)
    client.login("admin_a")
    ws = _sheet(client, app.id)
    cells = _cells(ws)
    rows_of = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                rows_of.setdefault(str(cell.value), cell.row)
    office = profile.say("会员处")
    for label in ("申请人声明", "团体会员单位推荐意见", "（盖章）", office):
        assert label in rows_of, label
    # each box on its own rows, in the PDF's order: declaration, the unit's opinion with its seal, 会员处
    assert rows_of["申请人声明"] < rows_of["团体会员单位推荐意见"] < rows_of["（盖章）"] < rows_of[office]
    assert any("申请人签名" in c for c in cells) and any("收到日期" in c and "经办人" in c for c in cells)
    opinion_row = rows_of["团体会员单位推荐意见"] + 1
    assert (ws.row_dimensions[opinion_row].height or 0) >= 60  # room to write
