"""What a question's answers become outside the survey: export columns and what each holds
(the data dictionary's kind and SPSS's measure), and how the research workspace tabulates a type.
Each question type picks from these; nothing outside the type decides them by its name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveys.definition.questions.base import Option

# What an export column holds (the data dictionary's "kind"); each type says it per column.
SYSTEM, CODE, LABEL, SCORE, FLAG, TEXT, NUMBER, MONTH = (
    "system", "code", "label", "score", "flag", "text", "number", "month",
)  # fmt: skip
# SPSS's measurement level for a column of each kind (a label column is dropped from SPSS).
MEASURES = {
    CODE: "nominal", SCORE: "ordinal", FLAG: "nominal", TEXT: "nominal", NUMBER: "scale",
    MONTH: "nominal", LABEL: "nominal",
}  # fmt: skip


@dataclass(frozen=True)
class ExportColumn:
    """One column of a question's export, and what it holds: the question type decides."""

    name: str
    label: str
    kind: str = TEXT
    # Option codes in the cells: SPSS stores them as numbers 1..n with these as value labels.
    options: tuple[Option, ...] | None = None
    # 0/1 (or 1/blank for consent) flags: SPSS labels 1 with this text.
    flag_label: str | None = None
    # A rating's score column: score -> the level's label (SPSS value labels, the dictionary).
    scores: tuple[tuple[int, str], ...] | None = None

    @property
    def measure(self) -> str | None:
        """SPSS's measurement level: nominal, ordinal or scale."""
        return MEASURES.get(self.kind)


# How the research workspace tabulates a type's answers (``QuestionType.tabulation``; ``None``:
# not tabulated, as free text is read rather than counted). Each asks for members of the type:
ONE_OF = "one_of"  # one of ``all_options`` (counts and percentages; filters)
ANY_OF = "any_of"  # any of ``all_options``, exported as 0/1 flags per option
RATING = "rating"  # one level of ``scale`` (best first) or an answer outside it
RATING_GRID = "rating_grid"  # a rating per row of ``rows``, exported per row
NUMERIC = "numeric"  # a number (mean, median, range)
