import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main

RESPONSES = (
    "ID,TEXT,respondent_type,rating\n"
    "1,The police never believed me,victim-survivor,Poor\n"
    "2,More education in schools please,professional,Good\n"
    "3,Nothing,member of the public,Don't know\n"
)
CODEBOOK = """name: test
themes:
  - name: Police
    keywords: [police]
  - name: Education
    lemmas: [school, education]
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "R.csv").write_text(RESPONSES, encoding="utf-8")
    (tmp_path / "C.yaml").write_text(CODEBOOK, encoding="utf-8")
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def code_args(files: Path, *, out: str, text_column: str = "TEXT") -> list[str]:
    """`code` over the fixture's responses and codebook."""
    return [
        "code", "--input", str(files / "R.csv"), "--id-column", "ID", "--text-column", text_column,
        "--codebook", str(files / "C.yaml"), "--out", str(files / out),
    ]  # fmt: skip


def test_code_writes_id_binary_and_score_columns(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        code_args(files, out="CODED.csv"),
        capsys,
    )
    assert code == 0 and "coded 3 responses" in out
    coded = pd.read_csv(files / "CODED.csv")
    assert list(coded.columns) == ["ID", "Police", "score:Police", "Education", "score:Education"]
    assert coded["Police"].tolist() == [1, 0, 0] and coded["Education"].tolist() == [0, 1, 0]


def test_missing_column_is_a_one_line_error_naming_it(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(
        code_args(files, out="o.csv", text_column="BODY"),
        capsys,
    )
    assert code != 0
    assert err.strip() == (
        "error: column 'BODY' not found in R.csv (columns: ID, TEXT, respondent_type, rating)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "R.csv is empty"),
        ("ID,TEXT\n1,caf\xe9\n".encode("latin-1"), "R.csv is not UTF-8 text"),
    ],
)
def test_empty_or_non_utf8_input_is_a_one_line_error(  # type: ignore[no-untyped-def]
    files: Path, capsys, content: bytes, message: str
) -> None:
    (files / "R.csv").write_bytes(content)
    code, _, err = run(
        code_args(files, out="o.csv"),
        capsys,
    )
    assert code != 0 and err.startswith(f"error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("codebook", "message"),
    [
        ("themes: [\n  - name: a\n", "not valid YAML"),
        ("themes:\n  - description: x\n", "theme has no name"),
        ("just text\n", "malformed codebook"),
    ],
)
def test_malformed_codebook_is_a_one_line_error(  # type: ignore[no-untyped-def]
    files: Path, capsys, codebook: str, message: str
) -> None:
    (files / "C.yaml").write_text(codebook, encoding="utf-8")
    code, _, err = run(
        code_args(files, out="o.csv"),
        capsys,
    )
    assert code != 0 and message in err and err.count("\n") == 1


