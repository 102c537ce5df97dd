"""Redaction quality on the labelled set in tests/analysis/data (see docs/analysis.md).

Both halves must reach recall 0.95 for every personal-data type and precision 0.85 overall,
with the trained pipeline and with the pattern-only fallback. ``redaction_dev.jsonl`` is the
half the rules were developed on; ``redaction_heldout.jsonl`` was written before them, with
other names, and was not tuned on.
"""

from pathlib import Path

import pytest

from analysis.nlp import Pipeline, build_pipeline
from analysis.redaction import PII_TYPES, redact_texts
from analysis.redaction_eval import Case, load_cases, markdown_table, score

DATA = Path(__file__).parent / "data"
HALVES = ["redaction_dev.jsonl", "redaction_heldout.jsonl"]
MIN_RECALL = 0.95
MIN_PRECISION = 0.85


def _pipelines() -> list[Pipeline]:
    trained = build_pipeline("full")
    blank = build_pipeline("full", use_trained=False)
    return [trained, blank] if trained.trained else [blank]


@pytest.mark.parametrize("half", HALVES)
def test_each_half_is_large_and_covers_every_type(half: str) -> None:
    cases = load_cases(DATA / half)
    assert len(cases) >= 200
    assert sum(not c.spans for c in cases) >= 60
    assert {kind for c in cases for kind, _, _ in c.spans} == set(PII_TYPES)


def test_the_halves_share_no_sentence() -> None:
    dev, heldout = (load_cases(DATA / half) for half in HALVES)
    assert not {c.text for c in dev} & {c.text for c in heldout}
    assert len(dev) + len(heldout) >= 400


@pytest.mark.parametrize("half", HALVES)
def test_every_type_reaches_the_recall_and_overall_precision_bars(half: str) -> None:
    cases: list[Case] = load_cases(DATA / half)
    for pipeline in _pipelines():
        result = redact_texts([c.text for c in cases], pipeline)
        predicted: list[list[tuple[str, int, int]]] = [[] for _ in cases]
        for row in result.log.itertuples():
            predicted[row.row].append((row.type, row.start, row.end))
        scores = score(cases, predicted)
        table = f"{half}, {pipeline.model}\n{markdown_table(scores, PII_TYPES)}"
        for kind in PII_TYPES:
            assert scores.by_type[kind].recall >= MIN_RECALL, table
        assert scores.overall.precision >= MIN_PRECISION, table


def test_scoring_counts_a_partly_covered_span_as_missed() -> None:
    case = Case("call 0044 7700 900 987 now", (("PHONE", 5, 22),))
    partial = score([case], [[("PHONE", 10, 22)]])
    assert partial.by_type["PHONE"].recall == 0.0
    assert partial.by_type["PHONE"].partial == 1
    assert partial.by_type["PHONE"].precision == 1.0
    full = score(
        [case],
        [
            [("PHONE", 5, 22)],
        ],
    )
    assert full.by_type["PHONE"].recall == 1.0
    wrong_type = score([case], [[("NHS_NUMBER", 10, 22)]])
    assert wrong_type.by_type["PHONE"].recall == 0.0
    assert wrong_type.by_type["NHS_NUMBER"].precision == 0.0
