"""Where an uploaded response table waits between the import steps, and its removal.

An upload is personal data: it is stored as ``<data dir>/imports/<token>.json`` only while
staff map its columns, deleted as soon as the import completes or is cancelled, and the
retention job deletes any left behind (abandoned) once older than :data:`ABANDONED_AFTER`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TOKEN_LENGTH = 32
ABANDONED_AFTER = timedelta(hours=24)


def folder(data_dir: Path) -> Path:
    path = Path(data_dir) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def valid_token(token: str) -> bool:
    return len(token) == TOKEN_LENGTH and token.isalnum()


def path_of(data_dir: Path, token: str) -> Path:
    return folder(data_dir) / f"{token}.json"


def save(data_dir: Path, token: str, content: dict[str, Any]) -> None:
    path = path_of(data_dir, token)
    path.write_text(json.dumps(content), "utf-8")
    path.chmod(0o600)


def delete(data_dir: Path, token: str) -> None:
    path_of(data_dir, token).unlink(missing_ok=True)


def abandoned(data_dir: Path, now: datetime) -> list[Path]:
    """Uploads last written more than :data:`ABANDONED_AFTER` before ``now``, oldest first."""
    cutoff = now - ABANDONED_AFTER
    found = []
    for path in folder(data_dir).glob("*.json"):
        written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if written < cutoff:
            found.append((written, path))
    return [path for _, path in sorted(found)]
