"""Redaction precision and recall on the hand-written labelled sets in tests/analysis.

``redaction_cases.jsonl`` was written alongside the patterns (optimistic);
``redaction_holdout.jsonl`` was written afterwards, before any fix was made for it, and is the
honest estimate. A predicted span is correct when it overlaps a gold span of the same type. Run:
    .venv/bin/python bench/analysis_redaction.py [--cases PATH ...]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from analysis.nlp import build_pipeline
from analysis.redaction import redact_texts

TESTS = Path(__file__).parent.parent / "tests" / "analysis"
SETS = [TESTS / "redaction_cases.jsonl", TESTS / "redaction_holdout.jsonl"]


def gold_spans(case: dict) -> list[tuple[str, int, int]]:
    spans = []
    for kind, text in case["pii"]:
        start = case["text"].index(text)
        spans.append((kind, start, start + len(text)))
    return spans


def overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def score(path: Path, use_trained: bool) -> tuple[str, Counter, Counter, Counter]:
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    pipeline = build_pipeline("full", use_trained)
    result = redact_texts([c["text"] for c in cases], pipeline)
    tp_p, n_pred, tp_r, n_gold = Counter(), Counter(), Counter(), Counter()
    for row, case in enumerate(cases):
        gold = gold_spans(case)
        log = result.log[result.log["row"] == row]
        pred = list(zip(log["type"], log["start"], log["end"], strict=True))
        for p in pred:
            n_pred[p[0]] += 1
            tp_p[p[0]] += any(overlaps(p, g) for g in gold)
        for g in gold:
            n_gold[g[0]] += 1
            tp_r[g[0]] += any(overlaps(p, g) for p in pred)
    return pipeline.model, tp_p, n_pred, Counter({k: (tp_r[k], n_gold[k]) for k in n_gold})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=Path, nargs="+", default=SETS)
    for path in parser.parse_args().cases:
        report(path)


def report(path: Path) -> None:
    cases = sum(1 for line in path.read_text().splitlines() if line.strip())
    print(f"## {cases} labelled texts from {path.name}\n")
    for use_trained in (True, False):
        model, tp_p, n_pred, recall = score(path, use_trained)
        types = sorted(set(n_pred) | set(recall))
        print(
            f"### {model}\n\n| type | precision | recall | predicted | gold |\n|---|---|---|---|---|"
        )
        for kind in types:
            hit, gold = recall.get(kind, (0, 0))
            p = tp_p[kind] / n_pred[kind] if n_pred[kind] else float("nan")
            r = hit / gold if gold else float("nan")
            print(f"| {kind} | {p:.2f} | {r:.2f} | {n_pred[kind]} | {gold} |")
        all_p = sum(tp_p.values()) / max(sum(n_pred.values()), 1)
        all_r = sum(h for h, _ in recall.values()) / max(sum(g for _, g in recall.values()), 1)
        print(
            f"| **all** | {all_p:.2f} | {all_r:.2f} | {sum(n_pred.values())} | "
            f"{sum(g for _, g in recall.values())} |\n"
        )


if __name__ == "__main__":
    main()
