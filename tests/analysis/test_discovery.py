from analysis.discovery import suggest_themes


def test_distinctive_phrases_among_uncovered_responses_are_suggested_with_counts() -> None:
    covered = [f"the police were slow {i}" for i in range(8)]
    uncovered = [f"street lighting is poor near the park {i}" for i in range(6)] + [
        f"need more street lighting on my road {i}" for i in range(4)
    ]
    texts = covered + uncovered
    flags = [True] * len(covered) + [False] * len(uncovered)
    result = suggest_themes(texts, flags, clusters=2)
    assert result.uncovered == 10
    top = dict(zip(result.phrases["phrase"], result.phrases["respondents"], strict=True))
    assert top["street"] == 10
    assert any(phrase.startswith("street light") for phrase in top)
    assert "police" not in top
    assert result.clusters["respondents"].sum() == 10
    assert result.clusters["examples"].str.len().gt(0).all()


def test_too_few_uncovered_responses_give_empty_suggestions() -> None:
    result = suggest_themes(["police", "police officers"], [True, False])
    assert result.phrases.empty and result.clusters.empty
