"""Benchmark: the findings report over N submitted responses (default 100,000).

On a fresh SQLite data directory (`python -m consult migrate`, `load-demo`), inserts N
responses to the demo survey (the demo generator with another seed, through the bulk insert
of `surveys.store.bulk`, as bench/workspace.py does), then in a
child process per run builds the report model and renders it to HTML and DOCX. The report has
a grouping heading, "who responded" by type, age and ethnicity, a question's results (the
service satisfaction grid and barriers), a breakdown (the perpetrators rating by respondent
type), a theme of the prevention question (from the starting codebook), a word cloud pair
(feelings then and now) and the methodology. Bar: the whole build and both renders under 30 s,
median of --runs.

Usage: .venv/bin/python bench/report.py [--responses 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exports import SECRET, machine
from respondents import consult
from workspace import add_responses

BAR_SECONDS = 30.0
SECTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("heading", "Supporting Victims", {}),
    ("respondents", "", {"questions": ["age_band", "ethnicity"]}),
    ("question", "", {"question": "service_satisfaction"}),
    ("question", "", {"question": "barriers"}),
    ("breakdown", "", {"question": "pursuing_perpetrators", "item": "", "group": ""}),
    ("theme", "", {"question": "prevention"}),
    ("wordcloud", "", {"left": "words_then", "right": "words_now"}),
    ("methodology", "", {}),
]


async def child(consultation_id: str) -> dict[str, Any]:
    import uuid

    from consult.consultations.models import Consultation
    from consult.db import build_alchemy_config, build_engine
    from consult.settings import load_settings
    from research.coding import codebooks
    from research.report import store
    from research.report.models import ReportSection
    from research.report.render import to_docx, to_html

    settings = load_settings()
    engine = build_engine(settings, for_migrations=True)
    config = build_alchemy_config(settings, engine)
    async with config.get_session() as db:
        consultation = await db.get(Consultation, uuid.UUID(consultation_id))
        assert consultation is not None
        report = await store.report_of(db, consultation)
        if not await store.sections_of(db, report):
            book = codebooks.codebook_of(
                await codebooks.codebook_row(db, consultation.id, "prevention")
            )
            for position, (kind, title, params) in enumerate(SECTIONS):
                if kind == "theme":
                    params = {**params, "theme": book.theme_names()[0]}
                db.add(
                    ReportSection(
                        report_id=report.id,
                        position=position,
                        kind=kind,
                        title=title,
                        body="",
                        params=params,
                    )
                )
            await db.commit()
        started, cpu = time.perf_counter(), time.process_time()
        document = await store.draft_document(db, consultation, report)
        built = time.perf_counter()
        html = to_html(document)
        docx = to_docx(document)
        done = time.perf_counter()
        # As a request would: results worked out for the report (its word clouds) are kept.
        await db.commit()
    await engine.dispose()
    return {
        "cpu_s": time.process_time() - cpu,
        "build_s": built - started,
        "render_s": done - built,
        "total_s": done - started,
        "html_bytes": len(html),
        "docx_bytes": len(docx),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--responses", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--child", default="")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
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
        started = time.perf_counter()
        cid = add_responses(database, args.responses, args.seed)
        print(f"inserted {args.responses:,} responses in {time.perf_counter() - started:.1f} s")
        runs = []
        for run in range(args.runs):
            out = subprocess.run(
                [sys.executable, __file__, "--child", cid],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            runs.append(figures)
            print(
                f"  run {run + 1}: build {figures['build_s']:.2f} s, render {figures['render_s']:.2f} s, "
                f"total {figures['total_s']:.2f} s, CPU {figures['cpu_s']:.2f} s (HTML {figures['html_bytes'] / 1024:.0f} KiB, "
                f"DOCX {figures['docx_bytes'] / 1024:.0f} KiB)",
                flush=True,
            )
    # The first run redacts and draws the word clouds and stores them (they are kept per data
    # version); later runs read them, as a report's preview, downloads and sign-off do.
    median = statistics.median(r["total_s"] for r in runs)
    cpu = statistics.median(r["cpu_s"] for r in runs)
    print(f"first run (word clouds drawn) {runs[0]['total_s']:.2f} s, CPU {runs[0]['cpu_s']:.2f} s")
    print(
        f"median total {median:.2f} s (CPU {cpu:.2f} s) over {len(runs)} runs "
        f"(bar {BAR_SECONDS:.0f} s); load {os.getloadavg()}; {machine()}"
    )
    return 0 if median < BAR_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
