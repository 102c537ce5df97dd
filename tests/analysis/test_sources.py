import io
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.sources import load_table, require_columns


def test_platform_export_with_metadata_columns_loads(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "response_id,q1,respondent_type,submitted_at,survey_version\n"
        "r1,Better lighting,victim-survivor,2026-10-01T10:00:00Z,3\n",
        encoding="utf-8",
    )
    frame = load_table(path)
    assert frame.loc[0, "respondent_type"] == "victim-survivor"
    assert frame["submitted_at"].dt.year.tolist() == [2026]


def test_dataframe_passes_through_as_a_copy() -> None:
    original = pd.DataFrame({"a": [1]})
    loaded = load_table(original)
    loaded.loc[0, "a"] = 2
    assert original.loc[0, "a"] == 1


def test_missing_column_error_names_the_column_and_lists_the_columns() -> None:
    frame = pd.DataFrame({"a": [1], "b": [2]})
    frame.attrs["source_name"] = "R.csv"
    with pytest.raises(AnalysisError) as info:
        require_columns(frame, ["TEXT"])
    assert str(info.value) == "column 'TEXT' not found in R.csv (columns: a, b)"


def test_xlsx_is_read(tmp_path: Path) -> None:
    pd.DataFrame({"id": ["1"], "text": ["hello"]}).to_excel(tmp_path / "r.xlsx", index=False)
    assert load_table(tmp_path / "r.xlsx")["text"].tolist() == ["hello"]


# --- platform exports and their data dictionary -------------------------------------------------
EXPORT_CSV = (
    "response_id,respondent_type,submitted_at,survey_version,police,police_score,police_label,"
    "feel_1,feel_2,feel_3\n"
    "rk1,public,2027-01-01T10:00:00Z,1,good,4,Good,safe,,calm\n"
    "rk2,professional,2027-01-02T10:00:00Z,1,dont_know,,Don't know,,,\n"
)
LEVELS = [("very_good", "Very good", 5), ("good", "Good", 4), ("ok", "OK", 3),
          ("poor", "Poor", 2), ("very_poor", "Very poor", 1)]  # fmt: skip
DICTIONARY = {
    "format": "consult-data-dictionary",
    "columns": [
        {"name": "response_id", "label": "Response id", "kind": "system"},
        {"name": "respondent_type", "label": "Who (code)", "kind": "code",
         "question": "respondent_type",
         "values": [{"value": "public", "label": "The public"},
                    {"value": "professional", "label": "Professionals"}]},
        {"name": "submitted_at", "label": "Submitted", "kind": "system"},
        {"name": "survey_version", "label": "Version", "kind": "system"},
        {"name": "police", "label": "Police (code)", "kind": "code", "question": "police",
         "values": [{"value": v, "label": lab} for v, lab, _ in LEVELS]
         + [{"value": "dont_know", "label": "Don't know"}]},
        {"name": "police_score", "label": "Police (score)", "kind": "score", "question": "police",
         "values": [{"value": s, "label": lab} for _, lab, s in LEVELS]},
        {"name": "police_label", "label": "Police", "kind": "label", "question": "police",
         "label_of": "police"},
        *({"name": f"feel_{n}", "label": f"Feel (word {n})", "kind": "text", "question": "feel"}
          for n in (1, 2, 3)),
    ],
    "questions": [{"key": "feel", "type": "three_words", "title": "Feel",
                   "columns": ["feel_1", "feel_2", "feel_3"]}],
}  # fmt: skip


def write_export(folder: Path, name: str = "responses-x") -> Path:
    import json

    (folder / f"{name}.csv").write_text(EXPORT_CSV, encoding="utf-8")
    (folder / f"{name}-dictionary.json").write_text(json.dumps(DICTIONARY), encoding="utf-8")
    return folder / f"{name}.csv"


