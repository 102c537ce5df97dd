"""A researcher's path through the workspace's results in a real browser: sign in, open the
demo consultation's analysis, filter a question's results, open a breakdown, open word clouds
side by side by group, and the settings page; axe-core finds nothing on any of them."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import ROOT, _server_env, assert_no_axe_violations

pytestmark = pytest.mark.browser

RESEARCHER = "researcher-browser@example.org"
PASSWORD = "a long researcher passphrase 2026"


@pytest.fixture(scope="module")
def researcher(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A researcher account in the live server's database, made with the app's own CLI."""
    data_dir = tmp_path_factory.getbasetemp() / "browser-data0"
    assert (data_dir / "consult.sqlite3").exists() or any(data_dir.glob("*.sqlite3")), data_dir
    done = subprocess.run(
        [sys.executable, "-m", "consult", "create-user", "--email", RESEARCHER, "--role",
         "researcher", "--password", PASSWORD],
        cwd=ROOT, env=_server_env(data_dir), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return RESEARCHER


def sign_in(page: Any, email: str) -> None:
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    key = "".join(page.locator("code.consult-secret").inner_text().split())
    page.fill("#code", pyotp.TOTP(key).now())
    page.click("button:has-text('Turn on two-factor authentication')")
    page.wait_for_selector("text=Sign out")


def test_researcher_filters_results_opens_a_breakdown_and_word_clouds(
    new_page: Any, researcher: str
) -> None:
    page = new_page(bypass_csp=True)
    sign_in(page, researcher)
    page.goto("/staff/consultations")
    page.click("text=Warwickshire VAWG Strategy Call for Evidence (demo)")
    page.click("text=Analysis workspace")
    # The first workspace page builds the responses' frame and loads the charting libraries.
    page.wait_for_selector("#not-for-publication", timeout=120_000)
    assert int(page.locator("#count-submitted").inner_text().replace(",", "")) >= 600
    assert page.locator("#status-table").is_visible()
    assert_no_axe_violations(page)

    page.click("#question-list >> text=What is your age?")
    page.click("text=Filter the responses")
    page.check("text=I work or volunteer with people affected")
    page.select_option("#answer-1", "sex=female")
    page.click("button:has-text('Apply filters')")
    page.wait_for_selector("#filters-in-force", timeout=60_000)
    assert "respondent_type=professional" in page.url
    assert page.locator("#filters-in-force").is_visible()
    assert page.locator("#table-1").is_visible()
    assert page.locator("figure img").first.is_visible()
    assert_no_axe_violations(page)

    page.click("#workspace-nav >> text=Breakdowns")
    page.select_option("#rating", "service_satisfaction.police")
    page.select_option("#group", "age_band")
    page.click("button:has-text('Show breakdown')")
    page.wait_for_selector("#breakdown-table", timeout=60_000)
    assert page.locator("#breakdown-table").is_visible()
    assert "chi-square" in page.locator("#breakdown-notes").inner_text()
    assert_no_axe_violations(page)

    page.click("#workspace-nav >> text=Word clouds")
    page.select_option("#question", "words_then")
    page.select_option("#question-2", "words_now")
    page.select_option("#group", "respondent_type")
    page.click("button:has-text('Show word clouds')", timeout=120_000)
    page.wait_for_selector(".cloud-panel img", timeout=120_000)
    assert page.locator(".cloud-panel").count() >= 4  # two questions, overall and by group
    assert page.locator(".cloud-panel table").first.is_visible()
    assert_no_axe_violations(page)

    page.click("#workspace-nav >> text=Settings")
    assert page.locator("#k").input_value() == "10"
    assert_no_axe_violations(page)
