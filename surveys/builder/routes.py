"""The survey builder's routes, added to ``surveys.ROUTES``."""

from typing import Any

from surveys.builder.controllers import SurveyBuilderController
from surveys.builder.preview import SurveyPreviewController
from surveys.builder.releases import SurveyVersionController

ROUTES: list[Any] = [SurveyBuilderController, SurveyVersionController, SurveyPreviewController]