def test_the_dictionary_beside_a_csv_or_inside_a_zip_is_found(tmp_path: Path) -> None:
    import zipfile

    from analysis.sources import load_export

    path = write_export(tmp_path)
    frame, dictionary = load_export(path)
    assert dictionary is not None and frame["response_id"].tolist() == ["rk1", "rk2"]
    with zipfile.ZipFile(tmp_path / "download.zip", "w") as archive:
        archive.write(path, path.name)
        archive.write(tmp_path / "responses-x-dictionary.json", "responses-x-dictionary.json")
    zipped, inside = load_export(tmp_path / "download.zip")
    assert inside is not None and zipped.equals(frame)
    assert load_export(tmp_path / "download.zip")[0].attrs["source_name"] == "download.zip"
    (tmp_path / "responses-x-dictionary.json").unlink()
    assert load_export(path)[1] is None  # a CSV from elsewhere still loads


def test_rating_levels_come_worst_to_best_with_dont_know_outside(tmp_path: Path) -> None:
    from analysis.sources import load_export

    _, dictionary = load_export(write_export(tmp_path))
    assert dictionary is not None
    levels, outside = dictionary.rating_levels("police")  # type: ignore[misc]
    assert levels == ["Very poor", "Poor", "OK", "Good", "Very good"]
    assert outside == ["Don't know"]
    assert dictionary.rating_levels("police_label") == (levels, outside)
    assert dictionary.rating_levels("feel_1") is None
    assert dictionary.value_labels("respondent_type") == {
        "public": "The public", "professional": "Professionals",
    }  # fmt: skip


def test_a_three_words_question_is_taken_by_its_key_with_all_its_parts(tmp_path: Path) -> None:
    from analysis.sources import load_export, with_question_text

    frame, dictionary = load_export(write_export(tmp_path))
    joined = with_question_text(frame, "feel", dictionary)
    assert joined["feel"].tolist()[0] == "safe calm"
    assert pd.isna(joined["feel"].tolist()[1])
    # Without a dictionary the numbered columns <key>_1.. are found too.
    assert with_question_text(frame, "feel", None)["feel"].tolist()[0] == "safe calm"


def test_a_second_header_row_of_wording_is_dropped(tmp_path: Path) -> None:
    from analysis.sources import load_export

    path = write_export(tmp_path)
    lines = EXPORT_CSV.splitlines()
    wording = ",".join(f'"{c["label"]}"' for c in DICTIONARY["columns"])  # type: ignore[index]
    path.write_text("\n".join([lines[0], wording, *lines[1:]]) + "\n", encoding="utf-8")
    frame, _ = load_export(path)
    assert frame["response_id"].tolist() == ["rk1", "rk2"]


def test_the_dictionary_sheet_of_an_xlsx_export_is_read(tmp_path: Path) -> None:
    from analysis.sources import load_export

    rows = [["variable", "question", "kind", "wording", "value", "value_label"]]
    for column in DICTIONARY["columns"]:  # type: ignore[union-attr]
        rows.append([column["name"], column.get("question"), column["kind"], column["label"], None, None])  # fmt: skip
        rows += [[column["name"], column.get("question"), None, None, v["value"], v["label"]]
                 for v in column.get("values", [])]  # fmt: skip
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.read_csv(io.StringIO(EXPORT_CSV), dtype=str).to_excel(
            writer, sheet_name="Responses", index=False
        )
        pd.DataFrame(rows[1:], columns=rows[0]).to_excel(
            writer, sheet_name="Dictionary", index=False
        )
    frame, dictionary = load_export(path)
    assert dictionary is not None and len(frame) == 2
    assert dictionary.rating_levels("police") == (
        ["Very poor", "Poor", "OK", "Good", "Very good"], ["Don't know"],
    )  # fmt: skip
    assert dictionary.text_parts("feel") == ["feel_1", "feel_2", "feel_3"]


def test_breakdown_takes_levels_from_the_dictionary_and_groups_in_words(tmp_path: Path) -> None:
    from analysis.cli import main

    path = write_export(tmp_path)
    code = main(["breakdown", "--input", str(path), "--question", "police", "--group",
                 "respondent_type", "--k", "1", "--no-charts", "--out-dir", str(tmp_path / "t")])  # fmt: skip
    assert code == 0
    counts = pd.read_csv(tmp_path / "t" / "rating-counts.csv", index_col=0)
    assert list(counts.columns)[:5] == ["Very poor", "Poor", "OK", "Good", "Very good"]
    assert "The public" in counts.index
    notes = (tmp_path / "t" / "rating-notes.txt").read_text()
    assert "1 'don't know / not applicable' answers excluded" in notes