def test_malformed_labelled_file_is_a_one_line_error(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (files / "L.csv").write_text("ID,TEXT,police\n1,police,yes\n", encoding="utf-8")
    code, _, err = run(
        [
            "code",
            "--input",
            str(files / "R.csv"),
            "--id-column",
            "ID",
            "--text-column",
            "TEXT",
            "--labelled",
            str(files / "L.csv"),
            "--out",
            str(files / "o.csv"),
        ],
        capsys,
    )
    assert code != 0
    assert err.strip() == "error: labelled file: column 'police' must contain only 0 and 1"


def test_code_learns_from_labelled_file_and_evaluate_reports_f1(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = [(f"p{i}", f"police officers came {i}", 1, 0) for i in range(10)]
    rows += [(f"s{i}", f"school teachers helped {i}", 0, 1) for i in range(10)]
    labelled = pd.DataFrame(rows, columns=["ID", "TEXT", "police", "school"])
    labelled.to_csv(files / "L.csv", index=False)
    code, _, _ = run(
        [
            "code",
            "--input",
            str(files / "L.csv"),
            "--id-column",
            "ID",
            "--text-column",
            "TEXT",
            "--labelled",
            str(files / "L.csv"),
            "--out",
            str(files / "CODED.csv"),
            "--order",
            str(files / "next.csv"),
        ],
        capsys,
    )
    assert code == 0
    coded = pd.read_csv(files / "CODED.csv")
    assert coded["score:police"].between(0, 1).all()
    code, out, _ = run(
        [
            "evaluate",
            "--predicted",
            str(files / "CODED.csv"),
            "--truth",
            str(files / "L.csv"),
            "--id-column",
            "ID",
            "--resamples",
            "50",
        ],
        capsys,
    )
    assert code == 0 and "sample-averaged F1: 1.000" in out and "95% CI" in out


def test_wordcloud_breakdown_redact_and_agreement_run_end_to_end(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    texts = ["scared alone", "scared", "so scared", "felt scared", "scared and numb", "angry"]
    frame = pd.DataFrame({"id": range(6), "feel": texts, "type": ["a", "b"] * 3})
    frame.to_csv(files / "F.csv", index=False)
    argv = [
        "wordcloud",
        "--input",
        str(files / "F.csv"),
        "--text-column",
        "feel",
        "--group-column",
        "type",
        "--min-respondents",
        "2",
        "--out-dir",
        str(files / "wc"),
    ]
    assert run(argv, capsys)[0] == 0
    assert (files / "wc" / "wordcloud-all.png").exists()
    assert (files / "wc" / "wordcloud-a.csv").exists()
    argv = [
        "breakdown",
        "--input",
        str(files / "R.csv"),
        "--question",
        "rating",
        "--levels",
        "Very poor,Poor,OK,Good,Very good",
        "--out-dir",
        str(files / "bd"),
        "--no-charts",
    ]
    code, out, _ = run(argv, capsys)
    assert code == 0 and "Base: 2 respondents" in out
    argv = [
        "redact",
        "--input",
        str(files / "R.csv"),
        "--columns",
        "TEXT",
        "--out",
        str(files / "red.csv"),
        "--log",
        str(files / "log.csv"),
    ]
    assert run(argv, capsys)[0] == 0
    assert pd.read_csv(files / "red.csv")["redaction"].str.startswith("redacted").all()
    codings = pd.DataFrame(
        {"ID": [1, 1, 2, 2], "coder": ["a", "b", "a", "b"], "police": [1, 1, 0, 1]}
    )
    codings.to_csv(files / "K.csv", index=False)
    argv = [
        "agreement",
        "--input",
        str(files / "K.csv"),
        "--id-column",
        "ID",
        "--coder-column",
        "coder",
        "--out-dir",
        str(files / "ag"),
    ]
    code, out, _ = run(argv, capsys)
    assert code == 0 and "Krippendorff" in out
    stored = pd.read_csv(files / "ag" / "codings.csv")
    assert stored.columns.tolist() == ["id", "coder", "theme", "value"] and len(stored) == 4


@pytest.mark.parametrize(
    "command",
    ["code", "evaluate", "wordcloud", "breakdown", "redact", "suggest-themes", "agreement"],
)
def test_every_command_has_help(command: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0 and "usage:" in capsys.readouterr().out


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "suggest-themes" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["breakdown", "--k", "0"],
        ["breakdown", "--k", "-1"],
        ["breakdown", "--k", "ten"],
        ["wordcloud", "--text-column", "TEXT", "--min-respondents", "0"],
    ],
)
def test_k_below_one_is_refused_in_one_line(files: Path, capsys, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    full = [argv[0], "--input", str(files / "R.csv"), "--out-dir", str(files / "o"), *argv[1:]]
    if argv[0] == "breakdown":
        full += ["--question", "rating"]
    with pytest.raises(SystemExit) as info:
        main(full)
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.count("\n") == 1 and err.startswith("error: argument")
    assert "at least 1" in err
    assert not (files / "o").exists()


def test_breakdown_with_every_cell_hidden_draws_no_chart_and_says_so(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pd.DataFrame({"q": ["Good", "Poor", "Good"], "g": ["A", "B", "A"]}).to_csv(
        files / "S.csv", index=False
    )
    argv = ["breakdown", "--input", str(files / "S.csv"), "--question", "q", "--group", "g"]
    code, out, err = run([*argv, "--out-dir", str(files / "bd")], capsys)
    assert code == 0 and err == ""
    assert "no chart drawn" in out
    names = sorted(p.name for p in (files / "bd").iterdir())
    assert not [n for n in names if n.endswith((".png", ".svg", ".vl.json"))]
    assert "no chart drawn" in (files / "bd" / "rating-notes.txt").read_text()


def test_labels_with_nul_bytes_and_500_kb_are_cleaned_and_capped(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(
        {"q": ["Good"] * 12 + ["Poor"] * 12, "g": ["A\x00B"] * 12 + ["x" * 500_000] * 12}
    )
    frame.to_csv(files / "N.csv", index=False)
    argv = ["breakdown", "--input", str(files / "N.csv"), "--question", "q", "--group", "g"]
    code, _, err = run([*argv, "--out-dir", str(files / "bd")], capsys)
    assert code == 0 and err == ""
    counts = pd.read_csv(files / "bd" / "rating-counts.csv", index_col=0)
    assert "A B" in counts.index
    assert max(len(str(i)) for i in counts.index) <= 80
    assert (files / "bd" / "rating-bar.png").stat().st_size > 0
    assert "\x00" not in (files / "bd" / "rating-bar.vl.json").read_text()


def test_a_group_named_total_is_refused_not_overwritten(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"q": ["Good"] * 30, "g": ["Total"] * 3 + ["A"] * 27})
    frame.to_csv(files / "T.csv", index=False)
    argv = ["breakdown", "--input", str(files / "T.csv"), "--question", "q", "--group", "g"]
    code, _, err = run([*argv, "--out-dir", str(files / "bd"), "--no-charts"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "reserved" in err and "'Total'" in err


def test_wordcloud_counts_people_with_an_id_column(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(
        {"pid": [1, 1, 1, 2, 3], "feel": ["scared", "scared", "scared", "calm", "calm"]}
    )
    frame.to_csv(files / "P.csv", index=False)
    argv = ["wordcloud", "--input", str(files / "P.csv"), "--text-column", "feel"]
    argv += ["--id-column", "pid", "--min-respondents", "2", "--out-dir", str(files / "wc")]
    code, out, _ = run(argv, capsys)
    assert code == 0 and "All: 3 respondents, 1 words shown" in out
    shown = pd.read_csv(files / "wc" / "wordcloud-all.csv")
    assert shown["word"].tolist() == ["calm"]
    notes = (files / "wc" / "wordcloud-notes.txt").read_text()
    assert "more than one row" in notes


def test_redact_keeps_the_names_in_a_keep_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pd.DataFrame({"t": ["Maggie's and Sophie helped me"]}).to_csv(tmp_path / "R.csv", index=False)
    (tmp_path / "keep.txt").write_text("# directory\nMaggie's\n", encoding="utf-8")
    base = ["redact", "--input", str(tmp_path / "R.csv"), "--columns", "t"]
    assert run([*base, "--out", str(tmp_path / "a.csv")], capsys)[0] == 0
    assert pd.read_csv(tmp_path / "a.csv")["t"][0] == "[NAME]'s and [NAME] helped me"
    keep = ["--keep", str(tmp_path / "keep.txt")]
    assert run([*base, "--out", str(tmp_path / "b.csv"), *keep], capsys)[0] == 0
    assert pd.read_csv(tmp_path / "b.csv")["t"][0] == "Maggie's and [NAME] helped me"
    code, _, err = run([*base, "--out", str(tmp_path / "c.csv"), "--keep", "missing.txt"], capsys)
    assert code != 0 and "--keep" in err
