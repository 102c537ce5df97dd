"""The survey builder's routes, added to ``surveys.ROUTES``."""

from typing import Any

from surveys.builder.controllers import SectionController, SurveyBuilderController
from surveys.builder.pages import PageController
from surveys.builder.preview import SurveyPreviewController
from surveys.builder.questions import NewQuestionController, QuestionController
from surveys.builder.releases import SurveyVersionController

ROUTES: list[Any] = [
    SurveyBuilderController,
    SectionController,
    PageController,
    NewQuestionController,
    QuestionController,
    SurveyVersionController,
    SurveyPreviewController,
]
