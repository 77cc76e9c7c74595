"""A unit admin's list with two filters seeks an index (issue 19.6): 推荐单位 (the scope) + 状态 + 门类, and
推荐单位 + 年度 + 门类.  At 1,000,000 rows (~23,000 a unit) the unit's 门类 rows were walked testing 状态 in the
index, and the unit's year's rows testing 门类 in the table — growing with the unit.  Each index is the
filtered columns, then the list's default sort (submitted_at, id), then status where the scope reads it
(as 0008's).  unit + 状态 + 年度 is 0009's (cycle_id, unit_id, status, submitted_at).  Built on existing rows by
CREATE INDEX; nothing to convert.

Revision ID: 0010_unit_pair_indexes
Revises: 0009_dashboard_indexes
"""
from alembic import op

revision = "0010_unit_pair_indexes"
down_revision = "0009_dashboard_indexes"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_applications_unit_status_category_list": ["unit_id", "status", "category", "submitted_at", "id"],
    "ix_applications_unit_cycle_category_list": ["unit_id", "cycle_id", "category", "submitted_at", "id", "status"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "applications", columns, unique=False)
    conn = op.get_bind()
    # As 0008: SQLite judges an index without statistics beside ones with; refresh them where there are some.
    if conn.dialect.name == "sqlite" and conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() and conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_stat1 WHERE tbl = 'applications'").first():
        conn.exec_driver_sql("ANALYZE applications")


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="applications")
