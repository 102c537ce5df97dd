"""A consultation officer's whole job in a real browser, from an empty database: sign in with a
TOTP code, create a consultation with its data-protection record and support directory, build a
survey from nothing (one question of every type, a section with a content note that can be
skipped, routing by respondent type and by an earlier answer), preview it, publish, open, answer
it as two respondents of different types, close it, export CSV, XLSX and SPSS and read each
back, then run `python -m analysis` code, wordcloud and breakdown on the CSV export exactly as
downloaded. axe-core finds no violation on any staff page the officer passes through.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pandas as pd
import pyotp
import pyreadstat
import pytest

from tests.browser.conftest import OFFICER, ROOT, assert_no_axe_violations

pytestmark = pytest.mark.browser

SLUG = "autumn-survey"
TYPES = "victim_survivor|I have lived experience\nprofessional|I work with people affected"


class Officer:
    """The officer's page, checking each staff page with axe-core the first time it shows."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.checked: set[str] = set()

    def check(self, key: str | None = None) -> None:
        parts = urlsplit(self.page.url)
        key = key or parts.path
        if parts.path.startswith("/staff") and key not in self.checked:
            self.checked.add(key)
            assert_no_axe_violations(self.page)

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.check()

    def click(self, name: str, role: str = "button", key: str | None = None) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=name, exact=True).first.click()
        self.check(key)

    def fill(self, fields: dict[str, str]) -> None:
        for label, value in fields.items():
            self.page.get_by_label(label, exact=True).fill(value)

    def tick(self, *labels: str) -> None:
        for label in labels:
            self.page.get_by_label(label, exact=True).check()

    def choose(self, label: str, option: str) -> None:
        self.page.get_by_label(label, exact=True).select_option(option)

    def problems(self) -> str:
        summary = self.page.locator(".govuk-error-summary")
        return str(summary.first.text_content()) if summary.count() else "(no error summary)"

    def heading(self) -> str:
        found = self.page.locator("h1")
        assert found.count(), f"no heading on {self.page.url}:\n{self.page.content()[:3000]}"
        return str(found.first.text_content()).strip()


def sign_in(officer: Officer) -> None:
    officer.goto("/staff/login")
    officer.fill({"Email address": OFFICER["email"], "Password": OFFICER["password"]})
    officer.click("Sign in")
    assert officer.heading() == "Set up two-factor authentication"
    key = str(officer.page.locator(".consult-secret").text_content()).strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", key), key  # exactly what pyotp and apps take
    officer.fill({"Security code": pyotp.TOTP(key).now()})
    officer.click("Turn on two-factor authentication")
    assert officer.heading() == "Staff area"


def create_consultation(officer: Officer) -> str:
    officer.click("Consultations", role="link")
    officer.click("Create a consultation", role="link")
    officer.fill({
        "Title": "Autumn Call for Evidence",
        "Public title": "Autumn community survey",
        "Web address": SLUG,
        "Summary": "What would make our area safer?",
        "Closing date": "2099-05-31",
        "Data controller": "A County Council",
        "Article 6 lawful basis": "6(1)(e) public task",
        "Article 9 condition": "9(2)(g) substantial public interest",
        "Retention period in days": "365",
        "Analysis cut-off date": "2099-06-30",
        "DPIA reference": "DPIA-7",
        "Respondent types": TYPES,
    })  # fmt: skip
    officer.click("Save")
    assert officer.heading() == "Autumn Call for Evidence", officer.problems()
    officer.fill({
        "Name": "Riverside Helpline", "What it helps with": "Listening and advice",
        "Phone": "0800 000 000", "Review date": "2099-01-01",
    })  # fmt: skip
    officer.click("Add service")
    assert "Riverside Helpline" in officer.page.content()
    return urlsplit(officer.page.url).path


def add_question(
    officer: Officer, section: str, page: int, kind: str, fields: dict[str, str], **extra: Any
) -> None:
    form = officer.page.locator(f"form[action$='/sections/{section}/pages/{page}/questions/new']")
    form.locator("select").select_option(kind)
    with officer.page.expect_navigation():
        form.get_by_role("button", name="Add question").click()
    officer.check(f"question form {kind}")
    officer.fill(fields)
    for label in extra.get("tick", ()):
        officer.tick(label)
    for label, option in extra.get("choose", {}).items():
        officer.choose(label, option)
    officer.click("Add question")
    assert officer.page.url.endswith(
        f"#question-{fields['Question key (optional; made from the question)']}"
    )


def key(name: str) -> dict[str, str]:
    return {"Question key (optional; made from the question)": name}


