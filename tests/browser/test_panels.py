"""A whole panel cycle in a real browser, on the demo panels, with axe-core on every page: the
coordinator sets up a meeting and releases a case, two members score it independently (neither
sees the other's score), the chair reveals and records the consensus and a recommendation, the
force liaison responds, and the public page shows it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import EXIT_DESTINATION, EXIT_PAGE_TITLE, assert_no_axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "demo-panel-password-2026"  # panels.demo_loader.DEMO_PANEL_PASSWORD (README)
SLOW = 120_000  # the first redaction loads the language pipeline in the server


def signed_in(new_page: Any, email: str) -> Any:
    """A fresh browser context signed in as a demo account, enrolling its authenticator."""
    page = new_page(bypass_csp=True)
    page.set_default_timeout(SLOW)
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:text('Sign in')")
    key = "".join(page.locator(".consult-secret").inner_text().split())
    page.fill("#code", pyotp.TOTP(key).now())
    page.click("button:text('Turn on two-factor authentication')")
    page.wait_for_selector("text=Sign out")
    return page


def visit(page: Any, url: str) -> None:
    page.goto(url)
    assert_no_axe_violations(page)


def main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def coordinator_releases_a_case(page: Any) -> str:
    visit(page, "/staff/panels")
    page.click("text=Demo VAWG scrutiny panel")
    assert_no_axe_violations(page)
    panel_url = page.url
    today = datetime.now(UTC).date()
    page.fill("#held_on", today.isoformat())
    page.click("button:text('Add meeting')")
    assert_no_axe_violations(page)  # the meeting page
    visit(page, f"{panel_url}/cases/new")
    page.fill("#reference", "BT-001")
    page.fill("#offence_type", "Controlling or coercive behaviour")
    page.fill("#offence_month", f"{today.year - 1}-02")
    page.fill("#material_text", "The victim, Robin Example, can be reached on 07700 900222.")
    page.select_option("#meeting_id", label=f"{today:%d %B %Y}")
    page.click("button:text('Add case and find personal data')")
    page.wait_for_selector("text=Redaction of the material")
    assert_no_axe_violations(page)
    case_id = re.findall(r"/cases/([0-9a-f-]{36})", page.url)[0]
    page.click("button:text('Confirm redacted version')")
    page.click("button:text('Release to members')")
    page.wait_for_selector("text=Released to members")
    assert "[PHONE]" in main_text(page)
    assert_no_axe_violations(page)
    return case_id


def member_scores(page: Any, case_id: str, choices: list[int], comment: str) -> None:
    visit(page, "/staff/reviews")
    page.click("text=Case BT-001")
    assert_no_axe_violations(page)  # narrative folded
    assert page.locator("details").first.get_attribute("open") is None
    page.click("text=Open the case narrative")
    assert "[PHONE]" in main_text(page) and "07700 900222" not in page.content()
    assert_no_axe_violations(page)
    for criterion, choice in enumerate(choices, start=1):
        suffix = "" if choice == 1 else f"-{choice}"
        page.check(f"#score_c{criterion}{suffix}")
    page.fill("#comment_c3", comment)
    page.click("button:text('Save my review')")
    page.wait_for_selector("text=Your review is saved")
    assert_no_axe_violations(page)


def test_a_panel_cycle_from_release_to_the_public_page(new_page: Any) -> None:
    coordinator = signed_in(new_page, "coordinator@example.org")
    case_id = coordinator_releases_a_case(coordinator)
    review_url = f"/staff/reviews/cases/{case_id}"

    first = signed_in(new_page, "member1@example.org")
    member_scores(first, case_id, [1, 1, 3, 1, 2], "Member one: no referral made.")
    assert "Demo member one" in first.locator(".consult-watermark-line").first.inner_text()

    second = signed_in(new_page, "member2@example.org")
    member_scores(second, case_id, [1, 2, 1, 1, 2], "Member two: referral fine.")
    assert "Member one: no referral made." not in main_text(second)
    first.goto(review_url)
    assert "Member two: referral fine." not in main_text(first)
    assert "Hidden until the chair reveals them" in main_text(first)

    chair = signed_in(new_page, "chair@example.org")
    visit(chair, f"{review_url}/reveal")
    assert "Member one: no referral made." not in main_text(chair)
    chair.click("button:text('Reveal the scores')")
    chair.wait_for_selector("text=Discuss first")
    assert "Member one: no referral made." in main_text(chair)
    assert "Krippendorff" in main_text(chair)
    assert_no_axe_violations(chair)
    chair.check("#outcome-2")  # appropriate with observations
    chair.fill("#reasons", "Sound response; the referral needs recording.")
    chair.click("button:text('Record outcome')")
    chair.fill("#recommendation", "Record referrals to support on the crime record.")
    chair.click("button:text('Add recommendation')")
    chair.wait_for_selector("text=Record referrals to support on the crime record.")
    assert_no_axe_violations(chair)

    liaison = signed_in(new_page, "liaison@example.org")
    visit(liaison, "/staff/recommendations")
    liaison.click("a:has-text('respond to recommendation 8 of Demo VAWG')")
    assert_no_axe_violations(liaison)
    liaison.check("#status")  # accepted
    liaison.fill("#response", "Accepted: a referral field is being added to the crime record.")
    liaison.click("button:text('Save response')")
    liaison.wait_for_selector("text=Panel recommendations")
    assert_no_axe_violations(liaison)

    coordinator.goto("/staff/panels")
    coordinator.click("text=Demo VAWG scrutiny panel")
    coordinator.click("button:text('Publish \"You said, we did\"')")
    coordinator.wait_for_url("**/you-said-we-did/community-review-group")
    without_js = new_page(java_script_enabled=False)
    without_js.goto("/you-said-we-did/community-review-group")
    text = main_text(without_js)
    assert "Record referrals to support on the crime record." in text
    assert "Accepted: a referral field is being added to the crime record." in text
    visit(new_page(bypass_csp=True), "/you-said-we-did/community-review-group")

    coordinator_pages_are_axe_clean(coordinator)


def coordinator_pages_are_axe_clean(coordinator: Any) -> None:
    visit(coordinator, "/staff/panels")
    coordinator.click("text=Demo RASSO scrutiny panel")
    assert_no_axe_violations(coordinator)
    visit(coordinator, "/staff/panels/new")
    coordinator.goto("/staff/panels")
    coordinator.click("text=Demo VAWG scrutiny panel")
    panel_url = coordinator.url
    coordinator.click("text=Edit the panel")
    assert_no_axe_violations(coordinator)
    coordinator.goto(panel_url)
    coordinator.click("a:text('Demo member three')")
    assert_no_axe_violations(coordinator)
    coordinator.goto(panel_url)
    coordinator.click(f"text=Annual report {datetime.now(UTC).year}")
    assert "[c]" in main_text(coordinator)
    assert_no_axe_violations(coordinator)
    coordinator.goto(panel_url)
    coordinator.locator("a:text-matches('Meeting on')").last.click()
    assert_no_axe_violations(coordinator)
    coordinator.click("text=Redacted meeting summary")
    assert_no_axe_violations(coordinator)
    coordinator.goto(panel_url)
    coordinator.click("text=VAWG-001")
    assert_no_axe_violations(coordinator)
    visit(coordinator, "/staff/recommendations")
    coordinator.click("a:has-text('respond to recommendation 1 of Demo VAWG')")
    assert "Change due date" in main_text(coordinator)
    assert_no_axe_violations(coordinator)


def test_a_member_whose_vetting_expired_sees_no_cases_and_can_quick_exit(new_page: Any) -> None:
    expired = signed_in(new_page, "member3@example.org")
    visit(expired, "/staff/reviews")
    assert "Vetting expired on" in main_text(expired)
    # Member pages carry the quick exit: Shift three times ends the session and leaves.
    for _ in range(3):
        expired.keyboard.press("Shift")
    expired.wait_for_url(EXIT_DESTINATION)
    assert expired.title() == EXIT_PAGE_TITLE
    expired.goto("/staff/reviews")
    assert expired.url.endswith("/staff/login")
