"""Learning benchmark: time, peak memory and quality of the learner, against the previous one.

Development corpus: ../shared/data/patient-feedback-coded.csv (not committed; the script says so
and stops when it is absent). It is single-label (9 labels, 44 subcategories); here each response
gets two themes, its subcategory and its label: 53 themes, multi-label in form, rare ones down to
5 responses. Nothing is tuned to its rows.

The previous learner is loaded from git (``git show REV:analysis/learning.py`` into a temporary
module) so both run in the same go; the package keeps one learner.

Parts (each measurement in its own child process: wall time and peak RSS from wait4):
- quality: for each labelled fraction (10/20/50%) and seed, fit on that random share and score
  the rest: sample-F1, macro-F1, recall per theme (rare = under 1% of responses);
- speed: 7,500 responses (seeded sample) with 10% hand-coded: learn and code all of them
  (library calls: fit, probabilities, decisions, and explanations for the new learner), and the
  same through ``python -m analysis code --labelled ... --evidence`` (process start included);
- scale: 180,000 responses (1-3 resampled corpus sentences each, as bench/analysis_scale.py)
  coded by the CLI with a 1,030-response hand-coded sample, learned only, and rules (50-theme
  codebook, warm cache) + learned.
    .venv/bin/python bench/analysis_learning.py [--runs 3] [--seeds 0 1 2] [--old-seeds 0]
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "patient-feedback-coded.csv"
OLD_REV = "83928ab"  # the last commit with the previous learner (calibrated one-vs-rest LR)


def dev_set() -> tuple[list[str], pd.DataFrame]:
    data = pd.read_csv(CORPUS).dropna(subset=["feedback"]).reset_index(drop=True)
    labels = pd.get_dummies("label: " + data["label"]).astype(np.int8)
    subs = pd.get_dummies("sub: " + data["subcategory"]).astype(np.int8)
    return data["feedback"].astype(str).tolist(), pd.concat([labels, subs], axis=1)


def old_module(rev: str):  # type: ignore[no-untyped-def]
    source = subprocess.run(
        ["git", "show", f"{rev}:analysis/learning.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="old-learner-")) / "old_learning.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_learning", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_learning"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = round(fraction * n)
    return order[:cut], order[cut:]


def metrics(y: np.ndarray, pred: np.ndarray, themes: list[str]) -> dict:
    from sklearn.metrics import f1_score, recall_score

    recall = recall_score(y, pred, average=None, zero_division=0)
    return {
        "sample_f1": float(f1_score(y, pred, average="samples", zero_division=0)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
        "recall": {t: float(r) for t, r in zip(themes, recall, strict=True)},
    }


# ----------------------------------------------------------------------------- children
def child_quality(learner: str, fraction: float, seed: int, rev: str) -> dict:
    texts, labels = dev_set()
    themes = list(labels.columns)
    train, test = split(len(texts), fraction, seed)
    lab = [texts[i] for i in train]
    rest = [texts[i] for i in test]
    y_train = labels.iloc[train].reset_index(drop=True)
    start = time.perf_counter()
    if learner == "old":
        fit = old_module(rev).fit_theme_model
        # A learner that fits its vocabulary on every text (074d4f8 on) is given them, as the
        # CLI does; the calibrated one-vs-rest learner of 83928ab takes the sample only.
        if "unlabelled" in inspect.signature(fit).parameters:
            model = fit(lab, y_train, unlabelled=rest)
        else:
            model = fit(lab, y_train)
    else:
        from analysis.learning import fit_theme_model

        model = fit_theme_model(lab, y_train, unlabelled=rest)
    fit_s = time.perf_counter() - start
    pred = model.decide(model.predict_proba(rest).to_numpy())
    out = metrics(labels.to_numpy()[test], pred, themes)
    out.update(fit_s=fit_s, total_s=time.perf_counter() - start)
    return out


def child_speed(learner: str, n: int, seed: int, rev: str) -> dict:
    texts, labels = dev_set()
    pick = np.random.default_rng(seed).choice(len(texts), n, replace=False)
    texts = [texts[i] for i in pick]
    labels = labels.iloc[pick].reset_index(drop=True)
    train, _ = split(n, 0.10, seed)
    lab = [texts[i] for i in train]
    y_train = labels.iloc[train].reset_index(drop=True)
    start = time.perf_counter()
    if learner == "old":
        model = old_module(rev).fit_theme_model(lab, y_train)
        model.decide(model.predict_proba(texts).to_numpy())
    else:
        from analysis.learning import fit_theme_model

        model = fit_theme_model(lab, y_train, unlabelled=texts)
        model.suggest(texts)  # probabilities, decisions and the words behind each
    return {"seconds": time.perf_counter() - start, "themes": len(labels.columns)}


def run_child(args: list[str]) -> tuple[dict, float, float]:
    """Result (with the child's CPU seconds), wall seconds and peak RSS (MiB) of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, cwd=ROOT
    )
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed: {args}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result, wall, usage.ru_maxrss / 1024


