from pathlib import Path

import wordcloud as wordcloud_lib

from analysis.wordclouds import FONT_PATH, save_word_cloud, word_cloud, word_frequencies

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
