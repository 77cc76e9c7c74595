"""书记处: the secretariat's vote on those the experts passed (001 五; 002 第三条(四))."""
from __future__ import annotations

from .. import workflow
from ..audit import Actor
from ...enums import Role, Status
from .common import Refused, int_field, passes, require_role, visible


def record_secretariat(session, actor: Actor, application_id, *, present, in_favour, against, abstain):
    """The secretariat's tally: more than half of those present in favour approves (001 五; 002 第三条(四))."""
    require_role(actor, Role.office)
    app = visible(session, actor, application_id)
    if app.status not in workflow.sources("secretariat_approve"):
        raise Refused(f"当前状态为「{Status(app.status).label}」，不能登记书记处表决（书记处不另行提名）")
    present = int_field(present, "出席人数", 1)
    in_favour = int_field(in_favour, "赞成票")
    against = int_field(against, "反对票")
    abstain = int_field(abstain, "弃权票")
    if in_favour + against + abstain > present:
        raise Refused(f"赞成 {in_favour} + 反对 {against} + 弃权 {abstain} = {in_favour + against + abstain}，"
                      f"超过出席人数 {present}，票数不符")
    name = "secretariat_approve" if passes(in_favour, present) else "secretariat_reject"
    app.secretariat_present, app.secretariat_for = present, in_favour
    app.secretariat_against, app.secretariat_abstain = against, abstain
    return workflow.apply(session, app, name, actor,
                          opinion=f"书记处表决：出席 {present} 人，赞成 {in_favour}，反对 {against}，弃权 {abstain}")
