"""Benchmark: the CPU one direct unit of work costs on PostgreSQL, in the app and in PostgreSQL.

Runs the kinds of unit a page save is made of (a one-row read, a one-row write) a thousand times
each on a fresh database, in this process, with no HTTP around them, and reports per unit the
CPU of this process (`time.process_time`, which includes the kernel's work on the socket) and
of the PostgreSQL backends of that database (/proc, see bench/postgres_load.py):

- "before": the engine as the app used it up to issue 11 (`pool_pre_ping=True`, every unit in
  a transaction: a read is ping (BEGIN, `;`, ROLLBACK), BEGIN, SELECT, ROLLBACK; a write is the
  ping, BEGIN, UPDATE, COMMIT);
- "after": `consult.direct.DirectDatabase` (a read is its SELECT in autocommit; a write is
  BEGIN, UPDATE, COMMIT; a one-statement write is its UPDATE in autocommit).

Usage: .venv/bin/python bench/direct_units.py [--units 1000] [--postgres-server URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, bindparam, update
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import postgres_load  # noqa: E402 - bench/, beside this script

from consult.direct import DirectDatabase, PreparedQuery  # noqa: E402

ITEMS = Table(
    "bench_item",
    MetaData(),
    Column("key", String, primary_key=True),
    Column("value", LargeBinary),
    Column("expires_at", DateTime(timezone=True)),
)
READ = PreparedQuery(ITEMS.select().where(ITEMS.c.key == bindparam("key")))
WRITE = update(ITEMS).where(ITEMS.c.key == bindparam("k")).values(value=bindparam("v"))


async def measure(url: str, units: int) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(ITEMS.metadata.create_all)
        await connection.execute(
            ITEMS.insert().values(key="a", value=b"x", expires_at=datetime.now(UTC))
        )
    before = create_async_engine(url, pool_pre_ping=True)
    direct = DirectDatabase(engine)

    async def before_read() -> object:
        async with before.connect() as connection:
            return await connection.run_sync(lambda c: READ.first(c, key="a"))

    async def before_write() -> object:
        async with before.begin() as connection:
            return await connection.run_sync(lambda c: c.execute(WRITE, {"k": "a", "v": b"y"}))

    def write(c: object) -> object:
        return c.execute(WRITE, {"k": "a", "v": b"y"})  # type: ignore[attr-defined]

    kinds: dict[str, Callable[[], Awaitable[object]]] = {
        "before: read": before_read,
        "before: write": before_write,
        "after: read": lambda: direct.read(lambda c: READ.first(c, key="a")),
        "after: write": lambda: direct.write(write),
        "after: one-statement write": lambda: direct.write(write, one_statement=True),
    }
    print(f"{units} units each; CPU per unit in microseconds")
    print("| unit | app CPU us | PostgreSQL CPU us | total us |")
    print("|------|-----------:|------------------:|---------:|")
    for name, unit in kinds.items():
        for _ in range(50):  # connections opened, statements prepared
            await unit()
        usage0 = postgres_load.sample_usage(url)
        cpu0 = time.process_time()
        for _ in range(units):
            await unit()
        app = (time.process_time() - cpu0) / units * 1e6
        backend, _transactions = postgres_load.backend_usage(
            usage0, postgres_load.sample_usage(url)
        )
        backend_us = backend / units * 1e6
        print(f"| {name} | {app:.0f} | {backend_us:.0f} | {app + backend_us:.0f} |")
    await direct.close()
    await before.dispose()
    await engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--postgres-server", default=postgres_load.DEFAULT_SERVER)
    args = ap.parse_args()
    with postgres_load.fresh_database(args.postgres_server) as url:
        print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
        asyncio.run(measure("postgresql+asyncpg://" + url.split("://", 1)[1], args.units))


if __name__ == "__main__":
    main()
