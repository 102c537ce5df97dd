"""The idle-timeout warning in a real browser: shown ahead of time, focused, not covering the
quick exit, accessible, and "Stay on this page" keeps the respondent where they were."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import assert_no_axe_violations
from tests.browser.journey import walk

pytestmark = pytest.mark.browser

SHORT_TIMEOUT = 24  # seconds: the script then warns after 4 s (it warns at least 20 s ahead)


def shorten_idle_timeout(page: Any) -> None:
    """Serve journey pages with a short data-idle-timeout so the warning comes within seconds."""

    def rewrite(route: Any) -> None:
        response = route.fetch()
        body = re.sub(
            r'data-idle-timeout="\d+"', f'data-idle-timeout="{SHORT_TIMEOUT}"', response.text()
        )
        route.fulfill(response=response, body=body)

    page.route(re.compile(r".*/c/[^/]+/p/.*"), rewrite)


@pytest.fixture
def axe_page(new_page: Any) -> Any:
    return new_page(bypass_csp=True)


def test_idle_warning_takes_focus_leaves_exit_uncovered_and_can_be_dismissed(axe_page: Any) -> None:
    page = axe_page
    walk(page, stop_at=lambda path: "/p/" in path)
    shorten_idle_timeout(page)
    page.reload()
    dialog = page.locator("#consult-idle")
    dialog.wait_for(state="visible", timeout=15_000)
    stay = page.get_by_role("button", name="Stay on this page")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay on this page"
    assert "seconds" in dialog.inner_text()
    exit_button = page.get_by_role("button", name="Exit this page", exact=True)
    box = exit_button.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('a')?.textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Exit this page"
    assert_no_axe_violations(page)
    stay.click()
    dialog.wait_for(state="hidden", timeout=5_000)
    assert "/p/" in page.url
