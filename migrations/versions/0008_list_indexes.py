"""The application list's common filters seek an index (issue 19.6): 状态, 门类, 推荐单位, 年度 alone and in pairs.

Each index is the filtered columns, then the list's default sort (submitted_at, id), then status where the
scope (not a draft) reads it — so the page's ids and the capped count stay index seeks at 1,000,000 rows.
Built on existing rows by CREATE INDEX (a few seconds each at 1,000,000 rows); nothing to convert.

Revision ID: 0008_list_indexes
Revises: 0007_integrity
"""
from alembic import op


revision = "0008_list_indexes"
down_revision = "0007_integrity"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_applications_status_list": ["status", "submitted_at", "id"],
    "ix_applications_category_list": ["category", "submitted_at", "id", "status"],
    "ix_applications_cycle_list": ["cycle_id", "submitted_at", "id", "status"],
    "ix_applications_status_category_list": ["status", "category", "submitted_at", "id"],
    "ix_applications_cycle_status_list": ["cycle_id", "status", "submitted_at", "id"],
    "ix_applications_cycle_category_list": ["cycle_id", "category", "submitted_at", "id", "status"],
    "ix_applications_unit_category_list": ["unit_id", "category", "submitted_at", "id", "status"],
    "ix_applications_unit_cycle_list": ["unit_id", "cycle_id", "submitted_at", "id", "status"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "applications", columns, unique=False)


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="applications")
