"""A consultation's responses as one pandas DataFrame (the layout ``analysis.sources`` reads:
one row per response, one column per export column, plus ``respondent_type``, ``submitted_at``
and ``survey_version``), indexed by response id.

Building it flattens every response, so each app keeps the last few frames in a bounded cache
(:class:`ResponseFrames`, on the app's state, never a module global) keyed by the
consultation and reused while the responses' change stamp is the same. A page only needs the
:class:`Header` (the survey and the stamp, two indexed counts): on a large consultation the
frame is built by a background job (:meth:`ResponseFrames.load_in_job`), never by a request.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import anyio
import pandas as pd
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar import Request
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import NotFound
from surveys.definition import Survey
from surveys.exports.layout import ExportLayout
from surveys.store import analysis as store

CACHE_SIZE = 4
# Parsed published survey versions (a page parses none it has parsed before).
SURVEY_CACHE_SIZE = 32
CATEGORY_LIMIT = 64
STATE_KEY = "research_frames"
# Rows flattened between returns to the event loop while a job builds a frame in-process.
JOB_CHUNK = 500


@dataclass(frozen=True)
class Header:
    """What a page needs without the responses themselves."""

    survey: Survey  # the newest published version: its questions head the workspace
    found: store.Versions
    stamp: tuple[Any, ...]

    @property
    def responses(self) -> int:
        return int(self.stamp[0])

    @property
    def data_version(self) -> str:
        """Changes when a response is added, changed or removed, or a version is published:
        stored results computed under another data version are stale."""
        versions = ",".join(str(v) for v in self.found.by_id)
        return f"{self.stamp[0]}|{self.stamp[1]}|{versions}"[:200]


@dataclass(frozen=True)
class ResponseData:
    frame: pd.DataFrame
    survey: Survey
    layout: ExportLayout
    stamp: tuple[Any, ...]


def read_header(
    conn: Connection,
    consultation_id: uuid.UUID,
    parsed: MutableMapping[uuid.UUID, Survey] | None = None,
) -> Header:
    stamp = store.response_stamp(conn, consultation_id)
    found = store.versions(conn, consultation_id, parsed)
    if found.newest is None:
        raise NotFound("This consultation has no published survey to analyse yet")
    return Header(found.newest, found, stamp)


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
    return frame_of(ids, rows, layout)


def frame_of(ids: list[str], rows: list[list[Any]], layout: ExportLayout) -> pd.DataFrame:
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
        self._surveys: OrderedDict[uuid.UUID, Survey] = OrderedDict()
        self._lock = threading.Lock()

    def header(self, conn: Connection, consultation_id: uuid.UUID) -> Header:
        with self._lock:
            parsed = dict(self._surveys)
        head = read_header(conn, consultation_id, parsed)
        with self._lock:  # parsed surveys by version id, kept bounded like the frames
            for version_id in head.found.by_id:
                self._surveys[version_id] = parsed[version_id]
                self._surveys.move_to_end(version_id)
            while len(self._surveys) > SURVEY_CACHE_SIZE:
                self._surveys.popitem(last=False)
        return head

    def cached(self, consultation_id: uuid.UUID, stamp: tuple[Any, ...]) -> ResponseData | None:
        with self._lock:
            cached = self._items.get(consultation_id)
            if cached is not None and cached.stamp == stamp:
                self._items.move_to_end(consultation_id)
                return cached
        return None

    def load(self, conn: Connection, consultation_id: uuid.UUID) -> ResponseData:
        head = self.header(conn, consultation_id)
        cached = self.cached(consultation_id, head.stamp)
        if cached is not None:
            return cached
        layout = head.found.layout()
        frame = build_frame(conn, consultation_id, head.found, layout)
        return self._keep(consultation_id, ResponseData(frame, head.survey, layout, head.stamp))

    async def load_in_job(
        self, alchemy: SQLAlchemyAsyncConfig, consultation_id: uuid.UUID
    ) -> tuple[Header, ResponseData]:
        """The frame for a background job: rows are read and flattened a chunk at a time and
        the frame is assembled on a thread, so an in-process worker never holds the event loop
        (and the pages it serves) for the minute a large consultation takes."""
        async with alchemy.get_session() as db:
            head = await db.run_sync(lambda s: self.header(s.connection(), consultation_id))
            cached = self.cached(consultation_id, head.stamp)
            if cached is not None:
                return head, cached
            layout = head.found.layout()
            rows = await db.run_sync(
                lambda s: store.export_rows(s.connection(), consultation_id, head.found, layout)
            )
            ids: list[str] = []
            values: list[list[Any]] = []
            while chunk := await db.run_sync(lambda _: list(islice(rows, JOB_CHUNK))):
                for response_id, row in chunk:
                    ids.append(response_id)
                    values.append(row)
            await db.commit()
        frame = await anyio.to_thread.run_sync(frame_of, ids, values, layout)
        data = ResponseData(frame, head.survey, layout, head.stamp)
        return head, self._keep(consultation_id, data)

    def _keep(self, consultation_id: uuid.UUID, data: ResponseData) -> ResponseData:
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


async def response_header(
    request: Request[Any, Any, Any], db: AsyncSession, consultation_id: uuid.UUID
) -> Header:
    frames = frames_of(request)
    return await db.run_sync(lambda session: frames.header(session.connection(), consultation_id))
