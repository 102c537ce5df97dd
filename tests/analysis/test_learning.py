import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.metrics import f1_score

from analysis.calibration import logit, pooled_threshold, theme_threshold_shifts
from analysis.codebook import codebook_from_dict
from analysis.coding import code_responses
from analysis.errors import AnalysisError
from analysis.explain import explain_suggestions
from analysis.features import TextFeatures
from analysis.learning import THRESHOLDS, fit_theme_model, next_batch, uncertainty

POLICE = ["the police ignored my call", "officers never came", "police did not believe me"]
SCHOOL = ["teach children in school", "education at school", "lessons for pupils in school"]


def labelled_sample(n: int = 12) -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append({"id": f"p{i}", "text": POLICE[i % 3] + f" {i}", "police": 1, "school": 0})
        rows.append({"id": f"s{i}", "text": SCHOOL[i % 3] + f" {i}", "police": 0, "school": 1})
    return pd.DataFrame(rows)


def test_model_suggests_codes_with_calibrated_probabilities() -> None:
    sample = labelled_sample()
    model = fit_theme_model(sample["text"].tolist(), sample[["police", "school"]])
    scores = model.predict_proba(["the police officers came late", "school lessons"])
    assert ((scores >= 0) & (scores <= 1)).all().all()
    assert scores.loc[0, "police"] > scores.loc[0, "school"]
    assert scores.loc[1, "school"] > scores.loc[1, "police"]


def test_every_response_gets_at_least_its_top_theme_when_training_data_always_had_one() -> None:
    sample = labelled_sample()
    model = fit_theme_model(sample["text"].tolist(), sample[["police", "school"]])
    assert model.at_least_one
    codes = model.decide(np.array([[0.01, 0.02], [0.3, 0.1]]), threshold=0.9)
    assert codes.tolist() == [[0, 1], [1, 0]]


def test_rules_and_learned_suggestions_combine_and_each_says_why() -> None:
    sample = labelled_sample()
    book = codebook_from_dict({"themes": [{"name": "courts", "keywords": ["court"]}]})
    responses = pd.DataFrame({"id": ["a", "b"], "text": ["police never came to court", "school"]})
    result = code_responses(responses, "id", "text", book, sample)
    assert result.themes == ["courts", "police", "school"]
    assert result.codes.loc[0, "courts"] == 1
    assert result.codes.loc[0, "score:courts"] == 1.0
    why = result.evidence.set_index(["id", "theme"])
    assert why.loc[("a", "courts"), "evidence"] == "court"
    assert why.loc[("a", "police"), "evidence"].startswith("confidence ")
    assert why.loc[("a", "police"), "source"] == "model"


def test_uncertain_first_ordering_puts_ambiguous_responses_first() -> None:
    sample = labelled_sample()
    responses = pd.DataFrame(
        {"id": ["clear", "mixed"], "text": ["police officers", "police at school"]}
    )
    result = code_responses(responses, "id", "text", labelled=sample)
    order = result.coding_order()
    assert order["id"].tolist()[0] == "mixed"
    assert order["uncertainty"].between(0, 1).all()


def test_labelled_file_with_non_binary_theme_column_is_rejected() -> None:
    sample = labelled_sample()
    sample.loc[0, "police"] = 2
    with pytest.raises(AnalysisError, match="column 'police' must contain only 0 and 1"):
        code_responses(sample, "id", "text", labelled=sample)


# --- planted themes: small data the tests make -------------------------------------------------
PLANTED = {
    "police": ["police", "officer"],
    "school": ["school", "teacher"],
    "housing": ["landlord", "tenancy"],
}


def filler_words(rng: np.random.Generator, n: int = 300) -> list[str]:
    letters = list("abcdefghijklmnoprstuvwy")
    return ["".join(rng.choice(letters, rng.integers(4, 8))) for _ in range(n)]


def planted_corpus(
    n: int, seed: int = 0, both_share: float = 0.2
) -> tuple[list[str], pd.DataFrame]:
    """Texts of filler words with one or two themes' planted words inserted."""
    rng = np.random.default_rng(seed)
    words = filler_words(np.random.default_rng(99))
    themes = list(PLANTED)
    texts, rows = [], []
    for _ in range(n):
        first = rng.integers(len(themes))
        chosen = {themes[first]}
        if rng.random() < both_share:
            chosen.add(themes[(first + 1) % len(themes)])
        body = list(rng.choice(words, 8))
        for theme in chosen:
            body.insert(int(rng.integers(len(body))), str(rng.choice(PLANTED[theme])))
        texts.append(" ".join(body))
        rows.append({t: int(t in chosen) for t in themes})
    return texts, pd.DataFrame(rows)


