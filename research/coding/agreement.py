"""Blind double coding: the lead draws a sample of answers, two or more people code it without
seeing each other's choices, agreement is measured (Cohen's kappa per theme and pair of coders,
Krippendorff's alpha over all), and disagreements are resolved into the coding that counts."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.agreement import CODING_COLUMNS, Agreement, agreement
from consult.accounts.models import User
from research.coding.models import Decision, Resolution, SampleItem, Suggestion

MAX_SAMPLE = 1000


async def draw_sample(
    db: AsyncSession,
    consultation_id: uuid.UUID,
    question_key: str,
    size: int,
    seed: int | None = None,
) -> int:
    """Replace the question's sample with `size` answers drawn at random (every answer the
    coding run saw is eligible)."""
    ids = list(
        await db.scalars(
            select(Suggestion.response_id)
            .where(
                Suggestion.consultation_id == consultation_id,
                Suggestion.question_key == question_key,
            )
            .order_by(Suggestion.response_id)
        )
    )
    chosen = random.Random(seed).sample(ids, min(size, len(ids)))  # noqa: S311 (not security)
    await db.execute(
        delete(SampleItem).where(
            SampleItem.consultation_id == consultation_id, SampleItem.question_key == question_key
        )
    )
    db.add_all(
        SampleItem(consultation_id=consultation_id, question_key=question_key, response_id=rid)
        for rid in chosen
    )
    await db.flush()
    return len(chosen)


async def sample_ids(
    db: AsyncSession, consultation_id: uuid.UUID, question_key: str
) -> set[uuid.UUID]:
    return set(
        await db.scalars(
            select(SampleItem.response_id).where(
                SampleItem.consultation_id == consultation_id,
                SampleItem.question_key == question_key,
            )
        )
    )


@dataclass
class SampleCodings:
    """Who coded what on the sample: one row per (answer, coder, theme) with 0/1."""

    long: pd.DataFrame
    coders: list[str]
    by_answer: dict[str, dict[str, list[str]]]  # response id -> coder -> themes


async def sample_codings(
    db: AsyncSession, consultation_id: uuid.UUID, question_key: str, themes: list[str]
) -> SampleCodings:
    sample = await sample_ids(db, consultation_id, question_key)
    rows = await db.execute(
        select(Decision.response_id, User.email, Decision.themes)
        .join(User, User.id == Decision.coder_id)
        .where(Decision.consultation_id == consultation_id, Decision.question_key == question_key)
    )
    by_answer: dict[str, dict[str, list[str]]] = {}
    for response_id, email, chosen in rows:
        if response_id in sample:
            by_answer.setdefault(str(response_id), {})[email] = list(chosen)
    records = [
        (rid, coder, theme, int(theme in chosen))
        for rid, coders in by_answer.items()
        if len(coders) >= 2
        for coder, chosen in coders.items()
        for theme in themes
    ]
    long = pd.DataFrame(records, columns=CODING_COLUMNS)
    coders = sorted(long["coder"].unique().tolist()) if len(long) else []
    return SampleCodings(long, coders, by_answer)


def measure(codings: SampleCodings) -> Agreement | None:
    """Agreement over the answers at least two people coded; None until there are some."""
    if len(codings.coders) < 2:
        return None
    return agreement(codings.long)


async def resolve(
    db: AsyncSession,
    *,
    consultation_id: uuid.UUID,
    question_key: str,
    response_id: uuid.UUID,
    themes: list[str],
    resolved_by: uuid.UUID,
) -> Resolution:
    resolution = await db.scalar(
        select(Resolution).where(
            Resolution.question_key == question_key, Resolution.response_id == response_id
        )
    )
    if resolution is None:
        resolution = Resolution(
            consultation_id=consultation_id, question_key=question_key, response_id=response_id
        )
        db.add(resolution)
    resolution.themes = sorted(set(themes))
    resolution.resolved_by = resolved_by
    await db.flush()
    return resolution


async def resolved_ids(db: AsyncSession, consultation_id: uuid.UUID, question_key: str) -> set[str]:
    return {
        str(r)
        for r in await db.scalars(
            select(Resolution.response_id).where(
                Resolution.consultation_id == consultation_id,
                Resolution.question_key == question_key,
            )
        )
    }
