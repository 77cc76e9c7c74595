"""Votes are secret (002 第三条(三)2 「以无记名投票方式确定本组评审结果」; 001 七.1 「不得泄露相关工作情况」).

Another expert, a unit admin and even the office request every GET URL the console has,
with every id we know: the first expert's reading note never appears, nor who voted how.
"""
from __future__ import annotations

import pytest

from wxk_admin.domain.consultation.voting import cast_vote
from wxk_admin.models import db

from ..support.consultation import actor, experts_in_a_group, in_review

NOTE = "秘密审读意见-独一无二的文字"


def _get_urls(app, ids):
    """Every GET rule of the app, with each id we know put into every argument and query."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or "logout" in rule.endpoint:
            continue
        args = {}
        for arg in rule.arguments:
            args[arg] = "xlsx" if arg == "export_type" else str(ids[0])
        try:
            base = rule.build(args, append_unknown=False)[1]
        except Exception:  # noqa: BLE001 - a converter that does not take our value
            continue
        urls.append(base)
        for value in ids:
            for key in ("id", "group"):
                urls.append(f"{base}?{key}={value}")
        if rule.arguments and "export_type" in rule.arguments:
            urls.append(base.replace("xlsx", "csv"))
    return sorted(set(urls))


@pytest.fixture
def secret_vote(world):
    s = db.session
    voter, other, group = experts_in_a_group(s, world, ("voter", "投票专家"), ("other", "另一专家"))
    app = in_review(s, world, "被审读者", group)
    s.commit()
    vote = cast_vote(s, actor(voter), app.id, "failed", NOTE)
    s.commit()
    return {"app": app, "group": group, "vote": vote, "voter": voter}


@pytest.mark.parametrize("username", ["other", "admin_a", "office"])
def test_nobody_else_sees_a_vote_by_any_url(app, client, world, secret_vote, username):
    ids = sorted({secret_vote["app"].id, secret_vote["group"].id, secret_vote["vote"].id, world.cycle.id,
                  secret_vote["voter"].id})
    client.login(username)
    urls = _get_urls(app, ids)
    assert len(urls) > 50  # the walk really covers the console
    seen = 0
    for url in urls:
        r = client.get(url)
        body = r.get_data(as_text=True) if r.mimetype.startswith("text") else r.data.decode("latin-1")
        assert NOTE not in body, url
        if r.status_code == 200:
            seen += 1
    assert seen > 3


def test_the_voter_sees_their_own_vote(client, secret_vote):
    client.login("voter")
    page = client.text(f"/admin/expert/app/?id={secret_vote['app'].id}")
    assert NOTE in page and "已投票：<strong>不通过</strong>" in page


def test_office_sees_only_how_many_voted_while_open(client, secret_vote):
    client.login("office")
    page = client.text(f"/admin/consultation/votes/?group={secret_vote['group'].id}")
    row = page[page.index(f'id="tally-{secret_vote["app"].id}"'):]
    row = row[:row.index("</tr>")]
    assert "已投票 1/2" in row
    # Neither counts nor the one who has not voted (with one vote cast, that would name the voter).
    assert "不通过" not in row and "另一专家" not in row and "投票专家" not in row and "尚未投票" not in page
