"""Every route of every published survey in the test data (the demo's included) walked over
HTTP from the start page to the confirmation, submitting the forms each page renders. The walk
fails on a redirect loop, on a page reached twice, on a page without exactly one h1, and when the
pages a respondent sees are not the route the routing functions give.

A route is the list of pages a respondent sees. The answers that decide it (the respondent-type
question and every question a condition reads) are tried with each of their options and with
no answer, and each skippable section is skipped and not; answer sets giving the same pages
are walked once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from consult.consultations.models import Consultation
from surveys.definition import (
    PageRef,
    QuestionType,
    Survey,
    load_definition,
    survey_from_dict,
    survey_to_dict,
    visible_pages,
)
from surveys.definition.conditions import referenced_questions
from surveys.store.database import run
from surveys.store.versions import publish_version
from tests.conftest import db_session
from tests.forms import parse
from tests.surveys.builder.conftest import GOOD_YAML
from tests.surveys.builder.test_transfer import ROUTED_YAML
from tests.surveys.conftest import ALL_TYPES_YAML, load_demo
from tests.surveys.definition.test_routing import SURVEY as ROUTING_SURVEY

MAX_REDIRECTS = 10
MAX_STEPS = 200


def surveys_in_test_data() -> dict[str, Survey]:
    from surveys.demo_loader import DEMO_DEFINITION

    return {
        "all-types": load_definition(ALL_TYPES_YAML),
        "spring": load_definition(GOOD_YAML),
        "routed": load_definition(ROUTED_YAML),
        # No consent question: published before the builder insisted on one.
        "routing": ROUTING_SURVEY,
        "demo": load_definition(DEMO_DEFINITION),
    }


def _form_inputs(question: QuestionType, choice: Any) -> dict[str, Any]:
    """The form fields that give ``question`` the answer ``choice`` (None: left blank)."""
    if choice is None:
        return {}
    kind = question.type_name
    name = question.field_name
    if kind == "multiple_choice":
        fields: dict[str, Any] = {name: [choice]}
        if choice == "other":
            fields[f"{name}-other"] = "something"
        return fields
    if kind == "rating_grid":
        row = question.rows[0]  # type: ignore[attr-defined]
        return {question.row_field_name(row): choice}  # type: ignore[attr-defined]
    if kind == "month_year":
        return {f"{name}-month": "1", f"{name}-year": "2020"}
    if kind == "three_words":
        return {f"{name}-1": "word"}
    if kind == "number":
        minimum = getattr(question, "minimum", None)
        return {name: str(minimum if minimum is not None else 1)}
    if kind in ("single_choice", "rating", "consent"):
        return {name: choice}
    return {name: "an answer"}


def _choices(question: QuestionType) -> list[Any]:
    options = getattr(question, "all_options", None)
    if options:
        return [None, *(option.value for option in options)]
    return [None, "yes" if question.type_name == "consent" else "answered"]


def _stored(question: QuestionType, choice: Any) -> Any:
    fields = _form_inputs(question, choice)
    listed = {k: v if isinstance(v, list) else [v] for k, v in fields.items()}
    value, errors = question.parse(listed)
    assert not errors, (question.key, choice, errors)
    return value


@dataclass(frozen=True)
class Plan:
    """The answers and skips of one route."""

    inputs: tuple[tuple[str, Any], ...]
    skipped: frozenset[str]


def routes(survey: Survey) -> dict[tuple[PageRef, ...], Plan]:
    """One plan per distinct route: page sequence -> the answers and skips that give it."""
    deciders: list[str] = []
    if survey.respondent_type_question:
        deciders.append(survey.respondent_type_question)
    items: list[Any] = []
    for section in survey.sections:
        items.append(section)
        for page in section.pages:
            items.append(page)
            items.extend(page.questions)
    for item in items:
        for key in referenced_questions(item.show_if):
            if key not in deciders:
                deciders.append(key)
    questions = {key: survey.question(key) for key in deciders}
    skippable = [s.key for s in survey.sections if s.skippable]
    found: dict[tuple[PageRef, ...], Plan] = {}
    for combo in itertools.product(*(_choices(questions[k]) for k in deciders)):
        answers = {k: _stored(questions[k], c) for k, c in zip(deciders, combo, strict=True)}
        answers = {k: v for k, v in answers.items() if v is not None}
        for n in range(len(skippable) + 1):
            for skipped in itertools.combinations(skippable, n):
                pages = tuple(visible_pages(survey, answers, frozenset(skipped)))
                found.setdefault(
                    pages, Plan(tuple(zip(deciders, combo, strict=True)), frozenset(skipped))
                )
    return found


async def _follow(client: AsyncTestClient[Any], response: Any, chain: list[str]) -> Any:
    """Follow redirects one at a time, failing on a loop."""
    while response.status_code in (301, 302, 303, 307, 308):
        target = response.headers["location"]
        assert target not in chain, f"redirect loop: {' -> '.join([*chain, target])}"
        chain.append(target)
        assert len(chain) <= MAX_REDIRECTS, f"too many redirects: {chain}"
        response = await client.get(target, follow_redirects=False)
    assert response.status_code == 200, (chain, response.status_code, response.text[:500])
    return response


async def walk(client: AsyncTestClient[Any], survey: Survey, slug: str, plan: Plan) -> list[str]:
    """From the start page to the confirmation; returns the question pages seen, in order."""
    client.cookies.clear()
    base = f"/c/{slug}"
    inputs = dict(plan.inputs)
    by_field = {
        name: question
        for question in survey.questions()
        for name in question.field_names()
        if question.key in inputs
    }
    response = await _follow(client, await client.get(base, follow_redirects=False), [base])
    await _follow(client, await client.get(f"{base}/safety", follow_redirects=False), [])
    url = f"{base}/consent"
    response = await _follow(client, await client.get(url, follow_redirects=False), [url])
    seen: list[str] = []
    for _ in range(MAX_STEPS):
        path = str(response.url.path)
        page = parse(str(response.url), response)
        assert len(page.soup.find_all("h1")) == 1, f"{path} needs one h1"
        if path.endswith("/done"):
            return seen
        if path.endswith("/check"):
            form = page.form("Send my answers")
        elif "/s/" in path:
            key = path.rsplit("/", 1)[1]
            form = page.form("Skip this section" if key in plan.skipped else "Continue")
        else:
            assert path not in seen, f"page {path} reached twice: {seen}"
            seen.append(path)
            form = page.form("Continue")
            names = form.field_names()
            fill: dict[str, Any] = {}
            for question in {by_field[n].key: by_field[n] for n in names if n in by_field}.values():
                fill.update(_form_inputs(question, inputs[question.key]))
            for consent in survey.questions():
                if consent.type_name == "consent" and consent.field_name in names:
                    fill.setdefault(consent.field_name, "yes")
            form.fill(fill)
        posted = await form.submit(client, follow_redirects=False)
        chain = [path]
        response = await _follow(client, posted, chain)
    raise AssertionError(f"the journey did not end after {MAX_STEPS} steps: {seen}")


def expected_paths(survey: Survey, slug: str, pages: tuple[PageRef, ...]) -> list[str]:
    consent = next(
        (r for r in survey.page_refs() if any(q.type_name == "consent" for q in survey.page(r).questions)),
        None,
    )  # fmt: skip
    shown = [f"/c/{slug}/consent"] if consent is None else []
    return shown + [
        f"/c/{slug}/consent" if ref == consent else f"/c/{slug}/p/{ref.slug}" for ref in pages
    ]


async def publish_all(settings: Any) -> dict[str, Survey]:
    surveys = surveys_in_test_data()
    slugs = {}
    await load_demo(settings)
    async with db_session(settings) as db:
        for name, survey in surveys.items():
            if name == "demo":
                slugs["community-survey"] = survey
                continue
            consultation = Consultation(
                slug=f"walk-{name}", title=name, public_title="Test survey", status="open"
            )
            db.add(consultation)
            await db.flush()
            await run(
                db,
                partial(
                    publish_version,
                    consultation_id=consultation.id,
                    definition=survey_to_dict(survey),
                ),
            )
            slugs[consultation.slug] = survey
        await db.commit()
    return slugs


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
async def test_every_route_of_every_published_survey_ends_without_a_loop(client, settings) -> None:
    walked = 0
    for slug, survey in (await publish_all(settings)).items():
        found = routes(survey_from_dict(survey_to_dict(survey)))
        assert found, slug
        for pages, plan in found.items():
            seen = await walk(client, survey, slug, plan)
            # The no-consent survey starts with a page that only begins the draft.
            assert seen == expected_paths(survey, slug, pages), (slug, plan)
            walked += 1
    assert walked >= 20  # the demo alone has a dozen or more distinct routes