def run_cli(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one CLI run; prints its CPU seconds too."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    wall = time.perf_counter() - start
    print(
        f"  run: wall {wall:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s "
        f"(user+sys), peak {usage.ru_maxrss / 1024:.0f} MiB, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return wall, usage.ru_maxrss / 1024


# ----------------------------------------------------------------------------- parent
def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    return f"nproc {os.cpu_count()}, CPU {cpu}, Python {sys.version.split()[0]}"


def quality(args: argparse.Namespace, texts_n: int, themes: list[str], counts: pd.Series) -> None:
    rare = [t for t in themes if counts[t] < 0.01 * texts_n]
    print(f"\n## quality (rare = {len(rare)} themes under 1% of responses)")
    rows = []
    for fraction in args.fractions:
        old_seeds = args.old_seeds if fraction in (args.old_fractions or args.fractions) else []
        for learner, seeds in (("old", old_seeds), ("new", args.seeds)):
            for seed in seeds:
                res, _wall, rss = run_child(
                    ["quality", learner, str(fraction), str(seed), args.old_rev]
                )
                rare_recall = float(np.mean([res["recall"][t] for t in rare]))
                row = {
                    "fraction": fraction,
                    "learner": learner,
                    "seed": seed,
                    "sample_f1": round(res["sample_f1"], 4),
                    "macro_f1": round(res["macro_f1"], 4),
                    "rare_recall": round(rare_recall, 4),
                    "fit_s": round(res["fit_s"], 1),
                    "cpu_s": round(res["cpu_s"], 1),
                    "peak_mib": round(rss),
                }
                rows.append({**row, "recall": res["recall"]})
                print(json.dumps(row), flush=True)
    frame = pd.DataFrame(rows)
    print("\nmeans per fraction and learner:")
    print(
        frame.groupby(["fraction", "learner"])[["sample_f1", "macro_f1", "rare_recall", "fit_s"]]
        .mean()
        .round(4)
        .to_string()
    )
    # Per-theme recall at 10%, mean over the seeds run, for the docs.
    at = frame[frame["fraction"] == min(args.fractions)]
    table = pd.DataFrame(
        {
            learner: pd.DataFrame(list(at[at["learner"] == learner]["recall"])).mean()
            for learner in ("old", "new")
        }
    )
    table.insert(0, "responses", counts[table.index])
    print(f"\nper-theme recall at {min(args.fractions):.0%} labelled (mean of seeds):")
    print(table.sort_values("responses").round(3).to_string())


def speed(args: argparse.Namespace) -> None:
    print(f"\n## speed: {args.speed_n} responses, 10% hand-coded (library; median of {args.runs})")
    for learner in ("old", "new"):
        runs = args.runs if learner == "new" else args.old_runs
        if runs <= 0:
            continue
        times, rss = [], []
        for r in range(runs):
            res, _wall, peak = run_child(
                ["speed", learner, str(args.speed_n), str(r), args.old_rev]
            )
            times.append(res["seconds"])
            rss.append(peak)
        print(
            f"{learner}: learn+code {statistics.median(times):.2f} s (runs "
            f"{[round(t, 2) for t in times]}), peak {max(rss):.0f} MiB, {res['themes']} themes"
        )


def cli_runs(args: argparse.Namespace) -> None:
    texts, labels = dev_set()
    work = Path(tempfile.mkdtemp(prefix="analysis-learning-"))
    # 7,500 responses through the CLI, 10% of them hand-coded.
    pick = np.random.default_rng(0).choice(len(texts), args.speed_n, replace=False)
    frame = pd.DataFrame({"ID": [f"r{i}" for i in pick], "TEXT": [texts[i] for i in pick]})
    frame.to_csv(work / "R.csv", index=False)
    train, _ = split(len(frame), 0.10, 0)
    labelled = pd.concat(
        [frame.iloc[train].reset_index(drop=True), labels.iloc[pick[train]].reset_index(drop=True)],
        axis=1,
    )
    labelled.to_csv(work / "L.csv", index=False)
    code = [
        sys.executable, "-m", "analysis", "code", "--input", str(work / "R.csv"),
        "--id-column", "ID", "--text-column", "TEXT", "--labelled", str(work / "L.csv"),
        "--out", str(work / "CODED.csv"), "--evidence", str(work / "why.csv"),
    ]  # fmt: skip
    results = [run_cli(code) for _ in range(args.runs)]
    times = [t for t, _ in results]
    print(
        f"\n## CLI `code --labelled --evidence`, {len(frame)} responses, {len(labelled)} "
        f"hand-coded, {labels.shape[1]} themes: median {statistics.median(times):.2f} s "
        f"(runs {[round(t, 2) for t in times]}), peak {max(m for _, m in results):.0f} MiB"
    )
    if args.scale_n <= 0:
        return
    sys.path.insert(0, str(ROOT / "bench"))
    import yaml
    from analysis_scale import fifty_theme_codebook, make_responses, sentences

    pool, source = sentences()
    big = make_responses(pool, args.scale_n)
    big[["ID", "TEXT"]].to_csv(work / "B.csv", index=False)
    train, _ = split(len(texts), 0.10, 0)
    lab = pd.concat(
        [
            pd.DataFrame({"ID": [f"l{i}" for i in train], "TEXT": [texts[i] for i in train]}),
            labels.iloc[train].reset_index(drop=True),
        ],
        axis=1,
    )
    lab.to_csv(work / "L2.csv", index=False)
    (work / "C.yaml").write_text(
        yaml.safe_dump(fifty_theme_codebook(big["TEXT"].tolist()), sort_keys=False)
    )
    base = [
        sys.executable, "-m", "analysis", "code", "--input", str(work / "B.csv"),
        "--id-column", "ID", "--text-column", "TEXT", "--labelled", str(work / "L2.csv"),
        "--out", str(work / "BIG.csv"), "--evidence", str(work / "bigwhy.csv"),
    ]  # fmt: skip
    print(f"\n## scale: {len(big)} responses ({source}), {len(lab)} hand-coded")
    for label, cmd in (
        ("learned only", base),
        (
            "rules (50 themes, warm cache) + learned",
            [*base, "--codebook", str(work / "C.yaml"), "--cache-dir", str(work / "cache")],
        ),
    ):
        if "rules" in label:
            run_cli(cmd)  # fills the cache (not measured)
        results = [run_cli(cmd) for _ in range(args.runs)]
        times = [t for t, _ in results]
        print(
            f"{label}: median {statistics.median(times):.1f} s (runs "
            f"{[round(t, 1) for t in times]}), peak {max(m for _, m in results):.0f} MiB"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-runs", type=int, default=1, help="the old learner takes minutes")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--old-seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.2, 0.5])
    parser.add_argument(
        "--old-fractions", type=float, nargs="*", help="run the old learner at these only"
    )
    parser.add_argument("--speed-n", type=int, default=7500)
    parser.add_argument("--scale-n", type=int, default=180_000)
    parser.add_argument("--old-rev", default=OLD_REV)
    parser.add_argument("--parts", nargs="+", default=["speed", "cli", "quality"])
    args = parser.parse_args()
    if args.child:
        kind, learner, a, b, rev = args.child
        if kind == "quality":
            print(json.dumps(child_quality(learner, float(a), int(b), rev)))
        else:
            print(json.dumps(child_speed(learner, int(a), int(b), rev)))
        return 0
    if not CORPUS.exists():
        print(f"corpus absent ({CORPUS}); nothing to measure", file=sys.stderr)
        return 0
    texts, labels = dev_set()
    print(f"machine: {machine()}; load average at start {os.getloadavg()}")
    print(f"corpus: {CORPUS.name}, {len(texts)} responses, {labels.shape[1]} themes")
    print(f"previous learner: analysis/learning.py at {args.old_rev}")
    if "speed" in args.parts:
        speed(args)
    if "cli" in args.parts:
        cli_runs(args)
    if "quality" in args.parts:
        quality(args, len(texts), list(labels.columns), labels.sum())
    print(f"\nload average at end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
