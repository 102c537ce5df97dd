"""Command line for surveys: ``python -m surveys retention [--dry-run] [--now ISO-DATETIME]``.

Bad input or a database problem prints one line and exits with status 2; never a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import click
from advanced_alchemy.exceptions import RepositoryError
from sqlalchemy.exc import SQLAlchemyError

from consult.errors import ConsultError
from consult.settings import SettingsError, get_settings


def _parse_now(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise click.BadParameter(
            f"{raw!r} is not a date and time like 2027-01-01T00:00:00"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group(help=__doc__)
def cli() -> None:
    pass


@cli.command("retention", help="Delete expired drafts; remove free text past retention.")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@click.option("--now", "now_text", default=None, help="Act as if it were this time (UTC).")
def retention(dry_run: bool, now_text: str | None) -> None:
    from consult.db import build_alchemy_config
    from surveys.retention import RetentionReport, apply_retention

    now = _parse_now(now_text)

    async def go() -> RetentionReport:
        config = build_alchemy_config(get_settings())
        try:
            async with config.get_session() as db:
                report = await apply_retention(db, now, dry_run)
                if dry_run:
                    await db.rollback()
                else:
                    await db.commit()
                return report
        finally:
            await config.get_engine().dispose()

    report = asyncio.run(go())
    if dry_run:
        click.echo("Dry run: nothing was changed.")
    for line in report.lines():
        click.echo(line)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="python -m surveys", standalone_mode=False)
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
        cause = exc.__cause__ if isinstance(exc, RepositoryError) and exc.__cause__ else exc
        first_line = (str(cause).splitlines() or [type(cause).__name__])[0]
        click.echo(f"error: database problem: {first_line} (has `migrate` been run?)", err=True)
        sys.exit(2)
