"""Benchmark: the researcher workspace on a large consultation.

On a fresh SQLite data directory (`python -m consult migrate` and `load-demo`, which adds the
demo's ~620 generated responses), inserts N more submitted responses to the demo consultation
(the demo generator, `surveys.demo_responses.generate`, with another seed; bulk insert through
`surveys.store.bulk`), starts the app with `python -m consult serve` (one worker), signs a
researcher in over HTTP (password, then TOTP set-up) and times, over real HTTP:

* ``question``: a rating grid's results (one table, stacked bars, net scores), no filters;
* ``question+filters``: the same with a respondent type and an answer filter;
* ``breakdown``: a grid row (police) by age band: counts, row %, nets, chi-square, chart.

The first request of each page is reported separately (``cold``); on a consultation this
large the pages' counts are worked out by a background job (the app's in-process worker), so
the cold page shows the job's progress, and ``ready`` is how long until reloading the page
shows the result (the first job also builds the responses' DataFrame). Then ``--requests``
warm requests per page, whose p50 and p95 are reported, with the server process's CPU time per
warm request (from /proc). Rounds (``--runs``) repeat the warm timings; the median of the
rounds' p50 is the figure. Worker memory is the server process's resident set (VmRSS) after the
run and its peak (VmHWM), from /proc.

``--root`` serves the app from another checkout (say an export of ``main``) with this script and
this environment, to compare code before and after a change in the same go.

Usage: .venv/bin/python bench/workspace.py [--responses 100000] [--runs 3] [--requests 20]
       [--root PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"
EMAIL, PASSWORD = "bench-researcher@example.org", "a long benchmark passphrase 2026"
PAGES = {
    "question": "/questions/service_satisfaction",
    "question+filters": "/questions/service_satisfaction?respondent_type=victim_survivor"
    "&answer=sex%3Dfemale",
    "breakdown": "/breakdowns?rating=service_satisfaction.police&group=age_band",
}


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
    env.update(CONSULT_DATA_DIR=str(data_dir), CONSULT_SECRET_KEY=SECRET, PYTHONUNBUFFERED="1")
    return env


def consult(env: dict[str, str], *args: str, root: Path = ROOT) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "consult", *args], cwd=root, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"consult {args[0]} failed:\n{done.stdout}\n{done.stderr}")


def add_responses(database: Path, count: int, seed: int) -> str:
    from sqlalchemy import create_engine, select

    from consult.consultations.models import Consultation
    from consult.db import import_models
    from surveys.definition import survey_from_dict
    from surveys.demo_responses import generate
    from surveys.models import Survey as SurveyRow
    from surveys.models import SurveyVersion
    from surveys.store.bulk import insert_responses

    import_models()
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        consultation_id = conn.scalar(
            select(Consultation.id).where(Consultation.slug == "community-survey")
        )
        version = conn.execute(
            select(SurveyVersion.id, SurveyVersion.definition)
            .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
            .where(SurveyRow.consultation_id == consultation_id)
        ).one()
        survey = survey_from_dict(version.definition)
        insert_responses(conn, consultation_id, version.id, generate(survey, count, seed))
    engine.dispose()
    return str(consultation_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def csrf_post(client: httpx.Client, url: str, data: dict[str, str]) -> httpx.Response:
    return client.post(url, data={"_csrf_token": client.cookies.get("csrf", ""), **data})


def sign_in(client: httpx.Client) -> None:
    client.get("/staff/login")
    page = csrf_post(client, "/staff/login", {"email": EMAIL, "password": PASSWORD})
    found = re.search(r'class="consult-secret">([^<]+)<', page.text)
    if not found:
        raise SystemExit("no two-factor set-up page after sign-in")
    code = pyotp.TOTP("".join(found.group(1).split())).now()
    done = csrf_post(client, "/staff/two-factor/setup", {"code": code})
    if "Sign out" not in done.text:
        raise SystemExit("sign-in failed")


def timed(client: httpx.Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}\n{response.text[:500]}")
    return elapsed


def until_ready(client: httpx.Client, url: str, limit_s: float = 600) -> float:
    """Seconds until the page shows its result rather than a background job's progress."""
    start = time.perf_counter()
    while 'id="job-progress"' in client.get(url).text:
        if time.perf_counter() - start > limit_s:
            raise SystemExit(f"{url}: still being worked out after {limit_s:.0f} s")
        time.sleep(0.5)
    return time.perf_counter() - start


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    values = {}
    for name in ("VmRSS", "VmHWM"):
        found = re.search(rf"{name}:\s+(\d+) kB", status)
        values[name] = int(found.group(1)) / 1024 if found else float("nan")
    return values


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-workspace-"))
    env = env_for(data_dir)
    root = Path(args.root).resolve() if args.root else ROOT
    consult(env, "migrate", root=root)
    consult(env, "load-demo", root=root)
    consult(
        env, "create-user", "--email", EMAIL, "--role", "researcher", "--password", PASSWORD,
        root=root,
    )  # fmt: skip
    started = time.perf_counter()
    consultation_id = add_responses(data_dir / "consult.sqlite3", args.responses, args.seed)
    insert_s = time.perf_counter() - started
    port = free_port()
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "consult", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=600, follow_redirects=True) as client:
            sign_in(client)
            prefix = f"/staff/consultations/{consultation_id}/analysis"
            cold, ready = {}, {}
            for name, path in PAGES.items():
                cold[name] = timed(client, prefix + path)
                ready[name] = until_ready(client, prefix + path)
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in PAGES}
            loads = [os.getloadavg()[0]]
            for _ in range(args.runs):
                for name, path in PAGES.items():
                    before = cpu_seconds(server.pid)
                    times = sorted(timed(client, prefix + path) for _ in range(args.requests))
                    rounds[name].append(
                        {
                            "p50": statistics.median(times),
                            "p95": times[max(0, round(0.95 * len(times)) - 1)],
                            "cpu": (cpu_seconds(server.pid) - before) * 1000 / args.requests,
                        }
                    )
                loads.append(os.getloadavg()[0])
        mem = memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    total = args.responses + 620
    return {
        "responses": total,
        "insert_seconds": round(insert_s, 1),
        "cold_ms": {name: round(ms) for name, ms in cold.items()},
        "ready_s": {name: round(s, 1) for name, s in ready.items()},
        "server_cpu_ms_per_request": {
            name: round(statistics.median(r["cpu"] for r in found), 1)
            for name, found in rounds.items()
        },
        "load_average_1min": [round(x, 2) for x in loads],
        "warm_p50_ms": {
            name: round(statistics.median(r["p50"] for r in found), 1)
            for name, found in rounds.items()
        },
        "warm_p95_ms": {
            name: round(statistics.median(r["p95"] for r in found), 1)
            for name, found in rounds.items()
        },
        "rounds_p50_ms": {
            name: [round(r["p50"], 1) for r in found] for name, found in rounds.items()
        },
        "worker_rss_mb": round(mem["VmRSS"]),
        "worker_peak_rss_mb": round(mem["VmHWM"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", default="", help="serve the app from this checkout")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{result['responses']:,} responses (inserted in {result['insert_seconds']} s)")
    for name in PAGES:
        print(
            f"{name:18} cold {result['cold_ms'][name]:>7} ms (ready in "
            f"{result['ready_s'][name]} s)  warm p50 {result['warm_p50_ms'][name]:>7} ms  "
            f"p95 {result['warm_p95_ms'][name]:>7} ms  server CPU "
            f"{result['server_cpu_ms_per_request'][name]} ms/request  "
            f"(rounds: {result['rounds_p50_ms'][name]})"
        )
    print(f"load average (1 min) during the rounds: {result['load_average_1min']}")
    print(f"worker RSS {result['worker_rss_mb']} MB, peak {result['worker_peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
