"""The preset rating scales a definition can name (``scale: satisfaction``), best first."""

from __future__ import annotations

from surveys.definition.questions.base import Option


def _scale(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in pairs)


SCALES: dict[str, tuple[Option, ...]] = {
    "satisfaction": _scale(
        ("very_satisfied", "Very satisfied"),
        ("satisfied", "Satisfied"),
        ("neither", "Neither satisfied nor dissatisfied"),
        ("dissatisfied", "Dissatisfied"),
        ("very_dissatisfied", "Very dissatisfied"),
    ),
    "quality": _scale(
        ("very_good", "Very good"),
        ("good", "Good"),
        ("ok", "OK"),
        ("poor", "Poor"),
        ("very_poor", "Very poor"),
    ),
    "agreement": _scale(
        ("strongly_agree", "Strongly agree"),
        ("agree", "Agree"),
        ("neither", "Neither agree nor disagree"),
        ("disagree", "Disagree"),
        ("strongly_disagree", "Strongly disagree"),
    ),
    "safety": _scale(
        ("very_safe", "Very safe"),
        ("fairly_safe", "Fairly safe"),
        ("neither", "Neither safe nor unsafe"),
        ("fairly_unsafe", "Fairly unsafe"),
        ("very_unsafe", "Very unsafe"),
    ),
}
