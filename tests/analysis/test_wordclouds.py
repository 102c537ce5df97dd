from pathlib import Path

import pandas as pd
import pytest
import wordcloud as wordcloud_lib
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from analysis import wordclouds
from analysis.errors import AnalysisError
from analysis.nlp import Pipeline
from analysis.redaction import Redaction
from analysis.wordclouds import (
    FONT_PATH,
    WordCloudResult,
    save_word_cloud,
    word_cloud,
    word_clouds_by_group,
    word_frequencies,
)
from tests.analysis.attack import cloud_candidates

FEELINGS = [
    "scared, alone, numb",
    "Scared and ashamed",
    "I felt scared",
    "frightened scared angry",
    "scared confused ashamed",
    "confused, ashamed",
    "angry angry angry angry angry angry",
]


def test_words_are_counted_by_respondents_not_occurrences() -> None:
    freq, respondents, _ = word_frequencies(FEELINGS, min_respondents=2)
    counts = dict(zip(freq["word"], freq["respondents"], strict=True))
    assert respondents == 7
    assert counts["scare"] == 5
    assert counts["angry"] == 2  # one person saying it six times counts once


def test_words_below_k_respondents_are_not_shown() -> None:
    freq, _, notes = word_frequencies(FEELINGS, min_respondents=3)
    assert "frightened" not in set(freq["word"]) and "ashamed" in set(freq["word"])
    assert "fewer than 3 respondents" in notes[0]


def test_custom_stop_words_are_removed() -> None:
    freq, _, _ = word_frequencies(FEELINGS, min_respondents=2, extra_stop_words=["Scared"])
    assert "scare" not in set(freq["word"]) and "scared" not in set(freq["word"])


def test_possible_names_used_by_enough_respondents_are_redacted_out() -> None:
    texts = [f"I told my husband Gareth about it {i}" for i in range(6)]
    freq, _, notes = word_frequencies(texts, min_respondents=5)
    assert "gareth" not in set(freq["word"])
    assert any("redaction" in n for n in notes)


