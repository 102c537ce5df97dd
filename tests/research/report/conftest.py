"""A demo-like consultation for the report: the demo survey with submitted responses that carry
respondent types, an age band, ratings, a rating grid and free text, a coded and quoted theme."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from research.coding.models import QuestionCodebook, Quote, Suggestion
from research.coding.quotes import apply_spans
from surveys.models import Response
from surveys.store.versions import current_version
from tests.conftest import db_session
from tests.surveys.conftest import load_demo

TYPES = ["victim_survivor"] * 12 + ["professional"] * 20 + ["public"] * 15 + ["on_behalf"] * 3
AGES = ["age_25_34", "age_35_44", "age_45_54", "age_18_24"]
QUALITY = ["very_good", "good", "ok", "poor", "very_poor", "dont_know"]
TEXTS = [
    "More refuge spaces and housing support for women leaving",
    "Education in schools about healthy relationships and consent",
    "Counselling waiting lists are far too long for everyone",
]
THEME = "Housing and refuge"
QUOTED = "Sarah Jones said more refuge spaces and housing support would help women leaving"


def answers_for(n: int, kind: str) -> dict[str, Any]:
    return {
        "respondent_type": kind,
        "age_band": AGES[n % len(AGES)],
        "pursuing_perpetrators": QUALITY[n % len(QUALITY)],
        "service_satisfaction": {"police": ["satisfied", "dissatisfied"][n % 2]},
        "prevention": TEXTS[n % len(TEXTS)],
        "words_then": ["scared", "alone", "angry"],
        "words_now": ["stronger", "hopeful", "tired"],
    }


async def demo_report_data(settings: Settings) -> uuid.UUID:
    """Fifty submitted responses (mixed small and large groups), the prevention question's
    codebook with machine suggestions, and one confirmed, redacted quote; the consultation id."""
    await load_demo(settings)
    async with db_session(settings) as db:
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        version = await db.run_sync(lambda s: current_version(s.connection(), consultation.id))
        assert version is not None
        start = datetime.now(UTC) - timedelta(days=2)
        ids = []
        for n, kind in enumerate(TYPES):
            response = Response(
                consultation_id=consultation.id,
                version_id=version.id,
                respondent_type=kind,
                answers=answers_for(n, kind),
                submitted_at=start + timedelta(minutes=n),
                withdrawal_code_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
            )
            db.add(response)
            await db.flush()
            ids.append(response.id)
        db.add(
            QuestionCodebook(
                consultation_id=consultation.id,
                question_key="prevention",
                definition={"themes": [{"name": THEME}, {"name": "Education"}]},
            )
        )
        for n, rid in enumerate(ids):
            mentioned = n % 3 == 0
            db.add(
                Suggestion(
                    consultation_id=consultation.id,
                    question_key="prevention",
                    response_id=rid,
                    themes=[{"theme": THEME, "score": 1.0, "source": "rule", "why": "refuge"}]
                    if mentioned
                    else [],
                    labels=f"|{THEME}|" if mentioned else "|",
                    uncertainty=0.0,
                )
            )
        spans = [{"type": "PERSON", "start": 0, "end": 11, "by": "machine"}]
        db.add(
            Quote(
                consultation_id=consultation.id,
                question_key="prevention",
                response_id=ids[0],
                theme=THEME,
                spans=spans,
                text=apply_spans(QUOTED, spans),
                confirmed_at=datetime.now(UTC),
            )
        )
        db.add(
            Quote(  # chosen but never confirmed: must not appear
                consultation_id=consultation.id,
                question_key="prevention",
                response_id=ids[3],
                theme=THEME,
                spans=[],
            )
        )
        await db.commit()
        return consultation.id
