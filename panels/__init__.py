"""Scrutiny panels: members, vetting, case packs, reviews, recommendations and force responses.

Nothing is built here yet; the package exposes its (empty) routes so the app wiring is final.
"""

from typing import Any

ROUTES: list[Any] = []
