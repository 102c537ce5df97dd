"""Redaction quality on the labelled sets and speed on 180,000 answers.

Quality: ``tests/analysis/data/redaction_dev.jsonl`` (written with the rules, tuned on) and
``redaction_heldout.jsonl`` (written before the rules, different names, not tuned on), scored
by ``analysis.redaction_eval`` (a gold span counts only when fully covered by a predicted span
of its type; a predicted span is right when it overlaps a gold span of its type).

Speed: answers made by joining 1-3 sentences resampled (seeded) from the shared corpus, one in
ten with a sentence from the labelled sets so the personal-data paths run too. Each run is a
fresh process timing ``redact_texts`` alone (pipeline loading is reported apart); ``--code``
runs the same measurement against another checkout, e.g. the code before a change.
    .venv/bin/python bench/analysis_redaction.py quality
    .venv/bin/python bench/analysis_redaction.py speed [--answers 180000] [--runs 3] [--code DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "analysis" / "data"
SETS = [DATA / "redaction_dev.jsonl", DATA / "redaction_heldout.jsonl"]
CORPUS = ROOT.parent / "shared" / "data" / "patient-feedback-coded.csv"
if not CORPUS.exists():
    CORPUS = ROOT.parents[2] / "shared" / "data" / "patient-feedback-coded.csv"


def quality(paths: list[Path]) -> None:
    from analysis.nlp import build_pipeline
    from analysis.redaction import PII_TYPES, redact_texts
    from analysis.redaction_eval import load_cases, markdown_table, score

    for path in paths:
        cases = load_cases(path)
        print(
            f"## {path.name}: {len(cases)} sentences, {sum(not c.spans for c in cases)} with none\n"
        )
        for use_trained in (True, False):
            pipeline = build_pipeline("full", use_trained)
            result = redact_texts([c.text for c in cases], pipeline)
            predicted: list[list[tuple[str, int, int]]] = [[] for _ in cases]
            for row in result.log.itertuples():
                predicted[row.row].append((row.type, row.start, row.end))
            scores = score(cases, predicted)
            print(f"### {pipeline.model}\n\n{markdown_table(scores, PII_TYPES)}\n")
            for row, gold, kind in scores.misses:
                print(
                    f"- {kind} {gold[0]}: {cases[row].text[gold[1] : gold[2]]!r} in {cases[row].text!r}"
                )
            for row, span in scores.wrong:
                print(
                    f"- wrong {span[0]}: {cases[row].text[span[1] : span[2]]!r} in {cases[row].text!r}"
                )
            print()


def make_answers(n: int) -> list[str]:
    import numpy as np
    import pandas as pd

    from analysis.nlp import split_sentences

    if CORPUS.exists():
        texts = pd.read_csv(CORPUS)["feedback"].dropna().astype(str).tolist()
        pool = [s for group in split_sentences(texts) for s in group]
    else:
        print(f"corpus absent ({CORPUS}); using generated sentences", file=sys.stderr)
        words = ["staff", "police", "court", "support", "school", "waiting", "help", "safe"]
        rng0 = np.random.default_rng(0)
        pool = [" ".join(rng0.choice(words, 12)) + "." for _ in range(20000)]
    labelled = [json.loads(line)["text"] for p in SETS for line in p.read_text().splitlines()]
    rng = np.random.default_rng(42)
    counts = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    answers = []
    for c in counts:
        parts = [pool[i] for i in rng.integers(0, len(pool), size=c)]
        if rng.random() < 0.1:
            parts[int(rng.integers(0, len(parts)))] = labelled[int(rng.integers(0, len(labelled)))]
        answers.append(" ".join(parts))
    return answers


def one_run(answers_path: str) -> None:
    """In a fresh process: load the pipeline, redact every answer, print timings as JSON."""
    started = time.perf_counter()
    from analysis.nlp import build_pipeline
    from analysis.redaction import redact_texts

    answers = json.loads(Path(answers_path).read_text())
    pipeline = build_pipeline("full")
    loaded = time.perf_counter()
    load_before = os.getloadavg()[0]
    cpu_before = _cpu()
    result = redact_texts(answers, pipeline)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "load_s": round(loaded - started, 2),
                "redact_s": round(done - loaded, 2),
                "cpu_s": round(_cpu() - cpu_before, 2),
                "loadavg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                "spans": len(result.log),
                "model": pipeline.model,
            }
        )
    )


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def speed(n: int, runs: int, code: Path) -> None:
    answers = make_answers(n)
    words = sum(len(a.split()) for a in answers)
    path = Path("/tmp") / f"redaction-bench-{n}.json"
    path.write_text(json.dumps(answers))
    print(f"{n} answers, {words} words; code from {code}", flush=True)
    timings, cpu = [], []
    for i in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "_run", str(path)],
            cwd=code,
            env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        timings.append(result["redact_s"])
        cpu.append(result["cpu_s"])
        print(f"run {i + 1}: {result}", flush=True)
    wall = statistics.median(timings)
    print(
        f"median redact_texts: {wall:.1f} s wall ({words / wall:,.0f} words/s), "
        f"{statistics.median(cpu):.1f} s CPU; {os.cpu_count()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--cases", type=Path, nargs="+", default=SETS)
    s = sub.add_parser("speed")
    s.add_argument("--answers", type=int, default=180_000)
    s.add_argument("--runs", type=int, default=3)
    s.add_argument("--code", type=Path, default=ROOT)
    r = sub.add_parser("_run")
    r.add_argument("answers_path")
    args = parser.parse_args()
    if args.command == "quality":
        quality(args.cases)
    elif args.command == "speed":
        speed(args.answers, args.runs, args.code.resolve())
    else:
        one_run(args.answers_path)


if __name__ == "__main__":
    main()
