"""The chair's reveal: the spread of members' scores per criterion and how far they agree.

Percentage agreement per criterion is the share of pairs of members who gave the same value;
Krippendorff's alpha is over all criteria, members as observers (interval for a 1-9 score,
nominal otherwise). Criteria are listed least agreed first, so the panel discusses those first.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import krippendorff
import numpy as np

from panels.models import Review
from panels.scales import SCALES, member_values


@dataclass
class CriterionSpread:
    key: str
    label: str
    group: str
    counts: dict[str, int]  # value -> how many members gave it, in scale order
    scored: int
    agreement: float | None  # percentage of agreeing pairs; None with fewer than two scores
    comments: list[str]

    @property
    def disagreed(self) -> bool:
        return self.agreement is not None and self.agreement < 100


@dataclass
class Reveal:
    criteria: list[CriterionSpread]
    alpha: float | None
    alpha_note: str
    reviewers: int


def percentage_agreement(values: list[str]) -> float | None:
    pairs = list(combinations(values, 2))
    if not pairs:
        return None
    return round(100 * sum(a == b for a, b in pairs) / len(pairs), 1)


def alpha(matrix: list[list[float]], numeric: bool) -> tuple[float | None, str]:
    """Krippendorff's alpha, or None with the reason it is not defined."""
    data = np.array(matrix, dtype=float)
    if data.shape[0] < 2:
        return None, "needs scores from at least two members"
    present = data[~np.isnan(data)]
    if len(np.unique(present)) < 2:
        return None, "not defined: every member gave the same value"
    if ((~np.isnan(data)).sum(axis=0) >= 2).sum() == 0:
        return None, "needs two members scoring the same criterion"
    level: Literal["interval", "nominal"] = "interval" if numeric else "nominal"
    value = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    return round(value, 2), f"{level}, over {data.shape[0]} members"


def reveal(criteria: list[dict[str, str]], scale_key: str, reviews: list[Review]) -> Reveal:
    scale = SCALES[scale_key]
    order = list(member_values(scale_key))
    by_member = [{s.criterion: s for s in review.scores} for review in reviews]
    spreads: list[CriterionSpread] = []
    for criterion in criteria:
        given = [m[criterion["key"]] for m in by_member if criterion["key"] in m]
        values = [score.value for score in given]
        spreads.append(
            CriterionSpread(
                key=criterion["key"],
                label=criterion["label"],
                group=criterion.get("group", ""),
                counts={value: values.count(value) for value in order},
                scored=len(values),
                agreement=percentage_agreement(values),
                comments=[score.comment for score in given if score.comment],
            )
        )
    matrix = [
        [
            float(order.index(m[c["key"]].value))
            if c["key"] in m and m[c["key"]].value in order
            else np.nan
            for c in criteria
        ]
        for m in by_member
    ]
    value, note = alpha(matrix, scale.numeric) if criteria else (None, "no criteria")
    spreads.sort(key=lambda s: (s.agreement is None, s.agreement if s.agreement is not None else 0))
    return Reveal(spreads, value, note, len(reviews))
