"""The command line, run as a user runs it: `python -m consult ...` in a fresh data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def run(tmp_path: Path):
    env = {**os.environ, "CONSULT_DATA_DIR": str(tmp_path), "CONSULT_DATABASE_URL": ""}

    def call(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "consult", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return call


def test_migrate_then_load_demo_once(run) -> None:
    assert run("migrate").returncode == 0
    first = run("load-demo", "--if-empty")
    assert first.returncode == 0 and "Demo consultation loaded." in first.stdout
    assert "admin@example.org" in first.stdout
    again = run("load-demo", "--if-empty")
    assert again.returncode == 0 and "demo not loaded" in again.stdout


def test_create_user_and_refuse_a_duplicate(run) -> None:
    run("migrate")
    args = (
        "create-user",
        "--email",
        "r@example.org",
        "--role",
        "researcher",
        "--password",
        "a long enough passphrase",
    )
    created = run(*args)
    assert created.returncode == 0 and "Created r@example.org" in created.stdout
    duplicate = run(*args)
    assert duplicate.returncode == 2
    assert duplicate.stderr.strip() == "error: An account for r@example.org already exists"


def test_bad_input_gets_one_line_and_no_traceback(run) -> None:
    run("migrate")
    weak = run(
        "create-user", "--email", "w@example.org", "--role", "researcher", "--password", "password"
    )
    assert weak.returncode == 2
    assert "Password must be 12 characters or more" in weak.stderr
    bad_role = run(
        "create-user",
        "--email",
        "w@example.org",
        "--role",
        "king",
        "--password",
        "a long enough passphrase",
    )
    assert bad_role.returncode == 2 and "Invalid value for '--role'" in bad_role.stderr
    for result in (weak, bad_role):
        assert "Traceback" not in result.stderr


def test_unmigrated_database_gives_a_clear_error(run) -> None:
    result = run("load-demo")
    assert result.returncode == 2
    assert result.stderr.startswith("error: database problem:")
    assert "Traceback" not in result.stderr


def test_unreachable_database_gives_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONSULT_DATA_DIR": str(tmp_path),
        # Port 1 on this machine: nothing listens, the connection is refused at once.
        "CONSULT_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/consult",
    }
    for command in ("migrate", "load-demo"):
        result = subprocess.run(
            [sys.executable, "-m", "consult", command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
