"""The quick exit in a real browser: the button, Shift pressed three times, and Back afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import EXIT_DESTINATION, EXIT_PAGE_TITLE

pytestmark = pytest.mark.browser

EXIT_NAME = "Exit this page"


def exit_button(page: Any) -> Any:
    return page.get_by_role("button", name=EXIT_NAME, exact=True)


def active_element_is_exit_button(page: Any) -> bool:
    return bool(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                return !!el && el.getAttribute('role') === 'button'
                    && el.hasAttribute('data-quick-exit')
                    && el.textContent.trim() === 'Exit this page';
            }"""
        )
    )


def assert_on_screen_and_uncovered(page: Any, locator: Any) -> None:
    """The element is inside the viewport and is what a click at its centre would hit."""
    box = locator.bounding_box()
    assert box is not None, "exit button is not rendered"
    size = page.viewport_size
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"], (box, size)
    assert box["y"] + box["height"] <= size["height"], (box, size)
    hit = page.evaluate(
        """([x, y]) => {
            const el = document.elementFromPoint(x, y);
            return !!el && !!el.closest('.govuk-exit-this-page__button');
        }""",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit, "something covers the exit button"


def wait_for_exit(page: Any) -> None:
    page.wait_for_url(EXIT_DESTINATION)
    assert page.title() == EXIT_PAGE_TITLE


def test_exit_button_has_the_accessible_name_exit_this_page(page: Any) -> None:
    page.goto("/")
    assert exit_button(page).count() == 1
    assert exit_button(page).is_visible()


def test_exit_button_is_focused_within_two_tab_presses_from_page_load(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    if not active_element_is_exit_button(page):
        page.keyboard.press("Tab")
    assert active_element_is_exit_button(page), page.evaluate(
        "() => document.activeElement && document.activeElement.outerHTML"
    )


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "320px"])
def test_exit_button_stays_visible_and_uncovered_after_scrolling_to_the_bottom(
    new_page: Any, width: int
) -> None:
    page = new_page(viewport={"width": width, "height": 640})
    page.goto("/")
    assert_on_screen_and_uncovered(page, exit_button(page))
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 0, "page too short to prove anything"
    assert_on_screen_and_uncovered(page, exit_button(page))


def test_exit_page_fits_320px_without_horizontal_scrolling(new_page: Any) -> None:
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto("/")
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_clicking_exit_replaces_the_page_in_history_and_clears_cookies(page: Any) -> None:
    page.goto("/")
    assert any(c["name"] == "csrf" for c in page.context.cookies())
    length_before = page.evaluate("() => history.length")
    exit_button(page).click()
    wait_for_exit(page)
    # location.replace(): the respondent page's history entry was replaced, not added to.
    assert page.evaluate("() => history.length") == length_before
    # The clearing route ran: Clear-Site-Data removed the app's cookies.
    assert not [c for c in page.context.cookies() if c["domain"] in ("127.0.0.1", "localhost")]
    page.go_back()
    assert "Have your say" not in page.content()


def test_without_javascript_both_exit_controls_link_to_the_clearing_route(
    new_page: Any,
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/")
    assert exit_button(page).get_attribute("href") == "/exit"
    assert page.get_by_role("link", name=EXIT_NAME, exact=True).get_attribute("href") == "/exit"


def test_pressing_shift_three_times_exits(page: Any) -> None:
    page.goto("/")
    status = page.locator("#consult-exit-status")
    assert status.get_attribute("role") == "status"
    page.keyboard.press("Shift")
    assert status.text_content() == "Shift, press 2 more times to exit."
    page.keyboard.press("Shift")
    assert status.text_content() == "Shift, press 1 more time to exit."
    page.keyboard.press("Shift")
    wait_for_exit(page)


def test_another_key_between_shift_presses_resets_the_count(page: Any) -> None:
    page.goto("/")
    status = page.locator("#consult-exit-status")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("a")
    assert status.text_content() == "Exit this page expired."
    page.keyboard.press("Shift")
    # One press counted since the reset: two still needed, and we are still here.
    assert status.text_content() == "Shift, press 2 more times to exit."
    assert page.url.startswith("http://127.0.0.1")
    assert "Have your say" in page.title()


def test_escape_does_not_exit(page: Any) -> None:
    page.goto("/")
    for _ in range(3):
        page.keyboard.press("Escape")
    assert page.locator("#consult-exit-status").text_content() == ""
    assert "Have your say" in page.title()
