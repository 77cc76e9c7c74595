"""Row-level access: which rows each role may see — one function per role (SPEC §1).

Every view, action, export and download goes through ``application_filter``;
nothing else decides who sees an application.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..enums import Role, Status
from ..models import Application, ExpertGroup, ExpertGroupMember, Message, Notice, Recusal, User
from ..params import id_arg

# States in which an application is in front of the expert groups.
EXPERT_VISIBLE_STATES = (Status.expert_review, Status.expert_passed, Status.expert_failed)


def _applicant(user: User) -> ColumnElement[bool]:
    return Application.applicant_id == user.id


def _submitted() -> ColumnElement[bool]:
    """Submitted applications: not drafts.  "submitted_at IS NOT NULL" says the same (a CHECK constraint
    guarantees it) and lets PostgreSQL's newest-first index scan skip the drafts (NULLs sort first)."""
    return and_(Application.status != Status.draft, Application.submitted_at.is_not(None))


def _unit_admin(user: User) -> ColumnElement[bool]:
    # Drafts are the applicant's own until submitted; a unit admin without a unit sees nothing.
    if user.unit_id is None:
        return false()
    return and_(Application.unit_id == user.unit_id, _submitted())


def _office(user: User) -> ColumnElement[bool]:
    return _submitted()


def _expert(user: User) -> ColumnElement[bool]:
    in_group = exists(
        select(ExpertGroupMember.id).where(
            ExpertGroupMember.group_id == Application.expert_group_id,
            ExpertGroupMember.expert_id == user.id,
        )
    )
    recused = exists(
        select(Recusal.id).where(Recusal.application_id == Application.id, Recusal.expert_id == user.id)
    )
    return and_(Application.status.in_(EXPERT_VISIBLE_STATES), in_group, ~recused)


def _it_admin(user: User) -> ColumnElement[bool]:
    return true()


def _supervisor(user: User) -> ColumnElement[bool]:
    # 纪检监察 watch the whole process the office runs: every submitted application, read only.
    return _submitted()


APPLICATION_SCOPE = {
    Role.applicant: _applicant,
    Role.unit_admin: _unit_admin,
    Role.office: _office,
    Role.expert: _expert,
    Role.it_admin: _it_admin,
    Role.supervisor: _supervisor,
}

# Roles that read and never change: every POST of theirs is refused (views.base.refuse_changes).
READ_ONLY_ROLES = frozenset({Role.supervisor})

# Personal data a role never reads, on any page, in search or in a change of the 操作记录 (issue 15.1):
# the supervisor watches the process, not the people's contact details.
WITHHELD_FIELDS = {Role.supervisor: frozenset({"id_number", "mobile", "email", "address", "postcode"})}


def withheld_fields(role) -> frozenset[str]:
    """The Application columns ``role`` may never read."""
    return WITHHELD_FIELDS.get(role, frozenset())


def application_filter(user: User | None) -> ColumnElement[bool]:
    """The WHERE clause limiting ``Application`` rows to what ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    return APPLICATION_SCOPE[Role(user.role)](user)


def visible_application(session, user: User | None, application_id) -> Application | None:
    """The application with this id if ``user`` may see it, else None (never another unit's row)."""
    return scoped_row(session, user, Application, application_id)


def message_filter(user: User) -> ColumnElement[bool]:
    """Every role reads only its own 站内信 (IT included: messages are personal)."""
    return Message.recipient_id == user.id


def every_row(user: User) -> ColumnElement[bool]:
    """Every row: a view's declared choice for a table every role that opens it may read whole
    (reference data, the platform's own logs).  A model view that declares nothing sees no row."""
    return true()


def user_filter(user: User) -> ColumnElement[bool]:
    """IT sees every account; a unit admin only the proxy accounts of their own unit."""
    if user.role == Role.it_admin:
        return true()
    if user.role == Role.unit_admin and user.unit_id is not None:
        return and_(User.unit_id == user.unit_id, User.is_proxy.is_(True))
    return User.id == user.id


def office_records(user: User) -> ColumnElement[bool]:
    """Expert groups and notices: the office runs them, IT maintains them, 纪检监察 watch them."""
    return true() if user.role in (Role.office, Role.it_admin, Role.supervisor) else false()


# The scope of each table a request may name a row of by id (``scoped_row``); a table not here has none.
ROW_SCOPES = {Application: application_filter, Message: message_filter, User: user_filter,
              ExpertGroup: office_records, Notice: office_records}


def scoped_row(session, user: User | None, model, raw_id, options=()):
    """The ``model`` row whose id is ``raw_id`` if ``user`` may touch it, else None — also for an id that is
    no id (text, a number past BIGINT) and for a signed-out or deactivated user.  ``options``: loader options
    (what the caller reads of the row's relations, in the same statement)."""
    pk = id_arg(raw_id)
    if pk is None or user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return None
    return session.scalars(select(model).where(model.id == pk, ROW_SCOPES[model](user)).options(*options)).first()
