"""The CLI's command handlers: read files through :mod:`analysis.sources`, call the library.

Each handler imports what it needs itself: start-up time matters for quick commands, and
spaCy, scikit-learn and Altair together take seconds to import.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import AnalysisError
from analysis.sources import (
    Dictionary,
    load_export,
    load_table,
    require_columns,
    text_column,
    with_question_text,
)
from analysis.spreadsheet import write_csv

if TYPE_CHECKING:
    from analysis.breakdown import Breakdown
    from analysis.corpus import TextCache


def _out_path(path: str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _cache(directory: str | None) -> TextCache | None:
    from analysis.corpus import TextCache

    return TextCache(Path(directory)) if directory else None


def code(args: argparse.Namespace) -> None:
    from analysis.codebook import load_codebook
    from analysis.coded_files import write_codes, write_evidence
    from analysis.coding import code_responses

    responses, dictionary = load_export(args.input, args.dictionary)
    responses = with_question_text(responses, args.text_column, dictionary)
    require_columns(responses, [args.id_column, args.text_column])
    codebook = load_codebook(args.codebook) if args.codebook else None
    labelled = load_table(args.labelled) if args.labelled else None
    if labelled is not None:
        labelled.attrs["source_name"] = Path(args.labelled).name
        require_columns(labelled, [args.id_column, args.text_column])
    result = code_responses(
        responses,
        args.id_column,
        args.text_column,
        codebook,
        labelled,
        _cache(args.cache_dir),
        progress=True,
    )
    write_codes(result.codes, _out_path(args.out))
    if args.evidence:
        write_evidence(result.evidence, _out_path(args.evidence))
    if args.order:
        write_csv(result.coding_order(), _out_path(args.order), index=False)
    print(f"coded {len(result.codes)} responses into {len(result.themes)} themes -> {args.out}")


def evaluate(args: argparse.Namespace) -> None:
    from analysis.evaluation import evaluate as run_evaluation

    report = run_evaluation(
        load_table(args.predicted), load_table(args.truth), args.id_column, args.resamples
    )
    lo, hi = report.sample_f1_ci
    mlo, mhi = report.macro_f1_ci
    print(f"responses: {report.n}")
    print(f"sample-averaged F1: {report.sample_f1:.3f} (95% CI {lo:.3f}-{hi:.3f})")
    print(f"macro F1: {report.macro_f1:.3f} (95% CI {mlo:.3f}-{mhi:.3f})")
    print(report.per_theme.to_string(index=False))
    if args.out:
        write_csv(report.per_theme, _out_path(args.out), index=False)


def _stop_words(value: str | None) -> list[str]:
    if value and Path(value).is_file():
        return [w.strip() for w in Path(value).read_text(encoding="utf-8").splitlines() if w]
    return _split(value)


def wordcloud(args: argparse.Namespace) -> None:
    from analysis.wordclouds import save_word_cloud, word_clouds_by_group

    frame, dictionary = load_export(args.input, args.dictionary)
    # A three-words question is taken by its key: its three words together, per respondent.
    frame = with_question_text(frame, args.text_column, dictionary)
    columns = [args.text_column, args.group_column, args.id_column]
    require_columns(frame, [c for c in columns if c])
    cache = _cache(args.cache_dir)
    clouds = word_clouds_by_group(
        frame,
        args.text_column,
        args.group_column,
        args.min_respondents,
        _stop_words(args.stop_words),
        cache,
        id_column=args.id_column,
    )
    if cache is not None:
        cache.save()
    out_dir = Path(args.out_dir)
    used: set[str] = set()
    for group, result in clouds.items():
        stem = "wordcloud-" + "".join(c if c.isalnum() else "-" for c in group.lower())
        # Two labels can map to one file name ("A b", "a-b"): never overwrite a cloud.
        unique, n = stem, 1
        while unique in used:
            n += 1
            unique = f"{stem}-{n}"
        used.add(unique)
        save_word_cloud(result, out_dir, unique)
        print(f"{group}: {result.respondents} respondents, {len(result.frequencies)} words shown")
    notes = list(dict.fromkeys(n for r in clouds.values() for n in r.notes))
    (out_dir / "wordcloud-notes.txt").write_text(
        "redacted\n" + "\n".join(notes) + "\n", encoding="utf-8"
    )


def _write_breakdown(result: Breakdown, out_dir: Path, stem: str, charts: bool) -> None:
    from analysis.charts import NO_CHART, breakdown_charts

    notes = result.all_notes()
    # Charts first: they are the step that can fail, and a failure must leave no tables behind
    # that claim a chart exists.
    if charts and not breakdown_charts(result, out_dir, stem, stem.replace("-", " ")):
        notes.append(NO_CHART)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(result.table.counts, out_dir / f"{stem}-counts.csv")
    write_csv(result.percent, out_dir / f"{stem}-percent.csv")
    write_csv(result.table.reasons, out_dir / f"{stem}-suppressed.csv", index=False)
    if result.net is not None:
        write_csv(result.net, out_dir / f"{stem}-net.csv")
    if result.test is not None and result.test.table is not None:
        write_csv(result.test.table, out_dir / f"{stem}-tested.csv")
    (out_dir / f"{stem}-notes.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
    for note in notes:
        print(note)


def _worded(frame: pd.DataFrame, column: str | None, dictionary: Dictionary | None) -> pd.DataFrame:
    """A coded column (``victim_survivor``) shown in the survey's wording, when the dictionary
    has it; tables and charts are read by people."""
    labels = dictionary.value_labels(column) if dictionary and column else {}
    if not labels or column not in frame.columns:
        return frame
    out = frame.copy()
    out[column] = out[column].map(lambda v: labels.get(str(v), v) if not pd.isna(v) else v)
    return out


def breakdown(args: argparse.Namespace) -> None:
    from analysis.breakdown import DONT_KNOW, cross_tab, rating_breakdown, theme_breakdown

    frame, dictionary = load_export(args.input, args.dictionary)
    out_dir, charts = Path(args.out_dir), not args.no_charts
    for column in [args.group, *(args.cross or [])]:
        frame = _worded(frame, column, dictionary)
    if args.cross:
        _write_breakdown(
            cross_tab(frame, args.cross[0], args.cross[1], k=args.k), out_dir, "crosstab", charts
        )
    elif args.coded:
        if not args.id_column:
            raise AnalysisError("--coded needs --id-column to join codes to responses")
        coded = load_table(args.coded)
        require_columns(coded, [args.id_column])
        require_columns(frame, [args.id_column])
        themes = [c for c in coded.columns if c != args.id_column and ":" not in c]
        extra = [args.group] if args.group else []
        joined = coded[[args.id_column, *themes]].merge(
            frame[[args.id_column, *extra]], on=args.id_column, how="left"
        )
        result = theme_breakdown(joined, themes, args.group, args.k)
        _write_breakdown(result, out_dir, "themes", charts)
    elif args.question:
        levels = _split(args.levels) or None
        dont_know = _split(args.dont_know) or list(DONT_KNOW)
        found = dictionary.rating_levels(args.question) if dictionary and not levels else None
        if found is not None:
            # Levels from the export's dictionary, as wording, worst to best; the answers
            # outside the scale ("don't know") are left out of the base.
            levels, outside = found
            frame = _worded(frame, args.question, dictionary)
            dont_know = [*outside, *dont_know]
        result = rating_breakdown(frame, args.question, levels, args.group, args.k, dont_know)
        _write_breakdown(result, out_dir, "rating", charts)
    else:
        raise AnalysisError("give --question, --coded or --cross")


def redact(args: argparse.Namespace) -> None:
    from analysis.redaction import redact_frame

    frame = load_table(args.input)
    columns = _split(args.columns)
    require_columns(frame, columns)
    keep: list[str] = []
    if args.keep:
        try:
            lines = Path(args.keep).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise AnalysisError(f"cannot read --keep file {args.keep}: {exc}") from exc
        keep = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    redacted, log, result = redact_frame(frame, columns, progress=True, keep=keep)
    write_csv(redacted, _out_path(args.out), index=False)
    if args.log:
        write_csv(log, _out_path(args.log), index=False)
    print(f"{len(log)} replacements in {len(frame)} rows; {result.marker}")


def suggest_themes(args: argparse.Namespace) -> None:
    from analysis.codebook import load_codebook
    from analysis.coding import code_responses
    from analysis.discovery import suggest_themes as discover

    frame, dictionary = load_export(args.input, args.dictionary)
    frame = with_question_text(frame, args.text_column, dictionary)
    require_columns(frame, [args.id_column, args.text_column])
    if args.coded:
        coded = load_table(args.coded)
        require_columns(coded, [args.id_column])
        themes = [c for c in coded.columns if c != args.id_column and ":" not in c]
        any_code = coded.set_index(args.id_column)[themes].apply(pd.to_numeric).sum(axis=1) > 0
        covered = frame[args.id_column].map(any_code).fillna(False).astype(bool).tolist()
    elif args.codebook:
        coded = code_responses(
            frame, args.id_column, args.text_column, load_codebook(args.codebook)
        ).codes
        covered = coded[[c for c in coded.columns if c.startswith("score:")]].sum(axis=1) > 0
        covered = covered.tolist()
    else:
        covered = [False] * len(frame)
    result = discover(text_column(frame, args.text_column), covered, clusters=args.clusters)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(result.phrases, out_dir / "suggested-phrases.csv", index=False)
    write_csv(result.clusters, out_dir / "suggested-clusters.csv", index=False)
    print(f"{result.uncovered} responses not covered by any theme")
    print(result.phrases.head(10).to_string(index=False))


def agreement(args: argparse.Namespace) -> None:
    from analysis.agreement import agreement as compute_agreement
    from analysis.agreement import codings_from_wide

    frame = load_table(args.input)
    codings = codings_from_wide(frame, args.id_column, args.coder_column)
    result = compute_agreement(codings)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Who coded what, one row per (response, coder, theme): the record agreement is built on.
    write_csv(codings, out_dir / "codings.csv", index=False)
    write_csv(result.kappa, out_dir / "kappa-by-theme.csv", index=False)
    write_csv(result.disagreements, out_dir / "disagreements.csv", index=False)
    summary = {"krippendorff_alpha": result.alpha, "units": result.alpha_units}
    (out_dir / "agreement.json").write_text(json.dumps(summary, indent=1))
    print(f"Krippendorff's alpha (nominal): {result.alpha:.3f} over {result.alpha_units} units")
    print(result.kappa.round(3).to_string(index=False))
    print(f"{len(result.disagreements)} disagreements -> {out_dir / 'disagreements.csv'}")
