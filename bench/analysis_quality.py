"""Coding quality on the shared NHS patient-feedback corpus (development data, not committed).

Learns from a seeded random 10% hand-coded sample and reports F1 on the other 90% through the
same CLI a user runs (``code`` then ``evaluate``). Nothing here looks at individual rows.
    .venv/bin/python bench/analysis_quality.py [--seed 42]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cli import main as cli

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "patient-feedback-coded.csv"


def column_name(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fraction", type=float, default=0.10)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"corpus absent ({CORPUS}); nothing to measure", file=sys.stderr)
        return 0
    data = pd.read_csv(CORPUS).dropna(subset=["feedback"]).reset_index(drop=True)
    data["ID"] = data["row_index"].astype(str)
    truth = pd.get_dummies(data["label"].map(column_name)).astype(int)
    table = pd.concat(
        [data[["ID", "feedback"]].rename(columns={"feedback": "TEXT"}), truth], axis=1
    )
    order = np.random.default_rng(args.seed).permutation(len(table))
    n_train = round(args.fraction * len(table))
    labelled, rest = table.iloc[order[:n_train]], table.iloc[order[n_train:]]
    print(f"corpus: {CORPUS} ({len(table)} responses, {truth.shape[1]} labels)")
    print(f"labelled sample: {len(labelled)} (seed {args.seed}); evaluated on {len(rest)}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        labelled.to_csv(d / "L.csv", index=False)
        rest[["ID", "TEXT"]].to_csv(d / "R.csv", index=False)
        rest.drop(columns=["TEXT"]).to_csv(d / "T.csv", index=False)
        start = time.perf_counter()
        status = cli(
            [
                "code",
                "--input",
                str(d / "R.csv"),
                "--id-column",
                "ID",
                "--text-column",
                "TEXT",
                "--labelled",
                str(d / "L.csv"),
                "--out",
                str(d / "CODED.csv"),
            ]
        )
        print(f"code: {time.perf_counter() - start:.1f} s")
        if status:
            return status
        return cli(
            [
                "evaluate",
                "--predicted",
                str(d / "CODED.csv"),
                "--truth",
                str(d / "T.csv"),
                "--id-column",
                "ID",
            ]
        )


if __name__ == "__main__":
    raise SystemExit(main())
