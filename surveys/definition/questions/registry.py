"""The one registry of question types: definition ``type`` name -> class.

Everything that differs by type asks the class (see docs/adding-a-question-type.md), so adding a
type is adding a class here (and its templates). :func:`register` and :func:`unregister` exist
for a type defined outside this package (a test's throwaway type); the registry is fixed
configuration read at run time, not state.
"""

from __future__ import annotations

from surveys.definition.questions.base import QuestionType
from surveys.definition.questions.choice import MultipleChoice, SingleChoice
from surveys.definition.questions.consent import Consent
from surveys.definition.questions.month_year import MonthYear
from surveys.definition.questions.number import Number
from surveys.definition.questions.rating import Rating, RatingGrid
from surveys.definition.questions.text import LongText, ShortText, ThreeWords

QUESTION_TYPES: dict[str, type[QuestionType]] = {
    cls.type_name: cls
    for cls in (
        SingleChoice,
        MultipleChoice,
        Rating,
        RatingGrid,
        ShortText,
        LongText,
        ThreeWords,
        Number,
        MonthYear,
        Consent,
    )
}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Add a question type; its ``type_name`` must be new."""
    if cls.type_name in QUESTION_TYPES:
        raise ValueError(f"a question type named {cls.type_name!r} is already registered")
    QUESTION_TYPES[cls.type_name] = cls
    return cls


def unregister(type_name: str) -> None:
    QUESTION_TYPES.pop(type_name, None)
