"""The reveal's figures: spread, percentage agreement per criterion, Krippendorff's alpha."""

from __future__ import annotations

import math

from panels.models import Review, Score
from panels.reveal import alpha, percentage_agreement, reveal

CRITERIA = [
    {"key": "c1", "label": "Initial response", "group": ""},
    {"key": "c2", "label": "Risk assessment", "group": "Safeguarding"},
]


def review(**scores: str) -> Review:
    made = Review()
    made.scores = [Score(criterion=k, value=v, comment=f"on {k}") for k, v in scores.items()]
    return made


def test_percentage_agreement_is_the_share_of_agreeing_pairs() -> None:
    assert percentage_agreement(["green", "green", "red"]) == 33.3
    assert percentage_agreement(["green", "green"]) == 100.0
    assert percentage_agreement(["green"]) is None


def test_alpha_is_undefined_when_everyone_gives_the_same_value() -> None:
    value, note = alpha([[0.0, 1.0], [0.0, 1.0]], numeric=False)
    assert value == 1.0  # two members, identical on both criteria
    value, note = alpha([[0.0, 0.0], [0.0, 0.0]], numeric=False)
    assert value is None and "same value" in note
    value, note = alpha([[0.0, 1.0]], numeric=False)
    assert value is None and "two members" in note


def test_reveal_lists_disagreements_first_with_the_spread_and_comments() -> None:
    reviews = [
        review(c1="appropriate", c2="inappropriate"),
        review(c1="appropriate", c2="appropriate"),
        review(c1="appropriate", c2="appropriate_observations"),
    ]
    result = reveal(CRITERIA, "four_outcomes", reviews)
    first, second = result.criteria
    assert first.key == "c2" and first.agreement == 0.0 and first.disagreed
    assert first.counts == {
        "appropriate": 1, "appropriate_observations": 1, "inappropriate": 1
    }  # fmt: skip
    assert second.key == "c1" and second.agreement == 100.0 and not second.disagreed
    assert second.comments == ["on c1"] * 3
    assert result.reviewers == 3 and result.alpha is not None and result.alpha < 0.5


def test_a_nine_point_scale_is_compared_as_numbers() -> None:
    close = reveal(CRITERIA, "score9", [review(c1="7", c2="3"), review(c1="8", c2="2")])
    far = reveal(CRITERIA, "score9", [review(c1="9", c2="1"), review(c1="1", c2="9")])
    assert close.alpha is not None and far.alpha is not None
    assert close.alpha > far.alpha
    assert "interval" in close.alpha_note and not math.isnan(close.alpha)
