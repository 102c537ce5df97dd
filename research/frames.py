"""A consultation's responses as one pandas DataFrame (the layout ``analysis.sources`` reads:
one row per response, one column per export column, plus ``respondent_type``, ``submitted_at``
and ``survey_version``), indexed by response id.

Building it flattens every response, so each app keeps the last few frames in a bounded cache
(:class:`ResponseFrames`, on the app's state, never a module global) keyed by the
consultation and reused while the responses' change stamp is the same.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pandas as pd
from litestar import Request
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import NotFound
from surveys.definition import Survey
from surveys.exports.layout import ExportLayout
from surveys.store import analysis as store

CACHE_SIZE = 4
CATEGORY_LIMIT = 64
STATE_KEY = "research_frames"


@dataclass(frozen=True)
class ResponseData:
    frame: pd.DataFrame
    survey: Survey  # the newest published version: its questions head the workspace
    layout: ExportLayout
    stamp: tuple[Any, ...]


def build_frame(
    conn: Connection, consultation_id: uuid.UUID, found: store.Versions, layout: ExportLayout
) -> pd.DataFrame:
    """The one place the workspace turns stored responses into analysis rows (issue 9 may
    change the export's columns: this is where that reaches the workspace)."""
    ids: list[str] = []
    rows: list[list[Any]] = []
    for response_id, row in store.export_rows(conn, consultation_id, found, layout):
        ids.append(response_id)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=layout.names, index=pd.Index(ids, name="response_id"))
    # A survey's respondent-type question exports a column named like the metadata column
    # (``respondent_type``); both hold the same code, so the first (metadata) one is kept.
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    return compact(frame)


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of option codes (few distinct values) as categoricals: a fraction of the memory
    of Python strings, and counting or filtering them is done on small integer codes."""
    for column in frame.columns:
        values = frame[column]
        textual = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
        if textual and values.nunique(dropna=True) <= CATEGORY_LIMIT:
            frame[column] = values.astype("category")
    return frame


class ResponseFrames:
    """The last few consultations' frames, rebuilt when their responses change."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[uuid.UUID, ResponseData] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, conn: Connection, consultation_id: uuid.UUID) -> ResponseData:
        stamp = store.response_stamp(conn, consultation_id)
        with self._lock:
            cached = self._items.get(consultation_id)
            if cached is not None and cached.stamp == stamp:
                self._items.move_to_end(consultation_id)
                return cached
        found = store.versions(conn, consultation_id)
        survey = found.newest
        if survey is None:
            raise NotFound("This consultation has no published survey to analyse yet")
        layout = found.layout()
        data = ResponseData(
            build_frame(conn, consultation_id, found, layout), survey, layout, stamp
        )
        with self._lock:
            self._items[consultation_id] = data
            self._items.move_to_end(consultation_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return data

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def frames_of(request: Request[Any, Any, Any]) -> ResponseFrames:
    """The app's frame cache, made on first use (so it lives and dies with the app)."""
    state = request.app.state
    frames = state.get(STATE_KEY)
    if frames is None:
        frames = state[STATE_KEY] = ResponseFrames()
    return frames  # type: ignore[no-any-return]


async def response_data(
    request: Request[Any, Any, Any], db: AsyncSession, consultation_id: uuid.UUID
) -> ResponseData:
    frames = frames_of(request)
    return await db.run_sync(lambda session: frames.load(session.connection(), consultation_id))
