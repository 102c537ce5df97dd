"""response receipts: the sealed withdrawal code travels with the response row

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-06 05:00:00

A submitted response keeps its withdrawal code, encrypted under a key only the respondent's
session can rebuild, until the confirmation page has shown it once. Purely additive.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("receipt", sa.String(length=300), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_survey_response_receipt_hash"), ["receipt_hash"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_response_receipt_hash"))
        batch_op.drop_column("receipt")
        batch_op.drop_column("receipt_hash")
