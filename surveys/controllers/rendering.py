"""A question page's form read into answers and errors, and its questions rendered to HTML (the
journey and the builder's preview share both)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from markupsafe import Markup

from surveys.definition import Answers, QuestionType


def form_lists(form: FormMultiDict) -> Mapping[str, Sequence[str]]:
    return {name: [str(v) for v in form.getall(name)] for name in form}


def parse_page(
    questions: list[QuestionType], form: FormMultiDict
) -> tuple[Answers, dict[str, str], dict[str, list[str]]]:
    """Parsed answers, the error summary (anchor -> message) and each question's errors."""
    fields = form_lists(form)
    answers: Answers = {}
    summary: dict[str, str] = {}
    per_question: dict[str, list[str]] = {}
    for question in questions:
        value, errors = question.parse(fields)
        answers[question.key] = value
        if errors:
            summary[question.error_anchor] = " ".join(errors)
            per_question[question.key] = errors
    return answers, summary, per_question


def rendered(
    request: Request[Any, Any, Any],
    questions: list[QuestionType],
    answers: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    blanks: MutableMapping[QuestionType, tuple[Markup, Markup]] | None = None,
) -> list[Markup]:
    """Each question's own template (from ``question.render``), rendered to HTML.

    A respondent moving forward sees each question blank, so blank renders are kept per question
    in the app's cache (weakly: they go with the survey definition). Only blank ones:
    respondents' answers are never kept in memory beyond their own request."""
    engine = request.app.template_engine
    assert engine is not None  # the app always configures Jinja
    alone = len(questions) == 1

    def render(question: QuestionType, heading: bool) -> Markup:
        spec = question.render(
            answers.get(question.key), errors.get(question.key, []), heading=heading
        )
        return Markup(engine.get_template(spec.template).render(**spec.context))  # noqa: S704 - autoescaped template output

    html = []
    for question in questions:
        if answers.get(question.key) is not None or question.key in errors:
            html.append(render(question, alone))
            continue
        blank = blanks.get(question) if blanks is not None else None
        if blank is None:
            blank = (render(question, False), render(question, True))
            if blanks is not None:
                blanks[question] = blank
        html.append(blank[alone])
    return html
