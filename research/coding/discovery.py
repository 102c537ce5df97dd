"""Looking for new themes: distinctive phrases and clusters among the answers no theme covers
(`analysis.discovery`), run as a job whose small result the page reads."""

from __future__ import annotations

from typing import Any

import anyio
import pandas as pd

from analysis.discovery import suggest_themes
from analysis.errors import AnalysisError
from consult.errors import Invalid
from consult.jobs import JobContext
from research.coding.decisions import codings
from research.coding.texts import answer_table, job_question

JOB_KIND = "suggest_themes"


def find(answers: pd.DataFrame, covered: list[bool]) -> dict[str, Any]:
    found = suggest_themes(answers["text"].tolist(), covered)
    return {
        "uncovered": int(found.uncovered),
        "phrases": found.phrases.to_dict("records"),
        "clusters": found.clusters.astype({"cluster": int, "respondents": int}).to_dict("records"),
    }


async def look_for_themes(ctx: JobContext) -> None:
    """Job handler: phrases and clusters among answers with no theme."""
    key = str(ctx.params.get("question_key", ""))
    async with ctx.session() as db:
        consultation, question = await job_question(db, ctx.consultation_id, key)
        answers, coded = await db.run_sync(
            lambda s: (
                answer_table(s.connection(), consultation.id, question),
                codings(s.connection(), consultation.id, key),
            )
        )
    covered = [bool(coded.get(rid) and coded[rid].themes) for rid in answers["id"]]
    await ctx.report(20, f"Looking among {covered.count(False):,} answers no theme covers")
    try:
        result = await anyio.to_thread.run_sync(find, answers, covered)
    except AnalysisError as exc:
        raise Invalid(str(exc)) from exc
    result = {
        **result,
        "phrases": [{k: _plain(v) for k, v in row.items()} for row in result["phrases"]],
        "clusters": [{k: _plain(v) for k, v in row.items()} for row in result["clusters"]],
    }
    await ctx.save_result(result)
    await ctx.report(
        100, f"Found {len(result['phrases'])} phrases and {len(result['clusters'])} groups"
    )


def _plain(value: Any) -> Any:
    """JSON-safe values (numpy numbers become Python numbers)."""
    return value.item() if hasattr(value, "item") else value
