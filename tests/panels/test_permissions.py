"""Panel pages obey the one permission table: each role reaches exactly what it allows."""

from __future__ import annotations

import pytest

from consult.permissions import Permission, Role, role_can

PANEL_PAGES = [
    ("/staff/panels", Permission.MANAGE_PANELS),
    ("/staff/panels/new", Permission.MANAGE_PANELS),
    ("/staff/reviews", Permission.REVIEW_CASES),
    ("/staff/recommendations", Permission.RESPOND_TO_RECOMMENDATIONS),
]


def test_the_force_liaison_only_answers_recommendations() -> None:
    assert role_can(Role.FORCE_LIAISON, Permission.RESPOND_TO_RECOMMENDATIONS)
    assert not role_can(Role.FORCE_LIAISON, Permission.REVIEW_CASES)
    assert not role_can(Role.FORCE_LIAISON, Permission.MANAGE_PANELS)
    assert role_can(Role.PANEL_COORDINATOR, Permission.RESPOND_TO_RECOMMENDATIONS)
    assert not role_can(Role.PANEL_MEMBER, Permission.RESPOND_TO_RECOMMENDATIONS)


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_reaches_exactly_the_panel_pages_it_may(client, staff, role) -> None:
    await staff(role.value)
    for path, permission in PANEL_PAGES:
        response = await client.get(path, follow_redirects=False)
        expected = 200 if role_can(role, permission) else 403
        assert response.status_code == expected, (role, path, response.status_code)


@pytest.mark.parametrize("path", [p for p, _ in PANEL_PAGES])
async def test_signed_out_visitors_are_sent_to_sign_in(client, path) -> None:
    response = await client.get(path, follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].endswith("/staff/login")
