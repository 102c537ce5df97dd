"""Every `python -m analysis` line of the README runs as written against the demo survey's
export, downloaded with the staff responses page's form: no editing of the file, no options
beyond what the README shows."""

from __future__ import annotations

import os
import random
import secrets
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from analysis.cli import main
from surveys.codes import hash_code
from surveys.definition import prune_answers, survey_from_dict
from surveys.models import Response, SurveyVersion
from tests.conftest import db_session
from tests.surveys.conftest import load_demo
from tests.surveys.responses.conftest import consultation_id, export

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

PREVENTION = [
    "More education in schools about consent and healthy relationships.",
    "The police need to believe victims and respond faster.",
    "Better funding for refuges and specialist support services.",
    "Training for GPs so they notice the signs of abuse.",
    "Longer sentences and proper enforcement of protection orders.",
    "Awareness campaigns so people know where to get help.",
]
FIRST_WORDS = ["safe", "angry", "numb"]
SECOND_WORDS = ["hopeful", "calm", "brave"]


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    commands = [line for line in lines if line.startswith("python -m analysis ")]
    assert len(commands) >= 8, commands
    return commands


def demo_answers(rng: random.Random, who: str) -> dict[str, Any]:
    """A response the demo's journey could have stored, for each respondent type."""
    answers: dict[str, Any] = {"consent": "yes", "respondent_type": who}
    if who in ("victim_survivor", "on_behalf"):
        answers["abuse_types"] = {"selected": rng.sample(["coercive_control", "stalking_harassment",
                                                          "domestic_emotional"], 2)}  # fmt: skip
        answers["words_now"] = [rng.choice(FIRST_WORDS), rng.choice(SECOND_WORDS), ""]
        answers["service_satisfaction"] = {
            "police": rng.choice(["dissatisfied", "very_dissatisfied", "satisfied", "satisfied"]),
            "refuge": rng.choice(["very_satisfied", "satisfied"]),
        }
        answers["prevention"] = rng.choice(PREVENTION)
    elif who == "professional":
        answers["sector"] = rng.choice(["police", "health", "housing"])
        answers["pursuing_perpetrators"] = rng.choice(["poor", "poor", "ok", "good", "dont_know"])
        answers["pursuing_perpetrators_reasons"] = rng.choice(PREVENTION)
    else:
        answers["safety_public_spaces"] = rng.choice(["fairly_safe", "fairly_unsafe"])
        answers["safety_what_would_help"] = "Better lighting near the station."
    answers["age_band"] = rng.choice(["age_25_34", "age_35_44", "age_45_54"])
    return answers


async def add_demo_responses(settings: Any) -> None:
    rng = random.Random(7)
    cid = await consultation_id(settings, "community-survey")
    async with db_session(settings) as db:
        version = await db.scalar(select(SurveyVersion))
        assert version is not None
        survey = survey_from_dict(version.definition)
        start = datetime(2027, 1, 4, 9, tzinfo=UTC)
        for n, who in enumerate(
            ["victim_survivor"] * 45 + ["on_behalf"] * 15 + ["professional"] * 45 + ["public"] * 20
        ):
            db.add(
                Response(
                    consultation_id=cid,
                    version_id=version.id,
                    respondent_type=who,
                    answers=prune_answers(survey, demo_answers(rng, who)),
                    submitted_at=start + timedelta(hours=n),
                    withdrawal_code_hash=hash_code(secrets.token_hex(10)),
                )
            )
        await db.commit()


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def hand_coding(folder: Path) -> None:
    """What coders would provide: a hand-coded sample and two coders' codings of it."""
    coded = pd.read_csv(folder / "coded.csv", dtype=str)
    themes = [c for c in coded.columns if c != "response_id" and ":" not in c]
    sample = coded[["response_id", *themes]].head(40)
    sample.to_csv(folder / "hand-coded.csv", index=False)
    second = sample.copy()
    second.loc[second.index[:5], themes[0]] = "1"
    codings = pd.concat([sample.assign(coder="a"), second.assign(coder="b")])
    codings[["response_id", "coder", *themes]].to_csv(folder / "codings.csv", index=False)


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
async def test_every_readme_example_runs_as_written_on_the_demo_export(
    client, settings, staff, tmp_path: Path, capsys
) -> None:
    await load_demo(settings)
    await add_demo_responses(settings)
    await staff("researcher")
    cid = await consultation_id(settings, "community-survey")
    download = await export(client, f"/staff/consultations/{cid}/responses")
    assert download.headers["content-type"] == "application/zip"
    (tmp_path / "responses.zip").write_bytes(download.content)
    (tmp_path / "analysis").symlink_to(ROOT / "analysis")  # the codebook path, as in the README
    with working_directory(tmp_path):
        for command in readme_commands():
            if " evaluate " in command or " agreement " in command:
                hand_coding(tmp_path)
            argv = shlex.split(command)[3:]
            code = main(argv)
            captured = capsys.readouterr()
            assert code == 0, (command, captured.err)
    coded = pd.read_csv(tmp_path / "coded.csv", dtype=str)
    assert coded.columns[0] == "response_id" and len(coded) == 125
    counts = pd.read_csv(tmp_path / "tables" / "perpetrators" / "rating-counts.csv", index_col=0)
    assert list(counts.columns)[:5] == ["Very poor", "Poor", "OK", "Good", "Very good"]
    police = pd.read_csv(tmp_path / "tables" / "police" / "rating-counts.csv", index_col=0)
    assert "I have lived experience of abuse or violence" in police.index
    clouds = pd.read_csv(tmp_path / "clouds" / "wordcloud-all.csv")
    # The question's key reads all its boxes: words typed only in the second one are there.
    assert set(SECOND_WORDS) <= set(clouds["word"]) and set(FIRST_WORDS) <= set(clouds["word"])
    assert (tmp_path / "redacted.csv").exists() and (tmp_path / "agreement").is_dir()
