"""Exports read back: CSV, XLSX and SPSS contents, formula neutralisation, responses to several
survey versions labelled by their own version, audit records, and streaming in batches."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
from sqlalchemy import event, insert, select

from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys import exports
from surveys.journey import hash_code, publish_version
from surveys.models import Response, SurveyVersion
from tests.conftest import db_session
from tests.surveys.responses.conftest import (
    FULL_ANSWERS,
    add_responses,
    audit_events,
    consultation_id,
)

FORMULA = '=HYPERLINK("http://x")'


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


async def test_csv_has_names_wording_codes_labels_and_metadata(
    client, settings, staff, survey
) -> None:
    await add_responses(settings, [FULL_ANSWERS], respondent_type="public")
    await staff("researcher")
    response = await client.get(f"{survey}/export", params={"format": "csv", "header": "both"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    names, wording, row = read_csv(response.text)
    cells = dict(zip(names, row, strict=True))
    labels = dict(zip(names, wording, strict=True))
    assert names[:3] == ["respondent_type", "submitted_at", "survey_version"]
    assert cells["respondent_type"] == "public" and cells["survey_version"] == "1"
    assert cells["colour"] == "red" and cells["colour_label"] == "Red"
    assert labels["colour_label"] == "Colour"
    assert (cells["fruits__apple"], cells["fruits__pear"], cells["fruits__other"]) == (
        "1",
        "0",
        "1",
    )
    assert cells["fruits__other_text"] == "Quince"
    assert labels["fruits__apple"] == "Fruits: Apple"
    assert cells["mood_score"] == "4" and cells["grid__bus_label"] == "Very satisfied"
    assert (cells["words_1"], cells["words_2"], cells["words_3"]) == ("safe", "", "heard")
    [event_] = await audit_events(settings, "responses_exported")
    assert event_.detail["format"] == "csv" and event_.detail["rows"] == 1


async def test_formula_cells_are_neutralised_in_csv_and_xlsx(
    client, settings, staff, survey
) -> None:
    dangerous = ["=1+1", "+44 7700", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    await add_responses(settings, [{"name_of_group": text, "count": -3} for text in dangerous])
    await staff("researcher")
    names, *rows = read_csv(
        (await client.get(f"{survey}/export", params={"format": "csv", "header": "names"})).text
    )
    column = names.index("name_of_group")
    assert sorted(row[column] for row in rows) == sorted("'" + text for text in dangerous)
    assert {row[names.index("count")] for row in rows} == {"-3"}  # numbers stay numbers
    xlsx = await client.get(f"{survey}/export", params={"format": "xlsx", "header": "names"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    # XML turns a carriage return into a line feed when read back; the prefix is what matters.
    cells = [str(row[header.index("name_of_group")]).replace("\n", "\r") for row in values[1:]]
    assert sorted(cells) == sorted("'" + text for text in dangerous)
    assert all(row[header.index("count")] == -3 for row in values[1:])


async def test_xlsx_has_two_header_rows_and_one_row_per_response(
    client, settings, staff, survey
) -> None:
    await add_responses(settings, [FULL_ANSWERS, {"colour": "blue"}])
    await staff("administrator")
    response = await client.get(f"{survey}/export", params={"format": "xlsx"})
    assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert len(rows) == 4
    assert rows[0][3:5] == ("consent", "name_of_group") and rows[1][4] == "Group name"
    [event_] = await audit_events(settings, "responses_exported")
    assert event_.detail == {"format": "xlsx", "rows": 2, "header": "both"}


async def test_sav_has_variable_and_value_labels(
    client, settings, staff, survey, tmp_path: Path
) -> None:
    await add_responses(settings, [FULL_ANSWERS, {"colour": "blue", "count": 7}])
    await staff("researcher")
    response = await client.get(f"{survey}/export", params={"format": "sav"})
    assert response.status_code == 200
    path = tmp_path / "out.sav"
    path.write_bytes(response.content)
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 2
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["colour"] == "Colour (code)" and labels["name_of_group"] == "Group name"
    assert "colour_label" not in meta.column_names  # value labels carry the text instead
    assert meta.variable_value_labels["colour"] == {1.0: "Red", 2.0: "Blue"}
    assert sorted(frame["colour"].tolist()) == [1.0, 2.0]
    assert meta.variable_value_labels["fruits__apple"][1.0] == "Selected"
    assert sorted(frame["count"].dropna().tolist()) == [3.0, 7.0]


def test_spss_names_follow_spss_rules() -> None:
    from surveys.exports.spss import spss_names

    assert spss_names(["1st", "a b", "ALL", "x_", "Q1", "q1"]) == [
        "v1st", "a_b", "ALLv", "x", "Q1", "q1v2",
    ]  # fmt: skip
    long = spss_names(["é" * 70])[0]
    assert len(long.encode()) <= 64 and long[0].isalpha() and not long.endswith("_")


async def test_mixed_versions_union_columns_and_label_by_each_version(
    client, settings: Settings, staff, survey
) -> None:
    await add_responses(settings, [{"colour": "red"}])
    cid = await consultation_id(settings)
    async with db_session(settings) as db:
        consultation = await db.get(Consultation, cid)
        first = await db.scalar(select(SurveyVersion).where(SurveyVersion.number == 1))
        assert consultation is not None and first is not None
        definition: dict[str, Any] = {**first.definition}
        questions = definition["sections"][0]["pages"][2]["questions"]
        questions[0] = {**questions[0], "title": "Favourite colour",
                        "options": [{"value": "red", "label": "Crimson"},
                                    {"value": "blue", "label": "Blue"}]}  # fmt: skip
        questions.append({"key": "extra", "type": "short_text", "title": "New question"})
        await publish_version(db, consultation, definition)
        await db.commit()
    await add_responses(settings, [{"colour": "red", "extra": "new"}], version_number=2)
    await staff("researcher")
    text = (await client.get(f"{survey}/export", params={"format": "csv"})).text
    names, wording, old, new = read_csv(text)
    assert wording[names.index("colour_label")] == "Favourite colour"  # newest heading
    assert old[names.index("colour_label")] == "Red" and old[names.index("survey_version")] == "1"
    assert new[names.index("colour_label")] == "Crimson" and new[names.index("extra")] == "new"
    assert old[names.index("extra")] == ""


async def test_csv_is_read_in_batches_as_it_streams(client, settings: Settings, survey) -> None:
    cid = await consultation_id(settings)
    total, batch = 2_000, 250
    async with db_session(settings) as db:
        version_id = await db.scalar(select(SurveyVersion.id))
        now = datetime.now(UTC)
        await db.execute(
            insert(Response),
            [
                {
                    "consultation_id": cid,
                    "version_id": version_id,
                    "answers": {"story": f"answer {n}", "colour": "red"},
                    "submitted_at": now,
                    "withdrawal_code_hash": hash_code(secrets.token_hex(10)),
                }
                for n in range(total)
            ],
        )
        await db.commit()
    async with db_session(settings) as db:
        selects: list[str] = []
        event.listen(
            db.get_bind(),
            "before_cursor_execute",
            lambda *args: selects.append(args[2]) if "survey_response" in args[2] else None,
        )
        layout = await exports.layout_for(db, cid)
        chunks = exports.csv_chunks(layout, exports.read_rows(db, cid, layout, batch_size=batch))
        header = await anext(chunks)
        assert header.startswith("respondent_type,")
        first = await anext(chunks)
        # One batch read so far, and the first chunk holds exactly that batch.
        assert len(selects) == 1 and first.count("\r\n") == batch
        rest = [chunk async for chunk in chunks]
        assert len(rest) == total // batch - 1
        assert len(selects) == total // batch + 1  # the last query finds nothing


async def filtered_responses(settings: Settings) -> None:
    await add_responses(
        settings,
        [{**FULL_ANSWERS, "story": "Private words about Alex"}],
        respondent_type="professional",
        submitted_at=datetime(2027, 1, 10, 12, tzinfo=UTC),
    )
    await add_responses(
        settings,
        [{"colour": "blue", "story": "Nothing changed"}, {"colour": "red"}],
        respondent_type="public",
        submitted_at=datetime(2027, 2, 10, 12, tzinfo=UTC),
    )


async def test_export_these_responses_holds_only_the_rows_the_list_filters_find(
    client, settings, staff, survey
) -> None:
    await filtered_responses(settings)
    await staff("researcher")
    listed = await client.get(survey, params={"respondent_type": "public", "answer": "colour=red"})
    # The filtered list offers "Export these responses" carrying its filters in hidden fields.
    assert "Export these 1 response" in listed.text
    assert '<input type="hidden" name="answer" value="colour=red">' in listed.text
    assert "Export all responses" in listed.text
    params = {"format": "csv", "header": "names", "respondent_type": "public",
              "answer": "colour=red", "submitted_from": "2027-02-01", "submitted_to": "2027-02-28"}  # fmt: skip
    names, *rows = read_csv((await client.get(f"{survey}/export", params=params)).text)
    assert [(r[names.index("respondent_type")], r[names.index("colour")]) for r in rows] == [
        ("public", "red")
    ]
    names, *rows = read_csv(
        (await client.get(f"{survey}/export", params={"format": "csv", "search": "alex"})).text
    )
    assert [r[names.index("story")] for r in rows[1:]] == ["Private words about Alex"]
    everything = await client.get(f"{survey}/export", params={"format": "csv", "header": "names"})
    assert len(read_csv(everything.text)) == 4  # "export all" still exports every response
    xlsx = await client.get(f"{survey}/export", params={"format": "xlsx", "respondent_type": "professional"})  # fmt: skip
    assert len(list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows())) == 3
    filtered, searched, unfiltered, by_type = await audit_events(settings, "responses_exported")
    assert filtered.detail["rows"] == 1 and filtered.detail["filters"] == {
        "respondent_type": "public", "submitted_from": "2027-02-01",
        "submitted_to": "2027-02-28", "answer": "colour=red",
    }  # fmt: skip
    # A search is recorded as used, never its words (they may name someone).
    assert searched.detail["filters"] == {"search": True} and searched.detail["rows"] == 1
    assert "alex" not in str(searched.detail).lower()
    assert "filters" not in unfiltered.detail and unfiltered.detail["rows"] == 3
    assert by_type.detail["filters"] == {"respondent_type": "professional"}


async def test_export_with_a_bad_date_filter_is_refused(client, staff, survey) -> None:
    await staff("researcher")
    response = await client.get(f"{survey}/export", params={"submitted_from": "31/02/2027"})
    assert response.status_code in (400, 422) and "From date must be a real date" in response.text
