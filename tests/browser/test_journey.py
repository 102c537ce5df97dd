"""The respondent journey in a real browser: axe-core on every page of the lived-experience route,
a whole journey by keyboard only, and the quick exit in the middle of a survey."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import EXIT_DESTINATION, assert_no_axe_violations
from tests.browser.journey import START, keyboard_answer_and_continue, path_of, walk

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(new_page: Any) -> Any:
    # The app's CSP (script-src 'self') would block the injected axe script.
    return new_page(bypass_csp=True)


def test_every_page_of_the_lived_experience_route_has_no_axe_violations(axe_page: Any) -> None:
    checked: list[str] = []

    def check(page: Any) -> None:
        assert_no_axe_violations(page)
        checked.append(path_of(page))

    visited = walk(axe_page, on_page=check)
    assert visited[0] == START and visited[-1] == f"{START}/done"
    assert f"{START}/safety" in checked and f"{START}/consent" in checked
    assert f"{START}/check" in checked
    assert len([p for p in checked if "/p/" in p]) >= 5, checked


@pytest.mark.parametrize("tail", ["/resume", "/withdraw"])
def test_resume_and_withdraw_pages_have_no_axe_violations(axe_page: Any, tail: str) -> None:
    response = axe_page.goto(START + tail)
    assert response.status == 200
    assert_no_axe_violations(axe_page)


def test_a_whole_journey_can_be_completed_by_keyboard_alone(page: Any) -> None:
    page.goto(START)
    visited = [path_of(page)]
    for _ in range(60):
        if visited[-1].endswith("/done"):
            break
        keyboard_answer_and_continue(page)
        visited.append(path_of(page))
    assert visited[-1] == f"{START}/done", visited
    assert page.get_by_text("Typed with the keyboard.").count() == 0  # confirmation shows none
    assert any("/p/" in p for p in visited)


def test_back_after_quick_exit_mid_survey_never_shows_questions_or_answers(page: Any) -> None:
    typed: dict[str, str] = {}
    # Answer and save pages up to the free-text prevention question, then type there unsaved.
    visited = walk(page, typed=typed, stop_at=lambda path: path.endswith("/p/4-1"))
    assert typed, "no free-text answers were typed on the way"
    question = page.locator("h1, legend, label").first.text_content().strip()
    page.locator("textarea").first.fill("unsaved words about this")
    typed["unsaved"] = "unsaved words about this"
    page.get_by_role("button", name="Exit this page", exact=True).click()
    page.wait_for_url(EXIT_DESTINATION)

    for _ in range(len(visited) + 2):
        page.go_back()
        html = page.content()
        for text in typed.values():
            assert text not in html, f"answer {text!r} shown after Back at {page.url}"
        assert question not in html, f"question shown after Back at {page.url}"
        assert "In three words" not in html, f"question shown after Back at {page.url}"


def test_quick_exit_mid_survey_ends_the_server_session(page: Any) -> None:
    typed: dict[str, str] = {}
    walk(page, typed=typed, stop_at=lambda path: path.endswith("/p/4-1"))
    # Before exiting, the session's answers show on the check page (in a second tab).
    before = page.context.new_page()
    before.goto(f"{START}/check")
    assert any(text in before.content() for text in typed.values())
    before.close()
    page.get_by_role("button", name="Exit this page", exact=True).click()
    page.wait_for_url(EXIT_DESTINATION)
    page.goto(f"{START}/check")
    html = page.content()
    for text in typed.values():
        assert text not in html


FOCUS_OBSCURED_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return null;
    const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
    const y = Math.min(Math.max(r.top + Math.min(r.height, 20) / 2, 0), window.innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    const label = el.labels && el.labels[0];
    const ok = hit && (hit === el || el.contains(hit) || hit.contains(el) || (label && label.contains(hit)));
    return ok ? null : (el.outerHTML.slice(0, 120) + ' covered by ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing'));
}"""


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "320px"])
def test_tabbing_through_a_long_question_page_never_hides_focus_behind_the_exit_bar(
    new_page: Any, width: int
) -> None:
    page = new_page(viewport={"width": width, "height": 640})
    walk(page, stop_at=lambda path: path.endswith("/p/3-1"))  # the satisfaction grid
    assert path_of(page).endswith("/p/3-1")
    page.evaluate("() => window.scrollTo(0, 0)")
    covered = []
    for _ in range(80):
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_OBSCURED_JS)
        if problem:
            covered.append(problem)
    assert page.evaluate("() => window.scrollY") > 0, "page too short to prove anything"
    assert not covered, "\n".join(covered)
