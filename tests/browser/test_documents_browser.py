"""Issue 14.6 in a real browser: the unit admin downloads both forms (PDF and xlsx) from the details page and
the batch PDF of selected applications from the list; the confirmed applicant downloads the PDF."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wxk_admin.enums import Status
from wxk_admin.models import db

from ..support.documents import long_application
from ..support.browser import browser_login, browser_logout
from ..support.pdf import compact, page_count, pdf_text

pytestmark = pytest.mark.browser


def _download(page, selector):
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_unit_admin_and_applicant_download_both_forms(page, world):
    app = long_application(db.session, world, books=3, publications=6)
    browser_login(page, "admin_a")
    page.goto(f"/admin/applications/details/?id={app.id}")
    name, data = _download(page, "#btn-download-pdf")
    assert name == "欧阳长篇入会申请表.pdf" and data.startswith(b"%PDF")
    text = compact(pdf_text(data))
    assert "欧阳长篇" in text and app.serial_no in text and "团体会员单位推荐意见" in text and "资格初审" not in text
    name, data = _download(page, "#btn-download")
    assert name == "欧阳长篇入会申请表.xlsx"
    ws = load_workbook(io.BytesIO(data)).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "欧阳长篇" in cells and app.id_number in cells and ws.print_title_rows

    # 批量下载申请表 from the list: the selected applications in one PDF
    page.goto("/admin/applications/")
    for a in (app, world.apps["a_submitted"]):
        page.check(f"input.action-checkbox[value='{a.id}']")
    page.click("#batch-menu")
    with page.expect_download() as info:
        page.click("a:has-text('批量下载申请表')")
    data = Path(info.value.path()).read_bytes()
    text = compact(pdf_text(data))
    assert "姓名：欧阳长篇" in text and "姓名：甲一" in text and page_count(data) >= 4
    browser_logout(page)

    browser_login(page, "appl_a")
    page.goto(f"/admin/my-application/?id={app.id}")
    assert app.status == Status.office_confirmed
    name, data = _download(page, "#download-form-pdf")
    assert name == "欧阳长篇入会申请表.pdf" and "欧阳长篇" in compact(pdf_text(data))
    name, data = _download(page, "#download-materials-pdf")
    assert name == "欧阳长篇申报材料清单.pdf" and "本人已阅读并同意" in compact(pdf_text(data))
