"""Optional sentence vectors of text answers: off by default (the coding job is the TF-IDF one,
nothing stored); with the setting on and the model installed, the coding job stores one vector
per answer, the vectors the encoder gives for those texts, fuses them in, and a later run
encodes only new or changed answers."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, update

from analysis.embedding_fusion import fit_embedding_model, fuse
from analysis.embeddings import SentenceEncoder, packaged_model
from app import job_runner
from consult.consultations.models import Consultation
from consult.db import build_alchemy_config, build_engine
from consult.jobs import Job, JobRunner, JobStatus
from consult.settings import Settings
from research.coding.codebooks import starting_codebook
from research.coding.suggestions import JOB_KIND as CODING_JOB
from research.coding.suggestions import code_question, plan
from research.coding.texts import answer_table, text_question
from research.coding.vectors import AnswerVector, answer_vectors, text_sha256
from surveys.models import Response
from surveys.retention import apply_retention
from tests.research.coding.conftest import ANSWERS, add_responses
from tests.surveys.conftest import load_demo

needs_model = pytest.mark.skipif(
    packaged_model() is None or importlib.util.find_spec("onnxruntime") is None,
    reason="the optional embeddings extra is not installed (uv sync --extra embeddings)",
)


@pytest.fixture
async def alchemy(settings: Settings) -> AsyncIterator[Any]:
    engine = build_engine(settings, for_migrations=True)
    yield build_alchemy_config(settings, engine)
    await engine.dispose()


async def run_job(alchemy: Any, runner: JobRunner) -> Job:
    async with alchemy.get_session() as db:
        consultation = await db.scalar(select(Consultation))
        job = runner.enqueue(
            db, CODING_JOB, consultation_id=consultation.id, params={"question_key": "prevention"}
        )
        await db.commit()
    assert await runner.run(job.id)
    async with alchemy.get_session() as db:
        done = await db.get(Job, job.id)
        assert done is not None
        return done


async def stored(alchemy: Any) -> tuple[list[str], np.ndarray | None]:
    async with alchemy.get_session() as db:
        consultation = await db.scalar(select(Consultation))
        question = await text_question(db, consultation, "prevention")
        return await db.run_sync(
            lambda s: (
                (answers := answer_table(s.connection(), consultation.id, question))[
                    "text"
                ].tolist(),
                answer_vectors(s.connection(), consultation.id, "prevention", answers),
            )
        )


async def test_without_the_setting_the_coding_job_stores_no_vectors(
    settings: Settings, alchemy: Any
) -> None:
    assert not settings.embeddings
    runner = job_runner(settings, alchemy)
    assert runner.handlers[CODING_JOB] is code_question  # TF-IDF alone, as before
    await load_demo(settings)
    await add_responses(settings, ANSWERS)
    done = await run_job(alchemy, runner)
    assert done.status == JobStatus.DONE and done.result is not None
    assert "vectors" not in done.result
    assert (await stored(alchemy))[1] is None  # nothing stored: the TF-IDF learner alone


@needs_model
async def test_the_coding_job_stores_each_answers_vector_once_and_fuses_them(
    settings: Settings, alchemy: Any
) -> None:
    runner = job_runner(replace(settings, embeddings=True), alchemy)
    assert runner.handlers[CODING_JOB] is not code_question
    await load_demo(settings)
    ids: list[uuid.UUID] = await add_responses(settings, ANSWERS)

    first = await run_job(alchemy, runner)
    assert first.status == JobStatus.DONE and first.result is not None
    assert first.result["encoded"] == len(ANSWERS) and first.result["vectors"] is True
    texts, vectors = await stored(alchemy)
    assert vectors is not None
    assert np.allclose(vectors, SentenceEncoder().encode(texts), atol=1e-5)

    again = await run_job(alchemy, runner)
    assert again.result is not None and again.result["encoded"] == 0

    async with alchemy.get_session() as db:
        await db.execute(
            update(Response)
            .where(Response.id == ids[0])
            .values(answers={"respondent_type": ANSWERS[0][0], "prevention": "More refuges"})
        )
        await db.commit()
    assert (await stored(alchemy))[1] is None  # one answer's vector is stale
    changed = await run_job(alchemy, runner)
    assert changed.result is not None and changed.result["encoded"] == 1
    texts, vectors = await stored(alchemy)
    assert vectors is not None and "More refuges" in texts
    assert np.allclose(vectors, SentenceEncoder().encode(texts), atol=1e-5)


def test_the_coding_plan_fuses_answer_vectors_into_the_learned_view_when_given() -> None:
    book = starting_codebook()
    themes = book.theme_names()[:2]
    rng = np.random.default_rng(0)
    ids = [str(uuid.uuid4()) for _ in range(24)]
    texts = [f"{ANSWERS[i % len(ANSWERS)][1]} {i}" for i in range(24)]
    answers = pd.DataFrame({"id": ids, "text": texts})
    labels = {ids[i]: [themes[i % 2]] for i in range(16)}  # 16 coded by a person
    vectors = rng.normal(0, 0.3, (24, 384)).astype(np.float32)
    vectors[np.arange(24) % 2 == 0, 0] += 3.0
    vectors[np.arange(24) % 2 == 1, 1] += 3.0
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    alone = plan(answers, book, labels)
    fused = plan(answers, book, labels, vectors)
    assert alone.coder.learned is not None and fused.coder.learned is not None
    text_probs = alone.coder.learned.probabilities
    model_themes = alone.coder.learned.model.themes
    y = np.array([[int(t in labels[i]) for t in model_themes] for i in ids[:16]])
    expected = fuse(text_probs, fit_embedding_model(model_themes, vectors[:16], y).scores(vectors))
    assert np.allclose(fused.coder.learned.probabilities, expected)
    assert not np.allclose(fused.coder.learned.probabilities, text_probs)


async def test_retention_deletes_the_vectors_of_answers_whose_free_text_it_removes(
    settings: Settings, alchemy: Any
) -> None:
    await load_demo(settings)
    ids: list[uuid.UUID] = await add_responses(settings, ANSWERS)
    async with alchemy.get_session() as db:
        consultation = await db.scalar(select(Consultation))
        for rid, (_, text) in zip(ids, ANSWERS, strict=True):
            db.add(
                AnswerVector(
                    consultation_id=consultation.id,
                    question_key="prevention",
                    response_id=rid,
                    model="test",
                    text_sha256=text_sha256(text),
                    vector=np.ones(4, np.float32).tobytes(),
                )
            )
        await db.execute(
            update(Consultation).values(
                closes_at=datetime(2026, 1, 1, tzinfo=UTC), retention_days=30
            )
        )
        await db.commit()

    async with alchemy.get_session() as db:
        early = await apply_retention(
            db, datetime(2026, 1, 30, tzinfo=UTC), dry_run=False, data_dir=settings.data_dir
        )
        await db.commit()
        assert early.consultations == []
        assert len(list(await db.scalars(select(AnswerVector)))) == len(ANSWERS)

    async with alchemy.get_session() as db:
        await apply_retention(
            db, datetime(2026, 2, 2, tzinfo=UTC), dry_run=False, data_dir=settings.data_dir
        )
        await db.commit()
    async with alchemy.get_session() as db:
        assert list(await db.scalars(select(AnswerVector))) == []
        answers = [
            r.answers for r in await db.scalars(select(Response).where(Response.id.in_(ids)))
        ]
        assert all("prevention" not in a for a in answers)  # the text went with its vectors
