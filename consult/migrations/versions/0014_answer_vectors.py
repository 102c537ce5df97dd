"""sentence vectors of free-text answers, for the optional embedding features

One row per answer to a text question and model: the answer text's sha256 (a changed answer is
encoded again) and its vector as float32 bytes. Written only by the coding job as it is
registered with CONSULT_EMBEDDINGS on and the optional model installed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 11:45:00

"""

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coding_answer_vector",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("consultation_id", GUID(length=16), nullable=False),
        sa.Column("question_key", sa.String(length=100), nullable=False),
        sa.Column("response_id", GUID(length=16), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_coding_answer_vector_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_coding_answer_vector_response_id_survey_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_answer_vector")),
        sa.UniqueConstraint(
            "consultation_id",
            "question_key",
            "model",
            "response_id",
            name=op.f("uq_coding_answer_vector_consultation_id"),
        ),
    )
    # Deleting a response cascades here: its own index keeps that from scanning the table.
    op.create_index("ix_coding_answer_vector_response_id", "coding_answer_vector", ["response_id"])


def downgrade() -> None:
    op.drop_index("ix_coding_answer_vector_response_id", table_name="coding_answer_vector")
    op.drop_table("coding_answer_vector")
