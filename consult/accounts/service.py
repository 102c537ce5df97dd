"""Account rules: creating users, checking passwords and two-factor codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import func, select

from consult.accounts import passwords
from consult.accounts.models import User
from consult.errors import Conflict, Invalid
from consult.permissions import Role

TOTP_ISSUER = "Consult"


class UserService(SQLAlchemyAsyncRepositoryService[User]):
    class Repo(SQLAlchemyAsyncRepository[User]):
        model_type = User

    repository_type = Repo

    async def find_by_email(self, email: str) -> User | None:
        return await self.repository.get_one_or_none(email=email.strip().lower())

    async def create_user(self, *, email: str, name: str, role: str, password: str) -> User:
        email = email.strip().lower()
        try:
            role = Role(role).value
        except ValueError as exc:
            raise Invalid(f"Unknown role {role!r}: choose one of {', '.join(Role)}") from exc
        if "@" not in email or len(email) > 320:
            raise Invalid("Enter an email address in the correct format, like name@example.org")
        problems = passwords.password_problems(password, email=email)
        if problems:
            raise Invalid("; ".join(problems))
        if await self.find_by_email(email):
            raise Conflict(f"An account for {email} already exists")
        return await self.create(
            User(
                email=email,
                name=name.strip() or email,
                role=role,
                password_hash=passwords.hash_password(password),
            ),
        )

    async def authenticate(self, email: str, password: str) -> User | None:
        """The active user with this email and password, or None; rehashes weak old hashes."""
        user = await self.find_by_email(email)
        ok = passwords.verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.is_active:
            return None
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        return user

    async def change_password(self, user: User, current: str, new: str) -> None:
        if not passwords.verify_password(user.password_hash, current):
            raise Invalid("Your current password is not correct")
        problems = passwords.password_problems(new, email=user.email)
        if problems:
            raise Invalid("; ".join(problems))
        user.password_hash = passwords.hash_password(new)
        await self.repository.update(user)

    async def count_active(self) -> int:
        result = await self.repository.session.execute(select(func.count()).select_from(User))
        return int(result.scalar_one())

    @staticmethod
    def new_totp_secret() -> str:
        return pyotp.random_base32()

    @staticmethod
    def provisioning_uri(user: User, secret: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)

    @staticmethod
    def verify_totp(user: User, secret: str, code: str) -> bool:
        """Accept a code from this or the neighbouring 30-second step, never the same step twice."""
        code = "".join(ch for ch in code if ch.isdigit())
        if len(code) != 6:
            return False
        totp = pyotp.TOTP(secret)
        now = datetime.now(UTC)
        for offset in (0, -1, 1):
            moment = now.timestamp() + offset * totp.interval
            step = totp.timecode(datetime.fromtimestamp(moment, UTC))
            if step > user.totp_last_step and totp.verify(code, for_time=moment):
                user.totp_last_step = step
                return True
        return False
