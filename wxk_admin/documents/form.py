"""What the printed 入会申请表 holds — the public content of an application, and nothing internal.

Both the PDF and the xlsx are drawn from ``application_form``: the same sections, columns and
hand-filled boxes.  Internal data never appears: 资格初审, CIP 核验结果 / 存疑, opinions and their
history, status (the unit signs and stamps this paper; the office files it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Boolean, Date, DateTime, Integer

from .. import profiles
from ..domain.layout import display, form_sections, labelled_columns, section_keys
from ..models import APPLICATION_SECTIONS, CHILD_SECTIONS, Application
from .pdf import render_many, render_pdf

GENERATED_NOTE = "根据网上申请内容生成，不可修改"
NONE = "无"
CHINESE_NUMBERS = "一二三四五六七八九十"

# Columns a reviewer records, never the applicant: not printed.
INTERNAL_CHILD_COLUMNS = {"cip_status"}
# Sections printed elsewhere: the checklist is its own document; recommenders sign their own boxes.
NOT_TABLES = {"materials", "recommenders"}
# Values kept on one line (ISBN, CIP number, dates, numbers); everything else wraps inside its cell.
ONE_LINE_KEYS = {"isbn", "cip_no", "issue"}

DECLARATION = ("本人承诺：以上所填内容真实、准确，所列作品均为本人创作（翻译），不存在抄袭、剽窃等侵犯他人著作权的情形。"
               "如有不实，本人愿承担由此产生的一切后果。")


@dataclass
class Column:
    label: str
    one_line: bool


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[str]]

    def widths(self, total: float) -> list[float]:
        """Widths in character units of 序号 and each column, adding up to ``total`` — shared by the PDF
        and the xlsx.  One-line values (ISBN, CIP number, dates, numbers) get their whole width, a label
        wraps over three lines at most (two or more characters a line), and what is left goes to the wrapping columns by their need."""
        fixed, wants = [max(text_units(str(len(self.rows))), text_units("序号") / 2)], [0.0]
        for i, column in enumerate(self.columns):
            longest = max((text_units(row[i]) for row in self.rows), default=0.0)
            label = text_units(column.label[:max(2, -(-len(column.label) // 3))])
            if column.one_line:
                fixed.append(max(longest, label))
                wants.append(0.0)
            else:
                fixed.append(max(label, min(longest, text_units("字" * 3))))
                wants.append(max(0.0, min(longest, text_units("字" * 12)) - fixed[-1]))
        spare = total - sum(fixed)
        if spare <= 0:  # more than fits: everything narrower alike (labels and long values wrap more)
            return [f * total / sum(fixed) for f in fixed]
        if not any(wants):
            wants = [0.0 if i and self.columns[i - 1].one_line else f for i, f in enumerate(fixed)]
            wants = wants if any(wants) else fixed
        return [f + spare * w / sum(wants) for f, w in zip(fixed, wants)]


@dataclass
class Section:
    """A numbered section of label/value pairs (the first one carries the photo box)."""
    title: str
    pairs: list[tuple[str, str]]


@dataclass
class Box:
    """A box filled by hand: a title, an optional printed text, and the blanks to fill."""
    title: str
    text: str = ""
    blanks: list[str] = field(default_factory=list)
    seal: bool = False
    tall: bool = False


@dataclass
class Form:
    name: str
    serial_no: str
    cycle: str
    unit: str
    sections: list[Section]
    tables: list[Table]
    boxes: list[Box]
    boxes_title: str
    title: str
    note: str = GENERATED_NOTE


def text_units(value: str) -> float:
    """The printed width of ``value`` in character units (a CJK character about two, a digit or letter
    one), plus a cell's padding."""
    return sum(1.8 if ord(ch) >= 0x2E80 else 1.0 for ch in value) + 1.2


def text(value) -> str:
    value = display(value)
    return "" if value is None else str(value)


def _pairs(application: Application, keys) -> list[tuple[str, str]]:
    columns = {c.key: c for c in labelled_columns(Application)}
    return [(columns[k].info["label"], text(getattr(application, k))) for k in keys if k in columns]


