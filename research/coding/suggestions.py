"""The coding job: rules from the question's codebook and a model learned from people's
decisions so far suggest themes for every answer, each with why, and place every answer in the
coding queue's order. Idempotent: a run replaces the question's suggestions, so a job queued
again after a stopped worker does no harm.

Memory is bounded by a chunk of answers (research.coding.chunks): the rows of each chunk are
plain dicts kept until the write, which is one short transaction at the end (a long one would
hold SQLite's write lock while people save decisions), inserted a batch at a time with
executemany.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, insert, update

from analysis.codebook import Codebook
from analysis.embeddings import SentenceEncoder
from analysis.errors import AnalysisError
from analysis.learning import fit_theme_model
from consult.errors import Invalid
from consult.jobs import JobContext, JobHandler
from research.coding.chunks import CHUNK, ChunkCoder, Learned, assign_ranks
from research.coding.codebooks import codebook_of, codebook_row
from research.coding.decisions import human_labels
from research.coding.models import Suggestion, Tally
from research.coding.ranking import learned_ranks, model_uncertainty
from research.coding.texts import answer_table, job_question
from research.coding.vectors import answer_vectors, store_missing_vectors, with_vectors

JOB_KIND = "code_question"
# Fewer hand-coded answers than this teach a model nothing useful; rules alone code then.
MIN_LABELLED = 10
WRITE_BATCH = 2_000
WRITE_CACHE_KIB = -65_536  # SQLite's cache_size: negative means KiB


def labelled_sample(
    answers: pd.DataFrame, labels: dict[str, list[str]], themes: list[str]
) -> pd.DataFrame | None:
    rows = answers[answers["id"].isin(labels)]
    if len(rows) < MIN_LABELLED:
        return None
    sample = rows[["id", "text"]].copy()
    for theme in themes:
        sample[theme] = [int(theme in labels[i]) for i in sample["id"]]
    return sample


@dataclass
class Plan:
    """What every chunk needs: the rules compiled, the model's view, the queue's order (with a
    model; rules alone rank from the rows themselves, :func:`finish`)."""

    ids: list[str]
    texts: list[str]
    coded: np.ndarray  # True where a person has coded the answer
    coder: ChunkCoder
    uncertainty: np.ndarray | None = None
    ranks: np.ndarray | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for the job's result

    @property
    def learned(self) -> bool:
        return self.coder.learned is not None

    def chunks(self) -> range:
        return range(0, len(self.texts), CHUNK)

    def rows(self, start: int) -> list[dict[str, Any]]:
        stop = start + CHUNK
        return self.coder.rows(
            self.ids[start:stop], self.texts[start:stop], start, self.uncertainty, self.ranks
        )

    def finish(self, chunks: list[list[dict[str, Any]]]) -> None:
        if self.ranks is None:
            assign_ranks(chunks, self.coded)


def plan(
    answers: pd.DataFrame,
    book: Codebook,
    labels: dict[str, list[str]],
    vectors: np.ndarray | None = None,
) -> Plan:
    """Learn (when enough answers are coded by a person) and rank (CPU work: off the loop).
    ``vectors`` (optional embeddings, one row per answer): fused into the learned view."""
    ids = answers["id"].astype(str).tolist()
    texts = answers["text"].astype(str).tolist()
    coded = np.array([i in labels for i in ids], dtype=bool)
    sample = labelled_sample(answers, labels, book.theme_names())
    if sample is None:
        return Plan(ids, texts, coded, ChunkCoder(book, None))
    themes = book.theme_names()
    started = time.perf_counter()
    # The vocabulary is fitted on every text (unsupervised), then learning uses the sample.
    model = fit_theme_model(sample["text"].tolist(), sample[themes], unlabelled=texts)
    learned = Learned.of(model, texts)
    if vectors is not None:
        y = sample[themes].to_numpy(dtype=np.int8)
        learned = with_vectors(learned, vectors, np.flatnonzero(coded), y)
    scored = time.perf_counter()
    unc = model_uncertainty(model, learned.probabilities)
    ranks, _ = learned_ranks(model, texts, coded, learned.probabilities, unc)
    seconds = {"learn": scored - started, "rank": time.perf_counter() - scored}
    return Plan(ids, texts, coded, ChunkCoder(book, learned), unc, ranks, seconds)


def suggest(
    answers: pd.DataFrame, book: Codebook, labels: dict[str, list[str]]
) -> tuple[list[dict[str, Any]], bool]:
    """Every suggestion row at once (small consultations, the demo); the job goes by chunks."""
    if answers.empty:
        return [], False
    job = plan(answers, book, labels)
    chunks = [job.rows(start) for start in job.chunks()]
    job.finish(chunks)
    return [row for part in chunks for row in part], job.learned


def replace_suggestions(
    conn: Connection, consultation_id: uuid.UUID, question_key: str, rows: Iterable[dict[str, Any]]
) -> tuple[int, int]:
    """Write a run's suggestions in place of the last run's, with the question's tally, in the
    caller's transaction. Returns (answers, answers with themes)."""
    mine = (Suggestion.consultation_id == consultation_id) & (
        Suggestion.question_key == question_key
    )
    with _sqlite_cache(conn):
        conn.execute(delete(Suggestion).where(mine))
        return _insert_rows(conn, consultation_id, question_key, rows)


