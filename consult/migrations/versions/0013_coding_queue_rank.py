"""coding queue at scale: each suggestion's place in the queue (the learner's next_batch order,
then least certain) and in the order received, each with an index the next-item query walks;
and the per-question counts the coding job writes, so no page counts every suggestion

Revision ID: 0013
Revises: 0003
Create Date: 2026-12-06 08:00:00

"""

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before this have no rank; 0 puts them level, and the next run ranks them.
    with op.batch_alter_table("coding_suggestion", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("queue_rank", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("received_rank", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_index("ix_coding_suggestion_queue")
        # The two queue indexes start with consultation_id: its own index is one more to write.
        batch_op.drop_index("ix_coding_suggestion_consultation_id")
        batch_op.create_index(
            "ix_coding_suggestion_queue", ["consultation_id", "question_key", "queue_rank"]
        )
        batch_op.create_index(
            "ix_coding_suggestion_received", ["consultation_id", "question_key", "received_rank"]
        )
    op.create_table(
        "coding_tally",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("consultation_id", GUID(length=16), nullable=False),
        sa.Column("question_key", sa.String(length=100), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("with_themes", sa.Integer(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_coding_tally_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_tally")),
        sa.UniqueConstraint(
            "consultation_id", "question_key", name=op.f("uq_coding_tally_consultation_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("coding_tally")
    with op.batch_alter_table("coding_suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_coding_suggestion_received")
        batch_op.drop_index("ix_coding_suggestion_queue")
        batch_op.create_index(
            "ix_coding_suggestion_queue", ["consultation_id", "question_key", "uncertainty"]
        )
        batch_op.create_index("ix_coding_suggestion_consultation_id", ["consultation_id"])
        batch_op.drop_column("received_rank")
        batch_op.drop_column("queue_rank")
