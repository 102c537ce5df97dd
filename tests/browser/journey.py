"""Helpers that move through the demo survey in a real browser, by mouse or by keyboard only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import DEMO_SLUG

START = f"/c/{DEMO_SLUG}"
LIVED_EXPERIENCE = "victim_survivor"
MAX_TABS = 400


def path_of(page: Any) -> str:
    return page.evaluate("() => location.pathname")


def primary_button(page: Any) -> Any:
    """The control that carries on: Start now, Continue, or Send my answers."""
    for name in ("Start now", "Send my answers", "Continue"):
        control = page.get_by_role("button", name=name, exact=True)
        if control.count():
            return control.first
    raise AssertionError(f"no way on from {path_of(page)}")


def fill_answers(page: Any, typed: dict[str, str]) -> None:
    """Answer what is on the page with the mouse: consent, the lived-experience route, the first
    option of other choices, and text remembered in ``typed`` (field name -> text)."""
    consent = page.locator("input[type=checkbox][name='q-consent']")
    if consent.count():
        consent.check()
    route = page.locator(f"input[type=radio][name='q-respondent_type'][value='{LIVED_EXPERIENCE}']")
    if route.count():
        route.check()
    for field in page.locator("textarea[name^='q-'], input[type=text][name^='q-']").all():
        name = field.get_attribute("name")
        if name.endswith("-other") or not field.is_visible():
            continue
        text = f"typed-{name[2:]}"
        field.fill(text)
        typed[name] = text


def walk(
    page: Any,
    on_page: Callable[[Any], None] = lambda page: None,
    typed: dict[str, str] | None = None,
    stop_at: Callable[[str], bool] = lambda path: False,
) -> list[str]:
    """From the start page to the confirmation page (or until ``stop_at(path)``), calling
    ``on_page`` on each page first. Returns the paths visited."""
    typed = {} if typed is None else typed
    page.goto(START)
    visited = []
    for _ in range(60):
        path = path_of(page)
        visited.append(path)
        on_page(page)
        if path.endswith("/done") or stop_at(path):
            return visited
        fill_answers(page, typed)
        with page.expect_navigation():
            primary_button(page).click()
    raise AssertionError(f"the journey did not end: {visited}")


# --- keyboard only ------------------------------------------------------------------------------
def tab_to(page: Any, matches_js: str) -> None:
    """Press Tab until the focused element satisfies ``matches_js`` (a function of the element)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"() => {{ const el = document.activeElement; return ({matches_js})(el); }}"
        ):
            return
    raise AssertionError(f"Tab never reached an element matching {matches_js} on {path_of(page)}")


def keyboard_answer_and_continue(page: Any) -> None:
    """Answer the page and carry on using only Tab, Space, arrow keys, typing and Enter."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    if page.locator("input[name='q-consent']").count():
        tab_to(page, "el => el && el.name === 'q-consent'")
        page.keyboard.press("Space")
        assert page.locator("input[name='q-consent']").is_checked()
    if page.locator("input[name='q-respondent_type']").count():
        tab_to(page, "el => el && el.name === 'q-respondent_type'")
        for _ in range(10):
            if page.evaluate("() => document.activeElement.value") == LIVED_EXPERIENCE:
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        assert page.locator(f"input[value='{LIVED_EXPERIENCE}']").is_checked()
    texts = page.locator("textarea[name^='q-']")
    if texts.count():
        name = texts.first.get_attribute("name")
        tab_to(page, f"el => el && el.name === '{name}'")
        page.keyboard.type("Typed with the keyboard.")
    labels = ("Start now", "Send my answers", "Continue")
    tab_to(
        page,
        "el => el && (el.tagName === 'BUTTON' || el.getAttribute('role') === 'button')"
        f" && {list(labels)!r}.includes(el.textContent.trim())",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
