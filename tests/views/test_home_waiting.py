"""首页 of a role without a dashboard (experts, 纪检监察; the office, IT and unit admins when no cycle is current):
what waits for the role, within its rows — pinned by literal titles and application names, one per state."""
from __future__ import annotations

import re

import pytest

from wxk_admin.enums import Status
from wxk_admin.models import db

from ..support.consultation import add_app, group_with

CARD = re.compile(r'<div class="card-header">([^<]*)（共 <span id="waiting-total">(\d+)</span> 件）</div>\s*'
                  r'<ul class="list-group list-group-flush" id="waiting-list">(.*?)</ul>', re.S)
ITEM = re.compile(r'<li class="list-group-item">([^<·（]+?)\s*(?:（[^）]*）)?\s*·')  # the name, not its pen name


def _every_state(world) -> None:
    """One application of unit 甲 in each state (named by it), one 直接申报 application 提交 (直报一, the world's),
    one of unit 乙 (乙一); the expert's group holds those before the experts."""
    group = group_with(db.session, world, [world.users["expert"]])
    for status in Status:
        if status != Status.submitted:  # 甲一 is unit 甲's
            app = add_app(db.session, world, status.value, status, name=f"甲-{status.value}")
            if status in (Status.expert_review, Status.expert_passed, Status.expert_failed):
                app.expert_group_id = group.id
    db.session.commit()


def _waiting(client, username) -> tuple[str, int, set[str]]:
    client.login(username)
    page = client.text("/admin/")
    client.logout()
    assert 'id="dashboard"' not in page
    title, total, items = CARD.search(page).groups()
    return title, int(total), set(ITEM.findall(items))


@pytest.mark.parametrize("username, title, names", [
    ("expert", "待审读投票的申请", {"甲-expert_review"}),
    ("supervisor", "公示中的申请", {"甲-on_notice"}),
])
def test_what_waits_for_a_role_without_a_dashboard(client, world, profile, username, title, names):
    _every_state(world)
    assert _waiting(client, username) == (profile.say(title), len(names), names)


@pytest.mark.parametrize("username, title, names", [
    ("admin_a", "待审核的入会申请", {"甲一"}),
    ("office", "团体会员已确认、待会员处确认", {"甲-unit_confirmed"}),
    ("it", "待团体会员审核的申请（全平台）", {"甲一", "乙一", "直报一"}),
])
def test_what_waits_when_no_cycle_is_current(client, world, profile, username, title, names):
    _every_state(world)
    world.cycle.is_current = False  # no dashboard without a current cycle
    db.session.commit()
    assert _waiting(client, username) == (profile.say(title), len(names), names)
