"""Through the forms the builder renders: preview records nothing; import refuses a bad file and keeps a good one; export round-trips;
duplicating a survey version and a whole consultation; role guards."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from consult.consultations.models import Consultation
from surveys.definition import load_definition
from tests.conftest import db_session, post_form
from tests.forms import open_page, submit_page
from tests.surveys.builder.conftest import (
    GOOD_YAML,
    audit_actions,
    make_consultation,
    press,
    row_counts,
    upload,
    versions,
)

ROUTED_YAML = """
key: routed
title: Routed
respondent_type_question: who
sections:
  - key: start
    title: Start
    pages:
      - questions:
          - key: who
            type: single_choice
            title: Who are you?
            options: [{value: victim_survivor, label: Lived experience}, {value: professional, label: Professional}]
  - key: work
    title: Your work
    content_note: About your work.
    skippable: true
    respondent_types: [professional]
    pages:
      - questions:
          - {key: sector, type: short_text, title: "Which sector do you work in?"}
  - key: end
    title: End
    pages:
      - questions:
          - {key: count, type: number, title: "How many times?", minimum: 0, maximum: 10}
"""


async def preview(client, base: str, respondent_type: str) -> object:
    start = await open_page(client, f"{base}/preview?version=1")
    return (
        await start.form("Start preview")
        .fill(respondent_type=respondent_type)
        .submit(client, follow_redirects=True)
    )


async def test_preview_as_each_respondent_type_records_nothing(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await upload(client, base, ROUTED_YAML)
    start = await client.get(f"{base}/preview")
    assert start.status_code == 200 and 'value="professional"' in start.text
    first = await preview(client, base, "professional")
    assert "Who are you?" in first.text and "Nothing you enter is recorded" in first.text
    page = await submit_page(client, first, "Continue", {"q-who": "professional"})
    assert "Which sector do you work in?" in page.text and "About your work." in page.text
    bad = await submit_page(client, page, "Continue", {"q-sector": "x" * 300})
    assert bad.status_code == 422 and "govuk-error-summary" in bad.text
    nxt = await submit_page(client, page, "Continue", {"q-sector": "Police"})
    assert "How many times?" in nxt.text
    back = await submit_page(client, nxt, "Back")
    assert "Which sector do you work in?" in back.text
    end = await submit_page(client, nxt, "Continue", {"q-count": "3"})
    assert "End of the survey" in end.text and "Police" in end.text
    # As a victim-survivor the professionals' section is not on the route.
    first = await preview(client, base, "victim_survivor")
    page = await submit_page(client, first, "Continue", {"q-who": "victim_survivor"})
    assert "How many times?" in page.text and "sector" not in page.text
    # Skip this section, where the section allows it.
    first = await preview(client, base, "professional")
    page = await submit_page(client, first, "Continue", {"q-who": "professional"})
    skipped = await submit_page(client, page, "Skip this section")
    assert "How many times?" in skipped.text
    assert await row_counts(settings) == (0, 0)


async def test_import_a_bad_file_lists_problems_by_field_path_and_saves_nothing(client, staff, settings) -> None:  # fmt: skip
    await staff("researcher")
    base = await make_consultation(settings)
    bad = GOOD_YAML.replace("options: [{value: red, label: Red}, {value: blue, label: Blue}]", "options: []")  # fmt: skip
    response = await upload(client, base, bad)
    assert response.status_code == 422
    assert "sections[0].pages[1].questions[0].options: must not be empty" in response.text
    assert "govuk-error-summary" in response.text
    response = await upload(client, base, "key: [unclosed\n")
    assert response.status_code == 422 and "not valid YAML or JSON" in response.text
    response = await upload(client, base, "/etc/hostname.yaml")  # never read as a server path
    assert response.status_code == 422 and "definition: must be an object" in response.text
    assert await versions(settings, base) == []
    assert "survey_definition_imported" not in await audit_actions(settings)


async def test_import_a_good_file_then_export_round_trips(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    response = await upload(client, base, ROUTED_YAML)
    assert response.status_code == 200
    [draft] = await versions(settings, base)
    assert draft.published_at is None
    exported = await client.get(f"{base}/versions/1/export?format=yaml")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="routed-v1.yaml"'
    assert load_definition(exported.text) == load_definition(ROUTED_YAML)
    as_json = await client.get(f"{base}/versions/1/export?format=json")
    assert "attachment" in as_json.headers["content-disposition"]
    assert load_definition(json.dumps(as_json.json())) == load_definition(ROUTED_YAML)
    # Re-importing the export gives the same draft.
    await upload(client, base, exported.text)
    [again] = await versions(settings, base)
    assert load_definition(json.dumps(again.definition)) == load_definition(ROUTED_YAML)
    assert "survey_definition_imported" in await audit_actions(settings)


async def test_duplicate_a_consultation_with_its_survey_as_a_draft(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings, status="open")
    await upload(client, base, GOOD_YAML)
    await press(client, base, "Publish version 1")
    await press(client, base.removesuffix("/survey"), "Add service", {"name": "Helpline"})
    response = await press(client, base, "Duplicate consultation", follow_redirects=False)
    assert response.status_code == 303
    copy_base = response.headers["location"]
    async with db_session(settings) as db:
        copy = await db.scalar(
            select(Consultation).where(Consultation.slug == "spring-survey-copy")
        )
        assert copy is not None and copy.status == "draft"
        assert copy_base == f"/staff/consultations/{copy.id}/survey"
        assert [s.name for s in copy.support_services] == ["Helpline"]
        assert copy.controller == "A County Council"
    [copied] = await versions(settings, copy_base)
    [original] = await versions(settings, base)
    assert copied.published_at is None and copied.number == 1
    assert copied.definition == original.definition
    again = await press(client, base, "Duplicate consultation")
    assert again.status_code == 200  # a second copy gets the next free address
    assert "consultation_duplicated" in await audit_actions(settings)


async def test_consultation_page_links_to_the_survey(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    page = await client.get(base.removesuffix("/survey"))
    assert f'href="{base}"' in page.text


@pytest.mark.parametrize("method,tail", [("get", ""), ("post", "/edit"), ("post", "/publish"), ("get", "/preview")])  # fmt: skip
async def test_panel_member_is_refused_even_a_hand_built_post(client, staff, settings, method, tail) -> None:  # fmt: skip
    await staff("panel_member")
    base = await make_consultation(settings)
    if method == "get":
        response = await client.get(base + tail)
    else:
        response = await post_form(client, base + tail, {})
    assert response.status_code == 403


async def test_panel_coordinator_may_look_but_not_change_even_in_a_hand_built_post(
    client, staff, settings
) -> None:
    await staff("panel_coordinator")
    base = await make_consultation(settings)
    page = await open_page(client, base)
    assert "Create survey" not in page.text and not page.forms()[1:]  # only "Sign out"
    assert (await post_form(client, f"{base}/edit", {})).status_code == 403  # hand-built
    assert await versions(settings, base) == []


async def test_signed_out_visitor_is_sent_to_sign_in(client, settings) -> None:
    base = await make_consultation(settings)
    response = await client.get(base, follow_redirects=False)
    assert response.status_code in (302, 303) and response.headers["location"] == "/staff/login"
    response = await client.get(f"{base}/versions/1/export", follow_redirects=False)
    assert response.headers["location"] == "/staff/login"


async def test_the_audit_log_names_survey_versions_not_ids(client, staff, settings) -> None:
    import re

    await staff("administrator")
    base = await make_consultation(settings)
    await upload(client, base, GOOD_YAML)
    await press(client, base, "Publish version 1")
    log = await open_page(client, "/staff/audit")
    rows = [tr.get_text(" ", strip=True) for tr in log.soup.select("tbody tr")]
    assert any("Survey version published" in r and "Survey 'Spring views', version 1" in r for r in rows), rows  # fmt: skip
    body = log.soup.find("tbody").get_text()
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", body)  # no raw ids
