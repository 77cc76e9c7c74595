"""The console's POST forms carry their hidden fields through one macro (templates/_forms.html, hidden_fields):
posting exactly what a form holds — its own CSRF token included — does the work the button says."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from wxk_admin.enums import RecusalReason, Status
from wxk_admin.models import MaterialItem, Recusal, db

from ..domain.test_consultation import panel  # noqa: F401 - the fixture
from ..support.consultation import add_app
from ..support.helpers import redirect_target

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _forms(page: str, action: str) -> list[dict[str, str]]:
    """The hidden fields of each form posting to ``action``, as the browser would send them."""
    bodies = re.findall(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    return [{name: html.unescape(value) for name, value in HIDDEN.findall(body)} for body in bodies]


def test_confirm_recusal_posts_the_conflict_it_shows(client, panel):  # noqa: F811
    client.login("office")
    page = client.text(f"/admin/consultation/votes/?group={panel['group'].id}")
    kin = [f for f in _forms(page, "/admin/consultation/recusal/") if f.get("expert_id")
           and f["application_id"] == str(panel["a2"].id)]
    assert len(kin) == 1 and kin[0]["csrf_token"]
    assert kin[0]["group_id"] == str(panel["group"].id) and kin[0]["expert_id"] == str(panel["experts"][1].id)
    assert kin[0]["reason"] == "relative" and "姓名与专家所列直系亲属相同" in kin[0]["note"]
    r = client.post("/admin/consultation/recusal/", kin[0], csrf=False)
    assert redirect_target(r) == ("/admin/consultation/votes/", {"group": [str(panel["group"].id)]})
    recusal = db.session.scalar(select(Recusal))
    assert (recusal.application_id, recusal.expert_id, recusal.reason) == (
        panel["a2"].id, panel["experts"][1].id, RecusalReason.relative)
    assert "姓名与专家所列直系亲属相同" in recusal.note


def test_all_received_posts_the_application_it_stands_in(client, world):
    confirmed = add_app(db.session, world, "材料甲", Status.office_confirmed)
    db.session.commit()
    assert confirmed.materials, "the factory gives an office-confirmed application its checklist"
    client.login("office")
    page = client.text("/admin/materials/")
    mine = [f for f in _forms(page, "/admin/materials/mark-all/") if f["application_id"] == str(confirmed.id)]
    assert len(mine) == 1 and mine[0]["csrf_token"] and mine[0]["next"].startswith("/admin/materials/")
    r = client.post("/admin/materials/mark-all/", mine[0], csrf=False)
    assert redirect_target(r) == ("/admin/materials/", {})  # back where it was
    db.session.expire_all()
    items = db.session.scalars(select(MaterialItem).where(MaterialItem.application_id == confirmed.id)).all()
    assert items and all(item.office_received_at for item in items)
