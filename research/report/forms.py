"""Reading a report section's form: what the researcher picked for its kind, checked against
the survey and codebooks so a bad choice gets a clear message, never a broken report."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import FormMultiDict

from consult.errors import Invalid
from research.report.build import Inputs
from surveys.definition import Survey
from surveys.definition.questions.exporting import ANY_OF, ONE_OF, RATING, RATING_GRID

MAX_TITLE = 200
MAX_BODY = 20_000
# How a question is tabulated decides which pickers offer it (QuestionType.tabulation).
COUNTED = {ONE_OF, ANY_OF, RATING, RATING_GRID}


def pickable(survey: Survey) -> dict[str, list[tuple[str, str]]]:
    """(value, label) options for each picker of the section form."""
    questions = list(survey.questions())
    grid_items = [
        (f"{q.key}.{row.value}", f"{q.title}: {row.label}")
        for q in questions
        if q.tabulation == RATING_GRID
        for row in getattr(q, "rows", ())
    ]
    return {
        "question": [(q.key, q.title) for q in questions if q.tabulation in COUNTED],
        "rating": [(q.key, q.title) for q in questions if q.tabulation == RATING] + grid_items,
        "group": [("", "Respondent type")]
        + [(q.key, q.title) for q in questions if q.groups_respondents],
        "text": [(q.key, q.title) for q in questions if q.holds_free_text],
    }


def read_section(kind: str, form: FormMultiDict, inputs: Inputs) -> tuple[str, str, dict[str, Any]]:
    title = str(form.get("title", "")).strip()
    body = str(form.get("body", ""))
    if len(title) > MAX_TITLE:
        raise Invalid(f"Keep the section title to {MAX_TITLE} characters")
    if len(body) > MAX_BODY:
        raise Invalid(f"Keep the narrative to {MAX_BODY} characters")
    options = pickable(inputs.survey)
    params: dict[str, Any] = {}

    def pick(field: str, picker: str) -> str:
        value = str(form.get(field, ""))
        if value not in {v for v, _ in options[picker]}:
            raise Invalid(f"Choose a {field.replace('_', ' ')} from the list")
        return value

    if kind == "question":
        params["question"] = pick("question", "question")
    elif kind == "breakdown":
        rating = pick("rating", "rating")
        key, _, item = rating.partition(".")
        params.update(question=key, item=item, group=pick("group", "group"))
    elif kind == "respondents":
        groups = {v for v, _ in options["group"] if v}
        chosen = [str(v) for v in form.getall("questions", [])]
        if not set(chosen) <= groups:
            raise Invalid("Choose the questions about respondents from the list")
        params["questions"] = chosen
    elif kind == "wordcloud":
        params.update(left=pick("left", "text"), right=pick("right", "text"))
    elif kind == "theme":
        key, _, theme = str(form.get("theme", "")).partition("::")
        if theme not in inputs.themes.get(key, []):
            raise Invalid("Choose a theme from the list")
        params.update(question=key, theme=theme, quotes=[str(q) for q in form.getall("quotes", [])])
    return title, body, params
