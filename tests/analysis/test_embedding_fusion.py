from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.embedding_fusion import (
    embedding_probabilities,
    fit_embedding_model,
    fit_fused_model,
    fuse,
)
from analysis.embeddings import TOKENIZER, SentenceEncoder, packaged_model
from analysis.errors import AnalysisError
from analysis.learning import fit_theme_model

THEMES = ["police", "school"]


def planted_vectors(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors near axis 0 for police answers and near axis 1 for school ones."""
    rng = np.random.default_rng(seed)
    y = np.zeros((2 * n, 2), np.int8)
    y[:n, 0] = 1
    y[n:, 1] = 1
    vectors = rng.normal(0, 0.3, (2 * n, 384)).astype(np.float32)
    vectors[:n, 0] += 3.0
    vectors[n:, 1] += 3.0
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), y


def test_a_model_on_sentence_vectors_recovers_planted_themes() -> None:
    vectors, y = planted_vectors(15)
    model = fit_embedding_model(THEMES, vectors, y)
    unseen, truth = planted_vectors(10, seed=1)
    probs = embedding_probabilities(model, unseen)
    assert probs.shape == (20, 2)
    assert (model.decide(probs) == truth).all()


def test_fusion_with_weight_zero_leaves_the_tf_idf_probabilities_as_they_are() -> None:
    texts = [f"the police ignored my call {i}" for i in range(8)] + [
        f"lessons for pupils in school {i}" for i in range(8)
    ]
    labels = pd.DataFrame({"police": [1] * 8 + [0] * 8, "school": [0] * 8 + [1] * 8})
    text_model = fit_theme_model(texts, labels)
    p_text = text_model.predict_proba(["police came", "school lessons"]).to_numpy()
    p_emb = np.array([[0.1, 0.9], [0.9, 0.1]])
    assert np.array_equal(fuse(p_text, p_emb, 0.0), p_text)
    assert np.allclose(fuse(p_text, p_emb, 0.3), 0.7 * p_text + 0.3 * p_emb)


def test_a_fused_model_ranks_first_the_theme_only_the_vectors_can_tell() -> None:
    # Both themes' answers use the same words; only the (planted) vectors differ.
    vectors, y = planted_vectors(12)
    texts = [f"it was not good enough {i % 4}" for i in range(24)]
    labels = pd.DataFrame(y, columns=THEMES)
    fused = fit_fused_model(texts, labels, vectors)
    unseen, truth = planted_vectors(6, seed=2)
    new_texts = [f"it was not good enough {i % 4}" for i in range(12)]
    text_only = fused.text.predict_proba(new_texts).to_numpy()
    probs = fused.predict_proba(new_texts, unseen).to_numpy()
    assert (probs.argmax(axis=1) == truth.argmax(axis=1)).all()
    assert (text_only.argmax(axis=1) != truth.argmax(axis=1)).any()
    codes = fused.decide(probs)
    assert codes[truth == 1].all()
    with pytest.raises(AnalysisError, match="vectors for"):
        fused.predict_proba(new_texts, unseen[:3])


def test_vectors_lift_a_theme_the_words_missed() -> None:
    # The text model is unsure (0.45) of a police answer; the vectors are sure.
    p_text = np.array([[0.45, 0.40]])
    p_emb = np.array([[0.95, 0.05]])
    assert fuse(p_text, p_emb, 0.3)[0, 0] > 0.5 > fuse(p_text, p_emb, 0.3)[0, 1]


def test_fusion_refuses_mismatched_probabilities_and_weights_outside_zero_to_one() -> None:
    with pytest.raises(AnalysisError, match="shape"):
        fuse(np.zeros((2, 2)), np.zeros((3, 2)))
    with pytest.raises(AnalysisError, match="between 0 and 1"):
        fuse(np.zeros((2, 2)), np.zeros((2, 2)), 1.5)
    with pytest.raises(AnalysisError, match="vectors for"):
        fit_embedding_model(THEMES, np.zeros((3, 384)), np.zeros((4, 2)))


def test_the_shipped_tokenizer_is_the_pinned_file_and_a_changed_one_is_refused(
    tmp_path: Path,
) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(b"not a model")
    with pytest.raises(AnalysisError, match="not the pinned file"):
        SentenceEncoder(TOKENIZER, model)
    changed = tmp_path / "tokenizer.json"
    changed.write_bytes(TOKENIZER.read_bytes() + b" ")
    real = packaged_model()
    if real is not None:
        with pytest.raises(AnalysisError, match="not the pinned file"):
            SentenceEncoder(changed, real)


def test_the_packaged_model_puts_like_answers_closer_than_unlike_ones() -> None:
    if packaged_model() is None:
        pytest.skip("the optional embeddings extra is not installed (uv sync --extra embeddings)")
    pytest.importorskip("onnxruntime")
    encoder = SentenceEncoder()
    vectors = encoder.encode(
        ["The nurse was very kind to me", "Staff were friendly and caring", "The car park is full"]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    # Batched padding does not change a text's vector.
    alone = encoder.encode(["The car park is full"])
    assert np.allclose(alone[0], vectors[2], atol=1e-4)
