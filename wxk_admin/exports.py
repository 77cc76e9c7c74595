"""申请信息汇总表 — exportable columns, row order, streamed .xlsx / .csv (SPEC §6, guide 五).

Plain functions over a session and a (scoped, filtered) query; no view code.
The caller hands in a query whose WHERE clause already limits the rows to the
caller's scope — :func:`export_query` only chooses columns, joins the names of
referenced rows and fixes the order (申请序列号, unnumbered rows last, then
submission time).

Rows are read in batches (``yield_per``, a server-side cursor on PostgreSQL) as a Core
``SELECT`` of only the chosen columns, and the sheet XML is streamed into the zip by
:func:`write_xlsx`: flat memory whatever the size (see ``benchmarks/`` for the measurements).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from sqlalchemy import Boolean, Date, DateTime, Integer, String, type_coerce
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import aliased

from .layout import export_default_keys
from .models import Application, Cycle, GroupUnit, User
from .xlsx import FORMULA_TRIGGERS, safe_text, safe_value

# The guide's 申请信息汇总表 (000_… 五.5): pre-ticked, in this order.
# 姓名, then the guide's six columns of the 申请信息汇总表: without 姓名 a row with no 常用名 and no serial yet
# names nobody.
DEFAULT_COLUMNS = export_default_keys(Application)  # the chooser's default ticks: meta(export_default=n)
BATCH = 5000


class ExportError(ValueError):
    """A refused export, with a Chinese message for the user."""


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: str
    kind: str  # text | int | date | datetime | enum
    width: int
    expr: Callable = field(compare=False, repr=False)  # () -> SQL expression
    join: str | None = None  # 'unit' | 'cycle' | 'applicant'
    labels: dict | None = field(default=None, compare=False, repr=False)  # enum value -> Chinese label


# Foreign keys exported as the referenced row's name, not a number.
_APPLICANT = aliased(User, name="export_applicant")
FOREIGN_NAMES = {
    "unit_id": ("unit", lambda: GroupUnit.name),
    "cycle_id": ("cycle", lambda: Cycle.name),
    "applicant_id": ("applicant", lambda: _APPLICANT.username),
}
# Internal links without a meaningful name in a spreadsheet.
NOT_EXPORTED = frozenset({"id", "expert_group_id", "notice_id", "notified_by_id"})


def _kind(column) -> str:
    if getattr(column.type, "enum_class", None) is not None:
        return "enum"
    if isinstance(column.type, Boolean):
        return "bool"
    if isinstance(column.type, DateTime):
        return "datetime"
    if isinstance(column.type, Date):
        return "date"
    if isinstance(column.type, Integer):
        return "int"
    return "text"


WIDTHS = {"date": 12, "datetime": 18, "int": 10, "bool": 8, "enum": 14}
TEXT_WIDTHS = {"id_number": 21, "mobile": 14, "serial_no": 14, "email": 24, "address": 30,
               "employer_and_post": 30, "exemption_claim": 40, "unit_opinion": 30, "office_opinion": 30,
               "reject_reasons": 30, "eligibility_note": 30, "disqualify_reason": 30}


def exportable_columns() -> list[ExportColumn]:
    """Every column of ``Application`` whose ``info`` has a label and ``export`` set, in model order."""
    out = []
    for column in sa_inspect(Application).columns:
        info = column.info or {}
        if not info.get("label") or not info.get("export") or column.key in NOT_EXPORTED:
            continue
        key = column.key
        if key in FOREIGN_NAMES:
            join, expr = FOREIGN_NAMES[key]
            out.append(ExportColumn(key, info["label"], "text", 22 if join != "applicant" else 16, expr, join))
            continue
        kind = _kind(column)
        width = TEXT_WIDTHS.get(key) or WIDTHS.get(kind) or max(10, min(30, 2 * len(info["label"]) + 4))
        labels = None
        if kind == "enum":
            enum_class = column.type.enum_class
            labels = {m.value: getattr(m, "label", m.value) for m in enum_class}
        out.append(ExportColumn(key, info["label"], kind, width,
                                (lambda k=key: getattr(Application, k)), None, labels))
    return out


def columns_by_key() -> dict[str, ExportColumn]:
    return {c.key: c for c in exportable_columns()}


def resolve_columns(keys: Iterable[str]) -> list[ExportColumn]:
    """The chosen columns in the chosen order; unknown or no columns → :class:`ExportError`."""
    known = columns_by_key()
    chosen, seen = [], set()
    for key in keys:
        key = (key or "").strip()
        if not key or key in seen:
            continue
        if key not in known:
            raise ExportError(f"未知的导出列：{key}")
        seen.add(key)
        chosen.append(known[key])
    if not chosen:
        raise ExportError("请至少选择一列再导出")
    return chosen


def serial_order():
    """申请序列号 ascending, unnumbered rows last, then submission time and id."""
    return (Application.serial_no.is_(None), Application.serial_no.asc(), Application.submitted_at.asc(),
            Application.id.asc())


def export_query(query, columns: list[ExportColumn]):
    """``query`` (scoped and filtered, over ``Application``) as a Core ``SELECT`` of just ``columns``.

    Only the chosen columns are read (names of referenced rows by outer join), in serial order;
    enum columns come back as their stored strings (labels by a dict lookup in :func:`cell_value`
    instead of building an enum object per cell).  Run it with :func:`iter_rows`, which streams.
    """
    exprs = []
    for c in columns:
        expr = c.expr()
        if c.kind == "enum":
            expr = type_coerce(expr, String)
        exprs.append(expr.label(c.key))
    query = query.with_entities(*exprs)
    joins = {c.join for c in columns if c.join}
    if "unit" in joins:
        query = query.outerjoin(GroupUnit, GroupUnit.id == Application.unit_id)
    if "cycle" in joins:
        query = query.outerjoin(Cycle, Cycle.id == Application.cycle_id)
    if "applicant" in joins:
        query = query.outerjoin(_APPLICANT, _APPLICANT.id == Application.applicant_id)
    return query.order_by(None).order_by(*serial_order()).statement


def _converters(columns: list[ExportColumn]) -> list[Callable]:
    triggers = FORMULA_TRIGGERS

    def text(value):
        if value.__class__ is str:
            return "'" + value if value.startswith(triggers) else value
        return safe_value(value)

    def same(value):
        return value

    out = []
    for c in columns:
        if c.kind in ("int", "date", "datetime"):
            out.append(same)
        elif c.kind == "enum":
            labels = c.labels or {}
            out.append(lambda value, labels=labels: safe_text(labels.get(value, value)))
        else:
            out.append(text)
    return out


def cell_value(column: ExportColumn, value):
    """The spreadsheet value: numbers and dates as themselves, labels for enums, neutralised text."""
    if value is None:
        return None
    return _converters([column])[0](value)


def iter_rows(session, statement, columns: list[ExportColumn]) -> Iterator[list]:
    """Stream ``statement``'s rows (server-side cursor on PostgreSQL) as spreadsheet values."""
    convert = list(enumerate(_converters(columns)))
    # Options on the statement, not the connection: a connection-level stream_results would outlive this
    # export and turn the session's next INSERT into a server-side cursor on PostgreSQL.
    result = session.execute(statement, execution_options={"stream_results": True, "yield_per": BATCH})
    try:
        for row in result:
            values = list(row)
            for i, fn in convert:
                if values[i] is not None:
                    values[i] = fn(values[i])
            yield values
    finally:
        result.close()


