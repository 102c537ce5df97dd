"""Role guards: one table decides, and every staff route obeys it."""

from __future__ import annotations

import pytest

from consult.permissions import ROLE_PERMISSIONS, Permission, Role, role_can

# (path, permission it needs)
STAFF_PAGES = [
    ("/staff", Permission.USE_STAFF_AREA),
    ("/staff/consultations", Permission.VIEW_CONSULTATIONS),
    ("/staff/consultations/new", Permission.MANAGE_CONSULTATIONS),
    ("/staff/users", Permission.MANAGE_USERS),
    ("/staff/users/new", Permission.MANAGE_USERS),
    ("/staff/audit", Permission.VIEW_AUDIT_LOG),
    ("/staff/account/password", Permission.USE_STAFF_AREA),
]


def test_administrators_hold_every_permission() -> None:
    assert ROLE_PERMISSIONS[Role.ADMINISTRATOR] == frozenset(Permission)


def test_panel_members_cannot_see_consultations_or_responses() -> None:
    assert not role_can(Role.PANEL_MEMBER, Permission.VIEW_CONSULTATIONS)
    assert not role_can(Role.PANEL_MEMBER, Permission.VIEW_RESPONSES)
    assert role_can(Role.PANEL_MEMBER, Permission.REVIEW_CASES)


def test_an_unknown_role_can_do_nothing() -> None:
    assert not role_can("superuser", Permission.USE_STAFF_AREA)


@pytest.mark.parametrize("path", [p for p, _ in STAFF_PAGES])
async def test_signed_out_visitors_are_sent_to_sign_in(client, path) -> None:
    response = await client.get(path, follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].endswith("/staff/login")


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_reaches_exactly_the_pages_its_permissions_allow(
    client, staff, role
) -> None:
    await staff(role.value)
    for path, permission in STAFF_PAGES:
        response = await client.get(path, follow_redirects=False)
        expected = 200 if role_can(role, permission) else 403
        assert response.status_code == expected, (role, path, response.status_code)


async def test_forbidden_page_explains_without_detail(client, staff) -> None:
    await staff("panel_member")
    response = await client.get("/staff/users")
    assert response.status_code == 403
    assert "You cannot do that" in response.text
    assert "Traceback" not in response.text


async def test_guarded_posts_are_refused_for_the_wrong_role_even_hand_built(client, staff) -> None:
    # A researcher is never shown the form, so only a hand-built post can try.
    from tests.conftest import post_form

    await staff("researcher")
    response = await post_form(
        client,
        "/staff/users/new",
        {
            "email": "x@example.org",
            "name": "X",
            "role": "administrator",
            "password": "long enough passphrase",
        },
    )
    assert response.status_code == 403
