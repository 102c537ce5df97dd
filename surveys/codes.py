"""Codes shown to respondents (resume and withdrawal). They are stored only as sha256 hashes:
they carry 80 bits of randomness, so a fast hash is enough and lets us look a code up directly."""

from __future__ import annotations

import base64
import hashlib
import secrets


def new_code() -> str:
    """80 random bits in base32 (no 0/1/8/9 to misread), shown as four groups of four."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def hash_code(code: str) -> str:
    """Case, spaces and dashes do not matter when a code is typed back in."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()


def unheld_code_hash() -> str:
    """A withdrawal-code hash nobody holds the code for (imported and generated responses)."""
    return hash_code(new_code())
