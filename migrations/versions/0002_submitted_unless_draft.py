"""Only a draft lacks 提交时间: CHECK (status = 'draft' OR submitted_at IS NOT NULL).

Submitting stamps ``submitted_at`` and nothing clears it, so existing data already
agrees; a row that does not (edited by hand in the database) gets the earliest
time the workflow recorded for it — 团体会员确认 / 会员处确认 — or, failing those,
its creation time, rather than being refused by the upgrade.

Revision ID: 0002_submitted_unless_draft
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_submitted_unless_draft"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

CONSTRAINT = "submitted_unless_draft"


def upgrade():
    op.execute(sa.text(
        "UPDATE applications SET submitted_at = COALESCE(unit_confirmed_at, office_confirmed_at, created_at) "
        "WHERE status <> 'draft' AND submitted_at IS NULL"
    ))
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(f"ck_applications_{CONSTRAINT}"),
                                         "status = 'draft' OR submitted_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_applications_{CONSTRAINT}"), type_="check")
