"""The adapter through which the analysis reads platform data (CSV, XLSX or a DataFrame).

Platform exports have one row per response and one column per question, plus the metadata
columns ``respondent_type``, ``submitted_at`` and ``survey_version``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError

METADATA_COLUMNS = ("respondent_type", "submitted_at", "survey_version")


def load_table(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Load responses from a CSV/XLSX path or pass a DataFrame through (copied)."""
    if isinstance(source, pd.DataFrame):
        return source.copy()
    path = Path(source)
    if not path.exists():
        raise AnalysisError(f"file not found: {path}")
    if path.stat().st_size == 0:
        raise AnalysisError(f"{path.name} is empty")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            frame = pd.read_excel(path, dtype=str)
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise AnalysisError(f"cannot read {path.name} as Excel: {exc}") from exc
    else:
        frame = _read_csv(path)
    if frame.empty and len(frame.columns) == 0:
        raise AnalysisError(f"{path.name} is empty")
    frame.attrs["source_name"] = path.name
    if "submitted_at" in frame.columns:
        frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], errors="coerce", utc=True)
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AnalysisError(
            f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise AnalysisError(f"{path.name} is empty") from exc
    except pd.errors.ParserError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise AnalysisError(f"{path.name} is not valid CSV: {first_line}") from exc


def require_columns(frame: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> None:
    """Raise a one-line error naming the first missing column and the columns present."""
    name = frame.attrs.get("source_name", "the input")
    for column in columns:
        if column not in frame.columns:
            present = ", ".join(str(c) for c in frame.columns)
            raise AnalysisError(f"column '{column}' not found in {name} (columns: {present})")


def text_column(frame: pd.DataFrame, column: str) -> list[str]:
    """The texts of one column, blanks as empty strings."""
    require_columns(frame, [column])
    return ["" if pd.isna(v) else str(v) for v in frame[column].tolist()]
