"""Real-browser fixtures: the app served by `python -m consult serve` in a subprocess on a fresh
SQLite data directory with the demo loaded, and Debian's chromium driven by Playwright.

Browser tests skip with a reason when /usr/bin/chromium is missing, unless
CONSULT_REQUIRE_SERVICES=1 (set by CI), where a missing browser is a failure. Playwright's own
browser download is never used.

Every page gets a request guard: the quick exit's external destination is answered by a tiny
local page, and any other request to a host that is not this machine fails the test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXIT_DESTINATION = "https://www.bbc.co.uk/weather"
EXIT_PAGE_TITLE = "Weather stand-in"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DEMO_SLUG = "community-survey"
REQUIRE_SERVICES = os.environ.get("CONSULT_REQUIRE_SERVICES") == "1"
SERVER_START_SECONDS = 240
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CONSULT_REQUIRE_SERVICES=1: CI must run this)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
    env.update(
        CONSULT_DATA_DIR=str(data_dir),
        CONSULT_SECRET_KEY="browser-test-secret-key-that-is-long-enough-0123456789",
        CONSULT_EXIT_URL=EXIT_DESTINATION,
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def serving(
    data_dir: Path, commands: list[list[str]], seed: list[str] | None = None
) -> Iterator[tuple[str, str]]:
    """Run ``python -m consult`` set-up commands, then the seeding hook if any (``python``
    with these arguments, e.g. ``["-c", script, *args]``, in the app's environment), then serve
    the app. Yields (base URL, the last line the seeding hook printed, or "")."""
    env = _server_env(data_dir)
    steps = [["-m", "consult", *command] for command in commands] + ([seed] if seed else [])
    printed = ""
    for step in steps:
        done = subprocess.run(
            [sys.executable, *step],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{step[:2]} failed:\n{done.stdout}\n{done.stderr}"
        printed = (done.stdout.strip().splitlines() or [""])[-1]
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "consult", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: on a shared, loaded 2-core machine the app's imports alone take a minute.
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"server exited early:\n{(data_dir / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer /healthz in {SERVER_START_SECONDS} s")
            time.sleep(0.2)
        yield base, printed
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _serve(data_dir: Path, commands: list[list[str]]) -> Iterator[str]:
    with serving(data_dir, commands) as (base, _):
        yield base


@contextmanager
def demo_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, seed: list[str]
) -> Iterator[tuple[str, str]]:
    """A server of its own for one test module: the demo loaded, then the module's seeding hook
    (``python`` arguments, see :func:`serving`); yields (base URL, the hook's last line)."""
    with serving(tmp_path_factory.mktemp(name), [["migrate"], ["load-demo"]], seed) as served:
        yield served


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real app, migrated and with the demo loaded, served over real HTTP."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    yield from _serve(data_dir, [["migrate"], ["load-demo"]])


OFFICER = {"email": "officer@example.org", "password": "a long officer passphrase 2027"}


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on an empty database: no consultation, no survey, one staff account (a
    researcher) that has not set up two-factor authentication yet."""
    data_dir = tmp_path_factory.mktemp("browser-empty")
    create = ["create-user", "--email", OFFICER["email"], "--name", "Consultation officer",
              "--role", "researcher", "--password", OFFICER["password"]]  # fmt: skip
    yield from _serve(data_dir, [["migrate"], create])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        skip_or_fail(
            "Debian's chromium is not installed at /usr/bin/chromium "
            "(apt-get install chromium); browser tests need it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@dataclass
class RequestGuard:
    """Records every request a browser context makes; only this machine and the quick exit's
    destination are allowed."""

    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def record(self, url: str) -> None:
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about", "chrome-error"}:
            return
        if parts.hostname in LOCAL_HOSTS:
            return
        if url.split("?")[0].rstrip("/") == EXIT_DESTINATION:
            return
        self.foreign.append(url)


EXIT_STAND_IN = (
    f"<!DOCTYPE html><html lang='en'><head><title>{EXIT_PAGE_TITLE}</title></head>"
    "<body><h1>Weather</h1><p>Sunny spells.</p></body></html>"
)


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """A factory for pages, each in a fresh context (its own cookies) with the request guard.

    At the end, any request that left this machine (other than the exit destination) fails.
    """
    yield from _pages(browser, live_server)


def _pages(browser: Any, server: str) -> Iterator[Callable[..., Any]]:
    contexts: list[tuple[Any, RequestGuard]] = []

    def make(**context_options: Any) -> Any:
        guard = RequestGuard()
        context = browser.new_context(base_url=server, **context_options)
        context.on("request", lambda request: guard.record(request.url))

        def block_foreign(route: Any) -> None:
            host = urlsplit(route.request.url).hostname
            if host in LOCAL_HOSTS:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", block_foreign)
        context.route(
            "https://www.bbc.co.uk/**",
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=EXIT_STAND_IN
            ),
        )
        contexts.append((context, guard))
        page = context.new_page()
        page.guard = guard
        return page

    yield make
    foreign = [url for _, guard in contexts for url in guard.foreign]
    for context, _ in contexts:
        context.close()
    assert not foreign, "requests left this machine from respondent pages:\n" + "\n".join(foreign)


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Any) -> None:
    """Run axe-core on the page as it is and fail with a readable list of any violations."""
    if not AXE_JS.exists():
        skip_or_fail("node_modules/axe-core is missing: run `make` (npm ci) first")
    # The app's Content-Security-Policy (script-src 'self') blocks an injected <script>; the
    # axe context is opened with bypass_csp, so inject the file the ordinary way.
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = result["violations"]
    assert not violations, (
        f"axe-core found {len(violations)} violation(s) on {page.url}:\n"
        + format_violations(violations)
        + "\n"
        + json.dumps([v["id"] for v in violations])
    )


@pytest.fixture
def officer_pages(browser: Any, empty_server: str) -> Iterator[Callable[..., Any]]:
    """Pages on the empty-database server (see :func:`new_page`)."""
    yield from _pages(browser, empty_server)
