from pathlib import Path

import pandas as pd

from analysis.coding import write_codes


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
