"""The staff account record."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC, EncryptedString
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UUIDv7AuditBase
from consult.settings import get_settings


def _encryption_key() -> str:
    return get_settings().secret_key


class User(UUIDv7AuditBase):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The TOTP seed is a secret like the password, but must be read back, so it is encrypted
    # with the deployment's key rather than hashed.
    totp_secret: Mapped[str | None] = mapped_column(
        EncryptedString(key=_encryption_key, length=255), nullable=True, default=None
    )
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
