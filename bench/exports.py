"""Benchmark: response exports (CSV, XLSX, SPSS) of a large consultation, time and peak memory.

On a fresh SQLite data directory (`python -m consult migrate` and `load-demo`), inserts N
submitted responses to the demo consultation's published survey version (SQLAlchemy core
`insert`, batches of 5,000). Every response is built the way the journey builds it: each
question's form fields are filled at random (seeded) and read back through the question type's
own `parse`, then `prune_answers` keeps only the answers still on that respondent's route, so
every stored value is one the app itself would store.

Each measurement runs in a fresh child process, so its peak RSS (`ru_maxrss` of the child) is
that job's own. A child calls the library as the staff export route does: `layout_for`,
`count_responses`, then `read_rows` into `zip_chunks` (the CSV zipped with its data dictionary,
written to a temporary file, as the route streams it), `write_xlsx` or `write_sav`, with the
route's default header ("names"). Baselines in
the same go: `read` iterates `read_rows` without writing (the cost of reading), `imports` only
imports the modules an export child imports (the interpreter + imports RSS floor), and
`imports+pandas` adds pandas and pyreadstat (the floor for SPSS, which imports them). Each child
reports the export's wall time (after imports), its peak RSS, the output size and the rows
written, which must equal N (the CSV is also read back and counted, the .sav's row count read
from its header); otherwise the script exits 1. Runs are interleaved (one of each per round) and
medians reported, with ratios: export time / read-only time, and export peak RSS minus floor.

Usage: .venv/bin/python bench/exports.py [--responses 100000] [--runs 3] [--seed 1] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SLUG = "community-survey"
INSERT_BATCH = 5_000
HEADER = "names"  # the export route's default
HEADER_ROWS = 1
FORMATS = ("csv", "xlsx", "sav")
MODES = ("imports", "imports+pandas", "read", *FORMATS)
SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"

WORDS = [
    "support",
    "police",
    "believed",
    "waited",
    "months",
    "help",
    "finally",
    "listened",
    "children",
    "home",
    "safe",
    "afraid",
    "court",
    "refuge",
    "housing",
    "counsellor",
    "advocate",
    "friend",
    "family",
    "work",
    "money",
    "phone",
    "messages",
    "control",
    "night",
    "street",
    "bus",
    "town",
    "station",
    "doctor",
    "nurse",
    "school",
    "teacher",
    "worker",
    "service",
    "form",
    "calls",
    "appointment",
    "language",
    "interpreter",
    "community",
    "faith",
    "leader",
    "neighbour",
    "angry",
    "tired",
    "hopeful",
    "better",
    "worse",
    "slowly",
    "quickly",
    "never",
    "always",
    "sometimes",
    "nobody",
    "everyone",
    "online",
    "photos",
    "threats",
]


# --- answers ------------------------------------------------------------------------------------
def sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    text = " ".join(words).capitalize() + "."
    # A few answers start the way a spreadsheet formula would (lists typed with dashes).
    return "- " + text if rng.random() < 0.02 else text


def fill(question: Any, rng: random.Random) -> dict[str, list[str]]:
    """Form fields for one question, as a respondent might post them (sometimes left blank)."""
    kind = question.type_name
    name = question.field_name
    if kind == "consent":
        return {name: ["yes"]}
    if rng.random() < 0.12:
        return {}
    if kind in ("single_choice", "rating"):
        return {name: [rng.choice(question.all_options).value]}
    if kind == "multiple_choice":
        plain = [o.value for o in question.options]
        if question.prefer_not_to_say and rng.random() < 0.05:
            return {name: ["prefer_not_to_say"]}
        ticked = rng.sample(plain, rng.randint(1, min(4, len(plain))))
        form = {name: ticked}
        if question.other_label and rng.random() < 0.15:
            form[name] = [*ticked, "other"]
            form[question.other_field_name] = [sentence(rng, 2, 8)]
        return form
    if kind == "rating_grid":
        codes = [o.value for o in question.all_options]
        return {
            question.row_field_name(row): [rng.choice(codes)]
            for row in question.rows
            if rng.random() < 0.7
        }
    if kind == "three_words":
        return {field: [rng.choice(WORDS)] for field in question.field_names()}
    if kind in ("short_text", "long_text"):
        return {name: [sentence(rng, 5, 20 if kind == "short_text" else 90)]}
    if kind == "number":
        return {name: [str(rng.randint(int(question.min or 0), int(question.max or 100)))]}
    if kind == "month_year":
        return {
            question.month_field_name: [str(rng.randint(1, 12))],
            question.year_field_name: [str(rng.randint(2015, 2024))],
        }
    raise SystemExit(f"no answer generator for question type {kind!r}")


def answers_for(survey: Any, rng: random.Random) -> dict[str, Any]:
    from surveys.definition.routing import prune_answers

    answers: dict[str, Any] = {}
    for question in survey.questions():
        value, errors = question.parse(fill(question, rng))
        if errors:
            raise SystemExit(f"generated an invalid answer to {question.key}: {errors}")
        answers[question.key] = value
    return dict(prune_answers(survey, answers))


def insert_responses(database: Path, count: int, seed: int) -> str:
    """Insert ``count`` responses; returns the consultation id (hex)."""
    from sqlalchemy import create_engine, insert, select
    from sqlalchemy.orm import Session

    from consult.consultations.models import Consultation
    from consult.db import import_models
    from surveys.definition import survey_from_dict
    from surveys.models import Response, SurveyVersion
    from surveys.models import Survey as SurveyRow

    import_models()
    engine = create_engine(f"sqlite:///{database}")
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    with Session(engine) as db:
        cid = db.scalar(select(Consultation.id).where(Consultation.slug == SLUG))
        version = db.scalars(
            select(SurveyVersion)
            .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
            .where(SurveyRow.consultation_id == cid)
            .order_by(SurveyVersion.number.desc())
        ).first()
        if cid is None or version is None:
            raise SystemExit("the demo consultation or its published survey is missing")
        version_id = version.id
        survey = survey_from_dict(version.definition)
    type_key = survey.respondent_type_question
    table = Response.__table__
    for first in range(0, count, INSERT_BATCH):
        rows = []
        for n in range(first, min(count, first + INSERT_BATCH)):
            answers = answers_for(survey, rng)
            rows.append(
                {
                    "consultation_id": cid,
                    "version_id": version_id,
                    "respondent_type": answers.get(type_key) if type_key else None,
                    "answers": answers,
                    "submitted_at": start + timedelta(seconds=n * 37 + rng.randint(0, 36)),
                    "withdrawal_code_hash": hashlib.sha256(
                        f"bench-{seed}-{n}".encode()
                    ).hexdigest(),
                }
            )
        with engine.begin() as db:
            db.execute(insert(table), rows)
    engine.dispose()
    return str(cid)


# --- children -----------------------------------------------------------------------------------
def child(mode: str, consultation_id: str, output: Path) -> dict[str, Any]:
    """One measurement, in its own process. Imports happen here, before the clock starts."""
    import uuid

    from sqlalchemy.ext.asyncio import AsyncSession

    from consult.db import build_engine, import_models
    from consult.settings import load_settings
    from surveys import exports

    if mode == "imports+pandas":
        import pandas  # noqa: F401
        import pyreadstat
    import_models()
    figures: dict[str, Any] = {"mode": mode, "seconds": 0.0, "rows": None, "bytes": None}
    if not mode.startswith("imports"):
        cid = uuid.UUID(consultation_id)

        async def run() -> dict[str, Any]:
            engine = build_engine(load_settings())
            seen = 0

            async def counted(batches: Any) -> Any:
                nonlocal seen
                async for batch in batches:
                    seen += len(batch)
                    yield batch

            try:
                async with AsyncSession(engine, expire_on_commit=False) as db:
                    layout = await exports.layout_for(db, cid)
                    total = await exports.count_responses(db, cid)
                    batches = counted(exports.read_rows(db, cid, layout))
                    written = None
                    if mode == "read":
                        async for _ in batches:
                            pass
                    elif mode == "csv":  # as the route streams it: a ZIP, chunk by chunk
                        with output.open("wb") as handle:
                            async for chunk in exports.zip_chunks(
                                "responses", layout, batches, HEADER
                            ):
                                handle.write(chunk)
                    elif mode == "xlsx":
                        written = await exports.write_xlsx(output, layout, batches, HEADER)
                    else:
                        written = await exports.write_sav(output, layout, batches)
            finally:
                await engine.dispose()
            return {"counted": total, "read": seen, "returned": written}

        started = time.perf_counter()
        result = asyncio.run(run())
        figures["seconds"] = time.perf_counter() - started
        figures.update(result)
        figures["rows"] = result["read"] if result["returned"] is None else result["returned"]
    figures["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode in FORMATS:
        figures["bytes"] = output.stat().st_size
    if mode == "sav":  # the file's own row count, after the peak was read
        import pyreadstat

        _, meta = pyreadstat.read_sav(str(output), metadataonly=True)
        figures["file_rows"] = meta.number_rows
    return figures


def run_child(env: dict[str, str], mode: str, cid: str, output: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--consultation", cid, "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child {mode} failed:\n{done.stdout}\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if mode == "csv":  # read the CSV in the ZIP back: data rows after the header rows
        with zipfile.ZipFile(output) as archive, archive.open("responses.csv") as member:
            lines = io.TextIOWrapper(member, encoding="utf-8", newline="")
            figures["file_rows"] = sum(1 for _ in csv.reader(lines)) - HEADER_ROWS
    return figures


# --- parent -------------------------------------------------------------------------------------
# The same `python -m consult ...` runner as the respondent benchmark (bench/ is on sys.path
# when a script in it runs).
from respondents import consult  # noqa: E402


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores, {model}{memory}, Python {sys.version.split()[0]}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def mib(kib: float) -> float:
    return round(kib / 1024, 1)


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
    ap.add_argument("--responses", type=int, default=100_000, help="responses to export")
    ap.add_argument("--runs", type=int, default=3, help="runs of each measurement (medians)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the generated answers")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    ap.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--consultation", default="", help=argparse.SUPPRESS)
    ap.add_argument("--output", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.consultation, Path(args.output))))
        return 0

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="consult-bench-exports-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
        database = Path(tmp) / "consult.sqlite3"
        env.update(
            CONSULT_DATA_DIR=tmp,
            CONSULT_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            CONSULT_SECRET_KEY=SECRET,
            CONSULT_ENV="production",
        )
        consult(env, "migrate")
        consult(env, "load-demo", "--if-empty")
        clear_demo_responses(f"sqlite+aiosqlite:///{database}")
        started = time.perf_counter()
        cid = insert_responses(database, args.responses, args.seed)
        print(
            f"inserted {args.responses:,} responses in {time.perf_counter() - started:.1f} s "
            f"(database {database.stat().st_size / 2**20:.0f} MiB)"
        )
        results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
        problems = []
        for run in range(args.runs):
            for mode in MODES:
                output = Path(tmp) / f"export.{mode}"
                figures = run_child(env, mode, cid, output)
                output.unlink(missing_ok=True)
                results[mode].append(figures)
                if not mode.startswith("imports"):
                    counts = {k: figures.get(k) for k in ("counted", "read", "rows", "file_rows")}
                    if any(v is not None and v != args.responses for v in counts.values()):
                        problems.append(f"{mode} run {run + 1}: {counts} != {args.responses}")
                print(
                    f"  run {run + 1} {mode:<15} {figures['seconds']:7.2f} s  "
                    f"peak RSS {mib(figures['peak_rss_kib']):7.1f} MiB",
                    flush=True,
                )
        load = os.getloadavg()

    def med(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    floor = med("imports", "peak_rss_kib")
    floor_pandas = med("imports+pandas", "peak_rss_kib")
    read_s = med("read", "seconds")
    table = []
    for mode in ("imports", "imports+pandas", "read", *FORMATS):
        own_floor = floor_pandas if mode == "sav" else floor
        seconds = med(mode, "seconds")
        peak = med(mode, "peak_rss_kib")
        table.append(
            {
                "mode": mode,
                "seconds": round(seconds, 2),
                "vs_read": round(seconds / read_s, 2) if mode in FORMATS else None,
                "rows_per_s": round(args.responses / seconds) if seconds else None,
                "peak_rss_mib": mib(peak),
                "above_floor_mib": mib(peak - own_floor)
                if not mode.startswith("imports")
                else None,
                "output_mib": (
                    round(statistics.median(r["bytes"] for r in results[mode]) / 2**20, 1)
                    if mode in FORMATS
                    else None
                ),
                "rows": results[mode][-1]["rows"],
            }
        )
    print(
        f"\n{args.responses:,} responses, medians of {args.runs} runs "
        f"(load average at the end {' '.join(f'{x:.2f}' for x in load)}); "
        "floor = imports (imports+pandas for sav)"
    )
    print(
        f"{'':<15} {'time s':>8} {'x read':>7} {'rows/s':>9} {'peak MiB':>9} "
        f"{'-floor MiB':>11} {'file MiB':>9} {'rows':>9}"
    )
    for row in table:

        def cell(value: Any, width: int, fmt: str = "") -> str:
            return f"{'-' if value is None else format(value, fmt):>{width}}"

        print(
            f"{row['mode']:<15} {cell(row['seconds'], 8, '.2f')} {cell(row['vs_read'], 7)} "
            f"{cell(row['rows_per_s'], 9, ',')} {cell(row['peak_rss_mib'], 9)} "
            f"{cell(row['above_floor_mib'], 11)} {cell(row['output_mib'], 9)} "
            f"{cell(row['rows'], 9, ',')}"
        )
    if args.json:
        print(json.dumps({"responses": args.responses, "runs": args.runs, "table": table}))
    if problems:
        print(f"FAILED: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print(f"every export wrote {args.responses:,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
