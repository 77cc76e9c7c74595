"""The role behind every view's gate is worked out once per request (the menu asks two dozen views) — and
worked out again when the request logs someone in or out, so a gate never answers for the previous user."""
from flask_login import login_user, logout_user

from wxk_admin.enums import Role
from wxk_admin.views.base import current_role


def test_role_follows_login_and_logout_within_a_request(app, world):
    with app.test_request_context("/admin/"):
        assert current_role() is None
        login_user(world.users["office"])
        assert current_role() is Role.office
        logout_user()
        assert current_role() is None
        login_user(world.users["admin_a"])
        assert current_role() is Role.unit_admin
