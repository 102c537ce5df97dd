"""Telling an outage from a bug: real driver errors, as raised, wrapped the way SQLAlchemy wraps
them. An outage gets the 503 page; anything else stays an error to fix."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from consult.outages import describe, outage_kind


def sqlalchemy_error(statement: str, database: str = ":memory:") -> OperationalError:
    engine = create_engine(f"sqlite:///{database}", hide_parameters=True)
    try:
        with pytest.raises(OperationalError) as raised, engine.connect() as connection:
            connection.execute(text(statement), {"answer": "what a respondent typed"})
    finally:
        engine.dispose()
    return raised.value


def test_a_full_disk_and_an_unreachable_server_are_outages() -> None:
    assert outage_kind(sqlite3.OperationalError("database or disk is full")) == "disk"
    assert outage_kind(sqlite3.OperationalError("disk I/O error")) == "disk"
    assert outage_kind(ConnectionRefusedError(111, "Connect call failed")) == "database"
    assert outage_kind(OSError(28, "No space left on device")) == "disk"
    wrapped = RuntimeError("while saving")
    wrapped.__cause__ = ConnectionResetError()
    assert outage_kind(wrapped) == "database"


def test_a_missing_table_bad_input_or_a_missing_file_is_not_an_outage() -> None:
    missing_table = sqlalchemy_error("SELECT * FROM no_such_table WHERE x = :answer")
    assert outage_kind(missing_table) is None
    assert outage_kind(ValueError("bad")) is None
    assert outage_kind(FileNotFoundError(2, "No such file")) is None


def test_an_unreadable_database_is_an_outage_described_without_its_parameters(tmp_path) -> None:
    folder = tmp_path / "gone"  # no such folder: SQLite cannot open the file
    error = sqlalchemy_error("SELECT :answer", str(folder / "db.sqlite3"))
    assert outage_kind(error) == "database"
    assert describe(error) == "OperationalError: unable to open database file"
    assert "what a respondent typed" not in describe(error) + str(error)


def test_an_error_whose_causes_loop_is_still_described() -> None:
    first, second = OSError("disk gone"), RuntimeError("wrapped")
    first.__cause__, second.__cause__ = second, first
    assert describe(first) == "RuntimeError: wrapped"  # the last cause before the loop
