"""The coding queue: which answer a coder sees next, and how an answer is shown with its
suggested themes and the words that triggered them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from research.coding.models import Decision, SampleItem, Suggestion
from surveys.store.answers import in_group

# "uncertain" is the stored queue rank (research.coding.ranking); the key stays for old links.
ORDERS = {"uncertain": "Most worth coding first", "received": "In the order received"}


@dataclass(frozen=True)
class QueueFilter:
    """How the queue is ordered and narrowed; carried from item to item in the address."""

    order: str = "uncertain"
    theme: str = ""
    group: str = ""
    sample: bool = False

    @classmethod
    def read(cls, order: str, theme: str, group: str, sample: str) -> QueueFilter:
        return cls(
            order=order if order in ORDERS else "uncertain",
            theme=theme[:200],
            group=group[:40],
            sample=sample == "1",
        )

    def query(self) -> str:
        params = {"order": self.order, "theme": self.theme, "group": self.group}
        if self.sample:
            params["sample"] = "1"
        return urlencode({k: v for k, v in params.items() if v})


async def next_response(
    db: AsyncSession,
    consultation_id: uuid.UUID,
    question_key: str,
    coder_id: uuid.UUID,
    narrow: QueueFilter,
) -> uuid.UUID | None:
    """The next answer this coder has not coded yet, in the queue's order.

    Both orders are stored ranks with an index each, so the database walks the index from the
    start and stops at the first answer this coder has not decided (one index probe per answer
    passed over): no sort and no count over all answers, whatever their number. Narrowing by
    group asks the survey data layer, one probe of the response per answer passed over.
    """
    rank = Suggestion.queue_rank if narrow.order == "uncertain" else Suggestion.received_rank
    mine = (
        select(Decision.id)
        .where(
            Decision.question_key == question_key,
            Decision.response_id == Suggestion.response_id,
            Decision.coder_id == coder_id,
        )
        .exists()
    )
    query = select(Suggestion.response_id).where(
        Suggestion.consultation_id == consultation_id,
        Suggestion.question_key == question_key,
        ~mine,
    )
    if narrow.sample:
        query = query.join(
            SampleItem,
            and_(
                SampleItem.response_id == Suggestion.response_id,
                SampleItem.question_key == question_key,
            ),
        )
    if narrow.theme:
        escaped = narrow.theme.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Suggestion.labels.like(f"%|{escaped}|%", escape="\\"))
    if narrow.group:
        query = query.where(in_group(Suggestion.response_id, narrow.group))
    # Ranks are distinct within a run, so the index alone gives the order.
    return await db.scalar(query.order_by(rank).limit(1))


def highlighted(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """The answer cut into pieces, with the words that triggered a rule marked."""
    terms = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not terms:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for match in pattern.finditer(text):
        if match.start() > cursor:
            pieces.append((text[cursor : match.start()], False))
        pieces.append((match.group(0), True))
        cursor = match.end()
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces


def rule_words(themes: list[dict[str, Any]]) -> list[str]:
    return [str(t["why"]) for t in themes if t.get("source") == "rule" and t.get("why")]
