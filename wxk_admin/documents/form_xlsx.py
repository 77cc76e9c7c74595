"""下载申请表 — the 入会申请表 as a printable A4 .xlsx ({姓名}入会申请表.xlsx), laid out like the PDF.

The content is ``documents.form.application_form`` (the PDF's: nothing internal).  The sheet is a fine
grid of ``GRID`` narrow columns whose widths add up to A4's printable width, so "fit to width" never
shrinks it; each section's columns span as many grid columns as their content needs (an ISBN, a CIP
number, a date on one line; long titles wrap), and rows are as tall as their longest wrapped cell
(Excel does not grow merged cells by itself).
"""
from __future__ import annotations

import math

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .form import Form, Table, application_form, form_basename, text_units
from ..models import Application
from .xlsx import BORDER, CENTER, FONT, LABEL_FILL, WRAP, print_on_a4, safe_text, workbook_bytes

GRID = 40
GRID_WIDTH = 2.45  # character units per grid column
MARGIN_IN = 0.4
# A4 (8.27 in) less the side margins, in Excel's width units (~7 px of 96 dpi each): the grid must fit.
PRINTABLE_WIDTH = (8.27 - 2 * MARGIN_IN) * 96 / 7
LINE_PT = 13.5  # height of one line of 10 pt text
TOP_LEFT = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right", vertical="center")


def form_filename(application: Application) -> str:
    return form_basename(application) + ".xlsx"


def _spans(table: Table, available: int) -> list[int]:
    """Grid columns per table column (序号 first), from the widths the PDF uses too; a one-line column
    never gets fewer grid columns than its values need."""
    widths = table.widths(available * GRID_WIDTH)
    one_line = [True] + [c.one_line for c in table.columns]
    spans = [max(1, math.ceil(w / GRID_WIDTH - 0.05) if fixed else round(w / GRID_WIDTH))
             for w, fixed in zip(widths, one_line)]
    while sum(spans) > available:  # rounding up went over: narrow the widest wrapping column
        i = max((k for k in range(len(spans)) if not one_line[k] and spans[k] > 1), key=lambda k: spans[k],
                default=max(range(len(spans)), key=lambda k: spans[k]))
        spans[i] -= 1
    while sum(spans) < available:
        i = max((k for k in range(len(spans)) if not one_line[k]), key=lambda k: widths[k] / spans[k], default=0)
        spans[i] += 1
    return spans


class _Sheet:
    def __init__(self, ws):
        self.ws = ws
        self.row = 1

    def cell(self, text, first: int, span: int, *, font=None, fill=None, align=WRAP, border=True):
        """Write ``text`` over ``span`` grid columns from ``first``; returns the lines it wraps into."""
        ws, row = self.ws, self.row
        cell = ws.cell(row=row, column=first, value=safe_text(text) if text != "" else None)
        last = first + span - 1
        if span > 1:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        for col in range(first, last + 1):
            c = ws.cell(row=row, column=col)
            if border:
                c.border = BORDER
            if fill:
                c.fill = fill
        cell.alignment = align
        cell.font = font or Font(name=FONT, size=10)
        return max(1, math.ceil(text_units(str(text)) / (span * GRID_WIDTH)))

    def end_row(self, lines: int = 1, minimum: float = 0):
        self.ws.row_dimensions[self.row].height = max(lines * LINE_PT + 4, minimum)
        self.row += 1

    def heading(self, title: str):
        self.cell(title, 1, GRID, font=Font(name=FONT, size=11, bold=True), border=False)
        self.end_row(minimum=20)

    def pairs(self, items, width: int):
        """label/value pairs, two per row, over ``width`` grid columns."""
        label_span = width // 4 - 2
        value_span = width // 2 - label_span
        for start in range(0, len(items), 2):
            lines = 1
            for slot, (label, value) in enumerate(items[start:start + 2]):
                col = 1 + slot * (label_span + value_span)
                lines = max(lines, self.cell(label, col, label_span, fill=LABEL_FILL,
                                             font=Font(name=FONT, size=10, bold=True)),
                            self.cell(value, col + label_span, value_span))
            self.end_row(lines)

    def table(self, table: Table):
        self.heading(table.title)
        if not table.rows:
            self.cell("无", 1, GRID)
            self.end_row()
            return
        spans = _spans(table, GRID)
        header = ["序号"] + [c.label for c in table.columns]
        bold = Font(name=FONT, size=9, bold=True)
        self._row(header, spans, font=bold, fill=LABEL_FILL, align=CENTER)
        for n, values in enumerate(table.rows, start=1):
            self._row([str(n)] + values, spans, font=Font(name=FONT, size=9))

    def _row(self, values, spans, **style):
        col, lines = 1, 1
        for value, span in zip(values, spans):
            lines = max(lines, self.cell(value, col, span, **style))
            col += span
        self.end_row(lines)


