"""申报材料清单 — the materials checklist the applicant prints, fills in and signs (002 三（二）1).

「申报材料清单（一式一份）：请根据提供的材料种类和数量进行填写，在认真阅读相关告知信息并确认同意后，亲笔签名。」
Rows are proposed from the application (its books, publications, web and film
works, awards, professional title) plus any items the office recorded; the
applicant writes in the counts actually handed in.
"""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from .enums import Status, Track
from .models import Application
from .xlsx import safe_text

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADERS = ("序号", "材料名称", "说明", "份数", "原件/复印件", "备注")

NOTICE = ("本人承诺所提交的申报材料真实、完整，与网上申请表所填内容一致；已阅读并同意：申报材料在当年度评审期限内有效，"
          "一律不予退还。")


def materials_filename(application: Application) -> str:
    return f"{application.name or '申请人'}申报材料清单.xlsx"


def checklist_rows(application: Application) -> list[tuple[str, str, str, str]]:
    """(材料名称, 说明, 份数, 原件/复印件) proposed for this application."""
    rows = [("入会申请表", "网上申请系统生成，双面打印，本人签名，单位盖章", "2", "原件"),
            ("两寸证件照", "用于办理会员证", "2", "")]
    for book in application.books:
        rows.append(("出版文学作品", f"《{book.title}》{book.publisher or ''}", "1",
                     "原件或封面、版权页及 CIP 数据复印件"))
    if application.publications:
        titles = "、".join(f"《{p.title}》" for p in application.publications[:8])
        more = "等" if len(application.publications) > 8 else ""
        rows.append(("期刊、报纸发表作品", f"{titles}{more}共 {len(application.publications)} 篇", "", "原件或复印件"))
    for work in application.web_works:
        rows.append(("网络文学作品", f"《{work.title}》{work.site or ''}，节选及字数、完结、订阅量截图", "1", ""))
    for work in application.film_works:
        rows.append(("影视、戏剧作品", f"《{work.title}》文学脚本、影像材料及公映、公演证明", "1", ""))
    if application.awards:
        rows.append(("获奖证书", "、".join(a.name for a in application.awards[:8]), str(len(application.awards)),
                     "复印件"))
    if application.reprints:
        rows.append(("作品转载、评论材料", "", str(len(application.reprints)), "复印件"))
    if application.track in (Track.translation, Track.editing):
        rows.append(("专业技术职称资格证书", "", "1", "复印件"))
    if application.track == Track.translation:
        rows.append(("翻译作品原文", "不少于20页", "1", "复印件"))
    if application.unit_id is None:
        rows.append(("推荐意见", "两名会员亲笔签署推荐意见", "1", "原件"))
    for item in application.materials:
        rows.append((item.name, "", str(item.copies), "原件" if item.original else "复印件"))
    return rows


def build_materials_checklist(application: Application) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "申报材料清单"
    widths = (6, 22, 48, 8, 22, 14)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1

    ws.merge_cells("A1:F1")
    ws["A1"] = "申报材料清单"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = CENTER
    ws.row_dimensions[1].height = 30
    info = [
        ("姓名", application.name, "申请序列号", application.serial_no or ""),
        ("年度", application.cycle.name if application.cycle else "", "推荐单位",
         application.unit.name if application.unit else "直接申报（中央和国家机关）"),
        ("门类", application.category.label if application.category else "", "状态",
         Status(application.status).label),
    ]
    row = 2
    for a, b, c, d in info:
        ws.cell(row=row, column=1, value=safe_text(a))
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        ws.cell(row=row, column=2, value=safe_text(b))
        ws.cell(row=row, column=4, value=safe_text(c))
        ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=6)
        ws.cell(row=row, column=5, value=safe_text(d))
        for col in range(1, 7):
            ws.cell(row=row, column=col).border = BORDER
            ws.cell(row=row, column=col).alignment = WRAP
        row += 1
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=row, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = CENTER
        cell.border = BORDER
    row += 1
    for n, (name, note, copies, kind) in enumerate(checklist_rows(application), start=1):
        values = (n, safe_text(name), safe_text(note), safe_text(copies), safe_text(kind), "")
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = BORDER
            cell.alignment = WRAP if col in (2, 3) else CENTER
        row += 1
    row += 1
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
    ws.cell(row=row, column=1, value=NOTICE).alignment = WRAP
    ws.row_dimensions[row].height = 45
    row += 2
    ws.cell(row=row, column=2, value="申请者签名：")
    ws.cell(row=row, column=4, value="日期：")
    row += 2
    ws.cell(row=row, column=2, value="团体会员经手人：")
    ws.cell(row=row, column=4, value="收到日期：")
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
