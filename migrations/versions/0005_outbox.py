"""Outbox (issue 15.5): placeholder, filled in shortly.

Revision ID: 0005_outbox
Revises: 0004_name_sort_key
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = "0005_outbox"
down_revision = "0004_name_sort_key"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
