"""Password hashing (Argon2id) and the rules a new password must meet.

Rules follow NIST SP 800-63B and OWASP ASVS 2.1: a length floor, a deny-list of common
passwords, and no composition rules or forced expiry.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
# 15 spaces or 'aaaaaaaaaaaaaaa' pass a length rule; they are not passwords.
MIN_DIFFERENT = 3

# OWASP's floor for Argon2id; raising these makes old hashes rehash at their next sign-in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

# A hash of a random password, verified against when the account does not exist, so an
# unknown email costs the same time as a wrong password.
_DUMMY_HASH = HASHER.hash("not-a-real-password-but-a-timing-equaliser")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30,000 most common leaked passwords, from zxcvbn's frequency lists."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Messages explaining why `password` cannot be used; empty when it can.

    The one policy for every way a password is set: sign-in password change, an administrator
    creating an account, the CLI's ``create-user`` and the demo account all reach it through
    `UserService`."""
    problems = []
    if not password.strip():
        return ["Password must not be only spaces"]
    if len(password) < MIN_LENGTH:
        problems.append(f"Password must be {MIN_LENGTH} characters or more")
    if len(password) > MAX_LENGTH:
        problems.append(f"Password must be {MAX_LENGTH} characters or fewer")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip("0123456789!") in common_passwords():
        problems.append("Password is too common: choose one that is harder to guess")
    if len(set(lowered.replace(" ", ""))) < MIN_DIFFERENT:
        problems.append("Password must not repeat one or two characters: use a few words")
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        problems.append("Password must not be your email address")
    return problems
