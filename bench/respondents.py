"""Benchmark: many simulated respondents answering the demo survey over real HTTP.

Starts the app as in production (`python -m consult serve --workers N`, uvicorn) on a fresh
SQLite data directory with the demo loaded (or on PostgreSQL with --database-url, which must
point at an empty database), then drives N concurrent respondents through the demo survey:
start -> safety -> consent -> every question page of the "lived experience" route with
answers -> check answers -> submit. Every form is posted the way a browser posts it, with the
CSRF token from the `csrf` cookie and the server-side session.

The journey is discovered once by a walker (httpx) that reads the pages' HTML forms, so the
script follows whatever pages and field names the survey renders. The load itself is `wrk`
(Debian package `wrk`, which embeds LuaJIT; httpx would cost the client ~1 ms of CPU per
request on the server's own cores): bench/respondents.lua with the journey prepended, one wrk
thread and one connection per concurrent respondent, each thread answering journeys back to
back with a fresh cookie jar (free text carries the respondent's id, choices come from a few
answer sets per page picked by respondent). Threads start journeys for --duration seconds, and
only requests answered in that window are measured; the journeys under way then finish, so
every response the server stores belongs to a confirmed journey. Latency is timed in Lua.

Reported: page saves per second (the POSTs that store answers), their p50/p95/p99 latency,
and, in the same run and from the same server, the throughput of a static file
(/static/css/consult.css, plain wrk) as the ceiling, with the ratio of the two, and the CPU
seconds of the server and of wrk. At the end the database is read back: the number of
responses must equal the journeys that reached the confirmation page, and every stored answer
must equal what that respondent posted (each respondent is matched to its response through the
withdrawal code shown on the confirmation page). Exits 1 if anything was lost or wrong, or if
any request got an unexpected answer.

Usage: .venv/bin/python bench/respondents.py [--respondents 64] [--concurrency 64]
       [--workers 2] [--duration 20] [--static-duration 5] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
import postgres_load  # bench/, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SLUG = "community-survey"
START_TIMEOUT = 180
RESPONDENT_TYPE = ("q-respondent_type", "victim_survivor")
WITHDRAWAL_CODE = re.compile(r"\b[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}\b")
# Buttons a respondent who carries on does not press.
AVOID_BUTTONS = ("skip", "break", "stop", "delete", "save and come back", "sign out", "exit")
# Choices that exclude others or need extra text; a respondent here picks ordinary ones.
AVOID_VALUES = {"prefer_not_to_say", "other", "none", "dont_know", "__other__", "__none__"}
AVOID_VALUE_HINTS = ("prefer", "other", "dont_know", "not_applicable")


# --- HTML forms --------------------------------------------------------------------------------
@dataclass
class FormSpec:
    action: str
    method: str
    texts: list[tuple[str, str]] = field(default_factory=list)  # (name, "input"|"textarea")
    hidden: list[tuple[str, str]] = field(default_factory=list)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)


class PageParser(HTMLParser):
    """Just enough of a browser: forms with their fields and buttons, and button-like links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FormSpec] = []
        self.links: list[tuple[str, str]] = []  # (href, class)
        self._form: FormSpec | None = None
        self._button: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = FormSpec(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "a" and a.get("href"):
            self.links.append((a["href"], a.get("class", "")))
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "hidden" and name:
                self._form.hidden.append((name, a.get("value", "")))
            elif kind == "radio" and name:
                self._form.radios.setdefault(name, []).append(a.get("value", "on"))
            elif kind == "checkbox" and name:
                self._form.checkboxes.setdefault(name, []).append(a.get("value", "on"))
            elif kind == "submit":
                self._form.buttons.append((name, a.get("value", ""), a.get("value", "")))
            elif kind in {"text", "number", "search", "email", "tel"} and name:
                self._form.texts.append((name, "input"))
        elif tag == "textarea" and name:
            self._form.texts.append((name, "textarea"))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._button = [name, a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._form is not None:
            name, value, text = self._button
            self._form.buttons.append((name, value, " ".join(text.split())))
            self._button = None
        elif tag == "form":
            self._form = None


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def continue_button(form: FormSpec) -> tuple[str, str] | None:
    """The (name, value) a browser posts for the button that carries on, if it has a name."""
    for name, value, text in form.buttons:
        if not any(word in text.lower() for word in AVOID_BUTTONS):
            return (name, value) if name else None
    return None


def ordinary(values: list[str]) -> list[str]:
    kept = [
        v for v in values if v not in AVOID_VALUES and not any(h in v for h in AVOID_VALUE_HINTS)
    ]
    return kept or values


# --- the journey -------------------------------------------------------------------------------
@dataclass
class Step:
    method: str
    path: str
    form: FormSpec | None = None
    expect: str = ""  # where a POST must redirect to


def as_form(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """httpx posts repeated names from a dict of lists."""
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def fill(form: FormSpec, rid: str, rng: random.Random) -> list[tuple[str, str]]:
    """The fields one respondent posts for this form."""
    data: list[tuple[str, str]] = [(n, v) for n, v in form.hidden if n != "_csrf_token"]
    for name, values in form.radios.items():
        if name == RESPONDENT_TYPE[0]:
            data.append(RESPONDENT_TYPE)
        else:
            data.append((name, rng.choice(ordinary(values))))
    for name, values in form.checkboxes.items():
        if len(values) == 1:
            data.append((name, values[0]))  # consent, or a lone "yes"
        else:
            for value in rng.sample(ordinary(values), k=min(2, len(ordinary(values)))):
                data.append((name, value))
    for name, kind in form.texts:
        if name.endswith("-other"):
            continue
        if kind == "textarea":
            data.append((name, f"Respondent {rid} thinks more lighting and outreach would help."))
        elif re.search(r"-[123]$", name):
            data.append((name, f"w{rid}x{name[-1]}"))
        else:
            data.append((name, f"answer {rid}"))
    button = continue_button(form)
    if button:
        data.append(button)
    return data


def journey_form(page: PageParser, slug: str, url: str) -> FormSpec | None:
    for form in page.forms:
        action = urlsplit(urljoin(url, form.action or url)).path
        if form.method == "post" and action.startswith(f"/c/{slug}"):
            form.action = action
            return form
    return None


def journey_link(page: PageParser, slug: str, url: str) -> str | None:
    for href, cls in page.links:
        path = urlsplit(urljoin(url, href)).path
        if "govuk-button" in cls and path.startswith(f"/c/{slug}/") and path != url:
            return path
    return None


def one_cookie_at_most(response: httpx.Response) -> None:
    """wrk shows Lua one header per name, so the journey may set at most one cookie a response."""
    cookies = response.headers.get_list("set-cookie")
    if len(cookies) > 1:
        names = ", ".join(c.split("=", 1)[0] for c in cookies)
        raise SystemExit(
            f"discovery: {response.request.method} {response.request.url.path} sets several "
            f"cookies ({names}); the wrk script can only follow one per response"
        )


async def discover(base: str, slug: str) -> tuple[list[Step], str, dict[str, list[str]]]:
    """Walk the survey once, as a respondent who carries on at every page: the steps, and this
    walk's own withdrawal code and posted fields (it is a response too)."""
    steps: list[Step] = []
    posted: dict[str, list[str]] = {}
    rng = random.Random(0)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        url = f"/c/{slug}"
        for _ in range(100):
            r = await client.get(url)
            if r.status_code != 200:
                raise SystemExit(f"discovery: GET {url} answered {r.status_code}:\n{r.text[:500]}")
            one_cookie_at_most(r)
            steps.append(Step("GET", url))
            if url.rstrip("/").endswith("/done"):
                match = WITHDRAWAL_CODE.search(r.text)
                if not match:
                    raise SystemExit("discovery: no withdrawal code on the confirmation page")
                return steps, match.group(0), posted
            page = parse_page(r.text)
            form = journey_form(page, slug, url)
            if form is None:
                link = journey_link(page, slug, url)
                if link is None:
                    raise SystemExit(f"discovery: no way on from {url}")
                url = link
                continue
            answers = fill(form, "walker", rng)
            for name, value in answers:
                posted.setdefault(name, []).append(value)
            data = [("_csrf_token", client.cookies.get("csrf", "")), *answers]
            r = await client.post(form.action, data=as_form(data))
            if r.status_code not in (302, 303):
                raise SystemExit(
                    f"discovery: POST {form.action} answered {r.status_code}:\n{r.text[:800]}"
                )
            one_cookie_at_most(r)
            nxt = urlsplit(r.headers["location"]).path
            steps.append(Step("POST", form.action, form, nxt))
            url = nxt
    raise SystemExit("discovery: the journey did not reach /done in 100 pages")


# --- the load: wrk runs the journeys -----------------------------------------------------------
LUA_TEMPLATE = Path(__file__).with_name("respondents.lua")
VARIANTS = 5  # answer sets per page; respondents.lua picks one per (thread, journey, step)
RID = "RIDxPLACEHOLDER"  # url-encodes to itself; where the respondent id goes in a body
GRACE_S = 60  # beyond --duration, for the journeys under way to finish


def lua_escape(match: re.Match[str]) -> str:
    return "".join(f"\\{b:03d}" for b in match.group().encode())


def to_lua(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):  # all but printable ASCII as decimal byte escapes
        return '"' + re.sub(r'[^ -~]|["\\]', lua_escape, value) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{to_lua(k)}] = {to_lua(v)}" for k, v in value.items()) + "}"
    return "{" + ", ".join(to_lua(v) for v in value) + "}"


def answer_variants(steps: list[Step]) -> dict[int, list[list[tuple[str, str]]]]:
    """Per POST step (index into steps): VARIANTS answer sets, with RID for the respondent id."""
    return {
        k: [fill(step.form, RID, random.Random(f"{k}/{v}")) for v in range(VARIANTS)]
        for k, step in enumerate(steps)
        if step.form is not None
    }


def lua_steps(steps: list[Step], variants: dict[int, list[list[tuple[str, str]]]]) -> list[Any]:
    out: list[Any] = []
    for k, step in enumerate(steps):
        lua: dict[str, Any] = {"method": step.method, "path": step.path}
        if k in variants:
            lua["expect"] = step.expect
            bodies = [(f"&{urlencode(pairs)}" if pairs else "") for pairs in variants[k]]
            lua["variants"] = [body.split(RID) for body in bodies]
        out.append(lua)
    return out


def posted_by(
    variants: dict[int, list[list[tuple[str, str]]]], tid: int, journey: int
) -> dict[str, list[str]]:
    """What journey `journey` of wrk thread `tid` posted: respondents.lua's choice, mirrored."""
    rid = f"{tid}r{journey}"
    posted: dict[str, list[str]] = {}
    for k, sets in variants.items():
        for name, value in sets[(tid * 7 + journey * 3 + k + 1) % len(sets)]:
            posted.setdefault(name, []).append(value.replace(RID, rid))
    return posted


def run_wrk(
    tmp: Path, name: str, config: dict[str, Any], url: str, threads: int, seconds: float
) -> tuple[list[str], float, float]:
    """wrk with respondents.lua: its result lines, its CPU seconds, its wall time. Once the
    threads have all stopped themselves, wrk is told to finish (SIGINT) instead of waiting."""
    out, script, log_path = tmp / f"{name}.out", tmp / f"{name}.lua", tmp / f"{name}.log"
    lua = f"local CONFIG = {to_lua({**config, 'out': str(out)})}\n"
    script.write_text(lua + LUA_TEMPLATE.read_text())
    cmd = ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{math.ceil(seconds)}s"]
    cmd += ["--timeout", "10s", "-s", str(script), url]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with log_path.open("w") as log:
        wrk = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        tasks = Path(f"/proc/{wrk.pid}/task")
        while wrk.poll() is None:
            time.sleep(0.1)
            # Before config["duration"] the threads may not even exist yet, and an early
            # SIGINT would kill wrk before it installs its handler.
            if "duration" in config and time.monotonic() - t0 > config["duration"]:
                with contextlib.suppress(OSError):
                    if len(list(tasks.iterdir())) == 1:  # only wrk's main thread is left
                        wrk.send_signal(signal.SIGINT)
                        wrk.wait()
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if wrk.returncode != 0 or not out.exists():
        raise SystemExit(f"wrk failed (exit {wrk.returncode}):\n{log_path.read_text()[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return out.read_text().splitlines(), cpu, wall


@dataclass
class Result:
    save_latencies: list[float] = field(default_factory=list)  # within --duration
    get_latencies: list[float] = field(default_factory=list)
    journeys: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # code -> form
    failures: list[str] = field(default_factory=list)
    started: int = 0
    failed: int = 0
    tail_requests: int = 0  # answered after --duration, finishing the journeys under way
    wall: float = 0.0
    cpu: float = 0.0


def run_journeys(
    tmp: Path, base: str, steps: list[Step], concurrency: int, duration: float
) -> Result:
    """Each wrk thread is one respondent at a time and starts journeys for `duration` s;
    the journeys under way then finish (a journey cut between its submit and the confirmation
    page would leave a stored response nobody can account for)."""
    variants = answer_variants(steps)
    config = {"steps": lua_steps(steps, variants), "duration": duration}
    lines, cpu, wall = run_wrk(tmp, "journeys", config, f"{base}/", concurrency, duration + GRACE_S)
    result = Result(wall=wall, cpu=cpu)
    busy = 0
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "save":
            result.save_latencies.append(float(rest))
        elif kind == "view":
            result.get_latencies.append(float(rest))
        elif kind == "code":
            code, tid, journey = rest.split()
            if not WITHDRAWAL_CODE.fullmatch(code) or code in result.journeys:
                result.failures.append(f"respondent {tid}r{journey}: bad withdrawal code {code}")
            result.journeys[code] = posted_by(variants, int(tid), int(journey))
        elif kind == "fail":
            result.failures.append(rest)
        elif kind == "thread":
            _, started, failures, tail_saves, tail_views, idle = map(int, rest.split())
            result.started += started
            result.failed += failures
            result.tail_requests += tail_saves + tail_views
            busy += not idle
        elif kind == "socket" and any(int(n) for n in rest.split()[:3]):
            result.failures.append("wrk socket errors (connect read write timeout): " + rest)
    if result.failed:
        result.failures.insert(
            0, f"{result.failed} journeys failed; the first few of each wrk thread:"
        )
    if busy:
        result.failures.append(f"{busy} respondents still mid-journey at wrk's hard stop")
    return result


def static_baseline(tmp: Path, base: str, concurrency: int, duration: float) -> dict[str, float]:
    lines, cpu, _ = run_wrk(
        tmp, "static", {"static": True}, f"{base}/static/css/consult.css", concurrency, duration
    )
    requests, micros, p99, errors = map(float, lines[0].split()[1:])
    return {
        "rps": requests / (micros / 1e6),
        "p99_ms": p99 / 1000,
        "cpu": cpu,
        "n": requests,
        "errors": errors,
    }


# --- the server --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_python(app_dir: Path) -> str:
    """The interpreter of the checkout under test: its own .venv, else this one."""
    own = app_dir / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def consult(env: dict[str, str], *args: str, app_dir: Path = ROOT) -> None:
    done = subprocess.run(
        [app_python(app_dir), "-m", "consult", *args],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"consult {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def start_server(
    env: dict[str, str], workers: int, log: Any, app_dir: Path = ROOT
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    serve = ("serve", "--port", str(port), "--workers", str(workers))
    server = subprocess.Popen(
        [app_python(app_dir), "-m", "consult", *serve],
        cwd=app_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so its workers can be stopped too
    )
    base = f"http://127.0.0.1:{port}"
    # Start-up takes 20-40 s when the machine is shared (imports of the analysis packages).
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited while starting")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not answer /healthz within {START_TIMEOUT} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process(server.pid).children(recursive=True)]


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    try:
        import psutil
    except ImportError:
        return float("nan")
    proc = psutil.Process(server.pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


# --- checking the database ---------------------------------------------------------------------
def hash_code(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()


def check_database(database_url: str, result: Result) -> tuple[list[str], int]:
    """Every journey that reached the confirmation page is stored, exactly as posted."""
    from sqlalchemy import create_engine, text

    from surveys.definition import survey_from_dict

    sync_url = database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    engine = create_engine(sync_url)
    problems: list[str] = []
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.answers, r.withdrawal_code_hash, v.definition FROM survey_response r "
                "JOIN survey_version v ON v.id = r.version_id "
                "JOIN consultation c ON c.id = r.consultation_id WHERE c.slug = :slug"
            ),
            {"slug": SLUG},
        ).all()
    engine.dispose()
    if len(rows) != len(result.journeys):
        problems.append(
            f"{len(rows)} responses stored, {len(result.journeys)} respondents submitted"
        )
    by_hash = {
        row[1]: (
            json.loads(row[0]) if isinstance(row[0], str) else row[0],
            json.loads(row[2]) if isinstance(row[2], str) else row[2],
        )
        for row in rows
    }
    surveys: dict[str, Any] = {}
    compared = 0
    for code, posted in result.journeys.items():
        stored = by_hash.get(hash_code(code))
        if stored is None:
            problems.append(f"response with withdrawal code {code} is missing")
            continue
        answers, definition = stored
        key = json.dumps(definition, sort_keys=True)
        survey = surveys.get(key) or surveys.setdefault(key, survey_from_dict(definition))
        for ref in survey.page_refs():
            for question in survey.page(ref).questions:
                if not any(name in posted for name in question.field_names()):
                    continue
                expected, errors = question.parse(posted)
                compared += 1
                if errors:
                    problems.append(f"{code}: {question.key} posted with errors {errors}")
                elif answers.get(question.key) != expected:
                    problems.append(
                        f"{code}: {question.key} stored {answers.get(question.key)!r}, "
                        f"posted {expected!r}"
                    )
    return problems, compared


# --- report ------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def clear_demo_responses(database_url: str) -> None:
    """`load-demo` adds generated responses for the researcher workspace; this benchmark
    counts only the responses it makes itself, so it starts without them."""
    from sqlalchemy import create_engine, text

    sync_url = database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    engine = create_engine(sync_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM survey_response"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--respondents", type=int, default=64, help="respondents answering at once")
    ap.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="journeys in flight, one wrk thread each (default: --respondents)",
    )
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uvicorn workers")
    ap.add_argument("--duration", type=float, default=20, help="seconds of journeys measured")
    ap.add_argument("--static-duration", type=float, default=5, help="static baseline seconds")
    ap.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="sqlite: a temporary file; postgresql: a fresh database on --postgres-server",
    )
    ap.add_argument("--postgres-server", default=postgres_load.DEFAULT_SERVER)
    ap.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    ap.add_argument(
        "--app-dir",
        default=str(ROOT),
        help="the checkout whose app is served (its .venv), e.g. an older commit's worktree",
    )
    ap.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="CONSULT_NAME=VALUE",
        help="a setting for the server, e.g. CONSULT_DIRECT_EXECUTOR=thread (repeatable)",
    )
    ap.add_argument(
        "--trace-round-trips",
        action="store_true",
        help="count the workers' writes to PostgreSQL with strace (slows the run down)",
    )
    ap.add_argument("--server-log", default="", help="write the server's output here")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)
    concurrency = min(args.concurrency or args.respondents, args.respondents)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed; install it with: apt-get install wrk")

    with contextlib.ExitStack() as stack:
        database_url = args.database_url
        if args.database == "postgresql" and not database_url:
            database_url = stack.enter_context(postgres_load.fresh_database(args.postgres_server))
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="consult-bench-"))
        figures, problems, compared, submitted = run(args, concurrency, tmp, database_url)
    return report(args, figures, problems, compared, submitted)


