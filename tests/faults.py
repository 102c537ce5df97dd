"""Faults the fault tests cause for real: a PostgreSQL server of their own that they stop and
start, a SQLite database whose disk is full, and a session store that refuses writes.

The shared PostgreSQL cluster on 127.0.0.1:5432 is never touched: `OwnPostgres` runs a separate
instance (initdb + pg_ctl from the server's own bin directory) in a temporary folder on a free
port, as the `postgres` user when the tests run as root (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import skip_or_fail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


@dataclass
class OwnPostgres:
    """A PostgreSQL server this test run owns: `stop()` is an outage, `start()` the recovery."""

    bin_dir: Path
    folder: Path
    port: int
    run_as: str | None
    running: bool = False

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        done = subprocess.run(command, capture_output=True, timeout=60, check=False)
        if done.returncode != 0:
            log = self.folder / "server.log"
            raise RuntimeError(
                f"{args[0]} failed: {done.stdout.decode()} {done.stderr.decode()} "
                + (log.read_text()[-2000:] if log.exists() else "")
            )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        # The server's output goes to a log file: an inherited pipe would keep `run` waiting.
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-l", log, "-o", options, "-w", "start"
        )
        self.running = True

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        self.running = False


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """initdb a fresh cluster, start it, and remove it afterwards."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        skip_or_fail("PostgreSQL server programs (initdb, pg_ctl) are not installed")
        raise AssertionError  # skip_or_fail always raises
    run_as = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="consult-outage-"))
    if run_as:
        user = pwd.getpwnam(run_as)
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = OwnPostgres(bin_dir, folder, free_port(), run_as)
    try:
        server._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust")
        server.start()
        yield server
    finally:
        if server.running:
            with contextlib.suppress(RuntimeError):
                server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def sqlite_disk_full(app: Any) -> Iterator[None]:
    """The disk under the app's SQLite database is full: this process may not grow any file
    past the size the database and its write-ahead log have now (RLIMIT_FSIZE, with SIGXFSZ
    ignored), so the next write that appends to the log fails inside SQLite exactly as on a
    full filesystem. Leaving the block frees the disk."""
    path = Path(app.state["settings"].database_url.split("///", 1)[1])
    # Held open for the block: the last connection to close would delete the log.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    # No checkpoint after the filler: it would let the next writer start the log over.
    other.execute("PRAGMA wal_autocheckpoint=0")
    # Start the log afresh, then grow it well past anything else the test process writes
    # (pytest's captured output), so its end is where the next write must go.
    busy = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    assert busy == 0, "a connection kept the write-ahead log busy"
    other.execute("CREATE TABLE IF NOT EXISTS disk_filler (b BLOB)")
    other.execute("INSERT INTO disk_filler VALUES (zeroblob(1048576))")
    other.execute("DELETE FROM disk_filler")
    sizes = [path.stat().st_size, Path(f"{path}-wal").stat().st_size]
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max(sizes), old_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
        other.close()


class FailingStore:
    """Wraps a Litestar store; while `failing`, writes and deletes raise as a dead Redis would."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.failing = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _guard(self, method: Callable[..., Any]) -> Callable[..., Any]:
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.failing:
                raise ConnectionRefusedError(111, "Connection refused (session store down)")
            return await method(*args, **kwargs)

        return guarded

    async def set(self, *args: Any, **kwargs: Any) -> Any:
        return await self._guard(self._store.set)(*args, **kwargs)

    async def delete(self, *args: Any, **kwargs: Any) -> Any:
        return await self._guard(self._store.delete)(*args, **kwargs)


def fail_session_writes(app: Any) -> FailingStore:
    """Swap the app's session store for one the test can make fail."""
    failing = FailingStore(app.stores.get("sessions"))
    app.stores.register("sessions", failing, allow_override=True)
    return failing
