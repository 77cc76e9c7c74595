"""Printable documents (issue 14): the 入会申请表 as PDF, for reviewers in their scope and for the
applicant once the office has confirmed; the batch PDF of a unit's selected applications.

The views only find the rows (``access`` scope) and send the bytes ``wxk_admin.documents`` makes.
"""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user

from ..domain import applying
from ..domain.cycles import newest_first
from ..documents import form as application_form
from ..documents import lists, materials, statistics
from ..enums import Role
from ..extensions import db
from ..models import Application
from ..documents.materials_xlsx import build_materials_checklist, materials_filename
from .base import SecureBaseView
from .downloads import download
from .outcome import scoped_or_404

BATCH_LIMIT = 60  # forms in one 批量下载申请表


def pdf_or_message(make, filename: str) -> Response:
    """The PDF ``make()`` returns; without the system's pango (WeasyPrint's OSError) a message, never a 500."""
    try:
        data = make()
    except OSError:
        current_app.logger.exception("PDF rendering unavailable")
        flash("PDF 生成功能暂不可用，请下载 Excel 版或联系系统管理员", "error")
        return redirect(url_for("admin.index"))
    return download(data, filename)


def batch_forms_response(applications) -> Response:
    """批量下载申请表 — one PDF of the chosen (already scoped) applications, sorted by 申请序列号."""
    if not applications:
        flash("请先选择要下载的申请", "error")
        return redirect(url_for("applications.index_view"))
    if len(applications) > BATCH_LIMIT:  # ~1 s a form: a request must not run for minutes
        flash(f"一次最多下载 {BATCH_LIMIT} 份申请表，已选 {len(applications)} 份，请分批选择", "error")
        return redirect(url_for("applications.index_view"))
    return pdf_or_message(lambda: application_form.forms_pdf(applications), "入会申请表（批量）.pdf")


class DocumentsView(SecureBaseView):
    roles = frozenset({Role.applicant, Role.unit_admin, Role.office, Role.it_admin})

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    def _application(self):
        """The addressed application in the user's scope; an applicant's only once the office has confirmed."""
        application = scoped_or_404(Application, request.args.get("id"))
        if current_user.role == Role.applicant and application.status not in applying.DOWNLOAD_STATES:
            flash(f"{current_app.extensions['wxk_profile'].names.office_short}确认后才能下载申请表和申报材料清单", "error")
            return None, redirect(url_for("applicant.index", id=application.id))
        return application, None

    @expose("/form.pdf")
    def form_pdf(self):
        """下载申请表（PDF）: same scope as the xlsx download; the applicant once the office has confirmed."""
        application, refused = self._application()
        if refused:
            return refused
        return pdf_or_message(lambda: application_form.form_pdf(application),
                              application_form.form_basename(application) + ".pdf")

    @expose("/materials.pdf")
    def materials_pdf(self):
        """申报材料清单（PDF）."""
        application, refused = self._application()
        if refused:
            return refused
        return pdf_or_message(lambda: materials.materials_pdf(application),
                              materials.materials_basename(application) + ".pdf")

    @expose("/materials.xlsx")
    def materials_xlsx(self):
        """申报材料清单（Excel）for reviewers (the applicant has it on 我的申请 too)."""
        application, refused = self._application()
        if refused:
            return refused
        return download(build_materials_checklist(application), materials_filename(application))


def _cycles():
    return newest_first(db.session)


def _chosen_cycle(cycles):
    """The cycle of ``?cycle=`` (the newest when absent or unknown)."""
    wanted = request.args.get("cycle", "")
    return next((c for c in cycles if str(c.id) == wanted), cycles[0] if cycles else None)


class MemberListsView(SecureBaseView):
    """新会员名单: the 公示 and 公布 lists of a cycle to print (PDF) or file (xlsx)."""

    roles = frozenset({Role.office, Role.it_admin})

    @expose("/")
    def index(self):
        cycles = _cycles()
        cycle = _chosen_cycle(cycles)
        kind = request.args.get("kind") if request.args.get("kind") in lists.KINDS else "published"
        grouping = request.args.get("by") if request.args.get("by") in lists.GROUPINGS else "category"
        doc = lists.member_list(db.session, cycle, kind, grouping) if cycle else None
        fmt = request.args.get("format")
        if doc is not None and fmt == "pdf":
            return pdf_or_message(lambda: lists.list_pdf(doc), f"{doc.title}.pdf")
        if doc is not None and fmt == "xlsx":
            return download(lists.list_xlsx(doc), f"{doc.title}.xlsx")
        return self.render("documents/lists.html", cycles=cycles, cycle=cycle, kind=kind, grouping=grouping,
                           doc=doc, kinds=lists.KINDS, groupings=lists.GROUPINGS, columns=lists.COLUMNS)


class StatisticsView(SecureBaseView):
    """年度统计: the office and IT see everything, a unit admin their own unit (``access`` scope)."""

    roles = frozenset({Role.office, Role.it_admin, Role.unit_admin})

    @expose("/")
    def index(self):
        cycles = _cycles()
        cycle = _chosen_cycle(cycles)
        stats = statistics.cycle_statistics(db.session, current_user, cycle) if cycle else None
        fmt = request.args.get("format")
        if stats is not None and fmt == "pdf":
            return pdf_or_message(lambda: statistics.statistics_pdf(stats), f"{cycle.name}年度统计.pdf")
        if stats is not None and fmt == "xlsx":
            return download(statistics.statistics_xlsx(stats), f"{cycle.name}年度统计.xlsx")
        return self.render("documents/statistics_page.html", cycles=cycles, cycle=cycle, stats=stats)


def register(admin) -> None:
    admin.add_view(DocumentsView(name="打印文件", endpoint="documents", url="/admin/documents"))
    admin.add_view(MemberListsView(name="新会员名单打印", endpoint="member_lists", url="/admin/member-lists"))
    admin.add_view(StatisticsView(name="年度统计", endpoint="statistics", url="/admin/statistics"))
