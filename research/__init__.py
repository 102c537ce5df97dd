"""The researcher workspace: results, breakdowns, word clouds, coding and themes of a
consultation's responses in the web app, built on the `analysis` package and the survey data.

Dependencies point one way: `consult` <- `surveys` <- `research`; `research` imports `analysis`,
and `analysis` never imports the web app.
"""

from typing import Any

from research.results_routes import ResultsController

ROUTES: list[Any] = [ResultsController]