def _one_line(column) -> bool:
    return column.key in ONE_LINE_KEYS or isinstance(column.type, (Boolean, Date, DateTime, Integer))


def section_title(number: int, title: str) -> str:
    return f"{CHINESE_NUMBERS[number - 1]}、{title}" if number <= len(CHINESE_NUMBERS) else title


def _tables(application: Application, first_number: int) -> list[Table]:
    tables = []
    number = first_number
    for relationship, title in CHILD_SECTIONS:
        if relationship in NOT_TABLES:
            continue
        model = getattr(Application, relationship).property.mapper.class_
        columns = [c for c in labelled_columns(model) if c.key not in INTERNAL_CHILD_COLUMNS]
        rows = [[text(getattr(item, c.key)) for c in columns] for item in getattr(application, relationship)]
        printed = [Column(c.info["label"], _one_line(c)) for c in columns]
        tables.append(Table(section_title(number, title), printed, rows))
        number += 1
    return tables


def _boxes(application: Application, profile) -> list[Box]:
    boxes = [Box("申请人声明", profile.form.declaration or DECLARATION, ["申请人签名", "日期"])]
    if application.is_direct_route:
        declared = list(application.recommenders)[:2]
        for i in range(2):
            who = declared[i] if i < len(declared) else None
            name = f"（{who.name}）" if who is not None and who.name else ""
            boxes.append(Box(f"推荐人{CHINESE_NUMBERS[i]}意见{name}", "", ["推荐人签名", "会员证号", "日期"], tall=True))
    else:
        boxes.append(Box("团体会员单位推荐意见", "", ["负责人签名", "日期"], seal=True, tall=True))
    boxes.append(Box(profile.names.office_short, "", ["收到日期", "经办人"]))
    return boxes


def _sections(application: Application) -> list[Section]:
    """The form's scalar sections as declared (``APPLICATION_SECTIONS`` the applicant fills in), in order."""
    return [Section(section_title(number, APPLICATION_SECTIONS[key]["title"]),
                    _pairs(application, section_keys(key, form=True)))
            for number, key in enumerate(form_sections(), start=1)]


def application_form(application: Application) -> Form:
    """The printable content of ``application``."""
    sections = _sections(application)
    tables = _tables(application, first_number=len(sections) + 1)
    profile = profiles.of(application.cycle.association if application.cycle else None)
    return Form(
        title=profile.form.title, note=_note(profile),
        name=application.name or "",
        serial_no=application.serial_no or "（待编号）",
        cycle=application.cycle.name if application.cycle else "",
        unit=application.unit.name if application.unit else direct_route(profile),
        sections=sections,
        tables=tables,
        boxes=_boxes(application, profile),
        boxes_title=section_title(len(sections) + len(tables) + 1, "声明及推荐意见"),
    )


def direct_route(profile) -> str:
    return f"直接申报（{profile.rules.direct_route}）"


def _note(profile) -> str:
    """The generated-form note, with the association's copies, printing and photos (002: 一式两份，双面打印，2张两寸证件照)."""
    parts = [GENERATED_NOTE]
    if profile.form.copies > 1:
        parts.append(f"一式{CHINESE_NUMBERS[profile.form.copies - 1].replace('二', '两')}份")
    if profile.form.double_sided:
        parts.append("双面打印")
    if profile.form.photos:
        parts.append(f"另附{profile.form.photos}张两寸证件照")
    return "；".join(parts)


def form_basename(application: Application) -> str:
    return f"{application.name or '申请人'}入会申请表"


def form_pdf(application: Application) -> bytes:
    """The 入会申请表 of ``application`` as PDF."""
    return render_pdf("application_form.html", form=application_form(application))


def forms_pdf(applications) -> bytes:
    """批量下载申请表: the forms of ``applications`` in one PDF, in 申请序列号 order (unnumbered last)."""
    ordered = sorted(applications, key=lambda a: (a.serial_no is None, a.serial_no or "", a.id))
    return render_many("application_form.html", [{"form": application_form(a)} for a in ordered])
