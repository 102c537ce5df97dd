"""People's coding decisions, and the coding that counts for each answer: an agreed
resolution first, else the latest person's decision, else the machine's suggestion."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncSession

from research.coding.models import Decision, Resolution, Suggestion


class Kind(StrEnum):
    ACCEPTED = "accepted"
    CHANGED = "changed"
    ADDED = "added"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "accepted": "Suggestion accepted",
            "changed": "Suggestion changed",
            "added": "Added by hand",
            "none": "No theme applies",
        }[self.value]


def kind_of(chosen: list[str], suggested: list[str]) -> Kind:
    if suggested:
        return Kind.ACCEPTED if set(chosen) == set(suggested) else Kind.CHANGED
    return Kind.ADDED if chosen else Kind.NONE


@dataclass(frozen=True)
class Choice:
    themes: list[str]
    memo: str
    flagged: bool


async def decide(
    db: AsyncSession,
    *,
    consultation_id: uuid.UUID,
    question_key: str,
    response_id: uuid.UUID,
    coder_id: uuid.UUID,
    choice: Choice,
    suggested: list[str],
) -> Decision:
    """Record (or replace) this coder's decision on one answer."""
    decision = await db.scalar(
        select(Decision).where(
            Decision.question_key == question_key,
            Decision.response_id == response_id,
            Decision.coder_id == coder_id,
        )
    )
    if decision is None:
        decision = Decision(
            consultation_id=consultation_id,
            question_key=question_key,
            response_id=response_id,
            coder_id=coder_id,
        )
        db.add(decision)
    decision.themes = sorted(set(choice.themes))
    decision.suggested = sorted(set(suggested))
    decision.kind = kind_of(choice.themes, suggested)
    decision.memo = choice.memo
    decision.flagged = choice.flagged
    await db.flush()
    return decision


@dataclass(frozen=True)
class Coding:
    themes: list[str]
    by_person: bool


def codings(conn: Connection, consultation_id: uuid.UUID, question_key: str) -> dict[str, Coding]:
    """response id -> the coding that counts. Machine suggestions fill in where no person has
    coded; `by_person` says which is which."""
    out: dict[str, Coding] = {}
    where = (Suggestion.consultation_id == consultation_id) & (
        Suggestion.question_key == question_key
    )
    for response_id, themes in conn.execute(
        select(Suggestion.response_id, Suggestion.themes).where(where)
    ):
        out[str(response_id)] = Coding([t["theme"] for t in themes], by_person=False)
    for rid, themes in human_labels(conn, consultation_id, question_key).items():
        out[rid] = Coding(themes, by_person=True)
    return out


def human_labels(
    conn: Connection, consultation_id: uuid.UUID, question_key: str
) -> dict[str, list[str]]:
    """What people decided, for learning: an agreed resolution, else the latest decision.
    Reads only people's rows (a few thousand), never the machine's suggestions."""
    out: dict[str, list[str]] = {}
    for response_id, themes in conn.execute(
        select(Decision.response_id, Decision.themes)
        .where(Decision.consultation_id == consultation_id, Decision.question_key == question_key)
        .order_by(Decision.updated_at)
    ):
        out[str(response_id)] = list(themes)
    for response_id, themes in conn.execute(
        select(Resolution.response_id, Resolution.themes).where(
            Resolution.consultation_id == consultation_id, Resolution.question_key == question_key
        )
    ):
        out[str(response_id)] = list(themes)
    return out
