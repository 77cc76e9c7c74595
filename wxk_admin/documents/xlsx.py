"""The one spreadsheet module: formula neutralisation, MIME types, download filenames, shared styles.

Every .xlsx / .csv the platform writes takes its cell values through :func:`safe_text` /
:func:`safe_value` (openpyxl turns any string starting with "=" into a formula, and Excel evaluates
cells starting with + - @ too: OWASP CSV injection); every download's ``Content-Disposition`` comes
from :func:`content_disposition` (``views.downloads`` sends it); the printable sheets (申请表,
材料清单, 名单, 统计) share the fonts, borders and A4 page setup below.  Plain Python: no flask here.
"""
from __future__ import annotations

import csv
import datetime as dt
from io import BytesIO, StringIO
from typing import Iterable
from urllib.parse import quote

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.page import PageMargins

# ---------------------------------------------------------------- formula neutralisation

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    """The text of ``value`` with a leading formula trigger neutralised by a quote prefix."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_value(value):
    """Numbers, dates and booleans pass through as themselves; enums as their label; text is neutralised."""
    if value is None or isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    label = getattr(value, "label", None)  # LabelledEnum
    return safe_text(label if label is not None else value)


# ---------------------------------------------------------------- downloads

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
CSV_MIME = "text/csv; charset=utf-8"
MIME_TYPES = {".xlsx": XLSX_MIME, ".pdf": PDF_MIME, ".csv": CSV_MIME}


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def mime_type(filename: str) -> str:
    """The MIME type of a download by its extension (.xlsx, .pdf, .csv)."""
    return MIME_TYPES[_suffix(filename)]


def content_disposition(filename: str) -> str:
    """``attachment`` with the UTF-8 name (RFC 6266 / 5987 ``filename*``) and a plain ASCII fallback for
    clients that read only ``filename``: the name itself when it is plain ASCII, else ``download.<ext>``."""
    plain = filename.isascii() and all(ch.isalnum() or ch in "._-" for ch in filename)
    fallback = filename if plain else "download" + _suffix(filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# ---------------------------------------------------------------- printable sheets (A4, 宋体)

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="EEEEEE")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
PAGE_FOOTER = "第 &P 页 共 &N 页"


def font(size: float = 10, bold: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold)


def print_on_a4(ws, *, title_rows: str, margins: float = 0.4, landscape: bool = False) -> None:
    """A4, the whole width on one page (any number of pages tall), ``title_rows`` repeated, page numbers."""
    ws.print_title_rows = title_rows
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=margins, right=margins, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.right.text = PAGE_FOOTER


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table_xlsx(sheet_name: str, header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """A plain one-sheet table (header row, then ``rows``), every cell through :func:`safe_value`."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name[:31])
    ws.append(list(header))
    for row in rows:
        ws.append([safe_value(v) for v in row])
    return workbook_bytes(wb)


# ---------------------------------------------------------------- imports (CIP records, units)

def read_table(filename: str, data: bytes) -> list[dict]:
    """Rows of a .csv (UTF-8 / UTF-8 BOM / GB18030) or .xlsx as dicts keyed by the header row, values as
    stripped text; blank rows skipped.  Unreadable input raises ``ValueError`` with a Chinese message."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("CSV 文件编码无法识别（请保存为 UTF-8）")
        return [{k: (v or "").strip() for k, v in row.items() if k is not None}
                for row in csv.DictReader(StringIO(text, newline=""))
                if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    if name.endswith((".xlsx", ".xlsm")):
        try:
            sheet = load_workbook(BytesIO(data), read_only=True, data_only=True).active
            rows = list(sheet.iter_rows(values_only=True))
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise ValueError("无法读取该 Excel 文件（文件损坏或不是 .xlsx）") from exc
        if not rows:
            return []
        header = [str(h or "").strip() for h in rows[0]]
        return [{h: ("" if v is None else str(v).strip()) for h, v in zip(header, row) if h}
                for row in rows[1:] if any(v not in (None, "") for v in row)]
    raise ValueError("只支持 .csv 或 .xlsx 文件")
