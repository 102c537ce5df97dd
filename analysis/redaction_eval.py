"""Scoring redaction against a labelled set (JSONL: ``{"text": ..., "spans": [[type, start, end, text]]}``).

A gold span is *found* when predicted spans of the same type together cover every letter and digit
of it; one that is only partly covered is a *partial* and counts as missed, since the rest of it
stays readable. A predicted span is *correct* when it overlaps a gold span of the same type.
Per-type and overall precision and recall, as used by ``tests/analysis/test_redaction_quality.py``
and ``bench/analysis_redaction.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Span = tuple[str, int, int]


@dataclass(frozen=True)
class Case:
    text: str
    spans: tuple[Span, ...]


@dataclass
class TypeScore:
    gold: int = 0
    found: int = 0
    partial: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else float("nan")


@dataclass
class Scores:
    by_type: dict[str, TypeScore]
    misses: list[tuple[int, Span, str]] = field(default_factory=list)  # row, gold span, kind
    wrong: list[tuple[int, Span]] = field(default_factory=list)  # row, predicted span

    @property
    def overall(self) -> TypeScore:
        total = TypeScore()
        for score in self.by_type.values():
            total.gold += score.gold
            total.found += score.found
            total.partial += score.partial
            total.predicted += score.predicted
            total.correct += score.correct
        return total


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        spans = []
        for kind, start, end, surface in raw["spans"]:
            if raw["text"][start:end] != surface:
                raise ValueError(f"{path.name}: span {surface!r} does not match its offsets")
            spans.append((kind, start, end))
        cases.append(Case(raw["text"], tuple(spans)))
    return cases


def _covered(text: str, gold: Span, predicted: Iterable[Span]) -> tuple[bool, bool]:
    """(fully covered, touched at all) for the letters and digits of ``gold``."""
    kind, start, end = gold
    needed = {i for i in range(start, end) if text[i].isalnum()}
    got: set[int] = set()
    for p_kind, p_start, p_end in predicted:
        if p_kind == kind:
            got.update(range(max(start, p_start), min(end, p_end)))
    return needed <= got, bool(needed & got)


def score(cases: Sequence[Case], predictions: Sequence[Iterable[Span]]) -> Scores:
    by_type: dict[str, TypeScore] = {}
    result = Scores(by_type)
    for row, (case, predicted_iter) in enumerate(zip(cases, predictions, strict=True)):
        predicted = list(predicted_iter)
        for gold in case.spans:
            entry = by_type.setdefault(gold[0], TypeScore())
            entry.gold += 1
            full, touched = _covered(case.text, gold, predicted)
            if full:
                entry.found += 1
            else:
                entry.partial += touched
                result.misses.append((row, gold, "partial" if touched else "missed"))
        for p in predicted:
            entry = by_type.setdefault(p[0], TypeScore())
            entry.predicted += 1
            ok = any(g[0] == p[0] and g[1] < p[2] and p[1] < g[2] for g in case.spans)
            entry.correct += ok
            if not ok:
                result.wrong.append((row, p))
    return result


def markdown_table(scores: Scores, types: Sequence[str]) -> str:
    lines = [
        "| type | gold | recall | predicted | precision |",
        "|---|---|---|---|---|",
    ]
    for kind in [*types, *(t for t in scores.by_type if t not in types)]:
        s = scores.by_type.get(kind, TypeScore())
        partial = f" ({s.partial} partial)" if s.partial else ""
        lines.append(
            f"| {kind} | {s.gold} | {s.recall:.2f}{partial} | {s.predicted} | {s.precision:.2f} |"
        )
    o = scores.overall
    lines.append(
        f"| **all** | {o.gold} | **{o.recall:.2f}** | {o.predicted} | **{o.precision:.2f}** |"
    )
    return "\n".join(lines)