# ---------------------------------------------------------------- writers
#
# The .xlsx is written as its XML parts straight into a zip stream: one row of text at a time,
# inline strings, a handful of fixed styles.  Measured against XlsxWriter constant_memory and
# openpyxl write-only in ``benchmarks/writers.py``; same constant memory, several times faster
# (XlsxWriter spends ~30 µs per cell in Python).

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Style indexes of cellXfs below.
S_TITLE, S_HEAD, S_DATE, S_DATETIME, S_INT, S_TEXT = 1, 2, 3, 4, 5, 6
_STYLES = _XML + (
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    '</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" '
    'applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')
_CONTENT_TYPES = _XML + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')
_ROOT_RELS = _XML + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/></Relationships>')
_WORKBOOK_RELS = _XML + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
_APP = _XML + ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
               '<Application>wxk-admin</Application></Properties>')
# XML 1.0 forbids most control characters; Excel's own escape for them is _xHHHH_.
_ESCAPE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# A bare CR would be read back as LF (XML end-of-line handling), so it is escaped too.
_ESCAPE.update({c: f"_x{c:04X}_" for c in range(32) if c not in (9, 10)})
_ESCAPE.update({0xFFFE: "", 0xFFFF: ""})
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


_EXCEL_ESCAPE_LIKE = re.compile(r"_x[0-9A-Fa-f]{4}_")


