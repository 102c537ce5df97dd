"""Compare learning variants by their MEAN over several bench seeds (development aid).

For each seed the bench protocol is repeated (random 10% hand-coded sample, the other 90% coded)
and sample-averaged F1 is computed for each variant; only the per-variant mean and spread over
seeds are printed, never anything about individual rows. Run:
    .venv/bin/python bench/analysis_variants.py [--seeds 1 2 3 4 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.sparse import hstack, spmatrix, vstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from analysis_quality import CORPUS, column_name

THRESHOLDS = np.round(np.arange(0.15, 0.91, 0.05), 2)


def features(char_range: tuple[int, int] = (2, 5), word_min_df: int = 1) -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=word_min_df)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=char_range, sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )


def decide(scores: np.ndarray, threshold: float | None) -> np.ndarray:
    codes = (
        np.zeros(scores.shape, dtype=int)
        if threshold is None
        else (scores >= threshold).astype(int)
    )
    codes[np.arange(len(scores)), scores.argmax(axis=1)] = 1
    return codes


def ovr_scores(make: Callable[[], object], x_tr: spmatrix, y: np.ndarray, x_te: spmatrix):
    out = np.zeros((x_te.shape[0], y.shape[1]))
    for j in range(y.shape[1]):
        clf = make().fit(x_tr, y[:, j])
        out[:, j] = (
            clf.predict_proba(x_te)[:, 1]
            if hasattr(clf, "predict_proba")
            else clf.decision_function(x_te)
        )
    return out


def softmax_scores(make: Callable[[], object], x_tr, y: np.ndarray, x_te) -> np.ndarray:
    clf = make().fit(x_tr, y.argmax(axis=1))
    out = np.zeros((x_te.shape[0], y.shape[1]))
    out[:, clf.classes_] = clf.predict_proba(x_te)
    return out


def cal_lr() -> object:
    return CalibratedClassifierCV(
        LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000), method="sigmoid", cv=3
    )


def cv_threshold(score_fn, x: spmatrix, y: np.ndarray) -> float:
    oof = np.zeros(y.shape)
    for tr, te in StratifiedKFold(3, shuffle=True, random_state=0).split(x, y.argmax(axis=1)):
        oof[te] = score_fn(x[tr], y[tr], x[te])
    return float(max(THRESHOLDS, key=lambda t: f1_score(y, decide(oof, t), average="samples")))


def lr_soft(c: float, cw: str | None = "balanced") -> Callable[[], object]:
    return lambda: LogisticRegression(C=c, class_weight=cw, max_iter=3000)


def svc(c: float) -> Callable[[], object]:
    return lambda: LinearSVC(C=c, class_weight="balanced")


def self_trained(
    make: Callable[[], object], x_tr, y: np.ndarray, x_te, share: float = 0.5, rounds: int = 1
):
    """Softmax scores after self-training on the most confident ``share`` of x_te."""
    scores = softmax_scores(make, x_tr, y, x_te)
    for _ in range(rounds):
        top = scores.max(axis=1)
        keep = np.flatnonzero(top >= np.quantile(top, 1 - share))
        pseudo = np.zeros((len(keep), y.shape[1]), dtype=int)
        pseudo[np.arange(len(keep)), scores[keep].argmax(axis=1)] = 1
        scores = softmax_scores(make, vstack([x_tr, x_te[keep]]), np.vstack([y, pseudo]), x_te)
    return scores


Data = dict[str, tuple[spmatrix, spmatrix]]
VARIANTS: dict[str, Callable[[Data, np.ndarray], np.ndarray]] = {
    "base: labelled-fit tfidf, OvR calibrated LR, thr+top1": lambda d, y: decide(
        ovr_scores(cal_lr, d["lab"][0], y, d["lab"][1]),
        cv_threshold(lambda a, b, c: ovr_scores(cal_lr, a, b, c), d["lab"][0], y),
    ),
    "labelled-fit tfidf, OvR calibrated LR, top1": lambda d, y: decide(
        ovr_scores(cal_lr, d["lab"][0], y, d["lab"][1]), None
    ),
    "all-fit tfidf, OvR calibrated LR, top1": lambda d, y: decide(
        ovr_scores(cal_lr, d["all"][0], y, d["all"][1]), None
    ),
    "labelled-fit tfidf, softmax LR C=10 bal, top1": lambda d, y: decide(
        softmax_scores(lr_soft(10), d["lab"][0], y, d["lab"][1]), None
    ),
    "all-fit tfidf, softmax LR C=10 bal, top1": lambda d, y: decide(
        softmax_scores(lr_soft(10), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf, softmax LR C=10 unweighted, top1": lambda d, y: decide(
        softmax_scores(lr_soft(10, None), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf, softmax LR C=30 bal, top1": lambda d, y: decide(
        softmax_scores(lr_soft(30), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf+LSA300, softmax LR C=10 bal, top1": lambda d, y: decide(
        softmax_scores(lr_soft(10), d["all+lsa"][0], y, d["all+lsa"][1]), None
    ),
    "LSA300 only, softmax LR C=10 bal, top1": lambda d, y: decide(
        softmax_scores(lr_soft(10), d["lsa"][0], y, d["lsa"][1]), None
    ),
    "all-fit tfidf, OvR LinearSVC C=0.5 bal, top1": lambda d, y: decide(
        ovr_scores(svc(0.5), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf+LSA300, OvR LinearSVC C=0.5 bal, top1": lambda d, y: decide(
        ovr_scores(svc(0.5), d["all+lsa"][0], y, d["all+lsa"][1]), None
    ),
    "all-fit tfidf, softmax LR C=10 bal, self-trained 1 round, top1": lambda d, y: decide(
        self_trained(lr_soft(10), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf, softmax LR C=3 bal, top1": lambda d, y: decide(
        softmax_scores(lr_soft(3), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf, softmax LR C=1 bal, top1": lambda d, y: decide(
        softmax_scores(lr_soft(1), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf, ComplementNB a=0.3, top1": lambda d, y: decide(
        softmax_scores(lambda: ComplementNB(alpha=0.3), d["all"][0], y, d["all"][1]), None
    ),
    "all-fit tfidf, softmax LR C=10 bal + ComplementNB mean, top1": lambda d, y: decide(
        softmax_scores(lr_soft(10), d["all"][0], y, d["all"][1])
        + softmax_scores(lambda: ComplementNB(alpha=0.3), d["all"][0], y, d["all"][1]),
        None,
    ),
    "all-fit tfidf, softmax LR C=10 bal, self-trained 2 rounds, top1": lambda d, y: decide(
        self_trained(lr_soft(10), d["all"][0], y, d["all"][1], rounds=2), None
    ),
    "all-fit tfidf, softmax LR C=10 bal, self-trained on 80%, top1": lambda d, y: decide(
        self_trained(lr_soft(10), d["all"][0], y, d["all"][1], share=0.8), None
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    data = pd.read_csv(CORPUS).dropna(subset=["feedback"]).reset_index(drop=True)
    texts = data["feedback"].astype(str).tolist()
    y_all = pd.get_dummies(data["label"].map(column_name)).astype(int).to_numpy()
    results: dict[str, list[float]] = {}

    for seed in args.seeds:
        order = np.random.default_rng(seed).permutation(len(texts))
        n_train = round(0.10 * len(texts))
        tr, te = order[:n_train], order[n_train:]
        t_tr = [texts[i] for i in tr]
        t_te = [texts[i] for i in te]
        y_tr, y_te = y_all[tr], y_all[te]
        # Representations: fitted on the labelled sample only, or on every text to be coded.
        f_lab = features().fit(t_tr)
        x_lab_tr, x_lab_te = f_lab.transform(t_tr), f_lab.transform(t_te)
        f_all = features().fit(t_tr + t_te)
        x_all_tr, x_all_te = f_all.transform(t_tr), f_all.transform(t_te)
        svd = TruncatedSVD(300, random_state=0).fit(f_all.transform(t_tr + t_te))
        l_tr = normalize(svd.transform(x_all_tr))
        l_te = normalize(svd.transform(x_all_te))
        xl_tr = hstack([x_all_tr, l_tr]).tocsr()
        xl_te = hstack([x_all_te, l_te]).tocsr()

        d = {
            "lab": (x_lab_tr, x_lab_te),
            "all": (x_all_tr, x_all_te),
            "lsa": (l_tr, l_te),
            "all+lsa": (xl_tr, xl_te),
        }
        variants = VARIANTS
        for name, run in variants.items():
            if args.only and not any(o in name for o in args.only):
                continue
            start = time.perf_counter()
            f1 = f1_score(y_te, run(d, y_tr), average="samples")
            results.setdefault(name, []).append(f1)
            print(f"seed {seed} {f1:.4f} {time.perf_counter() - start:5.1f}s {name}", flush=True)

    print("\n| variant | mean sample F1 | min-max over seeds |\n|---|---|---|")
    for name, values in results.items():
        print(f"| {name} | {np.mean(values):.3f} | {min(values):.3f}-{max(values):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
