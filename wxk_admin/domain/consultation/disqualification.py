"""取消申请资格 (002 第五条 5): from any live state, with a reason."""
from __future__ import annotations

from .. import workflow
from ..audit import Actor
from ...enums import Role
from .common import Refused, require_role, visible

# 第五条 5: 有抄袭、剽窃、弄虚作假以及请托、行贿行为的申请者，取消其申请资格。
DISQUALIFY_REASONS = ("抄袭、剽窃", "弄虚作假", "请托、行贿")


def disqualify(session, actor: Actor, application_id, reasons=(), detail: str | None = None):
    """取消申请资格 with a reason; the applicant is told (workflow sends the 站内信)."""
    require_role(actor, Role.office)
    app = visible(session, actor, application_id)
    chosen = [r for r in reasons if r in DISQUALIFY_REASONS]
    detail = (detail or "").strip()
    text = "；".join(chosen + ([detail] if detail else []))
    if not text:
        raise Refused("取消申请资格必须填写原因")
    return workflow.apply(session, app, "disqualify", actor, opinion=text)