def run(
    args: argparse.Namespace, concurrency: int, tmp: str, database_url: str
) -> tuple[dict[str, Any], list[str], int, int]:
    """One benchmark run on a prepared database; the figures, problems and answers compared."""
    app_dir = Path(args.app_dir).resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
    database_url = database_url or f"sqlite+aiosqlite:///{tmp}/consult.sqlite3"
    if database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+asyncpg://" + database_url.split("://", 1)[1]
    env.update(
        CONSULT_DATA_DIR=tmp,
        CONSULT_DATABASE_URL=database_url,
        CONSULT_SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789abcdef",
        CONSULT_ENV="production",
    )
    for setting in args.setting:
        name, _, value = setting.partition("=")
        if not name.startswith("CONSULT_"):
            raise SystemExit(f"--setting takes CONSULT_NAME=VALUE, not {setting!r}")
        env[name] = value
    consult(env, "migrate", app_dir=app_dir)
    consult(env, "load-demo", "--if-empty", app_dir=app_dir)
    clear_demo_responses(database_url)
    log = open(args.server_log or os.devnull, "w")  # noqa: SIM115 - closed below
    server, base = start_server(env, args.workers, log, app_dir)
    on_postgres = "postgresql" in database_url
    postgres: dict[str, Any] = {}
    try:
        steps, walker_code, walker_posted = asyncio.run(discover(base, SLUG))
        saves_per_journey = sum(1 for s in steps if s.method == "POST")
        print(
            f"journey: {len(steps)} requests, {saves_per_journey} page saves: "
            + " ".join(f"{s.method[0]}:{s.path.rsplit('/', 1)[-1]}" for s in steps)
        )
        trace = None
        if args.trace_round_trips:
            trace = postgres_load.RoundTripTrace(Path(tmp), worker_pids(server))
            trace.start()
        usage0 = postgres_load.sample_usage(database_url) if on_postgres else None
        cpu0 = server_cpu_seconds(server)
        result = run_journeys(Path(tmp), base, steps, concurrency, args.duration)
        cpu1 = server_cpu_seconds(server)
        if usage0 is not None:
            usage1 = postgres_load.sample_usage(database_url)
            cpu, transactions = postgres_load.backend_usage(usage0, usage1)
            postgres.update(postgres_cpu_s=round(cpu, 1), postgres_transactions=transactions)
        if trace is not None:
            postgres["postgres_round_trips"] = trace.stop()
        static = static_baseline(Path(tmp), base, concurrency, args.static_duration)
    finally:
        stop_server(server)
        log.close()
    result.journeys[walker_code] = walker_posted
    db_problems, compared = check_database(database_url, result)
    problems = result.failures + db_problems
    if static["errors"]:
        problems.append(f"static file baseline: {static['errors']:.0f} failed requests")

    saves, views, elapsed = len(result.save_latencies), len(result.get_latencies), args.duration
    requests = saves + views + result.tail_requests
    figures = {
        "respondents": args.respondents,
        "concurrency": concurrency,
        "workers": args.workers,
        "database": "postgresql" if "postgresql" in database_url else "sqlite",
        "load_generator": "wrk",
        "journeys_started": result.started,
        "journeys_submitted": len(result.journeys),
        "journeys_failed": result.failed,
        "page_saves": saves,
        "elapsed_s": round(elapsed, 2),
        "tail_s": round(result.wall - elapsed, 2),
        "wall_s": round(result.wall, 2),
        "saves_per_s": round(saves / elapsed, 1),
        "save_p50_ms": round(pct(result.save_latencies, 0.50), 1),
        "save_p95_ms": round(pct(result.save_latencies, 0.95), 1),
        "save_p99_ms": round(pct(result.save_latencies, 0.99), 1),
        "page_views_per_s": round(views / elapsed, 1),
        "get_p50_ms": round(pct(result.get_latencies, 0.50), 1),
        "all_requests_per_s": round((saves + views) / elapsed, 1),
        "static_requests_per_s": round(static["rps"], 1),
        "static_p99_ms": round(static["p99_ms"], 1),
        "saves_to_static_ratio": round(saves / elapsed / static["rps"], 3),
        "server_cpu_s": round(cpu1 - cpu0, 1),
        "client_cpu_s": round(result.cpu, 2),
        "client_cpu_us_per_request": round(result.cpu / max(requests, 1) * 1e6, 1),
        "static_client_cpu_us_per_request": round(static["cpu"] / max(static["n"], 1) * 1e6, 1),
        "problems": len(problems),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "app_dir": str(app_dir),
        "settings": args.setting,
        **postgres,
    }
    # These counters run over the whole wrk run, journeys' finishing tail included: share them
    # out per journey request, and give a page save its journey's requests (43 per 20 saves).
    per_save = len(steps) / max(saves_per_journey, 1) / max(requests, 1)
    for name in ("postgres_cpu_s", "postgres_transactions", "postgres_round_trips"):
        if name in postgres:
            key = name.removesuffix("_s") + "_per_save"
            figures[key] = round(postgres[name] * per_save, 5 if "cpu" in name else 2)
    if "postgres_cpu_s" in postgres:
        figures["server_cpu_ms_per_save"] = round(figures["server_cpu_s"] * per_save * 1000, 3)
    return figures, problems, compared, len(result.journeys)


