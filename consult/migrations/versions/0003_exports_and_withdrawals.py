"""exports and withdrawals

A pseudonymous ``export_id`` (exported as ``response_id``) on every response, filled for the
rows already there, and the hashes of withdrawal codes already used.

Revision ID: 0003
Revises: 0009
Create Date: 2026-12-06 09:00:00.000000

"""

import base64
import secrets
import warnings
from typing import TYPE_CHECKING

import sqlalchemy as sa
from advanced_alchemy.types import (
    GUID,
    ORA_JSONB,
    Bool,
    DateTimeUTC,
    EncryptedString,
    EncryptedText,
    FernetBackend,
    JsonB,
    OneTimeCode,
    PasswordHash,
    StoredObject,
    TOTPSecret,
)
from advanced_alchemy.types.encrypted_string import PGCryptoBackend
from advanced_alchemy.types.password_hash.argon2 import Argon2Hasher
from advanced_alchemy.types.password_hash.passlib import PasslibHasher
from advanced_alchemy.types.password_hash.pwdlib import PwdlibHasher
from alembic import op

if TYPE_CHECKING:
    pass

__all__ = (
    "data_downgrades",
    "data_upgrades",
    "downgrade",
    "schema_downgrades",
    "schema_upgrades",
    "upgrade",
)

sa.GUID = GUID
sa.Bool = Bool
sa.DateTimeUTC = DateTimeUTC
sa.JsonB = JsonB
sa.ORA_JSONB = ORA_JSONB
sa.EncryptedString = EncryptedString
sa.EncryptedText = EncryptedText
sa.StoredObject = StoredObject
sa.PasswordHash = PasswordHash
sa.Argon2Hasher = Argon2Hasher
sa.PasslibHasher = PasslibHasher
sa.PwdlibHasher = PwdlibHasher
sa.FernetBackend = FernetBackend
sa.PGCryptoBackend = PGCryptoBackend
sa.TOTPSecret = TOTPSecret
sa.OneTimeCode = OneTimeCode

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        with op.get_context().autocommit_block():
            schema_upgrades()
            data_upgrades()


def downgrade() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        with op.get_context().autocommit_block():
            data_downgrades()
            schema_downgrades()


def _new_export_id() -> str:
    # The same shape as surveys.models.new_export_id (migrations do not import the app).
    return "r" + base64.b32encode(secrets.token_bytes(8)).decode("ascii").rstrip("=").lower()


def schema_upgrades() -> None:
    """schema upgrade migrations go here."""
    op.create_table(
        "survey_withdrawal",
        sa.Column("id", sa.GUID(length=16), nullable=False),
        sa.Column("consultation_id", sa.GUID(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_survey_withdrawal_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_withdrawal")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_survey_withdrawal_code_hash")),
    )
    with op.batch_alter_table("survey_withdrawal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_withdrawal_consultation_id"), ["consultation_id"], unique=False
        )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("export_id", sa.String(length=20), nullable=True))
    # Every response already there gets its own random id before the column is required.
    connection = op.get_bind()
    responses = sa.table("survey_response", sa.column("id"), sa.column("export_id"))
    for (key,) in connection.execute(sa.select(responses.c.id)).all():
        connection.execute(
            responses.update().where(responses.c.id == key).values(export_id=_new_export_id())
        )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.alter_column("export_id", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_survey_response_export_id"), ["export_id"])


def schema_downgrades() -> None:
    """schema downgrade migrations go here."""
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_survey_response_export_id"), type_="unique")
        batch_op.drop_column("export_id")
    with op.batch_alter_table("survey_withdrawal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_withdrawal_consultation_id"))
    op.drop_table("survey_withdrawal")


def data_upgrades() -> None:
    """Add any optional data upgrade migrations here!"""


def data_downgrades() -> None:
    """Add any optional data downgrade migrations here!"""
