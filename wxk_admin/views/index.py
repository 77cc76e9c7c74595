"""The console's home: who you are and what waits for you."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from ..domain import access
from ..enums import Role, Status
from ..domain.dashboard import Waiting, dashboard_data
from ..extensions import db
from ..models import Application
from ..security import current_actor

# What each role acts on next (SPEC §3).
WAITING = {
    Role.unit_admin: (Status.submitted, "待审核的入会申请"),
    Role.office: (Status.unit_confirmed, "团体会员已确认、待会员处确认"),
    Role.expert: (Status.expert_review, "待审读投票的申请"),
    Role.it_admin: (Status.submitted, "待团体会员审核的申请（全平台）"),
    Role.applicant: (Status.rejected, "被驳回、待修改的申请"),
    Role.supervisor: (Status.on_notice, "公示中的申请"),  # 纪检监察 watch; nothing waits for them
}


def waiting_for(user, limit: int = 10):
    status, title = WAITING[Role(user.role)]
    query = select(Application).where(access.application_filter(user), Application.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Application.submitted_at.desc()).limit(limit)).all()
    return title, total, rows


# The stage pages a dashboard 待办 entry opens (``Waiting.page``).
STAGE_PAGES = {"materials": "materials.index", "assign": "consultation.assign_view",
               "votes": "consultation.votes_view", "secretariat": "consultation.secretariat_view",
               "notice": "consultation.notice_view", "onboarding": "consultation.onboarding_view"}


def waiting_url(item: Waiting) -> str:
    """Where a 待办 entry opens: its stage's page, or the application list filtered by the very criteria it
    counts — the list's shareable filter arguments ``flt{i}_{column}_eq`` (views/filters.py; "direct" is the
    no-unit option)."""
    if item.page:
        return url_for(STAGE_PAGES[item.page])
    return url_for("applications.index_view", **{
        f"flt{i}_{column}_eq": "direct" if value is None else getattr(value, "value", value)
        for i, (column, value) in enumerate(item.criteria.items())})


def counts_by_status(user) -> list[tuple[Status, int]]:
    rows = db.session.execute(
        select(Application.status, func.count()).where(access.application_filter(user)).group_by(Application.status)
    ).all()
    found = dict(rows)
    return [(s, found[s]) for s in Status if found.get(s)]


class HomeView(AdminIndexView):
    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(url_for("account.login_view", next=request.full_path))
        dash = dashboard_data(db.session, current_actor())
        if dash:  # office, IT, unit admins: the dashboard shows what waits and the counts
            return self.render("admin/home.html", dash=dash,
                               waiting_links=[(item, waiting_url(item)) for item in dash.waiting])
        title, total, rows = waiting_for(current_user)
        return self.render("admin/home.html", dash=None, waiting_title=title, waiting_total=total, waiting=rows,
                           status_counts=counts_by_status(current_user))