def test_learning_recovers_planted_themes() -> None:
    texts, labels = planted_corpus(150)
    new_texts, truth = planted_corpus(100, seed=1)
    model = fit_theme_model(texts, labels, unlabelled=new_texts)
    predicted = model.decide(model.predict_proba(new_texts).to_numpy())
    assert f1_score(truth.to_numpy(), predicted, average="samples") > 0.9
    assert predicted.sum(axis=1).max() == 2  # multi-label: both themes when both are planted


def test_threshold_is_chosen_from_out_of_fold_scores() -> None:
    texts, labels = planted_corpus(150, both_share=0.5)
    model = fit_theme_model(texts, labels)
    assert model.threshold in THRESHOLDS
    # Half the texts carry two themes: "top theme only" would lose them, so the chosen threshold
    # must let a second theme through, and stay above a clear "no".
    scores = model.predict_proba(["officer landlord " + texts[0], "teacher abcd efgh"])
    codes = model.decide(scores.to_numpy())
    assert codes[0][list(PLANTED).index("police")] == 1
    assert codes[0][list(PLANTED).index("housing")] == 1
    assert codes[1].tolist() == [0, 1, 0]
    # A lower threshold than chosen would code more; decide honours an explicit threshold.
    assert model.decide(scores.to_numpy(), threshold=0.0).sum() == 6


def test_incremental_retrain_reaches_the_full_retrain() -> None:
    texts, labels = planted_corpus(160)
    features = TextFeatures().fit(texts)
    first = fit_theme_model(texts[:100], labels.iloc[:100], features=features)
    warm = fit_theme_model(texts, labels, previous=first)
    cold = fit_theme_model(texts, labels, features=features)
    probe, _ = planted_corpus(40, seed=5)
    p_warm, p_cold = warm.predict_proba(probe).to_numpy(), cold.predict_proba(probe).to_numpy()
    assert np.abs(p_warm - p_cold).max() < 0.05
    # The threshold may sit anywhere on a flat optimum of separable data; decisions agree.
    assert (warm.decide(p_warm) == cold.decide(p_cold)).mean() > 0.97
    # Retraining on unchanged codes starts at the optimum: (almost) nothing left to do.
    again = fit_theme_model(texts, labels, previous=cold)
    assert again.iterations <= cold.iterations // 4


def test_explanations_name_the_planted_words() -> None:
    texts, labels = planted_corpus(150)
    model = fit_theme_model(texts, labels)
    probe = ["abcd the landlord efgh ijkl", "mnop school teacher qrst"]
    why = explain_suggestions(model, probe)
    first = why[(why["row"] == 0) & (why["theme"] == "housing")]["words"].iloc[0]
    assert first.split("; ")[0] == "landlord"
    second = why[(why["row"] == 1) & (why["theme"] == "school")]["words"].iloc[0]
    assert set(second.split("; ")[:2]) == {"school", "teacher"}
    probs, same = model.suggest(probe)
    assert same["words"].tolist() == why["words"].tolist()
    assert probs.shape == (2, 3)


def test_evidence_file_gives_the_words_for_rules_and_the_model() -> None:
    texts, labels = planted_corpus(60)
    sample = pd.DataFrame({"id": [f"s{i}" for i in range(60)], "text": texts}).join(labels)
    book = codebook_from_dict({"themes": [{"name": "courts", "keywords": ["court"]}]})
    responses = pd.DataFrame({"id": ["a"], "text": ["the court and the landlord wxyz"]})
    result = code_responses(responses, "id", "text", book, sample)
    why = result.evidence.set_index("theme")
    assert why.loc["courts", "words"] == "court"
    assert why.loc["housing", "source"] == "model"
    assert why.loc["housing", "words"].split("; ")[0] == "landlord"


