"""Settings from the environment: a value that cannot be read is refused with a message naming
the setting, never read as something else."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from consult.settings import BASE_DIR, SettingsError, load_settings


@pytest.mark.parametrize("word", ["1", "true", "Yes", " on "])
def test_a_switch_reads_the_usual_words_for_on(monkeypatch: pytest.MonkeyPatch, word: str) -> None:
    monkeypatch.setenv("CONSULT_EMBEDDINGS", word)
    assert load_settings().embeddings is True


@pytest.mark.parametrize("word", ["0", "false", "No", "off"])
def test_a_switch_reads_the_usual_words_for_off(monkeypatch: pytest.MonkeyPatch, word: str) -> None:
    monkeypatch.setenv("CONSULT_REQUIRE_TWO_FACTOR", word)
    assert load_settings().require_two_factor is False


def test_a_mistyped_switch_is_refused_not_read_as_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_REQUIRE_TWO_FACTOR", "ture")
    with pytest.raises(SettingsError, match="CONSULT_REQUIRE_TWO_FACTOR must be true or false"):
        load_settings()


def test_the_command_line_names_a_mistyped_switch_without_a_traceback() -> None:
    env = {**os.environ, "CONSULT_EMBEDDINGS": "maybe"}
    done = subprocess.run(
        [sys.executable, "-m", "consult", "migrate"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "CONSULT_EMBEDDINGS must be true or false" in done.stderr
    assert "Traceback" not in done.stderr
