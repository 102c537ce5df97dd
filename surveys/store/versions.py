"""Published survey versions: the one rule for a consultation's current version, reading a
version, and publishing one. Plain functions over a `Connection` (Core statements).

A version with ``published_at IS NULL`` is the builder's editable draft (:mod:`.editing`),
invisible to respondents until published; a published version never changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.caches import AppCache
from surveys.definition import Survey, survey_from_dict
from surveys.models import Survey as SurveyRow
from surveys.models import SurveyVersion

_V: Table = SurveyVersion.__table__  # type: ignore[assignment]
_S: Table = SurveyRow.__table__  # type: ignore[assignment]


def newest_published(consultation_id: ColumnElement[Any] | uuid.UUID) -> Select[Any]:
    """The id of the consultation's current version: the newest published version of its
    survey (by publishing time, then number). Every reader of "the current version" uses this,
    the respondent journey's snapshot (as a correlated subquery) included."""
    return (
        select(_V.c.id)
        .join(_S, _S.c.id == _V.c.survey_id)
        .where(_S.c.consultation_id == consultation_id, _V.c.published_at.is_not(None))
        .order_by(_V.c.published_at.desc(), _V.c.number.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Version:
    id: uuid.UUID
    survey_id: uuid.UUID
    number: int
    definition: dict[str, Any]
    published_at: datetime | None


Parse = Callable[[Version], Survey]


def parse(version: Version) -> Survey:
    return survey_from_dict(version.definition)


class Definitions:
    """Parsed definitions by version id, in the app's bounded cache: parsing a survey takes
    tens of milliseconds and a published version never changes. A draft version's definition
    does change (the builder edits it), so drafts are parsed every time."""

    SESSION_KEY = "survey_definitions"

    def __init__(self, cache: AppCache) -> None:
        self._parsed = cache.bounded("definitions")

    def __call__(self, version: Version) -> Survey:
        if version.published_at is None:
            return parse(version)
        survey: Survey | None = self._parsed.get(version.id)
        if survey is None:
            survey = self._parsed.put(version.id, parse(version))
        return survey


def definitions_of(db: AsyncSession) -> Parse:
    """The app's `Definitions`, which ``create_app`` puts in every session's ``info`` (so work
    that has only a session, such as the workspace's helpers and jobs, shares the app's cache);
    plain parsing for a session made elsewhere (the command line)."""
    found = db.info.get(Definitions.SESSION_KEY)
    return found if found is not None else parse


_COLUMNS = (_V.c.id, _V.c.survey_id, _V.c.number, _V.c.definition, _V.c.published_at)


def version(connection: Connection, version_id: uuid.UUID) -> Version | None:
    row = connection.execute(select(*_COLUMNS).where(_V.c.id == version_id)).first()
    return Version(*row) if row is not None else None


def current_version(connection: Connection, consultation_id: uuid.UUID) -> Version | None:
    version_id = connection.scalar(newest_published(consultation_id))
    return version(connection, version_id) if version_id is not None else None


def current_survey(
    connection: Connection, consultation_id: uuid.UUID, parse: Parse = parse
) -> Survey | None:
    found = current_version(connection, consultation_id)
    return parse(found) if found is not None else None


def all_versions(connection: Connection, consultation_id: uuid.UUID) -> list[Version]:
    """Every version of the consultation's surveys (drafts too), by number."""
    rows = connection.execute(
        select(*_COLUMNS)
        .join(_S, _S.c.id == _V.c.survey_id)
        .where(_S.c.consultation_id == consultation_id)
        .order_by(_V.c.number)
    )
    return [Version(*row) for row in rows]


def survey_versions(connection: Connection, survey_id: uuid.UUID) -> list[Version]:
    """Every version of one survey (its draft too), by number."""
    rows = connection.execute(
        select(*_COLUMNS).where(_V.c.survey_id == survey_id).order_by(_V.c.number)
    )
    return [Version(*row) for row in rows]


def numbered_version(connection: Connection, survey_id: uuid.UUID, number: int) -> Version | None:
    row = connection.execute(
        select(*_COLUMNS).where(_V.c.survey_id == survey_id, _V.c.number == number)
    ).first()
    return Version(*row) if row is not None else None


def surveys_by_version(connection: Connection, parse: Parse = parse) -> dict[uuid.UUID, Survey]:
    """Every version's parsed definition, for work over all consultations (retention)."""
    rows = connection.execute(select(*_COLUMNS))
    return {row.id: parse(Version(*row)) for row in rows}


def survey_id(connection: Connection, consultation_id: uuid.UUID, key: str) -> uuid.UUID | None:
    """The consultation's survey with this key, if it has one."""
    return connection.scalar(
        select(_S.c.id).where(_S.c.consultation_id == consultation_id, _S.c.key == key)
    )


def publish_version(
    connection: Connection, consultation_id: uuid.UUID, definition: dict[str, Any]
) -> Version:
    """Store ``definition`` as the next published version of the consultation's survey (the
    demo and loading a survey from a file; the builder publishes its draft, :mod:`.editing`)."""
    found = survey_id(connection, consultation_id, definition["key"])
    if found is None:
        found = connection.scalar(
            _S.insert()
            .values(
                consultation_id=consultation_id, key=definition["key"], title=definition["title"]
            )
            .returning(_S.c.id)
        )
    latest = connection.scalar(
        select(_V.c.number).where(_V.c.survey_id == found).order_by(_V.c.number.desc()).limit(1)
    )
    version_id: uuid.UUID = connection.execute(
        _V.insert()
        .values(
            survey_id=found,
            number=(latest or 0) + 1,
            definition=definition,
            published_at=datetime.now(UTC),
        )
        .returning(_V.c.id)
    ).scalar_one()
    published = version(connection, version_id)
    assert published is not None  # just inserted, in this transaction
    return published
