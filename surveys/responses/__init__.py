"""Staff response management: list, filter, open, erase, export, import."""

from typing import Any

from surveys.imports.controller import ImportController
from surveys.responses.controller import ResponsesController

ROUTES: list[Any] = [ResponsesController, ImportController]
