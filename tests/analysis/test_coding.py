from pathlib import Path

import pandas as pd

from analysis.coded_files import write_codes, write_evidence
from analysis.spreadsheet import write_csv


def test_fast_binary_csv_reads_back_the_same_as_pandas_output(tmp_path: Path) -> None:
    codes = pd.DataFrame(
        {
            "ID": ["a", 'b,"x"', "c"],
            "police, courts": [1, 0, 1],
            "score:police, courts": [1.0, 0.0, 1.0],
        }
    )
    write_codes(codes, tmp_path / "fast.csv")
    back = pd.read_csv(tmp_path / "fast.csv")
    assert back.columns.tolist() == codes.columns.tolist()
    assert back["ID"].tolist() == codes["ID"].tolist()
    assert back.iloc[:, 1:].to_numpy().tolist() == codes.iloc[:, 1:].to_numpy().tolist()


def test_probability_scores_are_written_as_they_are(tmp_path: Path) -> None:
    codes = pd.DataFrame({"ID": [1, 2], "t": [1, 0], "score:t": [0.8123, 0.2]})
    write_codes(codes, tmp_path / "p.csv")
    assert pd.read_csv(tmp_path / "p.csv")["score:t"].tolist() == [0.8123, 0.2]


def test_evidence_file_is_byte_for_byte_what_write_csv_writes(tmp_path: Path) -> None:
    evidence = pd.DataFrame(
        {
            "id": ["r1", 'r"2', "r,3", "=cmd", 5, None],
            "theme": ["police, courts", "police, courts", "-x", "safety", "safety", "safety"],
            "source": ["rule", "model", "rule", "model", "rule", "model"],
            "evidence": ['said "no"\nthen', "confidence 0.81", "", "@home", "+1", "ok\x07"],
            "score": [0.9, 0.8123, float("nan"), 1e-05, 0.9, 0.5],
            "words": ["a; b", "", None, "\tx", "c", "d"],
        }
    )
    write_evidence(evidence, tmp_path / "fast.csv")
    write_csv(evidence, tmp_path / "plain.csv", index=False)
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
