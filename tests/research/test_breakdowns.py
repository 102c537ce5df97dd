"""Breakdowns and cross-tabs over HTTP: counts, row percentages, net scores and chi-square
checked against values computed here with scipy from the answers written."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar.testing import AsyncTestClient
from scipy.stats import chi2_contingency

from consult.settings import Settings
from tests.forms import open_page
from tests.research.conftest import (
    count_of,
    demo_with_responses,
    known_answers,
    table_header,
    table_rows,
)

ANSWERS = known_answers(200, seed=11)
AGE_LABELS = {"age_18_24": "18 to 24", "age_25_34": "25 to 34", "age_35_44": "35 to 44"}
TYPE_LABELS = {
    "victim_survivor": "I have lived experience of abuse or violence",
    "on_behalf": "I am answering on behalf of someone with lived experience",
}


async def test_rating_by_group_counts_row_percentages_net_and_chi_square(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    base = f"/staff/consultations/{consultation_id}/analysis"
    page = await open_page(client, f"{base}/breakdowns")
    response = (
        await page.form(id="filters")
        .fill(rating="service_satisfaction.police", group="respondent_type")
        .submit(client)
    )
    assert response.status_code == 200, response.text
    rated = [
        (kind, a["service_satisfaction"]["police"])
        for kind, a in ANSWERS
        if kind in TYPE_LABELS
        and a.get("service_satisfaction", {}).get("police") not in (None, "dont_know")
    ]
    rows = table_rows(response.text, "breakdown-table")
    header = table_header(response.text, "breakdown-table")[1:]
    levels = ["very_dissatisfied", "dissatisfied", "neither", "satisfied", "very_satisfied"]
    observed = []
    for kind, label in TYPE_LABELS.items():
        mine = [value for who, value in rated if who == kind]
        counts = Counter(mine)
        cells = dict(zip(header, rows[label], strict=True))
        assert count_of(cells["Very satisfied"]) == counts["very_satisfied"]
        assert count_of(cells["Total"]) == len(mine)
        share = counts["very_satisfied"] / len(mine) * 100
        assert f"({share:.1f}%)" in cells["Very satisfied"]
        net = table_rows(response.text, "net-table")[label]
        good = counts["very_satisfied"] + counts["satisfied"]
        assert net[0] == str(len(mine))
        assert net[1] == f"{good} ({good / len(mine) * 100:.1f}%)"
        observed.append([counts[level] for level in levels])
    expected = chi2_contingency(
        [
            [n for n, keep in zip(row, map(any, zip(*observed, strict=True)), strict=True) if keep]
            for row in observed
        ],
        correction=False,
    )
    notes = response.text
    assert f"chi-square = {expected.statistic:.2f}" in notes
    assert f"p = {expected.pvalue:.3g}" in notes
    small = (expected.expected_freq < 5).mean() > 0.2 or expected.expected_freq.min() < 1
    assert ("not reliable" in notes) == small  # the small-expected-count note, when due


async def test_crosstab_of_two_groups_counts_every_respondent(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    page = await open_page(client, f"/staff/consultations/{consultation_id}/analysis/crosstab")
    response = await page.form(id="filters").fill(rows="age_band", columns="sex").submit(client)
    assert response.status_code == 200, response.text
    rows = table_rows(response.text, "breakdown-table")
    header = table_header(response.text, "breakdown-table")[1:]
    expected = Counter((a.get("age_band"), a.get("sex")) for _, a in ANSWERS)
    cells = dict(zip(header, rows["25 to 34"], strict=True))
    assert count_of(cells["Female"]) == expected[("age_25_34", "female")]
    assert count_of(cells["Not stated"]) == expected[("age_25_34", None)]
    total = dict(zip(header, rows["Total"], strict=True))
    assert count_of(total["Total"]) == len(ANSWERS)


async def test_unknown_rating_or_group_is_named_in_the_message(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS[:20])
    await staff("researcher")
    base = f"/staff/consultations/{consultation_id}/analysis"
    response = await client.get(f"{base}/breakdowns?rating=shoe_size&group=respondent_type")
    assert (
        response.status_code == 400
        and "&#39;shoe_size&#39; is not a rating question" in response.text
    )
    response = await client.get(f"{base}/crosstab?rows=age_band&columns=" + "x" * 5000)
    assert response.status_code == 400 and "is not a group question" in response.text
    response = await client.get(f"{base}/breakdowns/download?format=csv")
    assert response.status_code == 422 and "Choose a rating and a group" in response.text
