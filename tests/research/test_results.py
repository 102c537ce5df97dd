"""Overview and per-question results over HTTP: counts, bases and percentages checked against
counts made here from the answers written, with filters submitted through the page's form."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar.testing import AsyncTestClient

from consult.settings import Settings
from tests.forms import open_page
from tests.research.conftest import (
    SATISFACTION,
    count_of,
    demo_with_responses,
    known_answers,
    table_header,
    table_rows,
)

ANSWERS = known_answers(120)


def _base(consultation_id: Any) -> str:
    return f"/staff/consultations/{consultation_id}/analysis"


async def test_overview_counts_responses_lists_questions_and_links_coding(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    page = await open_page(client, _base(consultation_id))
    assert page.soup.find(id="count-submitted").get_text(strip=True) == "120"
    assert page.soup.find(id="not-for-publication") is not None
    links = {a["href"] for a in page.soup.select("#question-list a")}
    assert f"{_base(consultation_id)}/questions/age_band" in links
    nav = {a.get_text(strip=True): a["href"] for a in page.soup.select("#workspace-nav a")}
    assert nav["Coding"] == f"{_base(consultation_id)}/coding"
    assert nav["Themes"] == f"{_base(consultation_id)}/themes"
    by_type = table_rows(page.text, "type-table")
    assert sum(int(cells[-1]) for cells in by_type.values()) == 120


async def test_panel_members_cannot_open_the_workspace(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS[:5])
    await staff("panel_member")
    response = await client.get(_base(consultation_id))
    assert response.status_code == 403


async def test_single_choice_counts_and_percentages_match_an_independent_count(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    page = await open_page(client, f"{_base(consultation_id)}/questions/sex")
    expected = Counter(a["sex"] for _, a in ANSWERS if "sex" in a)
    answered = sum(expected.values())
    row = table_rows(page.text, "table-1")["All in the selection"]
    header = table_header(page.text, "table-1")[1:]
    cells = dict(zip(header, row, strict=True))
    assert count_of(cells["Female"]) == expected["female"]
    assert f"({expected['female'] / answered * 100:.1f}%)" in cells["Female"]
    assert count_of(cells["Not answered"]) == 120 - answered
    assert count_of(cells["Total"]) == 120
    assert page.soup.find(id="answered").get_text(strip=True) == str(answered)
    assert page.soup.select_one("figure img")["alt"].startswith("Bar chart")


async def test_filter_form_combines_respondent_types_and_answers(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    page = await open_page(client, f"{_base(consultation_id)}/questions/age_band")
    form = page.form(id="filters").fill(
        respondent_type=["victim_survivor", "professional"],
        answer=["sex=female", "age_band=age_25_34", "age_band=age_35_44"],
    )
    response = await form.submit(client)
    assert response.status_code == 200, response.text
    chosen = [
        a
        for kind, a in ANSWERS
        if kind in ("victim_survivor", "professional")
        and a.get("sex") == "female"
        and a.get("age_band") in ("age_25_34", "age_35_44")
    ]
    counts = Counter(a["age_band"] for a in chosen)
    row = table_rows(response.text, "table-1")["All in the selection"]
    cells = dict(zip(table_header(response.text, "table-1")[1:], row, strict=True))
    assert count_of(cells["25 to 34"]) == counts["age_25_34"]
    assert count_of(cells["35 to 44"]) == counts["age_35_44"]
    assert count_of(cells["18 to 24"]) == 0
    assert count_of(cells["Total"]) == len(chosen)
    assert "Filtered to responses matching" in response.text


async def test_rating_grid_is_one_table_with_a_net_score_per_service(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    page = await open_page(client, f"{_base(consultation_id)}/questions/service_satisfaction")
    asked = [a for kind, a in ANSWERS if kind in ("victim_survivor", "on_behalf")]
    police = [
        a["service_satisfaction"]["police"]
        for a in asked
        if "police" in a.get("service_satisfaction", {})
    ]
    table = table_rows(page.text, "table-1")
    header = table_header(page.text, "table-1")[1:]
    cells = dict(zip(header, table["Police"], strict=True))
    assert count_of(cells["Very satisfied"]) == police.count("very_satisfied")
    assert count_of(cells["Don't know or not applicable"]) == police.count("dont_know")
    assert count_of(cells["Not answered"]) == len(asked) - len(police)
    rated = [p for p in police if p in SATISFACTION]
    good = sum(p in ("very_satisfied", "satisfied") for p in rated)
    net = table_rows(page.text, "table-2")["Police"]
    assert net[0] == str(len(rated))
    assert net[1] == f"{good} ({good / len(rated) * 100:.1f}%)"
    assert "Stacked bar" in page.soup.select_one("figure img")["alt"]


async def test_multiple_choice_counts_each_option_among_those_answering(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    page = await open_page(client, f"{_base(consultation_id)}/questions/abuse_types")
    answered = [a["abuse_types"]["selected"] for _, a in ANSWERS if "abuse_types" in a]
    row = table_rows(page.text, "table-1")["Coercive or controlling behaviour"]
    picked = sum("coercive_control" in s for s in answered)
    assert count_of(row[0]) == picked
    assert count_of(row[1]) == len(answered) - picked


async def test_bad_filter_values_and_unknown_questions_get_a_clear_message(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS[:10])
    await staff("researcher")
    base = _base(consultation_id)
    response = await client.get(f"{base}/questions/sex?answer=age_band%3Dancient")
    assert response.status_code == 400
    assert "&#39;ancient&#39; is not an answer to &#39;What is your age?&#39;" in response.text
    response = await client.get(f"{base}/questions/sex?answer=shoe_size%3D9")
    assert response.status_code == 400 and "shoe_size" in response.text
    response = await client.get(f"{base}/questions/sex?respondent_type=alien")
    assert response.status_code == 400 and "not a respondent type" in response.text
    response = await client.get(f"{base}/questions/no_such_question")
    assert response.status_code == 404 and "no_such_question" in response.text
    response = await client.get(f"{base}/questions/sex/download?format=exe")
    assert response.status_code == 422 and "csv, svg or png" in response.text
