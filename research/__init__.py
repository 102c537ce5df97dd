"""The researcher workspace: results, breakdowns, word clouds, coding and themes of a
consultation's responses in the web app, built on the `analysis` package and the survey data.

Dependencies point one way: `consult` <- `surveys` <- `research`; `research` imports `analysis`,
and `analysis` never imports the web app.
"""

from typing import Any

from research.breakdown_routes import BreakdownController
from research.cloud_routes import CloudController
from research.results_routes import ResultsController
from research.settings_routes import SettingsController

ROUTES: list[Any] = [ResultsController, BreakdownController, CloudController, SettingsController]
