"""The new-member lists the association prints and publishes: the 公示 list (on notice now) and the
公布 list (admitted, published), grouped by 门类 or by unit — public data only: 姓名、常用名、单位、门类
(``consultation.public_row``, the same four fields the public site shows)."""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment
from sqlalchemy import select

from ..domain.consultation.notice import public_row
from ..enums import Category, Status
from ..models import Application, Cycle, Notice
from .pdf import render_pdf
from .xlsx import BORDER, LABEL_FILL, font as songti, print_on_a4, safe_text, workbook_bytes

KINDS = {"notice": "公示", "published": "公布"}
GROUPINGS = {"category": "按门类", "unit": "按单位"}
COLUMNS = (("name", "姓名"), ("pen_name", "常用名"), ("unit", "单位"), ("category", "门类"))
CATEGORY_ORDER = {c.label: i for i, c in enumerate(Category)}


@dataclass
class MemberList:
    title: str
    cycle: str
    kind: str
    grouping: str
    groups: list[tuple[str, list[dict]]]

    @property
    def total(self) -> int:
        return sum(len(rows) for _, rows in self.groups)


def _applications(session, cycle: Cycle, kind: str) -> list[Application]:
    query = select(Application).join(Notice, Notice.id == Application.notice_id).where(Application.cycle_id == cycle.id)
    if kind == "notice":
        query = query.where(Application.status == Status.on_notice, Notice.closed_at.is_(None))
    else:
        query = query.where(Application.status == Status.admitted, Notice.published_at.is_not(None))
    return session.scalars(query.order_by(Application.serial_seq, Application.id)).all()


def member_list(session, cycle: Cycle, kind: str = "published", grouping: str = "category") -> MemberList:
    """The 公示 (``kind="notice"``) or 公布 list of ``cycle``, grouped by 门类 or unit (in 申请序列号 order)."""
    if kind not in KINDS or grouping not in GROUPINGS:
        raise ValueError(kind, grouping)
    groups: dict[str, list[dict]] = {}
    for app in _applications(session, cycle, kind):
        row = public_row(app)
        groups.setdefault(row[grouping], []).append(row)
    if grouping == "category":
        ordered = sorted(groups.items(), key=lambda item: CATEGORY_ORDER.get(item[0], len(CATEGORY_ORDER)))
    else:
        ordered = sorted(groups.items())
    title = f"{cycle.name}拟发展会员名单（公示）" if kind == "notice" else f"{cycle.name}新会员名单"
    return MemberList(title, cycle.name, KINDS[kind], GROUPINGS[grouping], ordered)


def list_pdf(doc: MemberList) -> bytes:
    return render_pdf("member_list.html", doc=doc, columns=COLUMNS)


def list_xlsx(doc: MemberList) -> bytes:
    """One sheet: the title, then per group a heading row and its members; the header row on every page."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    font = songti(10.5)
    ws.append([safe_text(doc.title)])
    ws.merge_cells("A1:E1")
    ws["A1"].font = songti(16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.row_dimensions[1].height = 28
    ws.append(["序号"] + [label for _, label in COLUMNS])
    for cell in ws[2]:
        cell.font, cell.border = songti(10.5, bold=True), BORDER
        cell.fill = LABEL_FILL
    n = 0
    for group, rows in doc.groups:
        ws.append([safe_text(f"{group}（{len(rows)} 人）")])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
        ws.cell(row=ws.max_row, column=1).font = songti(11, bold=True)
        for row in rows:
            n += 1
            ws.append([n] + [safe_text(row[key]) for key, _ in COLUMNS])
            for cell in ws[ws.max_row]:
                cell.font, cell.border = font, BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.append([f"共 {doc.total} 人"])
    for col, width in zip("ABCDE", (7, 14, 14, 40, 16)):  # 91 units: A4 portrait at 100 %
        ws.column_dimensions[col].width = width
    print_on_a4(ws, title_rows="2:2", margins=0.5)
    return workbook_bytes(wb)
