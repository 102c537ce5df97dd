"""The one registry of question types: definition ``type`` name -> class."""

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
