"""Every type in QUESTION_TYPES can be added through its no-JavaScript form and publishes."""

from __future__ import annotations

from surveys.definition import QUESTION_TYPES, survey_from_dict
from tests.surveys.builder.conftest import (
    add_question,
    draft_definition,
    make_consultation,
    press,
    versions,
)

FIELDS: dict[str, dict[str, str]] = {
    "single_choice": {"options": "Yes\nNo", "prefer_not_to_say": "yes"},
    "multiple_choice": {"options": "a|A\nb|B", "other_label": "Other", "other_max_length": "100"},
    "rating": {"scale": "agreement", "dont_know": "yes", "dont_know_label": "Not sure"},
    "rating_grid": {"scale": "custom", "scale_options": "good|Good\nbad|Bad", "rows": "Bus\nTrain"},
    "short_text": {"max_length": "50"},
    "long_text": {"max_length": "1000", "text_rows": "4", "sensitive": "yes"},
    "three_words": {"max_length": "20"},
    "number": {"minimum": "0", "maximum": "99", "suffix": "years"},
    "month_year": {"earliest_year": "1950", "not_in_future": "yes"},
    "consent": {"label": "I agree to take part", "required": "yes"},
}


async def test_every_question_type_can_be_added_and_published(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await press(client, base, "Create survey")
    await press(client, base, "Add section", {"section_title": "All", "section_key": "all"})
    for n, kind in enumerate(QUESTION_TYPES, 1):
        await press(client, base, "Add page to All")
        response = await add_question(
            client, base, "all", n, kind,
            {"key": f"q_{kind}", "title": f"A {kind} question", **FIELDS[kind]},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, (kind, response.text)
        assert (await client.get(f"{base}/questions/q_{kind}")).status_code == 200
    survey = survey_from_dict(await draft_definition(settings, base))
    assert [q.type_name for q in survey.sections[1].questions] == list(QUESTION_TYPES)
    assert survey.question("q_short_text").max_length == 50  # type: ignore[attr-defined]
    assert survey.question("q_rating_grid").scale[0].value == "good"  # type: ignore[attr-defined]
    assert survey.question("q_rating").dont_know_label == "Not sure"  # type: ignore[attr-defined]
    assert (await press(client, base, "Publish version 1")).status_code == 200
    assert [v.published_at is not None for v in await versions(settings, base)] == [True]
