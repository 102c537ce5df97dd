"""Bring a database's schema up to date with Alembic (the only way tables are created)."""

from __future__ import annotations

from advanced_alchemy.alembic.commands import AlembicCommands

from consult.db import build_alchemy_config, build_engine
from consult.settings import Settings


def _commands(settings: Settings) -> AlembicCommands:
    engine = build_engine(settings, for_migrations=True)
    return AlembicCommands(sqlalchemy_config=build_alchemy_config(settings, engine))


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Run in a thread with no event loop: Alembic's async env starts its own."""
    _commands(settings).upgrade(revision=revision)


def downgrade(settings: Settings, revision: str) -> None:
    _commands(settings).downgrade(revision=revision)


def make_revision(settings: Settings, message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    _commands(settings).revision(message=message, autogenerate=True)
