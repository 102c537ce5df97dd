"""axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) finds nothing on each respondent page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(new_page: Any) -> Any:
    # The app's CSP (script-src 'self') would block the injected axe script.
    return new_page(bypass_csp=True)


def test_home_page_has_no_axe_violations(axe_page: Any) -> None:
    axe_page.goto("/")
    assert_no_axe_violations(axe_page)


def test_home_page_has_no_axe_violations_at_320px(new_page: Any) -> None:
    page = new_page(bypass_csp=True, viewport={"width": 320, "height": 640})
    page.goto("/")
    assert_no_axe_violations(page)
