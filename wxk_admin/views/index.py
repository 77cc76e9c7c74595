"""The console's home: who you are and what waits for you."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from ..domain.dashboard import Waiting, counts_by_status, dashboard_data, next_for
from ..extensions import db
from ..security import current_actor
from .base import StaticUrls

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


class HomeView(StaticUrls, AdminIndexView):
    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(url_for("account.login_view", next=request.full_path))
        actor = current_actor()
        dash = dashboard_data(db.session, actor)
        if dash:  # office, IT, unit admins: the dashboard shows what waits and the counts
            return self.render("admin/home.html", dash=dash,
                               waiting_links=[(item, waiting_url(item)) for item in dash.waiting])
        title, total, rows = next_for(db.session, actor)
        return self.render("admin/home.html", dash=None, waiting_title=title, waiting_total=total, waiting=rows,
                           status_counts=counts_by_status(db.session, actor))
