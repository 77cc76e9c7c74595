"""姓名 sorts by 拼音: applications.name_sort_key (pypinyin, wxk_admin/names.py), filled for existing rows, indexed.

The key is computed in Python (the same function the model's "set" event uses), in batches of
5,000 rows by id, so a large table is neither read into memory at once nor locked for one long update.

Revision ID: 0004_name_sort_key
Revises: 0003_journal_levels
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_name_sort_key"
down_revision = "0003_journal_levels"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    from wxk_admin.domain.names import name_sort_key

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_sort_key", sa.String(length=255), server_default="", nullable=False))
    conn = op.get_bind()
    applications = sa.table("applications", sa.column("id", sa.Integer), sa.column("name", sa.String),
                            sa.column("name_sort_key", sa.String))
    update = (sa.update(applications).where(applications.c.id == sa.bindparam("row_id"))
              .values(name_sort_key=sa.bindparam("key")))
    last = 0
    while True:
        rows = conn.execute(sa.select(applications.c.id, applications.c.name).where(applications.c.id > last)
                            .order_by(applications.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(update, [{"row_id": row.id, "key": name_sort_key(row.name)} for row in rows])
        last = rows[-1].id
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_name_sort_key"), ["name_sort_key"], unique=False)


def downgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_name_sort_key"))
        batch_op.drop_column("name_sort_key")
