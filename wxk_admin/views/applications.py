"""申请入会管理 — the application list and details for reviewers (unit admins, office, experts, IT)."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import access
from ..enums import Role
from ..models import Application
from .base import EDIT, EXPORT, READ, SecureModelView, list_link, status_badge
from .exports import ExportMixin
from .filters import application_filters


class ApplicationView(ExportMixin, SecureModelView):
    """申请入会管理."""

    roles = frozenset({Role.unit_admin, Role.office, Role.it_admin, Role.expert})
    permissions = {
        Role.unit_admin: frozenset({READ, EDIT, EXPORT}),
        Role.office: frozenset({READ, EXPORT}),
        Role.it_admin: frozenset({READ, EDIT, EXPORT}),
        Role.expert: frozenset({READ}),
    }
    # Owner, unit, cycle, workflow state and serial are set by code, never by a form.
    protected_columns = ("applicant", "applicant_id", "unit", "unit_id", "cycle", "cycle_id", "status",
                         "serial_no", "serial_seq", "version", "expert_group", "notice")
    column_list = ("name", "pen_name", "category", "style", "status", "serial_no", "submitted_at")
    column_default_sort = ("submitted_at", True)
    column_formatters = {
        "name": lambda v, c, m, p: list_link(v, m, m.name),
        "status": lambda v, c, m, p: status_badge(m.status),
    }
    column_formatters_export = {}
    column_searchable_list = ("name", "pen_name", "mobile", "id_number", "serial_no")
    column_filters = application_filters()
    form_excluded_columns = ("books", "publications", "web_works", "film_works", "awards", "reprints",
                             "recommenders", "materials")

    def scope(self, user):
        return access.application_filter(user)

    def get_query(self):
        return super().get_query().options(selectinload(Application.unit))

    @property
    def can_edit(self):
        # Only unit admins (their unit's submitted rows) and IT correct data directly.
        return super().can_edit and current_user.role in (Role.unit_admin, Role.it_admin)


def register(admin) -> None:
    admin.add_view(ApplicationView(Application, name="申请入会管理", endpoint="applications"))
