"""PostgreSQL for the respondent benchmark: a fresh database per run, and where its time goes.

- `fresh_database`: a new, empty database on the server (dropped afterwards), so every run starts
  from the same state and nothing is left behind on the shared cluster.
- `BackendUsage`: the CPU seconds of the PostgreSQL backends serving *this* database (found in
  `pg_stat_activity`, read from /proc through psutil), and its committed and rolled-back
  transactions (`pg_stat_database`), between two samples. Other databases on the same cluster
  (other people's tests) are not counted.
- `RoundTripTrace`: how many times the app's workers write to a PostgreSQL socket, counted by
  strace (`-yy` names each socket's addresses). The driver (asyncpg) sends each round trip's
  messages in one write, so writes to port 5432 are round trips. strace slows the server down a
  lot: use it on a run whose speed is not reported.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _sync_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def fresh_database(server_url: str = DEFAULT_SERVER) -> Iterator[str]:
    """The URL of a new empty database, dropped (with its connections) when done."""
    from sqlalchemy import create_engine, text

    name = f"consult_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_sync_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(server_url, name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class UsageSample:
    cpu_by_pid: dict[int, float]
    transactions: int


def _database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def sample_usage(database_url: str) -> UsageSample:
    import psutil
    from sqlalchemy import create_engine, text

    name = _database_name(database_url)
    engine = create_engine(_sync_url(database_url.replace("+asyncpg", "")))
    with engine.connect() as connection:
        pids = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalars()
        own_pids = list(pids)
        transactions = connection.execute(
            text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :name"),
            {"name": name},
        ).scalar_one()
    engine.dispose()
    cpu: dict[int, float] = {}
    for pid in own_pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        cpu[pid] = times.user + times.system
    # This sampling connection's own transaction is counted too: one per sample, negligible.
    return UsageSample(cpu, int(transactions))


def backend_usage(before: UsageSample, after: UsageSample) -> tuple[float, int]:
    """CPU seconds of this database's backends and transactions between two samples (a
    backend started in between counts from zero; one that ended in between is missed)."""
    cpu = sum(
        seconds - before.cpu_by_pid.get(pid, 0.0) for pid, seconds in after.cpu_by_pid.items()
    )
    return cpu, after.transactions - before.transactions


_TO_POSTGRES = re.compile(r"->127\.0\.0\.1:5432\]>")


@dataclass
class RoundTripTrace:
    """strace on the server's worker processes, counting writes to PostgreSQL sockets."""

    folder: Path
    pids: list[int]
    process: subprocess.Popen[bytes] | None = None
    output: Path = field(init=False)

    def __post_init__(self) -> None:
        self.output = self.folder / "strace.out"

    def start(self) -> None:
        if shutil.which("strace") is None:
            raise SystemExit("--trace-round-trips needs strace (apt-get install strace)")
        command = ["strace", "-f", "-qq", "-yy", "-s", "0", "-o", str(self.output)]
        command += ["-e", "trace=sendto,write,writev,sendmsg"]
        for pid in self.pids:
            command += ["-p", str(pid)]
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # strace attaches asynchronously

    def stop(self) -> int:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        count = 0
        with open(self.output, errors="replace") as lines:
            for line in lines:
                if _TO_POSTGRES.search(line) and "resumed>" not in line:
                    count += 1
        os.unlink(self.output)
        return count
