"""作品重复申报 (issue 15.2): normalised keys of declared works, indexed, filled for existing rows.

books.isbn_key (ISBN-13 digits), books.cip_key (canonical CIP number) and publications.piece_key (digest of
the normalised title + journal + issue), computed in Python by the same functions the app uses
(wxk_admin/integrity.py), in batches of 5,000 rows by id; the indexes are built after the fill.

Revision ID: 0007_integrity
Revises: 0006_oversight
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_integrity"
down_revision = "0006_oversight"
branch_labels = None
depends_on = None

BATCH = 5000


def _fill(conn, table, columns, keys):
    """Set ``keys`` (name → function of the row) for every row of ``table``, in batches by id."""
    update = sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(
        **{name: sa.bindparam(f"new_{name}") for name in keys})
    last = 0
    while True:
        rows = conn.execute(sa.select(table.c.id, *(table.c[c] for c in columns)).where(table.c.id > last)
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(update, [{"row_id": row.id, **{f"new_{name}": make(row) for name, make in keys.items()}}
                              for row in rows])
        last = rows[-1].id


def upgrade():
    from wxk_admin.domain.integrity import cip_key, isbn_key, piece_key

    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.add_column(sa.Column("isbn_key", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("cip_key", sa.String(length=10), nullable=True))
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("piece_key", sa.String(length=32), nullable=True))

    conn = op.get_bind()
    books = sa.table("books", sa.column("id", sa.Integer), sa.column("isbn", sa.String), sa.column("cip_no", sa.String),
                     sa.column("isbn_key", sa.String), sa.column("cip_key", sa.String))
    _fill(conn, books, ("isbn", "cip_no"), {"isbn_key": lambda r: isbn_key(r.isbn), "cip_key": lambda r: cip_key(r.cip_no)})
    publications = sa.table("publications", sa.column("id", sa.Integer), sa.column("title", sa.String),
                            sa.column("venue", sa.String), sa.column("issue", sa.String),
                            sa.column("piece_key", sa.String))
    _fill(conn, publications, ("title", "venue", "issue"),
          {"piece_key": lambda r: piece_key(r.title, r.venue, r.issue)})

    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_books_isbn_key"), ["isbn_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_books_cip_key"), ["cip_key"], unique=False)
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_piece_key"), ["piece_key"], unique=False)


def downgrade():
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_piece_key"))
        batch_op.drop_column("piece_key")
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_books_cip_key"))
        batch_op.drop_index(batch_op.f("ix_books_isbn_key"))
        batch_op.drop_column("cip_key")
        batch_op.drop_column("isbn_key")
