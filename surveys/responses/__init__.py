"""Staff response management: list, filter, open, erase, export, import."""

from typing import Any

from surveys.responses.controller import ResponsesController

ROUTES: list[Any] = [ResponsesController]