def test_a_rule_finds_a_theme_with_almost_no_examples() -> None:
    texts, labels = planted_corpus(60)
    labels["refuge"] = 0
    labels.loc[0, "refuge"] = 1  # one hand-coded example: the model alone cannot learn it
    sample = pd.DataFrame({"id": [f"s{i}" for i in range(60)], "text": texts}).join(labels)
    book = codebook_from_dict({"themes": [{"name": "refuge", "keywords": ["refuge"]}]})
    responses = pd.DataFrame({"id": ["a", "b"], "text": ["a place in a refuge abcd", "school"]})
    result = code_responses(responses, "id", "text", book, sample)
    assert result.codes["refuge"].tolist() == [1, 0]
    assert result.codes.loc[0, "score:refuge"] >= 0.9


def test_queue_picks_the_planted_uncertain_cases_first_and_not_duplicates() -> None:
    # Enough hand-coded texts that the clear responses' filler words do not pass for a theme.
    texts, labels = planted_corpus(300, both_share=0.0)
    model = fit_theme_model(texts, labels)
    clear, _ = planted_corpus(40, seed=3, both_share=0.0)
    words = filler_words(np.random.default_rng(7))
    # Uncertain: no planted word at all; three distinct ones and five copies of a fourth.
    distinct = [" ".join(words[i : i + 6]) for i in (0, 10, 20)]
    copies = [" ".join(words[40:46])] * 5
    pool = clear + distinct + copies
    batch = next_batch(model, pool, size=4, discovery=0.0)
    picked = set(batch["row"].tolist())
    assert picked <= set(range(40, 48))  # all from the planted uncertain ones
    assert len(picked & set(range(43, 48))) == 1  # one copy, not several
    assert (batch["reason"] == "uncertain").all()
    assert batch["uncertainty"].is_monotonic_decreasing or len(batch) == 4


def test_queue_of_mostly_copies_fills_the_batch_with_distinct_responses() -> None:
    texts, labels = planted_corpus(300, both_share=0.0)
    model = fit_theme_model(texts, labels)
    words = filler_words(np.random.default_rng(7))
    clear, _ = planted_corpus(3, seed=3, both_share=0.0)
    # Six copies of one uncertain text and three clear ones: once a copy and the clear ones
    # are picked, every candidate left is a near-copy of the first.
    pool = [" ".join(words[40:46])] * 6 + clear
    batch = next_batch(model, pool, size=5, discovery=0.0)
    assert len(batch) == 5
    assert batch["row"].is_unique
    assert batch["row"].iloc[0] == 0  # the most uncertain first
    assert set(batch["row"]) >= {6, 7, 8}  # everything not a copy before any second copy


def test_queue_discovers_rare_themes_and_skips_coded_responses() -> None:
    texts, labels = planted_corpus(90, both_share=0.0)
    texts += ["abcd refuge efgh", "refuge ijkl mnop"]
    labels = pd.concat([labels, pd.DataFrame({t: [0, 0] for t in PLANTED})], ignore_index=True)
    labels["refuge"] = [0] * 90 + [1, 1]
    model = fit_theme_model(texts, labels)
    pool, _ = planted_corpus(60, seed=4, both_share=0.0)
    pool += ["qrst refuge uvwy", "the refuge abcd"]
    coded = np.zeros(len(pool), dtype=bool)
    coded[-1] = True
    batch = next_batch(model, pool, coded, size=8)
    rare = batch[batch["reason"] == "rare theme"]
    assert len(pool) - 2 in rare["row"].tolist()
    assert rare.set_index("row").loc[len(pool) - 2, "theme"] == "refuge"
    assert len(pool) - 1 not in batch["row"].tolist()
    assert batch["row"].is_unique


def test_features_equal_scikit_learns_tfidf() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts, _ = planted_corpus(80)
    texts[3] += " Police, officers!  don't"
    features = TextFeatures(min_df=1).fit(texts)
    encoded = features.encode(texts)
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
    names = {n: i for i, n in enumerate(features.word_names())}
    order = [names[g] for g in words.get_feature_names_out()]
    assert np.abs(encoded.words[:, order].toarray() - words.transform(texts).toarray()).max() < 1e-6
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(texts)
    order = [features.grams[g] for g in chars.get_feature_names_out()]
    assert np.abs(encoded.chars[:, order].toarray() - chars.transform(texts).toarray()).max() < 1e-6


