"""The researcher workspace: results, breakdowns, word clouds, coding and themes of a
consultation's responses in the web app, built on the `analysis` package and the survey data.

Dependencies point one way: `consult` <- `surveys` <- `research`; `research` imports `analysis`,
and `analysis` never imports the web app.
"""

from typing import Any

from consult.jobs import JobHandler
from research.breakdown_routes import BreakdownController
from research.cloud_routes import CloudController
from research.coding import JOB_HANDLERS as _CODING_JOBS
from research.coding import ROUTES as _CODING_ROUTES
from research.coding import vector_job_handlers as vector_job_handlers
from research.computed import ResultJobs
from research.frames import ResponseFrames
from research.job_routes import ResultJobPages
from research.kinds import COMPUTERS, compute
from research.report import ROUTES as _REPORT_ROUTES
from research.report.public import published_pages
from research.results_routes import ResultsController
from research.settings_routes import SettingsController

ROUTES: list[Any] = [
    ResultsController,
    BreakdownController,
    CloudController,
    SettingsController,
    ResultJobPages,
    *_CODING_ROUTES,
    *_REPORT_ROUTES,
]
# Background work this package runs (`consult.jobs`): kind -> handler.
JOB_HANDLERS: dict[str, JobHandler] = {**_CODING_JOBS}


def result_job_handlers(frames: ResponseFrames) -> dict[str, JobHandler]:
    """The handler of stored workspace results; it shares the app's frame cache (or, in
    `python -m consult worker`, the worker's own)."""
    return ResultJobs(frames, compute, COMPUTERS).handlers()


# Public pages the home page links to: async (db) -> [(title, href)].
HOME_LINKS = (published_pages,)