def test_same_input_gives_byte_identical_png_and_svg(tmp_path: Path) -> None:
    first = word_cloud(FEELINGS, min_respondents=2)
    second = word_cloud(list(FEELINGS), min_respondents=2)
    assert first.png == second.png and first.svg == second.svg
    paths = save_word_cloud(first, tmp_path, "cloud")
    assert [p.suffix for p in paths] == [".png", ".svg", ".csv"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_font_is_the_one_shipped_inside_the_wordcloud_package() -> None:
    assert Path(FONT_PATH).is_file()
    assert Path(FONT_PATH).parent == Path(wordcloud_lib.__file__).parent


def test_empty_question_still_renders() -> None:
    result = word_cloud(["", "  "], min_respondents=5)
    assert result.frequencies.empty and result.png.startswith(b"\x89PNG")


# --- Disclosure: distinct respondents, names, and differencing between clouds (issue 18) ---


def test_a_person_with_several_rows_counts_once(blank_pipeline: Pipeline) -> None:
    texts = ["scared", "scared again", "so scared", "scared", "scared", "calm"]
    ids = ["p1", "p1", "p1", "p2", "p3", "p4"]
    freq, respondents, notes = word_frequencies(
        texts, min_respondents=3, respondent_ids=ids, pipeline=blank_pipeline
    )
    assert respondents == 4
    assert dict(zip(freq["word"], freq["respondents"], strict=True)) == {"scare": 3}
    assert any("1 respondent(s) have more than one row" in n for n in notes)
    # Counted by rows, "scared" would have had 5 users and been shown with k = 4.
    freq, _, _ = word_frequencies(texts, 4, respondent_ids=ids, pipeline=blank_pipeline)
    assert freq.empty


def test_without_an_id_every_row_is_a_respondent_and_the_notes_say_so(
    blank_pipeline: Pipeline,
) -> None:
    _, _, notes = word_frequencies(["a b"], 1, pipeline=blank_pipeline)
    assert any("each row was taken to be a different respondent" in n for n in notes)


def test_blank_respondent_ids_are_refused(blank_pipeline: Pipeline) -> None:
    with pytest.raises(AnalysisError, match="no respondent id"):
        word_frequencies(["a", "b"], 1, respondent_ids=["x", None], pipeline=blank_pipeline)


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_min_respondents_must_be_a_positive_whole_number(k: object) -> None:
    with pytest.raises(AnalysisError, match="min_respondents must be a whole number"):
        word_frequencies(["a"], k)  # type: ignore[arg-type]


def fake_redaction(names: dict[int, str]):  # type: ignore[no-untyped-def]
    """A stand-in for redact_texts that marks one given word of some texts as a NAME."""

    def redact(texts, pipeline=None, batch_size=128, progress=False):  # type: ignore[no-untyped-def]
        texts = list(texts)
        out, rows = [], []
        for i, text in enumerate(texts):
            name = names.get(i)
            if name and name in text:
                start = text.index(name)
                rows.append((i, "NAME", start, start + len(name), "ner"))
                text = text[:start] + "[NAME]" + text[start + len(name) :]
            out.append(text)
        log = pd.DataFrame(rows, columns=["row", "type", "start", "end", "source"])
        return Redaction(out, log, "test")

    return redact


def test_a_word_redacted_as_a_name_anywhere_is_dropped_everywhere(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "My ex Darren hurt me",  # redacted here
        "darren never stopped",  # lower case: no redaction would catch it
        "Darren again, then bethany",
        "darren was violent",
        "Bethany helped, darren lied",
        "support was slow",
    ]
    monkeypatch.setattr(wordclouds, "redact_texts", fake_redaction({0: "Darren"}))
    freq, _, notes = word_frequencies(texts, min_respondents=2)
    words = set(freq["word"])
    assert "darren" not in words
    assert "name" not in words  # the [NAME] placeholder is not a word
    assert "bethany" in words  # not redacted anywhere: kept (redaction's recall decides)
    assert any("redaction treated them as a name" in n for n in notes)


def test_clouds_are_drawn_from_redacted_text_with_the_real_pipeline() -> None:
    texts = [f"my husband Gareth hurt me and I felt scared {i}" for i in range(6)]
    texts += ["gareth is everywhere and scared"] * 2
    result = word_cloud(texts, min_respondents=2)
    words = set(result.frequencies["word"])
    assert "gareth" not in words and "scare" in words and "name" not in words
    assert "gareth" not in result.svg.lower()


def words_frame(users: dict[str, list[str]]) -> pd.DataFrame:
    """Respondents (one row each) whose text is the words they used, with their group."""
    rows = [(r, group, " ".join(words)) for (r, group), words in users.items()]  # type: ignore[misc]
    return pd.DataFrame(rows, columns=["id", "group", "text"])


def test_a_word_in_all_and_in_one_of_two_groups_is_not_shown_in_that_group(
    blank_pipeline: Pipeline,
) -> None:
    # Issue 18, finding 7: "All" 15 and group A 12 would give group B's 3 away.
    rows = [(f"a{i}", "A", "police" if i < 12 else "court") for i in range(20)]
    rows += [(f"b{i}", "B", "police" if i < 3 else "court") for i in range(20)]
    frame = pd.DataFrame(rows, columns=["id", "group", "text"])
    clouds = word_clouds_by_group(
        frame, "text", "group", min_respondents=5, id_column="id", pipeline=blank_pipeline
    )
    shown = {
        g: dict(zip(c.frequencies["word"], c.frequencies["respondents"], strict=True))
        for g, c in clouds.items()
    }
    assert shown["All"]["police"] == 15
    assert "police" not in shown["A"] and "police" not in shown["B"]
    assert shown["A"]["court"] == 8 and shown["B"]["court"] == 17
    assert any("comparing clouds" in n for n in clouds["All"].notes)


def test_group_named_all_and_conflicting_groups_are_refused(blank_pipeline: Pipeline) -> None:
    frame = pd.DataFrame({"id": [1, 2], "group": ["all ", "B"], "text": ["a", "b"]})
    with pytest.raises(AnalysisError, match="overall cloud"):
        word_clouds_by_group(frame, "text", "group", 1, id_column="id", pipeline=blank_pipeline)
    frame = pd.DataFrame({"id": [1, 1], "group": ["A", "B"], "text": ["a", "b"]})
    with pytest.raises(AnalysisError, match="in two groups"):
        word_clouds_by_group(frame, "text", "group", 1, id_column="id", pipeline=blank_pipeline)


def attack_clouds(
    clouds: dict[str, WordCloudResult], truth: dict[str, dict[str, int]], k: int
) -> list[tuple[str, str]]:
    """(word, group) pairs whose count from 1 to k-1 the attacker pins from the published set.

    The attacker knows, for each absent word, whether its count there is under k (the strongest
    assumption) and bounds every count by the cloud's published number of respondents.
    """
    published = {
        g: dict(zip(c.frequencies["word"], c.frequencies["respondents"], strict=True))
        for g, c in clouds.items()
    }
    sizes = {g: c.respondents for g, c in clouds.items()}
    leaks = []
    for word in published["All"]:
        found = cloud_candidates(published, sizes, k, word)
        groups = [g for g in published if g != "All"]
        for g in groups:
            true = truth[g].get(word, 0)
            if word in published[g] or not 1 <= true < k:
                continue
            under = {h: truth[h].get(word, 0) < k for h in groups if word not in published[h]}
            rest = truth["All"][word] - sum(truth[h].get(word, 0) for h in groups)
            under["(rest)"] = rest < k
            consistent = [c for c in found if all((c[h] < k) == u for h, u in under.items())]
            if {c[g] for c in consistent} == {true}:
                leaks.append((word, g))
    return leaks


vocabulary = ["fear", "court", "police", "safe", "help"]


@settings(max_examples=20, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]), st.sets(st.sampled_from(vocabulary), min_size=1)
        ),
        min_size=5,
        max_size=40,
    ),
    st.integers(2, 5),
)
def test_no_set_of_clouds_lets_a_count_under_k_be_worked_out(
    blank_pipeline: Pipeline, people: list[tuple[str, set[str]]], k: int
) -> None:
    frame = pd.DataFrame(
        [(i, g, " ".join(sorted(words))) for i, (g, words) in enumerate(people)],
        columns=["id", "group", "text"],
    )
    clouds = word_clouds_by_group(
        frame, "text", "group", min_respondents=k, id_column="id", pipeline=blank_pipeline
    )
    truth: dict[str, dict[str, int]] = {g: {} for g in clouds}
    for _, row in frame.iterrows():
        for word in row["text"].split():
            truth["All"][word] = truth["All"].get(word, 0) + 1
            if row["group"] in truth:
                truth[row["group"]][word] = truth[row["group"]].get(word, 0) + 1
    for g, cloud in clouds.items():
        for word, n in zip(
            cloud.frequencies["word"], cloud.frequencies["respondents"], strict=True
        ):
            assert n == truth[g][word] and n >= k  # shown counts are true and at least k
    assert attack_clouds(clouds, truth, k) == []


def test_cloud_attacker_finds_the_leak_of_the_old_rule() -> None:
    published = {"All": {"police": 15}, "A": {"police": 12}, "B": {}}
    found = cloud_candidates(published, {"All": 40, "A": 20, "B": 20}, 5, "police")
    assert {c["B"] for c in found} == {3}
