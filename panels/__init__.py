"""Scrutiny panels: members, vetting, case packs, independent reviews, consensus,
recommendations and the force's responses."""

from typing import Any

from panels.controllers.cases import CaseController
from panels.controllers.chair import ChairController
from panels.controllers.coordinator import PanelController
from panels.controllers.force import ForceController
from panels.controllers.meetings import MeetingController
from panels.controllers.member import MemberController
from panels.controllers.publishing import PublicController, PublishingController

ROUTES: list[Any] = [
    PanelController,
    MeetingController,
    CaseController,
    PublishingController,
    MemberController,
    ChairController,
    ForceController,
    PublicController,
]
