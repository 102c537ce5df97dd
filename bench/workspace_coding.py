"""Benchmark: the coding workspace at scale. Coding every answer to one free-text question as a
background job, and the next item of the coding queue, on N submitted responses.

On a fresh SQLite data directory (`python -m consult migrate`, `load-demo`), inserts N submitted
responses answering the demo survey's "prevention" question with text built from phrase banks
(seeded). Then, in the same go:

- `read` (baseline): reading the N answers into the table the job codes (`answer_table`);
- `job`: the coding job end to end, as a worker runs it (`JobRunner.run` on a queued job row):
  read, rules from the starting codebook, a model learned from 200 answers coded by a person,
  suggestions written back; wall time and the process's peak RSS;
- `next item`: over real HTTP against `python -m consult serve`, a signed-in researcher's
  GET of the queue (the redirect to the next answer) plus the answer page, median of 50
  (baseline: GET of a static file from the same server).

Each of `read` and `job` runs in a fresh child process (its own peak RSS, CPU seconds and the
load average when it ended), interleaved per round; medians over --runs rounds. With
`--baseline-root DIR` (a worktree of an older commit) the job also runs with that code on the
same database, alternating with this code in every round, for a before/after ratio.
`--data-dir DIR` keeps the seeded database there (seeded once, reused by later runs).

The 200 answers coded by a person carry the themes the starting codebook's rules find in them
(every fifth with one theme dropped, as a person correcting a suggestion would), so the job
learns a real model, not one of all-empty codings.

Usage: .venv/bin/python bench/workspace_coding.py [--responses 100000] [--runs 3] [--json]
       [--baseline-root /work/wt/base-coding] [--data-dir DIR] [--skip-queue]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"
TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "a long benchmark passphrase"
KEY = "prevention"
OPENERS = ["I think", "Honestly", "For me", "We need", "Please", "It would help if", ""]
NEEDS = [
    "the police believed victims and called back",
    "there were more refuge spaces and safe housing",
    "schools taught consent and healthy relationships",
    "streets had better lighting and patrols at night",
    "counselling waiting lists were shorter",
    "GPs were trained to spot coercive control",
    "courts dealt with cases faster",
    "employers gave paid leave to people leaving abuse",
    "services were open in the evenings and at weekends",
    "there was support for children who see abuse at home",
]
TAILS = [
    "",
    "because nobody listened to me",
    "as soon as possible",
    "in every town",
    "for everyone",
]


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
    env.update(CONSULT_DATA_DIR=str(data_dir), CONSULT_SECRET_KEY=SECRET, PYTHONUNBUFFERED="1")
    return env


def text(rng: random.Random) -> str:
    return " ".join(p for p in (rng.choice(OPENERS), rng.choice(NEEDS), rng.choice(TAILS)) if p)


def person_themes(texts: list[str]) -> list[list[str]]:
    """What a person coded: the starting codebook's rule themes, one dropped in every fifth."""
    from analysis.rules import code_with_rules
    from research.coding.codebooks import starting_codebook

    codes = code_with_rules(texts, starting_codebook()).codes
    out = []
    for i in range(len(texts)):
        themes = [t for t in codes.columns if codes[t].iat[i] == 1]
        out.append(themes[:-1] if i % 5 == 4 and themes else themes)
    return out


async def seed(n: int) -> None:
    from sqlalchemy import insert, select

    from consult.accounts.service import UserService
    from consult.consultations.models import Consultation
    from consult.db import build_alchemy_config
    from consult.settings import get_settings
    from research.coding.models import Decision
    from surveys.models import Response
    from surveys.store.versions import current_version

    rng = random.Random(1)
    config = build_alchemy_config(get_settings())
    async with config.get_session() as db:
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        version = await db.run_sync(lambda s: current_version(s.connection(), consultation.id))
        assert version is not None
        user = await UserService(session=db).create_user(
            email="bench@example.org", name="Bench", role="researcher", password=PASSWORD
        )
        user.totp_secret, user.totp_enabled = TOTP, True
        start = datetime.now(UTC) - timedelta(days=60)
        kinds = ["victim_survivor", "on_behalf", "professional", "public"]
        ids, texts = [], []
        for base in range(0, n, 5000):
            rows = []
            for i in range(base, min(n, base + 5000)):
                rid = uuid.uuid4()
                ids.append(rid)
                texts.append(text(rng))
                rows.append(
                    {
                        "id": rid,
                        "consultation_id": consultation.id,
                        "version_id": version.id,
                        "respondent_type": kinds[i % 4],
                        "answers": {KEY: texts[-1]},
                        "submitted_at": start + timedelta(seconds=i),
                        "withdrawal_code_hash": hashlib.sha256(rid.bytes).hexdigest(),
                        "created_at": start,
                        "updated_at": start,
                    }
                )
            await db.execute(insert(Response), rows)
        # 200 answers coded by a person, so the job learns a model too.
        for rid, themes in zip(ids[:200], person_themes(texts[:200]), strict=True):
            db.add(
                Decision(
                    consultation_id=consultation.id,
                    question_key=KEY,
                    response_id=rid,
                    coder_id=user.id,
                    themes=themes,
                    suggested=themes,
                    kind="accepted" if themes else "none",
                )
            )
        await db.commit()
    await config.get_engine().dispose()


