"""consultation.disclosure_k: the per-consultation small-cell suppression threshold; an index
on survey_response (consultation_id, updated_at) for the workspace's change stamp

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 04:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A server default fills the rows already there; 10 is the threshold the workspace assumes.
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disclosure_k", sa.Integer(), nullable=False, server_default="10")
        )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_response_consultation_updated", ["consultation_id", "updated_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_consultation_updated")
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_column("disclosure_k")
