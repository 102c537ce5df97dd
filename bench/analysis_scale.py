"""Scale benchmark: 180,000 responses, a 50-theme codebook, cold and warm runs.

Responses are made by resampling real sentences from the shared corpus (when absent, from a
generated corpus, and it says so). Each measured command runs in its own process; its wall
time and peak RSS (from wait4) are recorded, medians of ``--runs`` runs.
    .venv/bin/python bench/analysis_scale.py [--runs 3] [--responses 180000]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.breakdown import rating_breakdown
from analysis.corpus import process_texts
from analysis.nlp import build_pipeline, split_sentences, stop_words

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "patient-feedback-coded.csv"
LEVELS = ["Very poor", "Poor", "OK", "Good", "Very good"]
TYPES = ["victim-survivor", "on behalf of someone", "professional", "member of the public"]


def sentences() -> tuple[list[str], str]:
    if CORPUS.exists():
        texts = pd.read_csv(CORPUS)["feedback"].dropna().astype(str).tolist()
        found = [s for group in split_sentences(texts) for s in group]
        return found, f"{len(found)} sentences from {CORPUS.name}"
    rng = np.random.default_rng(0)
    words = ["staff", "police", "court", "support", "school", "waiting", "help", "safe"]
    fake = [" ".join(rng.choice(words, 8)) + "." for _ in range(20000)]
    print(f"corpus absent ({CORPUS}); using a generated corpus", file=sys.stderr)
    return fake, "20000 generated sentences (corpus absent)"


def make_responses(pool: list[str], n: int) -> pd.DataFrame:
    rng = np.random.default_rng(42)
    counts = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    picks = rng.integers(0, len(pool), size=int(counts.sum()))
    texts, cursor = [], 0
    for c in counts:
        texts.append(" ".join(pool[i] for i in picks[cursor : cursor + c]))
        cursor += c
    return pd.DataFrame(
        {
            "ID": [f"r{i}" for i in range(n)],
            "TEXT": texts,
            "respondent_type": rng.choice(TYPES, n),
            "rating": rng.choice([*LEVELS, "Don't know"], n),
        }
    )


def fifty_theme_codebook(texts: list[str]) -> dict:
    """50 themes from frequent lemmas of a sample: realistic match density for timing only."""
    stops = stop_words()
    counts: Counter[str] = Counter()
    for item in process_texts(texts[:5000]):
        counts.update(w for w in item.lemma if w.isalpha() and len(w) > 2 and w not in stops)
    common = [w for w, _ in counts.most_common(450)]
    themes = []
    for i in range(50):
        words = common[i * 9 : i * 9 + 9]
        themes.append(
            {
                "name": f"theme {i:02d}",
                "keywords": words[:4],
                "lemmas": words[4:7],
                "phrases": [f"{words[7]} {words[8]}", f"the {words[7]}"],
            }
        )
    return {"name": "scale benchmark", "themes": themes}


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss / 1024


def median_runs(label: str, runs: int, cmd: list[str], before=None) -> dict:  # type: ignore[no-untyped-def]
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(timed(cmd))
    times = [t for t, _ in results]
    row = {
        "step": label,
        "median_s": statistics.median(times),
        "runs": [round(t, 1) for t in times],
        "peak_mib": max(m for _, m in results),
    }
    print(row, flush=True)
    return row


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    total = free.splitlines()[1].split()[1] if free else "?"
    return f"nproc {os.cpu_count()}, {total} RAM, CPU {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--responses", type=int, default=180_000)
    args = parser.parse_args()
    py = sys.executable
    pool, source = sentences()
    frame = make_responses(pool, args.responses)
    texts = frame["TEXT"].tolist()
    words = sum(len(t.split()) for t in texts)
    print(f"machine: {machine()}\ninput: {len(frame)} responses, {words} words; {source}")
    work = Path(tempfile.mkdtemp(prefix="analysis-scale-"))
    frame.to_csv(work / "R.csv", index=False)
    book = fifty_theme_codebook(texts)
    (work / "C.yaml").write_text(yaml.safe_dump(book, sort_keys=False))
    rows = []
    lower_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        _ = [t.lower().split() for t in texts]
        lower_times.append(time.perf_counter() - start)
    tokenizer = build_pipeline("fast").nlp.tokenizer
    start = time.perf_counter()
    for _ in tokenizer.pipe(texts, batch_size=1000):
        pass
    tok_time = time.perf_counter() - start
    print(
        f"baseline str.lower().split(): {statistics.median(lower_times):.2f} s; "
        f"spaCy tokenizer alone: {tok_time:.1f} s"
    )
    cache = work / "cache"
    code = [
        py,
        "-m",
        "analysis",
        "code",
        "--input",
        str(work / "R.csv"),
        "--id-column",
        "ID",
        "--text-column",
        "TEXT",
        "--codebook",
        str(work / "C.yaml"),
        "--out",
        str(work / "CODED.csv"),
        "--cache-dir",
        str(cache),
    ]
    rows.append(
        median_runs(
            "code, cold cache",
            args.runs,
            code,
            before=lambda: shutil.rmtree(cache, ignore_errors=True),
        )
    )
    edits = iter(["nurse", "doctor", "parking", "reception", "pharmacy"])

    def edit_codebook() -> None:
        # Every re-code run follows a fresh edit, so each one re-matches the edited themes.
        word = next(edits)
        book["themes"][0]["keywords"].append(word)
        book["themes"][1]["phrases"].append(f"the {word}")
        (work / "C.yaml").write_text(yaml.safe_dump(book, sort_keys=False))

    rows.append(
        median_runs("re-code after codebook edit (warm cache)", args.runs, code, edit_codebook)
    )
    cloud = [
        py,
        "-m",
        "analysis",
        "wordcloud",
        "--input",
        str(work / "R.csv"),
        "--text-column",
        "TEXT",
        "--out-dir",
        str(work / "wc"),
        "--cache-dir",
        str(cache),
    ]
    rows.append(median_runs("word cloud of all (warm cache)", args.runs, cloud))
    breakdown = [
        py,
        "-m",
        "analysis",
        "breakdown",
        "--input",
        str(work / "R.csv"),
        "--question",
        "rating",
        "--levels",
        ",".join(LEVELS),
        "--group",
        "respondent_type",
        "--out-dir",
        str(work / "bd"),
    ]
    rows.append(median_runs("breakdown CLI incl. start-up, CSV read, charts", args.runs, breakdown))
    lib_times = []
    for _ in range(5):
        start = time.perf_counter()
        rating_breakdown(frame, "rating", LEVELS, "respondent_type")
        lib_times.append(time.perf_counter() - start)
    print(
        f"breakdown library call (rating_breakdown on the DataFrame): median of 5 "
        f"{statistics.median(lib_times):.3f} s"
    )
    print(
        f"ratio code cold / str.lower().split(): "
        f"{rows[0]['median_s'] / statistics.median(lower_times):.0f}x; "
        f"/ spaCy tokenizer alone: {rows[0]['median_s'] / tok_time:.1f}x"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
