"""Outbox (issue 15.5): e-mail / SMS messages queued with their event, and IT's templates per message kind.

The default wording of each kind is stored as its template row (IT edits it in the console).

Revision ID: 0005_outbox
Revises: 0004_name_sort_key
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_outbox"
down_revision = "0004_name_sort_key"
branch_labels = None
depends_on = None


def upgrade():
    from wxk_admin.domain.outbox import DEFAULT_TEMPLATES

    templates = op.create_table(
        "outbox_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_outbox_templates_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_templates")),
        sa.UniqueConstraint("kind", name=op.f("uq_outbox_templates_kind")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.Enum("email", "sms", name="outbox_channel", native_enum=False,
                                     create_constraint=True, length=32), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.Enum("pending", "sent", "retrying", "failed", name="outbox_state", native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("sent_via", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_messages_attempts_nonneg")),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_outbox_messages_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_messages_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_messages_application_id"), ["application_id"], unique=False)
        batch_op.create_index("ix_outbox_messages_state_next", ["state", "next_attempt_at"], unique=False)
    now = sa.func.now()
    op.execute(templates.insert().values([{"kind": kind, "subject": subject, "body": body, "created_at": now}
                                          for kind, (_label, subject, body) in DEFAULT_TEMPLATES.items()]))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_state_next")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_application_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_kind"))
    op.drop_table("outbox_messages")
    op.drop_table("outbox_templates")
