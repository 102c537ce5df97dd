"""Blind double coding: the lead draws a sample, two researchers code it without seeing each
other's choices, the page reports kappa and alpha (checked here against the textbook formulas),
and a disagreement is resolved into the coding that counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from research.coding.models import Resolution
from tests.conftest import create_user, db_session, sign_in
from tests.forms import open_page, submit
from tests.research.coding.conftest import ANSWERS, wait_for_jobs


def cohen_kappa(a: list[int], b: list[int]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((a.count(v) / n) * (b.count(v) / n) for v in (0, 1))
    return (observed - expected) / (1 - expected)


def nominal_alpha(units: list[tuple[int, int]]) -> float:
    """Krippendorff's alpha for two coders, every unit coded by both (coincidence matrix)."""
    pairs: Counter[tuple[int, int]] = Counter()
    for x, y in units:
        pairs[(x, y)] += 1
        pairs[(y, x)] += 1
    totals = Counter[int]()
    for (c, _), count in pairs.items():
        totals[c] += count
    n = sum(totals.values())
    observed = sum(count for (c, k), count in pairs.items() if c != k) / n
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n * (n - 1))
    return 1 - observed / expected


async def code_sample(
    client: AsyncTestClient[Any], coding: str, theme: str, ticks: list[int]
) -> None:
    response = await client.get(
        f"{coding}/prevention/queue?sample=1&order=received", follow_redirects=True
    )
    for i in range(len(ANSWERS)):
        page = await open_page(client, str(response.url))
        assert "Blind double coding" in page.text and not page.soup.select(".govuk-tag--blue")
        form = page.form("Save and next")
        assert not [v for n, v in form.values if n == "themes"], "nothing ticked in blind coding"
        response = await form.fill(themes=[theme] if ticks[i] else None).submit(
            client, follow_redirects=True
        )
    assert "Nothing left to code" in response.text


async def test_two_coders_double_code_a_sample_and_see_kappa_and_alpha(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await submit(client, coding, "Code all answers", action="/prevention/run")
    await wait_for_jobs(client, coding)
    url = f"{coding}/prevention/agreement"
    response = await submit(client, url, "Draw sample", {"size": str(len(ANSWERS))})
    assert f"{len(ANSWERS)} answers in the sample" in response.text
    themes = (await open_page(client, f"{coding}/prevention/queue?sample=1")).soup.select(
        "#themes input"
    )
    theme = str(themes[0]["value"])
    first = [1, 0, 1, 0, 1, 0, 1, 0]
    second = [1, 0, 0, 1, 0, 0, 1, 0]
    await code_sample(client, coding, theme, first)
    await submit(client, "/staff", "Sign out")
    await sign_in(client, await create_user(client, "researcher"))
    await code_sample(client, coding, theme, second)
    page = await open_page(client, url)
    row = next(r for r in page.soup.select("#kappa tbody tr") if r.th and r.th.get_text() == theme)
    shown = float(row.select("td")[1].get_text())
    assert shown == round(cohen_kappa(first, second), 2)
    other = next(
        r for r in page.soup.select("#kappa tbody tr") if r.th and r.th.get_text() != theme
    )
    assert other.select("td")[1].get_text() == "not defined"
    n_themes = len(themes)
    units = list(zip(first, second, strict=True)) + [(0, 0)] * (len(ANSWERS) * (n_themes - 1))
    assert f"{nominal_alpha(units):.2f}" in page.soup.select_one("#alpha").get_text()
    disputes = page.soup.select("#disagreements a")
    assert len(disputes) == sum(a != b for a, b in zip(first, second, strict=True))
    dispute = await open_page(client, str(disputes[0]["href"]))
    response = (
        await dispute.form("Save agreed coding")
        .fill(themes=[theme])
        .submit(client, follow_redirects=True)
    )
    assert "Resolved" in response.text
    async with db_session(client.app.state["settings"]) as db:
        (resolution,) = list(await db.scalars(select(Resolution)))
    assert resolution.themes == [theme]


async def test_a_sample_size_that_is_not_a_number_gets_a_message(
    client: AsyncTestClient[Any], coding: str
) -> None:
    url = f"{coding}/prevention/agreement"
    page = await open_page(client, url)
    response = await page.form("Draw sample").fill(size="lots").submit(client)
    assert response.status_code == 400 and "Sample size must be a whole number" in response.text
