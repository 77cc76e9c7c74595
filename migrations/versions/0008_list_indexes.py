"""The application list's common filters seek an index (issue 19.6): 状态, 门类, 推荐单位, 年度 alone and in pairs.

Each index is the filtered columns, then the list's default sort (submitted_at, id), then status where the
scope (not a draft) reads it — so the page's ids and the capped count stay index seeks at 1,000,000 rows.
Built on existing rows by CREATE INDEX (a few seconds each at 1,000,000 rows); nothing to convert.  The
single-column indexes of status, category, cycle_id and unit_id are dropped: each leads one of these (a
prefix serves what it served), and PostgreSQL, when estimates tie, picked the narrow one and tested the
other filter row by row.

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

# Prefixes of the above (unit_id: of ix_applications_unit_status_submitted, 0001).
REDUNDANT = {"ix_applications_status": ["status"], "ix_applications_category": ["category"],
             "ix_applications_cycle_id": ["cycle_id"], "ix_applications_unit_id": ["unit_id"]}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "applications", columns, unique=False)
    for name in REDUNDANT:
        op.drop_index(name, table_name="applications")
    _refresh_statistics()


def _refresh_statistics():
    """SQLite judges an index without statistics beside ones with: at 1,000,000 rows it took the new
    (cycle_id, …) index for the 往年 mark's probe instead of 身份证号's, walking a whole cycle per listed row.
    So a database that has statistics gets those of applications again (seconds); one without (new, or
    empty) keeps none, as statistics of empty tables would make SQLite prefer scans later."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return  # PostgreSQL plans from column statistics, which a new index does not change
    has_stats = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
    if has_stats and conn.exec_driver_sql("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'applications'").first():
        conn.exec_driver_sql("ANALYZE applications")


def downgrade():
    for name, columns in REDUNDANT.items():
        op.create_index(name, "applications", columns, unique=False)
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="applications")
