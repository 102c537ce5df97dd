"""`SurveyStore`: what ``create_app`` builds and dependency injection hands to every surveys
handler (as ``store``). The data layer's functions take a `Connection`; this object decides
which one:

- respondent pages run them as direct units of work (:mod:`consult.direct`: on SQLite on the
  event loop over the worker's own connection, on PostgreSQL through ``run_sync``), one short
  transaction each: ``await store.read(fn)`` / ``await store.write(fn)``;
- staff pages run them inside the request's transaction, ``await store.run(db_session, fn)``,
  so the audit record the handler adds commits, or rolls back, with them.

It also holds this app's snapshots of consultations and published versions and its parsed
definitions (in the app's bounded cache, cleared with the app).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from consult.caches import AppCache
from consult.direct import DirectDatabase
from surveys.store.snapshots import Snapshots
from surveys.store.versions import Definitions

T = TypeVar("T")
Work = Callable[[Connection], T]


async def run(db: AsyncSession, work: Work[T]) -> T:
    """Run ``work`` on the session's connection, in its transaction (staff pages, jobs, the
    retention job). Pass arguments with ``functools.partial``."""
    return await db.run_sync(lambda session: work(session.connection()))


class SurveyStore:
    def __init__(
        self, direct: DirectDatabase, cache: AppCache, alchemy: SQLAlchemyAsyncConfig
    ) -> None:
        self.direct = direct
        self._alchemy = alchemy
        self.cache = cache
        self.snapshots = Snapshots(cache)
        self.definitions = Definitions(cache)

    async def read(self, work: Work[T]) -> T:
        """A respondent page's read, as one direct unit of work."""
        return await self.direct.read(work)

    async def write(self, work: Work[T], *, one_statement: bool = False) -> T:
        """A respondent page's write, as one atomic direct unit of work (``one_statement``
        saves two round trips on PostgreSQL for a unit that runs exactly one statement)."""
        return await self.direct.write(work, one_statement=one_statement)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session of its own, outside the request's (a download streamed after the request's
        session has committed and closed; a staff preview's look-up of the signed-in user)."""
        async with self._alchemy.get_session() as db:
            yield db

    # A staff page's work, on the request session's connection and in its transaction.
    run = staticmethod(run)
