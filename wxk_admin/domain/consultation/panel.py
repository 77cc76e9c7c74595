"""The consultation panel of the details page: materials, group, vote, objections, onboarding — tallies for
the office only."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .. import workflow
from ..audit import Actor
from ...enums import Category, Role
from ...models import Application, ExpertGroup, Objection
from .common import group_of_application
from .disqualification import DISQUALIFY_REASONS
from .onboarding import onboarding_missing_steps
from .voting import progress

# Who sees the panel at all, and who of them sees the office's part (votes, objections, onboarding).
PANEL_ROLES = frozenset({Role.office, Role.it_admin, Role.unit_admin, Role.supervisor})
OFFICE_SIDE = frozenset({Role.office, Role.it_admin, Role.supervisor})


# Objections are taken while the notice is open (notice.record_objection): an application that never reached
# it has none, and its panel asks no statement for them.
MAY_HAVE_OBJECTIONS = workflow.reachable_from(workflow.sources("uphold_objection"))
_OBJECTIONS = select(Objection).where(Objection.application_id == bindparam("application_id")).order_by(Objection.id)


def panel_data(session, actor: Actor, app: Application) -> dict | None:
    """What the consultation panel of the details page shows the actor; tallies for the office only."""
    user = actor.acting_as
    if user is None:
        return None
    role = Role(user.role)
    if role not in PANEL_ROLES:
        return None
    # For the office side, the group with its members in one statement: the tally reads them (a lazy load fewer).
    group = (session.get(ExpertGroup, app.expert_group_id, options=(joinedload(ExpertGroup.members),))
             if role in OFFICE_SIDE and app.expert_group_id else group_of_application(session, app))
    data = {"materials": app.materials, "group": group,
            "group_label": Category(group.category).label + "咨询组" if group else None,
            "tally": None, "progress": None, "objections": [], "onboarding": None,
            "can_disqualify": workflow.can(app, "disqualify", actor),
            "disqualify_reasons": DISQUALIFY_REASONS,
            "is_office": role in OFFICE_SIDE}
    if data["is_office"]:
        # Counts only once the group's vote is closed; while open, how many have voted (n of m).
        data["progress"] = progress(session, app) if group else None
        data["tally"] = data["progress"].tally if data["progress"] else None
        if app.status in MAY_HAVE_OBJECTIONS:
            data["objections"] = session.scalars(_OBJECTIONS, {"application_id": app.id}).all()
        if app.status == workflow.target("admit"):
            data["onboarding"] = onboarding_missing_steps(app)
    return data
