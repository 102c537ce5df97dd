"""What every respondent page needs from its consultation, kept by each worker while unchanged.

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
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from consult.consultations.models import Consultation, SupportService
from consult.direct import PreparedQuery
from surveys.journey import definition_of
from surveys.models import Survey as SurveyRow
from surveys.models import SurveyVersion

_C = Consultation.__table__
_S = SupportService.__table__
_SV = SurveyVersion.__table__
_SR = SurveyRow.__table__

_CURRENT_VERSION = (
    select(_SV.c.id)
    .join(_SR, _SR.c.id == _SV.c.survey_id)
    .where(_SR.c.consultation_id == _C.c.id, _SV.c.published_at.is_not(None))
    .order_by(_SV.c.published_at.desc(), _SV.c.number.desc())
    .limit(1)
    .correlate(_C)
    .scalar_subquery()
)
_DIRECTORY = _S.c.consultation_id == _C.c.id
_STAMP = PreparedQuery(
    select(
        _C.c.id,
        _C.c.status,
        _C.c.closes_at,
        _C.c.updated_at,
        select(func.count()).where(_DIRECTORY).correlate(_C).scalar_subquery(),
        select(func.max(_S.c.updated_at)).where(_DIRECTORY).correlate(_C).scalar_subquery(),
        _CURRENT_VERSION,
    ).where(_C.c.slug == bindparam("slug"))
)

_consultations: dict[uuid.UUID, tuple[tuple[Any, ...], Consultation]] = {}
_versions: dict[uuid.UUID, SurveyVersion] = {}


def consultation_by_slug(
    connection: Connection, slug: str
) -> tuple[Consultation | None, uuid.UUID | None]:
    """The consultation behind ``slug`` (support directory loaded) and its current version id."""
    row = _STAMP.first(connection, slug=slug)
    if row is None:
        return None, None
    consultation_id, stamp, version_id = row[0], tuple(row[1:6]), row[6]
    cached = _consultations.get(consultation_id)
    if cached is not None and cached[0] == stamp:
        return cached[1], version_id
    with Session(bind=connection) as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:  # deleted between the two statements
            return None, None
        session.expunge_all()
    _consultations[consultation_id] = (stamp, consultation)
    return consultation, version_id


def published_version(connection: Connection, version_id: uuid.UUID) -> SurveyVersion | None:
    """A published version by id, from this worker's copy after the first time."""
    version = _versions.get(version_id)
    if version is None:
        with Session(bind=connection) as session:
            version = session.get(SurveyVersion, version_id)
            if version is None or version.published_at is None:
                return None
            session.expunge(version)
        definition_of(version)
        _versions[version_id] = version
    return version
