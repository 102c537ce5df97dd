"""`python -m consult backup` and `restore`: the database and the secret key travel together, so
a restored deployment signs staff in; restore refuses, saying why, when the key is missing or
different, the target holds data, or PostgreSQL's programs are missing; SQLite is copied whole
while it is being written; a wrong key at sign-in is a clear page, never a 500."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pyotp
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import create_engine, func, select, text

from consult.cli import main
from consult.settings import Settings, get_settings
from surveys.models import Response
from tests.conftest import PG_HOST, PG_PORT, create_user, db_session, sign_in
from tests.forms import open_page
from tests.surveys.conftest import DEMO, begin, load_demo

only_sqlite = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
OTHER_KEY = "another-deployment-key-that-is-long-enough-0123456789"


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the command line (and the app's key) at a data folder and database, as the
    environment of a deployment would; the key lives in the data folder's file."""

    def use(data_dir: Path, database_url: str, key: str | None = None) -> Settings:
        monkeypatch.setenv("CONSULT_DATA_DIR", str(data_dir))
        monkeypatch.setenv("CONSULT_DATABASE_URL", database_url)
        if key:
            monkeypatch.setenv("CONSULT_SECRET_KEY", key)
        else:
            monkeypatch.delenv("CONSULT_SECRET_KEY", raising=False)
        get_settings.cache_clear()
        return get_settings()

    yield use
    monkeypatch.undo()
    get_settings.cache_clear()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().out


def empty_target(settings: Settings, folder: Path) -> Iterator[str]:
    """A database of the same kind as `settings`, never migrated."""
    if settings.is_sqlite:
        yield f"sqlite+aiosqlite:///{folder / 'restored.sqlite3'}"
        return
    name = f"consult_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def count_responses(settings: Settings) -> int:
    async with db_session(settings) as db:
        return int(await db.scalar(select(func.count()).select_from(Response)) or 0)


