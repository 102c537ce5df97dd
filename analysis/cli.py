"""Command line: ``python -m analysis <command> ...``; every command has ``--help``.

Problems a user can fix are printed as one ``error: ...`` line with a non-zero exit status,
never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from analysis.errors import AnalysisError

ID_HELP = "column identifying each response (default: response_id, as platform exports have)"


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1 (k thresholds)."""
    try:
        number = int(value)
    except ValueError:
        message = f"must be a whole number of at least 1, not {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {number}")
    return number


def _common_input(p: argparse.ArgumentParser, text: bool = True) -> None:
    p.add_argument("--input", required=True, help="responses: CSV (UTF-8), XLSX or a ZIP export")
    p.add_argument(
        "--dictionary", help="data dictionary (default: the one in the ZIP or beside the CSV)"
    )
    if text:
        p.add_argument(
            "--text-column", required=True, help="column (or three-words question key) of text"
        )


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: ...``, exit 2) instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        first = (message.splitlines() or [""])[0]
        self.exit(2, f"error: {first} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("code", help="code responses into themes (rules and/or learned)")
    _common_input(p)
    p.add_argument("--id-column", default="response_id", help=ID_HELP)
    p.add_argument("--codebook", help="codebook (.yaml or REFI-QDA .qdc)")
    p.add_argument("--labelled", help="hand-coded sample: ID, text and one 0/1 column per theme")
    p.add_argument("--out", required=True, help="CODED.csv: ID, 0/1 per theme, score:<theme>")
    p.add_argument("--evidence", help="also write why each code was given (CSV)")
    p.add_argument("--order", help="also write responses to hand-code next, uncertain first")
    p.add_argument("--cache-dir", help="directory caching processed text between runs")
    p.set_defaults(handler="code")

    p = sub.add_parser("evaluate", help="compare CODED.csv with a truth file")
    p.add_argument("--predicted", required=True)
    p.add_argument("--truth", required=True)
    p.add_argument("--id-column", default="response_id", help=ID_HELP)
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--out", help="also write per-theme metrics (CSV)")
    p.set_defaults(handler="evaluate")

    p = sub.add_parser("wordcloud", help="word clouds (PNG, SVG) and frequency tables (CSV)")
    _common_input(p)
    p.add_argument("--group-column", help="also one cloud per value of this column")
    p.add_argument(
        "--id-column",
        help="respondent id; required when a person can have several rows (words are counted "
        "once per person)",
    )
    p.add_argument(
        "--min-respondents",
        type=positive_int,
        default=5,
        help="k: show a word only where at least k distinct respondents used it (default 5)",
    )
    p.add_argument("--stop-words", help="extra stop words: a file (one per line) or a, b, c")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--cache-dir")
    p.set_defaults(handler="wordcloud")

    p = sub.add_parser("breakdown", help="rating, theme or cross-tab tables with suppression")
    _common_input(p, text=False)
    p.add_argument("--question", help="rating question column (a key of a platform export)")
    p.add_argument(
        "--levels", help="levels, worst to best, comma-separated (default: from the dictionary)"
    )
    p.add_argument("--dont-know", help="answers excluded from the base, comma-separated")
    p.add_argument("--group", help="group column (respondent_type, age band, area...)")
    p.add_argument("--cross", nargs=2, metavar=("ROWS", "COLUMNS"), help="cross-tab two groups")
    p.add_argument("--coded", help="CODED.csv: theme breakdown (joined on --id-column)")
    p.add_argument("--id-column", default="response_id", help=ID_HELP)
    p.add_argument(
        "--k", type=positive_int, default=10, help="hide counts under k, k >= 1 (default 10)"
    )
    p.add_argument("--no-charts", action="store_true")
    p.add_argument("--out-dir", required=True)
    p.set_defaults(handler="breakdown")

    p = sub.add_parser("redact", help="replace personal data with typed placeholders")
    p.add_argument("--input", required=True)
    p.add_argument("--columns", required=True, help="text columns to redact, comma-separated")
    p.add_argument("--out", required=True)
    p.add_argument("--log", help="where to write the redaction log (types and positions only)")
    p.add_argument(
        "--keep",
        help="text file of names never to redact, one a line (support directory, area places)",
    )
    p.set_defaults(handler="redact")

    p = sub.add_parser("suggest-themes", help="phrases and clusters among uncoded responses")
    _common_input(p)
    p.add_argument("--id-column", default="response_id", help=ID_HELP)
    p.add_argument("--coded", help="CODED.csv; responses with no theme are 'uncovered'")
    p.add_argument("--codebook", help="or code with this codebook first")
    p.add_argument("--clusters", type=int, default=5)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(handler="suggest_themes")

    p = sub.add_parser("agreement", help="Cohen's kappa per theme, Krippendorff's alpha")
    p.add_argument("--input", required=True, help="one row per (response, coder): 0/1 themes")
    p.add_argument("--id-column", default="response_id", help=ID_HELP)
    p.add_argument("--coder-column", required=True)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(handler="agreement")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # Imported here so `--help` answers without loading spaCy, scikit-learn and Altair.
        from analysis import commands

        getattr(commands, args.handler)(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as exc:
        # Anything else a bad file can trigger still gets one line, not a traceback.
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0
