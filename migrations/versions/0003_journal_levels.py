"""Journal levels are independent yes/no properties (issue 13.6).

A journal can be 省级及以上 and 中文核心期刊 and 全国重点文学期刊 at once (《花城》), so the single
``publications.venue_level`` becomes ``circulation`` (全国公开发行 / 内部刊物 / 多人合集) plus three
booleans.  Existing rows keep what they said: national_key → public + 全国重点 + 省级及以上, core → public +
中文核心 + 省级及以上 (both kinds of journal are also 省级及以上), provincial → public + 省级及以上, public /
internal / anthology → that circulation.  The mapping is one-to-one, so the downgrade gives every row its
old value back (the highest level ticked) and the old column is dropped.

Revision ID: 0003_journal_levels
Revises: 0002_submitted_unless_draft
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_journal_levels"
down_revision = "0002_submitted_unless_draft"
branch_labels = None
depends_on = None

OLD_LEVELS = ("national_key", "core", "provincial", "public", "internal", "anthology")
CIRCULATIONS = ("public", "internal", "anthology")
FLAGS = ("level_provincial", "level_core", "level_national_key")


def _table():
    return sa.table("publications", sa.column("venue_level", sa.String), sa.column("circulation", sa.String),
                    *(sa.column(flag, sa.Boolean) for flag in FLAGS))


def upgrade():
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("circulation", sa.Enum(*CIRCULATIONS, name="circulation", native_enum=False,
                                                             create_constraint=True, length=32), nullable=True))
        for flag in FLAGS:
            batch_op.add_column(sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False))

    t = _table()
    level = t.c.venue_level
    op.execute(t.update().where(level.is_not(None)).values(
        circulation=sa.case((level.in_(CIRCULATIONS[1:]), level), else_=sa.literal("public")),
        level_provincial=sa.case((level.in_(("national_key", "core", "provincial")), sa.true()), else_=sa.false()),
        level_core=sa.case((level == "core", sa.true()), else_=sa.false()),
        level_national_key=sa.case((level == "national_key", sa.true()), else_=sa.false()),
    ))

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_publications_venue_level"), type_="check")  # SQLite keeps it otherwise
        batch_op.drop_column("venue_level")


def downgrade():
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("venue_level", sa.Enum(*OLD_LEVELS, name="venue_level", native_enum=False,
                                                             create_constraint=True, length=32), nullable=True))
    t = _table()
    op.execute(t.update().where(sa.or_(t.c.circulation.is_not(None), *(t.c[f] for f in FLAGS))).values(
        venue_level=sa.case(
            (t.c.circulation.in_(CIRCULATIONS[1:]), t.c.circulation),
            (t.c.level_national_key, sa.literal("national_key")),
            (t.c.level_core, sa.literal("core")),
            (t.c.level_provincial, sa.literal("provincial")),
            else_=sa.literal("public")),
    ))
    with op.batch_alter_table("publications", schema=None) as batch_op:
        for flag in reversed(FLAGS):
            batch_op.drop_column(flag)
        batch_op.drop_constraint(op.f("ck_publications_circulation"), type_="check")
        batch_op.drop_column("circulation")
