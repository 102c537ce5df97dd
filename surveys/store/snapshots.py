"""What every respondent page needs from its consultation, kept by each app while unchanged.

Every respondent request reads one small row: the consultation's status, closing time and
change stamps (its own ``updated_at`` and its support directory's), and the id of its current
published version. The full consultation with its support directory is loaded again only when
that row shows a change, and published versions (which never change) once per worker. So
closing or editing a consultation takes effect on the very next request in every worker, while
the ordinary request costs one indexed SELECT instead of loading a dozen ORM objects.

The copies are detached ORM objects: templates and controllers read them, nothing writes them.
Plain functions over a `Connection`, run by :mod:`consult.direct`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from consult.caches import AppCache
from consult.consultations.models import Consultation, SupportService
from surveys.definition import Survey, survey_from_dict
from surveys.models import SurveyVersion
from surveys.store.versions import newest_published

_C = Consultation.__table__
_S = SupportService.__table__

_DIRECTORY = _S.c.consultation_id == _C.c.id
# The one small row read on every respondent request: the consultation's id, its change stamp
# (status, closing time, its own and its support directory's changes) and its current published
# version. A statement selecting these first (surveys.store.visits) hands them to `consultation`.
STAMP = (
    _C.c.id,
    _C.c.status,
    _C.c.closes_at,
    _C.c.updated_at,
    select(func.count()).where(_DIRECTORY).correlate(_C).scalar_subquery(),
    select(func.max(_S.c.updated_at)).where(_DIRECTORY).correlate(_C).scalar_subquery(),
    newest_published(_C.c.id).correlate(_C).scalar_subquery(),
)


class Snapshots:
    """This app's copies: consultations by id (with the stamp they were read at) and published
    versions by id with their parsed definitions, in the app's bounded cache."""

    def __init__(self, cache: AppCache) -> None:
        self._consultations = cache.bounded("consultations")
        self._versions = cache.bounded("published_versions")

    def consultation(
        self, connection: Connection, stamped: Sequence[Any]
    ) -> tuple[Consultation | None, uuid.UUID | None]:
        """The consultation whose `STAMP` columns are ``stamped`` (support directory loaded)
        and its current published version."""
        consultation_id, stamp, version_id = stamped[0], tuple(stamped[1:6]), stamped[6]
        cached: tuple[tuple[Any, ...], Consultation] | None = self._consultations.get(
            consultation_id
        )
        if cached is not None and cached[0] == stamp:
            return cached[1], version_id
        with Session(bind=connection) as session:
            consultation = session.get(Consultation, consultation_id)
            if consultation is None:  # deleted between the two statements
                return None, None
            session.expunge_all()
        self._consultations.put(consultation_id, (stamp, consultation))
        return consultation, version_id

    def published_version(
        self, connection: Connection, version_id: uuid.UUID
    ) -> tuple[SurveyVersion, Survey] | None:
        """A published version by id with its definition, from this app's copy after the first
        time (versions never change once published)."""
        found: tuple[SurveyVersion, Survey] | None = self._versions.get(version_id)
        if found is None:
            with Session(bind=connection) as session:
                version = session.get(SurveyVersion, version_id)
                if version is None or version.published_at is None:
                    return None
                session.expunge(version)
            found = self._versions.put(version_id, (version, survey_from_dict(version.definition)))
        return found