@contextmanager
def _sqlite_cache(conn: Connection) -> Iterator[None]:
    """A larger page cache for SQLite while a run is written: its default 2 MB does not hold
    the suggestion table's indexes, and rewriting 100,000 rows took a third less time with 64 MB
    (measured at load 12: delete + insert 14.9 s -> 9.4 s). Set back afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size={WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def _insert_rows(
    conn: Connection, consultation_id: uuid.UUID, question_key: str, rows: Iterable[dict[str, Any]]
) -> tuple[int, int]:
    now = pd.Timestamp.now(tz="UTC").to_pydatetime()
    answers = with_themes = 0
    stream = iter(rows)
    while batch := list(itertools.islice(stream, WRITE_BATCH)):
        answers += len(batch)
        with_themes += sum(1 for row in batch if row["themes"])
        conn.execute(
            insert(Suggestion),
            [
                {
                    # No id: the model's default (UUIDv7) keeps the primary key's inserts in order.
                    "consultation_id": consultation_id,
                    "question_key": question_key,
                    "created_at": now,
                    "updated_at": now,
                    **row,
                }
                for row in batch
            ],
        )
    _store_tally(conn, consultation_id, question_key, answers, with_themes)
    return answers, with_themes


def _store_tally(
    conn: Connection, consultation_id: uuid.UUID, question_key: str, answers: int, themed: int
) -> None:
    now = pd.Timestamp.now(tz="UTC").to_pydatetime()
    found = conn.execute(
        update(Tally)
        .where(Tally.consultation_id == consultation_id, Tally.question_key == question_key)
        .values(answers=answers, with_themes=themed, updated_at=now)
    )
    if not found.rowcount:
        conn.execute(
            insert(Tally).values(
                id=uuid.uuid4(),
                consultation_id=consultation_id,
                question_key=question_key,
                answers=answers,
                with_themes=themed,
                created_at=now,
                updated_at=now,
            )
        )


def _drain(chunks: list[list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Rows chunk by chunk, each chunk let go once written."""
    while chunks:
        yield from chunks.pop(0)


async def code_question(ctx: JobContext) -> None:
    """Job handler: code every answer to one text question."""
    await _code_question(ctx, encoded=None)


def code_question_with_vectors(make_encoder: Callable[[], SentenceEncoder]) -> JobHandler:
    """The same job, registered instead of :func:`code_question` only with
    ``CONSULT_EMBEDDINGS`` on: it first stores the vectors of answers that have none for their
    current text, then fuses them in. The encoder is built once per run (the model loads in
    about a second)."""

    async def code_question_fusing_vectors(ctx: JobContext) -> None:
        key = str(ctx.params.get("question_key", ""))
        try:
            encoder = await anyio.to_thread.run_sync(make_encoder)
        except AnalysisError as exc:
            raise Invalid(str(exc)) from exc
        encoded = await store_missing_vectors(ctx, key, encoder)
        await _code_question(ctx, encoded=encoded)

    return code_question_fusing_vectors


async def _code_question(ctx: JobContext, encoded: int | None) -> None:
    """``encoded``: how many answers' vectors this run stored, or None without embeddings."""
    use_vectors = encoded is not None
    key = str(ctx.params.get("question_key", ""))
    async with ctx.session() as db:
        consultation, question = await job_question(db, ctx.consultation_id, key)
        book = codebook_of(await codebook_row(db, consultation.id, key))
        await db.commit()
        answers, labels = await db.run_sync(
            lambda s: (
                answer_table(s.connection(), consultation.id, question),
                human_labels(s.connection(), consultation.id, key),
            )
        )
        vectors = None
        if use_vectors:
            connection = await db.connection()
            vectors = await connection.run_sync(answer_vectors, consultation.id, key, answers)
    await ctx.report(5, f"Read {len(answers):,} answers; learning from people's coding")
    try:
        job = await anyio.to_thread.run_sync(plan, answers, book, labels, vectors)
        del answers
        chunks = []
        started = time.perf_counter()
        for start in job.chunks():
            chunks.append(await anyio.to_thread.run_sync(job.rows, start))
            done = start + len(chunks[-1])
            await ctx.report(10 + 80 * done // len(job.texts), f"Coded {done:,} answers")
        job.finish(chunks)
    except AnalysisError as exc:
        raise Invalid(str(exc)) from exc
    job.seconds["code"] = time.perf_counter() - started
    await ctx.report(90, "Saving suggestions")
    started = time.perf_counter()
    async with ctx.session() as db:
        total, coded = await db.run_sync(
            lambda s: replace_suggestions(s.connection(), consultation.id, key, _drain(chunks))
        )
        await db.commit()
    job.seconds["write"] = time.perf_counter() - started
    how = f"rules and a model learned from {len(labels):,} hand-coded" if job.learned else "rules"
    await ctx.save_result(
        {
            "answers": total,
            "with_themes": coded,
            "learned": job.learned,
            **({"vectors": vectors is not None, "encoded": encoded} if use_vectors else {}),
            "seconds": {k: round(v, 2) for k, v in job.seconds.items()},
        }
    )
    await ctx.report(100, f"Suggested themes for {coded:,} of {total:,} answers ({how})")
