"""Active-learning simulation: hand-code the development corpus in batches of 50 chosen by the
coding queue (``analysis.learning.next_batch``) or at random, and plot F1 against the number coded.

The corpus (../shared/data/patient-feedback-coded.csv, not committed; the script says so and stops
when it is absent) is single-label with 9 labels and 44 subcategories; each response gets two
themes here, its subcategory and its label (53 themes, multi-label in form). A seeded 25% is held
out for scoring; the other 75% is the pool a person codes from. Both orders start from the same
50 random responses; after each batch the model is retrained from the previous one (warm start),
as the workspace does. F1 is sample-averaged (and macro) on the held-out part.
    .venv/bin/python bench/analysis_active.py [--seeds 0 1] [--until 0.2] [--png docs/active-learning.png]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from analysis.features import TextFeatures
from analysis.learning import FOLDS, ThemeModel, next_batch

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "patient-feedback-coded.csv"
BATCH = 50


def dev_set() -> tuple[list[str], pd.DataFrame]:
    data = pd.read_csv(CORPUS).dropna(subset=["feedback"]).reset_index(drop=True)
    labels = pd.get_dummies("label: " + data["label"]).astype(np.int8)
    subs = pd.get_dummies("sub: " + data["subcategory"]).astype(np.int8)
    return data["feedback"].astype(str).tolist(), pd.concat([labels, subs], axis=1)


def simulate(
    texts: list[str],
    y: np.ndarray,
    themes: list[str],
    seed: int,
    until: float,
    strategy: str,
    discovery: float,
) -> list[dict]:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    n_test = len(texts) // 4
    test, pool = order[:n_test], order[n_test:]
    features = TextFeatures().fit(texts)
    enc_pool = features.encode([texts[i] for i in pool])
    enc_test = features.encode([texts[i] for i in test])
    pool_texts = [texts[i] for i in pool]
    coded = np.zeros(len(pool), dtype=bool)
    coded[rng.choice(len(pool), BATCH, replace=False)] = True
    previous: ThemeModel | None = None
    rows = []
    limit = round(until * len(pool))
    while True:
        idx = np.flatnonzero(coded)
        start = time.perf_counter()
        model = ThemeModel(themes=themes, features=features)
        model.fit_encoded(
            enc_pool.rows(idx),
            y[pool[idx]],
            FOLDS,
            previous,
            keys=[pool_texts[i] for i in idx],
        )
        fit_s = time.perf_counter() - start
        pred = model.decide(model.scores(enc_test))
        truth = y[test]
        rows.append(
            {
                "strategy": strategy,
                "seed": seed,
                "coded": int(coded.sum()),
                "share": coded.sum() / len(pool),
                "sample_f1": f1_score(truth, pred, average="samples", zero_division=0),
                "macro_f1": f1_score(truth, pred, average="macro", zero_division=0),
                "fit_s": fit_s,
                "iterations": model.iterations,
            }
        )
        print(
            json.dumps(
                {k: round(v, 4) if isinstance(v, float) else v for k, v in rows[-1].items()}
            ),
            flush=True,
        )
        if coded.sum() >= limit:
            return rows
        if strategy == "random":
            pick = rng.choice(np.flatnonzero(~coded), BATCH, replace=False)
        else:
            scores = model.scores(enc_pool)
            batch = next_batch(model, pool_texts, coded, BATCH, scores=scores, discovery=discovery)
            pick = batch["row"].to_numpy()
        coded[pick] = True
        previous = model


def crossing(curve: pd.DataFrame, level: float) -> float | None:
    """Smallest share coded at which a curve reaches ``level`` (None if it never does)."""
    hit = curve[curve["sample_f1"] >= level]
    return None if hit.empty else float(hit["share"].min())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--until", type=float, default=0.2)
    parser.add_argument("--png", default="docs/active-learning.png")
    parser.add_argument("--csv", default=None, help="also write every point (CSV)")
    parser.add_argument("--discovery", type=float, default=0.25, help="next_batch's share")
    parser.add_argument("--strategies", nargs="*", default=["random", "queue"])
    parser.add_argument(
        "--merge", nargs="*", default=[], help="points of earlier runs (CSV) to add before plotting"
    )
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"corpus absent ({CORPUS}); nothing to simulate", file=sys.stderr)
        return 0
    texts, labels = dev_set()
    themes = list(labels.columns)
    y = labels.to_numpy()
    print(
        f"corpus: {CORPUS.name}, {len(texts)} responses, {len(themes)} themes (label + subcategory)"
    )
    points = []
    for seed in args.seeds:
        for strategy in args.strategies:
            points += simulate(texts, y, themes, seed, args.until, strategy, args.discovery)
    frame = pd.DataFrame(
        points,
        columns=[
            "strategy",
            "seed",
            "coded",
            "share",
            "sample_f1",
            "macro_f1",
            "fit_s",
            "iterations",
        ],
    )
    if args.csv and points:
        frame.to_csv(args.csv, index=False)
    frame = pd.concat([frame, *(pd.read_csv(p) for p in args.merge)], ignore_index=True)
    if frame["strategy"].nunique() < 2:
        print("one order only: nothing to compare (use --merge)")
        return 0
    mean = frame.groupby(["strategy", "coded"], as_index=False)[
        ["share", "sample_f1", "macro_f1", "fit_s"]
    ].mean()
    random_curve = mean[mean["strategy"] == "random"]
    queue_curve = mean[mean["strategy"] == "queue"]
    target = float(random_curve.loc[random_curve["share"].idxmax(), "sample_f1"])
    reach = crossing(queue_curve, target)
    print(f"random order at {random_curve['share'].max():.1%} coded: sample F1 {target:.4f}")
    print(
        "queue order reaches it at "
        + ("never (within the run)" if reach is None else f"{reach:.1%} coded")
    )
    for share in (0.05, 0.1, 0.12, 0.15, 0.2):
        r = random_curve.iloc[(random_curve["share"] - share).abs().argmin()]
        q = queue_curve.iloc[(queue_curve["share"] - share).abs().argmin()]
        print(
            f"~{share:.0%} coded: random sF1 {r['sample_f1']:.4f} mF1 {r['macro_f1']:.4f} | "
            f"queue sF1 {q['sample_f1']:.4f} mF1 {q['macro_f1']:.4f}"
        )
    import altair as alt

    long = mean.melt(
        id_vars=["strategy", "coded", "share"],
        value_vars=["sample_f1", "macro_f1"],
        var_name="metric",
        value_name="F1",
    )
    chart = (
        alt.Chart(long, title=f"Coding order: F1 on held-out 25% (mean of seeds {args.seeds})")
        .mark_line(point=True)
        .encode(
            x=alt.X("coded:Q", title=f"responses hand-coded (pool {int(len(texts) * 0.75)})"),
            y=alt.Y("F1:Q", scale=alt.Scale(zero=False)),
            color=alt.Color("strategy:N", title="order"),
            strokeDash=alt.StrokeDash("metric:N", title="metric"),
        )
        .properties(width=560, height=320)
    )
    rule = alt.Chart(pd.DataFrame({"F1": [target]})).mark_rule(color="grey").encode(y="F1:Q")
    (chart + rule).save(args.png, scale_factor=1.5)
    print(f"chart -> {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