def build_survey(officer: Officer, consultation: str) -> str:
    officer.click("Survey", role="link")
    officer.click("Create survey")
    page = officer.page
    assert "Taking part" in page.content()  # a new survey starts with its consent page
    base = urlsplit(page.url).path

    def add_section(title: str, section_key: str) -> None:
        officer.fill({"Section title": title, "Section key (optional; made from the title)": section_key})  # fmt: skip
        officer.click("Add section")
        officer.click(f"Add page to {title}")

    add_section("About you", "about")
    add_question(officer, "about", 1, "single_choice", {
        **key("who"), "Question": "Which best describes you?", "Answer options": TYPES,
    })  # fmt: skip
    officer.fill({"Survey title": "Autumn views"})
    officer.choose(
        "Question that asks the respondent type (for routing by type)",
        "who",
    )
    officer.click("Save settings")

    add_section("Your experience", "experience")
    officer.click("Edit section Your experience", role="link")
    officer.fill({"Content note (shown before the section starts)": "This part asks about what happened. You can skip it."})  # fmt: skip
    officer.tick("Respondents can skip this section", "I have lived experience")
    officer.click("Save section")
    add_question(officer, "experience", 1, "multiple_choice", {
        **key("help"), "Question": "Who helped you?", "Answer options": "Police\nA friend",
        "‘Other’ option label (optional; adds a text box)": "Someone else",
    })  # fmt: skip
    add_question(officer, "experience", 1, "rating_grid", {
        **key("services"), "Question": "How satisfied were you with each service?",
        "Rows (things to rate)": "Police\nHousing",
    }, choose={"Rating scale": "satisfaction"})  # fmt: skip
    add_question(officer, "experience", 1, "three_words", {
        **key("feel"), "Question": "In three words, how do you feel now?",
    })  # fmt: skip
    officer.click("Add page to Your experience")
    add_question(officer, "experience", 2, "long_text", {
        **key("police_story"), "Question": "What happened when you contacted the police?",
    }, choose={"Show only when an earlier answer is": "help=police"})  # fmt: skip

    add_section("Your views", "views")
    add_question(officer, "views", 1, "rating", {
        **key("police_rating"), "Question": "How would you rate the police response in your area?",
    }, choose={"Rating scale": "quality"}, tick=["Offer ‘Don't know’"])  # fmt: skip
    add_question(officer, "views", 1, "short_text", {
        **key("town"), "Question": "Which town do you live in?",
    })  # fmt: skip
    add_question(officer, "views", 1, "number", {
        **key("years"), "Question": "How many years have you lived there?",
        "Minimum (optional)": "0", "Maximum (optional)": "100",
    })  # fmt: skip
    add_question(officer, "views", 1, "month_year", {
        **key("since"), "Question": "When did you last contact a service?",
    })  # fmt: skip
    add_question(officer, "views", 1, "long_text", {
        **key("ideas"), "Question": "What would make your area safer?",
    })  # fmt: skip

    content = page.content()
    assert "This draft is ready to publish" in content, content
    assert "Only for: I have lived experience" in content
    assert "Shown when: ‘Who helped you?’ is Police" in content
    officer.check("builder, finished")
    return base


def preview(officer: Officer) -> None:
    officer.click("Preview the draft", role="link")
    officer.choose("Preview as", "victim_survivor")
    officer.click("Start preview")
    page = officer.page
    for _ in range(15):
        if officer.heading() == "End of the survey":
            break
        consent = page.get_by_label("I understand and want to take part")
        if consent.count():
            consent.check()
        if page.get_by_role("button", name="Skip this section").count():
            assert "This part asks about what happened" in page.content()
            officer.click("Skip this section", key="preview, section start")
            continue
        officer.click("Continue", key="preview page")
    assert officer.heading() == "End of the survey"
    assert "How satisfied were you" not in page.content()  # the skipped section
    officer.check("preview end")
    officer.click("go back to the survey", role="link")


def respond(new_page: Callable[..., Any], who: str) -> str:
    """A respondent's journey in a browser of their own; returns the withdrawal code."""
    page = new_page()

    def go(name: str = "Continue") -> None:
        with page.expect_navigation():
            page.get_by_role("button", name=name, exact=True).first.click()

    page.goto(f"/c/{SLUG}")
    assert "It takes " in page.content()
    go("Start now")
    go()  # safety
    page.get_by_label("I understand and want to take part").check()
    go()
    go()  # "About you" starts
    page.get_by_label(who, exact=True).check()
    go()
    if who == "I have lived experience":
        assert "This part asks about what happened" in page.content()
        go()
        page.get_by_label("Police", exact=True).first.check()
        page.locator("input[name='q-services-police'][value='dissatisfied']").check()
        for n, word in enumerate(("strong", "hopeful", "calm"), start=1):
            page.locator(f"input[name='q-feel-{n}']").fill(word)
        go()
        page.get_by_label("What happened when you contacted the police?").fill(
            "They listened and helped with a protection order."
        )
        go()
    go()  # "Your views" starts
    page.get_by_label(
        "Poor" if who != "I have lived experience" else "Very poor", exact=True
    ).check()
    page.get_by_label("Which town do you live in?").fill("Rugby")
    page.get_by_label("How many years have you lived there?").fill("5")
    page.locator("input[name='q-since-month']").fill("3")
    page.locator("input[name='q-since-year']").fill("2026")
    page.get_by_label("What would make your area safer?").fill(
        "Better street lighting and more police patrols at night."
    )
    go()
    assert urlsplit(page.url).path == f"/c/{SLUG}/check"
    go("Send my answers")
    code = str(page.locator(".consult-secret").first.text_content()).strip()
    assert re.fullmatch(r"[A-Z2-7-]{19}", code), code
    return code


