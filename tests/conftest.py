"""Shared fixtures: a real, migrated database (SQLite, and PostgreSQL when reachable) and the
app driven over HTTP.

PostgreSQL tests skip with a reason when no server answers on 127.0.0.1:5432, unless
CONSULT_REQUIRE_SERVICES=1 (set by CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyotp
import pytest

os.environ.setdefault(
    "CONSULT_SECRET_KEY", "test-secret-key-that-is-long-enough-for-tests-0123456789"
)
os.environ.setdefault("CONSULT_DATA_DIR", "/tmp/consult-tests-default")

from litestar.testing import AsyncTestClient
from sqlalchemy import create_engine, text

from consult import migrate
from consult.settings import Settings, load_settings

PG_HOST, PG_PORT = "127.0.0.1", 5432
REQUIRE_SERVICES = os.environ.get("CONSULT_REQUIRE_SERVICES") == "1"


def service_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CONSULT_REQUIRE_SERVICES=1: CI must run this)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test so each starts clean and fast."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    settings = replace(
        load_settings(),
        data_dir=folder,
        database_url=f"sqlite+aiosqlite:///{folder / 'db.sqlite3'}",
    )
    migrate.upgrade(settings)
    return folder / "db.sqlite3"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once; dropped at the end."""
    if not service_reachable(PG_HOST, PG_PORT):
        skip_or_fail(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}")
    name = f"consult_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/postgres", isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        skip_or_fail(f"cannot create a PostgreSQL test database: {exc}")
    url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    migrate.upgrade(replace(load_settings(), database_url=url))
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url.replace("+asyncpg", "+psycopg"))
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a clean, migrated database of each kind."""
    base = replace(load_settings(), data_dir=tmp_path, require_two_factor=True)
    if request.param == "sqlite":
        db_file = tmp_path / "db.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), db_file)
        return replace(base, database_url=f"sqlite+aiosqlite:///{db_file}")
    url = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return replace(base, database_url=url)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    from app import create_app

    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@asynccontextmanager
async def db_session(settings: Settings) -> AsyncIterator[Any]:
    """A database session of the test's own, on an unpooled engine: the app's pooled engine
    belongs to the test client's event loop and must not be shared."""
    from consult.db import build_alchemy_config, build_engine

    engine = build_engine(settings, for_migrations=True)
    config = build_alchemy_config(settings, engine)
    try:
        async with config.get_session() as session:
            yield session
    finally:
        await engine.dispose()


def csrf_token(client: AsyncTestClient[Any]) -> str:
    return str(client.cookies.get("csrf", ""))


async def post_form(
    client: AsyncTestClient[Any], url: str, data: dict[str, Any], **kwargs: Any
) -> Any:
    """POST a form the way a browser does: with the CSRF token from the cookie set on any GET."""
    if not csrf_token(client):
        await client.get("/staff/login")
    return await client.post(url, data={"_csrf_token": csrf_token(client), **data}, **kwargs)


async def create_user(
    client: AsyncTestClient[Any],
    role: str,
    email: str | None = None,
    password: str = "correct horse battery staple",
) -> dict[str, str]:
    """Create an account directly through the service layer, with TOTP enrolled."""
    from consult.accounts.service import UserService

    email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    secret = pyotp.random_base32()
    async with db_session(client.app.state["settings"]) as db:
        user = await UserService(session=db).create_user(
            email=email, name=role, role=role, password=password
        )
        user.totp_secret = secret
        user.totp_enabled = True
        await db.commit()
    return {"email": email, "password": password, "secret": secret}


async def sign_in(client: AsyncTestClient[Any], account: dict[str, str]) -> None:
    """Sign in with password and a current TOTP code, submitting the forms the pages render."""
    from tests.forms import submit, submit_page

    response = await submit(
        client,
        "/staff/login",
        "Sign in",
        {"email": account["email"], "password": account["password"]},
    )
    assert response.status_code == 200, response.text
    response = await submit_page(
        client, response, "Continue", {"code": pyotp.TOTP(account["secret"]).now()}
    )
    assert response.status_code == 200 and "Sign out" in response.text, response.text


@pytest.fixture
async def staff(client: AsyncTestClient[Any]) -> Any:
    """A factory: `await staff("researcher")` returns a client signed in with that role."""

    async def make(role: str) -> dict[str, str]:
        account = await create_user(client, role)
        await sign_in(client, account)
        return account

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, where async tests could no longer start theirs."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _forget_alchemy_config_keys() -> Iterator[None]:
    """advanced-alchemy gives each config in a process a unique key by recursing past every
    key taken before; the suite makes a fresh app per test, so after ~900 tests that recursion
    overflows. Each test's configs are gone when it ends, so their keys can be reused."""
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig

    yield
    for registry in (
        "_SESSION_SCOPE_KEY_REGISTRY",
        "_ENGINE_APP_STATE_KEY_REGISTRY",
        "_SESSIONMAKER_APP_STATE_KEY_REGISTRY",
    ):
        getattr(SQLAlchemyAsyncConfig, registry).clear()
