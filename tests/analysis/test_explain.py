"""The quick paths of learned coding give what the straightforward computation gives."""

import re

import numpy as np
import pandas as pd

from analysis.coding import code_responses, learned_suggestions
from analysis.explain import explain_suggestions
from analysis.learning import ThemeModel, fit_theme_model

WORDS = {
    "police": ["police", "officers", "arrest", "custody"],
    "housing": ["landlord", "refuge", "tenancy", "rent"],
    "school": ["school", "teacher", "pupils", "lessons"],
}
FILLER = ["the", "a", "we", "said", "then", "was", "very", "not", "after", "time", "help"]


def corpus(n: int, seed: int) -> tuple[list[str], pd.DataFrame]:
    """Filler words with each text's themes' words planted, some with punctuation attached."""
    rng = np.random.default_rng(seed)
    themes = list(WORDS)
    texts, rows = [], []
    for _ in range(n):
        chosen = set(rng.choice(themes, size=int(rng.integers(1, 3)), replace=False).tolist())
        body = [str(w) for w in rng.choice(FILLER, 6)]
        for theme in chosen:
            word = str(rng.choice(WORDS[theme]))
            body.insert(int(rng.integers(len(body))), word + str(rng.choice(["", ",", "."])))
        texts.append(" ".join(body))
        rows.append({t: int(t in chosen) for t in themes})
    return texts, pd.DataFrame(rows)


def straightforward_explanations(
    model: ThemeModel, texts: list[str], top: int = 3
) -> dict[tuple[int, str], tuple[list[str], list[float]]]:
    """Per decided (text, theme): every positive contribution (feature value x weight) summed by
    word, the top ones, a text and a theme at a time. A character n-gram is credited to the
    whitespace token it came from (edges stripped), as :mod:`analysis.explain` documents."""
    features = model.features
    encoded = features.encode(texts)
    names = features.word_names()
    grams = features.token_gram_matrix().toarray()
    tokens = list(features.token_ids)
    n_words = features.n_word_features
    decided = model.decide(model.scores(encoded))
    out = {}
    for i, j in zip(*np.nonzero(decided), strict=True):
        totals: dict[str, float] = {}
        row = encoded.words[i]
        for column, value in zip(row.indices, row.data, strict=True):
            amount = float(value) * float(model.weights[column, j])
            if amount > 0:
                totals[names[column]] = totals.get(names[column], 0.0) + amount
        counts = encoded.tokens[i]
        for k, count in zip(counts.indices, counts.data, strict=True):
            per_gram = grams[k] * features.char_idf * model.weights[n_words:, j]
            amount = float(count) * float(per_gram.sum()) / float(encoded.char_norms[i])
            word = re.sub(r"^\W+|\W+$", "", tokens[k])
            if amount > 0 and word:
                totals[word] = totals.get(word, 0.0) + amount
        best = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
        out[(int(i), model.themes[j])] = ([w for w, _ in best], [v for _, v in best])
    return out


def test_explanations_equal_the_straightforward_computation() -> None:
    texts, labels = corpus(120, seed=0)
    probe, _ = corpus(60, seed=1)
    model = fit_theme_model(texts, labels, unlabelled=probe)
    expected = straightforward_explanations(model, probe)
    why = explain_suggestions(model, probe)
    assert len(why) == len(expected) > 60
    for row, theme, words, amounts in why.itertuples(index=False):
        names, values = expected[(row, theme)]
        assert words.split("; ") == names
        shown = [float(a) for a in amounts.split("; ")]
        assert np.allclose(shown, values, atol=0.006)


def test_repeated_texts_get_the_same_scores_and_words_as_coding_each_one() -> None:
    texts, labels = corpus(120, seed=0)
    distinct, _ = corpus(40, seed=2)
    rng = np.random.default_rng(3)
    repeated = [distinct[i] for i in rng.integers(0, len(distinct), 150)]
    model = fit_theme_model(texts, labels, unlabelled=repeated)
    probs, why = learned_suggestions(model, repeated)
    each_probs, each_why = model.suggest(repeated)
    assert np.array_equal(probs.to_numpy(), each_probs.to_numpy())
    assert why.columns.tolist() == each_why.columns.tolist()
    assert why.to_numpy().tolist() == each_why.to_numpy().tolist()


def test_coding_with_repeated_texts_gives_every_repeat_the_same_codes_and_evidence() -> None:
    texts, labels = corpus(120, seed=0)
    sample = pd.DataFrame({"id": [f"l{i}" for i in range(len(texts))], "text": texts})
    sample = pd.concat([sample, labels], axis=1)
    probe, _ = corpus(10, seed=4)
    responses = pd.DataFrame(
        {"id": [f"r{i}" for i in range(30)], "text": [probe[i % 10] for i in range(30)]}
    )
    result = code_responses(responses, "id", "text", labelled=sample)
    codes = result.codes.drop(columns="id").to_numpy()
    assert (codes[:10] == codes[10:20]).all() and (codes[:10] == codes[20:]).all()
    evidence = result.evidence.assign(row=result.evidence["id"].str[1:].astype(int) % 10)
    per_copy = [
        evidence[evidence["id"].str[1:].astype(int) // 10 == k].drop(columns="id") for k in range(3)
    ]
    assert len(per_copy[0]) >= 10
    assert all(p.to_numpy().tolist() == per_copy[0].to_numpy().tolist() for p in per_copy)