def _text(value: str) -> str:
    """XML-escaped cell text; a literal ``_xHHHH_`` in the data is protected from Excel's unescaping."""
    if "_x" in value:
        value = _EXCEL_ESCAPE_LIKE.sub(r"_x005F\g<0>", value)
    return value.translate(_ESCAPE)


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _inline(ref: str, text: str, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'


def _serial(value) -> float:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _EXCEL_EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return float((value - _EXCEL_EPOCH.date()).days)


def _core(title: str) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _XML + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dc:title>{title.translate(_ESCAPE)}</dc:title><dc:creator>wxk-admin</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>')


def write_xlsx(target, columns: list[ExportColumn], rows: Iterable[list], *, title: str,
               sheet_name: str = "申请信息汇总表") -> int:
    """Write a printable sheet (title row, frozen header, widths) to ``target`` (a path); return rows written.

    Streams: the sheet's XML goes into the zip (deflate level 1) in chunks of a few hundred rows,
    so memory stays flat whatever the row count.
    """
    import zipfile

    letters = [_letters(i) for i in range(len(columns))]
    last = letters[-1]
    col_style = {"date": S_DATE, "datetime": S_DATETIME, "int": S_INT, "text": S_TEXT}
    sheet_name = sheet_name[:31]
    quoted = ("'" + sheet_name.replace("'", "''") + "'").translate(_ESCAPE)
    written = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("docProps/app.xml", _APP)
        zf.writestr("docProps/core.xml", _core(title))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            cols = "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{c.width + 0.71:.2f}" customWidth="1"'
                + (f' style="{col_style[c.kind]}"' if c.kind in col_style else "") + "/>"
                for i, c in enumerate(columns))
            head = [_XML, f"<worksheet {_NS}>",
                    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
                    '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
                    '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
                    '<selection pane="bottomLeft" activeCell="A3" sqref="A3"/></sheetView></sheetViews>',
                    '<sheetFormatPr defaultRowHeight="15"/>', f"<cols>{cols}</cols><sheetData>",
                    '<row r="1" ht="28" customHeight="1">', _inline("A1", title, S_TITLE),
                    "".join(f'<c r="{letter}1" s="{S_TITLE}"/>' for letter in letters[1:]), "</row>",
                    '<row r="2" ht="22" customHeight="1">',
                    "".join(_inline(f"{letter}2", c.label, S_HEAD) for letter, c in zip(letters, columns)),
                    "</row>"]
            out.write("".join(head).encode("utf-8"))
            escape = _text
            numbered = list(zip(letters, columns))
            chunk: list[str] = []
            r = 2
            for values in rows:
                r += 1
                cells = [f'<row r="{r}">']
                for (letter, _column), value in zip(numbered, values):
                    if value is None:
                        continue
                    if value.__class__ is str:
                        cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">'
                                     f'{escape(value)}</t></is></c>')
                    elif isinstance(value, bool):
                        cells.append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, dt.datetime):
                        cells.append(f'<c r="{letter}{r}" s="{S_DATETIME}"><v>{_serial(value)!r}</v></c>')
                    elif isinstance(value, dt.date):
                        cells.append(f'<c r="{letter}{r}" s="{S_DATE}"><v>{_serial(value)!r}</v></c>')
                    elif isinstance(value, (int, float)):
                        cells.append(f'<c r="{letter}{r}"><v>{value!r}</v></c>')
                    else:
                        cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">'
                                     f'{escape(str(value))}</t></is></c>')
                cells.append("</row>")
                chunk.append("".join(cells))
                if len(chunk) >= 500:
                    out.write("".join(chunk).encode("utf-8"))
                    chunk.clear()
            written = r - 2
            tail = ["".join(chunk), "</sheetData>"]
            if written:
                tail.append(f'<autoFilter ref="A2:{last}{r}"/>')
            if len(columns) > 1:
                tail.append(f'<mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>')
            tail.append('<printOptions horizontalCentered="1"/>'
                        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                        '<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>'
                        "</worksheet>")
            out.write("".join(tail).encode("utf-8"))
        names = [f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{quoted}!$1:$2</definedName>']
        if written:
            names.insert(0, f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                            f"{quoted}!$A$2:${last}${r}</definedName>")
        zf.writestr("xl/workbook.xml", _XML + (
            f"<workbook {_NS}><bookViews><workbookView/></bookViews>"
            f'<sheets><sheet name="{sheet_name.translate(_ESCAPE)}" sheetId="1" r:id="rId1"/></sheets>'
            f"<definedNames>{''.join(names)}</definedNames>"
            "</workbook>"))
    return written


def csv_chunks(columns: list[ExportColumn], rows: Iterable[list], chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel opens Chinese correctly), yielded in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode("utf-8")
    writer.writerow([c.label for c in columns])
    pending = 0
    for values in rows:
        writer.writerow(["" if v is None else (v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime)
                                                 else v.isoformat() if isinstance(v, dt.date) else v)
                         for v in values])
        pending += 1
        if pending >= chunk_rows:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def export_title(unit_name: str, cycle_name: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return f"申请信息汇总表　{unit_name}　{cycle_name}　导出日期：{today:%Y-%m-%d}"


def remembered_or_default(saved) -> list[str]:
    """The user's last choice if it still names known columns, else 姓名 and the guide's six."""
    known = columns_by_key()
    keys = [k for k in (saved or []) if k in known]
    return keys or list(DEFAULT_COLUMNS)