def report(
    args: argparse.Namespace,
    figures: dict[str, Any],
    problems: list[str],
    compared: int,
    submitted: int,
) -> int:
    saves, elapsed = figures["page_saves"], args.duration
    print(
        f"{figures['journeys_submitted']} journeys submitted, {saves} page saves in "
        f"{elapsed:.1f} s ({args.workers} workers, {figures['concurrency']} concurrent, "
        f"{figures['database']}; then {figures['tail_s']} s finishing the journeys under way)\n"
        f"page saves/s: {figures['saves_per_s']}   latency p50 {figures['save_p50_ms']} ms, "
        f"p95 {figures['save_p95_ms']} ms, p99 {figures['save_p99_ms']} ms\n"
        f"page views/s: {figures['page_views_per_s']} (p50 {figures['get_p50_ms']} ms); "
        f"all journey requests/s: {figures['all_requests_per_s']}\n"
        f"static file baseline: {figures['static_requests_per_s']} req/s "
        f"(p99 {figures['static_p99_ms']} ms); saves/s : static req/s = "
        f"{figures['saves_to_static_ratio']}\n"
        f"CPU during journeys: server {figures['server_cpu_s']} s, load generator (wrk) "
        f"{figures['client_cpu_s']} s = {figures['client_cpu_us_per_request']} us per request "
        f"(static: {figures['static_client_cpu_us_per_request']} us), over {figures['wall_s']:.1f} s "
        f"wall on {os.cpu_count()} cores, load average {figures['load_average_1m']}"
    )
    if "postgres_cpu_s" in figures:
        print(
            f"PostgreSQL backends of this database: {figures['postgres_cpu_s']} CPU s "
            f"({figures['postgres_cpu_per_save'] * 1000:.3f} ms per page save; the app "
            f"{figures['server_cpu_ms_per_save']} ms), {figures['postgres_transactions']} "
            f"transactions ({figures['postgres_transactions_per_save']} per page save)"
            + (
                f", {figures['postgres_round_trips']} round trips "
                f"({figures['postgres_round_trips_per_save']} per page save)"
                if "postgres_round_trips" in figures
                else ""
            )
        )
    if args.json:
        print(json.dumps(figures))
    if problems:
        print(f"FAILED: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems[:30]:
            print("  " + p, file=sys.stderr)
        return 1
    print(
        f"database check: {submitted} responses, {compared} answers compared: "
        "every submitted response stored exactly as posted"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