def _boxes(sheet: _Sheet, form: Form):
    sheet.heading(form.boxes_title)
    for box in form.boxes:
        sheet.cell(box.title, 1, GRID, font=Font(name=FONT, size=10.5, bold=True), fill=LABEL_FILL)
        sheet.end_row()
        if box.text:
            sheet.end_row(sheet.cell(box.text, 1, GRID))
        if box.tall:
            sheet.cell("", 1, GRID, align=TOP_LEFT)
            sheet.end_row(minimum=80)
        if box.seal:
            sheet.cell("（盖章）", 1, GRID, align=RIGHT)
            sheet.end_row()
        sheet.cell("　　　　　　　　".join(f"{blank}：" for blank in box.blanks), 1, GRID)
        sheet.end_row(minimum=24)
        sheet.row += 1  # a gap between boxes


def build_application_form(application: Application) -> bytes:
    """The .xlsx bytes of the printable form of ``application``."""
    form = application_form(application)
    wb = Workbook()
    ws = wb.active
    ws.title = "入会申请表"
    sheet = _Sheet(ws)
    sheet.cell(form.title, 1, GRID, font=Font(name=FONT, size=16, bold=True), align=CENTER, border=False)
    sheet.end_row(minimum=30)
    sheet.cell(f"姓名：{form.name}　　年度：{form.cycle}　　推荐单位：{form.unit}　　申请序列号：{form.serial_no}",
               1, GRID, border=False)
    sheet.end_row()

    first, *others = form.sections  # the first (个人信息) carries the photo box
    sheet.heading(first.title)
    photo_span = 10
    first_personal = sheet.row
    sheet.pairs(first.pairs, GRID - photo_span)
    ws.merge_cells(start_row=first_personal, start_column=GRID - photo_span + 1, end_row=sheet.row - 1,
                   end_column=GRID)
    photo = ws.cell(row=first_personal, column=GRID - photo_span + 1, value="两寸证件照\n（粘贴处）")
    photo.alignment, photo.font = CENTER, Font(name=FONT, size=9)
    for row in range(first_personal, sheet.row):
        for col in range(GRID - photo_span + 1, GRID + 1):
            ws.cell(row=row, column=col).border = BORDER
    for section in others:
        sheet.heading(section.title)
        sheet.pairs(section.pairs, GRID)
    for table in form.tables:
        sheet.table(table)
    _boxes(sheet, form)
    sheet.cell(form.note, 1, GRID, font=Font(name=FONT, size=9), border=False)
    sheet.end_row()

    for col in range(1, GRID + 1):
        ws.column_dimensions[get_column_letter(col)].width = GRID_WIDTH
    ws.print_area = f"A1:{get_column_letter(GRID)}{sheet.row - 1}"
    print_on_a4(ws, title_rows="1:2", margins=MARGIN_IN)  # the grid already fits the width at 100 %
    ws.oddFooter.left.text = form.note
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.size = 9
    return workbook_bytes(wb)
