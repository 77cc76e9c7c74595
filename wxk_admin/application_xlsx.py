"""下载申请表 — the application as a printable A4 .xlsx form ({姓名}入会申请表.xlsx).

Fields and their labels come from the models' ``info``: the personal and track
sections list the columns in reading order, any other exportable column lands
in 「其他信息」, and each repeating section prints every exportable column of
its model.  A column added to the model therefore appears here by itself.
"""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from .layout import PERSONAL, REVIEW, TRACK, display, labelled_columns, other_fields
from .models import CHILD_SECTIONS, Application
from .xlsx import safe_value

WIDTH = 12  # grid columns: three label/value pairs per row (label 1 + value 3)

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def form_filename(application: Application) -> str:
    return f"{application.name or '申请人'}入会申请表.xlsx"


def _display(value):
    return safe_value(display(value))


class _Sheet:
    def __init__(self, ws):
        self.ws = ws
        self.row = 1

    def merged(self, text, first_col: int, last_col: int, *, font=None, fill=None, align=WRAP, height=None):
        ws, row = self.ws, self.row
        cell = ws.cell(row=row, column=first_col, value=text)
        if last_col > first_col:
            ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
        for col in range(first_col, last_col + 1):
            c = ws.cell(row=row, column=col)
            c.border = BORDER
            if fill:
                c.fill = fill
        cell.alignment = align
        if font:
            cell.font = font
        if height:
            ws.row_dimensions[row].height = height

    def section(self, title: str):
        self.merged(title, 1, WIDTH, font=Font(bold=True, size=12), fill=SECTION_FILL, align=CENTER, height=22)
        self.row += 1

    def pairs(self, application: Application, keys):
        columns = {c.key: c for c in labelled_columns(Application)}
        items = [(columns[k].info["label"], _display(getattr(application, k))) for k in keys if k in columns]
        for start in range(0, len(items), 3):
            for slot, (label, value) in enumerate(items[start:start + 3]):
                col = 1 + slot * 4
                self.merged(label, col, col, font=Font(bold=True), fill=LABEL_FILL, align=CENTER)
                self.merged(value, col + 1, col + 3)
            self.ws.row_dimensions[self.row].height = 30
            self.row += 1

    def table(self, model, rows):
        columns = labelled_columns(model)[:WIDTH]
        for i, column in enumerate(columns, start=1):
            self.merged(column.info["label"], i, i, font=Font(bold=True), fill=LABEL_FILL, align=CENTER)
        self.row += 1
        if not rows:
            self.merged("（无）", 1, WIDTH, align=CENTER)
            self.row += 1
        for item in rows:
            for i, column in enumerate(columns, start=1):
                self.merged(_display(getattr(item, column.key)), i, i)
            self.ws.row_dimensions[self.row].height = 30
            self.row += 1


def build_application_form(application: Application) -> bytes:
    """The .xlsx bytes of the printable form holding every section of ``application``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "入会申请表"
    sheet = _Sheet(ws)
    cycle = application.cycle.name if application.cycle else ""
    sheet.merged("中国作家协会会员入会申请表", 1, WIDTH, font=Font(bold=True, size=16), align=CENTER, height=32)
    sheet.row += 1
    unit = application.unit.name if application.unit else "直接申报（中央和国家机关）"
    sheet.merged(safe_value(f"{cycle}　推荐单位：{unit}　申请序列号：{application.serial_no or '（待编号）'}"),
                 1, WIDTH, align=CENTER, height=20)
    sheet.row += 1

    sheet.section("一、个人信息")
    sheet.pairs(application, PERSONAL)
    sheet.section("二、申报类别")
    sheet.pairs(application, TRACK)
    number = 3
    for relationship, title in CHILD_SECTIONS:
        model = getattr(Application, relationship).property.mapper.class_
        sheet.section(f"{'三四五六七八九十'[number - 3]}、{title}" if number <= 10 else title)
        sheet.table(model, getattr(application, relationship))
        number += 1
    other = other_fields()
    if other:
        sheet.section("其他信息")
        sheet.pairs(application, other)
    sheet.section("审核信息")
    sheet.pairs(application, REVIEW)
    sheet.merged("申请人签名：　　　　　　　　　　日期：　　　　　　　　团体会员意见（盖章）：", 1, WIDTH, height=40)
    last_row = sheet.row

    for col in range(1, WIDTH + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.print_area = f"A1:{get_column_letter(WIDTH)}{last_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_title_rows = "1:2"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
