"""`python -m consult serve` leaves a record of its life: each worker's start, a worker killed
and its replacement, and the stop of every process; never an access log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tests.faults import free_port

WAIT = 180.0  # a generous limit on a loaded machine; the test waits for lines, not for time


class ServerLog:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, seen: Callable[[list[str]], bool], what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: seen(self.lines), timeout=WAIT):
                raise AssertionError(f"never logged {what}:\n" + "\n".join(self.lines))

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


def test_worker_starts_a_killed_worker_its_replacement_and_the_stop_are_logged(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "CONSULT_DATA_DIR": str(tmp_path),
        "CONSULT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        "CONSULT_RETENTION_INTERVAL": "0",
    }
    python = [sys.executable, "-m", "consult"]
    subprocess.run([*python, "migrate"], env=env, check=True, capture_output=True)
    port = str(free_port())
    server = subprocess.Popen(
        [*python, "serve", "--port", port, "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = ServerLog(server)
    try:
        log.wait_for(lambda lines: sum("worker started" in x for x in lines) >= 2, "two workers")
        first = re.search(r"worker started: pid (\d+), SQLite database", "\n".join(log.lines))
        assert first is not None
        killed = int(first.group(1))
        os.kill(killed, signal.SIGKILL)
        log.wait_for(lambda lines: any(f"Child process [{killed}] died" in x for x in lines), "the death")  # fmt: skip
        log.wait_for(lambda lines: sum("worker started" in x for x in lines) >= 3, "a replacement")  # fmt: skip
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=WAIT)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    log._reader.join(timeout=WAIT)
    assert log.count("Started parent process") == 1
    assert log.count("worker stopping") == 2  # both live workers said so as they stopped
    assert log.count("Stopping parent process") == 1
    assert not any(re.search(r'"(GET|POST) /', line) for line in log.lines)  # no access log