def download(officer: Officer, folder: Path, fmt: str) -> Path:
    form = officer.page.locator("#export-all")
    form.get_by_label("Format").select_option(fmt)
    with officer.page.expect_download() as info:
        form.get_by_role("button", name="Export all responses").click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_a_consultation_officer_does_the_whole_job_in_a_browser(
    officer_pages: Callable[..., Any], tmp_path: Path
) -> None:
    from analysis.cli import main as analysis

    officer = Officer(officer_pages(bypass_csp=True))
    sign_in(officer)
    consultation = create_consultation(officer)
    base = build_survey(officer, consultation)
    preview(officer)
    officer.click("Publish version 1")
    assert "Published" in officer.page.content() and urlsplit(officer.page.url).path == base

    officer.goto(consultation)
    officer.click("Open")
    assert 'govuk-tag">Open<' in officer.page.content()

    codes = {respond(officer_pages, who) for who in ("I have lived experience", "I work with people affected")}  # fmt: skip
    assert len(codes) == 2

    officer.goto(consultation)
    officer.click("Close")
    assert officer.heading() == "Close this consultation?"
    officer.click("Yes, close the consultation")
    assert 'govuk-tag">Closed<' in officer.page.content()

    officer.click("Responses", role="link")
    assert 'id="count-submitted">2<' in officer.page.content()
    zipped = download(officer, tmp_path, "csv")
    xlsx = download(officer, tmp_path, "xlsx")
    sav = download(officer, tmp_path, "sav")

    # CSV (zipped with its dictionary), read back.
    assert zipped.suffix == ".zip"
    with zipfile.ZipFile(zipped) as archive:
        [csv_name] = [n for n in archive.namelist() if n.endswith(".csv")]
        frame = pd.read_csv(io.BytesIO(archive.read(csv_name)), dtype=str)
        dictionary = json.loads(archive.read(csv_name.removesuffix(".csv") + "-dictionary.json"))
    assert list(frame.columns[:4]) == ["response_id", "respondent_type", "submitted_at", "survey_version"]  # fmt: skip
    assert sorted(frame["respondent_type"]) == ["professional", "victim_survivor"]
    assert frame["response_id"].nunique() == 2 and len(set(frame.columns)) == len(frame.columns)
    kinds = {q["key"]: q["type"] for q in dictionary["questions"]}
    assert sorted(set(kinds.values())) == sorted([
        "consent", "single_choice", "multiple_choice", "rating_grid", "three_words",
        "long_text", "rating", "short_text", "number", "month_year",
    ])  # fmt: skip
    # XLSX, read back: the responses and the dictionary sheet.
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Responses", "Dictionary"]
    assert len(list(book["Responses"].iter_rows())) == 3
    # SPSS, read back: variable and value labels.
    sav_frame, meta = pyreadstat.read_sav(str(sav))
    assert len(sav_frame) == 2
    assert meta.variable_value_labels["police_rating"][1.0] == "Very good"
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["town"] == (
        "Which town do you live in?"
    )

    # The analysis, on the CSV export exactly as downloaded.
    codebook = str(ROOT / "analysis" / "codebooks" / "vawg-starting.yaml")
    out = tmp_path / "analysis"
    assert analysis(["code", "--input", str(zipped), "--text-column", "ideas",
                     "--codebook", codebook, "--out", str(out / "coded.csv")]) == 0  # fmt: skip
    assert pd.read_csv(out / "coded.csv").columns[0] == "response_id"
    assert analysis(["wordcloud", "--input", str(zipped), "--text-column", "feel",
                     "--min-respondents", "1", "--out-dir", str(out / "clouds")]) == 0  # fmt: skip
    words = set(pd.read_csv(out / "clouds" / "wordcloud-all.csv")["word"])
    assert {"hopeful", "calm"} <= words  # every box of the three-words question
    assert analysis(["breakdown", "--input", str(zipped), "--question", "police_rating",
                     "--group", "respondent_type", "--no-charts",
                     "--out-dir", str(out / "tables")]) == 0  # fmt: skip
    counts = pd.read_csv(out / "tables" / "rating-counts.csv", index_col=0)
    assert list(counts.columns[:5]) == ["Very poor", "Poor", "OK", "Good", "Very good"]
    assert len(officer.checked) >= 20, sorted(officer.checked)
