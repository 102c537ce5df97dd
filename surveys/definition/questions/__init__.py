"""Question types: one small class per answer type, registered in :mod:`.registry`.

Each class parses posted form fields, validates, renders (template name + context), summarises
for "check your answers" and exports its answer. See :mod:`.base` for the shared interface and
the form field naming convention.
"""

from surveys.definition.questions.base import Option, QuestionType, Rendering
from surveys.definition.questions.exporting import ExportColumn
from surveys.definition.questions.registry import QUESTION_TYPES

__all__ = ["QUESTION_TYPES", "ExportColumn", "Option", "QuestionType", "Rendering"]