async def test_a_restored_backup_brings_back_the_answers_and_staff_sign_in(
    settings: Settings, tmp_path: Path, deployment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import create_app

    source = deployment(tmp_path / "source", settings.database_url)
    await load_demo(source)
    app = create_app(source)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        account = await create_user(client, "administrator")
        await begin(client)
        check = await open_page(client, f"{DEMO}/check")
        await check.form("Send my answers").submit(client, follow_redirects=True)
    backup_file = tmp_path / "consult-backup.tar.gz"
    code, said = run(["backup", "--out", str(backup_file)], capsys)
    assert code == 0 and "secret key" in said, said
    assert backup_file.stat().st_mode & 0o077 == 0  # readable by its owner only

    for target_url in empty_target(source, tmp_path):
        restored = deployment(tmp_path / "restored", target_url)
        assert restored.secret_key != source.secret_key  # a fresh folder made its own key
        code, said = run(["restore", str(backup_file)], capsys)
        assert code == 0, said
        restored = deployment(tmp_path / "restored", target_url)
        assert restored.secret_key == source.secret_key  # the backup's key is back in place
        assert await count_responses(restored) == 1
        async with AsyncTestClient(
            app=create_app(restored), base_url="http://testserver.local"
        ) as client:
            await sign_in(client, account)  # the two-factor seed decrypts: signed in


@only_sqlite
async def test_restore_refuses_when_the_configured_key_is_not_the_backups(
    settings: Settings, tmp_path: Path, deployment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment(tmp_path / "source", settings.database_url)
    assert run(["backup", "--out", str(tmp_path / "b.tar.gz")], capsys)[0] == 0
    deployment(tmp_path / "other", f"sqlite+aiosqlite:///{tmp_path / 'other.sqlite3'}", OTHER_KEY)
    code, said = run(["restore", str(tmp_path / "b.tar.gz")], capsys)
    assert code == 2 and said.startswith("error: CONSULT_SECRET_KEY is set to a different key")
    assert "Traceback" not in said and not (tmp_path / "other.sqlite3").exists()


@only_sqlite
async def test_restore_refuses_a_backup_without_its_secret_key(
    settings: Settings, tmp_path: Path, deployment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    archive_path = tmp_path / "no-key.tar.gz"
    with tarfile.open(archive_path, "w:gz") as archive:
        manifest = json.dumps({"format": 1, "database": "sqlite"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        archive.addfile(info, io.BytesIO(manifest))
        archive.add(settings.database_url.split("///", 1)[1], arcname="database.sqlite3")
    deployment(tmp_path / "fresh", f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")
    code, said = run(["restore", str(archive_path)], capsys)
    assert code == 2 and "secret-key is missing" in said and "error:" in said


@only_sqlite
async def test_restore_refuses_to_replace_data_unless_forced_and_rejects_other_files(
    settings: Settings, tmp_path: Path, deployment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment(tmp_path / "source", settings.database_url)
    assert run(["backup", "--out", str(tmp_path / "b.tar.gz")], capsys)[0] == 0
    code, said = run(["restore", str(tmp_path / "b.tar.gz")], capsys)  # onto itself
    assert code == 2 and "already holds data: add --force" in said
    assert run(["restore", "--force", str(tmp_path / "b.tar.gz")], capsys)[0] == 0
    (tmp_path / "notes.txt").write_text("not a backup")
    code, said = run(["restore", str(tmp_path / "notes.txt")], capsys)
    assert code == 2 and "is not a readable consult backup" in said
    code, said = run(["backup", "--out", str(tmp_path / "missing" / "b.tar.gz")], capsys)
    assert code == 2 and "does not exist" in said


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
async def test_postgresql_backup_refuses_clearly_without_pg_dump(
    settings: Settings, tmp_path: Path, deployment: Any, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    deployment(tmp_path / "source", settings.database_url)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to find here
    code, said = run(["backup", "--out", str(tmp_path / "b.tar.gz")], capsys)
    assert code == 2 and "pg_dump was not found on PATH" in said
    assert "postgresql-client" in said and not (tmp_path / "b.tar.gz").exists()


@only_sqlite
async def test_a_sqlite_backup_taken_while_answers_are_written_is_whole(
    settings: Settings, tmp_path: Path, deployment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = settings.database_url.split("///", 1)[1]
    deployment(tmp_path / "source", settings.database_url)
    stop = threading.Event()
    written = 0

    def keep_writing() -> None:
        nonlocal written
        with closing(sqlite3.connect(path, isolation_level=None)) as writer:
            writer.execute("PRAGMA journal_mode=WAL")
            writer.execute("CREATE TABLE IF NOT EXISTS load (n INTEGER, text TEXT)")
            while not stop.is_set() or written < 200:
                writer.execute("INSERT INTO load VALUES (?, ?)", (written, "x" * 500))
                written += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while written < 100:  # the load is under way
            threading.Event().wait(0.001)
        code, said = run(["backup", "--out", str(tmp_path / "b.tar.gz")], capsys)
    finally:
        stop.set()
        thread.join()
    assert code == 0, said
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        archive.extract("database.sqlite3", tmp_path / "out", set_attrs=False)
    with closing(sqlite3.connect(tmp_path / "out" / "database.sqlite3")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = [n for (n,) in copy.execute("SELECT n FROM load ORDER BY n")]
    assert rows == list(range(len(rows))) and len(rows) >= 100  # a consistent prefix


@only_sqlite
async def test_a_wrong_secret_key_at_sign_in_is_a_clear_page_never_a_500(
    settings: Settings, tmp_path: Path, deployment: Any
) -> None:
    from app import create_app
    from tests.forms import submit

    source = deployment(tmp_path / "source", settings.database_url)
    async with AsyncTestClient(app=create_app(source), base_url="http://testserver.local") as c:
        account = await create_user(c, "administrator")
    wrong = deployment(tmp_path / "source", settings.database_url, OTHER_KEY)
    async with AsyncTestClient(app=create_app(wrong), base_url="http://testserver.local") as c:
        response = await submit(c, "/staff/login", "Sign in", {"email": account["email"], "password": account["password"]})  # fmt: skip
        if response.status_code == 200:  # the password step passed: the code step decrypts
            page = await open_page(c, "/staff/two-factor")
            code = pyotp.TOTP(account["secret"]).now()
            response = await page.form("Continue").fill({"code": code}).submit(c)
    assert response.status_code == 503, response.text[:300]
    assert "secret key is not the one its data was saved with" in response.text
    assert "CONSULT_SECRET_KEY" in response.text and "Consult staff area" in response.text


def test_the_backup_is_refused_for_a_database_that_is_not_there(
    tmp_path: Path, deployment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'nothing.sqlite3'}")
    code, said = run(["backup", "--out", str(tmp_path / "b.tar.gz")], capsys)
    assert code == 2 and "there is no SQLite database" in said
