"""The queue's order and its explanations, as a coder meets them: after ten answers coded by a
person the suggestions are learned again, and the queue then asks for answers in the order
the learner's `next_batch` chooses (uncertain, diverse, rare themes), each learned suggestion
showing the words that pushed its score most; rule suggestions mark the words they matched.

The expected order and words are computed here, independently of the workspace, by calling
the `analysis` package on the same answers and the same people's coding."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from analysis.learning import fit_theme_model, next_batch, uncertainty
from research.coding.codebooks import starting_codebook
from research.coding.models import Decision, Suggestion
from surveys.models import Response
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.research.coding.conftest import add_responses, wait_for_jobs

KINDS = ["victim_survivor", "professional", "public", "on_behalf"]
OPENINGS = [
    "The police never called me back",
    "Children who see abuse at home need support",
    "My case took two years to reach court",
    "Schools should teach consent",
    "There was no refuge space near me",
    "I was harassed online for months",
    "Street lighting in the park is poor",
    "My GP did not ask about my bruises",
]
ENDINGS = ["", " and I gave up", " in our town", " and nothing changed", " for a long time"]
# Enough answers for a batch with discovery places; received in this order.
MORE = [
    (KINDS[i % 4], OPENINGS[i % len(OPENINGS)] + ENDINGS[(i // len(OPENINGS)) % len(ENDINGS)])
    for i in range(32)
]


def answer(page: Any) -> str:
    return str(page.soup.find(id="answer").get_text())


async def code_ten_by_hand(client: AsyncTestClient[Any], coding: str) -> None:
    """Run the coding, then code ten answers in the order received: suggestions accepted, and
    where nothing was suggested the first theme ticked, so every answer has a theme."""
    await submit(client, coding, "Code all answers", action="/prevention/run")
    await wait_for_jobs(client, coding)
    response = await client.get(f"{coding}/prevention/queue?order=received", follow_redirects=True)
    for _ in range(10):
        page = await open_page(client, str(response.url))
        form = page.form("Save and next")
        if not [v for n, v in form.values if n == "themes"]:
            form.fill(themes=[form.options("themes")[0]])
        response = await form.submit(client, follow_redirects=True)
    await wait_for_jobs(client, coding)  # the retraining the tenth decision started


async def learner_inputs(client: AsyncTestClient[Any]) -> tuple[list[str], list[str], Any]:
    """Answer ids and texts in the order received, and the people's coding as 0/1 columns."""
    async with db_session(client.app.state["settings"]) as db:
        responses = list(
            await db.scalars(select(Response).order_by(Response.submitted_at, Response.id))
        )
        decided = {str(d.response_id): d.themes for d in await db.scalars(select(Decision))}
    rows = [(str(r.id), r.answers["prevention"]) for r in responses if r.answers.get("prevention")]
    ids, texts = [r[0] for r in rows], [r[1] for r in rows]
    themes = starting_codebook().theme_names()
    labels = pd.DataFrame(
        [[int(t in decided[i]) for t in themes] for i in ids if i in decided], columns=themes
    )
    sample = [text for i, text in zip(ids, texts, strict=True) if i in decided]
    model = fit_theme_model(sample, labels, unlabelled=texts)
    return ids, texts, (model, np.array([i in decided for i in ids]))


async def test_after_learning_the_queue_asks_in_next_batch_order(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await add_responses(client.app.state["settings"], MORE)
    await code_ten_by_hand(client, coding)
    _, texts, (model, coded) = await learner_inputs(client)
    batch = next_batch(model, texts, coded, 50)
    expected = [texts[r] for r in batch["row"]]
    # The learner's order is not plain "least certain first": it spreads and discovers.
    unc = uncertainty(model.predict_proba(texts), model.threshold, model.at_least_one)
    plain = [texts[r] for r in np.argsort(-unc.to_numpy(), kind="stable") if not coded[r]]
    assert expected[:8] != plain[:8]
    response = await client.get(f"{coding}/prevention/queue", follow_redirects=True)
    for position in range(8):
        page = await open_page(client, str(response.url))
        assert answer(page) == expected[position], f"queue place {position + 1}"
        response = await page.form("Save and next").submit(client, follow_redirects=True)


async def test_a_learned_suggestion_shows_the_words_that_pushed_it(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await add_responses(client.app.state["settings"], MORE)
    await code_ten_by_hand(client, coding)
    ids, texts, (model, _) = await learner_inputs(client)
    async with db_session(client.app.state["settings"]) as db:
        learned = [
            (str(s.response_id), t["theme"])
            for s in await db.scalars(select(Suggestion).order_by(Suggestion.queue_rank))
            for t in s.themes
            if t["source"] == "model"
        ]
    assert learned, "some suggestion comes from the learned model alone"
    response_id, theme = learned[0]
    row = ids.index(response_id)
    why = model.explain(texts, pd.DataFrame({"row": [row], "theme": [theme]}))
    words = [w for w in str(why["words"].iloc[0]).split("; ") if w]
    assert words
    page = await open_page(client, f"{coding}/prevention/queue/{response_id}")
    box = next(
        b.find_parent(class_="govuk-checkboxes__item")
        for b in page.soup.select("input[name=themes]")
        if b["value"] == theme
    )
    hint = box.find(class_="govuk-hint")
    assert "Learned from coded answers" in hint.get_text()
    assert [m.get_text() for m in hint.select("mark")] == words


async def test_a_rule_suggestion_marks_the_words_it_matched(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await submit(client, coding, "Code all answers", action="/prevention/run")
    await wait_for_jobs(client, coding)
    page = await open_page(client, f"{coding}/prevention/queue?order=received")
    assert answer(page).startswith("The police did not believe me")
    marked = [m.get_text().lower() for m in page.soup.find(id="answer").select("mark")]
    hints = [h.get_text() for h in page.soup.select("#themes .govuk-hint")]
    matched = [h.split('"')[1].lower() for h in hints if h.startswith("Matched")]
    assert matched and set(matched) <= set(marked)
    assert "police" in marked
