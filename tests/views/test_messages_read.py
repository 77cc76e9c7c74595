"""Issue 18.7 — reading a 站内信 is a GET that changes nothing; 标为已读 is a POST (a button on the
message, or the list's action over the ticked messages), for the recipient's own messages only."""
from __future__ import annotations

import re

from wxk_admin.models import Message, db

from ..support.security import GET_MAY_CHANGE


def _messages(world, *recipients):
    rows = [Message(recipient_id=world.users[r].id, subject=f"致{r}的通知", body=f"{r}的正文") for r in recipients]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _read_at(message):
    db.session.expire_all()
    return db.session.get(Message, message.id).read_at


def test_opening_a_message_changes_nothing(app, client, world):
    (mine,) = _messages(world, "appl_a")
    client.login("appl_a")
    page = client.text(f"/admin/inbox/details/?id={mine.id}")
    assert "appl_a的正文" in page
    assert _read_at(mine) is None
    assert 'id="unread-count">1<' in page
    form = re.search(r'<form method="post" action="([^"]*)" id="mark-read-form">(.*?)</form>', page, re.S)
    assert form and form.group(1).startswith("/admin/inbox/read/") and "标为已读" in form.group(2)


def test_mark_read_button_is_a_post_for_own_messages(app, client, world):
    mine, theirs = _messages(world, "appl_a", "appl_b")
    client.login("appl_a")
    r = client.post("/admin/inbox/read/", {"id": str(mine.id)}, token_from="/admin/inbox/", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "已标为已读" in page and 'id="unread-count"' not in page
    assert _read_at(mine) is not None
    client.post("/admin/inbox/read/", {"id": str(theirs.id)}, token_from="/admin/inbox/")
    assert _read_at(theirs) is None
    # without the CSRF token: refused, nothing changes
    (other,) = _messages(world, "appl_a")
    r = client.post("/admin/inbox/read/", {"id": str(other.id)}, csrf=False)
    assert r.status_code == 400 and _read_at(other) is None


def test_list_action_marks_the_ticked_messages_read(app, client, world):
    first, second, theirs = _messages(world, "admin_a", "admin_a", "admin_b")
    client.login("admin_a")
    listing = client.text("/admin/inbox/")
    assert "标为已读" in listing
    client.post("/admin/inbox/action/", [("action", "mark_read"), ("rowid", str(first.id)), ("rowid", str(theirs.id))],
                token_from="/admin/inbox/")
    assert _read_at(first) is not None
    assert _read_at(second) is None and _read_at(theirs) is None


def test_no_get_may_change_data():
    # The authorisation walk (test_security_authz) checks every GET against a fingerprint of every column.
    assert GET_MAY_CHANGE == {}
