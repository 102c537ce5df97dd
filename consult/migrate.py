"""Bring a database's schema up to date with Alembic (the only way tables are created)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from advanced_alchemy.alembic.commands import AlembicCommands

from consult.db import build_alchemy_config, build_engine
from consult.settings import Settings

T = TypeVar("T")


def _commands(settings: Settings) -> AlembicCommands:
    engine = build_engine(settings, for_migrations=True)
    return AlembicCommands(sqlalchemy_config=build_alchemy_config(settings, engine))


def _outside_event_loop(work: Callable[[], T]) -> T:
    """Alembic's async environment starts its own event loop, which cannot happen inside a
    running one (an async caller, a test), so then it runs on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def upgrade(settings: Settings, revision: str = "heads") -> None:
    # "heads": features branch their migrations from a shared base, so there may be several.
    _outside_event_loop(lambda: _commands(settings).upgrade(revision=revision))


def downgrade(settings: Settings, revision: str) -> None:
    _outside_event_loop(lambda: _commands(settings).downgrade(revision=revision))


def make_revision(settings: Settings, message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    _outside_event_loop(lambda: _commands(settings).revision(message=message, autogenerate=True))


def check(settings: Settings) -> None:
    """Raise if the models have changes no migration covers yet."""
    _outside_event_loop(lambda: _commands(settings).check())
