"""Command line: `python -m consult` (or `app`) to migrate, create users, load the demo and serve."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

import click
from advanced_alchemy.exceptions import RepositoryError
from sqlalchemy.exc import SQLAlchemyError

from consult import migrate as migrations
from consult.errors import ConsultError
from consult.permissions import Role
from consult.settings import SettingsError, get_settings

T = TypeVar("T")
logger = logging.getLogger("consult")


def run_in_transaction(work: Callable[[Any], Awaitable[T]], *, commit: bool = True) -> T:
    """Run `work(db_session)` in one transaction: committed if it returns (and `commit`),
    rolled back otherwise."""
    from consult.db import build_alchemy_config

    async def go() -> T:
        config = build_alchemy_config(get_settings())
        try:
            async with config.get_session() as db:
                result = await work(db)
                await (db.commit() if commit else db.rollback())
                return result
        finally:
            await config.get_engine().dispose()

    return asyncio.run(go())


@click.group(help=__doc__)
def cli() -> None:
    pass


@cli.command("migrate", help="Bring the database schema up to date.")
def migrate_command() -> None:
    migrations.upgrade(get_settings())
    click.echo("Database is up to date.")


@cli.command("create-user", help="Create a staff or panel account.")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    required=True,
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, name: str, role: str, password: str) -> None:
    from consult.accounts.service import UserService

    async def work(db: Any) -> str:
        user = await UserService(session=db).create_user(
            email=email, name=name, role=role, password=password
        )
        return str(user.email)

    click.echo(
        f"Created {run_in_transaction(work)} ({role}). They set up two-factor authentication at first sign-in."
    )


@cli.command("load-demo", help="Load the demo consultation and demo staff account.")
@click.option("--if-empty", is_flag=True, help="Do nothing when any consultation exists already.")
def load_demo(if_empty: bool) -> None:
    from consult import demo

    async def work(db: Any) -> bool:
        if if_empty and not await demo.is_empty(db):
            return False
        consultation = await demo.load(db)
        for loader in sorted(entry_points(group="consult.demo"), key=lambda e: e.name):
            if loader.value != "consult.demo:load":
                await loader.load()(db, consultation)
        return True

    loaded = run_in_transaction(work)
    click.echo(
        "Demo consultation loaded."
        if loaded
        else "Database already has consultations; demo not loaded."
    )
    click.echo(f"Demo staff sign-in: {demo.DEMO_ADMIN_EMAIL} / {demo.DEMO_ADMIN_PASSWORD}")


@cli.command("backup", help="Write the database and the secret key to one archive (secret!).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    from consult import backup

    outcome = backup.backup(get_settings(), out)
    click.echo(
        f"Backed up the {outcome.database} database and the secret key to {outcome.path}. "
        "Keep this file as safe as the database itself: it holds the key."
    )


@cli.command("restore", help="Restore a backup made by `backup`, then migrate.")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(archive: Path, force: bool) -> None:
    from consult import backup

    settings = get_settings()
    outcome = backup.restore(settings, archive, replace=force)
    migrations.upgrade(settings)
    click.echo(f"Restored the {outcome.database} database and its secret key from {archive}.")


@cli.command("serve", help="Serve the app with uvicorn.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    click.echo(f"Serving on http://{host}:{port}/  (staff area: http://{host}:{port}/staff/login)")
    uvicorn.run(
        "consult.cli:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Info, so worker starts, deaths ("Child process [N] died") and replacements are on
        # record; no access log: addresses and paths of respondents are not kept.
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )


@cli.command("worker", help="Run background jobs from Redis (needs CONSULT_REDIS_URL).")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 32))
def worker(concurrency: int) -> None:
    from app import job_runner
    from consult.db import build_alchemy_config
    from consult.jobs.worker import build_worker

    settings = get_settings()
    if not settings.redis_url:
        raise click.UsageError(
            "set CONSULT_REDIS_URL: without Redis the app runs background jobs itself"
        )
    runner = job_runner(settings, build_alchemy_config(settings))
    click.echo(f"Running background jobs from {settings.redis_url.split('@')[-1]}")
    asyncio.run(build_worker(runner, concurrency).start())


def served_app() -> Any:
    """The app as `serve` runs it in each worker: `create_app()`, plus a settled collector.

    A worker's start-up objects (routes, mappers, templates, compiled statements) live as long
    as it does, yet every full collection walked them all: 100-150 ms pauses, the slowest
    respondent pages of the benchmark (docs/performance.md). `gc.freeze()` once started moves
    them out of the collector's way; tests build many apps in one process and don't freeze.
    """
    from app import create_app

    app = create_app()
    database = "SQLite" if app.state["settings"].is_sqlite else "PostgreSQL"
    _log_to_stderr()

    def started() -> None:
        gc.collect()
        gc.freeze()
        logger.info("worker started: pid %d, %s database", os.getpid(), database)

    def stopping() -> None:
        logger.info("worker stopping: pid %d", os.getpid())

    app.on_startup.append(started)
    app.on_shutdown.insert(0, stopping)
    return app


def _log_to_stderr() -> None:
    """The "consult" logger (worker starts and stops, outages and their ends; never answers,
    whose statement parameters are hidden, nor session ids) written straight to stderr at
    info: a worker leaves with os._exit, so lines still queued for a logging thread would be
    lost, and its last line is the one that says it stopped."""
    consult_logger = logging.getLogger("consult")
    if any(getattr(h, "consult_stderr", False) for h in consult_logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(asctime)s - %(name)s - %(message)s"))
    handler.consult_stderr = True  # type: ignore[attr-defined]
    consult_logger.addHandler(handler)
    consult_logger.setLevel(logging.INFO)
    consult_logger.propagate = False


def run_command_line(group: click.Group, argv: list[str] | None, prog_name: str) -> None:
    """Run a click group so that bad input or a database problem prints one line, exit 2."""
    try:
        group.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(2)
    except (ConsultError, SettingsError) as exc:
        click.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        sys.exit(2)
    except (SQLAlchemyError, RepositoryError) as exc:
        # The repository layer wraps the driver's error; its cause says what actually failed.
        cause = exc.__cause__ if isinstance(exc, RepositoryError) and exc.__cause__ else exc
        first_line = (str(cause).splitlines() or [type(cause).__name__])[0]
        click.echo(f"error: database problem: {first_line} (has `migrate` been run?)", err=True)
        sys.exit(2)
    except OSError as exc:
        # asyncpg raises the socket's own error when the server cannot be reached at all.
        click.echo(f"error: cannot reach the database: {exc}", err=True)
        sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    run_command_line(cli, argv, "consult")
