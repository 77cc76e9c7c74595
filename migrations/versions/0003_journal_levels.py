"""Journal levels are independent yes/no properties (issue 13.6).

First version: revision placeholder so later revisions can chain onto it; the
columns follow in the next commit of this file.

Revision ID: 0003_journal_levels
Revises: 0002_submitted_unless_draft
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = "0003_journal_levels"
down_revision = "0002_submitted_unless_draft"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
