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
