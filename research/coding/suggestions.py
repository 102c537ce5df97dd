"""The coding job: rules from the question's codebook and a model learned from people's
decisions so far suggest themes for every answer, each with why. Idempotent: a run replaces
the question's suggestions, so a job queued again after a stopped worker does no harm."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, insert

from analysis.codebook import Codebook
from analysis.coding import code_responses
from analysis.errors import AnalysisError
from consult.consultations.models import Consultation
from consult.errors import Invalid, NotFound
from consult.jobs import JobContext
from research.coding.codebooks import codebook_of, codebook_row
from research.coding.decisions import human_labels
from research.coding.models import Suggestion
from research.coding.texts import answer_table, text_question

JOB_KIND = "code_question"
# Fewer hand-coded answers than this teach a model nothing useful; rules alone code then.
MIN_LABELLED = 10
# Without a model, answers no rule matched are the ones a person most needs to see.
UNCOVERED_UNCERTAINTY = 1.0
COVERED_UNCERTAINTY = 0.2


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


def suggest(
    answers: pd.DataFrame, book: Codebook, labels: dict[str, list[str]]
) -> tuple[list[dict[str, Any]], bool]:
    """One suggestion row per answer (CPU work: run it off the event loop)."""
    if answers.empty:
        return [], False
    labelled = labelled_sample(answers, labels, book.theme_names())
    result = code_responses(answers, "id", "text", codebook=book, labelled=labelled)
    why: dict[tuple[str, str], tuple[str, str]] = {}
    for row in result.evidence.itertuples(index=False):
        key = (str(row.id), str(row.theme))
        if key not in why or row.source == "rule":
            why[key] = (str(row.source), str(row.evidence))
    uncertainty: dict[str, float] = {}
    if result.model is not None:
        order = result.coding_order()
        uncertainty = dict(zip(order.iloc[:, 0].astype(str), order["uncertainty"], strict=True))
    codes = result.codes
    out = []
    for index, response_id in enumerate(codes["id"].astype(str)):
        themes: list[dict[str, Any]] = []
        for theme in result.themes:
            if codes[theme].iat[index] == 1:
                source, reason = why.get((response_id, theme), ("model", ""))
                score = float(codes[f"score:{theme}"].to_numpy()[index])
                themes.append(
                    {"theme": theme, "score": round(score, 3), "source": source, "why": reason}
                )
        themes.sort(key=lambda t: -float(t["score"]))
        default = COVERED_UNCERTAINTY if themes else UNCOVERED_UNCERTAINTY
        out.append(
            {
                "response_id": uuid.UUID(response_id),
                "themes": themes,
                "labels": "|" + "".join(f"{t['theme']}|" for t in themes),
                "uncertainty": float(np.round(uncertainty.get(response_id, default), 4)),
            }
        )
    return out, result.model is not None


def replace_suggestions(
    conn: Connection, consultation_id: uuid.UUID, question_key: str, rows: list[dict[str, Any]]
) -> None:
    conn.execute(
        delete(Suggestion).where(
            Suggestion.consultation_id == consultation_id, Suggestion.question_key == question_key
        )
    )
    now = pd.Timestamp.now(tz="UTC").to_pydatetime()
    for start in range(0, len(rows), 1000):
        conn.execute(
            insert(Suggestion),
            [
                {
                    "id": uuid.uuid4(),
                    "consultation_id": consultation_id,
                    "question_key": question_key,
                    "created_at": now,
                    "updated_at": now,
                    **row,
                }
                for row in rows[start : start + 1000]
            ],
        )


async def code_question(ctx: JobContext) -> None:
    """Job handler: code every answer to one text question."""
    key = str(ctx.params.get("question_key", ""))
    async with ctx.session() as db:
        consultation = await db.get(Consultation, ctx.consultation_id)
        if consultation is None:
            raise NotFound("The consultation no longer exists")
        question = await text_question(db, consultation, key)
        book = codebook_of(await codebook_row(db, consultation.id, key))
        await db.commit()
        answers, labels = await db.run_sync(
            lambda s: (
                answer_table(s.connection(), consultation.id, question),
                human_labels(s.connection(), consultation.id, key),
            )
        )
    await ctx.report(10, f"Read {len(answers):,} answers; coding them")
    try:
        rows, learned = await anyio.to_thread.run_sync(suggest, answers, book, labels)
    except AnalysisError as exc:
        raise Invalid(str(exc)) from exc
    await ctx.report(80, "Saving suggestions")
    async with ctx.session() as db:
        await db.run_sync(lambda s: replace_suggestions(s.connection(), consultation.id, key, rows))
        await db.commit()
    coded = sum(1 for r in rows if r["themes"])
    how = f"rules and a model learned from {len(labels):,} hand-coded" if learned else "rules"
    await ctx.save_result({"answers": len(rows), "with_themes": coded, "learned": learned})
    await ctx.report(100, f"Suggested themes for {coded:,} of {len(rows):,} answers ({how})")