def test_every_hand_coded_response_having_two_themes_makes_the_best_two_a_candidate() -> None:
    texts, labels = planted_corpus(150, both_share=1.0)
    model = fit_theme_model(texts, labels)
    assert model.top == 2  # out-of-fold F1 prefers "always the best two" here
    probe, truth = planted_corpus(60, seed=8, both_share=1.0)
    codes = model.decide(model.predict_proba(probe).to_numpy())
    assert (codes.sum(axis=1) >= 2).all()
    assert f1_score(truth.to_numpy(), codes, average="samples") > 0.9
    # One-theme training data keeps the single top theme.
    single, single_labels = planted_corpus(150, both_share=0.0)
    assert fit_theme_model(single, single_labels).top == 1


def test_a_theme_gets_its_own_threshold_only_as_far_as_its_examples_allow() -> None:
    rng = np.random.default_rng(0)
    n = 400
    y = np.zeros((n, 3), dtype=np.int8)
    y[:200, 0] = 1  # two frequent themes: 200 positives each
    y[200:, 1] = 1
    y[:4, 2] = 1  # a rare theme: 4 positives
    # The frequent themes' positives score about 0.8 and their negatives about 0.6: their best
    # threshold, and so the pooled one, lies near 0.7. The rare theme's own best is near 0.3.
    probs = np.where(y == 1, 0.8, 0.6) + rng.normal(0, 0.02, (n, 3))
    probs[:, 2] = np.where(y[:, 2] == 1, 0.35, 0.2) + rng.normal(0, 0.02, n)
    assert abs(pooled_threshold(probs, y) - 0.7) < 0.08
    shared = 0.1  # e.g. chosen for sample F1 when the best two themes are always coded
    shifts = theme_threshold_shifts(probs, y, shared, prior=5.0)
    final = expit(logit(shared) - shifts)  # the threshold each theme ends with
    assert abs(final[0] - 0.7) < 0.08 and abs(final[1] - 0.7) < 0.08  # frequent: their own
    # Rare: between its own (0.3) and the pooled threshold, nowhere near the shared 0.1.
    assert 0.3 < final[2] < 0.7
    assert abs(final[2] - 0.7) < abs(final[2] - 0.3) + 0.1


def test_uncertainty_ignores_themes_coded_either_way() -> None:
    scores = pd.DataFrame([[0.9, 0.8, 0.1], [0.3, 0.29, 0.28]], columns=["a", "b", "c"])
    # With the best two always coded, row 0 is certain (its third theme is a clear "no")...
    two = uncertainty(scores, 0.5, at_least_one=True, top=2)
    assert two[0] < 0.5
    # ...and row 1's toss-up is between its second and third theme.
    assert two[1] > 0.9
    assert uncertainty(scores, 0.5, at_least_one=True, top=1)[0] < two[1]


def test_rules_and_learning_together_find_a_rare_theme_the_model_misses() -> None:
    texts, labels = planted_corpus(120)
    labels["refuge"] = 0
    for i in range(2):  # two hand-coded examples, both saying "refuge"
        texts[i] += " refuge"
        labels.loc[i, "refuge"] = 1
    sample = pd.DataFrame({"id": [f"s{i}" for i in range(120)], "text": texts}).join(labels)
    book = codebook_from_dict({"themes": [{"name": "refuge", "keywords": ["refuge", "shelter"]}]})
    fresh, _ = planted_corpus(30, seed=9)
    word = {0: " refuge", 1: " shelter"}  # "shelter": in the codebook, never in the examples
    fresh = [t + word.get(i % 3, "") for i, t in enumerate(fresh)]
    responses = pd.DataFrame({"id": [f"r{i}" for i in range(30)], "text": fresh})
    learned = code_responses(responses, "id", "text", labelled=sample).codes["refuge"].to_numpy()
    both = code_responses(responses, "id", "text", book, sample)
    shelter = np.array([i % 3 == 1 for i in range(30)])
    planted = np.array([i % 3 != 2 for i in range(30)])
    assert learned[shelter].sum() == 0  # the model alone cannot know the codebook's synonym
    assert (both.codes["refuge"].to_numpy() == planted).all()  # rule + model: every one, no more
    sources = both.evidence[both.evidence["theme"] == "refuge"]["source"]
    assert "rule" in set(sources)