async def measure(mode: str) -> dict[str, Any]:
    from sqlalchemy import select

    import consult.jobs.runner
    from app import job_runner
    from consult.consultations.models import Consultation
    from consult.db import build_alchemy_config
    from consult.settings import get_settings
    from research.coding.suggestions import JOB_KIND
    from research.coding.texts import answer_table, text_question

    # The baseline's heartbeat fails the job when its own long write holds SQLite's lock;
    # with one job and no other worker, the heartbeat has nothing to do here: off for both.
    consult.jobs.runner.HEARTBEAT_SECONDS = 3600.0
    settings = get_settings()
    config = build_alchemy_config(settings)
    runner = job_runner(settings, config)
    start = time.perf_counter()
    steps: dict[str, float] = {}
    async with config.get_session() as db:
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        if mode == "read":
            question = await text_question(db, consultation, KEY)
            frame = await db.run_sync(
                lambda s: answer_table(s.connection(), consultation.id, question)
            )
            rows = len(frame)
        else:
            job = runner.enqueue(
                db, JOB_KIND, consultation_id=consultation.id, params={"question_key": KEY}
            )
            await db.commit()
            job_id = job.id
    if mode == "job":
        start = time.perf_counter()
        assert await runner.run(job_id)
        async with config.get_session() as db:
            from consult.jobs import Job

            done = await db.get(Job, job_id)
            assert done is not None and done.status == "done", done.message if done else "no job"
            rows = int(done.result["answers"])
            steps = done.result.get("seconds", {})
    wall = time.perf_counter() - start
    await config.get_engine().dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "mode": mode,
        "seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "load_1min": os.getloadavg()[0],
        "rows": rows,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "steps": steps,
    }


def child(mode: str, env: dict[str, str], root: Path = ROOT) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--root", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def queue_timings(env: dict[str, str], samples: int = 50) -> dict[str, float]:
    import httpx
    import pyotp
    from bs4 import BeautifulSoup

    port = 8600 + random.randint(0, 300)
    server = subprocess.Popen(
        [sys.executable, "-m", "consult", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, follow_redirects=True) as client:

            def form_post(url: str, data: dict[str, str]) -> httpx.Response:
                page = client.get(url)
                token = BeautifulSoup(page.text, "html.parser").find(
                    "input", attrs={"name": "_csrf_token"}
                )
                return client.post(url, data={"_csrf_token": str(token["value"]), **data})

            form_post("/staff/login", {"email": "bench@example.org", "password": PASSWORD})
            form_post("/staff/two-factor", {"code": pyotp.TOTP(TOTP).now()})
            page = client.get("/staff/consultations")
            link = next(
                str(a["href"])
                for a in BeautifulSoup(page.text, "html.parser").select("main a")
                if re.fullmatch(r"/staff/consultations/[0-9a-f-]{36}", str(a["href"]))
            )
            queue = f"{link}/analysis/coding/{KEY}/queue"
            client.get(queue)  # warm
            item, static = [], []
            for _ in range(samples):
                t = time.perf_counter()
                response = client.get(queue)
                item.append(time.perf_counter() - t)
                assert response.status_code == 200 and "Save and next" in response.text, (
                    response.text[:500]
                )
                t = time.perf_counter()
                client.get("/static/js/coding-keys.js")
                static.append(time.perf_counter() - t)
        return {
            "next_item_ms": statistics.median(item) * 1000,
            "static_ms": statistics.median(static) * 1000,
        }
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["read", "job"])
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--baseline-root", type=Path, help="worktree of the code before")
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the seeded database here")
    parser.add_argument("--skip-queue", action="store_true")
    args = parser.parse_args()
    if args.child:
        # The code under test: this worktree's, or the baseline's (same database, same venv).
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
        sys.path.insert(0, str(args.root.resolve()))
        print(json.dumps(asyncio.run(measure(args.child))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.data_dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        env = env_for(folder)
        fresh = not (folder / "consult.sqlite3").exists()
        if fresh:
            for command in (["migrate"], ["load-demo"]):
                subprocess.run(
                    [sys.executable, "-m", "consult", *command],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                )
        os.environ.update(env)
        if fresh:
            asyncio.run(seed(args.responses))
        if args.runs == 0:
            print(f"seeded {folder}")
            return
        roots = {"job": ROOT}
        if args.baseline_root:
            roots["job_before"] = args.baseline_root.resolve()
        results: dict[str, list[dict[str, Any]]] = {"read": [], **{m: [] for m in roots}}
        for round_ in range(args.runs):
            results["read"].append(child("read", env))
            # Alternate which goes first, so neither always meets the other's leftovers.
            order = list(roots) if round_ % 2 == 0 else list(reversed(roots))
            for name in order:
                results[name].append(child("job", env, roots[name]))
        if args.baseline_root and not args.skip_queue and order[-1] != "job":
            child("job", env)  # the queue is timed on this code's suggestions (its ranks)
        queue = {} if args.skip_queue else queue_timings(env)
    summary: dict[str, Any] = {"responses": args.responses, "runs": args.runs}
    for m, rs in results.items():
        for field in ("seconds", "cpu_seconds", "peak_rss_mb", "load_1min"):
            summary[f"{m}_{field}"] = statistics.median(r[field] for r in rs)
        summary[f"{m}_all_seconds"] = [round(r["seconds"], 1) for r in rs]
        summary[f"{m}_steps"] = [r.get("steps", {}) for r in rs]
    summary.update(queue)
    summary["job_over_read"] = summary["job_seconds"] / summary["read_seconds"]
    if "job_before_seconds" in summary:
        summary["job_over_before"] = summary["job_seconds"] / summary["job_before_seconds"]
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for key, value in summary.items():
        print(f"{key:>26}: {value:,.2f}" if isinstance(value, float) else f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
