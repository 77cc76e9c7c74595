"""The applicant's own application is fetched through ``access`` (issue 19.1): the applicant's scope — never a
reviewer's, although the reviewer sees the row — and none for a deactivated account."""
from __future__ import annotations

import pytest

from wxk_admin.domain import access, applying
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Status
from wxk_admin.models import Application, db


def test_only_the_applicant_owns_their_application_and_a_deactivated_account_owns_none(world):
    application = world.apps["a_submitted"]
    application.status = Status.rejected  # back in the applicant's hands, and still in the unit admin's list
    db.session.commit()
    admin, owner, other = world.users["admin_a"], world.users["appl_a"], world.users["appl_b"]

    assert access.visible_application(db.session, admin, application.id) is application  # the admin sees it,
    assert applying.own_application(db.session, Actor(admin), application.id) is None  # it is not theirs
    assert applying.own_application(db.session, Actor(other), application.id) is None
    assert applying.own_application(db.session, Actor(owner), str(application.id)) is application
    with pytest.raises(applying.NotYours):
        applying.save_draft(db.session, application, {"name": "篡改"}, Actor(admin))
    db.session.rollback()

    owner.active = False
    db.session.commit()
    assert applying.own_application(db.session, Actor(owner), application.id) is None
    with pytest.raises(applying.NotYours):
        applying.save_draft(db.session, application, {"name": "篡改"}, Actor(owner))
    with pytest.raises(applying.NotYours):
        applying.submit(db.session, application, Actor(owner))
    db.session.rollback()
    db.session.expire_all()
    kept = db.session.get(Application, application.id)
    assert (kept.name, kept.status) == ("甲一", Status.rejected)
