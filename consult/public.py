"""Public routes of the core: the home page and the quick-exit clearing route."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation, Status
from consult.outages import outage_kind
from consult.sessions import SESSION_OPTIONAL


@get("/", name="home")
async def home(db_session: AsyncSession) -> Template:
    rows = await db_session.execute(
        select(Consultation)
        .where(Consultation.status == Status.OPEN.value)
        .order_by(Consultation.public_title)
    )
    return Template("consult/home.html", context={"consultations": list(rows.scalars())})


@get("/exit", name="exit", include_in_schema=False, opt={SESSION_OPTIONAL: True})
async def quick_exit(
    request: Request[Any, Any, Any], db_session: AsyncSession, c: str | None = None
) -> Redirect:
    """End the session and send the browser somewhere ordinary.

    The destination comes from the consultation's settings, never from the query string, so this
    route cannot be used as an open redirect. Leaving works during an outage too: the default
    destination stands in for the consultation's, and the cookie is cleared regardless.
    """
    settings = request.app.state["settings"]
    destination = settings.default_exit_url
    if c:
        try:
            consultation = await db_session.scalar(
                select(Consultation).where(Consultation.slug == c)
            )
        except Exception as error:
            if outage_kind(error) is None:
                raise
            consultation = None
        if consultation is not None and consultation.exit_url:
            destination = consultation.exit_url
    request.clear_session()
    return Redirect(
        path=destination,
        status_code=303,
        headers={"Clear-Site-Data": '"cookies", "storage", "cache"', "Cache-Control": "no-store"},
    )
