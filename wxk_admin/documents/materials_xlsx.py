"""申报材料清单 as .xlsx — the same content as its PDF (``documents.materials``): A4 portrait, the
header row repeated on every page, the 告知, 「本人已阅读并同意」 and the signature line."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from .materials import HEADERS, checklist, materials_basename
from ..models import Application
from .xlsx import BORDER, CENTER, FONT, LABEL_FILL as FILL, WRAP, print_on_a4, safe_text, table_xlsx, workbook_bytes

WIDTHS = (6, 20, 44, 7, 17, 9)  # 103 units: A4 portrait's printable width at 100 %


def materials_filename(application: Application) -> str:
    return materials_basename(application) + ".xlsx"


def _line(ws, row: int, text: str, *, bold=False, size=10, height=None, border=False):
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
    cell = ws.cell(row=row, column=1, value=safe_text(text))
    cell.font = Font(name=FONT, size=size, bold=bold)
    cell.alignment = WRAP
    if border:
        for col in range(1, len(WIDTHS) + 1):
            ws.cell(row=row, column=col).border = BORDER
    if height:
        ws.row_dimensions[row].height = height


def build_materials_checklist(application: Application) -> bytes:
    doc = checklist(application)
    wb = Workbook()
    ws = wb.active
    ws.title = doc.title
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    _line(ws, 1, doc.title, bold=True, size=16, height=30)
    ws["A1"].alignment = CENTER
    info = (("姓名", doc.name, "申请序列号", doc.serial_no), ("年度", doc.cycle, "推荐单位", doc.unit),
            ("门类", doc.category, "", ""))
    for row, values in enumerate(info, start=2):
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=6)
        for col, value in zip((1, 2, 4, 5), values):
            ws.cell(row=row, column=col, value=safe_text(value)).font = Font(name=FONT, size=10, bold=col in (1, 4))
        for col in range(1, 7):
            ws.cell(row=row, column=col).border = BORDER
            ws.cell(row=row, column=col).alignment = WRAP
        ws.row_dimensions[row].height = 20
    row = 5
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=row, column=col, value=header)
        cell.font, cell.alignment, cell.border, cell.fill = Font(name=FONT, size=10, bold=True), CENTER, BORDER, FILL
    for n, (name, note, copies, kind) in enumerate(doc.rows, start=1):
        row += 1
        values = (n, safe_text(name), safe_text(note), copies or None, safe_text(kind), None)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font, cell.border = Font(name=FONT, size=10), BORDER
            cell.alignment = WRAP if col in (2, 3, 5) else CENTER
        lines = max(len(note) * 2 // WIDTHS[2] + 1, len(kind) * 2 // WIDTHS[4] + 1)
        ws.row_dimensions[row].height = 14 * lines + 4
    row += 2
    _line(ws, row, "告知", bold=True)
    for n, item in enumerate(doc.notice, start=1):
        row += 1
        _line(ws, row, f"{n}. {item}", height=14 * (len(item) * 2 // sum(WIDTHS) + 1) + 4)
    row += 2
    _line(ws, row, doc.agree, bold=True)
    row += 1
    _line(ws, row, "申请人签名：　　　　　　　　　　　　日期：", height=30)
    row += 2
    _line(ws, row, "团体会员单位收件　　经手人：　　　　　　　　　　收到日期：", height=30, border=True)
    row += 2
    _line(ws, row, doc.note, size=9)

    print_on_a4(ws, title_rows="5:5")  # the table's header row
    return workbook_bytes(wb)


MISSING_HEADER = ("申请序列号", "姓名", "常用名", "推荐单位", "门类", "状态", "尚缺材料")


def missing_materials_xlsx(rows) -> bytes:
    """逾期未交纸质材料: one line per application (``consultation.missing_after_deadline``'s rows)."""
    return table_xlsx("逾期未交材料", MISSING_HEADER, (
        [a.serial_no, a.name, a.pen_name, a.unit.name if a.unit else "直接申报", a.category, a.status,
         "、".join(m.name for m in row.missing) or "材料清单为空"]
        for row in rows for a in (row.application,)))
