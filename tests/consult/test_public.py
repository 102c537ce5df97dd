"""Public core routes: the quick-exit clearing route and error pages."""

from __future__ import annotations

from tests.conftest import db_session


async def test_exit_ends_the_session_and_clears_site_data(client, staff) -> None:
    await staff("researcher")
    response = await client.get("/exit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.co.uk/weather"
    assert response.headers["clear-site-data"] == '"cookies", "storage", "cache"'
    assert "Sign out" not in (await client.get("/staff/consultations")).text


async def test_exit_goes_to_the_consultations_own_destination_never_a_query_string_one(
    client, settings
) -> None:
    from consult.demo import load

    async with db_session(settings) as db:
        consultation = await load(db)
        consultation.exit_url = "https://www.example.org/weather"
        await db.commit()
    response = await client.get(
        "/exit?c=community-survey&to=https://evil.example", follow_redirects=False
    )
    assert response.headers["location"] == "https://www.example.org/weather"
    unknown = await client.get("/exit?c=no-such-thing", follow_redirects=False)
    assert unknown.headers["location"] == "https://www.bbc.co.uk/weather"


async def test_unknown_page_is_a_clear_404(client) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text


async def test_api_clients_get_json_errors(client) -> None:
    response = await client.get("/api/nothing-here", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["status_code"] == 404
