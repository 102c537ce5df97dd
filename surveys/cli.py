"""Command line for surveys: ``python -m surveys retention [--dry-run] [--now ISO-DATETIME]``.

Bad input or a database problem prints one line and exits with status 2; never a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from consult.cli import run_command_line, run_in_transaction
from consult.settings import get_settings


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
    from surveys.retention import apply_retention

    now = _parse_now(now_text)
    data_dir = get_settings().data_dir
    report = run_in_transaction(
        lambda db: apply_retention(db, now, dry_run, data_dir=data_dir), commit=not dry_run
    )
    if dry_run:
        click.echo("Dry run: nothing was changed.")
    for line in report.lines():
        click.echo(line)


def main(argv: list[str] | None = None) -> None:
    run_command_line(cli, argv, "python -m surveys")
