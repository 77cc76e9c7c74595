"""Oversight (issue 15.1, 15.4): the 纪检监察 role, and objections sent from the public notice page.

The role list is a CHECK constraint (``ck_users_role``): it is rebuilt with ``supervisor``.  Existing
objections were all typed in by the office: they get the source ``office``.

Revision ID: 0006_oversight
Revises: 0005_outbox
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_oversight"
down_revision = "0005_outbox"
branch_labels = None
depends_on = None

OLD_ROLES = ("applicant", "unit_admin", "office", "expert", "it_admin")
NEW_ROLES = OLD_ROLES + ("supervisor",)


def _roles_check(batch_op, roles) -> None:
    batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
    batch_op.create_check_constraint(op.f("ck_users_role"), "role IN (%s)" % ", ".join(f"'{r}'" for r in roles))


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        _roles_check(batch_op, NEW_ROLES)
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.Enum("office", "public", name="objection_source",
                                                        native_enum=False, create_constraint=True, length=32),
                                      nullable=False, server_default="office"))
        batch_op.add_column(sa.Column("contact", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("receipt_no", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_objections_receipt_no"), ["receipt_no"])
    # The default only filled the existing rows; new rows get theirs from the model.
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.alter_column("source", server_default=None)


def downgrade():
    op.execute(sa.text("DELETE FROM objections WHERE source = 'public'"))
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_objections_receipt_no"), type_="unique")
        batch_op.drop_column("receipt_no")
        batch_op.drop_column("contact")
        batch_op.drop_constraint(op.f("ck_objections_objection_source"), type_="check")
        batch_op.drop_column("source")
    op.execute(sa.text("UPDATE users SET role = 'office', active = false WHERE role = 'supervisor'"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        _roles_check(batch_op, OLD_ROLES)
