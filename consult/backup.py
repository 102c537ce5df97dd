"""Backup and restore: one archive (tar.gz) holding the database and the secret key.

The archive is as secret as the database and the key together: it holds respondents' answers
and the key that decrypts staff two-factor seeds. Without that key a restored database cannot
be signed into, so the key always travels with the data (docs/operations.md).

- SQLite is copied with SQLite's online backup API: a consistent snapshot while the app keeps
  writing (WAL lets writers carry on during the copy).
- PostgreSQL is dumped with `pg_dump --format=custom` and restored with `pg_restore`; without
  those programs the commands refuse, saying what to install.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from consult.errors import ConsultError
from consult.settings import Settings, configured_secret_key, secret_key_file

FORMAT = 1
MANIFEST, KEY, SQLITE_DB, PG_DUMP = (
    "manifest.json",
    "secret-key",
    "database.sqlite3",
    "database.pgdump",
)


class BackupError(ConsultError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    database: str
    path: Path


def _kind(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


def _libpq_url(settings: Settings) -> str:
    return "postgresql://" + settings.database_url.split("://", 1)[1]


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client programs of the "
            "server's version (Debian: apt-get install postgresql-client) and try again"
        )
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise BackupError(f"{Path(command[0]).name} failed: {first}")


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: one consistent snapshot, whatever is being written meanwhile."""
    if not source.exists():
        raise BackupError(f"there is no SQLite database at {source}")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def backup(settings: Settings, out: Path) -> Outcome:
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    manifest = {
        "format": FORMAT,
        "database": _kind(settings),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".consult-backup-") as work:
        if settings.is_sqlite:
            dump = Path(work) / SQLITE_DB
            _copy_sqlite(_sqlite_path(settings), dump)
        else:
            dump = Path(work) / PG_DUMP
            pg_dump = _program("pg_dump")
            _run([pg_dump, "--format=custom", "--no-owner", f"--file={dump}", _libpq_url(settings)])
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            _add_bytes(archive, KEY, settings.secret_key.encode())
            archive.add(dump, arcname=dump.name)
        partial.chmod(0o600)
        partial.replace(out)  # never a half-written backup under the given name
    return Outcome(_kind(settings), out)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    archive.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class Archive:
    manifest: dict[str, object]
    secret_key: str | None
    database: Path


def _read(path: Path, work: Path) -> Archive:
    if not path.is_file():
        raise BackupError(f"there is no file at {path}")
    try:
        with tarfile.open(path, "r:gz") as archive:
            names = set(archive.getnames())
            if MANIFEST not in names:
                raise BackupError(f"{path} is not a consult backup (it has no {MANIFEST})")
            members = [
                archive.getmember(name)
                for name in (MANIFEST, KEY, SQLITE_DB, PG_DUMP)
                if name in names
            ]
            for member in members:  # only the known files, only as plain files
                if not member.isfile():
                    raise BackupError(f"{path} has an unexpected entry {member.name!r}")
                archive.extract(member, work, set_attrs=False, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} is not a readable consult backup ({error})") from error
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except ValueError as error:
        raise BackupError(f"{path} has an unreadable {MANIFEST}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup format this version cannot read")
    key_file = work / KEY
    key = key_file.read_text().strip() if key_file.exists() else None
    database = work / (SQLITE_DB if manifest.get("database") == "sqlite" else PG_DUMP)
    if not database.exists():
        raise BackupError(f"{path} holds no database ({database.name} is missing)")
    return Archive(manifest, key or None, database)


def _check_key(archive: Archive, settings: Settings) -> None:
    if archive.secret_key is None:
        raise BackupError(
            "the backup holds no secret key (secret-key is missing): restoring it would leave "
            "staff unable to sign in (their two-factor seeds are encrypted with that key). "
            "Restore from a backup made by `python -m consult backup`."
        )
    configured = configured_secret_key()
    if configured and configured != archive.secret_key:
        raise BackupError(
            "CONSULT_SECRET_KEY is set to a different key from the one in the backup: set "
            "CONSULT_SECRET_KEY to the backup's key, or unset it so that restore writes the "
            f"backup's key to {secret_key_file(settings.data_dir)}"
        )


def _holds_data(settings: Settings) -> bool:
    """Whether the configured database has been migrated (so restoring would replace data)."""
    if settings.is_sqlite and not _sqlite_path(settings).exists():
        return False
    url = settings.database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table("alembic_version")
    finally:
        engine.dispose()


def restore(settings: Settings, path: Path, *, replace: bool) -> Outcome:
    """Put the backup's database and key in place; `replace` allows overwriting existing data."""
    with tempfile.TemporaryDirectory(prefix="consult-restore-") as work:
        archive = _read(path, Path(work))
        kind = archive.manifest.get("database")
        if kind != _kind(settings):
            raise BackupError(
                f"{path} is a backup of a {kind} database, but CONSULT_DATABASE_URL points to "
                f"{_kind(settings)}"
            )
        _check_key(archive, settings)
        if _holds_data(settings) and not replace:
            raise BackupError(
                "the configured database already holds data: add --force to replace it with "
                "the backup"
            )
        if settings.is_sqlite:
            target = _sqlite_path(settings)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(archive.database, target)
        else:
            pg_restore = _program("pg_restore")
            _run([
                pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                f"--dbname={_libpq_url(settings)}", str(archive.database),
            ])  # fmt: skip
        assert archive.secret_key is not None  # _check_key refused otherwise
        if not configured_secret_key():
            key_file = secret_key_file(settings.data_dir)
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(archive.secret_key)
            key_file.chmod(0o600)
    return Outcome(str(kind), path)
